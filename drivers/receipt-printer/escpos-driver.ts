/**
 * The ESC/POS receipt printer driver over any byte line (serialport, or the in-process
 * simulator's memory cable).
 *
 * - Every status read has a deadline (a printer may stay silent) and a bounded retry.
 * - One operation at a time: a job is written whole, so no `DLE EOT` ever falls between the
 *   bytes of a raster band (the printer would take the 3 bytes for dots and never answer).
 * - A job is printed only when the printer says it can (paper, cover, no error), and the
 *   status read after it says whether it went through.
 * - Unplugged, it reopens the same port path with backoff and reports each transition once.
 */
import { err, ok, type Result } from '../common/result.ts';
import { silentLog, type DeviceLog, type ReconnectingLine } from '../serial/reconnecting-line.ts';
import { RequestLink } from '../serial/request-link.ts';
import { Exclusive } from '../card-printer/line/exclusive.ts';
import { StatusCell } from '../card-printer/line/status-cell.ts';
import { LateReplies } from '../card-printer/line/late-replies.ts';
import { ESCPOS, PRINTER_INFO } from './escpos-commands.ts';
import { RECEIPT_PRINTER_EVENTS as E } from './receipt-printer-events.ts';
import { escPosReplyCounter, EscPosReplyDecoder, type EscPosReply } from './escpos-reply.ts';
import { decodeStatus, STATUS_QUERIES, type PrinterCondition } from './escpos-status.ts';
import {
  ESCPOS_TIMEOUTS,
  SILENT_ATTEMPTS,
  STATUS_ATTEMPTS,
  STATUS_READINGS,
  type EscPosTimeouts,
} from './escpos-timeouts.ts';
import type {
  ManagedReceiptPrinter,
  ReceiptPrinterFault,
  ReceiptPrinterIdentity,
  ReceiptPrinterStatus,
} from './receipt-printer.ts';

export interface EscPosDriverOptions {
  line: ReconnectingLine;
  /** What `transport` says: `serial:/dev/ttyUSB1`, or `simulated`. */
  transport: string;
  log?: DeviceLog;
  /** The line's speed, to budget a job's transfer (Infinity: none). */
  baudRate?: number;
  timeouts?: Partial<EscPosTimeouts>;
  /** For `mashang diag`: no background poll, no printing. */
  readOnly?: boolean;
}

type Failure = Exclude<
  ReceiptPrinterFault,
  'paperOut' | 'coverOpen' | 'offline' | 'cutterError' | 'mechanicalError' | 'printerError'
>;
const ABORTED = Symbol('aborted');

export class EscPosReceiptPrinter implements ManagedReceiptPrinter {
  readonly kind = 'receipt-printer' as const;
  readonly transport: string;
  readonly line: ReconnectingLine;
  readonly #decoder = new EscPosReplyDecoder();
  readonly #requests: RequestLink<EscPosReply>;
  readonly #owed = escPosReplyCounter();
  readonly #late: LateReplies;
  readonly #exclusive = new Exclusive();
  readonly #log: DeviceLog;
  readonly #t: EscPosTimeouts;
  readonly #baudRate: number;
  readonly #readOnly: boolean;
  readonly #status: StatusCell<ReceiptPrinterStatus>;
  #identity: ReceiptPrinterIdentity | null = null;
  #pollTimer: NodeJS.Timeout | null = null;
  #closed = true;

