/**
 * The stock desk with a printer that cannot count its feeder (a real Evolis: the kiosk tells it
 * how many blanks it was loaded with): a load or a correction must leave the printer's counters
 * and the ledger's record of them in step, or the next check at rest would find the feeder count
 * "moved" with nothing recorded and take the kiosk out of service after every load.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CardPrinterCounters } from '../../drivers/card-printer/card-printer.ts';
import { StockDesk } from '../../kiosk/modes/stock-desk.ts';
import { checkAtRest } from '../../kiosk/store/ledger.ts';
import type { KioskStore } from '../../kiosk/store/store.ts';
import { openStore, silentLogger } from '../store/store-fixture.ts';

/** What the Evolis driver does with its feeder: loaded (as told) less what it fed since. */
class PrinterThatCannotCount {
  #loaded = 0;
  #fedAtLoad = 0;
  fed = 0;
  setBlanksLoaded(count: number): void {
    this.#loaded = count;
    this.#fedAtLoad = this.fed;
  }
  counters(): CardPrinterCounters {
    return { blanksInFeeder: Math.max(0, this.#loaded - (this.fed - this.#fedAtLoad)), cardsPrinted: 0, cardsRejected: 0 };
  }
  status() {
    return { state: 'ready' as const, warnings: [] };
  }
}

const stores: KioskStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function desk() {
  const { store } = openStore();
  stores.push(store);
  const printer = new PrinterThatCannotCount();
  const devices = { cardPrinter: printer, simulation: null } as never;
  return { store, printer, desk: new StockDesk({ store, devices, logger: silentLogger, hopperCapacity: 100 }) };
}

describe('the stock desk with a printer that cannot count its feeder', () => {
  it('tells the printer the new count before recording its counters: the next check at rest finds nothing', () => {
    const { store, printer, desk: stock } = desk();
    expect(stock.load({ batch: 'B1', serialFirst: 'SC00000001', serialLast: 'SC00000050', count: 50 }, 'staff:S1')).toMatchObject({ ok: true });
    expect(printer.counters().blanksInFeeder).toBe(50);
    expect(store.ledger.balance().printer).toEqual(printer.counters());
    expect(checkAtRest(store.ledger.balance(), printer.counters(), false)).toEqual([]);
    // A second box on top.
    expect(stock.load({ batch: 'B2', serialFirst: 'SC00000051', serialLast: 'SC00000080', count: 30 }, 'staff:S1')).toMatchObject({ ok: true });
    expect(printer.counters().blanksInFeeder).toBe(80);
    expect(checkAtRest(store.ledger.balance(), printer.counters(), false)).toEqual([]);
  });
});
