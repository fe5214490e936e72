/**
 * Evolis replies ⇄ bytes. A reply is text — `OK`, `ERR …`, or a value such as a firmware
 * version — and has no documented terminator (PROTOCOLS.md §3): public drivers read until the
 * line goes quiet. So a reply is complete at a CR, or after a silence; we never wait for a CR
 * that may not come. The decoder lives here; the waiting, on the monotonic clock, in
 * drivers/serial/request-link.ts (its inter-byte timeout calls `endOfSilence`).
 */
import {
  EVOLIS_ERRORS,
  EVOLIS_FRAMING,
  MAX_TEXT_BYTES,
  REPLY_ERROR_PREFIX,
  REPLY_OK,
  type EvolisErrorCode,
  type EvolisErrorText,
} from './evolis-protocol.ts';

export type EvolisReply =
  | { kind: 'ok' }
  | { kind: 'error'; code: EvolisErrorCode; text: string }
  | { kind: 'value'; text: string };

export type ParsedReply =
  EvolisReply | { kind: 'garbled'; reason: 'empty' | 'notText' | 'tooLong'; length: number };

const LF = 0x0a;
const NUL = 0x00;

/** Any bytes → a reply or `garbled`; never throws. Trailing CR, LF and NUL are line endings. */
export function parseEvolisReply(bytes: Uint8Array): ParsedReply {
  let end = bytes.length;
  while (
    end > 0 &&
    (bytes[end - 1] === EVOLIS_FRAMING.end || bytes[end - 1] === LF || bytes[end - 1] === NUL)
  )
    end--;
  if (end === 0) return { kind: 'garbled', reason: 'empty', length: bytes.length };
  if (end > MAX_TEXT_BYTES) return { kind: 'garbled', reason: 'tooLong', length: bytes.length };
  let text = '';
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b > 0x7e) return { kind: 'garbled', reason: 'notText', length: bytes.length };
    text += String.fromCharCode(b);
  }
  text = text.trim();
  if (text === '') return { kind: 'garbled', reason: 'empty', length: bytes.length };
  if (text === REPLY_OK) return { kind: 'ok' };
  if (text === REPLY_ERROR_PREFIX || text.startsWith(`${REPLY_ERROR_PREFIX} `)) {
    return {
      kind: 'error',
      code: (EVOLIS_ERRORS as Record<string, EvolisErrorCode>)[text] ?? 'unknown',
      text,
    };
  }
  return { kind: 'value', text };
}

/** The simulator's side. `terminated: false` sends the reply and then nothing — silence ends it. */
export function encodeEvolisReply(reply: EvolisReply, terminated = true): Uint8Array {
  const text = reply.kind === 'ok' ? REPLY_OK : reply.text;
  const bytes = new Uint8Array(text.length + (terminated ? 1 : 0));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0x7f;
  if (terminated) bytes[text.length] = EVOLIS_FRAMING.end;
  return bytes;
}

export function errorReply(text: EvolisErrorText): EvolisReply {
  return { kind: 'error', code: EVOLIS_ERRORS[text], text };
}

type DecodeEvent =
  { type: 'frame'; frame: ParsedReply } | { type: 'error'; error: { kind: 'tooLong' } };

/**
 * The driver's streaming reply decoder (a FrameDecoder for drivers/serial/request-link.ts): a
 * frame at each CR, and at silence whatever came without one. Holds at most MAX_TEXT_BYTES.
 */
export class EvolisReplyDecoder {
  readonly #buffer = new Uint8Array(MAX_TEXT_BYTES);
  #length = 0;

  get bufferedBytes(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): DecodeEvent[] {
    const events: DecodeEvent[] = [];
    for (const byte of chunk) {
      if (byte === EVOLIS_FRAMING.end) {
        events.push({
          type: 'frame',
          frame: parseEvolisReply(this.#buffer.subarray(0, this.#length)),
        });
        this.#length = 0;
      } else if (this.#length === this.#buffer.length) {
        events.push({ type: 'error', error: { kind: 'tooLong' } });
        this.#length = 0;
      } else {
        this.#buffer[this.#length++] = byte;
      }
    }
    return events;
  }

  endOfSilence(): ParsedReply | null {
    if (this.#length === 0) return null;
    const frame = parseEvolisReply(this.#buffer.subarray(0, this.#length));
    this.#length = 0;
    return frame;
  }

  reset(): void {
    this.#length = 0;
  }
}

/** Counts whole replies, for the late replies a slow printer still owes (line/late-replies.ts). */
export function evolisReplyCounter() {
  const decoder = new EvolisReplyDecoder();
  return {
    push: (chunk: Uint8Array) =>
      decoder.push(chunk).filter((event) => event.type === 'frame').length,
    endOfSilence: () => decoder.endOfSilence() !== null,
    reset: () => decoder.reset(),
  };
}
