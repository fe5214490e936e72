/**
 * GA/T 467 framing for second-generation resident ID card readers: bytes ⇄ typed frames, pure,
 * shared by the driver (answers in, commands out) and the simulator (commands in, answers out).
 *
 * Source: shared/PROTOCOLS.md §2 (GA/T 467-2004 as published in vendors' programming guides), H:
 *
 *   AA AA AA 96 69 | LEN (2 bytes, big-endian) | body | CHK
 *
 * LEN counts the body and the checksum byte; CHK is the XOR of every byte from LEN's first byte
 * to the body's last. A command body is `CMD PARA data…`; an answer body is `SW1 SW2 SW3 data…`
 * where SW1 SW2 are `00 00` and SW3 is the status (90 ok, 9F card found, 80 …).
 * Golden vectors: find card `AA AA AA 96 69 00 03 20 01 22`, its answer
 * `AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97`.
 */

export const GAT467_PREAMBLE = Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69);
const HEADER_BYTES = GAT467_PREAMBLE.length + 2;

/**
 * The longest LEN we accept. The largest answer in the standard is read text + photo +
 * fingerprint: 3 status + 6 lengths + 256 text + 1024 photo + 1024 fingerprint + 1 checksum =
 * 2314. A LEN above this is line noise that happened to follow a preamble: refusing it is what
 * keeps the decoder from waiting for (and buffering) 64 KiB that will never come.
 */
export const GAT467_MAX_LEN = 2400;
/** A command body has at least CMD PARA; with the checksum LEN is at least 3. */
const MIN_LEN = 3;
/** The most a decoder ever holds: one maximal frame still incomplete. */
export const GAT467_MAX_BUFFERED = HEADER_BYTES + GAT467_MAX_LEN;

export interface Gat467Command {
  command: number;
  parameter: number;
  data: Uint8Array;
}

export interface Gat467Answer {
  /** SW1 SW2: `00 00` in every answer the standard shows; kept so that frames round-trip. */
  sw1: number;
  sw2: number;
  /** SW3, the status byte (see GAT467_STATUS). */
  status: number;
  data: Uint8Array;
}

export type Gat467DecodeError =
  /** Bytes before a preamble: noise on the line, or the tail of a frame we gave up on. */
  | { kind: 'noise'; bytes: number }
  /** A preamble followed by a LEN no frame can have. */
  | { kind: 'badLength'; length: number }
  | { kind: 'badChecksum'; expected: number; actual: number }
  /** A well-framed body too short for its direction (an answer needs SW1 SW2 SW3). */
  | { kind: 'shortBody'; length: number };

export type Gat467DecodeEvent<F> =
  { type: 'frame'; frame: F } | { type: 'error'; error: Gat467DecodeError };

/** XOR of the bytes, the standard's checksum. */
export function xorChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum ^= bytes[i]!;
  return sum;
}

/** Wraps a body into a complete frame. Throws on a body no reader could accept (a bug of ours). */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const len = body.length + 1;
  if (len < MIN_LEN || len > GAT467_MAX_LEN)
    throw new RangeError(`GA/T 467 body of ${body.length} bytes cannot be framed`);
  const frame = new Uint8Array(HEADER_BYTES + len);
  frame.set(GAT467_PREAMBLE, 0);
  frame[5] = len >> 8;
  frame[6] = len & 0xff;
  frame.set(body, HEADER_BYTES);
  frame[frame.length - 1] = xorChecksum(frame, 5, frame.length - 1);
  return frame;
}

export function encodeCommand(command: Gat467Command): Uint8Array {
  const body = new Uint8Array(2 + command.data.length);
  body[0] = command.command;
  body[1] = command.parameter;
  body.set(command.data, 2);
  return encodeFrame(body);
}

export function encodeAnswer(answer: {
  status: number;
  data?: Uint8Array;
  sw1?: number;
  sw2?: number;
}): Uint8Array {
  const data = answer.data ?? new Uint8Array(0);
  const body = new Uint8Array(3 + data.length);
  body[0] = answer.sw1 ?? 0;
  body[1] = answer.sw2 ?? 0;
  body[2] = answer.status;
  body.set(data, 3);
  return encodeFrame(body);
}

