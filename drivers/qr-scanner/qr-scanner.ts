/**
 * The QR / barcode scanner as the kiosk sees it, and its driver over a HID report line: HID POS
 * reports (the configuration we ask for) or, for scanners that only do it, keyboard-wedge
 * reports read through node-hid — never keystrokes into the UI.
 *
 * Scans are bearer secrets when they are payment codes: they are never logged, only their
 * symbology and length. A scan is delivered only to callers waiting when it arrives: a code
 * shown to the scanner before the payment step must not pay later.
 */
import type { DeviceDescriptor, DeviceStatus } from '../common/device-status.ts';
import { silentLog, type DeviceLog, type ReconnectingLine } from '../serial/reconnecting-line.ts';
import { symbologyOf, type Symbology } from './aim-symbology.ts';
import { decodeHidPosReport, type HidPosLayout } from './hid-pos-report.ts';
import { KeyboardWedgeDecoder } from './keyboard-wedge-report.ts';

export interface Scan {
  text: string;
  symbology: Symbology;
  /** The AIM identifier as sent (`]Q1`), when the scanner sends one. */
  aim: string | null;
  bytes: Uint8Array;
}

export interface QrScanner extends DeviceDescriptor {
  readonly kind: 'qr-scanner';
  /** The next scan made after this call. Aborting stops the wait. */
  nextScan(signal: AbortSignal): Promise<Scan>;
  /** Every scan, as it comes (staff loading boxes of blanks). Returns the unsubscribe. */
  onScan(listener: (scan: Scan) => void): () => void;
}

export const QR_SCANNER_LIMITS = {
  /** A QR code holds at most 7 089 characters (numeric, ISO/IEC 18004): more is not a scan. */
  maxScanBytes: 8_192,
  /**
   * The reports of one scan arrive back to back (a few ms apart). A continuation missing this
   * long never comes: the fragment is dropped (or, on scanners without a continuation flag,
   * what came is the scan).
   */
  assemblyTimeoutMs: 300,
} as const;

export type ScannerMode =
  { kind: 'hid-pos'; layout: HidPosLayout } | { kind: 'keyboard-wedge'; reportId: number | null };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const gb18030 = new TextDecoder('gb18030');

/** Payment codes are ASCII digits; QR codes may carry UTF-8 or, from older Chinese systems, GB 18030. */
export function scanText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return gb18030.decode(bytes);
  }
}

export class HidQrScanner implements QrScanner {
  readonly kind = 'qr-scanner' as const;
  readonly #listeners = new Set<(scan: Scan) => void>();
  readonly #log: DeviceLog;
  readonly #wedge: KeyboardWedgeDecoder | null;
  #fragments: Uint8Array[] = [];
  #fragmentBytes = 0;
  #aim: string | null = null;
  #dropping = false;
  #assemblyTimer: NodeJS.Timeout | null = null;
  #lastStatus: DeviceStatus['state'];
  readonly #statusListeners = new Set<(status: DeviceStatus) => void>();

