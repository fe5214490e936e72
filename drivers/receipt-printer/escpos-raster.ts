/**
 * Pictures for the receipt printer: a 1-bit bitmap sent as `GS v 0` raster bands
 * (PROTOCOLS.md §4, H: 1 bit per dot, MSB leftmost, 1 = black; tall images in bands).
 *
 * Why bands: a printer's receive buffer is a few kilobytes; one command per band lets it print
 * while the next band arrives, and the driver sends each band whole, never with a status poll
 * in the middle of its bytes (the poll's 3 bytes would be taken for dots).
 */
import { encodeEscPos } from './escpos-job.ts';

export interface MonoBitmap {
  /** Dots across; each row takes ceil(width / 8) bytes. */
  width: number;
  height: number;
  /** Rows top to bottom, MSB leftmost, 1 = black. */
  bits: Uint8Array;
}

/** The most bytes one band carries: under a 4 KB receive buffer (L: common on thermal printers). */
export const RASTER_BAND_MAX_BYTES = 4_000;

export function rowBytes(width: number): number {
  return Math.ceil(width / 8);
}

/** `GS v 0` commands, one per band of at most RASTER_BAND_MAX_BYTES (and at least one row). */
export function rasterBands(image: MonoBitmap, maxBandBytes = RASTER_BAND_MAX_BYTES): Uint8Array {
  const widthBytes = rowBytes(image.width);
  if (widthBytes === 0 || image.height === 0) return new Uint8Array(0);
  if (image.bits.length !== widthBytes * image.height)
    throw new RangeError('bitmap bytes are not rows × height');
  if (widthBytes > 0xffff || image.height > 0xffff)
    throw new RangeError('bitmap too large for GS v 0');
  const bandRows = Math.max(1, Math.floor(maxBandBytes / widthBytes));
  const parts: Uint8Array[] = [];
  for (let top = 0; top < image.height; top += bandRows) {
    const height = Math.min(bandRows, image.height - top);
    const data = image.bits.subarray(top * widthBytes, (top + height) * widthBytes);
    parts.push(encodeEscPos({ kind: 'raster', m: 0, widthBytes, height, data }));
  }
  return Uint8Array.from(Buffer.concat(parts));
}

/** Threshold an RGBA picture into a bitmap (darker than `threshold` prints). */
export function rgbaToMono(
  width: number,
  height: number,
  rgba: Uint8Array,
  threshold = 128,
): MonoBitmap {
  const widthBytes = rowBytes(width);
  const bits = new Uint8Array(widthBytes * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const luminance = (rgba[i]! * 299 + rgba[i + 1]! * 587 + rgba[i + 2]! * 114) / 1000;
      if (rgba[i + 3]! >= 128 && luminance < threshold)
        bits[y * widthBytes + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return { width, height, bits };
}
