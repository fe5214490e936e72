/**
 * The receipt printer (ESC/POS, PROTOCOLS.md §4) as the kiosk sees it: it takes a job already
 * encoded for the printer by printer-templates, and reports paper and cover state.
 */
import type { DeviceDescriptor } from '../common/device-status.ts';
import type { Result } from '../common/result.ts';

export type ReceiptPrinterFault = 'paperOut' | 'coverOpen' | 'offline' | 'disconnected';

export interface ReceiptPrinter extends DeviceDescriptor {
  readonly kind: 'receipt-printer';
  print(job: Uint8Array, signal: AbortSignal): Promise<Result<void, ReceiptPrinterFault>>;
}
