/**
 * Serial device simulators on pseudo-terminals: `mashang sim-serial <device>` and the real-stack
 * tests start them from this table. Each entry opens a pty pair, puts its device model on the
 * master end and returns where the driver should open it (see pty-host.ts).
 *
 * To add a device: one line below, with a start function built on `hostOnPty`.
 */
import { startIdReaderOnPty } from '../id-reader/gat467-pty-simulator.ts';
import { startCardPrinterOnPty } from '../card-printer/evolis-pty-simulator.ts';
import { startReceiptPrinterOnPty } from '../receipt-printer/escpos-pty-simulator.ts';
import type { SerialSimulatorOptions, SimulatorOnPty } from './pty-host.ts';

export type { SerialSimulatorOptions, SimulatorOnPty } from './pty-host.ts';

export const SERIAL_SIMULATORS: Record<
  string,
  (options: SerialSimulatorOptions) => SimulatorOnPty
> = {
  'id-reader': startIdReaderOnPty,
  'card-printer': startCardPrinterOnPty,
  'receipt-printer': startReceiptPrinterOnPty,
};
