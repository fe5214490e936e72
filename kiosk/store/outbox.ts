/**
 * The outbox to the card centre: every message is written in the same transaction as the record
 * that caused it, carries an idempotency key (the centre deduplicates on it), and is retried with
 * back-off until the centre acknowledges it — across restarts, since the row is the message.
 *
 * The sender does not know what kind of card centre it talks to: it calls a `deliver` function
 * that answers "acknowledged" or "retry (why)". A message the centre has no endpoint for yet stays
 * pending, visible to staff and in metrics, rather than being dropped.
 */
import type { Logger } from '../log/logger.ts';
import type { KioskClock, RecordContext } from './clock.ts';
import type { Db } from './database.ts';

/** Every message the kiosk sends through the outbox. */
export type OutboxMessage =
  | {
      kind: 'cardResult';
      key: string;
      payload: { applicationNo: string; identification: string; outcome: 'issued' | 'spoiled' | 'retained' };
    }
  | {
      /** A fee to give back (a paid card that was not made, or a payment whose outcome stayed unknown). */
      kind: 'paymentReversal';
      key: string;
      payload: { orderNo: string; reason: 'unknownOutcome' | 'productionFailed' };
    }
  | {
      /** The audit chain's head: the centre keeps it, so a chain rewritten on the kiosk no longer matches. */
      kind: 'auditHead';
      key: string;
      payload: { kioskId: string; seq: number; hash: string; at: string };
    };

export type PendingMessage = OutboxMessage & {
  id: number;
  createdAt: string;
  attempts: number;
  lastAttemptAt: string | null;
  lastError: string | null;
};

export type Delivery = { outcome: 'ack' } | { outcome: 'retry'; error: string };
export type Deliver = (message: OutboxMessage, signal: AbortSignal) => Promise<Delivery>;

export interface OutboxStats {
  pending: number;
  /** Age of the oldest pending message in seconds (kiosk wall clock; survives restarts); 0 when none. */
  oldestAgeSeconds: number;
}

interface Raw {
  id: number;
  key: string;
  kind: OutboxMessage['kind'];
  payload: string;
  created_at: string;
  attempts: number;
  last_attempt_at: string | null;
  last_error: string | null;
}

export class Outbox {
  readonly #db: Db;
  readonly #context: RecordContext;

  constructor(db: Db, context: RecordContext) {
    this.#db = db;
    this.#context = context;
  }

