/**
 * `mashang audit verify`: walks the hash chain of the audit log from its first entry and reports
 * the first broken link, then checks the chain against every head queued for the card centre
 * (a chain rebuilt consistently on the kiosk no longer matches them). Exit code 1 when broken.
 * `mashang audit show` lists the last entries. Read-only; works while the host runs.
 */
import { NoRecordsError, openRecordsForCli, recordsOptions } from '../../store/cli-records.ts';
import { UsageError, type Command } from '../command.ts';

export const auditCommand: Command = {
  summary: 'the audit log of staff and technician actions: verify its hash chain, or show its last entries',
  usage: 'mashang audit verify [--config FILE | --data DIR] [--json]\n       mashang audit show [--last N] [--config FILE | --data DIR] [--json]',
  options: {
    ...recordsOptions,
    last: { type: 'string', short: 'n', description: 'with show: how many entries (default 20)' },
  },
  positionals: true,
  async run(values, positionals) {
    const [action, ...extra] = positionals;
    if ((action !== 'verify' && action !== 'show') || extra.length > 0) {
      throw new UsageError('expected "verify" or "show", e.g. `mashang audit verify`');
    }
    const last = values.last === undefined ? 20 : Number(values.last);
    if (!Number.isInteger(last) || last <= 0) throw new UsageError(`--last must be a positive whole number, got "${String(values.last)}"`);
    let records;
    try {
      records = await openRecordsForCli(values);
    } catch (error) {
      if (error instanceof NoRecordsError) {
        console.error(`mashang audit: ${error.message}`);
        return 1;
      }
      throw error;
    }
    try {
      if (action === 'show') {
        const entries = records.audit.entries({ last });
        if (values.json) console.log(JSON.stringify(entries, null, 2));
        else if (entries.length === 0) console.log('The audit log is empty.');
        else for (const e of entries) console.log(`#${e.seq}  ${e.at}  ${e.actor}  ${e.action}  ${JSON.stringify(e.detail)}`);
        return 0;
      }
      const report = records.snapshot(() => ({ ...records.verifyAudit(), headsQueued: records.outbox.auditHeads().length }));
      if (values.json) {
        console.log(JSON.stringify(report, null, 2));
        return report.ok ? 0 : 1;
      }
      const head = report.head ? `head #${report.head.seq} ${report.head.hash}` : 'no entries';
      console.log(`Audit log — ${records.dataDir}: ${report.entries} intact entr${report.entries === 1 ? 'y' : 'ies'}, ${head}`);
      if (report.ok) {
        console.log(`OK: every link holds, and the chain matches the ${report.headsQueued} head(s) queued for the card centre.`);
        return 0;
      }
      console.log(`BROKEN at #${report.firstBroken!.seq}: ${report.firstBroken!.message}`);
      return 1;
    } finally {
      records.close();
    }
  },
};
