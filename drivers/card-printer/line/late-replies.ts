/**
 * Replies still owed by a device after their exchange timed out. Neither Evolis nor ESC/POS
 * numbers its replies: a device that answers late (busy, slow) answers in order, so its late
 * reply would be read as the answer to our next command, and every answer after it would be one
 * off. A quiet period is not enough — a slow device is quiet right up to its late reply.
 *
 * So after a timeout the reply is owed, and before the next command we wait until the owed
 * replies have arrived (counted as frames, outside any exchange) or until they have had as long
 * again as the exchange waited. A device that never answers (hung) costs that wait once; then
 * the debt is forgiven.
 */
import type { ReconnectingLine } from '../../serial/reconnecting-line.ts';

/**
 * Counts the replies completed in a chunk; `endOfSilence` completes one the line left without
 * its end; `reset` forgets everything (the debt was forgiven).
 */
export interface ReplyCounter {
  push(chunk: Uint8Array): number;
  endOfSilence?(): boolean;
  reset(): void;
}

export class LateReplies {
  #owed = 0;
  #until = 0;
  #inExchange = false;
  #silenceTimer: NodeJS.Timeout | null = null;
  #wake: (() => void) | null = null;

  constructor(
    line: ReconnectingLine,
    private readonly counter: ReplyCounter,
    private readonly silenceMs: number,
  ) {
    line.onData((chunk) => this.#arrived(chunk));
    line.onState((state) => {
      // A new line (replug) owes nothing: the device that owed it was power-cycled or replaced.
      if (state.state !== 'open') this.#forgive();
    });
  }

  get owed(): number {
    return this.#owed;
  }

  /** Runs one exchange; `timedOut(result)` says whether its reply is still owed. */
  async exchange<T>(
    run: () => Promise<T>,
    timeoutMs: number,
    timedOut: (result: T) => boolean,
  ): Promise<T> {
    await this.#settle();
    this.#inExchange = true;
    try {
      const result = await run();
      if (timedOut(result)) {
        this.#owed++;
        this.#until = performance.now() + timeoutMs;
      }
      return result;
    } finally {
      this.#inExchange = false;
    }
  }

  /** Waits for the owed replies (or until they had their time), then starts clean. */
  async #settle(): Promise<void> {
    const wait = this.#until - performance.now();
    if (this.#owed > 0 && wait > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        this.#wake = done;
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
      this.#wake = null;
    }
    this.#forgive();
  }

  #arrived(chunk: Uint8Array): void {
    if (this.#inExchange || this.#owed === 0) return;
    this.#paid(this.counter.push(chunk));
    if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
    this.#silenceTimer = this.counter.endOfSilence
      ? setTimeout(() => {
          this.#silenceTimer = null;
          if (this.counter.endOfSilence?.()) this.#paid(1);
        }, this.silenceMs)
      : null;
  }

  #paid(count: number): void {
    if (count <= 0) return;
    this.#owed = Math.max(0, this.#owed - count);
    if (this.#owed === 0) this.#wake?.();
  }

  #forgive(): void {
    this.#owed = 0;
    this.#until = 0;
    if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
    this.#silenceTimer = null;
    this.counter.reset();
  }
}
