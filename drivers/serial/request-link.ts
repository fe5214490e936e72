/**
 * Request/response over a device line, for any protocol with a streaming decoder: one exchange
 * at a time, each with its own deadline, an inter-byte timeout for answers that stop halfway or
 * end by silence, and a quiet period after a failed exchange so that a late answer is not taken
 * for the next one's.
 *
 * What it does not do: retry. Whether a command may be sent twice is the protocol's business
 * (the driver's), so the driver decides, with its own bounded count.
 */
import { performance } from 'node:perf_hooks';
import { err, ok, type Result } from '../common/result.ts';
import type { ReconnectingLine } from './reconnecting-line.ts';

export type DecodeEvent<F> =
  { type: 'frame'; frame: F } | { type: 'error'; error: { kind: string } };

export interface FrameDecoder<F> {
  push(chunk: Uint8Array): DecodeEvent<F>[];
  /** Forgets a partial frame. */
  reset(): void;
  readonly bufferedBytes: number;
  /**
   * For protocols whose replies have no terminator (PROTOCOLS.md §3: some printers answer and
   * fall silent): the frame the bytes so far make once the line has been quiet for the
   * inter-byte timeout, or null.
   */
  endOfSilence?(): F | null;
}

export type ExchangeFailure =
  /** Nothing usable arrived before the deadline. */
  | { kind: 'timeout'; receivedBytes: number }
  /** An answer began and stopped: the line fell silent mid-frame. */
  | { kind: 'incomplete'; receivedBytes: number }
  /** An answer arrived damaged (checksum, length). */
  | { kind: 'corrupt'; detail: string }
  | { kind: 'disconnected' };

export interface ExchangeOptions<F> {
  /** The deadline for the whole answer, from the moment the request is written. */
  timeoutMs: number;
  /** Is this frame the answer to this request? Others are stale answers to earlier requests. */
  accept?: (frame: F) => boolean;
  signal?: AbortSignal;
}

export interface RequestLinkOptions {
  /** Silence inside an answer longer than this means the rest will not come. */
  interByteTimeoutMs: number;
  /** After a failed exchange, wait until the line has been this quiet before writing again… */
  quietMs: number;
  /** …but never longer than this (a device that babbles forever must not stall us). */
  maxQuietWaitMs: number;
  /** Decode errors that end an exchange as `corrupt`; others (noise) are skipped. */
  isCorruption?: (error: { kind: string }) => boolean;
}

interface Pending {
  onChunk(chunk: Uint8Array): void;
  onLost(): void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RequestLink<F> {
  #tail: Promise<unknown> = Promise.resolve();
  #pending: Pending | null = null;
  #lastByteAt = -Infinity;
  /** A failed exchange may still be answered late: the next one waits for quiet first. */
  #dirty = false;
  #failedAt = -Infinity;

  constructor(
    readonly line: ReconnectingLine,
    private readonly decoder: FrameDecoder<F>,
    private readonly options: RequestLinkOptions,
  ) {
    line.onData((chunk) => {
      this.#lastByteAt = performance.now();
      this.#pending?.onChunk(chunk);
    });
    line.onState((state) => {
      if (state.state !== 'open') this.#pending?.onLost();
    });
  }

  /**
   * Writes `bytes` and waits for the accepted answer. Exchanges queue behind each other.
   * Aborting rejects at once, but the exchange keeps the line until its answer or deadline, so
   * that the next request never reads this one's answer.
   */
  request(bytes: Uint8Array, options: ExchangeOptions<F>): Promise<Result<F, ExchangeFailure>> {
    const run = this.#tail.then(() =>
      options.signal?.aborted ? null : this.#exchange(bytes, options),
    );
    this.#tail = run.catch(() => {});
    const { signal } = options;
    if (!signal) return run.then((result) => result!);
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      run.then(
        (result) => {
          signal.removeEventListener('abort', onAbort);
          if (result) resolve(result);
          else onAbort();
        },
        (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  async #exchange(
    bytes: Uint8Array,
    options: ExchangeOptions<F>,
  ): Promise<Result<F, ExchangeFailure>> {
    if (this.line.state.state !== 'open') return err({ kind: 'disconnected' });
    if (this.#dirty) await this.#waitForQuiet();
    this.decoder.reset();

    const { interByteTimeoutMs } = this.options;
    const isCorruption = this.options.isCorruption ?? ((error) => error.kind !== 'noise');
    let received = 0;
    let settle!: (result: Result<F, ExchangeFailure>) => void;
    const outcome = new Promise<Result<F, ExchangeFailure>>((resolve) => (settle = resolve));
    let interByteTimer: NodeJS.Timeout | null = null;
    const deadline = setTimeout(
      () => settle(err({ kind: 'timeout', receivedBytes: received })),
      options.timeoutMs,
    );

    const onSilence = () => {
      const frame = this.decoder.endOfSilence?.() ?? null;
      if (frame !== null && (options.accept?.(frame) ?? true)) settle(ok(frame));
      else if (this.decoder.bufferedBytes > 0)
        settle(err({ kind: 'incomplete', receivedBytes: received }));
    };
    this.#pending = {
      onChunk: (chunk) => {
        received += chunk.length;
        for (const event of this.decoder.push(chunk)) {
          if (event.type === 'frame') {
            if (options.accept?.(event.frame) ?? true) return settle(ok(event.frame));
          } else if (isCorruption(event.error)) {
            return settle(err({ kind: 'corrupt', detail: event.error.kind }));
          }
        }
        if (interByteTimer) clearTimeout(interByteTimer);
        interByteTimer =
          this.decoder.bufferedBytes > 0 ? setTimeout(onSilence, interByteTimeoutMs) : null;
      },
      onLost: () => settle(err({ kind: 'disconnected' })),
    };

    const written = await this.line.write(bytes);
    if (!written.ok) settle(err({ kind: 'disconnected' }));
    const result = await outcome;
    clearTimeout(deadline);
    if (interByteTimer) clearTimeout(interByteTimer);
    this.#pending = null;
    this.decoder.reset();
    this.#dirty = !result.ok;
    if (!result.ok) this.#failedAt = performance.now();
    return result;
  }

  async #waitForQuiet(): Promise<void> {
    const { quietMs, maxQuietWaitMs } = this.options;
    const giveUpAt = performance.now() + maxQuietWaitMs;
    for (;;) {
      const now = performance.now();
      // Quiet since the failure as well: an answer late by less than quietMs is still drained.
      const quietFor = now - Math.max(this.#lastByteAt, this.#failedAt);
      if (quietFor >= quietMs || now >= giveUpAt) break;
      await sleep(Math.min(quietMs - quietFor, giveUpAt - now) + 1);
    }
    this.#dirty = false;
  }
}
