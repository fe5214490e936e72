/**
 * ESC/POS print data ⇄ typed commands: what a receipt printer reads off its line. Pure; the
 * simulator parses with it, benchmarks and tests encode with it, and it is fuzzed.
 *
 * The parser never throws and never allocates without bound: a text run is cut at
 * MAX_TEXT_RUN, stored data (raster, 2D symbol) is capped at MAX_STORED_DATA — a declared size
 * beyond it is read and dropped, as a printer swallows data it cannot use — and a command header
 * is at most 8 bytes.
 */
import {
  CUT_WITHOUT_FEED,
  DLE,
  DC4,
  ENQ,
  EOT,
  ESC,
  FS,
  GS,
  LF,
  PARAMETER_COUNTS,
} from './escpos-commands.ts';

export type EscPosCommand =
  /** Printable bytes (≥ 0x20): single-byte text, or GB18030 in Chinese mode. */
  | { kind: 'text'; bytes: Uint8Array }
  | { kind: 'lineFeed' }
  | { kind: 'initialize' }
  | { kind: 'chinese'; on: boolean }
  | { kind: 'align'; n: number }
  /** `GS V m [n]`. */
  | { kind: 'cut'; m: number; n?: number }
  /** `GS v 0 m xL xH yL yH data`: `widthBytes` × `height`, 1 bit per dot. */
  | { kind: 'raster'; m: number; widthBytes: number; height: number; data: Uint8Array }
  /** `GS ( k pL pH cn fn params`: a 2D symbol function (cn 49 = QR). */
  | { kind: 'symbol'; cn: number; fn: number; params: Uint8Array }
  /** Another length-prefixed `GS ( X` / `FS ( X` function. */
  | { kind: 'extended'; prefix: number; letter: number; params: Uint8Array }
  /** `DLE EOT n`: a real-time status request. */
  | { kind: 'status'; n: number }
  /** `GS I n`: a printer information request. */
  | { kind: 'printerId'; n: number }
  /** A command we step over (font, spacing, feed…): its prefix, code and parameter bytes. */
  | { kind: 'setting'; prefix: number; code: number; params: Uint8Array }
  /** Other real-time commands (`DLE ENQ`, `DLE DC4`). */
  | { kind: 'realtime'; bytes: Uint8Array }
  /** Bytes that are no command we know (the printer ignores them). */
  | { kind: 'unknown'; bytes: Uint8Array }
  /** Data read and dropped: more than the printer can hold. */
  | { kind: 'dropped'; reason: 'tooLarge'; bytes: number };

export const MAX_TEXT_RUN = 1024;
export const MAX_STORED_DATA = 1 << 20;
/** `ESC D` tab stops and `GS k` bar code data end with NUL; no more than this before it. */
const MAX_NUL_TERMINATED = 256;

type Step =
  | { more: true }
  | { done: EscPosCommand }
  | { data: number; make: (data: Uint8Array) => EscPosCommand }
  | { untilNul: true; make: (data: Uint8Array) => EscPosCommand };

const setting = (prefix: number, code: number, params: number[] | Uint8Array): EscPosCommand => ({
  kind: 'setting',
  prefix,
  code,
  params: Uint8Array.from(params),
});
const unknown = (bytes: number[]): EscPosCommand => ({
  kind: 'unknown',
  bytes: Uint8Array.from(bytes),
});
const MORE: Step = { more: true };
const word = (low: number, high: number) => low + high * 256;

