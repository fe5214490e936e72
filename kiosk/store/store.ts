/**
 * The kiosk's own records, together: the session journal, the card-stock ledger, the outbox to
 * the card centre and the audit log, in one SQLite file under the data directory.
 *
 * `KioskStore.open` is the host's door: it takes the data directory's lock (one writer), and
 * every change goes through `write`, one transaction, so an intent or outcome record and the
 * ledger and outbox entries it implies are committed together or not at all. A write the disk
 * refuses (full, I/O error) becomes a `RecordsUnavailableError`, which callers treat as "do not
 * do the side effect", and the store stays "unavailable" — the kiosk out of service — until a
 * write succeeds again.
 *
 * `openRecordsReadOnly` is the CLI's door: the same readers on a read-only connection, no lock.
 */
import type { Logger } from '../log/logger.ts';
import { AuditLog, type AuditVerification } from './audit.ts';
import { CentreDate, systemClock, type KioskClock, type RecordContext } from './clock.ts';
import { describeUnavailable, isUnavailable, openReadOnly, openWritable, RecordsDamagedError, type Db } from './database.ts';
import { Journal, type JournalRecord, type JournalStep, type ResolutionRecord, type SessionRow } from './journal.ts';
import type { KillSwitch } from './kill-point.ts';
import { Ledger } from './ledger.ts';
import { DataDirLock } from './lock.ts';
import { MIGRATIONS } from './migrations.ts';
import { Outbox, type OutboxQueue, type OutboxStats } from './outbox.ts';
import { SealKey } from './seal.ts';
import { StaffNotices } from './staff-notices.ts';
import Database from 'better-sqlite3';

export class RecordsUnavailableError extends Error {
  constructor(
    readonly code: string,
    readonly dataDir: string,
    options: { cause: unknown },
  ) {
    super(`cannot write the kiosk's records in ${dataDir}: ${describeUnavailable(code)}`, options);
    this.name = 'RecordsUnavailableError';
  }
}

export interface WriteFailure {
  at: string;
  code: string;
  message: string;
}

export type ServiceBlock =
  | { reason: 'recordsUnavailable'; message: string }
  | { reason: 'stockDiscrepancy'; message: string }
  /** The records file is damaged (RecordsDamagedError): kept as found, nothing opened over it. */
  | { reason: 'recordsDamaged'; message: string }
  /** Recovery after a crash is settling earlier sessions (kiosk/recovery). */
  | { reason: 'recovering'; message: string };

export type SettleResult = { settled: true; outcome: SessionOutcome } | { settled: false; reason: string };
export type SessionOutcome = 'issued' | 'retained' | 'notIssued';

/** Figures for metrics and staff. */
export interface RecordsFigures {
  outbox: OutboxStats;
  discrepancies: number;
  inHopper: number;
  inProcess: number;
  unsettledSessions: number;
  writable: boolean;
}

/** Settled sessions' sealed data leave the WAL with a TRUNCATE checkpoint; a reader may delay it. */
const PURGE_RETRY_MS = 1_000;
const PURGE_MAX_TRIES = 60;

/** Readers over the records; shared by the host's store and the CLI's read-only view. */
export class Records {
  readonly dataDir: string;
  readonly journal: Journal;
  readonly ledger: Ledger;
  readonly outbox: Outbox;
  readonly audit: AuditLog;
  /** What needs a person (staff-notices.ts). */
  readonly notices: StaffNotices;
  readonly centreDate = new CentreDate();
  protected readonly db: Db;
  protected readonly clock: KioskClock;

  constructor(db: Db, dataDir: string, options: { clock?: KioskClock; journalKey?: string }) {
    this.db = db;
    this.dataDir = dataDir;
    this.clock = options.clock ?? systemClock;
    const context: RecordContext = {
      now: () => this.clock.now().toISOString(),
      centreDate: () => this.centreDate.current,
    };
    this.journal = new Journal(db, context, options.journalKey ? new SealKey(options.journalKey) : null);
    this.ledger = new Ledger(db, context);
    this.outbox = new Outbox(db, context);
    this.audit = new AuditLog(db, context);
    this.notices = new StaffNotices(db, context);
  }

