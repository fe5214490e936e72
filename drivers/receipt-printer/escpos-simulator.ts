/**
 * A receipt printer that speaks ESC/POS on a byte line: in-process over a memory cable, or on a
 * pseudo-terminal that the real driver opens with `serialport`. It keeps a paper roll (with a
 * near-end sensor), a cover and a cutter, answers `DLE EOT n` and `GS I n`, renders each
 * receipt it cuts (receipt-paper.ts), and takes injected faults: the printer's (paper out,
 * cover open, cutter error, overheating) and the line's (silence, garbage, half frames, slowness).
 *
 * Real-time commands are answered as they are parsed, ahead of printing, as on a real printer;
 * they are never part of a job's bytes.
 */
import { PAPER_DOTS, PRINTER_INFO, INFO_HEADER, type PaperWidthMm } from './escpos-commands.ts';
import { EscPosParser, encodeEscPos, type EscPosCommand } from './escpos-job.ts';
import {
  encodeStatus,
  NO_CONDITION,
  type PrinterCondition,
  type StatusQuery,
} from './escpos-status.ts';
import { ReceiptPaper, receiptPng, type PrintedReceipt } from './receipt-paper.ts';
import type { DevicePort } from '../serial/byte-line.ts';
import { SimUart, type UartOptions } from '../serial/sim-uart.ts';
import { parseSimFault } from '../serial/sim-fault.ts';

export type EscPosSimFault =
  | 'paperOut'
  /** The roll's near-end sensor trips (a warning, printing goes on). */
  | 'paperNearEnd'
  | 'coverOpen'
  | 'cutterError'
  /** The head overheated: offline until it cools (an automatically recoverable error). */
  | 'overheat'
  /** Hung firmware: takes bytes, answers nothing. */
  | 'silence'
  /** Line noise: a burst now, and noise before every answer. */
  | 'garbage'
  /** Identity answers cut short, without their NUL. */
  | 'half-frame'
  /** Every answer comes late. */
  | 'slow';

export const ESCPOS_SIM_FAULTS: readonly EscPosSimFault[] = [
  'paperOut',
  'paperNearEnd',
  'coverOpen',
  'cutterError',
  'overheat',
  'silence',
  'garbage',
  'half-frame',
  'slow',
];

/** `paperOut`, `slow:1500` (milliseconds) … as typed on the command line. */
export function parseEscPosSimFault(text: string): { fault: EscPosSimFault; delayMs?: number } {
  return parseSimFault(text, ESCPOS_SIM_FAULTS);
}

/** A thermal receipt printer's line (L: 115 200 baud is the usual USB-serial default; RTS/CTS, 4 KB buffer). In-process the pace is unlimited. */
export const ESCPOS_SIM_UART: UartOptions = {
  baudRate: Infinity,
  rxBufferBytes: 4096,
  flowControl: 'rts-cts',
};

export interface EscPosSimulatorOptions {
  paperWidthMm?: PaperWidthMm;
  /** Paper on a fresh roll, in dots of length (an 80 mm × 50 m roll is ~400 000 dots at 203 dpi). */
  rollDots?: number;
  /** The near-end sensor trips with this much paper left (L: about 2.5 m on common mechanisms). */
  nearEndDots?: number;
  uart?: UartOptions;
  slowReplyDelayMs?: number;
  identity?: { maker: string; model: string; serialNumber: string; firmware: string };
  seed?: number;
}

export interface EscPosSimState {
  paperLeftDots: number;
  coverOpen: boolean;
  jobsPrinted: number;
  /** Receipts the paper ran out (or the cover opened) in the middle of. */
  jobsSpoiled: number;
  faults: EscPosSimFault[];
}

/** A job's bytes are kept for `lastJob` up to this; a longer job is still printed. */
const MAX_JOB_BYTES = 2 << 20;
const GARBAGE_BURST_BYTES = 16;

