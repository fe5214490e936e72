/**
 * Builds the kiosk's QR / barcode scanner from its configuration: a USB HID scanner through
 * node-hid (HID POS, or keyboard wedge read with the kernel driver detached), or the simulated
 * one on an in-memory HID bus for `npm start`.
 */
import type { DeviceStatus } from '../common/device-status.ts';
import { hidReportLineOpener, type HidBinding } from '../hid/hid-transport.ts';
import { MemoryHidBus } from '../hid/memory-hid.ts';
import { nodeHidBinding } from '../hid/node-hid-binding.ts';
import { ReconnectingLine, type DeviceLog } from '../serial/reconnecting-line.ts';
import { HID_POS_LAYOUTS, type HidPosVendor } from './hid-pos-report.ts';
import { HidQrScanner, type QrScanner, type ScannerMode } from './qr-scanner.ts';
import { SimulatedQrScannerDevice } from './simulator.ts';

export type QrScannerTransportConfig =
  | { type: 'hid'; vendorId: number; productId: number; serialNumber?: string; usagePage?: number }
  | { type: 'simulated' };

export interface ManagedQrScanner extends QrScanner {
  onStatus(listener: (status: DeviceStatus) => void): () => void;
  close(): Promise<void>;
}

export interface QrScannerOptions {
  /** How the scanner is configured: HID POS (what we ask for), or keyboard wedge. Default HID POS. */
  mode?: 'hid-pos' | 'keyboard-wedge';
  /** Whose HID POS report layout (default honeywell). */
  vendor?: HidPosVendor;
  /** Keyboard wedge with numbered reports: the id. */
  wedgeReportId?: number;
  /** Tests put a memory HID bus here; default node-hid. */
  hidBinding?: () => Promise<HidBinding>;
}

function scannerMode(options: QrScannerOptions): ScannerMode {
  return options.mode === 'keyboard-wedge'
    ? { kind: 'keyboard-wedge', reportId: options.wedgeReportId ?? null }
    : { kind: 'hid-pos', layout: HID_POS_LAYOUTS[options.vendor ?? 'honeywell'] };
}

export function createQrScanner(
  deviceConfig: { transport: QrScannerTransportConfig },
  logger: DeviceLog,
  options: QrScannerOptions = {},
): ManagedQrScanner & { simulator?: SimulatedQrScannerDevice } {
  const mode = scannerMode(options);
  const { transport } = deviceConfig;
  if (transport.type === 'simulated') {
    const bus = new MemoryHidBus();
    const device = new SimulatedQrScannerDevice(mode);
    bus.plug(device);
    const scanner = build(async () => bus, device.info, mode, logger, 'simulated');
    return Object.assign(scanner, { simulator: device });
  }
  // A wedge scanner is a keyboard: claim it through libusb so that its keys never reach the UI.
  const binding =
    options.hidBinding ??
    (async () => nodeHidBinding(mode.kind === 'keyboard-wedge' ? { driverType: 'libusb' } : {}));
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  return build(
    binding,
    transport,
    mode,
    logger,
    `hid:${hex(transport.vendorId)}:${hex(transport.productId)}`,
  );
}

function build(
  binding: () => Promise<HidBinding>,
  ids: { vendorId: number; productId: number; serialNumber?: string; usagePage?: number },
  mode: ScannerMode,
  logger: DeviceLog,
  description: string,
): HidQrScanner {
  const match = {
    vendorId: ids.vendorId,
    productId: ids.productId,
    ...(ids.serialNumber ? { serialNumber: ids.serialNumber } : {}),
    ...(ids.usagePage !== undefined ? { usagePage: ids.usagePage } : {}),
  };
  const line = new ReconnectingLine(hidReportLineOpener(binding, match), {
    name: 'qr-scanner',
    log: logger,
  });
  const scanner = new HidQrScanner(line, mode, { transport: description, log: logger });
  line.start();
  return scanner;
}
