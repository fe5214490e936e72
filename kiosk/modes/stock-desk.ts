/**
 * What a clerk does to the card stock and the consumables at the kiosk, each checked, written to
 * the ledger and the audit log with the clerk's staff id, and answered as a message for the
 * screen:
 *
 * - load a box: refused when the batch was loaded before, when the count disagrees with the
 *   serial range, or when it would overfill the hopper;
 * - empty the reject bin: the kiosk says how many cards should be in it (rejected + retained since
 *   it was last emptied), the clerk says how many they counted, and a difference is written down
 *   (audit log, log file, daily report) — never adjusted away;
 * - count the hopper: a count the ledger agrees with is recorded; one that differs is recorded as
 *   a discrepancy (residents kept away) until the clerk says why — a preset reason — and the
 *   ledger is corrected to the count, with that reason, resolving it. The stock is then checked
 *   against the printer again at once, as after any resolution;
 * - new receipt paper, new ribbon: the counters start again. A used monochrome ribbon holds a
 *   readable negative of every face printed with it, so taking it out, destroying it and fitting a
 *   new one are three confirmed, audited steps.
 *
 * On the simulated kiosk the clerk's hands are the simulators': a load puts the blanks in the
 * simulated hopper, emptying the bin empties the simulated reject box, new paper or ribbon clears
 * that fault.
 */
import type { CountReason, OperationResult } from '../../flows/kiosk/types.ts';
import type { Devices } from '../host/devices.ts';
import type { Logger } from '../log/logger.ts';
import type { AuditEntry } from '../store/audit.ts';
import { staffStock, type StaffActor } from '../store/staff-stock.ts';
import { checkStockAtRestAndRecord, printerAnswers } from '../store/stock-check.ts';
import { RecordsUnavailableError, type KioskStore } from '../store/store.ts';
import { serialRange } from './box-label.ts';

export const AUDIT = {
  binEmptied: 'stock.rejectBinEmptied',
  paperReplaced: 'consumable.paperReplaced',
  ribbonRemoved: 'consumable.ribbonRemoved',
  ribbonDisposed: 'consumable.ribbonDisposed',
  ribbonFitted: 'consumable.ribbonFitted',
} as const;

export interface StockFigures {
  inHopper: number;
  capacity: number;
  binExpected: number;
  binSince: string | null;
  /** Rejected and retained since the bin was last emptied. */
  rejectedSince: number;
  retainedSince: number;
  lastBinDifference: number | null;
  discrepancies: number;
  outOfService: boolean;
  ribbonFaces: number;
  ribbonSince: string | null;
  paper: 'ok' | 'nearEnd' | 'out' | 'unknown';
  paperSince: string | null;
}

const ok = (
  code: OperationResult['code'],
  params: OperationResult['params'] = {},
): OperationResult => ({ ok: true, code, params });
const refused = (
  code: OperationResult['code'],
  params: OperationResult['params'] = {},
): OperationResult => ({ ok: false, code, params });

/** The last audit entry of `action`, newest first. */
function lastOf(entries: readonly AuditEntry[], action: string): AuditEntry | null {
  for (let i = entries.length - 1; i >= 0; i--)
    if (entries[i]!.action === action) return entries[i]!;
  return null;
}

export class StockDesk {
  readonly #store: KioskStore;
  readonly #devices: Devices;
  readonly #logger: Logger;
  readonly #capacity: number;

  constructor(deps: {
    store: KioskStore;
    devices: Devices;
    logger: Logger;
    hopperCapacity: number;
  }) {
    this.#store = deps.store;
    this.#devices = deps.devices;
    this.#logger = deps.logger;
    this.#capacity = deps.hopperCapacity;
  }

