/**
 * A byte stream carried in HID reports, as USB HID models of serial devices do (the device's
 * microcontroller bridges its UART protocol into fixed-size reports). Both ends:
 * - host: `hidByteLineOpener` turns a HID report line into a `ByteLine`, so the serial driver
 *   runs unchanged over HID;
 * - device: `HidByteBridge` turns a simulator's `DevicePort` into a `HidDeviceModel`.
 *
 * The report layout differs between bridges; it lives in one `HidByteLayout` value per device
 * so that a field test corrects it in one place.
 */
import type { ByteLine, DevicePort, LineClosed, LineOpener } from '../serial/byte-line.ts';
import type { HidDeviceInfo, HidDeviceModel } from './hid-transport.ts';

export interface HidByteLayout {
  /** Numbered reports carry this id as their first byte; null for unnumbered reports. */
  reportId: number | null;
  /** Report size without the report id byte. */
  reportBytes: number;
  /** Where the count of payload bytes in this report sits (after the id). */
  lengthOffset: number;
  /** Where the payload starts. */
  payloadOffset: number;
}

const capacity = (layout: HidByteLayout) => layout.reportBytes - layout.payloadOffset;

/** Splits bytes into output reports, each with the report id (0x00 if unnumbered) in front. */
export function packReports(bytes: Uint8Array, layout: HidByteLayout): Uint8Array[] {
  const reports: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += capacity(layout)) {
    const payload = bytes.subarray(offset, offset + capacity(layout));
    const report = new Uint8Array(1 + layout.reportBytes);
    report[0] = layout.reportId ?? 0x00;
    report[1 + layout.lengthOffset] = payload.length;
    report.set(payload, 1 + layout.payloadOffset);
    reports.push(report);
  }
  return reports;
}

/**
 * The payload of one report, or null for a report that is not ours (another report id) or is
 * malformed (a length beyond the report). `withId`: whether the first byte is the report id
 * (output reports always; input reports only when numbered).
 */
export function unpackReport(
  report: Uint8Array,
  layout: HidByteLayout,
  withId: boolean,
): Uint8Array | null {
  let body = report;
  if (withId) {
    if (report.length === 0 || report[0] !== (layout.reportId ?? 0x00)) return null;
    body = report.subarray(1);
  }
  if (body.length <= layout.lengthOffset) return null;
  const length = body[layout.lengthOffset]!;
  if (length > capacity(layout) || layout.payloadOffset + length > body.length) return null;
  return body.subarray(layout.payloadOffset, layout.payloadOffset + length);
}

/** Input reports as they arrive from hidapi: id first only for numbered reports. */
function inputReport(payloadReport: Uint8Array, layout: HidByteLayout): Uint8Array {
  return layout.reportId === null ? payloadReport.subarray(1) : payloadReport;
}

class HidByteLine implements ByteLine {
  constructor(
    private readonly reports: ByteLine,
    private readonly layout: HidByteLayout,
  ) {}
  get description() {
    return this.reports.description;
  }
  async write(bytes: Uint8Array): Promise<void> {
    for (const report of packReports(bytes, this.layout)) await this.reports.write(report);
  }
  onData(listener: (chunk: Uint8Array) => void): void {
    this.reports.onData((report) => {
      const payload = unpackReport(report, this.layout, this.layout.reportId !== null);
      if (payload && payload.length > 0) listener(payload);
    });
  }
  onClose(listener: (closed: LineClosed) => void): void {
    this.reports.onClose(listener);
  }
  close(): Promise<void> {
    return this.reports.close();
  }
}

export function hidByteLineOpener(reportLine: LineOpener, layout: HidByteLayout): LineOpener {
  return async () => new HidByteLine(await reportLine(), layout);
}

/** The device end: a simulator's byte port presented on a HID bus. */
export class HidByteBridge implements HidDeviceModel {
  #send: ((report: Uint8Array) => void) | null = null;
  readonly #data: ((chunk: Uint8Array) => void)[] = [];
  readonly #close: (() => void)[] = [];

  constructor(
    readonly info: Omit<HidDeviceInfo, 'path'>,
    private readonly layout: HidByteLayout,
  ) {}

  /** What the simulator attaches to. */
  readonly port: DevicePort = {
    write: (bytes) => {
      const send = this.#send;
      if (!send) return; // Unplugged: bytes into the void, as from a device without a host.
      for (const report of packReports(bytes, this.layout)) send(inputReport(report, this.layout));
    },
    onData: (listener) => void this.#data.push(listener),
    pause: () => {},
    resume: () => {},
    onClose: (listener) => void this.#close.push(listener),
  };

  outputReport(report: Uint8Array): void {
    const payload = unpackReport(report, this.layout, true);
    if (payload && payload.length > 0)
      for (const listener of this.#data) listener(Uint8Array.from(payload));
  }

  connected(send: (report: Uint8Array) => void): void {
    this.#send = send;
  }

  disconnected(): void {
    this.#send = null;
    for (const listener of this.#close) listener();
  }
}
