/** A simulated receipt printer: keeps the jobs it printed so a developer or a test can read them. */
import type { DeviceStatus } from '../common/device-status.ts';
import { err, ok, type Result } from '../common/result.ts';
import type { ReceiptPrinter, ReceiptPrinterFault } from './receipt-printer.ts';

export class SimulatedReceiptPrinter implements ReceiptPrinter {
  readonly kind = 'receipt-printer' as const;
  readonly transport = 'simulated';
  fault: ReceiptPrinterFault | null = null;
  jobsPrinted = 0;
  /** Only the last job is kept: a receipt holds a (masked) name, so history is not ours to keep. */
  lastJob: Uint8Array | null = null;

  status(): DeviceStatus {
    return this.fault ? { state: 'fault', code: this.fault, detail: `simulated ${this.fault}` } : { state: 'ready' };
  }

  async print(job: Uint8Array): Promise<Result<void, ReceiptPrinterFault>> {
    if (this.fault) return err(this.fault);
    this.lastJob = job;
    this.jobsPrinted++;
    return ok(undefined);
  }

  /** The resident tore the receipt off: nothing of it stays here. */
  clear(): void {
    this.lastJob = null;
  }
}
