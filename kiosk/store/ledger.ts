/**
 * The card-stock ledger: every movement of an accountable blank card, append-only.
 *
 *   loaded + corrections = issued + rejected + retained + in hopper + in process
 *
 * "In hopper" (loaded + corrections − fed) and "in process" (fed and not yet issued, rejected or
 * retained: at the contact station or the exit; 0 between sessions) are computed, never stored —
 * so the ledger is also checked against what the printer itself says: its feeder count, its
 * printed and rejected counters, and its hopper-empty signal. A double feed or any disagreement
 * is written down as a discrepancy for staff; an unresolved discrepancy takes the kiosk out of
 * service for residents. Nothing is ever adjusted silently: a correction is an entry with a
 * reason and the person who made it.
 */
import type { CardPrinterCounters } from '../../drivers/card-printer/card-printer.ts';
import type { RecordContext } from './clock.ts';
import type { Db } from './database.ts';
import type { Detail } from './journal.ts';

export type PrinterCounters = CardPrinterCounters;

export type LedgerKind = 'load' | 'fed' | 'issued' | 'rejected' | 'retained' | 'count' | 'correction' | 'discrepancy' | 'resolved';

export type DiscrepancyReason =
  /** More than one blank left the hopper for one feed. */
  | 'doubleFeed'
  /** A blank reached the contact station but the printer's feeder count did not drop. */
  | 'feederDidNotMove'
  /** The printer says its hopper is empty; the ledger says it holds blanks. */
  | 'hopperEmptySignal'
  /** Blanks are in (or came out of) the hopper that the ledger never saw loaded. */
  | 'unrecordedBlanks'
  /** The printer's printed counter did not move by one for one card face printed. */
  | 'printCountMismatch'
  /** The printer's reject counter did not move by one for one card put in the bin. */
  | 'rejectCountMismatch'
  /** The ledger has a card inside the printer; the printer has none. */
  | 'cardMissing'
  /** A staff count of the hopper differs from the ledger. */
  | 'countMismatch'
  /** The printer's counters changed while the kiosk was not recording (or a move went unrecorded). */
  | 'printerCountersMoved';

export interface Finding {
  reason: DiscrepancyReason;
  message: string;
  detail: Detail;
}

export interface LedgerEntry {
  seq: number;
  at: string;
  centreDate: string | null;
  kind: LedgerKind;
  count: number;
  batch: string | null;
  serialFirst: string | null;
  serialLast: string | null;
  sessionId: string | null;
  journalSeq: number | null;
  identification: string | null;
  reason: string | null;
  refersTo: number | null;
  actor: string;
  printer: PrinterCounters | null;
  detail: Detail;
}

export interface Discrepancy {
  seq: number;
  at: string;
  reason: DiscrepancyReason;
  message: string;
  sessionId: string | null;
  detail: Detail;
}

export interface StockBalance {
  loaded: number;
  /** Staff corrections to the hopper, signed. */
  corrections: number;
  fed: number;
  issued: number;
  rejected: number;
  retained: number;
  inHopper: number;
  inProcess: number;
  /** The equation holds with no negative term. */
  balanced: boolean;
  unresolved: Discrepancy[];
  /** The printer's counters as last recorded with a movement. */
  printer: PrinterCounters | null;
  lastSeq: number;
}

/** Who moved stock: a resident session (through the host), staff, a technician, the system. */
export const SESSION_ACTOR = 'host:session';
export const SYSTEM_ACTOR = 'system';

interface Raw {
  seq: number;
  at: string;
  centre_date: string | null;
  kind: LedgerKind;
  count: number;
  batch: string | null;
  serial_first: string | null;
  serial_last: string | null;
  session_id: string | null;
  journal_seq: number | null;
  identification: string | null;
  reason: string | null;
  refers_to: number | null;
  actor: string;
  printer: string | null;
  detail: string;
}

const toEntry = (r: Raw): LedgerEntry => ({
  seq: r.seq,
  at: r.at,
  centreDate: r.centre_date,
  kind: r.kind,
  count: r.count,
  batch: r.batch,
  serialFirst: r.serial_first,
  serialLast: r.serial_last,
  sessionId: r.session_id,
  journalSeq: r.journal_seq,
  identification: r.identification,
  reason: r.reason,
  refersTo: r.refers_to,
  actor: r.actor,
  printer: r.printer ? (JSON.parse(r.printer) as PrinterCounters) : null,
  detail: JSON.parse(r.detail) as Detail,
});

type NewEntry = Partial<Omit<LedgerEntry, 'seq' | 'at' | 'centreDate' | 'kind' | 'actor'>> & { kind: LedgerKind; actor: string };

/** Links a movement to the session and the journal record it belongs to. */
export interface MovementContext {
  /** Null for blanks that belong to no session (the extra blanks of a double feed). */
  sessionId: string | null;
  journalSeq: number;
  printer: PrinterCounters;
}

