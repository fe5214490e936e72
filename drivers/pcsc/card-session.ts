/**
 * An exclusive session on one card: every exchange has a timeout, every answer is checked for
 * its status bytes, and the T=0 conventions are handled here once (ISO 7816-3 §10.3.3, ISO 7816-4
 * §5.3): `61xx` → GET RESPONSE until the card has said everything, `6Cxx` → the same command
 * again with the Le the card asked for, and long data as a command chain.
 *
 * A native SCardTransmit cannot be cancelled. When an exchange times out, or its caller aborts,
 * the session gives up at once, but the native call keeps the reader until the card's state
 * changes; the session is then "poisoned": the card may or may not have executed the command,
 * so nothing more is sent to it and the flow must treat it as of unknown state.
 */
import { err, ok, type Result } from '../common/result.ts';
import {
  chainCommand,
  getResponse,
  headerOf,
  parseResponse,
  withLe,
  type ApduResponse,
  type CommandApdu,
} from './apdu.ts';
import type { CardFault } from './card-fault.ts';
import { SW, SW1 } from './status-words.ts';
import type { CardProtocol, Disposition, TransportReader } from './transport.ts';

/** GET RESPONSE rounds are bounded: a card that keeps saying `61xx` must not loop the kiosk. */
export const MAX_RESPONSE_BYTES = 65_536;

export interface CardSession {
  readonly reader: string;
  readonly atr: Uint8Array;
  readonly protocol: CardProtocol;
  /** One command, with `61xx`/`6Cxx` handled; the answer's status word is the caller's to judge. */
  transmit(apdu: Uint8Array, signal: AbortSignal): Promise<Result<ApduResponse, CardFault>>;
  /** One command of any length: chained in links of 255 bytes when it does not fit. */
  send(command: CommandApdu, signal: AbortSignal): Promise<Result<ApduResponse, CardFault>>;
  /** Ends the session. Never waits on a stuck exchange. */
  close(disposition?: Disposition): Promise<void>;
}

/** What a session needs from the manager that owns the reader. */
export interface SessionHost {
  readonly transport: TransportReader;
  /** The native call `pending` was given up on: card of unknown state, reader busy until it settles. */
  abandon(
    pending: Promise<unknown>,
    why: 'timeout' | 'aborted' | 'malformed',
    header: string,
  ): void;
  /** The session ended; `disconnected` settles when the card is released (the reader is busy until then). */
  released(disconnected: Promise<unknown>): void;
}

/** `dead`: the card left or the service died (the handle is still released on close); `poisoned`: a
 *  native call is still running, and the manager releases the handle when it settles. */
type SessionState = 'open' | 'dead' | 'poisoned' | 'closed';

export function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('aborted', 'AbortError');
}

export class PcscCardSession implements CardSession {
  readonly reader: string;
  readonly atr: Uint8Array;
  readonly protocol: CardProtocol;
  readonly #host: SessionHost;
  readonly #timeoutMs: number;
  readonly #closeDisposition: Disposition;
  #state: SessionState = 'open';
  /** Why a dead session is dead, returned to later calls. */
  #poison: CardFault = { kind: 'unknownState' };
  #inflight: Exchange | null = null;
  #watchdog: NodeJS.Timeout | null = null;
  #signal: AbortSignal | null = null;

  constructor(
    host: SessionHost,
    details: {
      reader: string;
      atr: Uint8Array;
      protocol: CardProtocol;
      exchangeTimeoutMs: number;
      closeDisposition: Disposition;
    },
  ) {
    this.#host = host;
    this.reader = details.reader;
    this.atr = details.atr;
    this.protocol = details.protocol;
    this.#timeoutMs = details.exchangeTimeoutMs;
    this.#closeDisposition = details.closeDisposition;
  }

  transmit(apdu: Uint8Array, signal: AbortSignal): Promise<Result<ApduResponse, CardFault>> {
    return this.#exchange(apdu, signal, true);
  }

  async send(command: CommandApdu, signal: AbortSignal): Promise<Result<ApduResponse, CardFault>> {
    const links = chainCommand(command);
    for (const [index, link] of links.entries()) {
      const answer = await this.transmit(link, signal);
      // A card that refuses a link refuses the chain; its status word says why (e.g. 6884).
      if (!answer.ok || index === links.length - 1 || answer.value.sw !== SW.OK) return answer;
    }
    throw new Error('unreachable: a chain has at least one link');
  }

