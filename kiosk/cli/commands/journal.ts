/**
 * `mashang journal`: what needs staff (the open notices recovery and the host wrote: a card
 * retained for its resident, a refund not acknowledged yet, a card stuck in the printer), the
 * sessions not settled yet (each with the side effects still in doubt and what recovery found out
 * about the others), and the outbox to the card centre (pending count, oldest age, each pending
 * message with its tries). Read-only; works while the host runs; no personal data (the sealed part
 * of a session is never opened here).
 */
import { formatAge, NoRecordsError, openRecordsForCli, recordsOptions } from '../../store/cli-records.ts';
import type { Command } from '../command.ts';

export const journalCommand: Command = {
  summary: 'the session journal: unsettled sessions and what is in doubt, and the outbox to the card centre',
  usage: 'mashang journal [--config FILE | --data DIR] [--json]',
  options: { ...recordsOptions },
  async run(values) {
    let records;
    try {
      records = await openRecordsForCli(values);
    } catch (error) {
      if (error instanceof NoRecordsError) {
        console.error(`mashang journal: ${error.message}`);
        return 1;
      }
      throw error;
    }
    try {
      const report = records.snapshot(() => ({
        dataDir: records.dataDir,
        sessions: records.journal.counts(),
        staff: records.notices.open(),
        unsettled: records.journal.unsettled().map((s) => ({ ...s, resolved: records.journal.resolutions(s.id) })),
        outbox: { ...records.outbox.stats(new Date()), messages: records.outbox.pending() },
      }));
      if (values.json) {
        console.log(JSON.stringify(report, null, 2));
        return 0;
      }
      const lines = [
        `Session journal — ${report.dataDir}`,
        `  ${report.sessions.sessions} session(s) recorded, ${report.sessions.unsettled} unsettled, ${report.sessions.records} records`,
        '',
      ];
      if (report.staff.length === 0) lines.push('Needs staff: nothing');
      else {
        lines.push(`Needs staff: ${report.staff.length}`);
        for (const n of report.staff) lines.push(`  #${n.id} ${n.kind}  since ${n.at}${n.sessionId ? `  session ${n.sessionId}` : ''}`, `    ${n.message}`);
      }
      lines.push('');
      if (report.unsettled.length === 0) lines.push('Unsettled sessions: none');
      else {
        lines.push(`Unsettled sessions: ${report.unsettled.length}`);
        for (const s of report.unsettled) {
          lines.push(`  ${s.id}  opened ${s.openedAt}${s.applicationNo ? `  application ${s.applicationNo}` : ''}${s.transactionNo ? `  transaction ${s.transactionNo}` : ''}`);
          if (s.lastRecord) lines.push(`    last record: #${s.lastRecord.seq} ${s.lastRecord.step} ${s.lastRecord.kind === 'intent' ? 'intent' : s.lastRecord.outcome} at ${s.lastRecord.at}`);
          for (const d of s.inDoubt) lines.push(`    in doubt: ${d.step} (${d.key}) — ${d.outcome === 'unknown' ? 'outcome unknown' : 'no outcome recorded'} since ${d.intentAt}`);
          for (const r of s.resolved) lines.push(`    resolved by recovery: ${r.step} (${r.key}) — ${r.outcome} at ${r.at}`);
          if (s.holdsSealedData) lines.push('    holds sealed personal data for recovery');
        }
      }
      lines.push('', `Outbox to the card centre: ${report.outbox.pending} pending${report.outbox.pending > 0 ? `, oldest ${formatAge(report.outbox.oldestAgeSeconds)}` : ''}`);
      for (const m of report.outbox.messages) {
        lines.push(`  #${m.id} ${m.kind}  ${m.key}  since ${m.createdAt}  ${m.attempts} tr${m.attempts === 1 ? 'y' : 'ies'}${m.lastError ? `  last error: ${m.lastError}` : ''}`);
      }
      console.log(lines.join('\n'));
      return 0;
    } finally {
      records.close();
    }
  },
};