  figures(): StockFigures {
    const store = this.#store;
    const { balance, audit } = store.snapshot(() => ({
      balance: store.ledger.balance(),
      audit: store.audit.entries(),
    }));
    const emptied = lastOf(audit, AUDIT.binEmptied);
    const rejectedAt = Number(emptied?.detail.rejectedTotal ?? 0);
    const retainedAt = Number(emptied?.detail.retainedTotal ?? 0);
    const rejectedSince = Math.max(0, balance.rejected - rejectedAt);
    const retainedSince = Math.max(0, balance.retained - retainedAt);
    const fitted = lastOf(audit, AUDIT.ribbonFitted);
    const printed = this.#devices.cardPrinter.counters().cardsPrinted;
    const printedAtFit = Number(fitted?.detail.cardsPrinted ?? 0);
    const receipt = this.#devices.receiptPrinter.status();
    return {
      inHopper: balance.inHopper,
      capacity: this.#capacity,
      binExpected: rejectedSince + retainedSince,
      binSince: emptied?.at ?? null,
      rejectedSince,
      retainedSince,
      lastBinDifference: emptied ? Number(emptied.detail.difference ?? 0) : null,
      discrepancies: balance.unresolved.length,
      outOfService: store.serviceBlock() !== null,
      // A printer whose counters started again (replaced) counts from zero.
      ribbonFaces: printed >= printedAtFit ? printed - printedAtFit : printed,
      ribbonSince: fitted?.at ?? null,
      paper:
        receipt.state === 'ready'
          ? receipt.warnings.includes('paperNearEnd')
            ? 'nearEnd'
            : 'ok'
          : receipt.state === 'fault' && receipt.code === 'paperOut'
            ? 'out'
            : 'unknown',
      paperSince: lastOf(audit, AUDIT.paperReplaced)?.at ?? null,
    };
  }

  /** A box of blanks into the hopper. */
  load(
    load: { batch: string; serialFirst: string; serialLast: string; count: number },
    actor: StaffActor,
  ): OperationResult {
    const range = serialRange(load.serialFirst, load.serialLast);
    if (range === null)
      return refused('serialsInvalid', { first: load.serialFirst, last: load.serialLast });
    if (range !== load.count) return refused('countMismatch', { count: load.count, range });
    const store = this.#store;
    const earlier = store.ledger
      .entries()
      .find((e) => e.kind === 'load' && e.batch?.toUpperCase() === load.batch.toUpperCase());
    if (earlier) return refused('batchAlreadyLoaded', { batch: load.batch, at: earlier.at });
    const inHopper = store.ledger.balance().inHopper;
    if (inHopper + load.count > this.#capacity) {
      return refused('overCapacity', { inHopper, count: load.count, capacity: this.#capacity });
    }
    const printer = this.#devices.cardPrinter;
    const simulated = this.#devices.simulation?.cardPrinter ?? null;
    // The clerk's hands on the simulated kiosk: the blanks go into the simulated hopper first, so
    // the ledger records the printer's counters as they are with them inside.
    simulated?.simulator.loadBlanks(load.count);
    // A real printer cannot count its feeder: it is told what the ledger will say, before its
    // counters are recorded with the load — recorded first, the next check at rest would find
    // the feeder count "moved" with nothing recorded, and take the kiosk out of service.
    const real = simulated ? null : (printer as { setBlanksLoaded?: (n: number) => void });
    real?.setBlanksLoaded?.(inHopper + load.count);
    try {
      staffStock(store).load({ ...load, actor, printer: printer.counters() });
    } catch (error) {
      simulated?.simulator.loadBlanks(-load.count);
      real?.setBlanksLoaded?.(inHopper);
      return this.#failure(error, 'stock.load');
    }
    const after = store.ledger.balance().inHopper;
    this.#logger.info(
      { event: 'stock.loaded', actor, batch: load.batch, count: load.count, inHopper: after },
      'blank cards loaded',
    );
    return ok('loaded', { count: load.count, batch: load.batch, inHopper: after });
  }

  emptyRejectBin(counted: number, actor: StaffActor): OperationResult {
    const store = this.#store;
    const figures = this.figures();
    const balance = store.ledger.balance();
    const difference = counted - figures.binExpected;
    try {
      store.write(() =>
        store.audit.append({
          actor,
          action: AUDIT.binEmptied,
          detail: {
            expected: figures.binExpected,
            counted,
            difference,
            rejectedSince: figures.rejectedSince,
            retainedSince: figures.retainedSince,
            rejectedTotal: balance.rejected,
            retainedTotal: balance.retained,
          },
        }),
      );
    } catch (error) {
      return this.#failure(error, AUDIT.binEmptied);
    }
    this.#devices.simulation?.cardPrinter.simulator.emptyRejectBox();
    if (difference !== 0) {
      this.#logger.warn(
        {
          event: 'stock.reject_bin_difference',
          actor,
          expected: figures.binExpected,
          counted,
          difference,
        },
        'the reject bin did not hold what the ledger says: written down for the daily report',
      );
      return ok('binDifference', { expected: figures.binExpected, counted, difference });
    }
    this.#logger.info({ event: 'stock.reject_bin_emptied', actor, counted }, 'reject bin emptied');
    return ok('binEmptied', { expected: figures.binExpected, counted });
  }