export class Ledger {
  readonly #db: Db;
  readonly #context: RecordContext;

  constructor(db: Db, context: RecordContext) {
    this.#db = db;
    this.#context = context;
  }

  #append(entry: NewEntry): number {
    const result = this.#db
      .prepare(
        `INSERT INTO stock_ledger (at, centre_date, kind, count, batch, serial_first, serial_last, session_id, journal_seq,
                                   identification, reason, refers_to, actor, printer, detail)
         VALUES (@at, @centreDate, @kind, @count, @batch, @serialFirst, @serialLast, @sessionId, @journalSeq,
                 @identification, @reason, @refersTo, @actor, @printer, @detail)`,
      )
      .run({
        at: this.#context.now(),
        centreDate: this.#context.centreDate(),
        kind: entry.kind,
        count: entry.count ?? 0,
        batch: entry.batch ?? null,
        serialFirst: entry.serialFirst ?? null,
        serialLast: entry.serialLast ?? null,
        sessionId: entry.sessionId ?? null,
        journalSeq: entry.journalSeq ?? null,
        identification: entry.identification ?? null,
        reason: entry.reason ?? null,
        refersTo: entry.refersTo ?? null,
        actor: entry.actor,
        printer: entry.printer ? JSON.stringify(entry.printer) : null,
        detail: JSON.stringify(entry.detail ?? {}),
      });
    return Number(result.lastInsertRowid);
  }

  /** Blanks put into the hopper: a batch with its serial range. */
  load(load: { count: number; batch: string; serialFirst?: string; serialLast?: string; actor: string; printer?: PrinterCounters }): number {
    if (!Number.isInteger(load.count) || load.count <= 0) throw new Error(`a load is a positive whole number of cards, got ${load.count}`);
    return this.#append({ kind: 'load', ...load });
  }

  /** Blanks that left the hopper for one feed (normally 1; a double feed says 2). */
  fed(count: number, at: MovementContext): number {
    return this.#append({ kind: 'fed', count, ...at , actor: SESSION_ACTOR });
  }

  /** The resident took the card. */
  issued(identification: string | null, at: MovementContext): number {
    return this.#append({ kind: 'issued', count: 1, identification, ...at , actor: SESSION_ACTOR });
  }

  /** A spoiled card into the reject bin; the 识别码 when the chip was written. */
  rejected(identification: string | null, reason: string, at: MovementContext): number {
    return this.#append({ kind: 'rejected', count: 1, identification, reason, ...at , actor: SESSION_ACTOR });
  }

  /** A card not taken in time, retained into the bin. */
  retained(identification: string | null, at: MovementContext): number {
    return this.#append({ kind: 'retained', count: 1, identification, ...at , actor: SESSION_ACTOR });
  }

  /**
   * Staff took cards found inside the printer (the loose blank of a double feed, a card left by a
   * crashed session) and put them in the reject bin.
   */
  removedByStaff(removal: { count: number; reason: string; actor: string; printer?: PrinterCounters }): number {
    if (!Number.isInteger(removal.count) || removal.count <= 0) throw new Error('a removal is a positive whole number of cards');
    if (!removal.reason.trim()) throw new Error('a removal needs a reason');
    return this.#append({ kind: 'rejected', count: removal.count, reason: removal.reason, actor: removal.actor, printer: removal.printer ?? null });
  }

  /** Staff counted the hopper; a count that differs from the ledger is a discrepancy. */
  count(count: { counted: number; actor: string; printer?: PrinterCounters }): { seq: number; discrepancy: number | null } {
    const balance = this.balance();
    const seq = this.#append({ kind: 'count', count: count.counted, actor: count.actor, printer: count.printer ?? null, detail: { ledger: balance.inHopper } });
    if (count.counted === balance.inHopper) return { seq, discrepancy: null };
    const discrepancy = this.raise({
      reason: 'countMismatch',
      message: `staff counted ${count.counted} blanks in the hopper; the ledger says ${balance.inHopper}`,
      detail: { counted: count.counted, ledger: balance.inHopper, countSeq: seq },
    });
    return { seq, discrepancy };
  }

  /** A staff correction of the hopper (signed), with its reason; resolves the discrepancies named. */
  correction(correction: { delta: number; reason: string; actor: string; resolves?: number[]; printer?: PrinterCounters }): number {
    if (!Number.isInteger(correction.delta) || correction.delta === 0) throw new Error('a correction moves a non-zero whole number of cards');
    if (!correction.reason.trim()) throw new Error('a correction needs a reason');
    const seq = this.#append({ kind: 'correction', count: correction.delta, reason: correction.reason, actor: correction.actor, printer: correction.printer ?? null });
    for (const discrepancy of correction.resolves ?? []) this.resolve(discrepancy, correction.actor, `corrected by #${seq}`);
    return seq;
  }

  /** Writes a discrepancy down. */
  raise(finding: Finding, at: Partial<MovementContext> = {}): number {
    return this.#append({
      kind: 'discrepancy',
      count: 0,
      reason: finding.reason,
      actor: SYSTEM_ACTOR,
      detail: { message: finding.message, ...finding.detail },
      ...at,
    });
  }

  /**
   * For checks that run again and again on the same state (at rest, before every session): writes
   * the discrepancy unless one of the same kind is still open.
   */
  raiseOnce(finding: Finding, at: Partial<MovementContext> = {}): number {
    const open = this.unresolved().find((d) => d.reason === finding.reason);
    return open ? open.seq : this.raise(finding, at);
  }

  /**
   * A person says a discrepancy is dealt with, and why. `printer`: the printer's counters as that
   * person found them — recorded with the resolution, they are what the next check at rest
   * compares with, so counters that moved while nothing was recording are not found "moved" again.
   */
  resolve(discrepancySeq: number, actor: string, note: string, printer?: PrinterCounters): number {
    const target = this.#db.prepare("SELECT kind FROM stock_ledger WHERE seq = ?").get(discrepancySeq) as { kind: string } | undefined;
    if (target?.kind !== 'discrepancy') throw new Error(`#${discrepancySeq} is not a discrepancy`);
    if (!note.trim()) throw new Error('resolving a discrepancy needs a note');
    // Once: a second resolution (two clerks, a stale screen) would say something happened twice.
    if (this.#db.prepare("SELECT 1 FROM stock_ledger WHERE kind = 'resolved' AND refers_to = ?").get(discrepancySeq))
      throw new Error(`#${discrepancySeq} is already resolved`);
    return this.#append({ kind: 'resolved', count: 0, refersTo: discrepancySeq, actor, reason: note, printer: printer ?? null });
  }

  balance(): StockBalance {
    const sums = this.#db
      .prepare(
        `SELECT coalesce(sum(CASE kind WHEN 'load' THEN count END), 0) AS loaded,
                coalesce(sum(CASE kind WHEN 'correction' THEN count END), 0) AS corrections,
                coalesce(sum(CASE kind WHEN 'fed' THEN count END), 0) AS fed,
                coalesce(sum(CASE kind WHEN 'issued' THEN count END), 0) AS issued,
                coalesce(sum(CASE kind WHEN 'rejected' THEN count END), 0) AS rejected,
                coalesce(sum(CASE kind WHEN 'retained' THEN count END), 0) AS retained,
                coalesce(max(seq), 0) AS lastSeq
           FROM stock_ledger`,
      )
      .get() as Omit<StockBalance, 'inHopper' | 'inProcess' | 'balanced' | 'unresolved' | 'printer'>;
    const inHopper = sums.loaded + sums.corrections - sums.fed;
    const inProcess = sums.fed - sums.issued - sums.rejected - sums.retained;
    const balanced =
      inHopper >= 0 &&
      inProcess >= 0 &&
      sums.loaded + sums.corrections === sums.issued + sums.rejected + sums.retained + inHopper + inProcess;
    return { ...sums, inHopper, inProcess, balanced, unresolved: this.unresolved(), printer: this.lastPrinter() };
  }

  unresolved(): Discrepancy[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM stock_ledger d
          WHERE d.kind = 'discrepancy'
            AND NOT EXISTS (SELECT 1 FROM stock_ledger r WHERE r.kind = 'resolved' AND r.refers_to = d.seq)
          ORDER BY d.seq`,
      )
      .all() as Raw[];
    return rows.map(toEntry).map((e) => ({
      seq: e.seq,
      at: e.at,
      reason: e.reason as DiscrepancyReason,
      message: String(e.detail.message ?? e.reason),
      sessionId: e.sessionId,
      detail: e.detail,
    }));
  }

  /** The printer's counters as recorded with the latest entry that carried them. */
  lastPrinter(): PrinterCounters | null {
    const row = this.#db.prepare('SELECT printer FROM stock_ledger WHERE printer IS NOT NULL ORDER BY seq DESC LIMIT 1').get() as
      | { printer: string }
      | undefined;
    return row ? (JSON.parse(row.printer) as PrinterCounters) : null;
  }

  /** Cards of this session fed and not yet issued, rejected or retained. */
  inProcessFor(sessionId: string): number {
    const row = this.#db
      .prepare(
        `SELECT coalesce(sum(CASE kind WHEN 'fed' THEN count WHEN 'issued' THEN -count WHEN 'rejected' THEN -count
                                       WHEN 'retained' THEN -count END), 0) AS n
           FROM stock_ledger WHERE session_id = ?`,
      )
      .get(sessionId) as { n: number };
    return row.n;
  }

  entries(options: { sinceSeq?: number; limit?: number } = {}): LedgerEntry[] {
    return (
      this.#db
        .prepare('SELECT * FROM stock_ledger WHERE seq > ? ORDER BY seq LIMIT ?')
        .all(options.sinceSeq ?? 0, options.limit ?? -1) as Raw[]
    ).map(toEntry);
  }

  isEmpty(): boolean {
    return this.#db.prepare('SELECT 1 FROM stock_ledger LIMIT 1').get() === undefined;
  }
}

// ---- Cross-checks against what the printer says (pure) ----

/**
 * After one feed: how many blanks the printer's feeder count says left the hopper, and what
 * disagrees. A successful feed with a feeder count that did not move still put one card in the
 * printer (the card at the station is real); a failed feed that moved the count jammed a blank
 * inside, which the reject path then bins.
 */
export function checkFeed(
  fedOk: boolean,
  before: PrinterCounters,
  after: PrinterCounters,
  hopperBefore: number,
): { fed: number; findings: Finding[] } {
  const dropped = before.blanksInFeeder - after.blanksInFeeder;
  const findings: Finding[] = [];
  let fed = Math.max(dropped, 0);
  if (dropped > 1) {
    findings.push({
      reason: 'doubleFeed',
      message: `${dropped} blanks left the hopper for one feed (double feed): a loose blank may be inside the printer`,
      detail: { dropped, feederBefore: before.blanksInFeeder, feederAfter: after.blanksInFeeder },
    });
  }
  if (fedOk && dropped < 1) {
    fed = 1;
    findings.push({
      reason: 'feederDidNotMove',
      message: `a blank reached the contact station but the printer's feeder count went from ${before.blanksInFeeder} to ${after.blanksInFeeder}`,
      detail: { feederBefore: before.blanksInFeeder, feederAfter: after.blanksInFeeder },
    });
  }
  if (fed > hopperBefore) {
    findings.push({
      reason: 'unrecordedBlanks',
      message: `${fed} blank(s) came out of a hopper the ledger says held ${hopperBefore}: blanks were loaded without a record`,
      detail: { fed, ledgerHopper: hopperBefore },
    });
  }
  return { fed, findings };
}