  /** The audit chain, link by link, and against every head queued for the card centre. */
  verifyAudit(): AuditVerification {
    return this.audit.verify(this.outbox.auditHeads());
  }

  /** A consistent view for a report: the reads in `fn` see one snapshot of the file. */
  snapshot<T>(fn: () => T): T {
    return this.db.transaction(fn).deferred();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export interface StoreOptions {
  dataDir: string;
  /** The journal key from the secrets file (64 hex digits). */
  journalKey: string;
  clock?: KioskClock;
  logger?: Logger;
  /** The fault-injection test's hook (kill-point.ts); null on a real kiosk. */
  killSwitch?: KillSwitch | null;
}

export class KioskStore extends Records {
  readonly #lock: DataDirLock;
  readonly #logger: Logger | undefined;
  #writeFailure: WriteFailure | null = null;
  #depth = 0;
  #queued = false;
  readonly #onQueued = new Set<() => void>();
  #discrepancies: number | null = null;
  #purgeTimer: NodeJS.Timeout | null = null;
  #purgeTries = 0;
  /** Set when the records file was found damaged: this store is an empty stand-in in memory. */
  readonly damage: RecordsDamagedError | null;
  readonly killSwitch: KillSwitch | null;

  private constructor(db: Db, lock: DataDirLock, options: StoreOptions, damage: RecordsDamagedError | null = null) {
    super(db, options.dataDir, options);
    this.#lock = lock;
    this.#logger = options.logger;
    this.damage = damage;
    this.killSwitch = options.killSwitch ?? null;
  }

  /**
   * Takes the data directory's lock (DataDirLockedError when another host holds it) and opens the
   * records. A damaged records file (RecordsDamagedError) is thrown too, untouched.
   */
  static open(options: StoreOptions): KioskStore {
    const lock = DataDirLock.acquire(options.dataDir);
    try {
      return new KioskStore(openWritable(options.dataDir), lock, options);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * The host's records when the file was found damaged: the lock is held (still one host), the
   * damaged file is left exactly as it is, and an empty store in memory stands in so the host can
   * run out of service — its page and /healthz saying why — instead of failing to start again and
   * again. Nothing written here survives the process: residents are refused (serviceBlock).
   */
  static quarantined(options: StoreOptions, damage: RecordsDamagedError): KioskStore {
    const lock = DataDirLock.acquire(options.dataDir);
    try {
      const db = new Database(':memory:');
      db.pragma('foreign_keys = ON');
      db.transaction(() => {
        for (const migration of MIGRATIONS) db.exec(migration);
      })();
      return new KioskStore(db, lock, options, damage);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * Runs `fn` as one transaction. A write the disk refuses throws RecordsUnavailableError (and
   * leaves nothing half-written); any other error is a bug and is thrown as it is.
   */
  write<T>(fn: () => T): T {
    this.#depth++;
    let result: T;
    try {
      result = this.db.transaction(fn)();
    } catch (error) {
      if (this.#depth === 1) this.#queued = false;
      if (isUnavailable(error)) {
        const failure = new RecordsUnavailableError(error.code, this.dataDir, { cause: error });
        if (!this.#writeFailure) {
          this.#logger?.fatal({ event: 'records.write_failed', code: error.code, dir: this.dataDir }, failure.message);
        }
        this.#writeFailure = { at: this.clock.now().toISOString(), code: error.code, message: failure.message };
        throw failure;
      }
      throw error;
    } finally {
      this.#depth--;
      this.#discrepancies = null;
    }
    if (this.#depth === 0) {
      if (this.#writeFailure) {
        this.#logger?.warn({ event: 'records.writable_again', dir: this.dataDir }, "the kiosk's records can be written again");
        this.#writeFailure = null;
      }
      if (this.#queued) {
        this.#queued = false;
        for (const listener of this.#onQueued) listener();
      }
    }
    return result;
  }

  /** Queues an outbox message inside the current `write`; the sender is woken after the commit. */
  queue(...args: Parameters<Outbox['enqueue']>): number {
    if (this.#depth === 0) throw new Error('queue() belongs inside write()');
    this.#queued = true;
    return this.outbox.enqueue(...args);
  }

  onMessageQueued(listener: () => void): () => void {
    this.#onQueued.add(listener);
    return () => this.#onQueued.delete(listener);
  }

  get writeFailure(): WriteFailure | null {
    return this.#writeFailure;
  }

  /** Tries a tiny write; true when the disk takes writes (again). */
  probeWrites(): boolean {
    try {
      this.write(() => this.db.prepare('UPDATE write_probe SET n = n + 1 WHERE id = 1').run());
      return true;
    } catch (error) {
      if (error instanceof RecordsUnavailableError) return false;
      throw error;
    }
  }

  /** Why residents cannot be served now, if they cannot. */
  serviceBlock(): ServiceBlock | null {
    if (this.damage) return { reason: 'recordsDamaged', message: this.damage.message };
    if (this.#writeFailure) return { reason: 'recordsUnavailable', message: this.#writeFailure.message };
    this.#discrepancies ??= this.ledger.unresolved().length;
    if (this.#discrepancies > 0) {
      return { reason: 'stockDiscrepancy', message: `${this.#discrepancies} unresolved card-stock discrepancy(ies): staff must reconcile the stock` };
    }
    return null;
  }

  /** The queue the outbox sender works on, with its writes going through `write`. */
  outboxQueue(): OutboxQueue {
    return {
      pending: () => this.outbox.pending(),
      attempted: (id, error) => this.write(() => this.outbox.attempted(id, error)),
      acknowledged: (id) => this.write(() => this.outbox.acknowledged(id)),
    };
  }

  /**
   * Settles a session whose every side effect has a known outcome and whose cards are all out of
   * the printer: marks it settled, deletes its sealed personal data, and then purges the WAL
   * frames that held it. A session still in doubt stays open, sealed data and all, for recovery.
   */
  settle(sessionId: string): SettleResult {
    const result = this.write((): SettleResult => {
      const session = this.journal.session(sessionId);
      if (!session) return { settled: false, reason: 'no such session' };
      if (session.settledAt) return { settled: true, outcome: session.outcome as SessionOutcome };
      this.#resolveSettledPayments(sessionId);
      const inDoubt = this.journal.inDoubt(sessionId);
      if (inDoubt.length > 0) {
        return { settled: false, reason: `in doubt: ${inDoubt.map((d) => `${d.step} (${d.outcome ?? 'no outcome'})`).join(', ')}` };
      }
      const inside = this.ledger.inProcessFor(sessionId);
      if (inside !== 0) return { settled: false, reason: `${inside} card(s) of this session still inside the printer` };
      const outcome = sessionOutcome(this.journal.records(sessionId), this.journal.resolutions(sessionId));
      this.journal.markSettled(sessionId, outcome);
      return { settled: true, outcome };
    });
    if (result.settled) this.#purgeSettledData();
    return result;
  }

  /**
   * A pay call whose outcome was unknown ("paying", no answer) is settled by querying the same
   * order (paymentSettled) or by reversing it (paymentRefunded): once that answer is recorded, the
   * pay call is no longer in doubt — the settlement was the world's answer to it.
   */
  #resolveSettledPayments(sessionId: string): void {
    const records = this.journal.records(sessionId);
    const answerFor = (orderNo: string): { outcome: 'done' | 'failed'; by: string } | null => {
      for (const r of [...records].reverse()) {
        if (r.kind !== 'outcome' || r.outcome === 'unknown') continue;
        const intent = records.find((i) => i.kind === 'intent' && i.key === r.key);
        if (intent?.detail.orderNo !== orderNo) continue;
        if (r.step === 'paymentSettled') return { outcome: r.outcome === 'done' ? 'done' : 'failed', by: r.key };
        // Reversed: whether it had been charged, the refund says (refundedFen > 0: it had).
        if (r.step === 'paymentRefunded' && r.outcome === 'done') return { outcome: Number(r.detail.refundedFen ?? 0) > 0 ? 'done' : 'failed', by: r.key };
      }
      return null;
    };
    for (const doubt of this.journal.inDoubt(sessionId)) {
      if (doubt.step !== 'paymentStarted') continue;
      const orderNo = records.find((r) => r.key === doubt.key && r.kind === 'intent')?.detail.orderNo;
      const answer = typeof orderNo === 'string' ? answerFor(orderNo) : null;
      if (answer) this.journal.resolve(sessionId, 'paymentStarted', doubt.key, answer.outcome, { settledBy: answer.by });
    }
  }

  /** Queues the audit chain's head for the card centre when it moved since the last one queued. */
  queueAuditHead(kioskId: string): boolean {
    return this.write(() => {
      const head = this.audit.head();
      if (!head) return false;
      const last = this.outbox.auditHeads().at(-1);
      if (last && last.seq === head.seq && last.hash === head.hash) return false;
      const id = this.queue({
        kind: 'auditHead',
        key: `audit-head:${head.seq}:${head.hash.slice(0, 16)}`,
        payload: { kioskId, seq: head.seq, hash: head.hash, at: this.clock.now().toISOString() },
      });
      this.outbox.supersedePending('auditHead', id);
      return true;
    });
  }

  figures(): RecordsFigures {
    const balance = this.ledger.balance();
    return {
      outbox: this.outbox.stats(this.clock.now()),
      discrepancies: balance.unresolved.length,
      inHopper: balance.inHopper,
      inProcess: balance.inProcess,
      unsettledSessions: this.journal.counts().unsettled,
      writable: this.#writeFailure === null,
    };
  }

  /** The sessions recovery must look at (issue: recovery after a crash). */
  unsettledSessions(): SessionRow[] {
    return this.journal.unsettled();
  }

  override close(): void {
    if (this.#purgeTimer) clearTimeout(this.#purgeTimer);
    this.#purgeTimer = null;
    try {
      // Closing checkpoints the WAL into the file and removes it when no reader holds it.
      super.close();
    } finally {
      this.#lock.release();
    }
  }

  /** Moves the WAL into the database file and truncates it, so deleted sealed rows leave no copy. */
  #purgeSettledData(): void {
    if (this.#purgeTimer) clearTimeout(this.#purgeTimer);
    this.#purgeTimer = null;
    let clean = false;
    try {
      const [row] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      clean = row?.busy === 0;
    } catch (error) {
      this.#logger?.warn({ event: 'records.checkpoint_failed', err: (error as Error).message }, 'WAL checkpoint failed');
    }
    if (clean) {
      this.#purgeTries = 0;
      return;
    }
    // A reader (the CLI) is in the middle of a read: try again shortly.
    if (++this.#purgeTries > PURGE_MAX_TRIES) {
      this.#logger?.warn({ event: 'records.checkpoint_gave_up' }, 'WAL still held by a reader; settled data leaves at the next checkpoint');
      this.#purgeTries = 0;
      return;
    }
    this.#purgeTimer = setTimeout(() => this.#purgeSettledData(), PURGE_RETRY_MS);
    this.#purgeTimer.unref();
  }
}

/** The CLI's view of the records: read-only, no lock, works while the host runs. */
export function openRecordsReadOnly(dataDir: string): Records {
  return new Records(openReadOnly(dataDir), dataDir, {});
}

/**
 * How a session ended for its resident, from its records and what recovery resolved: the card
 * taken (issued), retained in the bin for them, or no card.
 */
export function sessionOutcome(records: readonly JournalRecord[], resolutions: readonly ResolutionRecord[] = []): SessionOutcome {
  const done = (step: JournalStep) =>
    records.some((r) => r.step === step && r.kind === 'outcome' && r.outcome === 'done') ||
    resolutions.some((r) => r.step === step && r.outcome === 'done');
  if (done('cardTaken')) return 'issued';
  if (done('cardRetained')) return 'retained';
  return 'notIssued';
}
