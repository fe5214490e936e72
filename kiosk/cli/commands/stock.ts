/**
 * `mashang stock`: the card-stock ledger's balance, the printer's counters as last recorded, the
 * batches loaded and every unresolved discrepancy (which keeps the kiosk out of service for
 * residents). Read-only. When a host runs on the data directory the report comes from it (its
 * admin endpoint); otherwise from the records on disk.
 */
import path from 'node:path';
import { AdminUnavailableError, callHost, hostLinkIfAny } from '../../admin/admin-client.ts';
import { loadConfig } from '../../config/load.ts';
import { DEFAULT_CONFIG_FILE, NoRecordsError, openRecordsForCli, recordsOptions } from '../../store/cli-records.ts';
import type { LedgerEntry, StockBalance } from '../../store/ledger.ts';
import type { Records } from '../../store/store.ts';
import { UsageError, type Command } from '../command.ts';

export interface StockReport {
  dataDir: string;
  balance: StockBalance;
  batches: { seq: number; at: string; batch: string | null; count: number; serialFirst: string | null; serialLast: string | null; actor: string }[];
  entries: LedgerEntry[];
}

/** The report, from one consistent snapshot of the records (the host's own, or a read-only view). */
export function stockReport(records: Records, last: number): StockReport {
  return records.snapshot(() => {
    const balance = records.ledger.balance();
    const entries = records.ledger.entries();
    return {
      dataDir: records.dataDir,
      balance,
      batches: entries.filter((e) => e.kind === 'load').map((e) => ({ seq: e.seq, at: e.at, batch: e.batch, count: e.count, serialFirst: e.serialFirst, serialLast: e.serialLast, actor: e.actor })),
      entries: last > 0 ? entries.slice(-last) : [],
    };
  });
}

async function dataDirOf(values: Record<string, unknown>): Promise<string> {
  return values.data ? path.resolve(String(values.data)) : (await loadConfig((values.config as string | undefined) ?? DEFAULT_CONFIG_FILE)).dataDir;
}

export const stockCommand: Command = {
  summary: 'card stock: loaded = issued + rejected + retained + in printer + in hopper, and open discrepancies',
  usage: 'mashang stock [--config FILE | --data DIR] [--last N] [--json]',
  options: {
    ...recordsOptions,
    last: { type: 'string', short: 'n', description: 'also list the last N ledger entries' },
  },
  async run(values) {
    const last = values.last === undefined ? 0 : Number(values.last);
    if (!Number.isInteger(last) || last < 0) throw new UsageError(`--last must be a whole number, got "${String(values.last)}"`);
    let report: StockReport | null = null;
    let link = null;
    try {
      link = hostLinkIfAny(await dataDirOf(values));
      if (link?.kind === 'host') report = await callHost<StockReport>(link.endpoint, 'GET', `/v1/stock?last=${last}`);
    } catch (error) {
      // A host that cannot be asked: its records can still be read, read-only (a snapshot of the file).
      if (!(error instanceof AdminUnavailableError)) throw error;
    }
    if (link?.kind === 'none') link.release();
    if (!report) {
      let records;
      try {
        records = await openRecordsForCli(values);
      } catch (error) {
        if (error instanceof NoRecordsError) {
          console.error(`mashang stock: ${error.message}`);
          return 1;
        }
        throw error;
      }
      try {
        report = stockReport(records, last);
      } finally {
        records.close();
      }
    }
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    const b = report.balance;
    const row = (label: string, n: number) => `  ${label.padEnd(14)}${String(n).padStart(6)}`;
    const lines = [
      `Card stock — ${report.dataDir} (ledger to #${b.lastSeq})`,
      '',
      row('loaded', b.loaded),
      row('corrections', b.corrections),
      row('issued', b.issued),
      row('rejected', b.rejected),
      row('retained', b.retained),
      row('in printer', b.inProcess),
      row('in hopper', b.inHopper),
      '',
      `  ${b.loaded} ${b.corrections < 0 ? '−' : '+'} ${Math.abs(b.corrections)} = ${b.issued} + ${b.rejected} + ${b.retained} + ${b.inProcess} + ${b.inHopper}   ${b.balanced ? 'balanced' : 'NOT BALANCED (a term is negative)'}`,
      '',
      b.printer
        ? `Printer, as last recorded: ${b.printer.blanksInFeeder} blanks in the feeder, ${b.printer.cardsPrinted} printed, ${b.printer.cardsRejected} rejected`
        : 'Printer: no counters recorded yet',
      `Batches loaded: ${report.batches.length === 0 ? 'none' : report.batches.map((x) => `${x.batch} ×${x.count}${x.serialFirst ? ` (${x.serialFirst}–${x.serialLast})` : ''}`).join(', ')}`,
      '',
    ];
    if (b.unresolved.length === 0) lines.push('Unresolved discrepancies: none');
    else {
      lines.push(`Unresolved discrepancies: ${b.unresolved.length} — the kiosk is out of service for residents until staff resolve them`);
      for (const d of b.unresolved) lines.push(`  #${d.seq}  ${d.at}  ${d.reason}: ${d.message}`);
    }
    if (report.entries.length > 0) {
      lines.push('', `Last ${report.entries.length} ledger entries:`);
      for (const e of report.entries) lines.push(`  ${describeEntry(e)}`);
    }
    console.log(lines.join('\n'));
    return 0;
  },
};

function describeEntry(e: LedgerEntry): string {
  const what = (() => {
    switch (e.kind) {
      case 'load':
        return `load ${e.count} (batch ${e.batch}${e.serialFirst ? `, ${e.serialFirst}–${e.serialLast}` : ''})`;
      case 'fed':
        return `fed ${e.count}${e.sessionId ? '' : ' (no session: double feed)'}`;
      case 'rejected':
        return `rejected ${e.count}${e.reason ? ` (${e.reason})` : ''}${e.identification ? ` 识别码 ${e.identification}` : ''}`;
      case 'issued':
      case 'retained':
        return `${e.kind} ${e.count}${e.identification ? ` 识别码 ${e.identification}` : ''}`;
      case 'count':
        return `counted ${e.count}`;
      case 'correction':
        return `correction ${e.count > 0 ? '+' : ''}${e.count} (${e.reason})`;
      case 'discrepancy':
        return `DISCREPANCY ${e.reason}: ${String(e.detail.message ?? '')}`;
      case 'resolved':
        return `resolved #${e.refersTo} (${e.reason})`;
    }
  })();
  return `#${e.seq}  ${e.at}  ${what}  — ${e.actor}${e.sessionId ? ` session ${e.sessionId}` : ''}`;
}
