/**
 * Recovery's decision table (kiosk/recovery/recover.ts, rows T1–T14), row by row, on the real
 * records and the embedded card centre, with a card printer whose every state a test can set —
 * including those the fault-injection test with real processes cannot reach on purpose: a card
 * missing, a printer that does not answer or is jammed, a card centre that is down.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { err, ok, type Result } from '../../drivers/common/result.ts';
import type { CardPrinter, CardPrinterCounters, CardPrinterFault, CardPrinterStatus } from '../../drivers/card-printer/card-printer.ts';
import { makeSimPerson } from '../../drivers/id-reader/simulator.ts';
import type { CardCentre } from '../../kiosk/card-centre/card-centre.ts';
import { REISSUE_REASON } from '../../kiosk/card-centre/card-centre.ts';
import { EmbeddedCardCentre } from '../../kiosk/card-centre/embedded.ts';
import { recover, type RecoveryDeps } from '../../kiosk/recovery/recover.ts';
import type { Detail, JournalStep, StepOutcome } from '../../kiosk/store/journal.ts';
import type { KioskStore } from '../../kiosk/store/store.ts';
import { openStore, silentLogger } from '../store/store-fixture.ts';

/** A card printer whose card and counters the test sets; it records every move it is asked for. */
class FakePrinter {
  readonly kind = 'card-printer' as const;
  readonly transport = 'fake';
  position: 'none' | 'inside' | 'exit' = 'none';
  count: CardPrinterCounters = { blanksInFeeder: 100, cardsPrinted: 0, cardsRejected: 0 };
  state: CardPrinterStatus = { state: 'ready', warnings: [] };
  jammed = false;
  moves: string[] = [];

  status() {
    return this.state;
  }
  counters() {
    return { ...this.count };
  }
  cardAtExit() {
    return this.position === 'exit';
  }
  identity() {
    return null;
  }
  onStatus() {
    return () => {};
  }
  async refreshStatus() {
    return this.state;
  }
  async ejectToRejectBin(): Promise<Result<void, CardPrinterFault>> {
    this.moves.push('toBin');
    if (this.state.state === 'disconnected') return err('disconnected');
    if (this.jammed) return err('jam');
    if (this.position === 'none') return err('noCard');
    this.position = 'none';
    this.count.cardsRejected++;
    return ok(undefined);
  }
  async ejectToResident(): Promise<Result<void, CardPrinterFault>> {
    this.moves.push('toResident');
    return err('noCard');
  }
  async feedToContactStation(): Promise<Result<void, CardPrinterFault>> {
    this.moves.push('feed');
    return err('noCard');
  }
  async printFront(): Promise<Result<void, CardPrinterFault>> {
    this.moves.push('print');
    return err('noCard');
  }
  async reset(): Promise<Result<void, CardPrinterFault>> {
    return ok(undefined);
  }
  async waitForCardTaken(): Promise<void> {}
  async close(): Promise<void> {}
}

/** A card centre that can be down: every call answers `unreachable` while it is. */
function switchable(centre: EmbeddedCardCentre): CardCentre & { down: boolean } {
  const state = { down: false };
  const unreachable = async () => err({ kind: 'unreachable' as const, detail: 'connection refused (test)' });
  const proxy = new Proxy(centre, {
    get(target, name, receiver) {
      if (name === 'down') return state.down;
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (state.down ? unreachable() : (value as (...a: unknown[]) => unknown).apply(target, args));
    },
    set(_target, name, value) {
      if (name === 'down') state.down = value as boolean;
      return true;
    },
  });
  return proxy as unknown as CardCentre & { down: boolean };
}

const stores: KioskStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

