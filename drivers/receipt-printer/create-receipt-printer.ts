/**
 * Builds the kiosk's receipt printer from its configuration: the ESC/POS driver over a serial
 * port, or the in-process simulator (the same driver over a memory cable). The host wires it
 * from kiosk.config.json: `createReceiptPrinter(device, logger)`.
 */
import { ReconnectingLine, type DeviceLog } from '../serial/reconnecting-line.ts';
import { serialLineOpener } from '../serial/serial-transport.ts';
import type { PaperWidthMm } from './escpos-commands.ts';
import { EscPosReceiptPrinter } from './escpos-driver.ts';
import type { EscPosTimeouts } from './escpos-timeouts.ts';
import type { ManagedReceiptPrinter } from './receipt-printer.ts';
import { SimulatedReceiptPrinter } from './simulator.ts';

export type ReceiptPrinterTransportConfig =
  { type: 'simulated' } | { type: 'serial'; path: string; baudRate: number };

export interface ReceiptPrinterOptions {
  timeouts?: Partial<EscPosTimeouts>;
  /** `mashang diag`: status and identity only — no printing, no background poll. */
  readOnly?: boolean;
}

/** Started: it connects (and reconnects after an unplug) on its own. */
export function createReceiptPrinter(
  device: { transport: ReceiptPrinterTransportConfig; paperWidthMm?: PaperWidthMm },
  logger?: DeviceLog,
  options: ReceiptPrinterOptions = {},
): ManagedReceiptPrinter {
  const { transport } = device;
  if (transport.type === 'simulated') {
    return new SimulatedReceiptPrinter({
      paperWidthMm: device.paperWidthMm ?? 80,
      ...(logger ? { log: logger } : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    });
  }
  const printer = new EscPosReceiptPrinter({
    line: new ReconnectingLine(
      serialLineOpener({ path: transport.path, baudRate: transport.baudRate }),
      { name: 'receipt-printer', ...(logger ? { log: logger } : {}) },
    ),
    transport: `serial:${transport.path}`,
    baudRate: transport.baudRate,
    ...(logger ? { log: logger } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.readOnly ? { readOnly: true } : {}),
  });
  printer.start();
  return printer;
}