  /**
   * The clerk counted the blanks in the hopper. Whatever disagreed before is written down first,
   * so the printer's counters recorded with the count hide nothing from the next check.
   */
  countHopper(counted: number, actor: StaffActor): OperationResult {
    const store = this.#store;
    const printer = this.#devices.cardPrinter;
    let ledger: number;
    let count: { seq: number; discrepancy: number | null };
    try {
      checkStockAtRestAndRecord(store, printer, this.#logger);
      ledger = store.ledger.balance().inHopper;
      count = staffStock(store).count({
        counted,
        actor,
        printer: printerAnswers(printer) ? printer.counters() : undefined,
      });
    } catch (error) {
      return this.#failure(error, 'stock.count');
    }
    if (count.discrepancy === null) {
      this.#logger.info({ event: 'stock.counted', actor, counted }, 'hopper counted: it matches');
      return ok('countMatches', { counted });
    }
    this.#logger.warn(
      { event: 'stock.count_differs', actor, counted, ledger, discrepancy: count.discrepancy },
      'the hopper does not hold what the ledger says: out of service until the clerk says why',
    );
    return refused('countDiffers', { counted, ledger, discrepancy: count.discrepancy });
  }

  /**
   * The clerk says why their count (discrepancy `seq`) differs: the ledger is corrected to the
   * count, with that reason, resolving it; then checked against the printer again at once.
   */
  correctCount(seq: number, reason: CountReason, actor: StaffActor): OperationResult {
    const store = this.#store;
    const open = store.ledger
      .unresolved()
      .find((d) => d.seq === seq && d.reason === 'countMismatch');
    if (!open) return refused('alreadyHandled');
    const counted = Number(open.detail.counted);
    const before = store.ledger.balance().inHopper;
    const delta = counted - before;
    const printer = this.#devices.cardPrinter;
    // A real printer cannot count its feeder: it is told what the ledger will say, before its
    // counters are recorded with the correction (the next check compares with them).
    const real = this.#devices.simulation
      ? null
      : (printer as { setBlanksLoaded?: (n: number) => void });
    real?.setBlanksLoaded?.(counted);
    const counters = printerAnswers(printer) ? printer.counters() : undefined;
    try {
      if (delta === 0) staffStock(store).resolve(seq, actor, reason, counters);
      else staffStock(store).correct({ delta, reason, actor, resolves: [seq], printer: counters });
    } catch (error) {
      real?.setBlanksLoaded?.(before);
      return this.#failure(error, 'stock.correction');
    }
    this.#logger.info(
      { event: 'stock.corrected', actor, discrepancy: seq, delta, reason, inHopper: counted },
      'hopper count corrected by staff',
    );
    const after = checkAgain(store, printer, this.#logger, actor);
    if (after.again > 0)
      return refused('countCorrectedAgain', { inHopper: counted, left: after.left });
    return after.inService
      ? ok('countCorrected', { inHopper: counted })
      : ok('countCorrectedNotInService', { inHopper: counted, left: after.left });
  }

