/**
 * A 1-bit raster as ESC/POS bytes (PROTOCOLS.md §4, confidence H unless marked): `GS v 0` bands,
 * runs of blank dot rows as paper feed instead of white pixels, then a partial cut. And the reverse,
 * for tests and simulators: the picture a printer would make of those bytes.
 */
import type { MonoBitmap } from '../render/raster.ts';

const ESC = 0x1b;
const GS = 0x1d;
const ESC_INIT = [ESC, 0x40];
/** `GS v 0 m xL xH yL yH d…`: m = 0 normal density; x in bytes, y in dots. */
const GS_V0 = [GS, 0x76, 0x30, 0x00];
/** `ESC J n`: print the buffer and feed n × the vertical motion unit — a dot on the 203 dpi printers we target (confidence M: some models use 1/180 in; a blank gap is then 12 % shorter, nothing worse). */
const ESC_J = [ESC, 0x4a];
/** `GS V 66 n`: feed n and cut partially. */
const GS_CUT_PARTIAL_FEED = [GS, 0x56, 66, 0];

/**
 * Rows per `GS v 0` band. Printers take images in bands of limited height (their receive buffer);
 * 128 rows × 72 bytes = 9 KB is within what common 80 mm printers accept. Confidence L: confirm on
 * the kiosk's model.
 */
export const RASTER_BAND_LINES = 128;
/** Blank runs shorter than this stay pixels: a feed command costs 3 bytes, a blank row ≥ 48. */
const MIN_FEED_RUN = 2;
const MAX_FEED = 255;

export interface EscPosRasterOptions {
  /** Dots fed after the image before the cut (the cutter sits above the print head). */
  feedBeforeCut?: number;
  cut?: boolean;
}

function rowUsedBytes(bitmap: MonoBitmap, row: number): number {
  for (let byte = bitmap.rowBytes - 1; byte >= 0; byte--)
    if (bitmap.bits[row * bitmap.rowBytes + byte] !== 0) return byte + 1;
  return 0;
}

/**
 * ESC/POS bytes for a 1-bit raster. Each band is only as wide as its inked bytes: ESC @ has set
 * left justification, so a narrower band prints at the left edge where it belongs.
 */
export function escposRaster(bitmap: MonoBitmap, options: EscPosRasterOptions = {}): Uint8Array {
  const out: number[] = [...ESC_INIT];
  const used = Array.from({ length: bitmap.height }, (_, row) => rowUsedBytes(bitmap, row));
  const feed = (dots: number) => {
    for (let left = dots; left > 0; left -= MAX_FEED) out.push(...ESC_J, Math.min(MAX_FEED, left));
  };
  let row = 0;
  while (row < bitmap.height) {
    let blank = 0;
    while (row + blank < bitmap.height && used[row + blank] === 0) blank++;
    if (blank >= MIN_FEED_RUN || row + blank === bitmap.height) {
      feed(blank);
      row += blank;
      continue;
    }
    // A band: up to RASTER_BAND_LINES rows, ended early by a blank run worth feeding.
    let end = row;
    while (end < bitmap.height && end - row < RASTER_BAND_LINES) {
      if (used[end] === 0 && end + 1 < bitmap.height && used[end + 1] === 0) break;
      end++;
    }
    const widthBytes = Math.max(1, ...used.slice(row, end));
    const height = end - row;
    out.push(...GS_V0, widthBytes & 0xff, widthBytes >> 8, height & 0xff, height >> 8);
    for (let r = row; r < end; r++) {
      const start = r * bitmap.rowBytes;
      for (let b = 0; b < widthBytes; b++) out.push(bitmap.bits[start + b]!);
    }
    row = end;
  }
  if (options.feedBeforeCut) feed(options.feedBeforeCut);
  if (options.cut ?? true) out.push(...GS_CUT_PARTIAL_FEED);
  return Uint8Array.from(out);
}

/**
 * What a printer `widthDots` wide prints from these bytes, as far as raster images and feeds go:
 * `GS v 0` bands and `ESC J` feeds advance the paper; ESC @, the cut and everything else are
 * skipped by their known lengths. Bytes it does not understand end the picture there.
 */
export function decodeEscposRaster(
  bytes: Uint8Array,
  widthDots: number,
): MonoBitmap & { cuts: number } {
  const rowBytes = Math.ceil(widthDots / 8);
  const rows: Uint8Array[] = [];
  let cuts = 0;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === ESC && bytes[i + 1] === 0x40) i += 2;
    else if (b === ESC && bytes[i + 1] === 0x4a) {
      for (let n = 0; n < bytes[i + 2]!; n++) rows.push(new Uint8Array(rowBytes));
      i += 3;
    } else if (b === GS && bytes[i + 1] === 0x76 && bytes[i + 2] === 0x30) {
      const x = bytes[i + 4]! | (bytes[i + 5]! << 8);
      const y = bytes[i + 6]! | (bytes[i + 7]! << 8);
      let at = i + 8;
      for (let r = 0; r < y; r++) {
        const row = new Uint8Array(rowBytes);
        row.set(bytes.subarray(at, at + Math.min(x, rowBytes)));
        rows.push(row);
        at += x;
      }
      i = at;
    } else if (b === GS && bytes[i + 1] === 0x56) {
      cuts++;
      i += bytes[i + 2] === 65 || bytes[i + 2] === 66 ? 4 : 3;
    } else break;
  }
  const bits = new Uint8Array(rowBytes * rows.length);
  rows.forEach((row, r) => bits.set(row, r * rowBytes));
  return { width: widthDots, height: rows.length, rowBytes, bits, cuts };
}