  /**
   * Queues a message (inside the caller's transaction). The same key twice is the same message:
   * the second write is ignored, and a different payload under a used key is a bug.
   */
  enqueue(message: OutboxMessage, sessionId: string | null = null): number {
    const payload = JSON.stringify(message.payload);
    const existing = this.#db.prepare('SELECT id, kind, payload FROM outbox WHERE key = ?').get(message.key) as
      | { id: number; kind: string; payload: string }
      | undefined;
    if (existing) {
      if (existing.kind !== message.kind || existing.payload !== payload) {
        throw new Error(`outbox key ${message.key} already holds a different message`);
      }
      return existing.id;
    }
    const result = this.#db
      .prepare('INSERT INTO outbox (key, kind, payload, session_id, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(message.key, message.kind, payload, sessionId, this.#context.now());
    return Number(result.lastInsertRowid);
  }

  /** A newer message of this kind makes older unsent ones pointless (the audit head: the newest covers all). */
  supersedePending(kind: OutboxMessage['kind'], exceptId: number): number {
    return this.#db
      .prepare('UPDATE outbox SET superseded_at = ? WHERE kind = ? AND id <> ? AND acked_at IS NULL AND superseded_at IS NULL')
      .run(this.#context.now(), kind, exceptId).changes;
  }

  pending(): PendingMessage[] {
    const rows = this.#db
      .prepare(
        `SELECT id, key, kind, payload, created_at, attempts, last_attempt_at, last_error
           FROM outbox WHERE acked_at IS NULL AND superseded_at IS NULL ORDER BY id`,
      )
      .all() as Raw[];
    return rows.map(
      (r) =>
        ({
          id: r.id,
          key: r.key,
          kind: r.kind,
          payload: JSON.parse(r.payload),
          createdAt: r.created_at,
          attempts: r.attempts,
          lastAttemptAt: r.last_attempt_at,
          lastError: r.last_error,
        }) as PendingMessage,
    );
  }

  attempted(id: number, error: string): void {
    this.#db
      .prepare('UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ?, last_error = ? WHERE id = ?')
      .run(this.#context.now(), error.slice(0, 500), id);
  }

  acknowledged(id: number): void {
    this.#db
      .prepare('UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ?, last_error = NULL, acked_at = ? WHERE id = ? AND acked_at IS NULL')
      .run(this.#context.now(), this.#context.now(), id);
  }

  isAcknowledged(key: string): boolean {
    const row = this.#db.prepare('SELECT acked_at FROM outbox WHERE key = ?').get(key) as { acked_at: string | null } | undefined;
    return row?.acked_at != null;
  }

  /** Every audit head queued so far, sent or not (verification compares them with the chain). */
  auditHeads(): { seq: number; hash: string; acked: boolean }[] {
    const rows = this.#db.prepare("SELECT payload, acked_at FROM outbox WHERE kind = 'auditHead' ORDER BY id").all() as {
      payload: string;
      acked_at: string | null;
    }[];
    return rows.map((r) => {
      const payload = JSON.parse(r.payload) as { seq: number; hash: string };
      return { seq: payload.seq, hash: payload.hash, acked: r.acked_at !== null };
    });
  }

  stats(now: Date): OutboxStats {
    const row = this.#db
      .prepare('SELECT count(*) AS pending, min(created_at) AS oldest FROM outbox WHERE acked_at IS NULL AND superseded_at IS NULL')
      .get() as { pending: number; oldest: string | null };
    const age = row.oldest ? Math.max(0, (now.getTime() - Date.parse(row.oldest)) / 1000) : 0;
    return { pending: row.pending, oldestAgeSeconds: Math.round(age) };
  }
}

/** What the sender needs of the store: the pending messages, and a place to write down each try. */
export interface OutboxQueue {
  pending(): PendingMessage[];
  /** May throw when the records cannot be written; the sender then tries again later. */
  attempted(id: number, error: string): void;
  acknowledged(id: number): void;
}

export interface BackoffPolicy {
  /** Wait after the first failure. */
  initialMs: number;
  /** The longest wait between two tries of one message. */
  maxMs: number;
}

/** First retry after 2 s, doubling to at most 10 min: a card centre down for an hour is not hammered. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 2_000, maxMs: 10 * 60_000 };
/** A delivery that takes longer than this is abandoned and retried (the key makes that safe). */
const DELIVERY_TIMEOUT_MS = 30_000;

/** Wait before try n+1 after n failed tries, with ±20 % jitter so a fleet does not retry in step. */
export function backoffMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface OutboxSenderOptions {
  queue: OutboxQueue;
  deliver: Deliver;
  logger: Logger;
  clock: KioskClock;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Called after every pass (metrics refresh). */
  onPass?: () => void;
}

/**
 * Sends pending messages one at a time, oldest first; each message has its own back-off, so a
 * message the centre refuses does not hold up the others. Back-off runs on the monotonic clock;
 * after a restart every pending message is tried at once.
 */
export class OutboxSender {
  readonly #options: OutboxSenderOptions;
  readonly #backoff: BackoffPolicy;
  /** Message id → monotonic time before which it is not retried. */
  readonly #notBefore = new Map<number, number>();
  /** Failed tries per message in this process (the persisted count includes earlier runs). */
  readonly #failures = new Map<number, number>();
  readonly #lastError = new Map<number, string>();
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | null = null;
  #pass: Promise<void> | null = null;
  #again = false;
  #running = false;
  /** Set when the queue could not be read: the sender tries again at this monotonic time. */
  #readRetryAt: number | null = null;

  constructor(options: OutboxSenderOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  start(): void {
    this.#running = true;
    this.kick();
  }

  /** A message was queued: send soon (now, unless a pass is under way — then right after it). */
  kick(): void {
    if (!this.#running) return;
    if (this.#pass) {
      this.#again = true;
      return;
    }
    this.#schedule(0);
  }

  /** One pass over the due messages. Tests call this directly with a controlled clock. */
  async pass(): Promise<void> {
    if (this.#pass) return this.#pass;
    this.#pass = this.#runPass().finally(() => {
      this.#pass = null;
    });
    return this.#pass;
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort.abort(new Error('host stopping'));
    await this.#pass?.catch(() => {});
  }

  async #runPass(): Promise<void> {
    const { queue, logger, clock } = this.#options;
    let pending: PendingMessage[];
    try {
      pending = queue.pending();
    } catch (error) {
      logger.error({ event: 'outbox.read_failed', err: (error as Error).message }, 'outbox could not be read');
      this.#readRetryAt = clock.monotonicMs() + this.#backoff.initialMs;
      return;
    }
    this.#readRetryAt = null;
    const live = new Set(pending.map((m) => m.id));
    for (const map of [this.#notBefore, this.#failures, this.#lastError]) {
      for (const id of map.keys()) if (!live.has(id)) map.delete(id);
    }
    for (const message of pending) {
      if (this.#abort.signal.aborted) return;
      if ((this.#notBefore.get(message.id) ?? 0) > clock.monotonicMs()) continue;
      const outcome = await this.#deliverOne(message);
      try {
        if (outcome.outcome === 'ack') {
          queue.acknowledged(message.id);
          this.#notBefore.delete(message.id);
          this.#failures.delete(message.id);
          this.#lastError.delete(message.id);
          logger.info({ event: 'outbox.acked', key: message.key, kind: message.kind, attempts: message.attempts + 1 }, 'card centre acknowledged');
          continue;
        }
        queue.attempted(message.id, outcome.error);
      } catch (error) {
        // Cannot write the try down (disk full): an acknowledged message is sent again later under
        // the same key, which the centre answers without doing it twice.
        logger.error({ event: 'outbox.record_failed', key: message.key, err: (error as Error).message }, 'outbox try not recorded');
      }
      if (outcome.outcome === 'retry') {
        const failures = (this.#failures.get(message.id) ?? 0) + 1;
        this.#failures.set(message.id, failures);
        const wait = backoffMs(failures, this.#backoff, this.#options.random);
        this.#notBefore.set(message.id, clock.monotonicMs() + wait);
        // A warning when a message first fails or fails differently; the same failure again is routine.
        const level = failures === 1 || this.#lastError.get(message.id) !== outcome.error ? 'warn' : 'debug';
        this.#lastError.set(message.id, outcome.error);
        logger[level](
          { event: 'outbox.retry', key: message.key, kind: message.kind, attempts: message.attempts + 1, error: outcome.error, retryInMs: wait },
          'card centre did not acknowledge; will retry',
        );
      }
    }
    this.#options.onPass?.();
  }

  async #deliverOne(message: PendingMessage): Promise<Delivery> {
    const { id: _id, createdAt: _c, attempts: _a, lastAttemptAt: _l, lastError: _e, ...plain } = message;
    // One signal per delivery, let go with it. AbortSignal.any() over the sender's own signal would
    // leave a reference in that long-lived signal for every delivery, never dropped on Node 20
    // (~60 bytes each, for as long as the kiosk runs: bench/endurance.ts found them).
    const delivery = new AbortController();
    const stop = () => delivery.abort(this.#abort.signal.reason);
    const timer = setTimeout(() => delivery.abort(new DOMException('the delivery timed out', 'TimeoutError')), DELIVERY_TIMEOUT_MS);
    timer.unref();
    if (this.#abort.signal.aborted) stop();
    else this.#abort.signal.addEventListener('abort', stop, { once: true });
    try {
      return await this.#options.deliver(plain as OutboxMessage, delivery.signal);
    } catch (error) {
      return { outcome: 'retry', error: (error as Error).message || String(error) };
    } finally {
      clearTimeout(timer);
      this.#abort.signal.removeEventListener('abort', stop);
    }
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.pass().then(() => this.#afterPass());
    }, delayMs);
    this.#timer.unref();
  }

  #afterPass(): void {
    if (!this.#running) return;
    if (this.#again) {
      this.#again = false;
      this.#schedule(0);
      return;
    }
    const now = this.#options.clock.monotonicMs();
    const wakeAt = [...this.#notBefore.values(), ...(this.#readRetryAt === null ? [] : [this.#readRetryAt])];
    const next = Math.min(...wakeAt.map((t) => t - now));
    // Nothing waiting: the next kick starts a pass. Otherwise wake for the earliest due message.
    if (Number.isFinite(next)) this.#schedule(Math.max(0, next));
  }
}
