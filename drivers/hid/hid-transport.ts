/**
 * USB HID devices as the drivers see them: a small binding interface (enumerate, open, reports
 * in and out) that `node-hid` implements (node-hid-binding.ts) and that an in-memory bus
 * implements for simulators and tests (memory-hid.ts) — these machines have no uhid, so no
 * virtual HID device can reach node-hid here (PROTOCOLS.md §6).
 *
 * A HID device is opened as a report line: a `ByteLine` whose chunks are whole input reports
 * and whose writes are whole output reports, so that the same reconnecting supervisor keeps
 * HID and serial devices open. A device is found again after a replug by vendor id, product id
 * and (when configured) serial number: its path changes (hidraw3 → hidraw4), those do not.
 */
import {
  LineUnavailableError,
  type ByteLine,
  type LineClosed,
  type LineOpener,
} from '../serial/byte-line.ts';

export interface HidDeviceInfo {
  /** The OS path to open (`/dev/hidraw3`); changes across replugs. */
  path?: string;
  vendorId: number;
  productId: number;
  serialNumber?: string;
  product?: string;
  /** The top-level collection's usage page (0x8C bar code scanner, 0x01 generic desktop). */
  usagePage?: number;
  usage?: number;
  interface?: number;
}

/** Which device to use. Unset fields match anything. */
export interface HidMatch {
  vendorId: number;
  productId: number;
  serialNumber?: string;
  usagePage?: number;
  usage?: number;
  interface?: number;
}

export interface HidHandle {
  /**
   * Sends one output report. The first byte is the report id (0x00 for a device without
   * numbered reports: hidapi strips it).
   */
  write(report: Uint8Array): Promise<void>;
  /** Input reports; with numbered reports the first byte is the report id. */
  onReport(listener: (report: Uint8Array) => void): void;
  /** A failed read: the device is gone. */
  onError(listener: (error: Error) => void): void;
  close(): Promise<void>;
}

export interface HidBinding {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
}

/** What a simulated HID device implements to sit on the bus. */
export interface HidDeviceModel {
  readonly info: Omit<HidDeviceInfo, 'path'>;
  /** An output report from the host (first byte: report id, 0x00 if unnumbered). */
  outputReport(report: Uint8Array): void;
  /** Plugged in: from now on `send` delivers input reports to whoever has the device open. */
  connected(send: (report: Uint8Array) => void): void;
  disconnected(): void;
}

export function matchesHid(device: HidDeviceInfo, match: HidMatch): boolean {
  return (
    device.vendorId === match.vendorId &&
    device.productId === match.productId &&
    (match.serialNumber === undefined || device.serialNumber === match.serialNumber) &&
    (match.usagePage === undefined || device.usagePage === match.usagePage) &&
    (match.usage === undefined || device.usage === match.usage) &&
    (match.interface === undefined || device.interface === match.interface)
  );
}

const hex4 = (n: number) => n.toString(16).padStart(4, '0');
export const describeHidMatch = (match: HidMatch) =>
  `hid:${hex4(match.vendorId)}:${hex4(match.productId)}${match.serialNumber ? `:${match.serialNumber}` : ''}`;

class HidReportLine implements ByteLine {
  readonly #data: ((report: Uint8Array) => void)[] = [];
  readonly #close: ((closed: LineClosed) => void)[] = [];
  #closed = false;

  constructor(
    private readonly handle: HidHandle,
    readonly description: string,
  ) {
    handle.onReport((report) => {
      if (!this.#closed) for (const listener of this.#data) listener(report);
    });
    handle.onError((error) => {
      this.#end({ unplugged: true, error });
      void handle.close().catch(() => {});
    });
  }

  async write(report: Uint8Array): Promise<void> {
    if (this.#closed) throw new LineUnavailableError(`${this.description} is closed`, 'absent');
    await this.handle.write(report);
  }

  onData(listener: (report: Uint8Array) => void): void {
    this.#data.push(listener);
  }

  onClose(listener: (closed: LineClosed) => void): void {
    this.#close.push(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#end({ unplugged: false });
    await this.handle.close().catch(() => {});
  }

  #end(closed: LineClosed): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of this.#close) listener(closed);
  }
}

/**
 * Opens the first device that matches, as a report line. `binding` is a function so that a
 * binding that fails to load (node-hid without libusb) becomes a disconnected device, retried.
 */
export function hidReportLineOpener(
  binding: () => Promise<HidBinding>,
  match: HidMatch,
): LineOpener {
  const description = describeHidMatch(match);
  return async () => {
    const hid = await binding();
    const device = (await hid.devices()).find((d) => matchesHid(d, match) && d.path);
    if (!device) throw new LineUnavailableError(`${description}: no such device`, 'absent');
    let handle: HidHandle;
    try {
      handle = await hid.open(device.path!);
    } catch (error) {
      const message = (error as Error).message;
      throw new LineUnavailableError(
        `${description}: cannot open ${device.path}: ${message}`,
        /busy|permission|access/i.test(message) ? 'busy' : 'other',
      );
    }
    return new HidReportLine(handle, `${description}@${device.path}`);
  };
}
