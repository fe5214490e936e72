/**
 * Evolis commands ⇄ bytes (guide p.4: `ESC` mnemonic `;` parameters `CR`). Pure: the driver
 * encodes with it, the simulator decodes with it, and both are fuzzed.
 *
 * `Db` is the one command with binary data: its length follows from its level (p.14), since the
 * bitmap may hold any byte, CR and ESC included. Everything else is short ASCII text.
 *
 * The decoder never throws and never holds more than one command: text is capped at
 * MAX_TEXT_BYTES, and a download at the largest panel (7 bits per dot).
 */
import { levelBits, panelByteLength } from './card-panels.ts';
import {
  EVOLIS_COMMANDS,
  EVOLIS_FRAMING,
  MAX_TEXT_BYTES,
  PANEL_LEVELS,
  PANELS,
  type PanelLevel,
  type PanelName,
} from './evolis-protocol.ts';

const { start: ESC, separator: SEP, end: CR } = EVOLIS_FRAMING;

export interface EvolisCommand {
  mnemonic: string;
  params: string[];
  /** `Db` only: the panel bitmap after the last parameter. */
  data?: Uint8Array;
}

const MNEMONIC = /^[A-Za-z]{1,8}$/;
/** Parameters are printable ASCII without the separator. */
const PARAM = /^[\x20-\x3a\x3c-\x7e]*$/;

export function isEncodable(command: EvolisCommand): boolean {
  if (!MNEMONIC.test(command.mnemonic) || !command.params.every((p) => PARAM.test(p))) return false;
  const textLength = command.mnemonic.length + command.params.reduce((n, p) => n + 1 + p.length, 0);
  if (textLength > MAX_TEXT_BYTES) return false;
  if (command.mnemonic !== EVOLIS_COMMANDS.downloadPanel) return command.data === undefined;
  const expected = downloadLength(command.params);
  return expected !== null && command.params.length === 2 && command.data?.length === expected;
}

/** `ESC mnemonic (;param)* [;data] CR`. Throws on a command no printer could take (a bug). */
export function encodeEvolisCommand(command: EvolisCommand): Uint8Array {
  if (!isEncodable(command))
    throw new TypeError(`not an Evolis command: ${command.mnemonic};${command.params.join(';')}`);
  const text = [command.mnemonic, ...command.params].join(';');
  const dataLength = command.data ? 1 + command.data.length : 0;
  const out = new Uint8Array(1 + text.length + dataLength + 1);
  out[0] = ESC;
  for (let i = 0; i < text.length; i++) out[1 + i] = text.charCodeAt(i);
  if (command.data) {
    out[1 + text.length] = SEP;
    out.set(command.data, 2 + text.length);
  }
  out[out.length - 1] = CR;
  return out;
}

/** The data length a `Db;<panel>;<level>` header announces, or null when it names no panel/level. */
export function downloadLength(params: string[]): number | null {
  const [panel, level] = params;
  if (!PANELS.includes(panel as PanelName) || !(level! in PANEL_LEVELS)) return null;
  const bits = levelBits(level as PanelLevel);
  // k and o are two-level panels (p.14): a dye level on them is a parameter error.
  if ((panel === 'k' || panel === 'o') !== (bits === 1)) return null;
  return panelByteLength(bits);
}

export type DecodedCommand =
  | { kind: 'command'; command: EvolisCommand }
  /** Bytes that made no command: the simulator answers them as a printer would (`ERR CMD`). */
  | {
      kind: 'invalid';
      reason: 'tooLong' | 'badDownload' | 'interrupted' | 'unterminatedDownload';
      bytes: number;
    };

type State =
  | { name: 'idle' }
  | { name: 'text'; bytes: number[] }
  /** Discarding to the next CR or ESC; `reported` once the invalid bytes were already reported. */
  | { name: 'skip'; bytes: number; reported: boolean }
  | { name: 'data'; params: string[]; data: Uint8Array; filled: number }
  | { name: 'dataEnd'; params: string[]; data: Uint8Array };

/**
 * Streaming decoder for the printer's side of the line. A command starts at ESC, or — the guide
 * allows it (p.4) — at any byte right after a CR. ESC in the middle of a text command restarts.
 */
