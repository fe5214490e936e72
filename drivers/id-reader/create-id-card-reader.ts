/**
 * Builds the kiosk's ID card reader from its configuration: GA/T 467 over a serial port, over
 * USB HID, or the in-process simulator. Every variant is the same driver over another line.
 */
import type { DeviceStatus } from '../common/device-status.ts';
import type { Result } from '../common/result.ts';
import { hidByteLineOpener } from '../hid/hid-byte-reports.ts';
import { hidReportLineOpener, type HidBinding } from '../hid/hid-transport.ts';
import { nodeHidBinding } from '../hid/node-hid-binding.ts';
import type { LineOpener } from '../serial/byte-line.ts';
import { ReconnectingLine, type DeviceLog } from '../serial/reconnecting-line.ts';
import { serialLineOpener, type UsbMatch } from '../serial/serial-transport.ts';
import { Gat467Driver, type Gat467Failure, type Gat467Timeouts } from './gat467-driver.ts';
import { GAT467_HID_LAYOUT } from './gat467-hid-layout.ts';
import { Gat467IdCardReader, type IdReaderTiming } from './gat467-id-card-reader.ts';
import type { IdCardReader } from './id-card-reader.ts';
import { SimulatedIdCardReader } from './simulator.ts';

export type IdReaderTransportConfig =
  | { type: 'serial'; path: string; baudRate: number; usb?: UsbMatch }
  | { type: 'hid'; vendorId: number; productId: number; serialNumber?: string }
  | { type: 'simulated' };

/** What the host holds: the kiosk interface plus what the host needs to supervise it. */
export interface ManagedIdCardReader extends IdCardReader {
  onStatus(listener: (status: DeviceStatus) => void): () => void;
  readSamId(signal?: AbortSignal): Promise<Result<string, Gat467Failure>>;
  close(): Promise<void>;
}

export interface IdCardReaderOptions {
  /** Tests and simulators put a memory HID bus here; default: node-hid, loaded on first use. */
  hidBinding?: () => Promise<HidBinding>;
  timing?: Partial<IdReaderTiming>;
  timeouts?: Partial<Gat467Timeouts>;
}

export function createIdCardReader(
  deviceConfig: { transport: IdReaderTransportConfig },
  logger: DeviceLog,
  options: IdCardReaderOptions = {},
): ManagedIdCardReader {
  const { transport } = deviceConfig;
  const tuning = {
    ...(options.timing ? { timing: options.timing } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
  };
  if (transport.type === 'simulated') return new SimulatedIdCardReader({ log: logger, ...tuning });

  let open: LineOpener;
  let baudRate = Infinity;
  if (transport.type === 'serial') {
    open = serialLineOpener(transport);
    baudRate = transport.baudRate;
  } else {
    const binding = options.hidBinding ?? (async () => nodeHidBinding());
    const match = {
      vendorId: transport.vendorId,
      productId: transport.productId,
      ...(transport.serialNumber ? { serialNumber: transport.serialNumber } : {}),
    };
    open = hidByteLineOpener(hidReportLineOpener(binding, match), GAT467_HID_LAYOUT);
  }
  const line = new ReconnectingLine(open, { name: 'id-reader', log: logger });
  const driver = new Gat467Driver(line, {
    name: 'id-reader',
    log: logger,
    baudRate,
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
  });
  const description =
    transport.type === 'serial'
      ? `serial:${transport.path}`
      : `hid:${transport.vendorId.toString(16).padStart(4, '0')}:${transport.productId.toString(16).padStart(4, '0')}`;
  const reader = new Gat467IdCardReader(driver, {
    transport: description,
    log: logger,
    ...(options.timing ? { timing: options.timing } : {}),
  });
  line.start();
  return reader;
}
