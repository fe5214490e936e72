/**
 * The audit log: what staff, technicians and the system did to the kiosk's accountable state
 * (stock loads, counts and corrections, discrepancies resolved, device consoles), hash-chained.
 *
 *   hash(n) = SHA-256( JSON [ "mashang-audit-v1", seq, at, actor, action, detail, hash(n−1) ] )
 *
 * with 64 zeros before the first entry. Editing, removing or inserting an entry breaks every
 * later link; `mashang audit verify` reports the first broken one. Whoever holds the file can
 * rebuild a consistent chain, so the head is sent to the card centre through the outbox now and
 * then: a rewritten chain no longer matches the heads the centre holds (nor the copies the outbox
 * keeps, which verification also compares).
 */
import { createHash } from 'node:crypto';
import type { RecordContext } from './clock.ts';
import type { Db } from './database.ts';
import type { Detail } from './journal.ts';

export const GENESIS_HASH = '0'.repeat(64);
const DOMAIN = 'mashang-audit-v1';

export interface AuditEntry {
  seq: number;
  at: string;
  /** `staff:<id>`, `technician:<id>`, `system`. */
  actor: string;
  action: string;
  detail: Detail;
  prevHash: string;
  hash: string;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export type AuditBreak =
  | { seq: number; problem: 'missing'; message: string }
  | { seq: number; problem: 'link'; message: string }
  | { seq: number; problem: 'hash'; message: string }
  | { seq: number; problem: 'headMismatch'; message: string };

export interface AuditVerification {
  ok: boolean;
  entries: number;
  head: AuditHead | null;
  /** The first broken link, or the first head sent earlier that the chain no longer matches. */
  firstBroken: AuditBreak | null;
}

interface Raw {
  seq: number;
  at: string;
  actor: string;
  action: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** The entry's hash; `detail` is the JSON text exactly as stored. */
export function auditHash(entry: { seq: number; at: string; actor: string; action: string; detail: string; prevHash: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([DOMAIN, entry.seq, entry.at, entry.actor, entry.action, entry.detail, entry.prevHash]))
    .digest('hex');
}

export class AuditLog {
  readonly #db: Db;
  readonly #context: RecordContext;

  constructor(db: Db, context: RecordContext) {
    this.#db = db;
    this.#context = context;
  }

  /** Appends an entry (inside the caller's transaction, with the change it records). */
  append(entry: { actor: string; action: string; detail?: Detail }): AuditEntry {
    const head = this.head();
    const seq = (head?.seq ?? 0) + 1;
    const prevHash = head?.hash ?? GENESIS_HASH;
    const at = this.#context.now();
    const detail = JSON.stringify(entry.detail ?? {});
    const hash = auditHash({ seq, at, actor: entry.actor, action: entry.action, detail, prevHash });
    this.#db
      .prepare('INSERT INTO audit_log (seq, at, actor, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(seq, at, entry.actor, entry.action, detail, prevHash, hash);
    return { seq, at, actor: entry.actor, action: entry.action, detail: entry.detail ?? {}, prevHash, hash };
  }

  head(): AuditHead | null {
    const row = this.#db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as AuditHead | undefined;
    return row ?? null;
  }

  entries(options: { last?: number } = {}): AuditEntry[] {
    const rows = (
      options.last === undefined
        ? this.#db.prepare('SELECT * FROM audit_log ORDER BY seq').all()
        : this.#db.prepare('SELECT * FROM (SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?) ORDER BY seq').all(options.last)
    ) as Raw[];
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      action: r.action,
      detail: JSON.parse(r.detail) as Detail,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  /**
   * Walks the chain from the first entry and reports the first broken link; then checks the chain
   * against the heads sent (or queued) to the card centre.
   */
  verify(sentHeads: readonly AuditHead[] = []): AuditVerification {
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let entries = 0;
    const hashAt = new Map<number, string>();
    const broken = (b: AuditBreak): AuditVerification => ({ ok: false, entries, head: this.head(), firstBroken: b });
    for (const row of this.#db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<Raw>) {
      if (row.seq !== expectedSeq) {
        return broken({ seq: expectedSeq, problem: 'missing', message: `entry #${expectedSeq} is missing (the next one is #${row.seq})` });
      }
      if (row.prev_hash !== prevHash) {
        return broken({ seq: row.seq, problem: 'link', message: `entry #${row.seq} does not link to entry #${row.seq - 1}` });
      }
      const hash = auditHash({ seq: row.seq, at: row.at, actor: row.actor, action: row.action, detail: row.detail, prevHash: row.prev_hash });
      if (hash !== row.hash) {
        return broken({ seq: row.seq, problem: 'hash', message: `entry #${row.seq} was altered (its hash does not match its content)` });
      }
      hashAt.set(row.seq, row.hash);
      prevHash = row.hash;
      expectedSeq++;
      entries++;
    }
    const head = entries === 0 ? null : { seq: entries, hash: prevHash };
    for (const sent of [...sentHeads].sort((a, b) => a.seq - b.seq)) {
      const ours = hashAt.get(sent.seq);
      if (ours === sent.hash) continue;
      return {
        ok: false,
        entries,
        head,
        firstBroken: {
          seq: sent.seq,
          problem: 'headMismatch',
          message:
            ours === undefined
              ? `the chain ends at #${entries}, but a head at #${sent.seq} was sent to the card centre: entries were removed`
              : `the chain at #${sent.seq} differs from the head sent to the card centre: the chain was rewritten`,
        },
      };
    }
    return { ok: true, entries, head, firstBroken: null };
  }
}
