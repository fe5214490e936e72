/**
 * The kiosk's devices, made from the configuration: each device's real driver over its
 * configured transport (serial, USB HID, PC/SC), or its simulator.
 *
 * When every device is simulated (the embedded default), the simulators are wired to each other
 * as the real devices are physically — the chip encoder sees the blank the printer holds at its
 * contact station — and the simulator panel drives them. With any real transport the kiosk runs
 * the real drivers (a test rig may still point them at pty simulators and virtual cards on vpcd).
 */
import type { CardPrinter } from '../../drivers/card-printer/card-printer.ts';
import { createCardPrinter } from '../../drivers/card-printer/create-card-printer.ts';
import { SimulatedCardPrinter } from '../../drivers/card-printer/simulator.ts';
import type { ChipEncoder } from '../../drivers/chip-encoder/chip-encoder.ts';
import { createPcscChipEncoder } from '../../drivers/chip-encoder/pcsc-chip-encoder.ts';
import { SimulatedChipEncoder } from '../../drivers/chip-encoder/simulator.ts';
import { createIdCardReader } from '../../drivers/id-reader/create-id-card-reader.ts';
import type { IdCardReader } from '../../drivers/id-reader/id-card-reader.ts';
import { SimulatedIdCardReader } from '../../drivers/id-reader/simulator.ts';
import { createPcscReaderManager, type ReaderManager } from '../../drivers/pcsc/reader-manager.ts';
import { createQrScanner } from '../../drivers/qr-scanner/create-qr-scanner.ts';
import type { QrScanner } from '../../drivers/qr-scanner/qr-scanner.ts';
import type { SimulatedQrScannerDevice } from '../../drivers/qr-scanner/simulator.ts';
import { createReceiptPrinter } from '../../drivers/receipt-printer/create-receipt-printer.ts';
import type { ReceiptPrinter } from '../../drivers/receipt-printer/receipt-printer.ts';
import { SimulatedReceiptPrinter } from '../../drivers/receipt-printer/simulator.ts';
import { deviceOf, type KioskConfig } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import { createStaffCardDevice, type StaffCardDevice } from '../modes/staff-card-device.ts';

export interface Devices {
  idReader: IdCardReader;
  cardPrinter: CardPrinter;
  chipEncoder: ChipEncoder;
  receiptPrinter: ReceiptPrinter;
  qrScanner: QrScanner;
  /** The simulators, when every device is simulated (drives the simulator panel). */
  simulation: Simulation | null;
  /**
   * Every simulated device, also among real ones (a test rig: real printers on ptys, a simulated
   * payment-code scanner): what a simulator action from the bridge can still reach.
   */
  simulators: Partial<Simulation>;
  /** Closes every driver (ports, HID handles, the PC/SC context). */
  close(): Promise<void>;
  /** The staff and technician card reader, with the revocation list it checks (kiosk/modes). */
  staffCard: StaffCardDevice;
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
  const allSimulated = config.devices.every((d) => d.transport.type === 'simulated');
  const devices = allSimulated ? simulatedDevices(logger, options) : realDevices(config, logger, options);
  return withStaffCardReader(devices, config, logger);
}

/**
 * The staff card reader (kiosk/modes/staff-card-device.ts): on the chip encoder's PC/SC manager
 * when it has one (one context), else on its own; simulated cards in-process when simulated.
 */
function withStaffCardReader(devices: Omit<Devices, 'staffCard'>, config: KioskConfig, logger: Logger): Devices {
  const sharedManager = (devices.chipEncoder as { manager?: ReaderManager }).manager ?? null;
  const staffCard = createStaffCardDevice(config, { logger: pcscLogger(logger), sharedManager });
  return {
    ...devices,
    staffCard,
    close: async () => {
      await staffCard.close();
      await devices.close();
    },
  };
}

/**
 * Blanks in the simulated card printer's hopper at start: half of the development hopper (100,
 * `staff.hopperCapacity`), so a clerk trying the staff screens can load a simulated box (50 cards)
 * without it being refused as more than the hopper holds.
 */
export const SIMULATED_BLANKS = 50;

function simulatedDevices(logger: Logger, options: SimulationOptions): Omit<Devices, 'staffCard'> {
  const cardPrinter = new SimulatedCardPrinter({ moveMs: options.moveMs ?? 400, blanks: options.blanks ?? SIMULATED_BLANKS });
  const qrScanner = createQrScanner({ transport: { type: 'simulated' } }, logger);
  const simulation: Simulation = {
    idReader: new SimulatedIdCardReader(),
    cardPrinter,
    chipEncoder: chipAtStation(cardPrinter),
    receiptPrinter: new SimulatedReceiptPrinter(),
    qrScanner: qrScanner.simulator!,
  };
  return {
    ...simulation,
    qrScanner,
    simulation,
    simulators: simulation,
    close: async () => {
      await Promise.allSettled([closeIfAble(simulation.idReader), closeIfAble(cardPrinter), closeIfAble(simulation.receiptPrinter), qrScanner.close()]);
    },
  };
}

