/**
 * ISO 7816-4 command/response APDUs and the status words the kiosk must tell apart.
 */
export interface ApduResponse {
  data: Uint8Array;
  sw: number;
}

/** Status words (ISO 7816-4 §5.6), explained like HTTP codes. */
export const SW = {
  OK: 0x9000,
  /** 6A82: the file or application is not on the card. */
  FILE_NOT_FOUND: 0x6a82,
  /** 6983: authentication method blocked (PIN or key locked). */
  BLOCKED: 0x6983,
  /** 6982: security status not satisfied (write before authentication). */
  SECURITY_NOT_SATISFIED: 0x6982,
  /** 6A83: record not found. */
  RECORD_NOT_FOUND: 0x6a83,
  /** 6D00: instruction not supported. */
  INS_NOT_SUPPORTED: 0x6d00,
  /** 6700: wrong length. */
  WRONG_LENGTH: 0x6700,
} as const;

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
export const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
