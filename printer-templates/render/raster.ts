/**
 * The raster back end: paints a page's operations into an RGB buffer at one pixel per printer dot,
 * then the printers' forms are cut from it — a 1-bit plane (ESC/POS `GS v 0`, the card's k panel)
 * by threshold, colour planes (the card's y, m, c panels) by complement.
 *
 * Text is filled from the font's own outlines (fontkit glyph paths, the same font object the
 * layout measured and pdfkit embeds) by a small scan-line filler: non-zero winding, 4 sub-scan-lines
 * per dot and exact horizontal coverage, so a stroke's edge dot is as dark as the part of it inked.
 * Rectangles and QR modules on whole dots are filled dot for dot: a QR module is exactly
 * `moduleDots` dots, always.
 */
import type { PathCommand } from 'fontkit';
import type { Colour, Op, Page, RgbImage } from './display-list.ts';
import type { Fonts } from './text-fit.ts';
import { shapeText } from './text-fit.ts';

export interface Raster {
  width: number;
  height: number;
  /** 3 bytes per dot, white = 255. */
  rgb: Uint8Array;
}

/** A 1-bit plane: 1 = ink, most significant bit leftmost, rows padded to whole bytes. */
export interface MonoBitmap {
  width: number;
  height: number;
  rowBytes: number;
  bits: Uint8Array;
}

const SUBSCANLINES = 4;
/** Luminance below this is ink on a 1-bit plane: a dot more than half covered prints. */
export const MONO_THRESHOLD = 128;

export function createRaster(width: number, height: number): Raster {
  return { width, height, rgb: new Uint8Array(width * height * 3).fill(255) };
}

