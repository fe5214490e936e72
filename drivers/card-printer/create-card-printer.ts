/**
 * Builds the kiosk's card printer from its configuration: the Evolis driver over a serial port,
 * or the in-process simulator (the same driver over a memory cable). The host wires it from
 * kiosk.config.json: `createCardPrinter(device, logger)`.
 */
import { ReconnectingLine, type DeviceLog } from '../serial/reconnecting-line.ts';
import { serialLineOpener } from '../serial/serial-transport.ts';
import type { ManagedCardPrinter } from './card-printer.ts';
import { EvolisCardPrinter } from './evolis-driver.ts';
import type { EvolisTimeouts } from './evolis-timeouts.ts';
import type { RibbonType } from './evolis-protocol.ts';
import { SimulatedCardPrinter, type SimulatedCardPrinterOptions } from './simulator.ts';

export type CardPrinterTransportConfig =
  { type: 'simulated' } | { type: 'serial'; path: string; baudRate: number };

export interface CardPrinterOptions {
  timeouts?: Partial<EvolisTimeouts>;
  /** `mashang diag`: identity and status only — no parameter writes, no moves, no background poll. */
  readOnly?: boolean;
  acceptedRibbons?: readonly RibbonType[];
  /** Blanks in the feeder by the stock ledger, for `counters().blanksInFeeder`. */
  blanksLoaded?: number;
  /** The in-process simulator's own settings (simulated transport only). */
  simulation?: Omit<SimulatedCardPrinterOptions, 'log' | 'timeouts'>;
}

/** Started: it connects (and reconnects after an unplug) on its own. */
export function createCardPrinter(
  device: { transport: CardPrinterTransportConfig },
  logger?: DeviceLog,
  options: CardPrinterOptions = {},
): ManagedCardPrinter {
  const { transport } = device;
  if (transport.type === 'simulated') {
    return new SimulatedCardPrinter({
      ...options.simulation,
      ...(logger ? { log: logger } : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    });
  }
  const printer = new EvolisCardPrinter({
    line: new ReconnectingLine(
      serialLineOpener({ path: transport.path, baudRate: transport.baudRate }),
      { name: 'card-printer', ...(logger ? { log: logger } : {}) },
    ),
    transport: `serial:${transport.path}`,
    baudRate: transport.baudRate,
    ...(logger ? { log: logger } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.readOnly ? { readOnly: true } : {}),
    ...(options.acceptedRibbons ? { acceptedRibbons: options.acceptedRibbons } : {}),
    ...(options.blanksLoaded !== undefined ? { blanksLoaded: options.blanksLoaded } : {}),
  });
  printer.start();
  return printer;
}
