/**
 * The session journal: intent and outcome records around every side effect of a resident
 * session. Before the kiosk touches the world it commits "about to do STEP with KEY"; after, in
 * the same transaction as the ledger and outbox entries the result implies, "STEP with KEY done /
 * failed / unknown". Recovery reads these records — never a replayed state-machine snapshot —
 * and asks the world about every intent without an outcome and every "unknown".
 *
 * Keys are the idempotency keys of the side effects (the card centre deduplicates on them), so a
 * recovered session can ask "did KEY happen?" and repeat a call without doing it twice.
 *
 * Detail objects never carry personal data. What recovery needs of the resident (their ID number
 * and card number, to repeat a loss report or an application under its key) is sealed with the
 * journal key and deleted when the session settles.
 */
import type { RecordContext } from './clock.ts';
import type { Db } from './database.ts';
import type { SealKey } from './seal.ts';

/** Every side effect of a resident session, by name. */
export const JOURNAL_STEPS = [
  'identityVerified',
  'lossReported',
  'applicationOpened',
  'paymentStarted',
  'paymentSettled',
  'paymentRefunded',
  'blankTaken',
  'chipPersonalised',
  'facePrinted',
  'cardEjected',
  'cardTaken',
  'cardRejected',
  'cardRetained',
  'receiptPrinted',
] as const;
export type JournalStep = (typeof JOURNAL_STEPS)[number];

export type StepOutcome = 'done' | 'failed' | 'unknown';

/**
 * What recovery learned of an in-doubt record from the world (kiosk/recovery): it happened, it did
 * not, or the world cannot tell and it no longer matters (abandoned: never done again).
 */
export type Resolution = 'done' | 'failed' | 'abandoned';

export interface ResolutionRecord {
  key: string;
  sessionId: string;
  step: JournalStep;
  outcome: Resolution;
  detail: Detail;
  at: string;
}

/** JSON without personal data: numbers, codes, masked values, the chip's 识别码. */
export type Detail = Record<string, string | number | boolean | null>;

/** What recovery needs of the resident; sealed at rest, deleted at settlement. */
export interface SealedResident {
  idNumber: string;
  cardNo: string;
}

export interface JournalRecord {
  seq: number;
  sessionId: string;
  step: JournalStep;
  key: string;
  kind: 'intent' | 'outcome';
  outcome: StepOutcome | null;
  detail: Detail;
  at: string;
}

export interface SessionRow {
  id: string;
  openedAt: string;
  centreDate: string | null;
  applicationNo: string | null;
  transactionNo: string | null;
  settledAt: string | null;
  outcome: string | null;
}

/** A side effect whose outcome is not known: an intent without outcome, or an outcome "unknown". */
export interface InDoubt {
  step: JournalStep;
  key: string;
  intentSeq: number;
  intentAt: string;
  outcome: 'unknown' | null;
}

export interface UnsettledSession extends SessionRow {
  lastRecord: Pick<JournalRecord, 'seq' | 'step' | 'kind' | 'outcome' | 'at'> | null;
  inDoubt: InDoubt[];
  holdsSealedData: boolean;
}

interface RawRecord {
  seq: number;
  session_id: string;
  step: string;
  key: string;
  kind: 'intent' | 'outcome';
  outcome: StepOutcome | null;
  detail: string;
  at: string;
}

interface RawSession {
  id: string;
  opened_at: string;
  centre_date: string | null;
  application_no: string | null;
  transaction_no: string | null;
  settled_at: string | null;
  outcome: string | null;
}

const toRecord = (r: RawRecord): JournalRecord => ({
  seq: r.seq,
  sessionId: r.session_id,
  step: r.step as JournalStep,
  key: r.key,
  kind: r.kind,
  outcome: r.outcome,
  detail: JSON.parse(r.detail) as Detail,
  at: r.at,
});

const toSession = (r: RawSession): SessionRow => ({
  id: r.id,
  openedAt: r.opened_at,
  centreDate: r.centre_date,
  applicationNo: r.application_no,
  transactionNo: r.transaction_no,
  settledAt: r.settled_at,
  outcome: r.outcome,
});

const sealContext = (sessionId: string) => `mashang.session.${sessionId}`;

export class Journal {
  readonly #db: Db;
  readonly #context: RecordContext;
  readonly #sealKey: SealKey | null;

  constructor(db: Db, context: RecordContext, sealKey: SealKey | null) {
    this.#db = db;
    this.#context = context;
    this.#sealKey = sealKey;
  }