/** What the header bytes so far make: a command, a data length to read, or a need for more. */
function classify(head: number[]): Step {
  const [prefix, code] = head;
  if (head.length < 2) return MORE;
  const params = head.slice(2);
  const fixed = PARAMETER_COUNTS[prefix!]?.[code!];
  switch (prefix) {
    case ESC:
      if (code === 0x40) return { done: { kind: 'initialize' } };
      if (code === 0x61) return head.length < 3 ? MORE : { done: { kind: 'align', n: head[2]! } };
      if (code === 0x2a) {
        // ESC * m nL nH: bit image, n columns of 1 byte (m 0, 1) or 3 bytes (m 32, 33).
        if (head.length < 5) return MORE;
        const columns = word(head[3]!, head[4]!);
        return {
          data: head[2]! >= 32 ? columns * 3 : columns,
          make: (data) => setting(ESC, code, [...params, ...data]),
        };
      }
      if (code === 0x44) return { untilNul: true, make: (data) => setting(ESC, code, data) };
      break;
    case GS:
      if (code === 0x56) {
        if (head.length < 3) return MORE;
        const m = head[2]!;
        if ((CUT_WITHOUT_FEED as readonly number[]).includes(m))
          return { done: { kind: 'cut', m } };
        return head.length < 4 ? MORE : { done: { kind: 'cut', m, n: head[3]! } };
      }
      if (code === 0x76) {
        if (head.length < 3) return MORE;
        if (head[2] !== 0x30) return { done: unknown(head) };
        if (head.length < 8) return MORE;
        const [, , , m, xL, xH, yL, yH] = head as [
          number,
          number,
          number,
          number,
          number,
          number,
          number,
          number,
        ];
        const widthBytes = word(xL, xH);
        const height = word(yL, yH);
        return {
          data: widthBytes * height,
          make: (data) => ({ kind: 'raster', m, widthBytes, height, data }),
        };
      }
      if (code === 0x28) return lengthPrefixed(head);
      if (code === 0x6b) {
        // GS k m …: bar code; m 0–6 NUL-terminated, m 65–79 with a length byte.
        if (head.length < 3) return MORE;
        if (head[2]! <= 6)
          return { untilNul: true, make: (data) => setting(GS, code, [head[2]!, ...data]) };
        if (head.length < 4) return MORE;
        return { data: head[3]!, make: (data) => setting(GS, code, [head[2]!, head[3]!, ...data]) };
      }
      if (code === 0x49)
        return head.length < 3 ? MORE : { done: { kind: 'printerId', n: head[2]! } };
      break;
    case FS:
      if (code === 0x26) return { done: { kind: 'chinese', on: true } };
      if (code === 0x2e) return { done: { kind: 'chinese', on: false } };
      if (code === 0x28) return lengthPrefixed(head);
      break;
    case DLE:
      if (code === EOT) return head.length < 3 ? MORE : { done: { kind: 'status', n: head[2]! } };
      if (code === ENQ)
        return head.length < 3
          ? MORE
          : { done: { kind: 'realtime', bytes: Uint8Array.from(head) } };
      if (code === DC4)
        return head.length < 5
          ? MORE
          : { done: { kind: 'realtime', bytes: Uint8Array.from(head) } };
      return { done: unknown(head) };
  }
  if (fixed === undefined || fixed < 0) return { done: unknown(head) };
  return head.length < 2 + fixed ? MORE : { done: setting(prefix!, code!, params) };
}

/** `GS ( X pL pH …` and `FS ( X pL pH …`: every such function carries its own length. */
function lengthPrefixed(head: number[]): Step {
  if (head.length < 5) return MORE;
  const [prefix, , letter, pL, pH] = head as [number, number, number, number, number];
  const length = word(pL, pH);
  return {
    data: length,
    make: (data) =>
      prefix === GS && letter === 0x6b && data.length >= 2
        ? { kind: 'symbol', cn: data[0]!, fn: data[1]!, params: data.slice(2) }
        : { kind: 'extended', prefix, letter, params: data },
  };
}

type State =
  | { name: 'ground' }
  | { name: 'head'; head: number[] }
  | { name: 'data'; data: Uint8Array; filled: number; make: (data: Uint8Array) => EscPosCommand }
  | { name: 'skip'; left: number; total: number }
  | { name: 'nul'; bytes: number[]; make: (data: Uint8Array) => EscPosCommand };

export class EscPosParser {
  #state: State = { name: 'ground' };
  #text: number[] = [];

  /** Bytes held for the command in progress: bounded by MAX_STORED_DATA + MAX_TEXT_RUN. */
  get bufferedBytes(): number {
    const s = this.#state;
    const held =
      s.name === 'head'
        ? s.head.length
        : s.name === 'data'
          ? s.data.length
          : s.name === 'nul'
            ? s.bytes.length
            : 0;
    return held + this.#text.length;
  }

