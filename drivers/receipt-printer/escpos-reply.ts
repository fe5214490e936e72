/**
 * What a receipt printer sends back, decoded for drivers/serial/request-link.ts: one byte per
 * `DLE EOT n` (told from noise by its fixed bits), or `_` text NUL for `GS I n` (Epson, M).
 * The driver says which it expects before each request; nothing else arrives unasked (we never
 * enable automatic status back).
 */
import { INFO_HEADER } from './escpos-commands.ts';
import { isStatusByte } from './escpos-status.ts';

export type EscPosReply = { kind: 'status'; byte: number } | { kind: 'text'; text: string };
type DecodeEvent =
  { type: 'frame'; frame: EscPosReply } | { type: 'error'; error: { kind: 'noise' | 'tooLong' } };

/** The longest `GS I` answer we keep (model names are short). */
export const MAX_INFO_TEXT = 80;

export class EscPosReplyDecoder {
  #expect: 'status' | 'text' = 'status';
  #text: number[] | null = null;

  /** Set before each request: the next answer is a status byte, or an information text. */
  expect(kind: 'status' | 'text'): void {
    this.#expect = kind;
    this.#text = null;
  }

  get bufferedBytes(): number {
    return this.#text?.length ?? 0;
  }

  push(chunk: Uint8Array): DecodeEvent[] {
    const events: DecodeEvent[] = [];
    for (const byte of chunk) {
      if (this.#expect === 'status') {
        events.push(
          isStatusByte(byte)
            ? { type: 'frame', frame: { kind: 'status', byte } }
            : { type: 'error', error: { kind: 'noise' } },
        );
        continue;
      }
      if (this.#text === null) {
        // Bytes before the header are noise; the header opens the text.
        if (byte === INFO_HEADER) this.#text = [];
        else events.push({ type: 'error', error: { kind: 'noise' } });
      } else if (byte === 0) {
        const text = String.fromCharCode(...this.#text);
        this.#text = null;
        events.push(
          /^[\x20-\x7e]*$/.test(text)
            ? { type: 'frame', frame: { kind: 'text', text: text.trim() } }
            : { type: 'error', error: { kind: 'noise' } },
        );
      } else if (this.#text.length >= MAX_INFO_TEXT) {
        this.#text = null;
        events.push({ type: 'error', error: { kind: 'tooLong' } });
      } else {
        this.#text.push(byte);
      }
    }
    return events;
  }

  /** A text without its NUL is incomplete, never an answer. */
  endOfSilence(): null {
    return null;
  }

  reset(): void {
    this.#text = null;
  }
}

/**
 * Counts late answers, oldest first, for line/late-replies.ts: a status answer is paid by the
 * next byte that looks like one, an information text by its NUL. The driver says what each
 * timed-out request owed (`owe`).
 */
export function escPosReplyCounter() {
  const owed: ('status' | 'text')[] = [];
  let inText = false;
  return {
    owe: (kind: 'status' | 'text') => void owed.push(kind),
    push(chunk: Uint8Array): number {
      let paid = 0;
      for (const byte of chunk) {
        const head = owed[0];
        if (head === 'status' && isStatusByte(byte)) {
          owed.shift();
          paid++;
        } else if (head === 'text') {
          if (!inText && byte === INFO_HEADER) inText = true;
          else if (inText && byte === 0) {
            inText = false;
            owed.shift();
            paid++;
          }
        }
      }
      return paid;
    },
    reset() {
      owed.length = 0;
      inText = false;
    },
  };
}
