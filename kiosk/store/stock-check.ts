/**
 * The card-stock checks that run with no card moving: at the host's start and before every
 * session. They compare the ledger with what the printer says and write any disagreement down
 * as a discrepancy (once while it stays open).
 *
 * Development only: the simulated printer starts afresh on every run (100 blanks, counters at 0),
 * so on a fresh data directory the ledger is seeded with a load of what the simulator holds, and
 * on later runs the simulator's restart is written down as what it is — a system correction —
 * instead of a discrepancy. Production kiosks never take that path: the configuration refuses
 * simulated devices there.
 */
import type { CardPrinter } from '../../drivers/card-printer/card-printer.ts';
import type { Logger } from '../log/logger.ts';
import { checkAtRest, type Finding, type PrinterCounters, type StockBalance } from './ledger.ts';
import type { KioskStore } from './store.ts';

export const DEVELOPMENT_ACTOR = 'system:development';

type PrinterView = Pick<CardPrinter, 'counters' | 'status'>;

/** The printer's hopper-empty signal: its status says so, or its feeder count is 0. */
export function printerSaysEmpty(printer: PrinterView, counters: PrinterCounters = printer.counters()): boolean {
  const status = printer.status();
  return (status.state === 'fault' && status.code === 'feederEmpty') || counters.blanksInFeeder === 0;
}

/** Whether the printer's counters are its own answer now (not connected or silent: they are not). */
export function printerAnswers(printer: PrinterView): boolean {
  const status = printer.status();
  return !(status.state === 'disconnected' || (status.state === 'fault' && (status.code === 'noResponse' || status.code === 'protocolError')));
}

export interface StartCheck {
  seeded: number | null;
  simulatorCorrection: number | null;
  findings: Finding[];
  balance: StockBalance;
}

/** At start: seeds or re-aligns the development simulator, then checks the ledger against the printer. */
export function checkStockAtStart(
  store: KioskStore,
  printer: PrinterView,
  options: { simulatedDevelopmentPrinter: boolean; logger: Logger },
): StartCheck {
  const { logger } = options;
  let seeded: number | null = null;
  let simulatorCorrection: number | null = null;
  store.write(() => {
    if (!options.simulatedDevelopmentPrinter) return;
    const counters = printer.counters();
    if (store.ledger.isEmpty()) {
      if (counters.blanksInFeeder <= 0) return;
      store.ledger.load({ count: counters.blanksInFeeder, batch: 'simulator', actor: DEVELOPMENT_ACTOR, printer: counters });
      store.audit.append({ actor: DEVELOPMENT_ACTOR, action: 'stock.load', detail: { count: counters.blanksInFeeder, batch: 'simulator' } });
      seeded = counters.blanksInFeeder;
      return;
    }
    const balance = store.ledger.balance();
    const last = balance.printer;
    const same =
      last !== null &&
      last.blanksInFeeder === counters.blanksInFeeder &&
      last.cardsPrinted === counters.cardsPrinted &&
      last.cardsRejected === counters.cardsRejected;
    if (same && balance.inHopper === counters.blanksInFeeder) return;
    const delta = counters.blanksInFeeder - balance.inHopper;
    const reason = `simulated printer restarted with ${counters.blanksInFeeder} blanks`;
    if (delta !== 0) store.ledger.correction({ delta, reason, actor: DEVELOPMENT_ACTOR, printer: counters });
    else store.ledger.count({ counted: counters.blanksInFeeder, actor: DEVELOPMENT_ACTOR, printer: counters });
    store.audit.append({ actor: DEVELOPMENT_ACTOR, action: 'stock.simulatorRestarted', detail: { delta, blanks: counters.blanksInFeeder } });
    simulatorCorrection = delta;
  });
  if (seeded !== null) logger.info({ event: 'stock.seeded', count: seeded }, 'development: ledger seeded with the simulated printer\'s blanks');
  if (simulatorCorrection !== null) {
    logger.info({ event: 'stock.simulator_restarted', delta: simulatorCorrection }, 'development: simulated printer restart written to the ledger');
  }
  const findings = checkStockAtRestAndRecord(store, printer, logger);
  return { seeded, simulatorCorrection, findings, balance: store.ledger.balance() };
}

/**
 * Compares the ledger with the printer at rest and writes down what disagrees. A printer that
 * does not answer (not connected yet, silent) has no counters to compare: nothing is concluded
 * from it — the device check refuses residents meanwhile, and the next check compares.
 */
export function checkStockAtRestAndRecord(store: KioskStore, printer: PrinterView, logger: Logger): Finding[] {
  if (!printerAnswers(printer)) {
    const status = printer.status();
    logger.warn({ event: 'stock.check_skipped', printer: status.state === 'fault' ? status.code : status.state }, 'card stock not compared: the printer does not answer');
    return [];
  }
  const counters = printer.counters();
  const findings = checkAtRest(store.ledger.balance(), counters, printerSaysEmpty(printer, counters));
  if (findings.length === 0) return findings;
  store.write(() => {
    for (const finding of findings) store.ledger.raiseOnce(finding, { printer: counters });
  });
  for (const finding of findings) {
    logger.error({ event: 'stock.discrepancy', reason: finding.reason, ...finding.detail }, finding.message);
  }
  return findings;
}
