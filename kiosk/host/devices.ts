/**
 * The kiosk's devices, made from the configuration. Simulated devices are wired to each other as
 * the real ones are physically (the chip encoder sees the blank the printer holds at its station).
 */
import { SimulatedCardPrinter } from '../../drivers/card-printer/simulator.ts';
import type { CardPrinter } from '../../drivers/card-printer/card-printer.ts';
import type { ChipEncoder } from '../../drivers/chip-encoder/chip-encoder.ts';
import { SimulatedChipEncoder } from '../../drivers/chip-encoder/simulator.ts';
import type { IdCardReader } from '../../drivers/id-reader/id-card-reader.ts';
import { SimulatedIdCardReader } from '../../drivers/id-reader/simulator.ts';
import type { ReceiptPrinter } from '../../drivers/receipt-printer/receipt-printer.ts';
import { SimulatedReceiptPrinter } from '../../drivers/receipt-printer/simulator.ts';
import { createQrScanner } from '../../drivers/qr-scanner/create-qr-scanner.ts';
import type { QrScanner } from '../../drivers/qr-scanner/qr-scanner.ts';
import type { SimulatedQrScannerDevice } from '../../drivers/qr-scanner/simulator.ts';
import type { KioskConfig } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';

export interface Devices {
  idReader: IdCardReader;
  cardPrinter: CardPrinter;
  chipEncoder: ChipEncoder;
  receiptPrinter: ReceiptPrinter;
  qrScanner: QrScanner;
  /** The simulators, when every resident-facing device is simulated (drives the simulator panel). */
  simulation: Simulation | null;
}

export interface Simulation {
  idReader: SimulatedIdCardReader;
  cardPrinter: SimulatedCardPrinter;
  chipEncoder: SimulatedChipEncoder;
  receiptPrinter: SimulatedReceiptPrinter;
  /** The simulated scanner's far end: "shows" a code to the scanner. */
  qrScanner: SimulatedQrScannerDevice;
}

export class DeviceSetupError extends Error {}

export interface SimulationOptions {
  /** Milliseconds per simulated printer move (0 in tests). */
  moveMs?: number;
  blanks?: number;
}

export function createDevices(config: KioskConfig, logger: Logger, options: SimulationOptions = {}): Devices {
  const real = config.devices.filter((d) => d.transport.type !== 'simulated');
  if (real.length > 0) {
    const list = real.map((d) => `${d.kind} over ${d.transport.type}`).join(', ');
    throw new DeviceSetupError(
      `real device drivers are not available in this version yet (${list}); set their transport to {"type": "simulated"}`,
    );
  }
  const cardPrinter = new SimulatedCardPrinter({ moveMs: options.moveMs ?? 400, blanks: options.blanks ?? 100 });
  const qrScanner = createQrScanner({ transport: { type: 'simulated' } }, logger);
  const simulation: Simulation = {
    idReader: new SimulatedIdCardReader(),
    cardPrinter,
    chipEncoder: new SimulatedChipEncoder(() => cardPrinter.cardAtContactStation()),
    receiptPrinter: new SimulatedReceiptPrinter(),
    qrScanner: qrScanner.simulator!,
  };
  return { ...simulation, qrScanner, simulation };
}
