/**
 * Text layout by rule: a template gives a box and a style, and gets back positioned lines that fit.
 * Over-long text shrinks (down to `minSize`), wraps (up to `maxLines`, breaking between Chinese
 * characters, at spaces and hyphens, never inside a number or a masked ID unless it must) and, as a
 * last resort, ends in "…". Missing text lays out as nothing. A character the font lacks becomes 〓
 * (see font.ts) — the card face refuses such text before it gets here.
 */
import { BLACK, type Colour, type TextOp } from './display-list.ts';
import {
  EM_BOX_ABOVE_BASELINE,
  replaceMissingCharacters,
  type FontWeight,
  type LoadedFont,
} from './font.ts';

export type Fonts = Record<FontWeight, LoadedFont>;

export interface Shaped {
  glyphs: { id: number; x: number }[];
  /** Font units. */
  advance: number;
}

/**
 * Glyph ids and pen positions in font units, as fontkit's shaper (the same pdfkit uses) lays them.
 * Deliberately not cached by text: the texts are names and ID numbers, and a cache keyed by them
 * would keep a resident in memory after their session (test/privacy checks the heap). Shaping a
 * card face's few lines costs well under a millisecond; per-character advances are cached below.
 */
export function shapeText(font: LoadedFont, text: string): Shaped {
  const run = font.font.layout(text);
  const glyphs: Shaped['glyphs'] = [];
  let pen = 0;
  for (let i = 0; i < run.glyphs.length; i++) {
    const position = run.positions[i]!;
    glyphs.push({ id: run.glyphs[i]!.id, x: pen + position.xOffset });
    pen += position.xAdvance;
  }
  return { glyphs, advance: pen };
}

/** Width in dots of `text` at em size `size`. */
export function textWidth(font: LoadedFont, text: string, size: number): number {
  return (shapeText(font, text).advance * size) / font.font.unitsPerEm;
}

const advanceCache = new WeakMap<LoadedFont, Map<string, number>>();

/** One character's advance in font units (for line breaking; the final width comes from shaping). */
function charAdvance(font: LoadedFont, char: string): number {
  let cache = advanceCache.get(font);
  if (!cache) advanceCache.set(font, (cache = new Map()));
  let advance = cache.get(char);
  if (advance === undefined) {
    advance = font.font.glyphForCodePoint(char.codePointAt(0)!).advanceWidth;
    cache.set(char, advance);
  }
  return advance;
}

export interface TextStyle {
  /** Preferred em size, dots. */
  size: number;
  /** Smallest em size the rule may shrink to (default: `size`, no shrinking). */
  minSize?: number;
  weight?: FontWeight;
  colour?: Colour;
  /** Default 1. */
  maxLines?: number;
  /** Shrink first and wrap only below `minSize` (names, numbers), or wrap first (sentences). */
  prefer?: 'shrink' | 'wrap';
  /** Line pitch as a multiple of the em size; default 1.3. */
  lineHeight?: number;
  align?: 'left' | 'center' | 'right';
  valign?: 'top' | 'middle' | 'bottom';
}

export interface TextBox {
  x: number;
  y: number;
  width: number;
  /** Absent: the text flows down as far as it needs (receipts, reports). */
  height?: number;
}

export interface FittedText {
  ops: TextOp[];
  lines: string[];
  size: number;
  /** Dots from the box's top to the bottom of the last line's em box. */
  height: number;
  shrunk: boolean;
  ellipsized: boolean;
  /** Characters the font lacks, printed as 〓. */
  replaced: string[];
}

export const ELLIPSIS = '\u2026';
/** Shrinking steps through sizes this far apart, in dots. */
const SHRINK_STEP = 1;

const OPENING = new Set([...'（《「『“‘【〔([{<']);
const CLOSING = new Set([...'，。、；：？！）》」』”’】〕…,.;:?!)]}>%']);
/** A break is fine after these even between word characters: 2026-11-25, A/B. */
const BREAK_AFTER = new Set([...'-/']);
/** Name separators (阿卜杜拉·买买提): a name wraps after one rather than inside a part. */
const PREFERRED_BREAK_AFTER = new Set(['\u00b7', '\u2022', '\u30fb', '\u2027']);

function isWordChar(char: string): boolean {
  const c = char.codePointAt(0)!;
  return c > 0x20 && c < 0x7f && !BREAK_AFTER.has(char);
}

function canBreakBetween(before: string, after: string): boolean {
  if (after === ' ') return false;
  if (before === ' ') return true;
  if (CLOSING.has(after) || OPENING.has(before)) return false;
  if (BREAK_AFTER.has(before)) return true;
  return !(isWordChar(before) && isWordChar(after));
}