export class EvolisCommandDecoder {
  #state: State = { name: 'idle' };

  /** Bytes held for the command in progress (a download's bitmap counts in full: it is allocated). */
  get bufferedBytes(): number {
    const state = this.#state;
    if (state.name === 'text') return state.bytes.length;
    if (state.name === 'data' || state.name === 'dataEnd') return state.data.length;
    return 0;
  }

  push(chunk: Uint8Array): DecodedCommand[] {
    const out: DecodedCommand[] = [];
    let i = 0;
    while (i < chunk.length) {
      const state = this.#state;
      if (state.name === 'data') {
        const take = Math.min(chunk.length - i, state.data.length - state.filled);
        state.data.set(chunk.subarray(i, i + take), state.filled);
        state.filled += take;
        i += take;
        if (state.filled === state.data.length)
          this.#state = { name: 'dataEnd', params: state.params, data: state.data };
        continue;
      }
      const byte = chunk[i++]!;
      switch (state.name) {
        case 'idle':
          if (byte === ESC) this.#state = { name: 'text', bytes: [] };
          else if (byte !== CR) this.#state = { name: 'text', bytes: [byte] };
          break;
        case 'skip':
          if (byte === CR || byte === ESC) {
            if (!state.reported)
              out.push({
                kind: 'invalid',
                reason: 'tooLong',
                bytes: state.bytes + (byte === CR ? 1 : 0),
              });
            this.#state = byte === CR ? { name: 'idle' } : { name: 'text', bytes: [] };
          } else state.bytes++;
          break;
        case 'dataEnd':
          if (byte === CR) {
            out.push({
              kind: 'command',
              command: {
                mnemonic: EVOLIS_COMMANDS.downloadPanel,
                params: state.params,
                data: state.data,
              },
            });
            this.#state = { name: 'idle' };
          } else {
            // The bitmap was longer than its level says (or the CR was lost): the panel is refused.
            out.push({ kind: 'invalid', reason: 'unterminatedDownload', bytes: state.data.length });
            this.#state =
              byte === ESC
                ? { name: 'text', bytes: [] }
                : { name: 'skip', bytes: 1, reported: true };
          }
          break;
        case 'text':
          this.#text(state, byte, out);
          break;
      }
    }
    return out;
  }

  #text(state: { name: 'text'; bytes: number[] }, byte: number, out: DecodedCommand[]): void {
    if (byte === ESC) {
      if (state.bytes.length > 0)
        out.push({ kind: 'invalid', reason: 'interrupted', bytes: state.bytes.length });
      this.#state = { name: 'text', bytes: [] };
      return;
    }
    if (byte === CR) {
      if (state.bytes.length > 0) out.push({ kind: 'command', command: splitText(state.bytes) });
      this.#state = { name: 'idle' };
      return;
    }
    if (state.bytes.length >= MAX_TEXT_BYTES) {
      this.#state = { name: 'skip', bytes: state.bytes.length + 1, reported: false };
      return;
    }
    state.bytes.push(byte);
    if (byte === SEP && isDownloadHeader(state.bytes)) {
      const params = splitText(state.bytes.slice(0, -1)).params;
      const length = downloadLength(params);
      if (length === null || params.length !== 2) {
        out.push({ kind: 'invalid', reason: 'badDownload', bytes: state.bytes.length });
        this.#state = { name: 'skip', bytes: 0, reported: true };
        return;
      }
      this.#state = { name: 'data', params, data: new Uint8Array(length), filled: 0 };
    }
  }
}

/** `Db;x;y;` — the third separator of a download starts its binary data. */
function isDownloadHeader(bytes: number[]): boolean {
  if (bytes[0] !== 0x44 /* D */ || bytes[1] !== 0x62 /* b */ || bytes[2] !== SEP) return false;
  let separators = 0;
  for (const b of bytes) if (b === SEP) separators++;
  return separators === 3;
}

function splitText(bytes: number[]): EvolisCommand {
  const [mnemonic = '', ...params] = String.fromCharCode(...bytes).split(';');
  return { mnemonic, params };
}
