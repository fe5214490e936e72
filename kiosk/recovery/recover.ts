/**
 * Recovery after a crash or a power cut (issue 8). The host runs it at start, after its records
 * opened and before the flow accepts a resident: every session the journal has not settled is
 * driven to a safe end from its intent/outcome records and by asking the world — the card printer
 * (where is the card?) and the card centre (loss report, application, payment, by their keys and
 * order numbers). It never replays a state-machine snapshot (a restored invoked actor would start
 * its side effect again: print again, charge again) and it never repeats a side effect that
 * happened: what it asks the card centre again is asked under the first call's idempotency key, so
 * the centre answers the first answer instead of doing it twice.
 *
 * What recovery learns about a record in doubt is written as a resolution (journal.resolve): the
 * journal keeps what the host knew at the time. What recovery itself does (retain a card, put one
 * in the bin, give a fee back) it journals like any actor — intent, side effect, outcome with the
 * ledger and outbox entries — under keys of its own. What needs a person becomes a staff notice
 * (and an audit entry).
 *
 * DECISION TABLE — one row per side effect of the journey; "in doubt" = intent without outcome,
 * or outcome "unknown". Rows are cited in the code as [T1]…[T14].
 *
 *  The card (asked of the printer: Rlr;p for the exit, then a move to the reject bin, which is
 *  the only way the interface tells "a card inside" — and the safe move for one):
 *  T1  a card at the exit          it was presented (cardEjected done or in doubt) and not taken:
 *                                  RETAIN it into the bin (recovery's own cardRetained record,
 *                                  ledger "retained", card result "retained" to the centre). Never
 *                                  ejected to whoever stands there now. Staff notice: hand it over.
 *  T2  a card inside (the move to  whatever its state (chip half written, face printed, eject not
 *      the bin finds one)          done): REJECTED (ledger "rejected", "spoiled" to the centre when
 *                                  its chip was written). blankTaken in doubt → done (ledger "fed").
 *                                  cardEjected in doubt → failed. Chip and print in doubt → abandoned.
 *  T3  no card, presented          cardEjected done or in doubt, the bin counter did not move: the
 *                                  resident took it while the kiosk was down → cardTaken done, ledger
 *                                  "issued", "issued" to the centre (the card is theirs).
 *  T4  no card, a bin move in      cardRetained / cardRejected in doubt and the printer's reject
 *      doubt, bin counter +1       counter moved past the last recorded: that move happened → done,
 *                                  with its ledger entry and card result.
 *  T5  no card, blankTaken in      the feed did not happen (a fed blank stays at the station until
 *      doubt                       something moves it, and nothing moves it without a record first)
 *                                  → failed; nothing in the ledger.
 *  T6  no card, the ledger has one cardMissing discrepancy (the kiosk goes out of service) and a
 *      inside, none of the above   staff notice; the session stays open for staff.
 *  T7  the printer does not answer, or the move fails (jam): nothing is resolved; staff notice
 *                                  (card stuck / printer not answering); the session stays open.
 *                                  Under T6 and T7 the fee is not touched either: a card may exist.
 *
 *  The card centre (with the resident's sealed ID and card numbers, under the first keys):
 *  T8  lossReported in doubt       repeat reportLoss under its key → done / failed (refused); no
 *                                  answer → stays in doubt, staff notice.
 *  T9  applicationOpened in doubt  repeat openApplication under its key → done (application number
 *                                  kept) / failed; no answer → stays in doubt.
 *  T10 a payment not known final   (paymentStarted, paymentSettled or paymentRefunded in doubt, or
 *                                  paid while no card was made) → queryPayment(order):
 *                                  - paid and the card was made (issued or retained): the fee stands;
 *                                  - declined / reversed: nothing to give back;
 *                                  - paid, paying, no such order, or no answer, and no card was made:
 *                                    REVERSE (a refund; an order not seen yet is reserved as reversed,
 *                                    so a pay request still on its way is never charged) — recovery's
 *                                    own paymentRefunded record; acknowledged → done; not acknowledged
 *                                    → outcome unknown, outbox "paymentReversal" (retried until the
 *                                    centre acknowledges), staff notice; the session stays open and
 *                                    the next pass finds the order reversed.
 *  T11 card results                cardResult messages ride in the outbox with the outcomes that
 *                                  imply them (issued / retained / spoiled): nothing to repeat.
 *
 *  The rest:
 *  T12 chipPersonalised /          the card is no longer in the printer (rejected, retained or
 *      facePrinted in doubt        taken): abandoned — never written or printed again.
 *  T13 receiptPrinted in doubt     abandoned: never printed again (nobody is there to take it).
 *  T14 settle                      when nothing is in doubt and no card of the session is inside:
 *                                  settled (its sealed personal data deleted). Staff notice for a
 *                                  retained card and for a resident who left without a card;
 *                                  an audit entry for every session recovery touched.
 */