  constructor(
    readonly line: ReconnectingLine,
    readonly mode: ScannerMode,
    options: { transport: string; log?: DeviceLog },
  ) {
    this.transport = options.transport;
    this.#log = options.log ?? silentLog;
    this.#wedge =
      mode.kind === 'keyboard-wedge'
        ? new KeyboardWedgeDecoder(mode.reportId, QR_SCANNER_LIMITS.maxScanBytes)
        : null;
    line.onData((report) => this.#report(report));
    this.#lastStatus = this.status().state;
    line.onState(() => {
      this.#resetAssembly(); // a scan cut by an unplug is not finished by the next device
      const next = this.status();
      if (next.state === this.#lastStatus) return;
      this.#lastStatus = next.state;
      for (const listener of this.#statusListeners) listener(next);
    });
  }

  readonly transport: string;

  status(): DeviceStatus {
    return this.line.state.state === 'open' ? { state: 'ready' } : { state: 'disconnected' };
  }

  onStatus(listener: (status: DeviceStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  onScan(listener: (scan: Scan) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  nextScan(signal: AbortSignal): Promise<Scan> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        off();
        reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
      };
      const off = this.onScan((scan) => {
        off();
        signal.removeEventListener('abort', onAbort);
        resolve(scan);
      });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    this.#resetAssembly();
    await this.line.stop();
  }

  #report(report: Uint8Array): void {
    if (this.#wedge) {
      for (const event of this.#wedge.push(report)) {
        if (event.type === 'text') this.#emit(Buffer.from(event.text, 'latin1'), null);
        else
          this.#log.warn(
            { event: 'qr.report_dropped', reason: event.detail },
            'scanner report dropped',
          );
      }
      this.#armAssemblyTimer(this.#wedge.pendingChars > 0);
      return;
    }
    if (this.mode.kind !== 'hid-pos') return;
    const decoded = decodeHidPosReport(report, this.mode.layout);
    if (!decoded.ok) {
      // Other report ids (status, attributes) are normal traffic; malformed ones are worth a line.
      if (decoded.error.kind === 'malformed')
        this.#log.warn(
          { event: 'qr.report_dropped', reason: decoded.error.detail },
          'scanner report dropped',
        );
      return;
    }
    const { fragment } = decoded;
    if (this.#fragments.length === 0 && !this.#dropping) this.#aim = fragment.aim;
    if (!this.#dropping) {
      if (this.#fragmentBytes + fragment.data.length > QR_SCANNER_LIMITS.maxScanBytes) {
        this.#log.warn({ event: 'qr.scan_dropped', reason: 'too long' }, 'scan dropped');
        this.#dropping = true;
        this.#fragments = [];
        this.#fragmentBytes = 0;
      } else {
        this.#fragments.push(fragment.data);
        this.#fragmentBytes += fragment.data.length;
      }
    }
    if (fragment.more === false) {
      const dropping = this.#dropping;
      const bytes = Uint8Array.from(Buffer.concat(this.#fragments));
      const aim = this.#aim;
      this.#resetAssembly();
      if (!dropping && bytes.length > 0) this.#emit(bytes, aim);
      return;
    }
    this.#armAssemblyTimer(true, fragment.more === 'unknown');
  }

  #armAssemblyTimer(pending: boolean, completeOnTimeout = false): void {
    if (this.#assemblyTimer) clearTimeout(this.#assemblyTimer);
    this.#assemblyTimer = null;
    if (!pending) return;
    this.#assemblyTimer = setTimeout(() => {
      this.#assemblyTimer = null;
      if (completeOnTimeout && !this.#dropping && this.#fragmentBytes > 0) {
        const bytes = Uint8Array.from(Buffer.concat(this.#fragments));
        const aim = this.#aim;
        this.#resetAssembly();
        this.#emit(bytes, aim);
        return;
      }
      this.#log.warn(
        { event: 'qr.scan_dropped', reason: 'incomplete' },
        'scan dropped: its end never came',
      );
      this.#resetAssembly();
    }, QR_SCANNER_LIMITS.assemblyTimeoutMs);
  }

  #resetAssembly(): void {
    if (this.#assemblyTimer) clearTimeout(this.#assemblyTimer);
    this.#assemblyTimer = null;
    this.#fragments = [];
    this.#fragmentBytes = 0;
    this.#aim = null;
    this.#dropping = false;
    this.#wedge?.reset();
  }

  #emit(bytes: Uint8Array, aim: string | null): void {
    const scan: Scan = { text: scanText(bytes), symbology: symbologyOf(aim), aim, bytes };
    this.#log.info(
      { event: 'qr.scan', symbology: scan.symbology, length: bytes.length },
      'code scanned',
    );
    for (const listener of [...this.#listeners]) listener(scan);
  }
}
