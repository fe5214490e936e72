/**
 * A simulated QR / barcode scanner on a HID bus: it "scans" what it is shown and sends the
 * reports a real one sends — HID POS (Honeywell or Newland layout) or keyboard-wedge key
 * presses — with faults from the field. The real driver reads it through the same HID
 * interface as node-hid; `createSimulatedQrScanner()` wires both for `npm start`.
 */
import type { HidDeviceInfo, HidDeviceModel } from '../hid/hid-transport.ts';
import { AIM_IDENTIFIERS, type Symbology } from './aim-symbology.ts';
import { encodeHidPosReports } from './hid-pos-report.ts';
import { keyPressesFor } from './keyboard-wedge-report.ts';
import type { ScannerMode } from './qr-scanner.ts';

export type QrScannerSimFault =
  /** Scans go nowhere (the trigger fires, the scanner is hung). */
  | { kind: 'silence' }
  /** Random reports (of our report id) before each scan: a confused or chattering scanner. */
  | { kind: 'garbage' }
  /** The last report of each scan is lost. */
  | { kind: 'truncated' }
  /** Reports come `delayMs` apart. */
  | { kind: 'slow'; delayMs: number };

/** A scanner's USB identity (made up; configure the real one's ids). */
export const SIM_QR_SCANNER_INFO: Omit<HidDeviceInfo, 'path'> = {
  vendorId: 0x0c2e,
  productId: 0x0b8f,
  serialNumber: 'SIM-QR-1',
  product: 'Simulated scanner',
  usagePage: 0x8c,
  usage: 0x02,
};

export class SimulatedQrScannerDevice implements HidDeviceModel {
  #send: ((report: Uint8Array) => void) | null = null;
  #fault: QrScannerSimFault | null = null;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly mode: ScannerMode,
    readonly info: Omit<HidDeviceInfo, 'path'> = SIM_QR_SCANNER_INFO,
  ) {}

  get fault(): QrScannerSimFault | null {
    return this.#fault;
  }

  setFault(fault: QrScannerSimFault | null): void {
    this.#fault = fault;
  }

  /** Shows the scanner a code. */
  scan(text: string, symbology: Exclude<Symbology, 'unknown'> = 'qr'): void {
    if (this.#fault?.kind === 'silence') return;
    let reports =
      this.mode.kind === 'hid-pos'
        ? encodeHidPosReports(
            new TextEncoder().encode(text),
            AIM_IDENTIFIERS[symbology],
            this.mode.layout,
          )
        : this.#keyReports(text, this.mode.reportId);
    if (this.#fault?.kind === 'garbage') reports = [...garbageReports(this.mode), ...reports];
    if (this.#fault?.kind === 'truncated') reports = reports.slice(0, -1);
    const gap = this.#fault?.kind === 'slow' ? this.#fault.delayMs : 0;
    reports.forEach((report, i) => {
      if (gap === 0) return this.#send?.(report);
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#send?.(report);
      }, gap * i);
      this.#timers.add(timer);
    });
  }

  outputReport(): void {
    // Scanners take configuration through output/feature reports; the simulator needs none.
  }

  connected(send: (report: Uint8Array) => void): void {
    this.#send = send;
  }

  disconnected(): void {
    this.#send = null;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #keyReports(text: string, reportId: number | null): Uint8Array[] {
    const reports: Uint8Array[] = [];
    const report = (modifiers: number, code: number) => {
      const body = Uint8Array.of(modifiers, 0, code, 0, 0, 0, 0, 0);
      return reportId === null ? body : Uint8Array.of(reportId, ...body);
    };
    for (const press of keyPressesFor(text)) {
      reports.push(report(press.modifiers, press.code), report(0, 0));
    }
    return reports;
  }
}

/**
 * Reports no decoder should take for data: HID POS reports claiming more than a report holds,
 * and keyboards' "too many keys" (ErrorRollOver, code 01) reports.
 */
function garbageReports(mode: ScannerMode): Uint8Array[] {
  if (mode.kind === 'keyboard-wedge') {
    const rollover = Uint8Array.of(0, 0, 1, 1, 1, 1, 1, 1);
    return [mode.reportId === null ? rollover : Uint8Array.of(mode.reportId, ...rollover)];
  }
  return [0, 1].map(() => {
    const report = Uint8Array.from(
      { length: mode.layout.reportBytes },
      () => (Math.random() * 256) | 0,
    );
    report[0] = mode.layout.reportId;
    report[mode.layout.lengthOffset] = 0xff;
    return report;
  });
}