function indexOfPreamble(buffer: Uint8Array, from: number): number {
  outer: for (let i = from; i + GAT467_PREAMBLE.length <= buffer.length; i++) {
    for (let j = 0; j < GAT467_PREAMBLE.length; j++)
      if (buffer[i + j] !== GAT467_PREAMBLE[j]) continue outer;
    return i;
  }
  return -1;
}

/** How many bytes at the end of `buffer` could be the start of a preamble still arriving. */
function preamblePrefixAtEnd(buffer: Uint8Array): number {
  for (let keep = Math.min(GAT467_PREAMBLE.length - 1, buffer.length); keep > 0; keep--) {
    let match = true;
    for (let j = 0; j < keep; j++)
      if (buffer[buffer.length - keep + j] !== GAT467_PREAMBLE[j]) match = false;
    if (match) return keep;
  }
  return 0;
}

/**
 * A streaming decoder: push the bytes as they arrive, in any chunks; get frames and errors.
 * It never throws on input, holds at most GAT467_MAX_BUFFERED bytes between pushes, and
 * resynchronises on the next preamble after any error (a corrupt frame costs one frame).
 */
export class Gat467Decoder<F> {
  #buffer: Uint8Array = new Uint8Array(0);

  constructor(private readonly parseBody: (body: Uint8Array) => F | null) {}

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.#buffer.length;
  }

  /** Forgets a partial frame: after a timeout, before a new command. */
  reset(): void {
    this.#buffer = new Uint8Array(0);
  }

  push(chunk: Uint8Array): Gat467DecodeEvent<F>[] {
    const events: Gat467DecodeEvent<F>[] = [];
    let buffer: Uint8Array;
    if (this.#buffer.length === 0) buffer = chunk;
    else {
      buffer = new Uint8Array(this.#buffer.length + chunk.length);
      buffer.set(this.#buffer, 0);
      buffer.set(chunk, this.#buffer.length);
    }
    let offset = 0;
    for (;;) {
      const start = indexOfPreamble(buffer, offset);
      if (start < 0) {
        const keep = preamblePrefixAtEnd(buffer.subarray(offset));
        const dropped = buffer.length - offset - keep;
        if (dropped > 0) events.push({ type: 'error', error: { kind: 'noise', bytes: dropped } });
        offset = buffer.length - keep;
        break;
      }
      if (start > offset)
        events.push({ type: 'error', error: { kind: 'noise', bytes: start - offset } });
      offset = start;
      if (buffer.length - offset < HEADER_BYTES) break;
      const len = (buffer[offset + 5]! << 8) | buffer[offset + 6]!;
      if (len < MIN_LEN || len > GAT467_MAX_LEN) {
        events.push({ type: 'error', error: { kind: 'badLength', length: len } });
        offset += 1; // Resynchronise from the next byte: this preamble was noise.
        continue;
      }
      const end = offset + HEADER_BYTES + len;
      if (end > buffer.length) break;
      const expected = xorChecksum(buffer, offset + 5, end - 1);
      const actual = buffer[end - 1]!;
      if (expected !== actual) {
        events.push({ type: 'error', error: { kind: 'badChecksum', expected, actual } });
        // One byte only: a half frame followed by a whole one must not cost the whole one.
        offset += 1;
        continue;
      }
      // A copy, so that a frame never pins the receive buffer (nor its neighbours' bytes).
      const body = buffer.slice(offset + HEADER_BYTES, end - 1);
      const frame = this.parseBody(body);
      if (frame === null)
        events.push({ type: 'error', error: { kind: 'shortBody', length: body.length } });
      else events.push({ type: 'frame', frame });
      offset = end;
    }
    this.#buffer = offset >= buffer.length ? new Uint8Array(0) : buffer.slice(offset);
    return events;
  }
}

export function parseAnswerBody(body: Uint8Array): Gat467Answer | null {
  if (body.length < 3) return null;
  return { sw1: body[0]!, sw2: body[1]!, status: body[2]!, data: body.subarray(3) };
}

export function parseCommandBody(body: Uint8Array): Gat467Command | null {
  if (body.length < 2) return null;
  return { command: body[0]!, parameter: body[1]!, data: body.subarray(2) };
}

/** The driver's decoder: reader → host. */
export const createAnswerDecoder = () => new Gat467Decoder(parseAnswerBody);
/** The simulator's decoder: host → reader. */
export const createCommandDecoder = () => new Gat467Decoder(parseCommandBody);
