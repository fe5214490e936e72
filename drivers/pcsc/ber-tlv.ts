/**
 * BER-TLV as smart cards use it (ISO/IEC 7816-4 §5.2 and annex D; ISO/IEC 8825-1): tags of one
 * or more bytes (low five bits 11111 = more tag bytes follow), lengths in short form (< 0x80) or
 * long form 81 xx / 82 xx xx. Pure and bounds-checked: a card's bytes never make it throw.
 */
import { err, ok, type Result } from '../common/result.ts';

export interface Tlv {
  tag: number;
  /** The value bytes (a view into the input). */
  value: Uint8Array;
  /** The whole encoded element (tag, length, value), e.g. what a signature covers. */
  raw: Uint8Array;
}

export interface TlvError {
  kind: 'malformedTlv';
  /** Byte offset where decoding failed, and why; never the bytes themselves. */
  offset: number;
  detail: string;
}

/** Three tag bytes are more than any tag we use; more is junk, not a long tag. */
const MAX_TAG_BYTES = 3;

/** Decodes a sequence of TLV elements filling `bytes` exactly (or up to trailing padding, if allowed). */
export function decodeTlvs(
  bytes: Uint8Array,
  options: { allowPadding?: boolean } = {},
): Result<Tlv[], TlvError> {
  const out: Tlv[] = [];
  let at = 0;
  while (at < bytes.length) {
    // ISO 7816-4 §5.2: 00 or FF bytes are padding, not tags; records are often padded to their size.
    if (options.allowPadding && (bytes[at] === 0x00 || bytes[at] === 0xff)) {
      if (bytes.subarray(at).every((b) => b === bytes[at])) break;
    }
    const start = at;
    let tag = bytes[at++]!;
    if ((tag & 0x1f) === 0x1f) {
      let count = 1;
      do {
        if (at >= bytes.length)
          return err({ kind: 'malformedTlv', offset: start, detail: 'tag runs past the end' });
        if (++count > MAX_TAG_BYTES)
          return err({ kind: 'malformedTlv', offset: start, detail: 'tag too long' });
        tag = (tag << 8) | bytes[at]!;
      } while ((bytes[at++]! & 0x80) !== 0);
    }
    if (at >= bytes.length)
      return err({ kind: 'malformedTlv', offset: start, detail: 'no length' });
    let length = bytes[at++]!;
    if (length === 0x81 || length === 0x82) {
      const size = length & 0x7f;
      if (at + size > bytes.length)
        return err({ kind: 'malformedTlv', offset: start, detail: 'length runs past the end' });
      length = size === 1 ? bytes[at]! : (bytes[at]! << 8) | bytes[at + 1]!;
      at += size;
    } else if (length >= 0x80) {
      return err({
        kind: 'malformedTlv',
        offset: start,
        detail: `unsupported length byte ${length.toString(16)}`,
      });
    }
    if (at + length > bytes.length)
      return err({ kind: 'malformedTlv', offset: start, detail: 'value runs past the end' });
    out.push({
      tag,
      value: bytes.subarray(at, at + length),
      raw: bytes.subarray(start, at + length),
    });
    at += length;
  }
  return ok(out);
}

export function encodeTlv(tag: number, value: Uint8Array): Uint8Array {
  const tagBytes =
    tag > 0xffff
      ? [tag >> 16, (tag >> 8) & 0xff, tag & 0xff]
      : tag > 0xff
        ? [tag >> 8, tag & 0xff]
        : [tag];
  const n = value.length;
  if (n > 0xffff) throw new RangeError('TLV value too long');
  const lengthBytes = n < 0x80 ? [n] : n <= 0xff ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  const out = new Uint8Array(tagBytes.length + lengthBytes.length + n);
  out.set(tagBytes);
  out.set(lengthBytes, tagBytes.length);
  out.set(value, tagBytes.length + lengthBytes.length);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The first element with `tag`, or undefined. */
export function findTlv(tlvs: readonly Tlv[], tag: number): Tlv | undefined {
  return tlvs.find((t) => t.tag === tag);
}
