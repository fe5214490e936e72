/**
 * Test support: a PDF rendered by poppler (`pdftoppm -gray -r <dpi>`, Debian poppler-utils, a test
 * package of scripts/setup.mjs) — the independent check that the PDF back end draws what the raster
 * back end paints. Never `-mono`: it dithers and breaks QR modules (PROTOCOLS.md §6).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pngToRaster } from './render/png.ts';
import type { Raster } from './render/raster.ts';

export function pdfPagesToRasters(pdf: Uint8Array, dpi: number): Raster[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mashang-pdf-'));
  try {
    writeFileSync(path.join(dir, 'in.pdf'), pdf);
    execFileSync(
      'pdftoppm',
      ['-gray', '-r', String(dpi), '-png', path.join(dir, 'in.pdf'), path.join(dir, 'page')],
      { stdio: 'pipe' },
    );
    return readdirSync(dir)
      .filter((f) => f.startsWith('page') && f.endsWith('.png'))
      .sort()
      .map((f) => pngToRaster(readFileSync(path.join(dir, f))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `raster` cut or padded (white) to `width` × `height`: poppler rounds a page's size up a dot. */
export function cropTo(raster: Raster, width: number, height: number): Raster {
  const out: Raster = { width, height, rgb: new Uint8Array(width * height * 3).fill(255) };
  for (let y = 0; y < Math.min(height, raster.height); y++) {
    const w = Math.min(width, raster.width);
    out.rgb.set(
      raster.rgb.subarray(y * raster.width * 3, (y * raster.width + w) * 3),
      y * width * 3,
    );
  }
  return out;
}