import type { CardPrinter, CardPrinterCounters, CardPrinterStatus } from '../../drivers/card-printer/card-printer.ts';
import { REISSUE_REASON, type CardCentre } from '../card-centre/card-centre.ts';
import type { Logger } from '../log/logger.ts';
import type { Detail, InDoubt, JournalRecord, JournalStep, Resolution, ResolutionRecord, SealedResident, UnsettledSession } from '../store/journal.ts';
import { checkCounter, type Finding, type MovementContext } from '../store/ledger.ts';
import type { StaffNoticeKind } from '../store/staff-notices.ts';
import { sessionOutcome, type KioskStore, type SessionOutcome } from '../store/store.ts';
import { abortableSleep } from '../../drivers/common/abortable-sleep.ts';
import { raiseNotice } from '../store/staff-notices-desk.ts';

export const RECOVERY_ACTOR = 'system:recovery';
/** How long recovery waits for the card printer to answer before it leaves the card to staff. */
export const PRINTER_ANSWER_TIMEOUT_MS = 20_000;

export interface RecoveryDeps {
  store: KioskStore;
  printer: CardPrinter & {
    whenReady?(timeoutMs: number): Promise<boolean>;
    refreshStatus?(): Promise<CardPrinterStatus>;
    /** A real printer cannot count its feeder: the ledger tells it (evolis-driver.ts). */
    setBlanksLoaded?(count: number): void;
  };
  cardCentre: CardCentre;
  logger: Logger;
  /**
   * The in-process simulated printer (development) starts afresh with every process: a card the
   * ledger has inside went with the old process. Such cards are written off instead of looked for.
   */
  printerForgetsOnRestart?: boolean;
  printerAnswerTimeoutMs?: number;
  /**
   * A pass while the kiosk serves residents (the host retries what the card centre could not
   * answer): sessions that may have a card in the printer are left alone — the printer is the
   * resident's now — and only card-centre questions are asked.
   */
  centreOnly?: boolean;
  /** The host stopping. */
  signal?: AbortSignal;
}

export interface SessionReport {
  sessionId: string;
  applicationNo: string | null;
  outcome: SessionOutcome;
  settled: boolean;
  /** Why it stays open, when it does. */
  openBecause: string | null;
  /** What recovery found and did, in order, in words (no personal data). */
  actions: string[];
  notices: StaffNoticeKind[];
}

export interface RecoveryReport {
  sessions: SessionReport[];
  /** Sessions left open (in doubt, or a card inside): staff have a notice for each. */
  open: number;
}

/** What the printer says when recovery looks, once for all sessions (one printer, one card). */
interface PrinterLook {
  answering: boolean;
  detail: string;
  atExit: boolean;
}

async function lookAtPrinter(deps: RecoveryDeps): Promise<PrinterLook> {
  const { printer, signal } = deps;
  const deadline = Date.now() + (deps.printerAnswerTimeoutMs ?? PRINTER_ANSWER_TIMEOUT_MS);
  const stopped = new Promise<void>((resolve) => (signal?.aborted ? resolve() : signal?.addEventListener('abort', () => resolve(), { once: true })));
  await Promise.race([printer.whenReady?.(Math.max(0, deadline - Date.now())), stopped]);
  for (;;) {
    const status = printer.refreshStatus ? await printer.refreshStatus() : printer.status();
    const silent = status.state === 'disconnected' || (status.state === 'fault' && (status.code === 'noResponse' || status.code === 'protocolError'));
    if (!silent) return { answering: true, detail: status.state === 'fault' ? status.code : status.state, atExit: printer.cardAtExit() };
    if (Date.now() > deadline || signal?.aborted) {
      return { answering: false, detail: status.state === 'fault' ? status.code : status.state, atExit: false };
    }
    await abortableSleep(500, signal);
  }
}

/** Settles every unsettled session it can; see the decision table above. */
export async function recover(deps: RecoveryDeps): Promise<RecoveryReport> {
  const { store, logger } = deps;
  const unsettled = store.journal.unsettled().filter((s) => !deps.centreOnly || !mayHoldCard(store, s));
  if (unsettled.length === 0) return { sessions: [], open: 0 };
  logger.warn({ event: 'recovery.start', sessions: unsettled.map((s) => s.id) }, `recovering ${unsettled.length} unsettled session(s)`);
  // The printer holds one card at most: it belongs to the latest session that may have had one.
  const holders = deps.centreOnly ? [] : unsettled.filter((s) => mayHoldCard(store, s));
  const owner = holders.at(-1)?.id ?? null;
  const look = holders.length > 0 && !deps.printerForgetsOnRestart ? await lookAtPrinter(deps) : null;
  const reports: SessionReport[] = [];
  for (const session of unsettled) {
    if (deps.signal?.aborted) break;
    const recovery = new SessionRecovery(deps, session);
    try {
      reports.push(await recovery.run({ owner: session.id === owner, look }));
    } catch (error) {
      // A bug or a refused write: this session stays for the next start; the others go on.
      logger.error({ event: 'recovery.session_failed', session: session.id, err: String((error as Error).stack ?? error) }, 'recovery of a session failed');
      reports.push(recovery.failedReport(String((error as Error).message ?? error)));
    }
  }
  const open = reports.filter((r) => !r.settled).length;
  logger.warn(
    { event: 'recovery.done', sessions: reports.length, settled: reports.length - open, open },
    open === 0 ? 'recovery settled every session' : `recovery left ${open} session(s) open for staff`,
  );
  return { sessions: reports, open };
}