/** After printing a face or binning a card: the printer's counter must move by exactly one. */
export function checkCounter(kind: 'printed' | 'rejected', before: PrinterCounters, after: PrinterCounters): Finding[] {
  const delta = kind === 'printed' ? after.cardsPrinted - before.cardsPrinted : after.cardsRejected - before.cardsRejected;
  if (delta === 1) return [];
  return [
    {
      reason: kind === 'printed' ? 'printCountMismatch' : 'rejectCountMismatch',
      message: `the printer's ${kind} counter moved by ${delta} for one card`,
      detail: { delta },
    },
  ];
}

/**
 * With no card moving (start, before a session): the printer's counters must be those recorded
 * with the last movement, and its hopper-empty signal must agree with the ledger's hopper.
 */
export function checkAtRest(balance: StockBalance, now: PrinterCounters, printerSaysEmpty: boolean): Finding[] {
  const findings: Finding[] = [];
  const last = balance.printer;
  if (
    last &&
    (last.blanksInFeeder !== now.blanksInFeeder || last.cardsPrinted !== now.cardsPrinted || last.cardsRejected !== now.cardsRejected)
  ) {
    findings.push({
      reason: 'printerCountersMoved',
      message: `the printer's counters changed while no movement was recorded (feeder ${last.blanksInFeeder}→${now.blanksInFeeder}, printed ${last.cardsPrinted}→${now.cardsPrinted}, rejected ${last.cardsRejected}→${now.cardsRejected})`,
      detail: {
        feederWas: last.blanksInFeeder,
        feederNow: now.blanksInFeeder,
        printedWas: last.cardsPrinted,
        printedNow: now.cardsPrinted,
        rejectedWas: last.cardsRejected,
        rejectedNow: now.cardsRejected,
      },
    });
  }
  if (printerSaysEmpty && balance.inHopper > 0) {
    findings.push({
      reason: 'hopperEmptySignal',
      message: `the printer says its hopper is empty; the ledger says it holds ${balance.inHopper} blanks`,
      detail: { ledgerHopper: balance.inHopper },
    });
  }
  if (!printerSaysEmpty && balance.inHopper <= 0 && now.blanksInFeeder > 0) {
    findings.push({
      reason: 'unrecordedBlanks',
      message: `the printer reports ${now.blanksInFeeder} blanks in its hopper; the ledger has none loaded`,
      detail: { printerFeeder: now.blanksInFeeder, ledgerHopper: balance.inHopper },
    });
  }
  return findings;
}
