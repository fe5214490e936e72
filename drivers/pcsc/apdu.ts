/**
 * ISO/IEC 7816-4 command and response APDUs (§5.1 command-response pairs, §5.3 chaining):
 * bytes ⇄ structure, pure. Only short APDUs are built here (Lc, Le ≤ 256): the SSSE and staff
 * applications never need extended lengths, and long data goes through command chaining.
 */

export interface ApduResponse {
  data: Uint8Array;
  sw: number;
}

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  /** Expected response length, 1–256 (encoded 00 for 256); absent for no response data. */
  le?: number;
}

/** ISO 7816-4 §5.1: a short Lc carries 1–255 data bytes; a short Le 1–256 (256 as 00). */
export const SHORT_MAX_DATA = 255;
export const SHORT_MAX_LE = 256;
/** ISO 7816-4 §5.3.1: CLA bit b5 set = "not the last command of a chain". */
export const CLA_CHAINING_BIT = 0x10;

/** Splits a response into data and its two status bytes; null if the card sent fewer than two. */
export function parseResponse(bytes: Uint8Array): ApduResponse | null {
  if (bytes.length < 2) return null;
  const n = bytes.length;
  return { data: bytes.slice(0, n - 2), sw: (bytes[n - 2]! << 8) | bytes[n - 1]! };
}

export function responseBytes(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
export const fromHex = (text: string): Uint8Array =>
  new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

/** Encodes a short command APDU (cases 1–4). Throws RangeError on lengths a short APDU cannot carry. */
export function encodeCommand(command: CommandApdu): Uint8Array {
  const data = command.data ?? new Uint8Array();
  if (data.length > SHORT_MAX_DATA)
    throw new RangeError(`${data.length} data bytes need command chaining`);
  const { le } = command;
  if (le !== undefined && (!Number.isInteger(le) || le < 1 || le > SHORT_MAX_LE))
    throw new RangeError(`Le ${le} out of range`);
  const out = new Uint8Array(4 + (data.length ? 1 + data.length : 0) + (le === undefined ? 0 : 1));
  out.set([command.cla, command.ins, command.p1, command.p2]);
  let at = 4;
  if (data.length) {
    out[at++] = data.length;
    out.set(data, at);
    at += data.length;
  }
  if (le !== undefined) out[at] = le & 0xff;
  return out;
}

/**
 * The chain that carries `command` (ISO 7816-4 §5.3.1): every link but the last has CLA b5 set
 * and at most 255 data bytes; only the last carries Le. A command that fits is its own chain.
 */
export function chainCommand(command: CommandApdu): Uint8Array[] {
  const data = command.data ?? new Uint8Array();
  if (data.length <= SHORT_MAX_DATA) return [encodeCommand(command)];
  const links: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += SHORT_MAX_DATA) {
    const last = at + SHORT_MAX_DATA >= data.length;
    links.push(
      encodeCommand({
        ...command,
        cla: last ? command.cla : command.cla | CLA_CHAINING_BIT,
        data: data.subarray(at, at + SHORT_MAX_DATA),
        le: last ? command.le : undefined,
      }),
    );
  }
  return links;
}

/** Which of the four short cases a raw command is (ISO 7816-3 §12.1.3), or null if not a short APDU. */
export function commandCase(apdu: Uint8Array): 1 | 2 | 3 | 4 | null {
  if (apdu.length === 4) return 1;
  if (apdu.length === 5) return 2;
  const lc = apdu[4]!;
  if (lc === 0) return null; // extended length
  if (apdu.length === 5 + lc) return 3;
  if (apdu.length === 6 + lc) return 4;
  return null;
}

/**
 * The same command with Le replaced (the answer to `6C xx`, ISO 7816-3 §10.3.3). Only cases 2
 * and 4 carry Le; null when the command has none to correct.
 */
export function withLe(apdu: Uint8Array, le: number): Uint8Array | null {
  const kind = commandCase(apdu);
  if (kind !== 2 && kind !== 4) return null;
  const out = apdu.slice();
  out[out.length - 1] = le & 0xff;
  return out;
}

/** GET RESPONSE (ISO 7816-4 §11.6.1): `00 C0 00 00 Le`, on the logical channel of the command. */
export function getResponse(cla: number, available: number): Uint8Array {
  return new Uint8Array([cla & 0x03, 0xc0, 0x00, 0x00, available & 0xff]);
}

/** The header of a command as text for logs: CLA INS P1 P2 only, never the data (it may be personal). */
export function headerOf(apdu: Uint8Array): string {
  return hex(apdu.subarray(0, 4));
}
