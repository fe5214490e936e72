/**
 * What staff do to the card stock — load a box, count the hopper, correct it, take out cards
 * found inside the printer, resolve a discrepancy — each written to the ledger and the audit log
 * in one transaction. (The staff screens call these; they are the only way stock changes other
 * than through a resident session.)
 */
import type { PrinterCounters } from './ledger.ts';
import type { KioskStore } from './store.ts';

/** `staff:<card id>` or `technician:<card id>`, as the staff card authenticated them. */
export type StaffActor = `staff:${string}` | `technician:${string}`;

export function staffStock(store: KioskStore) {
  return {
    load(load: { count: number; batch: string; serialFirst?: string; serialLast?: string; actor: StaffActor; printer?: PrinterCounters }): number {
      return store.write(() => {
        const seq = store.ledger.load(load);
        store.audit.append({
          actor: load.actor,
          action: 'stock.load',
          detail: { ledgerSeq: seq, count: load.count, batch: load.batch, serialFirst: load.serialFirst ?? null, serialLast: load.serialLast ?? null },
        });
        return seq;
      });
    },

    count(count: { counted: number; actor: StaffActor; printer?: PrinterCounters }): { seq: number; discrepancy: number | null } {
      return store.write(() => {
        const result = store.ledger.count(count);
        store.audit.append({ actor: count.actor, action: 'stock.count', detail: { ledgerSeq: result.seq, counted: count.counted, discrepancy: result.discrepancy } });
        return result;
      });
    },

    correct(correction: { delta: number; reason: string; actor: StaffActor; resolves?: number[]; printer?: PrinterCounters }): number {
      return store.write(() => {
        const seq = store.ledger.correction(correction);
        store.audit.append({
          actor: correction.actor,
          action: 'stock.correction',
          detail: { ledgerSeq: seq, delta: correction.delta, reason: correction.reason, resolves: (correction.resolves ?? []).join(',') },
        });
        return seq;
      });
    },

    removed(removal: { count: number; reason: string; actor: StaffActor; printer?: PrinterCounters }): number {
      return store.write(() => {
        const seq = store.ledger.removedByStaff(removal);
        store.audit.append({ actor: removal.actor, action: 'stock.removed', detail: { ledgerSeq: seq, count: removal.count, reason: removal.reason } });
        return seq;
      });
    },

    /** `printer`: the counters as the clerk found them (see Ledger.resolve). */
    resolve(discrepancySeq: number, actor: StaffActor, note: string, printer?: PrinterCounters): number {
      return store.write(() => {
        const seq = store.ledger.resolve(discrepancySeq, actor, note, printer);
        store.audit.append({ actor, action: 'stock.resolve', detail: { ledgerSeq: seq, discrepancy: discrepancySeq, note } });
        return seq;
      });
    },
  };
}