export class EscPosSimulator {
  readonly #o: Required<EscPosSimulatorOptions>;
  readonly #faults = new Set<EscPosSimFault>();
  #paperLeft: number;
  #jobsPrinted = 0;
  #jobsSpoiled = 0;
  #uart: SimUart | null = null;
  #parser = new EscPosParser();
  #paper: ReceiptPaper;
  #job: Uint8Array[] = [];
  #jobBytes = 0;
  #lastJob: Uint8Array | null = null;
  #lastReceipt: PrintedReceipt | null = null;
  #slowDelayMs: number;
  #random: () => number;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(options: EscPosSimulatorOptions = {}) {
    this.#o = {
      paperWidthMm: options.paperWidthMm ?? 80,
      rollDots: options.rollDots ?? 400_000,
      nearEndDots: options.nearEndDots ?? 20_000,
      uart: options.uart ?? ESCPOS_SIM_UART,
      slowReplyDelayMs: options.slowReplyDelayMs ?? 2_500,
      identity: options.identity ?? {
        maker: 'Mashang',
        model: 'TM-SIM80 (Mashang simulator)',
        serialNumber: 'SIMR000001',
        firmware: '1.0.0-sim',
      },
      seed: options.seed ?? 0xbeef,
    };
    this.#paperLeft = this.#o.rollDots;
    this.#slowDelayMs = this.#o.slowReplyDelayMs;
    this.#random = mulberry32(this.#o.seed);
    this.#paper = new ReceiptPaper(PAPER_DOTS[this.#o.paperWidthMm], (dots) => this.#feed(dots));
  }

  attach(port: DevicePort): void {
    this.detach();
    this.#parser = new EscPosParser();
    const uart = new SimUart(port, this.#o.uart, (bytes) => {
      if (this.#uart === uart) this.#receive(bytes);
    });
    this.#uart = uart;
    port.onClose(() => {
      if (this.#uart === uart) this.detach();
    });
  }

  /** Unplugged (or powered off): a job half received is lost. */
  detach(): void {
    this.#uart?.reset();
    this.#uart = null;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#job = [];
    this.#jobBytes = 0;
    this.#paper.discard();
  }

  injectFault(fault: EscPosSimFault, options: { delayMs?: number } = {}): void {
    this.#faults.add(fault);
    if (fault === 'slow' && options.delayMs !== undefined) this.#slowDelayMs = options.delayMs;
    if (fault === 'garbage') this.#uart?.send(this.#noise());
  }

  clearFault(fault: EscPosSimFault): void {
    if (!this.#faults.delete(fault)) return;
    if (fault === 'paperOut') this.loadPaper();
  }

  clearAllFaults(): void {
    for (const fault of [...this.#faults]) this.clearFault(fault);
  }

  faults(): EscPosSimFault[] {
    return [...this.#faults];
  }

  /** Staff put in a fresh roll (of the configured length, or `dots`). */
  loadPaper(dots = this.#o.rollDots): void {
    this.#paperLeft = dots;
    this.#faults.delete('paperOut');
    this.#faults.delete('paperNearEnd');
  }

  state(): EscPosSimState {
    return {
      paperLeftDots: this.#paperLeft,
      coverOpen: this.#faults.has('coverOpen'),
      jobsPrinted: this.#jobsPrinted,
      jobsSpoiled: this.#jobsSpoiled,
      faults: this.faults(),
    };
  }

  /** The bytes of the last receipt cut: what the printer was sent, status requests aside. */
  get lastJob(): Uint8Array | null {
    return this.#lastJob;
  }

  /** The last receipt's text, line by line (`[QR] …` for its QR code). */
  lastReceiptText(): string[] | null {
    return this.#lastReceipt?.lines ?? null;
  }

  lastReceiptPng(): Buffer | null {
    return this.#lastReceipt ? receiptPng(this.#lastReceipt) : null;
  }

  /** The resident tore the receipt off: nothing of it stays here. */
  clear(): void {
    this.#lastJob?.fill(0);
    this.#lastJob = null;
    this.#lastReceipt = null;
  }

  #condition(): PrinterCondition {
    const paperEnd = this.#faults.has('paperOut') || this.#paperLeft <= 0;
    const cutterError = this.#faults.has('cutterError');
    const overheat = this.#faults.has('overheat');
    return {
      ...NO_CONDITION,
      coverOpen: this.#faults.has('coverOpen'),
      paperEnd,
      paperNearEnd: this.#faults.has('paperNearEnd') || this.#paperLeft <= this.#o.nearEndDots,
      error: cutterError || overheat,
      cutterError,
      autoRecoverableError: overheat,
      offline: this.#faults.has('coverOpen') || paperEnd || cutterError || overheat,
    };
  }

  #feed(dots: number): boolean {
    const c = this.#condition();
    if (c.offline) return false;
    if (this.#paperLeft < dots) {
      this.#paperLeft = 0;
      return false;
    }
    this.#paperLeft -= dots;
    return true;
  }

  #receive(bytes: Uint8Array): void {
    if (this.#faults.has('silence')) return;
    for (const command of this.#parser.push(bytes)) this.#handle(command);
  }

  #handle(command: EscPosCommand): void {
    switch (command.kind) {
      case 'status':
        if (command.n >= 1 && command.n <= 4)
          this.#answer(Uint8Array.of(encodeStatus(command.n as StatusQuery, this.#condition())));
        return;
      case 'printerId':
        this.#printerId(command.n);
        return;
      case 'realtime':
        return;
      case 'dropped':
        // Data the printer could not hold: the receipt it belonged to is spoiled.
        this.#paper.discard();
        return;
    }
    if (command.kind === 'initialize' && (this.#jobBytes > 0 || this.#paper.started)) {
      // A new job before the last was cut: what was on its way is a half receipt.
      if (this.#paper.started) this.#jobsSpoiled++;
      this.#paper.discard();
      this.#job = [];
      this.#jobBytes = 0;
    }
    this.#record(command);
    const receipt = this.#paper.apply(command);
    if (!receipt) return;
    const job = Uint8Array.from(Buffer.concat(this.#job));
    this.#job = [];
    this.#jobBytes = 0;
    if (receipt.spoiled) {
      this.#jobsSpoiled++;
      return;
    }
    this.#lastJob = job;
    this.#lastReceipt = receipt;
    this.#jobsPrinted++;
  }

  /** Keeps the job's bytes (re-encoded: the codec round-trips) for `lastJob`. */
  #record(command: EscPosCommand): void {
    if (this.#jobBytes >= MAX_JOB_BYTES) return;
    const bytes = encodeEscPos(command);
    this.#job.push(bytes);
    this.#jobBytes += bytes.length;
  }

  #printerId(n: number): void {
    const { identity } = this.#o;
    const text =
      n === PRINTER_INFO.firmware
        ? identity.firmware
        : n === PRINTER_INFO.maker
          ? identity.maker
          : n === PRINTER_INFO.model
            ? identity.model
            : n === PRINTER_INFO.serialNumber
              ? identity.serialNumber
              : null;
    if (text === null) return; // Functions we do not have: a printer answers nothing.
    let answer = Uint8Array.from([INFO_HEADER, ...Buffer.from(text, 'ascii'), 0]);
    if (this.#faults.has('half-frame')) answer = answer.subarray(0, Math.ceil(answer.length / 2));
    this.#answer(answer);
  }

  #answer(bytes: Uint8Array): void {
    const uart = this.#uart;
    let out = bytes;
    if (this.#faults.has('garbage')) out = Uint8Array.from([...this.#noise(), ...bytes]);
    if (!this.#faults.has('slow')) {
      uart?.send(out);
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#uart === uart) uart?.send(out);
    }, this.#slowDelayMs);
    this.#timers.add(timer);
  }

  #noise(): Uint8Array {
    const bytes = new Uint8Array(GARBAGE_BURST_BYTES);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(this.#random() * 256);
    return bytes;
  }
}

/** A small seeded PRNG (mulberry32): reproducible noise. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