/** A kiosk's records, a printer, a centre, and a resident whose session writes records as the actors do. */
function scene() {
  const { store } = openStore();
  stores.push(store);
  const printer = new FakePrinter();
  const embedded = new EmbeddedCardCentre({ feeFen: 2_000 });
  const centre = switchable(embedded);
  const resident = makeSimPerson({ district: '330108' });
  const id = randomBytes(8).toString('hex');
  let opened = false;
  let cardNo = '';
  const key = (suffix: string) => `${id}:${suffix}`;
  const intent = (step: JournalStep, suffix: string, detail: Detail = {}) =>
    store.write(() => {
      if (!opened) store.journal.openSession(id, { idNumber: resident.idNumber, cardNo });
      opened = true;
      return store.journal.intent(id, step, key(suffix), detail);
    });
  const outcome = (step: JournalStep, suffix: string, result: StepOutcome, detail: Detail = {}, also?: (seq: number) => void) =>
    store.write(() => {
      const seq = store.journal.outcome(id, step, key(suffix), result, detail);
      also?.(seq);
      return seq;
    });
  const deps = (extra: Partial<RecoveryDeps> = {}): RecoveryDeps => ({
    store,
    printer: printer as unknown as CardPrinter,
    cardCentre: centre,
    logger: silentLogger,
    printerAnswerTimeoutMs: 200,
    ...extra,
  });
  store.write(() => store.ledger.load({ count: 100, batch: 'T', actor: 'staff:S1', printer: printer.counters() }));

  /** The journey up to a paid application, as the actors record it (the centre really did it). */
  async function paid(): Promise<{ applicationNo: string; orderNo: string }> {
    const person = await embedded.lookupPerson(resident.idNumber);
    if (!person.ok) throw new Error('lookup');
    cardNo = person.value.cards[0]!.cardNo;
    intent('lossReported', 'loss');
    expect((await embedded.reportLoss({ key: key('loss'), idNumber: resident.idNumber, cardNo })).ok).toBe(true);
    outcome('lossReported', 'loss', 'done');
    intent('applicationOpened', 'application');
    const application = await embedded.openApplication({ key: key('application'), idNumber: resident.idNumber, reason: REISSUE_REASON.lost });
    if (!application.ok) throw new Error('application');
    const applicationNo = application.value.applicationNo;
    outcome('applicationOpened', 'application', 'done', { applicationNo }, () => store.journal.setApplication(id, applicationNo, 'T-1'));
    const orderNo = `${id}-1`;
    intent('paymentStarted', 'pay:1', { orderNo, amountFen: 2_000 });
    expect((await embedded.pay({ orderNo, applicationNo, amountFen: 2_000, paymentCode: '134567890123456789' })).ok).toBe(true);
    outcome('paymentStarted', 'pay:1', 'done', { state: 'paid' });
    return { applicationNo, orderNo };
  }

  /** A blank fed to the station, its chip written (identification), as the actors record it. */
  function fedAndWritten(): string {
    intent('blankTaken', 'feed:1', { attempt: 1 });
    printer.count.blanksInFeeder--;
    printer.position = 'inside';
    outcome('blankTaken', 'feed:1', 'done', { attempt: 1, fed: 1 }, (seq) => store.ledger.fed(1, { sessionId: id, journalSeq: seq, printer: printer.counters() }));
    intent('chipPersonalised', 'chip:1', { attempt: 1 });
    const identification = randomBytes(16).toString('hex').toUpperCase();
    outcome('chipPersonalised', 'chip:1', 'done', { identification });
    return identification;
  }

  const session = () => store.journal.session(id)!;
  const notices = () => store.notices.forSession(id).map((n) => n.kind);
  const payment = (orderNo: string) => embedded.records().payments.find((p) => p.orderNo === orderNo);
  return { store, printer, embedded, centre, resident, id, key, intent, outcome, deps, paid, fedAndWritten, session, notices, payment };
}

