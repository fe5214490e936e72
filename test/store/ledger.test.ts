/**
 * The card-stock ledger: loaded = issued + rejected + retained + in printer + in hopper, for any
 * sequence of movements; and the cross-checks against what the printer says.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { checkAtRest, checkCounter, checkFeed, type StockBalance } from '../../kiosk/store/ledger.ts';
import { staffStock } from '../../kiosk/store/staff-stock.ts';
import type { KioskStore } from '../../kiosk/store/store.ts';
import { counters, openStore } from './store-fixture.ts';

let opened: KioskStore[] = [];
afterEach(() => {
  for (const store of opened) store.close();
  opened = [];
});

type Op =
  | { op: 'load'; count: number }
  | { op: 'produce'; result: 'issued' | 'rejected' | 'retained'; chip: boolean }
  | { op: 'count'; error: number }
  | { op: 'correct'; delta: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('load' as const), count: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('produce' as const), result: fc.constantFrom('issued' as const, 'rejected' as const, 'retained' as const), chip: fc.boolean() }),
  fc.record({ op: fc.constant('count' as const), error: fc.integer({ min: -2, max: 2 }) }),
  fc.record({ op: fc.constant('correct' as const), delta: fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0) }),
);

describe('the card-stock ledger', () => {
  it('balances after any sequence of loads, cards made, counts and corrections, and agrees with the cards really there', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 25 }), (ops) => {
        const { store } = openStore();
        opened.push(store);
        const staff = staffStock(store);
        // The physical truth, kept apart from the ledger.
        const truth = { loaded: 0, corrections: 0, hopper: 0, issued: 0, rejected: 0, retained: 0, discrepancies: 0 };
        let printer = counters(0);
        let session = 0;
        for (const step of ops) {
          if (step.op === 'load') {
            printer = { ...printer, blanksInFeeder: printer.blanksInFeeder + step.count };
            staff.load({ count: step.count, batch: `B${session}`, serialFirst: '000001', serialLast: String(step.count).padStart(6, '0'), actor: 'staff:S1', printer });
            truth.loaded += step.count;
            truth.hopper += step.count;
          } else if (step.op === 'produce') {
            if (truth.hopper === 0) continue;
            const id = `s${++session}`;
            store.write(() => {
              store.journal.openSession(id, null);
              const feed = store.journal.intent(id, 'blankTaken', `${id}:feed`);
              printer = { ...printer, blanksInFeeder: printer.blanksInFeeder - 1 };
              store.ledger.fed(1, { sessionId: id, journalSeq: feed, printer });
            });
            expect(store.ledger.balance().inProcess).toBe(1);
            truth.hopper--;
            store.write(() => {
              const seq = store.journal.intent(id, 'cardRejected', `${id}:out`);
              const at = { sessionId: id, journalSeq: seq, printer };
              const chip = step.chip ? `chip${session}` : null;
              if (step.result === 'issued') store.ledger.issued(chip, at);
              else if (step.result === 'rejected') store.ledger.rejected(chip, 'chipFailed', at);
              else store.ledger.retained(chip, at);
            });
            truth[step.result]++;
          } else if (step.op === 'count') {
            const result = staff.count({ counted: Math.max(0, truth.hopper + step.error), actor: 'staff:S1' });
            const wrong = Math.max(0, truth.hopper + step.error) !== truth.hopper;
            expect(result.discrepancy !== null).toBe(wrong);
            if (wrong) truth.discrepancies++;
          } else {
            if (truth.hopper + step.delta < 0) continue;
            staff.correct({ delta: step.delta, reason: 'found in the box', actor: 'staff:S1' });
            truth.corrections += step.delta;
            truth.hopper += step.delta;
          }
          const balance: StockBalance = store.ledger.balance();
          expect(balance).toMatchObject({
            loaded: truth.loaded,
            corrections: truth.corrections,
            issued: truth.issued,
            rejected: truth.rejected,
            retained: truth.retained,
            inHopper: truth.hopper,
            inProcess: 0,
            balanced: true,
          });
          expect(balance.loaded + balance.corrections).toBe(balance.issued + balance.rejected + balance.retained + balance.inProcess + balance.inHopper);
          expect(balance.unresolved).toHaveLength(truth.discrepancies);
        }
        // Every staff action is in the audit log, and the chain holds.
        expect(store.verifyAudit().ok).toBe(true);
        store.close();
        opened.pop();
      }),
      { numRuns: 40 },
    );
  });

  it('is append-only: an entry cannot be changed or deleted', () => {
    const { store } = openStore();
    opened.push(store);
    staffStock(store).load({ count: 100, batch: 'B1', actor: 'staff:S1' });
    const db = (store as unknown as { db: { prepare(sql: string): { run(): unknown } } }).db;
    expect(() => store.write(() => db.prepare('UPDATE stock_ledger SET count = 99').run())).toThrow(/append-only/);
    expect(() => store.write(() => db.prepare('DELETE FROM stock_ledger').run())).toThrow(/append-only/);
    expect(store.ledger.balance().loaded).toBe(100);
  });

  it('keeps the kiosk out of service from a discrepancy until staff resolve it, with a correction and an audit entry', () => {
    const { store } = openStore();
    opened.push(store);
    const staff = staffStock(store);
    staff.load({ count: 50, batch: 'B1', actor: 'staff:S1' });
    expect(store.serviceBlock()).toBeNull();
    const { discrepancy } = staff.count({ counted: 48, actor: 'staff:S1' });
    expect(discrepancy).not.toBeNull();
    expect(store.serviceBlock()).toMatchObject({ reason: 'stockDiscrepancy' });
    staff.correct({ delta: -2, reason: 'two blanks damaged in the box, destroyed', actor: 'staff:S1', resolves: [discrepancy!] });
    expect(store.serviceBlock()).toBeNull();
    expect(store.ledger.balance()).toMatchObject({ loaded: 50, corrections: -2, inHopper: 48, balanced: true, unresolved: [] });
    expect(store.audit.entries().map((e) => e.action)).toEqual(['stock.load', 'stock.count', 'stock.correction']);
  });

  it("resolves a discrepancy with the clerk's reason and the printer's counters as found: the next check at rest compares with those", () => {
    const { store } = openStore();
    opened.push(store);
    const staff = staffStock(store);
    staff.load({ count: 20, batch: 'B1', actor: 'staff:S1', printer: counters(20) });
    // The printer was serviced: its counters moved with nothing recorded.
    const serviced = counters(20, 3, 1);
    expect(checkAtRest(store.ledger.balance(), serviced, false).map((f) => f.reason)).toEqual(['printerCountersMoved']);
    const seq = store.write(() => store.ledger.raise(checkAtRest(store.ledger.balance(), serviced, false)[0]!));
    staff.resolve(seq, 'staff:S1', 'printerChecked', serviced);
    expect(store.serviceBlock()).toBeNull();
    expect(store.ledger.entries().at(-1)).toMatchObject({ kind: 'resolved', refersTo: seq, reason: 'printerChecked', actor: 'staff:S1', printer: serviced });
    expect(checkAtRest(store.ledger.balance(), serviced, false)).toEqual([]);
    expect(store.audit.entries().at(-1)).toMatchObject({ actor: 'staff:S1', action: 'stock.resolve', detail: { discrepancy: seq, note: 'printerChecked' } });
    // Without the counters, a resolution leaves the last recorded ones as they were.
    const again = store.write(() => store.ledger.raise({ reason: 'cardMissing', message: 'test', detail: {} }));
    staff.resolve(again, 'staff:S1', 'cardsFound');
    expect(store.ledger.lastPrinter()).toEqual(serviced);
    // Once only: a stale second resolution is refused, and writes nothing (ledger nor audit).
    const written = store.ledger.entries().length;
    const audited = store.audit.entries().length;
    expect(() => staff.resolve(again, 'staff:S2', 'escalated')).toThrow(`#${again} is already resolved`);
    expect(store.ledger.entries()).toHaveLength(written);
    expect(store.audit.entries()).toHaveLength(audited);
  });
});

describe('the cross-check against the printer', () => {
  it('accepts a feed that took exactly one blank', () => {
    expect(checkFeed(true, counters(10), counters(9), 10)).toEqual({ fed: 1, findings: [] });
  });

  it('calls a feed that took two blanks a double feed, and counts both blanks as gone from the hopper', () => {
    const { fed, findings } = checkFeed(true, counters(10), counters(8), 10);
    expect(fed).toBe(2);
    expect(findings.map((f) => f.reason)).toEqual(['doubleFeed']);
  });

  it('notices a card at the station while the feeder count did not move', () => {
    const { fed, findings } = checkFeed(true, counters(10), counters(10), 10);
    expect(fed).toBe(1);
    expect(findings.map((f) => f.reason)).toEqual(['feederDidNotMove']);
  });

  it('counts a blank jammed inside by a failed feed, without a discrepancy (the reject path bins it)', () => {
    expect(checkFeed(false, counters(10), counters(9), 10)).toEqual({ fed: 1, findings: [] });
    expect(checkFeed(false, counters(10), counters(10), 10)).toEqual({ fed: 0, findings: [] });
  });

  it('notices a blank from a hopper the ledger says is empty', () => {
    expect(checkFeed(true, counters(5), counters(4), 0).findings.map((f) => f.reason)).toEqual(['unrecordedBlanks']);
  });

  it('expects the printed and rejected counters to move by one per card', () => {
    expect(checkCounter('printed', counters(9, 0, 0), counters(9, 1, 0))).toEqual([]);
    expect(checkCounter('rejected', counters(9, 0, 0), counters(9, 0, 2)).map((f) => f.reason)).toEqual(['rejectCountMismatch']);
    expect(checkCounter('printed', counters(9, 3, 0), counters(9, 3, 0)).map((f) => f.reason)).toEqual(['printCountMismatch']);
  });

  it('at rest: the hopper-empty signal against a ledger with blanks, counters that moved unrecorded, blanks never loaded', () => {
    const balance = (inHopper: number, printer = counters(inHopper)): StockBalance => ({
      loaded: inHopper, corrections: 0, fed: 0, issued: 0, rejected: 0, retained: 0, inHopper, inProcess: 0, balanced: true, unresolved: [], printer, lastSeq: 1,
    });
    expect(checkAtRest(balance(20), counters(20), false)).toEqual([]);
    expect(checkAtRest(balance(20), counters(20), true).map((f) => f.reason)).toEqual(['hopperEmptySignal']);
    expect(checkAtRest(balance(20), counters(19, 1, 0), false).map((f) => f.reason)).toEqual(['printerCountersMoved']);
    expect(checkAtRest(balance(0, counters(0)), counters(0), false)).toEqual([]);
    expect(checkAtRest({ ...balance(0), printer: null }, counters(100), false).map((f) => f.reason)).toEqual(['unrecordedBlanks']);
  });
});
