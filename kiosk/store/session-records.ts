/**
 * How an actor wraps a side effect of a resident session in its records:
 *
 *   const checkpoint = records.intend('blankTaken', 'feed:1', { attempt: 1 }, 'feeding a blank');
 *   if (!checkpoint) return refused;          // the intent could not be written: do not do it
 *   const result = await printer.feed(...);   // the side effect
 *   records.conclude(checkpoint, 'done', {...}, (outcomeSeq) => ledger/outbox entries);
 *
 * The intent commits before the side effect; the outcome commits together with the ledger and
 * outbox entries it implies. An intent that cannot be written refuses the side effect, so no
 * card is made, and no money or loss report is touched, whose record could not be written.
 * An outcome that cannot be written (the side effect already happened) is logged and left as
 * an intent without outcome: recovery asks the world what happened.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log/logger.ts';
import type { Detail, JournalStep, SealedResident, StepOutcome } from './journal.ts';
import { RecordsUnavailableError, type KioskStore, type SettleResult } from './store.ts';

export interface Checkpoint {
  sessionId: string;
  step: JournalStep;
  key: string;
  intentSeq: number;
}

export class SessionRecords {
  readonly #store: KioskStore;
  readonly #logger: Logger;
  #sessionId: string | null = null;
  #opened = false;

  constructor(store: KioskStore, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  get store(): KioskStore {
    return this.#store;
  }

  /** The current session's id (random; no personal data), or null between sessions. */
  get sessionId(): string | null {
    return this.#sessionId;
  }

  /** The current session, or a new one: the first step that touches the world starts it. */
  ensure(): string {
    return this.#sessionId ?? this.begin();
  }

  /** Starts a new session in memory; it is written with its first intent. */
  begin(): string {
    this.#sessionId = randomBytes(8).toString('hex');
    this.#opened = false;
    return this.#sessionId;
  }

  /**
   * Writes "about to do STEP" under the key `<session>:<suffix>`, with `also` in the same
   * transaction. `open` seals what recovery needs of the resident when this intent opens the
   * session. Returns null — and logs why — when the side effect must not happen.
   */
  intend(
    step: JournalStep,
    suffix: string,
    detail: Detail,
    action: string,
    options: { open?: SealedResident; also?: (intentSeq: number) => void } = {},
  ): Checkpoint | null {
    const sessionId = this.#sessionId;
    if (!sessionId) {
      this.#logger.error({ event: 'journal.no_session', step }, `${action} refused: no session is open`);
      return null;
    }
    const key = `${sessionId}:${suffix}`;
    try {
      const intentSeq = this.#store.write(() => {
        if (!this.#opened) this.#store.journal.openSession(sessionId, options.open ?? null);
        const seq = this.#store.journal.intent(sessionId, step, key, detail);
        options.also?.(seq);
        return seq;
      });
      this.#opened = true;
      // The fault-injection test's power cut, right after the record is durable (kill-point.ts).
      this.#store.killSwitch?.committed(step, 'intent');
      return { sessionId, step, key, intentSeq };
    } catch (error) {
      const why = error instanceof RecordsUnavailableError ? error.message : `the journal refused the record (${(error as Error).message})`;
      this.#logger.error(
        { event: 'journal.side_effect_refused', step, key, code: (error as { code?: string }).code ?? null },
        `${why}: ${action} refused (no side effect without its record)`,
      );
      return null;
    }
  }

  /** Writes "STEP done / failed / unknown" with `also` (ledger, outbox) in one transaction. */
  conclude(checkpoint: Checkpoint, outcome: StepOutcome, detail: Detail = {}, also?: (outcomeSeq: number) => void): boolean {
    try {
      this.#store.write(() => {
        const seq = this.#store.journal.outcome(checkpoint.sessionId, checkpoint.step, checkpoint.key, outcome, detail);
        also?.(seq);
      });
      this.#store.killSwitch?.committed(checkpoint.step, 'outcome');
      return true;
    } catch (error) {
      this.#logger.error(
        { event: 'journal.outcome_not_recorded', step: checkpoint.step, key: checkpoint.key, outcome, err: (error as Error).message },
        `${checkpoint.step} ${outcome}, but the outcome could not be recorded: left in doubt for recovery`,
      );
      return false;
    }
  }

  /** Writes `fn` on its own (session fields, a discrepancy found between steps); false when it failed. */
  record(what: string, fn: () => void): boolean {
    try {
      this.#store.write(fn);
      return true;
    } catch (error) {
      this.#logger.error({ event: 'journal.record_failed', what, err: (error as Error).message }, `${what} not recorded`);
      return false;
    }
  }

  /**
   * The session is over for the resident: settle it (deleting its sealed personal data) when every
   * side effect has a known outcome, else leave it to recovery. Forgets the session either way.
   */
  end(): SettleResult | null {
    const sessionId = this.#sessionId;
    const opened = this.#opened;
    this.#sessionId = null;
    this.#opened = false;
    if (!sessionId || !opened) return null;
    let result: SettleResult;
    try {
      result = this.#store.settle(sessionId);
    } catch (error) {
      result = { settled: false, reason: (error as Error).message };
    }
    if (result.settled) {
      this.#logger.info({ event: 'session.settled', session: sessionId, outcome: result.outcome }, 'session settled; its personal data deleted');
    } else {
      this.#logger.warn({ event: 'session.unsettled', session: sessionId, reason: result.reason }, 'session left for recovery');
    }
    return result;
  }
}
