/**
 * The receipt printer (ESC/POS, PROTOCOLS.md §4) as the kiosk sees it: it takes a job already
 * encoded for the printer by printer-templates, and reports paper and cover state.
 */
import type { DeviceDescriptor } from '../common/device-status.ts';
import type { Result } from '../common/result.ts';

export type ReceiptPrinterFault =
  | 'paperOut'
  | 'coverOpen'
  /** Offline for another reason (an auto-recoverable error such as an overheated head). */
  | 'offline'
  | 'cutterError'
  | 'mechanicalError'
  /** An unrecoverable error: the printer needs a power cycle or service. */
  | 'printerError'
  /** Connected but silent: off, wrong baud rate, hung. */
  | 'noResponse'
  /** Answers that are no status bytes: noise, or another device on the port. */
  | 'protocolError'
  | 'disconnected';

export type ReceiptPrinterWarning = 'paperNearEnd';

/** A tagged union that always includes `disconnected`. */
export type ReceiptPrinterStatus =
  | { state: 'ready'; warnings: readonly ReceiptPrinterWarning[] }
  | { state: 'fault'; code: Exclude<ReceiptPrinterFault, 'disconnected'>; detail: string }
  | { state: 'disconnected' };

/** What `GS I` told us; null where the printer does not say (many clones answer only some). */
export interface ReceiptPrinterIdentity {
  maker: string | null;
  model: string | null;
  serialNumber: string | null;
  firmware: string | null;
}

export interface ReceiptPrinter extends DeviceDescriptor {
  readonly kind: 'receipt-printer';
  status(): ReceiptPrinterStatus;
  identity(): ReceiptPrinterIdentity | null;
  /** Each status transition, once. Returns the unsubscribe function. */
  onStatus(listener: (status: ReceiptPrinterStatus) => void): () => void;
  /** Prints one job; its result says whether the printer took it without a fault. */
  print(job: Uint8Array, signal: AbortSignal): Promise<Result<void, ReceiptPrinterFault>>;
  close(): Promise<void>;
}

/** What the host (and `mashang diag`) holds: the kiosk's interface plus supervision. */
export interface ManagedReceiptPrinter extends ReceiptPrinter {
  /** Asks the printer now, between jobs. */
  refreshStatus(): Promise<ReceiptPrinterStatus>;
  /** True once the printer is on the line and was asked its status (false after `timeoutMs` without). */
  whenReady(timeoutMs: number): Promise<boolean>;
}