  replacePaper(actor: StaffActor): OperationResult {
    const status = this.#devices.receiptPrinter.status();
    try {
      this.#store.write(() =>
        this.#store.audit.append({
          actor,
          action: AUDIT.paperReplaced,
          detail: {
            printerState: status.state === 'fault' ? `fault:${status.code}` : status.state,
          },
        }),
      );
    } catch (error) {
      return this.#failure(error, AUDIT.paperReplaced);
    }
    const simulated = this.#devices.simulation?.receiptPrinter;
    if (simulated?.fault === 'paperOut') simulated.fault = null;
    return ok('paperReplaced');
  }

  /** One confirmed step of replacing the ribbon (the flow keeps them in order). */
  ribbon(step: 'removed' | 'disposed' | 'fitted', actor: StaffActor): OperationResult {
    const printed = this.#devices.cardPrinter.counters().cardsPrinted;
    const faces = this.figures().ribbonFaces;
    const action = {
      removed: AUDIT.ribbonRemoved,
      disposed: AUDIT.ribbonDisposed,
      fitted: AUDIT.ribbonFitted,
    }[step];
    const detail: Record<string, number | boolean> =
      step === 'fitted'
        ? { cardsPrinted: printed }
        : step === 'disposed'
          ? { facesOnRibbon: faces, destroyed: true }
          : { facesOnRibbon: faces, cardsPrinted: printed };
    try {
      this.#store.write(() => this.#store.audit.append({ actor, action, detail }));
    } catch (error) {
      return this.#failure(error, action);
    }
    if (step === 'fitted') this.#devices.simulation?.cardPrinter.simulator.clearFault('ribbonOut');
    this.#logger.info({ event: `consumable.ribbon_${step}`, actor, faces }, `ribbon ${step}`);
    return ok(
      step === 'removed'
        ? 'ribbonRemoved'
        : step === 'disposed'
          ? 'ribbonDisposed'
          : 'ribbonFitted',
      { faces },
    );
  }

  #failure(error: unknown, action: string): OperationResult {
    return operationFailure(this.#logger, error, action);
  }
}

/**
 * After a discrepancy is resolved: the stock checked against the printer again at once — a
 * disagreement still there is written down again now, while the clerk is here, not found by the
 * next resident's pre-flight. `again`: discrepancies written now; `left`: unresolved after;
 * `inService`: nothing keeps residents away.
 */
export function checkAgain(
  store: KioskStore,
  printer: Devices['cardPrinter'],
  logger: Logger,
  actor: StaffActor,
): { again: number; left: number; inService: boolean } {
  let again = 0;
  try {
    again = checkStockAtRestAndRecord(store, printer, logger).length;
  } catch (error) {
    // The resolution is written and stands; records that cannot be written now keep residents
    // away by themselves (the service block says so), and the next pre-flight checks again.
    logger.error(
      { event: 'stock.check_failed', err: (error as Error).message },
      'card stock not checked again after the resolution',
    );
  }
  const left = store.ledger.unresolved().length;
  const inService = again === 0 && store.serviceBlock() === null;
  if (inService)
    logger.info(
      { event: 'stock.back_in_service', actor },
      'no stock discrepancy left: residents can be served',
    );
  return { again, left, inService };
}

/** A staff operation that could not be written: the screen's answer, and the log's line. */
export function operationFailure(logger: Logger, error: unknown, action: string): OperationResult {
  if (error instanceof RecordsUnavailableError) {
    logger.error(
      { event: 'staff.not_recorded', action },
      `${action} refused: the records cannot be written`,
    );
    return refused('recordsUnavailable');
  }
  logger.error(
    { event: 'staff.failed', action, err: (error as Error).message },
    `${action} failed`,
  );
  return refused('failed');
}
