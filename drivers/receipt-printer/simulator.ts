/**
 * The in-process simulated receipt printer (`npm start` on any machine, journey tests): the real
 * ESC/POS driver talking to the protocol simulator over a memory cable. `lastJob` is what the
 * simulator received and cut — the kiosk's bytes, through the driver, not a copy of its call.
 */
import type { Result } from '../common/result.ts';
import { ReconnectingLine, type DeviceLog } from '../serial/reconnecting-line.ts';
import { MemorySocket } from '../card-printer/line/memory-socket.ts';
import { EscPosReceiptPrinter } from './escpos-driver.ts';
import { EscPosSimulator, type EscPosSimFault } from './escpos-simulator.ts';
import type { EscPosTimeouts } from './escpos-timeouts.ts';
import type {
  ManagedReceiptPrinter,
  ReceiptPrinterFault,
  ReceiptPrinterIdentity,
  ReceiptPrinterStatus,
} from './receipt-printer.ts';

export interface SimulatedReceiptPrinterOptions {
  paperWidthMm?: 80 | 58;
  log?: DeviceLog;
  timeouts?: Partial<EscPosTimeouts>;
}

/** The kiosk's fault names, as the simulator produces them. */
const FAULTS: Partial<Record<ReceiptPrinterFault, EscPosSimFault>> = {
  paperOut: 'paperOut',
  coverOpen: 'coverOpen',
  offline: 'overheat',
  cutterError: 'cutterError',
  noResponse: 'silence',
  protocolError: 'garbage',
};

export class SimulatedReceiptPrinter implements ManagedReceiptPrinter {
  readonly kind = 'receipt-printer' as const;
  readonly transport = 'simulated';
  readonly simulator: EscPosSimulator;
  readonly driver: EscPosReceiptPrinter;
  readonly #socket: MemorySocket;
  #fault: ReceiptPrinterFault | null = null;

  constructor(options: SimulatedReceiptPrinterOptions = {}) {
    this.simulator = new EscPosSimulator({ paperWidthMm: options.paperWidthMm ?? 80 });
    this.#socket = new MemorySocket('receipt-printer', (port) => this.simulator.attach(port));
    const log = options.log;
    this.driver = new EscPosReceiptPrinter({
      line: new ReconnectingLine(this.#socket.opener, {
        name: 'receipt-printer',
        ...(log ? { log } : {}),
        backoff: { initialMs: 100, maxMs: 1_000, factor: 2 },
      }),
      transport: 'simulated',
      ...(log ? { log } : {}),
      baudRate: Infinity,
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    });
    this.driver.start();
  }

  /** The fault set on the simulator (null: none). Setting it makes the driver look at once. */
  get fault(): ReceiptPrinterFault | null {
    return this.#fault;
  }

  set fault(fault: ReceiptPrinterFault | null) {
    this.#fault = fault;
    this.simulator.clearAllFaults();
    if (fault === 'disconnected') {
      this.#socket.unplug();
      return;
    }
    if (!this.#socket.plugged) this.#socket.replug();
    const simFault = fault ? FAULTS[fault] : undefined;
    if (simFault) this.simulator.injectFault(simFault);
    void this.driver.refreshStatus();
  }

  get jobsPrinted(): number {
    return this.simulator.state().jobsPrinted;
  }

  /** Only the last receipt is kept: it holds a (masked) name, so history is not ours to keep. */
  get lastJob(): Uint8Array | null {
    return this.simulator.lastJob;
  }

  /** The resident tore the receipt off: nothing of it stays here. */
  clear(): void {
    this.simulator.clear();
  }

  status(): ReceiptPrinterStatus {
    return this.driver.status();
  }

  identity(): ReceiptPrinterIdentity | null {
    return this.driver.identity();
  }

  refreshStatus(): Promise<ReceiptPrinterStatus> {
    return this.driver.refreshStatus();
  }

  whenReady(timeoutMs: number): Promise<boolean> {
    return this.driver.whenReady(timeoutMs);
  }

  onStatus(listener: (status: ReceiptPrinterStatus) => void): () => void {
    return this.driver.onStatus(listener);
  }

  print(job: Uint8Array, signal: AbortSignal): Promise<Result<void, ReceiptPrinterFault>> {
    return this.driver.print(job, signal);
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