function parseColour(colour: Colour): [number, number, number] {
  const value = Number.parseInt(colour.slice(1, 7), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** Edges of a path in dots, as flat quadruples x0 y0 x1 y1. */
class Outline {
  readonly edges: number[] = [];
  #startX = 0;
  #startY = 0;
  #x = 0;
  #y = 0;

  moveTo(x: number, y: number): void {
    this.close();
    this.#startX = this.#x = x;
    this.#startY = this.#y = y;
  }

  lineTo(x: number, y: number): void {
    if (y !== this.#y) this.edges.push(this.#x, this.#y, x, y);
    this.#x = x;
    this.#y = y;
  }

  quadTo(cx: number, cy: number, x: number, y: number): void {
    const steps = curveSteps(Math.hypot(cx - this.#x, cy - this.#y) + Math.hypot(x - cx, y - cy));
    const x0 = this.#x;
    const y0 = this.#y;
    for (let i = 1; i <= steps; i++) {
      const t = i / steps;
      const u = 1 - t;
      this.lineTo(u * u * x0 + 2 * u * t * cx + t * t * x, u * u * y0 + 2 * u * t * cy + t * t * y);
    }
  }

  cubicTo(c1x: number, c1y: number, c2x: number, c2y: number, x: number, y: number): void {
    const length =
      Math.hypot(c1x - this.#x, c1y - this.#y) +
      Math.hypot(c2x - c1x, c2y - c1y) +
      Math.hypot(x - c2x, y - c2y);
    const steps = curveSteps(length);
    const x0 = this.#x;
    const y0 = this.#y;
    for (let i = 1; i <= steps; i++) {
      const t = i / steps;
      const u = 1 - t;
      const a = u * u * u;
      const b = 3 * u * u * t;
      const c = 3 * u * t * t;
      const d = t * t * t;
      this.lineTo(a * x0 + b * c1x + c * c2x + d * x, a * y0 + b * c1y + c * c2y + d * y);
    }
  }

  close(): void {
    if (this.#x !== this.#startX || this.#y !== this.#startY)
      this.lineTo(this.#startX, this.#startY);
  }

  rect(x: number, y: number, width: number, height: number): void {
    this.moveTo(x, y);
    this.lineTo(x + width, y);
    this.lineTo(x + width, y + height);
    this.lineTo(x, y + height);
    this.close();
  }

  circle(cx: number, cy: number, r: number, clockwise = true): void {
    const steps = Math.max(24, Math.ceil((2 * Math.PI * r) / 3));
    this.moveTo(cx + r, cy);
    for (let i = 1; i <= steps; i++) {
      const angle = ((clockwise ? 1 : -1) * 2 * Math.PI * i) / steps;
      this.lineTo(cx + r * Math.cos(angle), cy + r * Math.sin(angle));
    }
    this.close();
  }
}

/** Line segments for a curve whose control polygon is `length` dots long: about one per 3 dots. */
function curveSteps(length: number): number {
  return Math.min(24, Math.max(1, Math.ceil(length / 3)));
}

/** Coverage of a shape, 0–255 per dot, over its bounding box at (x, y). */
interface Mask {
  x: number;
  y: number;
  width: number;
  height: number;
  alpha: Uint8Array;
}

/**
 * Scan-converts closed polygons (edge quadruples x0 y0 x1 y1, non-zero winding) into a coverage
 * mask: 4 sub-scan-lines per dot, exact horizontal coverage of each span.
 */
function maskOf(edges: ArrayLike<number>): Mask | null {
  const count = edges.length / 4;
  if (count === 0) return null;
  // Edges oriented top to bottom, with their winding direction.
  const top = new Float64Array(count);
  const bottom = new Float64Array(count);
  const xTop = new Float64Array(count);
  const slope = new Float64Array(count);
  const dir = new Int8Array(count);
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let e = 0; e < count; e++) {
    const x0 = edges[4 * e]!;
    const y0 = edges[4 * e + 1]!;
    const x1 = edges[4 * e + 2]!;
    const y1 = edges[4 * e + 3]!;
    const down = y1 > y0;
    top[e] = down ? y0 : y1;
    bottom[e] = down ? y1 : y0;
    xTop[e] = down ? x0 : x1;
    slope[e] = (x1 - x0) / (y1 - y0);
    dir[e] = down ? 1 : -1;
    minX = Math.min(minX, x0, x1);
    maxX = Math.max(maxX, x0, x1);
    minY = Math.min(minY, top[e]!);
    maxY = Math.max(maxY, bottom[e]!);
  }
  const mx = Math.floor(minX);
  const my = Math.floor(minY);
  const width = Math.ceil(maxX) - mx + 1;
  const height = Math.ceil(maxY) - my;
  if (width <= 0 || height <= 0 || !Number.isFinite(width + height)) return null;
  const alpha = new Uint8Array(width * height);
  const order = Array.from({ length: count }, (_, e) => e).sort((a, b) => top[a]! - top[b]!);
  const coverage = new Float32Array(width + 1);
  const weight = 1 / SUBSCANLINES;
  let next = 0;
  const active: number[] = [];
  const xs: number[] = [];
  const ws: number[] = [];
  for (let row = 0; row < height; row++) {
    let spanMin = width;
    let spanMax = -1;
    for (let s = 0; s < SUBSCANLINES; s++) {
      const sy = my + row + (s + 0.5) / SUBSCANLINES;
      while (next < count && top[order[next]!]! <= sy) active.push(order[next++]!);
      // Edges that ended above this sub-scan-line leave the active list (in place, no garbage).
      let kept = 0;
      for (let i = 0; i < active.length; i++)
        if (bottom[active[i]!]! > sy) active[kept++] = active[i]!;
      active.length = kept;
      xs.length = 0;
      ws.length = 0;
      for (const e of active) {
        if (top[e]! > sy) continue;
        const x = xTop[e]! + (sy - top[e]!) * slope[e]! - mx;
        // Insertion keeps crossings sorted; a glyph's row crosses few edges.
        let i = xs.length;
        xs.push(x);
        ws.push(dir[e]!);
        while (i > 0 && xs[i - 1]! > x) {
          xs[i] = xs[i - 1]!;
          ws[i] = ws[i - 1]!;
          i--;
        }
        xs[i] = x;
        ws[i] = dir[e]!;
      }
      // Spans open where the winding number leaves 0 and close where it returns to 0.
      let winding = 0;
      let open = 0;
      for (let i = 0; i < xs.length; i++) {
        const was = winding;
        winding += ws[i]!;
        if (was === 0 && winding !== 0) open = xs[i]!;
        else if (was !== 0 && winding === 0) {
          const a = Math.max(0, open);
          const b = Math.min(width, xs[i]!);
          if (b <= a) continue;
          const ia = Math.floor(a);
          const ib = Math.floor(b);
          if (ia === ib) coverage[ia]! += (b - a) * weight;
          else {
            coverage[ia]! += (ia + 1 - a) * weight;
            for (let x = ia + 1; x < ib; x++) coverage[x]! += weight;
            if (ib < width) coverage[ib]! += (b - ib) * weight;
          }
          spanMin = Math.min(spanMin, ia);
          spanMax = Math.max(spanMax, Math.min(ib, width - 1));
        }
      }
    }
    for (let x = spanMin; x <= spanMax; x++) {
      alpha[row * width + x] = Math.round(Math.min(1, coverage[x]!) * 255);
      coverage[x] = 0;
    }
  }
  return { x: mx, y: my, width, height, alpha };
}

/** Paints `colour` through `mask`, moved by (dx, dy) whole dots, clipped to the raster. */
function blendMask(raster: Raster, mask: Mask, dx: number, dy: number, colour: Colour): void {
  const [cr, cg, cb] = parseColour(colour);
  const { width, height, rgb } = raster;
  for (let my = 0; my < mask.height; my++) {
    const row = mask.y + dy + my;
    if (row < 0 || row >= height) continue;
    for (let mx = 0; mx < mask.width; mx++) {
      const a = mask.alpha[my * mask.width + mx]!;
      if (a === 0) continue;
      const col = mask.x + dx + mx;
      if (col < 0 || col >= width) continue;
      const at = (row * width + col) * 3;
      if (a === 255) {
        rgb[at] = cr;
        rgb[at + 1] = cg;
        rgb[at + 2] = cb;
      } else {
        const alpha = a / 255;
        rgb[at] = Math.round(rgb[at]! * (1 - alpha) + cr * alpha);
        rgb[at + 1] = Math.round(rgb[at + 1]! * (1 - alpha) + cg * alpha);
        rgb[at + 2] = Math.round(rgb[at + 2]! * (1 - alpha) + cb * alpha);
      }
    }
  }
}

/** Fills an outline (non-zero winding) with `colour`, anti-aliased. */
function fillOutline(raster: Raster, outline: Outline, colour: Colour): void {
  outline.close();
  const mask = maskOf(outline.edges);
  if (mask) blendMask(raster, mask, 0, 0, colour);
}

/** A rectangle on whole dots, painted dot for dot (no coverage arithmetic, no rounding). */
function fillDots(
  raster: Raster,
  x: number,
  y: number,
  w: number,
  h: number,
  colour: Colour,
): void {
  const [cr, cg, cb] = parseColour(colour);
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(raster.width, x + w);
  const y1 = Math.min(raster.height, y + h);
  for (let row = y0; row < y1; row++) {
    for (let col = x0; col < x1; col++) {
      const at = (row * raster.width + col) * 3;
      raster.rgb[at] = cr;
      raster.rgb[at + 1] = cg;
      raster.rgb[at + 2] = cb;
    }
  }
}

const isWhole = (...values: number[]) => values.every(Number.isInteger);

function fillRect(
  raster: Raster,
  x: number,
  y: number,
  w: number,
  h: number,
  colour: Colour,
): void {
  if (w <= 0 || h <= 0) return;
  if (isWhole(x, y, w, h)) return fillDots(raster, x, y, w, h, colour);
  const outline = new Outline();
  outline.rect(x, y, w, h);
  fillOutline(raster, outline, colour);
}

const GLYPH_CACHE_LIMIT = 8000;
/** Glyphs are placed to a quarter dot: a glyph's mask is made once per size and quarter-dot phase. */
const SUBPIXEL_STEPS = 4;
const glyphMaskCache = new WeakMap<object, Map<string, Mask | null>>();

/**
 * A glyph's coverage at `scale` (dots per font unit) with its origin at (fx, fy) inside a dot,
 * cached: a receipt's digits and labels are scan-converted once, then only copied.
 */
function glyphMask(
  font: Fonts['regular'],
  id: number,
  scale: number,
  fx: number,
  fy: number,
): Mask | null {
  let cache = glyphMaskCache.get(font);
  if (!cache) glyphMaskCache.set(font, (cache = new Map()));
  const key = `${id}@${scale}@${fx}@${fy}`;
  let mask = cache.get(key);
  if (mask === undefined) {
    const outline = new Outline();
    const commands: PathCommand[] = font.font.getGlyph(id).path.commands;
    for (const { command, args: a } of commands) {
      const p = a.map((v, i) => (i % 2 === 0 ? fx + v * scale : fy - v * scale));
      if (command === 'moveTo') outline.moveTo(p[0]!, p[1]!);
      else if (command === 'lineTo') outline.lineTo(p[0]!, p[1]!);
      else if (command === 'quadraticCurveTo') outline.quadTo(p[0]!, p[1]!, p[2]!, p[3]!);
      else if (command === 'bezierCurveTo')
        outline.cubicTo(p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!);
      else outline.close();
    }
    outline.close();
    mask = maskOf(outline.edges);
    if (cache.size >= GLYPH_CACHE_LIMIT) cache.clear();
    cache.set(key, mask);
  }
  return mask;
}

/** Splits a coordinate into whole dots and a quarter-dot phase. */
function place(v: number): [number, number] {
  const whole = Math.floor(v);
  const phase = Math.round((v - whole) * SUBPIXEL_STEPS) / SUBPIXEL_STEPS;
  return phase === 1 ? [whole + 1, 0] : [whole, phase];
}

function paintText(raster: Raster, op: Extract<Op, { kind: 'text' }>, fonts: Fonts): void {
  const font = fonts[op.weight];
  const scale = op.size / font.font.unitsPerEm;
  const [by, fy] = place(op.baseline);
  for (const glyph of shapeText(font, op.text).glyphs) {
    if (glyph.id === 0) continue; // .notdef is never drawn: font.ts replaced what the font lacks
    const [bx, fx] = place(op.x + glyph.x * scale);
    const mask = glyphMask(font, glyph.id, scale, fx, fy);
    if (mask) blendMask(raster, mask, bx, by, op.colour);
  }
}

function paintImage(raster: Raster, x0: number, y0: number, image: RgbImage): void {
  for (let y = 0; y < image.height; y++) {
    const row = y0 + y;
    if (row < 0 || row >= raster.height) continue;
    for (let x = 0; x < image.width; x++) {
      const col = x0 + x;
      if (col < 0 || col >= raster.width) continue;
      const from = (y * image.width + x) * 3;
      const to = (row * raster.width + col) * 3;
      raster.rgb[to] = image.rgb[from]!;
      raster.rgb[to + 1] = image.rgb[from + 1]!;
      raster.rgb[to + 2] = image.rgb[from + 2]!;
    }
  }
}

/** Paints `ops` in order onto `raster`. */
export function paintOps(raster: Raster, ops: readonly Op[], fonts: Fonts): void {
  for (const op of ops) {
    switch (op.kind) {
      case 'text':
        paintText(raster, op, fonts);
        break;
      case 'rect':
        if (op.fill) fillRect(raster, op.x, op.y, op.width, op.height, op.fill);
        if (op.stroke) {
          const s = op.strokeWidth ?? 1;
          // Centred on the rectangle's edge, as PDF strokes it.
          fillRect(raster, op.x - s / 2, op.y - s / 2, op.width + s, s, op.stroke);
          fillRect(raster, op.x - s / 2, op.y + op.height - s / 2, op.width + s, s, op.stroke);
          fillRect(raster, op.x - s / 2, op.y + s / 2, s, op.height - s, op.stroke);
          fillRect(raster, op.x + op.width - s / 2, op.y + s / 2, s, op.height - s, op.stroke);
        }
        break;
      case 'line': {
        const dx = op.x2 - op.x1;
        const dy = op.y2 - op.y1;
        const length = Math.hypot(dx, dy);
        if (length === 0) break;
        if (dx === 0 || dy === 0) {
          fillRect(
            raster,
            Math.min(op.x1, op.x2) - (dx === 0 ? op.width / 2 : 0),
            Math.min(op.y1, op.y2) - (dy === 0 ? op.width / 2 : 0),
            dx === 0 ? op.width : Math.abs(dx),
            dy === 0 ? op.width : Math.abs(dy),
            op.colour,
          );
          break;
        }
        const nx = (-dy / length) * (op.width / 2);
        const ny = (dx / length) * (op.width / 2);
        const outline = new Outline();
        outline.moveTo(op.x1 + nx, op.y1 + ny);
        outline.lineTo(op.x2 + nx, op.y2 + ny);
        outline.lineTo(op.x2 - nx, op.y2 - ny);
        outline.lineTo(op.x1 - nx, op.y1 - ny);
        fillOutline(raster, outline, op.colour);
        break;
      }
      case 'circle': {
        if (op.fill) {
          const outline = new Outline();
          outline.circle(op.cx, op.cy, op.r);
          fillOutline(raster, outline, op.fill);
        }
        if (op.stroke) {
          const s = op.strokeWidth ?? 1;
          const outline = new Outline();
          outline.circle(op.cx, op.cy, op.r + s / 2, true);
          outline.circle(op.cx, op.cy, Math.max(0, op.r - s / 2), false);
          fillOutline(raster, outline, op.stroke);
        }
        break;
      }
      case 'qr':
        for (let my = 0; my < op.size; my++) {
          for (let mx = 0; mx < op.size; mx++) {
            if (op.dark[my * op.size + mx])
              fillDots(
                raster,
                op.x + mx * op.moduleDots,
                op.y + my * op.moduleDots,
                op.moduleDots,
                op.moduleDots,
                '#000000',
              );
          }
        }
        break;
      case 'image':
        paintImage(raster, op.x, op.y, op.image);
        break;
    }
  }
}

export function rasterizePage(page: Page, fonts: Fonts): Raster {
  const raster = createRaster(page.width, page.height);
  paintOps(raster, page.ops, fonts);
  return raster;
}

/** Luminance, 0 black … 255 white (ITU-R BT.601 weights). */
export function grayOf(raster: Raster): Uint8Array {
  const gray = new Uint8Array(raster.width * raster.height);
  for (let i = 0; i < gray.length; i++) {
    gray[i] = Math.round(
      (raster.rgb[3 * i]! * 299 + raster.rgb[3 * i + 1]! * 587 + raster.rgb[3 * i + 2]! * 114) /
        1000,
    );
  }
  return gray;
}

/** The 1-bit plane: a dot is ink when its luminance is below `threshold`. */
export function toMono(raster: Raster, threshold = MONO_THRESHOLD): MonoBitmap {
  const rowBytes = Math.ceil(raster.width / 8);
  const bits = new Uint8Array(rowBytes * raster.height);
  const { rgb } = raster;
  const limit = threshold * 1000;
  for (let y = 0, i = 0; y < raster.height; y++) {
    for (let x = 0; x < raster.width; x++, i += 3) {
      // White is by far the commonest dot: skip it before weighing the channels.
      if (rgb[i] === 255 && rgb[i + 1] === 255 && rgb[i + 2] === 255) continue;
      if (rgb[i]! * 299 + rgb[i + 1]! * 587 + rgb[i + 2]! * 114 < limit)
        bits[y * rowBytes + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return { width: raster.width, height: raster.height, rowBytes, bits };
}

export function monoDot(bitmap: MonoBitmap, x: number, y: number): boolean {
  return (bitmap.bits[y * bitmap.rowBytes + (x >> 3)]! & (0x80 >> (x & 7))) !== 0;
}

/** A 1-bit plane back to RGB (ink black), for PNGs and comparisons. */
export function monoToRaster(bitmap: MonoBitmap): Raster {
  const raster = createRaster(bitmap.width, bitmap.height);
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      if (monoDot(bitmap, x, y))
        raster.rgb.fill(0, (y * bitmap.width + x) * 3, (y * bitmap.width + x) * 3 + 3);
    }
  }
  return raster;
}
