/**
 * A simulated device's UART: what makes a simulator meet the driver as hardware does. Bytes
 * cross at the configured line speed in both directions (8N1: baud / 10 bytes a second), and the
 * receiver is a bounded FIFO: when the host sends faster than the device reads, bytes are lost
 * (an overrun, counted) — or, with RTS/CTS flow control, the host is held back.
 */
import { performance } from 'node:perf_hooks';
import type { DevicePort } from './byte-line.ts';

export interface UartOptions {
  /** Line speed; `Infinity` passes bytes as fast as the host goes (benchmarks, fuzzing). */
  baudRate: number;
  /** The receive FIFO's size in bytes. */
  rxBufferBytes: number;
  flowControl: 'none' | 'rts-cts';
}

/** 8 data bits, no parity, 1 stop bit, and the start bit: 10 bit times per byte. */
const BITS_PER_BYTE = 10;

class ByteRing {
  readonly #bytes: Uint8Array;
  #head = 0;
  #length = 0;
  constructor(capacity: number) {
    this.#bytes = new Uint8Array(capacity);
  }
  get length() {
    return this.#length;
  }
  get free() {
    return this.#bytes.length - this.#length;
  }
  /** Stores what fits; returns how many bytes were stored. */
  push(chunk: Uint8Array): number {
    const n = Math.min(chunk.length, this.free);
    for (let i = 0; i < n; i++)
      this.#bytes[(this.#head + this.#length + i) % this.#bytes.length] = chunk[i]!;
    this.#length += n;
    return n;
  }
  shift(count: number): Uint8Array {
    const n = Math.min(count, this.#length);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#bytes[(this.#head + i) % this.#bytes.length]!;
    this.#head = (this.#head + n) % this.#bytes.length;
    this.#length -= n;
    return out;
  }
  clear() {
    this.#head = 0;
    this.#length = 0;
  }
}

/** Moves bytes from a queue at a pace, in timer ticks, carrying fractional credit between ticks. */
class Pacer {
  #timer: NodeJS.Timeout | null = null;
  #last = 0;
  #credit = 0;
  constructor(
    private readonly bytesPerMs: number,
    private readonly available: () => number,
    private readonly move: (count: number) => void,
  ) {}
  kick(): void {
    if (this.#timer || this.available() === 0) return;
    this.#last = performance.now();
    this.#credit = 0;
    this.#schedule();
  }
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
  #schedule(): void {
    const wait = Math.max(1, Math.ceil((1 - this.#credit) / this.bytesPerMs));
    this.#timer = setTimeout(() => this.#tick(), wait);
  }
  #tick(): void {
    this.#timer = null;
    const now = performance.now();
    this.#credit += (now - this.#last) * this.bytesPerMs;
    this.#last = now;
    const count = Math.min(this.available(), Math.floor(this.#credit));
    this.#credit -= count;
    if (count > 0) this.move(count);
    if (this.available() > 0) this.#schedule();
  }
}

export class SimUart {
  readonly #rx: ByteRing;
  readonly #tx: Uint8Array[] = [];
  readonly #heldBack: Uint8Array[] = [];
  #txQueued = 0;
  #overruns = 0;
  #paused = false;
  readonly #rxPacer: Pacer | null;
  readonly #txPacer: Pacer | null;

  constructor(
    private readonly port: DevicePort,
    private readonly options: UartOptions,
    private readonly onBytes: (bytes: Uint8Array) => void,
  ) {
    this.#rx = new ByteRing(options.rxBufferBytes);
    const paced = Number.isFinite(options.baudRate);
    const bytesPerMs = options.baudRate / BITS_PER_BYTE / 1000;
    this.#rxPacer = paced
      ? new Pacer(
          bytesPerMs,
          () => this.#rx.length,
          (n) => this.#deliver(n),
        )
      : null;
    this.#txPacer = paced
      ? new Pacer(
          bytesPerMs,
          () => this.#txQueued,
          (n) => this.#transmit(n),
        )
      : null;
    port.onData((chunk) => this.#receive(chunk));
    port.onClose(() => this.reset());
  }

  /** Bytes lost because the receive FIFO was full. */
  get overruns(): number {
    return this.#overruns;
  }

  /** Queues bytes for the host, sent at line speed. */
  send(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (!this.#txPacer) return this.port.write(bytes);
    this.#tx.push(Uint8Array.from(bytes));
    this.#txQueued += bytes.length;
    this.#txPacer.kick();
  }

  /** Power cycle: both FIFOs empty, nothing half sent. */
  reset(): void {
    this.#rx.clear();
    this.#heldBack.length = 0;
    this.#tx.length = 0;
    this.#txQueued = 0;
    this.#rxPacer?.stop();
    this.#txPacer?.stop();
    this.#setPaused(false);
  }

  #receive(chunk: Uint8Array): void {
    if (!this.#rxPacer) return this.onBytes(chunk);
    if (this.options.flowControl === 'rts-cts') {
      // Bytes already on the wire when RTS drops still land: they wait here, not in the void.
      this.#heldBack.push(Uint8Array.from(chunk));
      this.#admitHeldBack();
    } else {
      const stored = this.#rx.push(chunk);
      this.#overruns += chunk.length - stored;
    }
    this.#rxPacer.kick();
  }

  #admitHeldBack(): void {
    while (this.#heldBack.length > 0) {
      const head = this.#heldBack[0]!;
      const stored = this.#rx.push(head);
      if (stored === head.length) this.#heldBack.shift();
      else {
        this.#heldBack[0] = head.subarray(stored);
        break;
      }
    }
    this.#setPaused(this.#heldBack.length > 0 || this.#rx.free === 0);
  }

  #deliver(count: number): void {
    const bytes = this.#rx.shift(count);
    if (this.options.flowControl === 'rts-cts') this.#admitHeldBack();
    this.onBytes(bytes);
  }

  #transmit(count: number): void {
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const head = this.#tx[0]!;
      const take = Math.min(head.length, count - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.#tx.shift();
      else this.#tx[0] = head.subarray(take);
    }
    this.#txQueued -= count;
    this.port.write(out);
  }

  #setPaused(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    if (paused) this.port.pause();
    else this.port.resume();
  }
}