  async close(disposition: Disposition = this.#closeDisposition): Promise<void> {
    if (this.#state === 'closed') return;
    const wasPoisoned = this.#state === 'poisoned';
    this.#state = 'closed';
    this.#unwatch();
    // A poisoned session's reader is released by the manager once the stuck call settles.
    if (wasPoisoned) return;
    const disconnected = this.#host.transport.disconnect(disposition);
    this.#host.released(disconnected);
    // Bounded like every exchange: a hung pcscd must not hang the flow that is closing.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#timeoutMs);
      void disconnected.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** `6Cxx`: the same command with the Le the card asked for; then `61xx`: GET RESPONSE until done. */
  async #followUp(
    apdu: Uint8Array,
    first: ApduResponse,
    signal: AbortSignal,
  ): Promise<Result<ApduResponse, CardFault>> {
    let answer = first;
    if (answer.sw >> 8 === SW1.WRONG_LE) {
      const corrected = withLe(apdu, answer.sw & 0xff);
      if (!corrected) return ok(answer);
      const again = await this.#exchange(corrected, signal, false);
      if (!again.ok) return again;
      answer = again.value;
    }
    if (answer.sw >> 8 !== SW1.MORE_DATA) return ok(answer);
    const parts = [answer.data];
    let total = answer.data.length;
    let sw = answer.sw;
    while (sw >> 8 === SW1.MORE_DATA) {
      const more = await this.#exchange(getResponse(apdu[0]!, sw & 0xff), signal, false);
      if (!more.ok) return more;
      parts.push(more.value.data);
      total += more.value.data.length;
      sw = more.value.sw;
      if (total > MAX_RESPONSE_BYTES) {
        this.#giveUp(null, 'malformed', apdu);
        return err({ kind: 'malformedResponse', length: total });
      }
    }
    return ok({ data: concat(parts, total), sw });
  }

  /**
   * One native exchange, raced against the timeout and the caller's signal; with `followUp`, a
   * `6Cxx` or `61xx` answer continues in #followUp. The hot path of every APDU: one promise, one
   * watchdog timer per session (re-armed only when it fires) and one abort listener per signal.
   */
  #exchange(
    apdu: Uint8Array,
    signal: AbortSignal,
    followUp: boolean,
  ): Promise<Result<ApduResponse, CardFault>> {
    if (this.#state === 'closed' || this.#state === 'poisoned')
      return Promise.resolve(err({ kind: 'unknownState' }));
    if (this.#state === 'dead') return Promise.resolve(err(this.#poison));
    if (signal.aborted) return Promise.reject(abortError(signal));
    this.#watch(signal);
    return new Promise((resolve, reject) => {
      const exchange: Exchange = {
        apdu,
        deadline: performance.now() + this.#timeoutMs,
        resolve,
        reject,
        settled: false,
        onSettled: null,
      };
      this.#inflight = exchange;
      if (!this.#watchdog) this.#watchdog = setTimeout(this.#onWatchdog, this.#timeoutMs);
      this.#host.transport.transmit(apdu, this.protocol, (result) => {
        exchange.settled = true;
        exchange.onSettled?.();
        if (this.#inflight !== exchange) return; // given up on: the manager deals with it
        this.#inflight = null;
        if (!result.ok) {
          // A card that left or a service that died: nothing more can be sent in this session.
          this.#state = 'dead';
          this.#poison = result.error;
          resolve(result);
          return;
        }
        const response = parseResponse(result.value);
        if (!response) {
          // Fewer than two status bytes: a card pulled mid-command "succeeds" with an empty buffer.
          this.#giveUp(exchange, 'malformed');
          resolve(err({ kind: 'malformedResponse', length: result.value.length }));
          return;
        }
        const sw1 = response.sw >> 8;
        if (followUp && (sw1 === SW1.WRONG_LE || sw1 === SW1.MORE_DATA))
          resolve(this.#followUp(apdu, response, signal));
        else resolve(ok(response));
      });
    });
  }

  readonly #onWatchdog = (): void => {
    this.#watchdog = null;
    const exchange = this.#inflight;
    if (!exchange) return;
    const left = exchange.deadline - performance.now();
    if (left > 0) {
      this.#watchdog = setTimeout(this.#onWatchdog, Math.ceil(left));
      return;
    }
    this.#inflight = null;
    this.#giveUp(exchange, 'timeout');
    exchange.resolve(err({ kind: 'timeout', afterMs: this.#timeoutMs }));
  };

  readonly #onAbort = (): void => {
    const exchange = this.#inflight;
    const signal = this.#signal;
    if (!exchange || !signal) return;
    this.#inflight = null;
    this.#giveUp(exchange, 'aborted');
    exchange.reject(abortError(signal));
  };

  #watch(signal: AbortSignal): void {
    if (signal === this.#signal) return;
    this.#unwatch();
    this.#signal = signal;
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  #unwatch(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = null;
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#watchdog = null;
  }

  /**
   * The card may or may not have acted on the command: nothing more is sent, and the manager
   * keeps the reader until the native call (if still running) settles.
   */
  #giveUp(
    exchange: Exchange | null,
    why: 'timeout' | 'aborted' | 'malformed',
    apdu = exchange?.apdu,
  ): void {
    this.#state = 'poisoned';
    this.#unwatch();
    const settled =
      !exchange || exchange.settled
        ? Promise.resolve()
        : new Promise<void>((resolve) => (exchange.onSettled = resolve));
    this.#host.abandon(settled, why, headerOf(apdu ?? new Uint8Array()));
  }
}

interface Exchange {
  apdu: Uint8Array;
  /** performance.now() after which the card is declared mute. */
  deadline: number;
  resolve: (
    result: Result<ApduResponse, CardFault> | Promise<Result<ApduResponse, CardFault>>,
  ) => void;
  reject: (reason: unknown) => void;
  /** The native call has returned (its callback ran). */
  settled: boolean;
  onSettled: (() => void) | null;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