  push(chunk: Uint8Array): EscPosCommand[] {
    const out: EscPosCommand[] = [];
    let i = 0;
    while (i < chunk.length) {
      const state = this.#state;
      if (state.name === 'data') {
        const take = Math.min(chunk.length - i, state.data.length - state.filled);
        state.data.set(chunk.subarray(i, i + take), state.filled);
        state.filled += take;
        i += take;
        if (state.filled === state.data.length) {
          out.push(state.make(state.data));
          this.#state = { name: 'ground' };
        }
        continue;
      }
      if (state.name === 'skip') {
        const take = Math.min(chunk.length - i, state.left);
        state.left -= take;
        i += take;
        if (state.left === 0) {
          out.push({ kind: 'dropped', reason: 'tooLarge', bytes: state.total });
          this.#state = { name: 'ground' };
        }
        continue;
      }
      const byte = chunk[i++]!;
      if (state.name === 'nul') {
        if (byte === 0 || state.bytes.length >= MAX_NUL_TERMINATED) {
          out.push(state.make(Uint8Array.from(state.bytes)));
          this.#state = { name: 'ground' };
        } else state.bytes.push(byte);
        continue;
      }
      if (state.name === 'head') {
        state.head.push(byte);
        this.#advance(state.head, out);
        continue;
      }
      // Ground: text, a line feed, or the first byte of a command.
      if (byte >= 0x20) {
        this.#text.push(byte);
        if (this.#text.length >= MAX_TEXT_RUN) this.#flushText(out);
        continue;
      }
      this.#flushText(out);
      if (byte === LF) out.push({ kind: 'lineFeed' });
      else if (byte === ESC || byte === GS || byte === FS || byte === DLE)
        this.#state = { name: 'head', head: [byte] };
      else out.push(unknown([byte]));
    }
    return out;
  }

  /** The text run so far, as a command (the printer prints it at the next LF anyway). */
  flush(): EscPosCommand[] {
    const out: EscPosCommand[] = [];
    this.#flushText(out);
    return out;
  }

  #flushText(out: EscPosCommand[]): void {
    if (this.#text.length === 0) return;
    out.push({ kind: 'text', bytes: Uint8Array.from(this.#text) });
    this.#text = [];
  }

  #advance(head: number[], out: EscPosCommand[]): void {
    const step = classify(head);
    if ('more' in step) return;
    if ('done' in step) {
      out.push(step.done);
      this.#state = { name: 'ground' };
    } else if ('untilNul' in step) {
      this.#state = { name: 'nul', bytes: [], make: step.make };
    } else if (step.data === 0) {
      out.push(step.make(new Uint8Array(0)));
      this.#state = { name: 'ground' };
    } else if (step.data > MAX_STORED_DATA) {
      this.#state = { name: 'skip', left: step.data, total: step.data };
    } else {
      this.#state = { name: 'data', data: new Uint8Array(step.data), filled: 0, make: step.make };
    }
  }
}

/** Bytes for one command: the inverse of the parser, for tests, benchmarks and templates. */
export function encodeEscPos(command: EscPosCommand): Uint8Array {
  const u8 = (...parts: (number[] | Uint8Array)[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  };
  const le = (n: number) => [n & 0xff, (n >> 8) & 0xff];
  switch (command.kind) {
    case 'text':
      if (command.bytes.some((b) => b < 0x20)) throw new TypeError('text holds a control byte');
      return Uint8Array.from(command.bytes);
    case 'lineFeed':
      return u8([LF]);
    case 'initialize':
      return u8([ESC, 0x40]);
    case 'chinese':
      return u8([FS, command.on ? 0x26 : 0x2e]);
    case 'align':
      return u8([ESC, 0x61, command.n]);
    case 'cut':
      return u8([GS, 0x56, command.m], command.n === undefined ? [] : [command.n]);
    case 'raster':
      if (command.data.length !== command.widthBytes * command.height)
        throw new TypeError('raster data is not width × height');
      return u8(
        [GS, 0x76, 0x30, command.m],
        le(command.widthBytes),
        le(command.height),
        command.data,
      );
    case 'symbol':
      return u8(
        [GS, 0x28, 0x6b],
        le(command.params.length + 2),
        [command.cn, command.fn],
        command.params,
      );
    case 'extended':
      return u8([command.prefix, 0x28, command.letter], le(command.params.length), command.params);
    case 'status':
      return u8([DLE, EOT, command.n]);
    case 'printerId':
      return u8([GS, 0x49, command.n]);
    case 'setting':
      return u8([command.prefix, command.code], command.params);
    case 'realtime':
    case 'unknown':
      return Uint8Array.from(command.bytes);
    case 'dropped':
      throw new TypeError('a dropped block has no bytes');
  }
}