/** Card steps: an in-doubt one means the card may be in the printer. */
const CARD_STEPS: readonly JournalStep[] = ['blankTaken', 'chipPersonalised', 'facePrinted', 'cardEjected', 'cardTaken', 'cardRetained', 'cardRejected'];

function mayHoldCard(store: KioskStore, session: UnsettledSession): boolean {
  return store.ledger.inProcessFor(session.id) > 0 || session.inDoubt.some((d) => CARD_STEPS.includes(d.step));
}

type Known = Resolution | 'unknown' | null;

class SessionRecovery {
  readonly #deps: RecoveryDeps;
  readonly #store: KioskStore;
  readonly #session: UnsettledSession;
  readonly #actions: string[] = [];
  readonly #notices: StaffNoticeKind[] = [];
  #records: JournalRecord[] = [];
  #resolutions: ResolutionRecord[] = [];

  constructor(deps: RecoveryDeps, session: UnsettledSession) {
    this.#deps = deps;
    this.#store = deps.store;
    this.#session = session;
    this.#reload();
  }

  get #id(): string {
    return this.#session.id;
  }

  async run(context: { owner: boolean; look: PrinterLook | null }): Promise<SessionReport> {
    if (this.#deps.printerForgetsOnRestart) this.#writeOffSimulatedCards();
    else if (context.owner && context.look) await this.#card(context.look);
    await this.#centre();
    this.#rest();
    return this.#settle();
  }

  failedReport(why: string): SessionReport {
    return {
      sessionId: this.#id,
      applicationNo: this.#applicationNo(),
      outcome: 'notIssued',
      settled: false,
      openBecause: `recovery failed: ${why}`,
      actions: this.#actions,
      notices: this.#notices,
    };
  }

  // — what the records say —

  #reload(): void {
    this.#records = this.#store.journal.records(this.#id);
    this.#resolutions = this.#store.journal.resolutions(this.#id);
  }

  #doubts(step: JournalStep): InDoubt[] {
    return this.#store.journal.inDoubt(this.#id).filter((d) => d.step === step);
  }

  #intent(key: string): JournalRecord | undefined {
    return this.#records.find((r) => r.key === key && r.kind === 'intent');
  }

  /** What is known of KEY: its outcome, or recovery's resolution of it; null when it has no record. */
  #known(key: string): Known {
    const resolution = this.#resolutions.find((r) => r.key === key);
    if (resolution) return resolution.outcome;
    const outcome = this.#records.find((r) => r.key === key && r.kind === 'outcome');
    if (outcome) return outcome.outcome === 'unknown' ? 'unknown' : outcome.outcome;
    return this.#intent(key) ? 'unknown' : null;
  }

  /** Whether any record of STEP (outcome or resolution) says done. */
  #done(step: JournalStep): boolean {
    return this.#records.some((r) => r.step === step && r.kind === 'outcome' && r.outcome === 'done') || this.#resolutions.some((r) => r.step === step && r.outcome === 'done');
  }

  #detailOf(key: string): Detail {
    return { ...(this.#records.find((r) => r.key === key && r.kind === 'outcome')?.detail ?? {}), ...(this.#resolutions.find((r) => r.key === key)?.detail ?? {}) };
  }

  #applicationNo(): string | null {
    const session = this.#store.journal.session(this.#id);
    if (session?.applicationNo) return session.applicationNo;
    for (const r of [...this.#records, ...this.#resolutions]) {
      if (r.step === 'applicationOpened' && typeof r.detail.applicationNo === 'string') return r.detail.applicationNo;
    }
    return null;
  }

  /** The 识别码 of the chip written on this session's card (the last one written), if one was. */
  #identification(): string | null {
    const written = [...this.#records].reverse().find((r) => r.step === 'chipPersonalised' && r.kind === 'outcome' && r.outcome === 'done');
    return typeof written?.detail.identification === 'string' ? written.detail.identification : null;
  }

  /** A key of recovery's own for STEP: `<session>:<suffix>` when free, else with `:recovery[n]`. */
  #freshKey(suffix: string): string {
    const base = `${this.#id}:${suffix}`;
    if (!this.#store.journal.hasKey(base)) return base;
    for (let n = 1; ; n++) {
      const key = `${base}:recovery${n === 1 ? '' : n}`;
      if (!this.#store.journal.hasKey(key)) return key;
    }
  }

  #note(action: string): void {
    this.#actions.push(action);
    this.#deps.logger.info({ event: 'recovery.action', session: this.#id, action }, action);
  }

  #resolve(doubt: InDoubt, outcome: Resolution, detail: Detail, also?: () => void): void {
    this.#store.write(() => {
      this.#store.journal.resolve(this.#id, doubt.step, doubt.key, outcome, { recovery: true, ...detail });
      also?.();
    });
    this.#reload();
    this.#note(`${doubt.step} (${doubt.key.slice(this.#id.length + 1)}) was in doubt: ${outcome}`);
  }

  #movement(journalSeq: number, printer: CardPrinterCounters): MovementContext {
    return { sessionId: this.#id, journalSeq, printer };
  }

  #raise(findings: Finding[], at: MovementContext): void {
    for (const finding of findings) {
      this.#store.ledger.raise(finding, at);
      this.#deps.logger.error({ event: 'stock.discrepancy', reason: finding.reason, ...finding.detail }, finding.message);
    }
  }

  #queueCardResult(outcome: 'issued' | 'spoiled' | 'retained', identification: string | null): void {
    const applicationNo = this.#applicationNo();
    if (!identification || !applicationNo) return;
    this.#store.queue({ kind: 'cardResult', key: `${applicationNo}:${identification}:${outcome}`, payload: { applicationNo, identification, outcome } }, this.#id);
  }

  #notice(kind: StaffNoticeKind, message: string, detail: Detail = {}): void {
    raiseNotice(this.#store, RECOVERY_ACTOR, { sessionId: this.#id, kind, message, detail });
    if (!this.#notices.includes(kind)) this.#notices.push(kind);
    this.#deps.logger.warn({ event: 'recovery.notice', session: this.#id, kind, ...detail }, `staff: ${message}`);
  }

  // — the card: T1–T7 —

  async #card(look: PrinterLook): Promise<void> {
    const { printer } = this.#deps;
    if (!look.answering) {
      // [T7] Without the printer nothing about the card can be known: it stays for staff.
      this.#notice('cardStuck', `the card printer does not answer (${look.detail}): a card of this session may be inside; take it out, then restart the kiosk`);
      return;
    }
    if (look.atExit) {
      await this.#retainFromExit();
      return;
    }
    // [T2]/[T3]–[T6] Only a move tells whether a card is inside: to the bin, the safe place for one.
    const inside = this.#store.ledger.inProcessFor(this.#id);
    const attempt = this.#lastAttempt();
    const key = this.#freshKey(`reject:${attempt}`);
    this.#store.write(() => this.#store.journal.intent(this.#id, 'cardRejected', key, { attempt, reason: 'recovery', inside, recovery: true }));
    const before = printer.counters();
    const lastRecorded = this.#store.ledger.lastPrinter();
    const result = await printer.ejectToRejectBin(this.#deps.signal ?? new AbortController().signal);
    const after = printer.counters();
    this.#reload();
    if (result.ok) {
      this.#cardWasInside(key, before, after, inside);
      return;
    }
    if (result.error !== 'noCard') {
      // [T7] A card may be inside and cannot be moved (jammed, bin full, printer gone).
      this.#store.write(() => this.#store.journal.outcome(this.#id, 'cardRejected', key, 'failed', { fault: result.error, recovery: true }));
      this.#reload();
      this.#notice('cardStuck', `the card printer could not move the card to the bin (${result.error}): take out any card inside, then restart the kiosk`, { fault: result.error });
      return;
    }
    this.#store.write(() => this.#store.journal.outcome(this.#id, 'cardRejected', key, 'done', { binned: false, recovery: true }));
    this.#reload();
    this.#note('no card inside the printer');
    this.#noCardInside(after, lastRecorded, inside);
  }

  /** [T1] The card waits at the exit: retained into the bin, never pushed out to whoever is there. */
  async #retainFromExit(): Promise<void> {
    const { printer } = this.#deps;
    const identification = this.#identification();
    const key = this.#freshKey('retain');
    this.#store.write(() => this.#store.journal.intent(this.#id, 'cardRetained', key, { reason: 'recovery', recovery: true }));
    const before = printer.counters();
    const result = await printer.ejectToRejectBin(this.#deps.signal ?? new AbortController().signal);
    const after = printer.counters();
    this.#reload();
    if (!result.ok) {
      this.#store.write(() => this.#store.journal.outcome(this.#id, 'cardRetained', key, 'failed', { fault: result.error, recovery: true }));
      this.#reload();
      this.#notice('cardStuck', `a card is at the exit and the printer could not retain it (${result.error}): take it in, then restart the kiosk`, { fault: result.error });
      return;
    }
    const inside = this.#store.ledger.inProcessFor(this.#id);
    this.#store.write(() => {
      const seq = this.#store.journal.outcome(this.#id, 'cardRetained', key, 'done', { recovery: true });
      const at = this.#movement(seq, after);
      if (inside > 0) {
        this.#store.ledger.retained(identification, at);
        this.#queueCardResult('retained', identification);
      } else {
        this.#raise([{ reason: 'unrecordedBlanks', message: 'a card the ledger did not know of was at the exit and was retained', detail: {} }], at);
      }
      this.#raise(checkCounter('rejected', before, after), at);
    });
    this.#reload();
    this.#note('a card was waiting at the exit: retained into the bin');
    for (const doubt of this.#doubts('cardEjected')) this.#resolve(doubt, 'done', { found: 'atExit' });
    for (const doubt of this.#doubts('cardTaken')) this.#resolve(doubt, 'failed', { stillAtExit: true });
    for (const doubt of this.#doubts('cardRetained')) this.#resolve(doubt, 'failed', { stillAtExit: true });
  }

  /** [T2] A card was inside and is now in the bin. */
  #cardWasInside(key: string, before: CardPrinterCounters, moved: CardPrinterCounters, inside: number): void {
    const { printer } = this.#deps;
    const feedDoubt = this.#doubts('blankTaken').at(-1);
    const identification = this.#identification();
    let after = moved;
    if (feedDoubt) {
      // A real printer's feeder count comes from the ledger, which did not know of this feed: tell it.
      printer.setBlanksLoaded?.(this.#store.ledger.balance().inHopper - 1);
      after = printer.counters();
    }
    this.#store.write(() => {
      if (feedDoubt) {
        this.#store.journal.resolve(this.#id, 'blankTaken', feedDoubt.key, 'done', { recovery: true, found: 'inside' });
        this.#store.ledger.fed(1, this.#movement(feedDoubt.intentSeq, { ...after, cardsRejected: before.cardsRejected }));
      }
      const seq = this.#store.journal.outcome(this.#id, 'cardRejected', key, 'done', { binned: true, reason: 'recovery', recovery: true, ...(identification ? { identification } : {}) });
      const at = this.#movement(seq, after);
      if (inside > 0 || feedDoubt) {
        this.#store.ledger.rejected(identification, 'recovery: a card of unknown state found inside', at);
        this.#queueCardResult('spoiled', identification);
      } else {
        this.#raise([{ reason: 'unrecordedBlanks', message: 'a card the ledger did not know of was inside the printer and went to the bin', detail: {} }], at);
      }
      this.#raise(checkCounter('rejected', before, after), at);
    });
    this.#reload();
    this.#note(`a card was inside the printer${feedDoubt ? ' (its feed had no outcome)' : ''}: rejected into the bin`);
    for (const doubt of this.#doubts('cardEjected')) this.#resolve(doubt, 'failed', { found: 'inside' });
    for (const doubt of this.#doubts('cardRejected')) this.#resolve(doubt, 'failed', { found: 'inside', rejectedBy: key });
    for (const doubt of this.#doubts('cardRetained')) this.#resolve(doubt, 'failed', { found: 'inside', rejectedBy: key });
    for (const doubt of this.#doubts('cardTaken')) this.#resolve(doubt, 'failed', { found: 'inside' });
  }

  /** [T3]–[T6] Nothing inside and nothing at the exit. */
  #noCardInside(now: CardPrinterCounters, lastRecorded: CardPrinterCounters | null, inside: number): void {
    // [T5] A feed in doubt with no card inside did not happen.
    for (const doubt of this.#doubts('blankTaken')) this.#resolve(doubt, 'failed', { found: 'noCard' });
    const binMoves = lastRecorded ? now.cardsRejected - lastRecorded.cardsRejected : 0;
    const identification = this.#identification();
    // [T4] A move to the bin in doubt that the printer's counter shows.
    const binDoubt = [...this.#doubts('cardRetained'), ...this.#doubts('cardRejected')].sort((a, b) => a.intentSeq - b.intentSeq).at(-1);
    if (binDoubt && binMoves >= 1 && inside > 0) {
      const kind = binDoubt.step === 'cardRetained' ? 'retained' : 'rejected';
      this.#resolve(binDoubt, 'done', { found: 'binCounterMoved' }, () => {
        const at = this.#movement(binDoubt.intentSeq, now);
        if (kind === 'retained') {
          this.#store.ledger.retained(identification, at);
          this.#queueCardResult('retained', identification);
        } else {
          this.#store.ledger.rejected(identification, 'moved to the bin before the kiosk stopped', at);
          this.#queueCardResult('spoiled', identification);
        }
      });
      for (const doubt of this.#doubts('cardEjected')) this.#resolve(doubt, 'done', { found: 'binCounterMoved' });
      for (const doubt of this.#doubts('cardTaken')) this.#resolve(doubt, 'failed', { found: 'binCounterMoved' });
      return;
    }
    const presented = this.#presented();
    if (inside > 0 && presented) {
      // [T3] Presented, not retained, not there: the resident took it while the kiosk was down.
      for (const doubt of this.#doubts('cardEjected')) this.#resolve(doubt, 'done', { found: 'gone' });
      for (const doubt of [...this.#doubts('cardRetained'), ...this.#doubts('cardRejected')]) this.#resolve(doubt, 'failed', { found: 'gone' });
      const taken = this.#doubts('cardTaken').at(-1);
      if (taken) {
        this.#resolve(taken, 'done', { how: 'goneWhileKioskDown' }, () => {
          this.#store.ledger.issued(identification, this.#movement(taken.intentSeq, now));
          this.#queueCardResult('issued', identification);
        });
      } else {
        const key = this.#freshKey('taken');
        this.#store.write(() => {
          this.#store.journal.intent(this.#id, 'cardTaken', key, { recovery: true });
          const seq = this.#store.journal.outcome(this.#id, 'cardTaken', key, 'done', { how: 'goneWhileKioskDown', recovery: true });
          this.#store.ledger.issued(identification, this.#movement(seq, now));
          this.#queueCardResult('issued', identification);
        });
        this.#reload();
      }
      this.#note('the card had been presented and was gone from the exit: taken by the resident (issued)');
      return;
    }
    if (inside > 0) {
      // [T6]
      // Once while it stays open: a session left for staff is looked at again at every start.
      this.#store.write(() =>
        this.#store.ledger.raiseOnce(
          { reason: 'cardMissing', message: `the ledger has ${inside} card(s) of session ${this.#id} inside the printer; the printer has none`, detail: { inside } },
          { sessionId: this.#id, printer: now },
        ),
      );
      this.#notice('cardMissing', `a card of this session is neither in the printer nor accounted for: find it (jam cleared by hand?) and reconcile the stock`, { inside });
      return;
    }
    // Nothing of this session was inside: what was in doubt did not move a card.
    for (const doubt of [...this.#doubts('cardEjected'), ...this.#doubts('cardRetained'), ...this.#doubts('cardRejected'), ...this.#doubts('cardTaken')]) {
      this.#resolve(doubt, 'failed', { found: 'noCard' });
    }
  }

  /** Whether this session's card is accounted for: none left inside, no card move in doubt. */
  #cardFateKnown(): boolean {
    const moves: JournalStep[] = ['blankTaken', 'cardEjected', 'cardTaken', 'cardRetained', 'cardRejected'];
    return this.#store.ledger.inProcessFor(this.#id) === 0 && !this.#store.journal.inDoubt(this.#id).some((d) => moves.includes(d.step));
  }

  /** Whether the last card of this session was presented at the exit (eject done or in doubt). */
  #presented(): boolean {
    const attempt = this.#lastAttempt();
    const key = `${this.#id}:eject:${attempt}`;
    const known = this.#known(key);
    return known === 'done' || known === 'unknown';
  }

  #lastAttempt(): number {
    let attempt = 0;
    for (const r of this.#records) if (r.step === 'blankTaken' && r.kind === 'intent' && typeof r.detail.attempt === 'number') attempt = Math.max(attempt, r.detail.attempt);
    return attempt;
  }

  /** Development's in-process simulated printer restarted empty: its cards went with the old process. */
  #writeOffSimulatedCards(): void {
    const inside = this.#store.ledger.inProcessFor(this.#id);
    for (const doubt of this.#doubts('blankTaken')) this.#resolve(doubt, 'abandoned', { simulatedPrinterRestarted: true });
    if (inside > 0) {
      const identification = this.#identification();
      this.#store.write(() => {
        for (let i = 0; i < inside; i++) {
          this.#store.ledger.rejected(identification, 'development: the simulated printer restarted with the kiosk', { sessionId: this.#id, journalSeq: this.#records.at(-1)!.seq, printer: this.#deps.printer.counters() });
        }
      });
      this.#note(`development: ${inside} card(s) inside went with the simulated printer's restart`);
    }
    for (const step of ['cardEjected', 'cardTaken', 'cardRetained', 'cardRejected'] as const) {
      for (const doubt of this.#doubts(step)) this.#resolve(doubt, 'abandoned', { simulatedPrinterRestarted: true });
    }
  }

  // — the card centre: T8–T10 —

  async #centre(): Promise<void> {
    const { cardCentre } = this.#deps;
    const signal = this.#deps.signal ?? new AbortController().signal;
    const loss = this.#doubts('lossReported');
    const application = this.#doubts('applicationOpened');
    let sealed: SealedResident | null = null;
    if (loss.length + application.length > 0) {
      sealed = this.#store.journal.sealedResident(this.#id);
      if (!sealed) this.#notice('unresolved', 'the loss report or the application is in doubt and the data to ask the card centre again is not kept');
    }
    // [T8]
    for (const doubt of loss) {
      if (!sealed) break;
      const answer = await cardCentre.reportLoss({ key: doubt.key, idNumber: sealed.idNumber, cardNo: sealed.cardNo }, signal);
      if (answer.ok) this.#resolve(doubt, 'done', { alreadyReported: answer.value.alreadyReported });
      else if (answer.error.kind === 'rejected') this.#resolve(doubt, 'failed', { code: answer.error.code });
      else this.#notice('unresolved', `the card centre did not answer about the loss report (${answer.error.kind}): asked again at the next start`);
    }
    // [T9]
    for (const doubt of application) {
      if (!sealed) break;
      const answer = await cardCentre.openApplication({ key: doubt.key, idNumber: sealed.idNumber, reason: REISSUE_REASON.lost }, signal);
      if (answer.ok) {
        this.#resolve(doubt, 'done', { applicationNo: answer.value.applicationNo }, () => this.#store.journal.setApplicationNumber(this.#id, answer.value.applicationNo));
      } else if (answer.error.kind === 'rejected') this.#resolve(doubt, 'failed', { code: answer.error.code });
      else this.#notice('unresolved', `the card centre did not answer about the application (${answer.error.kind}): asked again at the next start`);
    }
    await this.#payments();
  }

  /** [T10] Every order of this session: final, kept with a card made, or given back. */
  async #payments(): Promise<void> {
    const { cardCentre } = this.#deps;
    const signal = this.#deps.signal ?? new AbortController().signal;
    const orders = this.#orders();
    if (orders.length === 0) return;
    const cardMade = sessionOutcome(this.#records, this.#resolutions) !== 'notIssued';
    if (!cardMade && !this.#cardFateKnown()) {
      // [T7]/[T6] A card may exist (stuck inside, missing, in a printer that did not answer): the
      // fee stays as it is until staff know where the card is — never refunded for a card handed out.
      this.#notice('unresolved', 'the fee is left as it is until the card of this session is found: refund it if no card was handed out');
      return;
    }
    let kept = cardMade ? (orders.find((o) => o.state === 'paid')?.orderNo ?? null) : null;
    for (const order of orders) {
      const doubts = this.#orderDoubts(order.orderNo);
      if (order.orderNo === kept) {
        // The card was made on this payment: it stands.
        for (const doubt of doubts) this.#resolve(doubt, doubt.step === 'paymentRefunded' ? 'failed' : 'done', { orderNo: order.orderNo, kept: true });
        continue;
      }
      if ((order.state === 'declined' || order.state === 'reversed') && doubts.length === 0) continue;
      const query = await cardCentre.queryPayment(order.orderNo, signal);
      if (!query.ok && !(query.error.kind === 'rejected' && query.error.code === 'NO_SUCH_ORDER')) {
        if (cardMade) {
          this.#notice('unresolved', `the card centre did not answer about order ${order.orderNo} (${query.error.kind}): asked again later`, { orderNo: order.orderNo });
          continue;
        }
        // No card for it: the fee goes back whatever its state (a reversal refunds, or reserves the order).
        await this.#reverse(order.orderNo, order.amountFen, 'unknown', doubts);
        continue;
      }
      const state = query.ok ? query.value.state : 'none';
      if (state === 'paid' && cardMade && kept === null) {
        kept = order.orderNo;
        for (const doubt of doubts) this.#resolve(doubt, doubt.step === 'paymentRefunded' ? 'failed' : 'done', { orderNo: order.orderNo, kept: true });
        continue;
      }
      if (state === 'declined' || state === 'reversed') {
        const refunded = query.ok ? (query.value.refundedFen ?? 0) : 0;
        for (const doubt of doubts) {
          // Paid then given back: the payment happened, and so did the refund.
          const outcome = doubt.step === 'paymentRefunded' ? (state === 'reversed' ? 'done' : 'failed') : refunded > 0 && doubt.step === 'paymentStarted' ? 'done' : 'failed';
          this.#resolve(doubt, outcome, { orderNo: order.orderNo, centre: state, refundedFen: refunded });
        }
        continue;
      }
      // Paid, paying, or never seen, and no card for it: give it back (an unseen order is reserved).
      await this.#reverse(order.orderNo, order.amountFen, state, doubts);
    }
  }

  async #reverse(orderNo: string, amountFen: number, state: string, doubts: InDoubt[]): Promise<void> {
    const { cardCentre } = this.#deps;
    const signal = this.#deps.signal ?? new AbortController().signal;
    const key = this.#freshKey('refund');
    const reason = state === 'paid' ? 'productionFailed' : 'unknownOutcome';
    this.#store.write(() => this.#store.journal.intent(this.#id, 'paymentRefunded', key, { orderNo, amountFen, reason, recovery: true }));
    this.#reload();
    const answer = await cardCentre.reversePayment({ orderNo, reason }, signal);
    if (answer.ok && answer.value.state === 'reversed') {
      const refundedFen = answer.value.refundedFen ?? 0;
      this.#store.write(() => this.#store.journal.outcome(this.#id, 'paymentRefunded', key, 'done', { orderNo, refundedFen, recovery: true }));
      this.#reload();
      this.#note(`order ${orderNo} (${state}) reversed at the card centre${refundedFen > 0 ? `: ${refundedFen} fen refunded` : ''}`);
      for (const doubt of doubts) {
        const outcome = doubt.step === 'paymentRefunded' ? 'done' : doubt.step === 'paymentStarted' && refundedFen > 0 ? 'done' : 'failed';
        this.#resolve(doubt, outcome, { orderNo, reversedBy: key, refundedFen });
      }
      return;
    }
    // Not confirmed: the session stays open (its money is not settled), the outbox asks until the
    // centre acknowledges, and the next recovery pass finds the order reversed.
    const why = answer.ok ? `order still ${answer.value.state}` : answer.error.kind;
    this.#store.write(() => {
      this.#store.journal.outcome(this.#id, 'paymentRefunded', key, 'unknown', { orderNo, error: why, recovery: true });
      this.#queueReversal(orderNo, reason);
    });
    this.#reload();
    this.#notice('refundPending', `the card centre did not confirm the reversal of order ${orderNo} (${why}): it is queued and retried until the centre acknowledges it`, { orderNo });
  }

  /** The outbox keeps asking the centre to reverse ORDER until it acknowledges. */
  #queueReversal(orderNo: string, reason: 'unknownOutcome' | 'productionFailed'): void {
    const key = `${orderNo}:reversal`;
    if (this.#store.outbox.pending().some((m) => m.key === key) || this.#store.outbox.isAcknowledged(key)) return;
    this.#store.queue({ kind: 'paymentReversal', key, payload: { orderNo, reason } }, this.#id);
  }

  /** The session's orders (one per pay call), with what its records say of each. */
  #orders(): { orderNo: string; amountFen: number; state: 'paid' | 'declined' | 'reversed' | 'unknown' }[] {
    const orders = new Map<string, { orderNo: string; amountFen: number; state: 'paid' | 'declined' | 'reversed' | 'unknown' }>();
    for (const r of this.#records) {
      if (r.kind !== 'intent' || typeof r.detail.orderNo !== 'string') continue;
      const orderNo = r.detail.orderNo;
      const order = orders.get(orderNo) ?? { orderNo, amountFen: typeof r.detail.amountFen === 'number' ? r.detail.amountFen : 0, state: 'unknown' as const };
      if (typeof r.detail.amountFen === 'number') order.amountFen = r.detail.amountFen;
      const known = this.#known(r.key);
      const detail = this.#detailOf(r.key);
      if (r.step === 'paymentStarted') {
        if (known === 'done' && order.state === 'unknown') order.state = 'paid';
        if (known === 'failed' && order.state === 'unknown') order.state = 'declined';
      } else if (r.step === 'paymentSettled') {
        if (known === 'done') order.state = 'paid';
        if (known === 'failed') order.state = detail.outcome === 'declined' ? 'declined' : 'reversed';
      } else if (r.step === 'paymentRefunded') {
        if (known === 'done') order.state = 'reversed';
      }
      orders.set(orderNo, order);
    }
    return [...orders.values()];
  }

  #orderDoubts(orderNo: string): InDoubt[] {
    return this.#store.journal
      .inDoubt(this.#id)
      .filter((d) => ['paymentStarted', 'paymentSettled', 'paymentRefunded'].includes(d.step) && this.#intent(d.key)?.detail.orderNo === orderNo);
  }

  // — the rest: T12, T13 —

  #rest(): void {
    const cardGone = this.#store.ledger.inProcessFor(this.#id) === 0;
    for (const step of ['chipPersonalised', 'facePrinted'] as const) {
      // [T12] Only once the card is out of the printer: a card still inside keeps them in doubt.
      if (!cardGone) break;
      for (const doubt of this.#doubts(step)) this.#resolve(doubt, 'abandoned', { card: 'noLongerInThePrinter' });
    }
    // [T13]
    for (const doubt of this.#doubts('receiptPrinted')) this.#resolve(doubt, 'abandoned', { reprinted: false });
  }

  // — T14 —

  #settle(): SessionReport {
    const result = this.#store.settle(this.#id);
    this.#reload();
    const outcome = result.settled ? result.outcome : sessionOutcome(this.#records, this.#resolutions);
    const applicationNo = this.#applicationNo();
    if (result.settled) this.#note(`settled: ${outcome}`);
    const detail: Detail = { applicationNo };
    if (outcome === 'retained') {
      this.#notice('cardRetained', `the card made for application ${applicationNo ?? '(unknown)'} is in the reject bin, retained: hand it to its resident (ID check) when they come`, detail);
    } else if (outcome === 'notIssued' && this.#cardFateKnown()) {
      const lossReported = this.#done('lossReported');
      const refunded = this.#done('paymentRefunded');
      this.#notice(
        'leftWithoutCard',
        `the resident left without a card${lossReported ? '; the loss of the old card is reported' : ''}${applicationNo ? `; application ${applicationNo} stays open` : ''}${refunded ? '; the fee was refunded' : ''}: they may come back, or be served at the counter`,
        { ...detail, lossReported, refunded },
      );
    }
    if (!result.settled) {
      this.#notice('unresolved', `session left open: ${result.reason}`, { ...detail, reason: result.reason });
    }
    this.#store.write(() =>
      this.#store.audit.append({
        actor: RECOVERY_ACTOR,
        action: 'recovery.session',
        detail: { session: this.#id, applicationNo, outcome, settled: result.settled, actions: this.#actions.join('; ').slice(0, 2_000) },
      }),
    );
    return {
      sessionId: this.#id,
      applicationNo,
      outcome,
      settled: result.settled,
      openBecause: result.settled ? null : result.reason,
      actions: this.#actions,
      notices: this.#notices,
    };
  }
}