  /** Opens a session (inside the transaction of its first intent), sealing what recovery needs. */
  openSession(sessionId: string, resident: SealedResident | null): void {
    this.#db
      .prepare('INSERT INTO sessions (id, opened_at, centre_date) VALUES (?, ?, ?)')
      .run(sessionId, this.#context.now(), this.#context.centreDate());
    if (resident) {
      if (!this.#sealKey) throw new Error('the journal key is needed to keep personal data for recovery');
      this.#db
        .prepare('INSERT INTO session_sealed (session_id, sealed) VALUES (?, ?)')
        .run(sessionId, this.#sealKey.seal(resident, sealContext(sessionId)));
    }
  }

  /** The card centre's application and transaction numbers (not personal data). */
  setApplication(sessionId: string, applicationNo: string, transactionNo: string): void {
    this.#db
      .prepare('UPDATE sessions SET application_no = ?, transaction_no = ? WHERE id = ?')
      .run(applicationNo, transactionNo, sessionId);
  }

  /** "About to do STEP with KEY". Returns the record's sequence number. */
  intent(sessionId: string, step: JournalStep, key: string, detail: Detail = {}): number {
    const result = this.#db
      .prepare("INSERT INTO journal (session_id, step, key, kind, detail, at) VALUES (?, ?, ?, 'intent', ?, ?)")
      .run(sessionId, step, key, JSON.stringify(detail), this.#context.now());
    return Number(result.lastInsertRowid);
  }

  /** "STEP with KEY done / failed / unknown": only for an intent recorded before. */
  outcome(sessionId: string, step: JournalStep, key: string, outcome: StepOutcome, detail: Detail = {}): number {
    const intent = this.#db
      .prepare("SELECT session_id, step FROM journal WHERE key = ? AND kind = 'intent'")
      .get(key) as { session_id: string; step: string } | undefined;
    if (!intent || intent.session_id !== sessionId || intent.step !== step) {
      throw new Error(`no intent for ${step} with key ${key} in session ${sessionId}`);
    }
    const result = this.#db
      .prepare("INSERT INTO journal (session_id, step, key, kind, outcome, detail, at) VALUES (?, ?, ?, 'outcome', ?, ?, ?)")
      .run(sessionId, step, key, outcome, JSON.stringify(detail), this.#context.now());
    return Number(result.lastInsertRowid);
  }

  session(sessionId: string): SessionRow | null {
    const row = this.#db.prepare('SELECT * FROM sessions WHERE id = ?').get(sessionId) as RawSession | undefined;
    return row ? toSession(row) : null;
  }

  records(sessionId: string): JournalRecord[] {
    return (this.#db.prepare('SELECT * FROM journal WHERE session_id = ? ORDER BY seq').all(sessionId) as RawRecord[]).map(toRecord);
  }

  /** The outcome recorded for KEY, if any. */
  outcomeOf(key: string): StepOutcome | null {
    const row = this.#db.prepare("SELECT outcome FROM journal WHERE key = ? AND kind = 'outcome'").get(key) as
      | { outcome: StepOutcome }
      | undefined;
    return row?.outcome ?? null;
  }

  /** Intents without an outcome, and outcomes "unknown", that recovery has not resolved. */
  inDoubt(sessionId: string): InDoubt[] {
    const unresolved = this.#hasResolutions() ? 'AND NOT EXISTS (SELECT 1 FROM journal_resolutions r WHERE r.key = i.key)' : '';
    const rows = this.#db
      .prepare(
        `SELECT i.step, i.key, i.seq AS intent_seq, i.at AS intent_at, o.outcome
           FROM journal i LEFT JOIN journal o ON o.key = i.key AND o.kind = 'outcome'
          WHERE i.session_id = ? AND i.kind = 'intent' AND (o.seq IS NULL OR o.outcome = 'unknown') ${unresolved}
          ORDER BY i.seq`,
      )
      .all(sessionId) as { step: JournalStep; key: string; intent_seq: number; intent_at: string; outcome: 'unknown' | null }[];
    return rows.map((r) => ({ step: r.step, key: r.key, intentSeq: r.intent_seq, intentAt: r.intent_at, outcome: r.outcome }));
  }

  /**
   * Recovery's answer for an in-doubt record: what the world says happened. Only for a key that is
   * in doubt (an intent of this session and step, with no outcome or "unknown", not resolved yet).
   */
  resolve(sessionId: string, step: JournalStep, key: string, outcome: Resolution, detail: Detail = {}): void {
    const doubt = this.inDoubt(sessionId).find((d) => d.key === key);
    if (!doubt || doubt.step !== step) throw new Error(`${step} with key ${key} is not in doubt in session ${sessionId}`);
    this.#db
      .prepare('INSERT INTO journal_resolutions (key, session_id, step, outcome, detail, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(key, sessionId, step, outcome, JSON.stringify(detail), this.#context.now());
  }

  /** What recovery resolved in this session, in the order it did. */
  resolutions(sessionId: string): ResolutionRecord[] {
    if (!this.#hasResolutions()) return [];
    const rows = this.#db.prepare('SELECT * FROM journal_resolutions WHERE session_id = ? ORDER BY rowid').all(sessionId) as {
      key: string;
      session_id: string;
      step: string;
      outcome: Resolution;
      detail: string;
      at: string;
    }[];
    return rows.map((r) => ({ key: r.key, sessionId: r.session_id, step: r.step as JournalStep, outcome: r.outcome, detail: JSON.parse(r.detail) as Detail, at: r.at }));
  }

  /** Whether KEY has a record of either kind (recovery picks keys of its own that are free). */
  hasKey(key: string): boolean {
    return this.#db.prepare('SELECT 1 FROM journal WHERE key = ? LIMIT 1').get(key) !== undefined;
  }

  /** The application number learned by recovery, for a session whose application outcome was lost. */
  setApplicationNumber(sessionId: string, applicationNo: string): void {
    this.#db.prepare('UPDATE sessions SET application_no = coalesce(application_no, ?) WHERE id = ?').run(applicationNo, sessionId);
  }

  /** Sessions not settled yet, oldest first: what recovery (and `mashang journal`) looks at. */
  unsettled(): UnsettledSession[] {
    const sessions = this.#db.prepare('SELECT * FROM sessions WHERE settled_at IS NULL ORDER BY opened_at, id').all() as RawSession[];
    const last = this.#db.prepare('SELECT seq, step, kind, outcome, at FROM journal WHERE session_id = ? ORDER BY seq DESC LIMIT 1');
    const sealed = this.#db.prepare('SELECT 1 FROM session_sealed WHERE session_id = ?');
    return sessions.map((row) => ({
      ...toSession(row),
      lastRecord: (last.get(row.id) as UnsettledSession['lastRecord'] | undefined) ?? null,
      inDoubt: this.inDoubt(row.id),
      holdsSealedData: sealed.get(row.id) !== undefined,
    }));
  }

  /** The sealed personal data of an unsettled session (recovery only); null when none is kept. */
  sealedResident(sessionId: string): SealedResident | null {
    const row = this.#db.prepare('SELECT sealed FROM session_sealed WHERE session_id = ?').get(sessionId) as
      | { sealed: Buffer }
      | undefined;
    if (!row) return null;
    if (!this.#sealKey) throw new Error('the journal key is needed to open sealed data');
    return this.#sealKey.open<SealedResident>(row.sealed, sealContext(sessionId));
  }

  /** Marks the session settled and deletes its sealed data (the caller checked it may settle). */
  markSettled(sessionId: string, outcome: string): void {
    this.#db.prepare('UPDATE sessions SET settled_at = ?, outcome = ? WHERE id = ?').run(this.#context.now(), outcome, sessionId);
    this.#db.prepare('DELETE FROM session_sealed WHERE session_id = ?').run(sessionId);
  }

  /** Records of a version before recovery's resolutions (read by the CLI before a host migrated them). */
  #resolutionsTable: boolean | null = null;
  #hasResolutions(): boolean {
    if (this.#resolutionsTable) return true;
    this.#resolutionsTable =
      this.#db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal_resolutions'").get() !== undefined;
    return this.#resolutionsTable;
  }

  /** Counts for metrics and the bench. */
  counts(): { sessions: number; unsettled: number; records: number; sealed: number } {
    return this.#db
      .prepare(
        `SELECT (SELECT count(*) FROM sessions) AS sessions,
                (SELECT count(*) FROM sessions WHERE settled_at IS NULL) AS unsettled,
                (SELECT count(*) FROM journal) AS records,
                (SELECT count(*) FROM session_sealed) AS sealed`,
      )
      .get() as { sessions: number; unsettled: number; records: number; sealed: number };
  }
}