describe('recovery, row by row', () => {
  it('T1: a card waiting at the exit is retained into the bin, never pushed out, and staff are told', async () => {
    const s = scene();
    const { applicationNo } = await s.paid();
    const identification = s.fedAndWritten();
    s.intent('facePrinted', 'print:1', { attempt: 1 });
    s.outcome('facePrinted', 'print:1', 'done');
    s.intent('cardEjected', 'eject:1', { attempt: 1 });
    s.printer.position = 'exit'; // the eject happened; the kiosk died before writing it down

    const report = await recover(s.deps());
    expect(report.sessions[0]).toMatchObject({ outcome: 'retained', settled: true });
    expect(s.printer.moves).toEqual(['toBin']);
    expect(s.printer.position).toBe('none');
    expect(s.store.ledger.balance()).toMatchObject({ retained: 1, inProcess: 0, balanced: true });
    expect(s.store.outbox.pending().map((m) => m.key)).toContain(`${applicationNo}:${identification}:retained`);
    expect(s.notices()).toContain('cardRetained');
    // The card is made and kept for them: the fee stands.
    expect(s.payment(`${s.id}-1`)?.state).toBe('paid');
  });

  it('T2: a card of unknown state inside (its feed never written) is rejected, the feed counted, the fee refunded', async () => {
    const s = scene();
    const { orderNo } = await s.paid();
    s.intent('blankTaken', 'feed:1', { attempt: 1 });
    s.printer.count.blanksInFeeder--;
    s.printer.position = 'inside';

    const report = await recover(s.deps());
    expect(report.sessions[0]).toMatchObject({ outcome: 'notIssued', settled: true });
    expect(s.printer.moves).toEqual(['toBin']);
    expect(s.store.journal.resolutions(s.id)).toContainEqual(expect.objectContaining({ step: 'blankTaken', outcome: 'done' }));
    expect(s.store.ledger.balance()).toMatchObject({ fed: 1, rejected: 1, inProcess: 0, inHopper: 99, balanced: true });
    expect(s.payment(orderNo)).toMatchObject({ state: 'reversed', refundedFen: 2_000 });
    expect(s.notices()).toContain('leftWithoutCard');
  });

  it('T3: a presented card gone from the exit was taken while the kiosk was down: issued and reported', async () => {
    const s = scene();
    const { applicationNo, orderNo } = await s.paid();
    const identification = s.fedAndWritten();
    s.intent('facePrinted', 'print:1', { attempt: 1 });
    s.outcome('facePrinted', 'print:1', 'done');
    s.intent('cardEjected', 'eject:1', { attempt: 1 });
    s.outcome('cardEjected', 'eject:1', 'done');
    s.printer.position = 'none'; // the resident took it

    const report = await recover(s.deps());
    expect(report.sessions[0]).toMatchObject({ outcome: 'issued', settled: true });
    expect(s.store.ledger.balance()).toMatchObject({ issued: 1, inProcess: 0, balanced: true });
    expect(s.store.outbox.pending().map((m) => m.key)).toContain(`${applicationNo}:${identification}:issued`);
    expect(s.payment(orderNo)?.state).toBe('paid');
    expect(s.notices()).toEqual([]);
  });

  it('T4: a retain in doubt that the bin counter shows happened is done, once', async () => {
    const s = scene();
    await s.paid();
    s.fedAndWritten();
    s.intent('cardEjected', 'eject:1', { attempt: 1 });
    s.outcome('cardEjected', 'eject:1', 'done');
    s.intent('cardTaken', 'taken');
    s.outcome('cardTaken', 'taken', 'failed', { stillAtExit: true });
    s.intent('cardRetained', 'retain');
    s.printer.position = 'none';
    s.printer.count.cardsRejected++; // the retain went through before the kiosk died

    const report = await recover(s.deps());
    expect(report.sessions[0]).toMatchObject({ outcome: 'retained', settled: true });
    expect(s.store.ledger.balance()).toMatchObject({ retained: 1, rejected: 0, inProcess: 0, balanced: true });
    expect(s.notices()).toContain('cardRetained');
  });

  it('T5: a feed in doubt with no card inside did not happen: nothing in the ledger', async () => {
    const s = scene();
    await s.paid();
    s.intent('blankTaken', 'feed:1', { attempt: 1 });

    await recover(s.deps());
    expect(s.store.journal.resolutions(s.id)).toContainEqual(expect.objectContaining({ step: 'blankTaken', outcome: 'failed' }));
    expect(s.store.ledger.balance()).toMatchObject({ fed: 0, inHopper: 100, balanced: true });
    expect(s.session().settledAt).not.toBeNull();
  });

  it('T6: a card the ledger has inside but the printer does not is a discrepancy for staff; the session stays open', async () => {
    const s = scene();
    await s.paid();
    s.fedAndWritten();
    s.intent('facePrinted', 'print:1', { attempt: 1 });
    s.printer.position = 'none'; // gone: a jam cleared by hand?

    const report = await recover(s.deps());
    expect(report.sessions[0]).toMatchObject({ settled: false });
    expect(s.notices()).toEqual(expect.arrayContaining(['cardMissing', 'unresolved']));
    expect(s.store.ledger.unresolved().map((d) => d.reason)).toEqual(['cardMissing']);
    expect(s.store.serviceBlock()).toMatchObject({ reason: 'stockDiscrepancy' });
    expect(s.payment(`${s.id}-1`)?.state).toBe('paid');
    // Sealed data stays for the next pass; nothing was refunded while a card may exist.
    expect(s.store.journal.unsettled()[0]?.holdsSealedData).toBe(true);
  });

  it('T7: a printer that does not answer, or cannot move the card, leaves the card to staff and resolves nothing', async () => {
    const silent = scene();
    await silent.paid();
    silent.intent('blankTaken', 'feed:1', { attempt: 1 });
    silent.printer.state = { state: 'disconnected' };
    const first = await recover(silent.deps());
    expect(first.sessions[0]).toMatchObject({ settled: false });
    expect(silent.notices()).toContain('cardStuck');
    expect(silent.notices()).not.toContain('leftWithoutCard');
    expect(silent.store.journal.inDoubt(silent.id).map((d) => d.step)).toEqual(['blankTaken']);
    // A card may exist: the fee is not refunded behind staff's back.
    expect(silent.payment(`${silent.id}-1`)?.state).toBe('paid');

    const jammed = scene();
    await jammed.paid();
    jammed.fedAndWritten();
    jammed.intent('facePrinted', 'print:1', { attempt: 1 });
    jammed.printer.jammed = true;
    const second = await recover(jammed.deps());
    expect(second.sessions[0]).toMatchObject({ settled: false });
    expect(jammed.notices()).toContain('cardStuck');
    expect(jammed.printer.position).toBe('inside');
    expect(jammed.store.ledger.balance().inProcess).toBe(1);
    expect(jammed.printer.moves).not.toContain('toResident');
  });

  it('T8/T9: a loss report and an application in doubt are asked again under their first keys: never twice', async () => {
    const s = scene();
    const person = await s.embedded.lookupPerson(s.resident.idNumber);
    const cardNo = person.ok ? person.value.cards[0]!.cardNo : '';
    // The loss report reached the centre; its answer never came back. Then the kiosk died.
    s.store.write(() => s.store.journal.openSession(s.id, { idNumber: s.resident.idNumber, cardNo }));
    s.store.write(() => s.store.journal.intent(s.id, 'lossReported', s.key('loss'), {}));
    await s.embedded.reportLoss({ key: s.key('loss'), idNumber: s.resident.idNumber, cardNo });
    s.store.write(() => s.store.journal.outcome(s.id, 'lossReported', s.key('loss'), 'done', {}));
    s.store.write(() => s.store.journal.intent(s.id, 'applicationOpened', s.key('application'), {}));
    const opened = await s.embedded.openApplication({ key: s.key('application'), idNumber: s.resident.idNumber, reason: REISSUE_REASON.lost });

    s.centre.down = true;
    const offline = await recover(s.deps());
    expect(offline.sessions[0]).toMatchObject({ settled: false });
    expect(s.notices()).toContain('unresolved');

    s.centre.down = false;
    const online = await recover(s.deps());
    expect(online.sessions[0]).toMatchObject({ settled: true, applicationNo: opened.ok ? opened.value.applicationNo : 'x' });
    const records = s.embedded.records();
    expect(records.lossReports).toHaveLength(1);
    expect(records.applications).toHaveLength(1);
  });

  it('T10: a refund the centre cannot confirm is queued in the outbox, flagged, and settled by a later pass', async () => {
    const s = scene();
    const { orderNo } = await s.paid();
    s.intent('blankTaken', 'feed:1', { attempt: 1 }); // died before the feed: no card

    s.centre.down = true;
    const offline = await recover(s.deps());
    expect(offline.sessions[0]).toMatchObject({ outcome: 'notIssued', settled: false });
    expect(s.notices()).toContain('refundPending');
    expect(s.store.outbox.pending()).toContainEqual(expect.objectContaining({ kind: 'paymentReversal', key: `${orderNo}:reversal` }));
    expect(s.payment(orderNo)?.state).toBe('paid');

    s.centre.down = false;
    const online = await recover(s.deps({ centreOnly: true }));
    expect(online.sessions[0]).toMatchObject({ outcome: 'notIssued', settled: true });
    expect(s.payment(orderNo)).toMatchObject({ state: 'reversed', refundedFen: 2_000 });
  });

  it('T10: an order the centre never saw is reserved as reversed, so a pay request still on its way is never charged', async () => {
    const s = scene();
    const person = await s.embedded.lookupPerson(s.resident.idNumber);
    const cardNo = person.ok ? person.value.cards[0]!.cardNo : '';
    s.store.write(() => s.store.journal.openSession(s.id, { idNumber: s.resident.idNumber, cardNo }));
    s.store.write(() => s.store.journal.intent(s.id, 'lossReported', s.key('loss'), {}));
    await s.embedded.reportLoss({ key: s.key('loss'), idNumber: s.resident.idNumber, cardNo });
    s.store.write(() => s.store.journal.outcome(s.id, 'lossReported', s.key('loss'), 'done', {}));
    s.store.write(() => s.store.journal.intent(s.id, 'applicationOpened', s.key('application'), {}));
    const application = await s.embedded.openApplication({ key: s.key('application'), idNumber: s.resident.idNumber, reason: REISSUE_REASON.lost });
    const applicationNo = application.ok ? application.value.applicationNo : '';
    s.store.write(() => s.store.journal.outcome(s.id, 'applicationOpened', s.key('application'), 'done', { applicationNo }));
    const orderNo = `${s.id}-1`;
    s.store.write(() => s.store.journal.intent(s.id, 'paymentStarted', s.key('pay:1'), { orderNo, amountFen: 2_000 }));

    const report = await recover(s.deps());
    expect(report.sessions[0]).toMatchObject({ outcome: 'notIssued', settled: true });
    const late = await s.embedded.pay({ orderNo, applicationNo, amountFen: 2_000, paymentCode: '134567890123456789' });
    expect(late.ok && late.value.state).toBe('reversed');
    expect(s.payment(orderNo)).toMatchObject({ state: 'reversed', refundedFen: 0 });
  });

  it('T12/T13: a chip, a face or a receipt in doubt is abandoned once its card is out of the printer — never redone', async () => {
    const s = scene();
    await s.paid();
    s.fedAndWritten();
    s.intent('facePrinted', 'print:1', { attempt: 1 });
    s.outcome('facePrinted', 'print:1', 'done');
    s.intent('cardEjected', 'eject:1', { attempt: 1 });
    s.outcome('cardEjected', 'eject:1', 'done');
    s.intent('cardTaken', 'taken');
    s.outcome('cardTaken', 'taken', 'done', {}, (seq) => s.store.ledger.issued(null, { sessionId: s.id, journalSeq: seq, printer: s.printer.counters() }));
    s.printer.position = 'none';
    s.intent('receiptPrinted', 'receipt');

    const report = await recover(s.deps());
    expect(report.sessions[0]).toMatchObject({ outcome: 'issued', settled: true });
    expect(s.store.journal.resolutions(s.id)).toEqual([expect.objectContaining({ step: 'receiptPrinted', outcome: 'abandoned' })]);
    // Nothing of this session may be in the printer: recovery did not even look.
    expect(s.printer.moves).toEqual([]);
  });

  it('development: cards inside an in-process simulated printer went with the old process; written off, not looked for', async () => {
    const s = scene();
    await s.paid();
    s.fedAndWritten();
    s.intent('facePrinted', 'print:1', { attempt: 1 });

    const report = await recover(s.deps({ printerForgetsOnRestart: true }));
    expect(report.sessions[0]).toMatchObject({ outcome: 'notIssued', settled: true });
    expect(s.printer.moves).toEqual([]);
    expect(s.store.ledger.balance()).toMatchObject({ rejected: 1, inProcess: 0, balanced: true });
  });

  it('settles a live session whose unknown payment was settled by query, without waiting for recovery', async () => {
    const s = scene();
    await s.paid();
    const orderNo = `${s.id}-2`;
    s.intent('paymentStarted', 'pay:2', { orderNo, amountFen: 2_000 });
    s.outcome('paymentStarted', 'pay:2', 'unknown', { state: 'paying' });
    s.intent('paymentSettled', 'settle', { orderNo });
    s.outcome('paymentSettled', 'settle', 'failed', { outcome: 'reversed' });
    expect(s.store.settle(s.id)).toEqual({ settled: true, outcome: 'notIssued' });
    expect(s.store.journal.resolutions(s.id)).toEqual([expect.objectContaining({ step: 'paymentStarted', outcome: 'failed', detail: { settledBy: s.key('settle') } })]);
  });
});