function normalise(text: string | null | undefined): string {
  return (text ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

/** Greedy line breaking of one paragraph at em size `size` into lines no wider than `width`. */
function wrapParagraph(font: LoadedFont, chars: string[], width: number, size: number): string[] {
  const scale = size / font.font.unitsPerEm;
  const lines: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let used = 0;
    let i = start;
    let lastBreak = -1;
    let lastPreferred = -1;
    while (i < chars.length) {
      const advance = charAdvance(font, chars[i]!) * scale;
      if (used + advance > width && i > start) break;
      used += advance;
      i++;
      if (i < chars.length && canBreakBetween(chars[i - 1]!, chars[i]!)) lastBreak = i;
      if (i < chars.length && PREFERRED_BREAK_AFTER.has(chars[i - 1]!)) lastPreferred = i;
    }
    if (i >= chars.length) {
      lines.push(chars.slice(start).join('').trimEnd());
      break;
    }
    let breakAt = canBreakBetween(chars[i - 1]!, chars[i]!) ? i : lastBreak > start ? lastBreak : i;
    // After a name separator in the line's second half rather than inside the next name part.
    if (lastPreferred > start + (i - start) / 2 && lastPreferred < breakAt) breakAt = lastPreferred;
    // A closing mark may not start a line: carry the character before it down too.
    if (breakAt === i && CLOSING.has(chars[i]!) && breakAt - 1 > start) breakAt--;
    lines.push(chars.slice(start, breakAt).join('').trimEnd());
    start = breakAt;
    while (chars[start] === ' ') start++;
  }
  return lines;
}

function wrap(font: LoadedFont, text: string, width: number, size: number): string[] {
  return text.split('\n').flatMap((paragraph) => {
    const chars = Array.from(paragraph.trim());
    return chars.length === 0 ? [''] : wrapParagraph(font, chars, width, size);
  });
}

/** Cuts `line` until it plus "…" fits `width`. */
function ellipsize(font: LoadedFont, line: string, width: number, size: number): string {
  const chars = Array.from(line);
  while (chars.length > 0) {
    const candidate = chars.join('').trimEnd() + ELLIPSIS;
    if (textWidth(font, candidate, size) <= width) return candidate;
    chars.pop();
  }
  return textWidth(font, ELLIPSIS, size) <= width ? ELLIPSIS : '';
}

/** Lines of em size `size` and pitch `pitch` that fit in `height` (Infinity when unbounded). */
function linesThatFit(height: number | undefined, size: number, pitch: number): number {
  if (height === undefined) return Infinity;
  if (size > height + 1e-6) return 0;
  return 1 + Math.floor((height - size) / pitch + 1e-6);
}

/** Lays `text` out in `box` by the style's rule. Never throws; empty text gives no ops. */
export function fitText(
  fonts: Fonts,
  text: string | null | undefined,
  box: TextBox,
  style: TextStyle,
): FittedText {
  const font = fonts[style.weight ?? 'regular'];
  const { text: clean, replaced } = replaceMissingCharacters(normalise(text), font.font);
  const maxLines = Math.max(1, style.maxLines ?? 1);
  const factor = style.lineHeight ?? 1.3;
  const width = Math.max(0, box.width);
  let minSize = Math.min(style.size, style.minSize ?? style.size);
  // A box lower than one line at the minimum size: the box wins, the text gets smaller.
  if (box.height !== undefined && minSize > box.height) minSize = Math.max(1, box.height);
  const allowed = (size: number) =>
    Math.min(maxLines, linesThatFit(box.height, size, size * factor));
  const sizes: number[] = [];
  for (let size = style.size; size > minSize; size -= SHRINK_STEP) sizes.push(size);
  sizes.push(minSize);

  let chosen: { size: number; lines: string[]; ellipsized: boolean } | null = null;
  if (clean === '') chosen = { size: style.size, lines: [], ellipsized: false };
  if (!chosen && (style.prefer ?? 'shrink') === 'shrink' && !clean.includes('\n')) {
    const size = sizes.find((s) => allowed(s) >= 1 && textWidth(font, clean, s) <= width);
    if (size !== undefined) chosen = { size, lines: [clean], ellipsized: false };
  }
  if (!chosen) {
    for (const size of sizes) {
      const lines = wrap(font, clean, width, size);
      if (
        lines.length <= allowed(size) &&
        lines.every((line) => textWidth(font, line, size) <= width)
      ) {
        chosen = { size, lines, ellipsized: false };
        break;
      }
    }
  }
  if (!chosen) {
    // Nothing fits: the smallest size, as many lines as allowed, the last one ending in "…".
    const size = minSize;
    const keep = Math.max(1, allowed(size));
    const wrapped = wrap(font, clean, width, size);
    const lines = wrapped.slice(0, keep);
    const cut = wrapped.length > keep;
    if (cut) lines[keep - 1] = ellipsize(font, lines[keep - 1]!, width, size);
    // A line still too wide holds one character wider than the box: it goes too.
    chosen = {
      size,
      lines: lines.map((line) =>
        textWidth(font, line, size) <= width ? line : ellipsize(font, line, width, size),
      ),
      ellipsized: cut,
    };
  }

  const { size, lines } = chosen;
  const pitch = size * factor;
  const contentHeight = lines.length === 0 ? 0 : (lines.length - 1) * pitch + size;
  let top = box.y;
  if (box.height !== undefined && style.valign === 'middle')
    top += (box.height - contentHeight) / 2;
  if (box.height !== undefined && style.valign === 'bottom') top += box.height - contentHeight;
  const ops: TextOp[] = [];
  lines.forEach((line, index) => {
    if (line === '') return;
    const lineWidth = textWidth(font, line, size);
    const x =
      style.align === 'center'
        ? box.x + (width - lineWidth) / 2
        : style.align === 'right'
          ? box.x + width - lineWidth
          : box.x;
    ops.push({
      kind: 'text',
      x,
      baseline: top + index * pitch + size * EM_BOX_ABOVE_BASELINE,
      size,
      text: line,
      weight: style.weight ?? 'regular',
      colour: style.colour ?? BLACK,
    });
  });
  return {
    ops,
    lines,
    size,
    height: contentHeight === 0 ? 0 : contentHeight + (top - box.y),
    shrunk: size < style.size,
    ellipsized: chosen.ellipsized,
    replaced,
  };
}
