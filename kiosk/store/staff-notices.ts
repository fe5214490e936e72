/**
 * What needs a person: the list staff see (`mashang journal`, /healthz) of what the kiosk could not
 * settle by itself — a card retained for its resident, a refund the card centre has not
 * acknowledged yet, a card stuck in the printer. Recovery after a crash writes most of them; each
 * is also appended to the audit log, so the list cannot be quietly shortened.
 *
 * A notice stays open until staff clear it; the same open notice (session and kind) is never
 * written twice, so a kiosk restarted again and again does not bury staff under copies.
 */
import type { RecordContext } from './clock.ts';
import type { Db } from './database.ts';
import type { Detail } from './journal.ts';

export type StaffNoticeKind =
  /** A card made for a resident is in the reject bin, retained: hand it over when they come. */
  | 'cardRetained'
  /** A fee to give back that the card centre has not acknowledged yet (the outbox keeps asking). */
  | 'refundPending'
  /** The resident left without a card: what was done for them (loss reported, fee refunded). */
  | 'leftWithoutCard'
  /** A card could not be moved out of the printer (jam, printer not answering): take it out. */
  | 'cardStuck'
  /** The ledger has a card the printer does not: find where it went. */
  | 'cardMissing'
  /** Something recovery could not find out (the card centre or the printer did not answer). */
  | 'unresolved'
  /** The kiosk's records file is damaged: the kiosk is out of service. */
  | 'recordsDamaged';

export interface StaffNotice {
  id: number;
  at: string;
  sessionId: string | null;
  kind: StaffNoticeKind;
  message: string;
  detail: Detail;
  clearedAt: string | null;
  clearedBy: string | null;
}

interface Raw {
  id: number;
  at: string;
  session_id: string | null;
  kind: StaffNoticeKind;
  message: string;
  detail: string;
  cleared_at: string | null;
  cleared_by: string | null;
}

const toNotice = (r: Raw): StaffNotice => ({
  id: r.id,
  at: r.at,
  sessionId: r.session_id,
  kind: r.kind,
  message: r.message,
  detail: JSON.parse(r.detail) as Detail,
  clearedAt: r.cleared_at,
  clearedBy: r.cleared_by,
});

export class StaffNotices {
  readonly #db: Db;
  readonly #context: RecordContext;
  #table: boolean | null = null;

  constructor(db: Db, context: RecordContext) {
    this.#db = db;
    this.#context = context;
  }

  /** Writes a notice (inside the caller's transaction) unless the same one is open; returns its id. */
  add(notice: { sessionId: string | null; kind: StaffNoticeKind; message: string; detail?: Detail }): { id: number; added: boolean } {
    const open = this.#db
      .prepare('SELECT id FROM staff_notices WHERE cleared_at IS NULL AND kind = ? AND session_id IS ?')
      .get(notice.kind, notice.sessionId) as { id: number } | undefined;
    if (open) return { id: open.id, added: false };
    const result = this.#db
      .prepare('INSERT INTO staff_notices (at, session_id, kind, message, detail) VALUES (?, ?, ?, ?, ?)')
      .run(this.#context.now(), notice.sessionId, notice.kind, notice.message, JSON.stringify(notice.detail ?? {}));
    return { id: Number(result.lastInsertRowid), added: true };
  }

  /** Staff dealt with it. */
  clear(id: number, actor: string): boolean {
    return this.#db.prepare('UPDATE staff_notices SET cleared_at = ?, cleared_by = ? WHERE id = ? AND cleared_at IS NULL').run(this.#context.now(), actor, id).changes === 1;
  }

  /** Open notices, oldest first. */
  open(): StaffNotice[] {
    if (!this.#exists()) return [];
    return (this.#db.prepare('SELECT * FROM staff_notices WHERE cleared_at IS NULL ORDER BY id').all() as Raw[]).map(toNotice);
  }

  /** Every notice of a session, open or cleared. */
  forSession(sessionId: string): StaffNotice[] {
    if (!this.#exists()) return [];
    return (this.#db.prepare('SELECT * FROM staff_notices WHERE session_id = ? ORDER BY id').all(sessionId) as Raw[]).map(toNotice);
  }

  /** Records of a version before this list existed (the CLI reading a file no host has migrated yet). */
  #exists(): boolean {
    if (this.#table) return true;
    this.#table = this.#db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'staff_notices'").get() !== undefined;
    return this.#table;
  }
}
