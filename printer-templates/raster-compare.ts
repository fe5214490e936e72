/**
 * Test support: how far two 1-bit renderings of the same page disagree, forgiving a glyph edge one
 * dot off (poppler hints and anti-aliases glyphs its own way) but not a misplaced or missing mark.
 */
import jsQRModule from 'jsqr';
import type { MonoBitmap } from './render/raster.ts';

const inked = (m: MonoBitmap, x: number, y: number) =>
  x >= 0 &&
  y >= 0 &&
  x < m.width &&
  y < m.height &&
  (m.bits[y * m.rowBytes + (x >> 3)]! & (0x80 >> (x & 7))) !== 0;

/** Ink dots of `a` with no ink of `b` within `radius` dots, and the same the other way, over all ink. */
export function unmatchedInk(
  a: MonoBitmap,
  b: MonoBitmap,
  radius = 1,
): { unmatched: number; ink: number; fraction: number } {
  let unmatched = 0;
  let ink = 0;
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    for (let y = 0; y < from.height; y++) {
      for (let x = 0; x < from.width; x++) {
        if (!inked(from, x, y)) continue;
        ink++;
        let found = false;
        for (let dy = -radius; dy <= radius && !found; dy++)
          for (let dx = -radius; dx <= radius && !found; dx++) found = inked(to, x + dx, y + dy);
        if (!found) unmatched++;
      }
    }
  }
  return { unmatched, ink, fraction: ink === 0 ? 0 : unmatched / ink };
}

/** The bounding box of the ink in a region, or null when it has none. */
export function inkBox(
  m: MonoBitmap,
  region = { x: 0, y: 0, width: m.width, height: m.height },
): { x0: number; y0: number; x1: number; y1: number } | null {
  let box: { x0: number; y0: number; x1: number; y1: number } | null = null;
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) {
      if (!inked(m, x, y)) continue;
      if (!box) box = { x0: x, y0: y, x1: x, y1: y };
      else {
        box.x0 = Math.min(box.x0, x);
        box.y0 = Math.min(box.y0, y);
        box.x1 = Math.max(box.x1, x);
        box.y1 = Math.max(box.y1, y);
      }
    }
  }
  return box;
}

/** Ink dots inside a region. */
export function inkCount(
  m: MonoBitmap,
  region: { x: number; y: number; width: number; height: number },
): number {
  let count = 0;
  for (let y = region.y; y < region.y + region.height; y++)
    for (let x = region.x; x < region.x + region.width; x++) if (inked(m, x, y)) count++;
  return count;
}

/** jsQR wants RGBA. */
export function monoToRgba(m: MonoBitmap): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(m.width * m.height * 4).fill(255);
  for (let y = 0; y < m.height; y++)
    for (let x = 0; x < m.width; x++)
      if (inked(m, x, y)) rgba.fill(0, (y * m.width + x) * 4, (y * m.width + x) * 4 + 3);
  return rgba;
}

/** Reads the QR code in a 1-bit raster with jsQR (an independent decoder), or null. */
export function decodeQr(m: MonoBitmap): string | null {
  // jsqr is CommonJS with an `exports.default`; under NodeNext the default import is the module.
  const decode = jsQRModule.default;
  return decode(monoToRgba(m), m.width, m.height)?.data ?? null;
}