  constructor(options: EscPosDriverOptions) {
    this.transport = options.transport;
    this.line = options.line;
    this.#log = options.log ?? silentLog;
    this.#t = { ...ESCPOS_TIMEOUTS, ...options.timeouts };
    this.#baudRate = options.baudRate ?? 115_200;
    this.#readOnly = options.readOnly ?? false;
    this.#status = new StatusCell<ReceiptPrinterStatus>(
      { state: 'disconnected' },
      'receipt-printer',
      this.#log,
      E.status,
    );
    this.#requests = new RequestLink(this.line, this.#decoder, {
      interByteTimeoutMs: this.#t.interByteMs,
      quietMs: this.#t.quietMs,
      maxQuietWaitMs: this.#t.maxQuietWaitMs,
    });
    this.#late = new LateReplies(this.line, this.#owed, this.#t.interByteMs);
    this.line.onState((state) => {
      if (state.state === 'open')
        void this.#exclusive.run(() => this.#handshake(state.description));
      else this.#status.set({ state: 'disconnected' });
    });
  }

  start(): void {
    if (!this.#closed) return;
    this.#closed = false;
    this.line.start();
    if (!this.#readOnly) this.#schedulePoll();
  }

  /** Resolves true once the printer is on the line and was asked its status and identity. */
  async whenReady(timeoutMs: number): Promise<boolean> {
    if (!(await this.line.whenOpen(timeoutMs))) return false;
    await this.#exclusive.run(async () => {});
    return this.status().state !== 'disconnected';
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    this.#pollTimer = null;
    await this.line.stop();
    this.#status.set({ state: 'disconnected' });
  }

  status(): ReceiptPrinterStatus {
    return this.#status.get();
  }

  onStatus(listener: (status: ReceiptPrinterStatus) => void): () => void {
    return this.#status.subscribe((status) => listener(status));
  }

  identity(): ReceiptPrinterIdentity | null {
    return this.#identity;
  }

  /** Asks the printer now (between jobs, never inside one). */
  async refreshStatus(): Promise<ReceiptPrinterStatus> {
    if (this.line.state.state === 'open') await this.#exclusive.run(() => this.#poll());
    return this.status();
  }

  async print(job: Uint8Array, signal: AbortSignal): Promise<Result<void, ReceiptPrinterFault>> {
    signal.throwIfAborted();
    if (this.#readOnly) throw new Error('this receipt printer was opened read-only (diagnostics)');
    const started = performance.now();
    this.#log.info({ event: E.print, phase: 'init', bytes: job.length }, 'receipt printer: print');
    const result = await this.#exclusive.run(
      async (): Promise<Result<void, ReceiptPrinterFault> | typeof ABORTED> => {
        if (signal.aborted) return ABORTED;
        if (this.line.state.state !== 'open') return err('disconnected');
        const before = await this.#condition(this.#t.statusReplyMs);
        if (!before.ok) return this.#failed(before.error);
        const blocked = this.#apply(before.value);
        if (blocked) return err(blocked);
        // The whole job in one write: nothing else is sent until it has left.
        const written = await this.line.write(job);
        if (!written.ok) return err('disconnected');
        const transfer = Number.isFinite(this.#baudRate)
          ? ((job.length * 10 * 1000) / this.#baudRate) * this.#t.jobTransferMargin
          : 0;
        const after = await this.#condition(this.#t.statusReplyMs + transfer);
        if (!after.ok) return this.#failed(after.error);
        const fault = this.#apply(after.value);
        return fault ? err(fault) : ok(undefined);
      },
    );
    if (result === ABORTED) signal.throwIfAborted();
    const final: Result<void, ReceiptPrinterFault> =
      result === ABORTED ? err('disconnected') : result;
    const fields = {
      event: E.print,
      phase: 'complete',
      disposition: final.ok ? 'success' : final.error,
      ms: Math.round(performance.now() - started),
    };
    if (final.ok) this.#log.info(fields, 'receipt printed');
    else this.#log.warn(fields, `receipt not printed (${final.error})`);
    return final;
  }

  // — inside the exclusive section —

  async #handshake(description: string): Promise<void> {
    await this.#poll();
    if (
      this.status().state === 'fault' &&
      ['noResponse', 'protocolError'].includes((this.status() as { code: string }).code)
    )
      return;
    await this.#readIdentity();
    this.#log.info(
      { event: E.identified, ...this.#identity, line: description },
      'receipt printer on the line',
    );
  }

  async #readIdentity(): Promise<void> {
    const field = async (n: number) => {
      const answer = await this.#ask(
        'text',
        Uint8Array.of(...ESCPOS.printerId, n),
        this.#t.identityReplyMs,
      );
      return answer.ok && answer.value.kind === 'text' ? answer.value.text : null;
    };
    const identity: ReceiptPrinterIdentity = {
      maker: await field(PRINTER_INFO.maker),
      model: await field(PRINTER_INFO.model),
      serialNumber: await field(PRINTER_INFO.serialNumber),
      firmware: await field(PRINTER_INFO.firmware),
    };
    const previous = this.#identity;
    if (
      previous?.serialNumber &&
      identity.serialNumber &&
      previous.serialNumber !== identity.serialNumber
    ) {
      this.#log.warn(
        { event: E.identityChanged, from: previous, to: identity },
        'a different receipt printer is on the port',
      );
    }
    this.#identity = identity;
  }

  async #poll(): Promise<void> {
    if (this.line.state.state !== 'open') return;
    const condition = await this.#condition(this.#t.statusReplyMs);
    if (!condition.ok) {
      this.#failed(condition.error);
      return;
    }
    this.#apply(condition.value);
    // A printer that was silent at plug-in is asked who it is once it talks.
    if (this.#identity === null) await this.#readIdentity();
  }

  #failed(failure: Failure): Result<never, ReceiptPrinterFault> {
    if (failure === 'disconnected') this.#status.set({ state: 'disconnected' });
    else
      this.#status.set({
        state: 'fault',
        code: failure,
        detail:
          failure === 'noResponse' ? 'no answer to DLE EOT' : 'answers that are no status bytes',
      });
    return err(failure);
  }

  /** Sets the status from the printer's condition; returns the fault that stops printing, if any. */
  #apply(
    c: PrinterCondition,
  ): Exclude<ReceiptPrinterFault, 'disconnected' | 'noResponse' | 'protocolError'> | null {
    const fault = faultOf(c);
    if (fault) this.#status.set({ state: 'fault', code: fault.code, detail: fault.detail });
    else this.#status.set({ state: 'ready', warnings: c.paperNearEnd ? ['paperNearEnd'] : [] });
    return fault?.code ?? null;
  }

  /**
   * The four `DLE EOT n` answers, each with its deadline and bounded retries, read until two
   * readings in a row agree. One status byte has no checksum: its fixed bits let 1 noise byte in
   * 16 pass for a status, and a burst of line noise would otherwise read as "cover open" — or as
   * "all well" on a printer out of paper. Noise does not agree with itself twice.
   */
  async #condition(firstReplyMs: number): Promise<Result<PrinterCondition, Failure>> {
    let previous: string | null = null;
    for (let reading = 1; reading <= STATUS_READINGS; reading++) {
      const bytes: number[] = [];
      for (const n of STATUS_QUERIES) {
        const answer = await this.#statusByte(
          n,
          n === 1 && reading === 1 ? firstReplyMs : this.#t.statusReplyMs,
        );
        if (!answer.ok) return answer;
        bytes.push(answer.value);
      }
      const key = bytes.join(',');
      if (key === previous) return ok(decodeStatus(bytes as [number, number, number, number]));
      previous = key;
    }
    this.#log.warn(
      { event: E.statusUnstable, readings: STATUS_READINGS },
      'status readings never agreed: noise on the line?',
    );
    return err('protocolError');
  }

  async #statusByte(n: number, replyMs: number): Promise<Result<number, Failure>> {
    let last: Failure = 'noResponse';
    for (let attempt = 1; attempt <= STATUS_ATTEMPTS; attempt++) {
      const answer = await this.#ask('status', Uint8Array.of(...ESCPOS.status, n), replyMs);
      if (answer.ok && answer.value.kind === 'status') return ok(answer.value.byte);
      last = answer.ok ? 'protocolError' : answer.error;
      if (last === 'disconnected') return err(last);
      this.#log.warn(
        { event: E.statusReadFailed, n, outcome: last, attempt },
        'status read failed',
      );
      if (last === 'noResponse' && attempt >= SILENT_ATTEMPTS) break;
    }
    return err(last);
  }

  async #ask(
    expect: 'status' | 'text',
    bytes: Uint8Array,
    timeoutMs: number,
  ): Promise<Result<EscPosReply, Failure>> {
    // An answer that missed its deadline is owed, and waited for before the next request: a late
    // status byte would otherwise be read as the next query's answer (line/late-replies.ts).
    const result = await this.#late.exchange(
      () => {
        this.#decoder.expect(expect);
        return this.#requests.request(bytes, {
          timeoutMs,
          accept: (reply) => reply.kind === expect,
        });
      },
      timeoutMs,
      (r) => {
        const late = !r.ok && r.error.kind === 'timeout';
        if (late) this.#owed.owe(expect);
        return late;
      },
    );
    if (result.ok) return result;
    switch (result.error.kind) {
      case 'disconnected':
        return err('disconnected');
      case 'timeout':
        return err(result.error.receivedBytes === 0 ? 'noResponse' : 'protocolError');
      default:
        return err('protocolError');
    }
  }

  #schedulePoll(): void {
    if (this.#closed || this.#pollTimer) return;
    this.#pollTimer = setTimeout(async () => {
      this.#pollTimer = null;
      if (this.#closed) return;
      if (this.#exclusive.depth === 0 && this.line.state.state === 'open')
        await this.#exclusive.run(() => this.#poll());
      this.#schedulePoll();
    }, this.#t.statusPollMs);
    this.#pollTimer.unref();
  }
}

function faultOf(c: PrinterCondition): {
  code: Exclude<ReceiptPrinterFault, 'disconnected' | 'noResponse' | 'protocolError'>;
  detail: string;
} | null {
  if (c.coverOpen) return { code: 'coverOpen', detail: 'the printer cover is open' };
  if (c.paperEnd) return { code: 'paperOut', detail: 'out of paper' };
  if (c.cutterError) return { code: 'cutterError', detail: 'the autocutter failed' };
  if (c.mechanicalError) return { code: 'mechanicalError', detail: 'mechanical error' };
  if (c.unrecoverableError)
    return {
      code: 'printerError',
      detail: 'unrecoverable error: power-cycle or service the printer',
    };
  if (c.error || c.offline)
    return {
      code: 'offline',
      detail: c.autoRecoverableError ? 'offline until it recovers (head overheated?)' : 'offline',
    };
  return null;
}
