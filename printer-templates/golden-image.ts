/**
 * Golden images for the template tests: a rendering is compared with a committed PNG with a
 * tolerance. Two measures:
 *   - `dots` (pictures in grey or colour): a dot differs when its luminance differs by more than
 *     `dotThreshold`; `tolerance` is the share of all dots allowed to differ;
 *   - `ink` (1-bit printer output): an ink dot differs when the other image has no ink within one
 *     dot of it, both ways; `tolerance` is the share of the ink. A glyph edge that moved a dot (a
 *     font update, a rounding change) passes; a name moved by a few dots or a missing line fails.
 *
 * Regenerate after an intended change, then look at the PNGs before committing them:
 *   UPDATE_GOLDEN=1 npx vitest run printer-templates
 * A mismatch writes `<name>.actual.png` and `<name>.diff.png` (differences in red) under
 * test-artifacts/printer-templates/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pngToRaster, rasterToPng } from './render/png.ts';
import { unmatchedInk } from './raster-compare.ts';
import { grayOf, toMono, type Raster } from './render/raster.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'printer-templates');

export interface GoldenComparison {
  /** `match`, `updated`, `missing` (no golden yet), `sizeDiffers` or `differs`. */
  verdict: 'match' | 'updated' | 'missing' | 'sizeDiffers' | 'differs';
  differing: number;
  fraction: number;
  message: string;
}

export interface CompareOptions {
  mode?: 'dots' | 'ink';
  tolerance?: number;
  dotThreshold?: number;
  /** Write the golden instead of comparing; default: the UPDATE_GOLDEN environment variable. */
  update?: boolean;
}

/** Dots whose luminance differs by more than `dotThreshold`, and a picture of where. */
export function diffRasters(
  a: Raster,
  b: Raster,
  dotThreshold = 64,
): { differing: number; diff: Raster } {
  const ga = grayOf(a);
  const gb = grayOf(b);
  const diff: Raster = {
    width: a.width,
    height: a.height,
    rgb: new Uint8Array(a.width * a.height * 3),
  };
  let differing = 0;
  for (let i = 0; i < ga.length; i++) {
    const faint = Math.round(255 - (255 - ga[i]!) * 0.25);
    if (Math.abs(ga[i]! - gb[i]!) > dotThreshold) {
      differing++;
      diff.rgb.set([255, 0, 0], 3 * i);
    } else diff.rgb.set([faint, faint, faint], 3 * i);
  }
  return { differing, diff };
}

/** Compares `raster` with `<dir>/__golden__/<name>.png` (or writes it under UPDATE_GOLDEN=1). */
export function compareWithGolden(
  dir: string,
  name: string,
  raster: Raster,
  options: CompareOptions = {},
): GoldenComparison {
  const tolerance = options.tolerance ?? 0.002;
  const file = path.join(dir, '__golden__', `${name}.png`);
  if (options.update ?? Boolean(process.env.UPDATE_GOLDEN)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, rasterToPng(raster));
    return {
      verdict: 'updated',
      differing: 0,
      fraction: 0,
      message: `wrote ${path.relative(ROOT, file)}`,
    };
  }
  const saveActual = () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, `${name}.actual.png`), rasterToPng(raster));
  };
  if (!existsSync(file)) {
    saveActual();
    return {
      verdict: 'missing',
      differing: 0,
      fraction: 1,
      message: `no golden ${path.relative(ROOT, file)}: run UPDATE_GOLDEN=1 npx vitest run printer-templates`,
    };
  }
  const golden = pngToRaster(readFileSync(file));
  if (golden.width !== raster.width || golden.height !== raster.height) {
    saveActual();
    return {
      verdict: 'sizeDiffers',
      differing: 0,
      fraction: 1,
      message: `${name}: ${raster.width}×${raster.height}, golden ${golden.width}×${golden.height}`,
    };
  }
  let differing: number;
  let fraction: number;
  let diff: Raster;
  if (options.mode === 'ink') {
    const result = unmatchedInk(toMono(raster), toMono(golden));
    ({ unmatched: differing, fraction } = result);
    diff = diffRasters(raster, golden, options.dotThreshold).diff;
  } else {
    ({ differing, diff } = diffRasters(raster, golden, options.dotThreshold));
    fraction = differing / (raster.width * raster.height);
  }
  if (fraction > tolerance) {
    saveActual();
    writeFileSync(path.join(ARTIFACTS, `${name}.diff.png`), rasterToPng(diff));
    const of = options.mode === 'ink' ? 'of the ink' : 'of the dots';
    return {
      verdict: 'differs',
      differing,
      fraction,
      message: `${name}: ${differing} dots differ (${(fraction * 100).toFixed(3)} % ${of}, tolerance ${(tolerance * 100).toFixed(3)} %); see test-artifacts/printer-templates/${name}.diff.png`,
    };
  }
  return { verdict: 'match', differing, fraction, message: `${name}: ${differing} dots differ` };
}

/** For `expect(...)`: passes on `match` and `updated`. */
export const goldenOk = (c: GoldenComparison) => c.verdict === 'match' || c.verdict === 'updated';