function realDevices(config: KioskConfig, logger: Logger, options: SimulationOptions): Omit<Devices, 'staffCard'> {
  // A virtual PC/SC reader (vpcd) on a production kiosk is a way in: only development allows it.
  const allowVirtualReaders = config.mode !== 'production';
  let pcsc: ReaderManager | null = null;
  const pcscManager = () => (pcsc ??= createPcscReaderManager({ allowVirtualReaders, logger: pcscLogger(logger) }));

  const simulators: Partial<Simulation> = {};
  const idReaderConfig = deviceOf(config, 'id-reader');
  const idReader =
    idReaderConfig.transport.type === 'simulated'
      ? (simulators.idReader = new SimulatedIdCardReader())
      : createIdCardReader({ transport: idReaderConfig.transport }, logger);

  const cardPrinter = createCardPrinter(
    { transport: deviceOf(config, 'card-printer').transport },
    logger,
    { simulation: { moveMs: options.moveMs ?? 400, blanks: options.blanks ?? SIMULATED_BLANKS } },
  );

  const chipConfig = deviceOf(config, 'chip-encoder');
  let chipEncoder: ChipEncoder;
  if (chipConfig.transport.type === 'pcsc') {
    chipEncoder = createPcscChipEncoder({
      readerPattern: chipConfig.transport.readerPattern,
      allowVirtualReaders,
      logger: pcscLogger(logger),
      manager: pcscManager(),
    });
  } else if (cardPrinter instanceof SimulatedCardPrinter) {
    const printer = cardPrinter;
    chipEncoder = simulators.chipEncoder = chipAtStation(printer);
  } else {
    throw new DeviceSetupError(
      'a simulated chip encoder needs the simulated card printer (its blank sits at the printer\'s contact station): simulate both, or neither',
    );
  }

  const receiptConfig = deviceOf(config, 'receipt-printer');
  const receiptPrinter = createReceiptPrinter({ transport: receiptConfig.transport, paperWidthMm: receiptConfig.paperWidthMm }, logger);
  const qrScanner = createQrScanner({ transport: deviceOf(config, 'qr-scanner').transport }, logger);
  if (cardPrinter instanceof SimulatedCardPrinter) simulators.cardPrinter = cardPrinter;
  if (receiptPrinter instanceof SimulatedReceiptPrinter) simulators.receiptPrinter = receiptPrinter;
  if (qrScanner.simulator) simulators.qrScanner = qrScanner.simulator;

  return {
    idReader,
    cardPrinter,
    chipEncoder,
    receiptPrinter,
    qrScanner,
    simulation: null,
    simulators,
    close: async () => {
      await Promise.allSettled([
        closeIfAble(idReader),
        closeIfAble(cardPrinter),
        closeIfAble(chipEncoder),
        closeIfAble(receiptPrinter),
        qrScanner.close(),
      ]);
      await (pcsc as ReaderManager | null)?.close();
    },
  };
}

/**
 * The simulated chip encoder on the simulated printer's contact station: every card that arrives
 * there is a fresh blank chip, as every blank from the hopper is. (The flow also says so after a
 * feed, but only when every device is simulated; with a real device elsewhere nobody told the
 * encoder, and the second card of a kiosk met the first card's written chip.)
 */
function chipAtStation(printer: SimulatedCardPrinter): SimulatedChipEncoder {
  const encoder = new SimulatedChipEncoder(() => printer.cardAtContactStation());
  let atStation = printer.cardAtContactStation();
  printer.simulator.onChange(() => {
    const now = printer.cardAtContactStation();
    if (now && !atStation) encoder.insertBlank();
    atStation = now;
  });
  return encoder;
}

async function closeIfAble(device: object): Promise<void> {
  const close = (device as { close?: () => unknown }).close;
  if (typeof close === 'function') await close.call(device);
}

/** The PC/SC layer logs debug too; pino has the same four levels. */
function pcscLogger(logger: Logger) {
  return {
    debug: (fields: object, message?: string) => logger.debug(fields, message),
    info: (fields: object, message?: string) => logger.info(fields, message),
    warn: (fields: object, message?: string) => logger.warn(fields, message),
    error: (fields: object, message?: string) => logger.error(fields, message),
  };
}
