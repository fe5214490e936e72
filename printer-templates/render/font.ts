/**
 * The one CJK font every template prints with: Noto Sans CJK SC, the Simplified Chinese face of
 * Debian's `fonts-noto-cjk` (scripts/setup.mjs installs it for `npm start` and `npm test`).
 *
 * Why this font and this way (PROTOCOLS.md §6): the package ships only TrueType collections whose
 * first face is Japanese — a rasteriser that takes the first face prints Japanese glyph forms
 * (骨, 直, 没 differ). We open the SC face by its PostScript name with fontkit and use that one
 * parsed font for measuring, for our own rasteriser (glyph outlines) and for the PDF (pdfkit
 * embeds a subset of it), so what the layout measured is what both outputs draw. No font is
 * guessed: if the collection is absent, templates answer `fontUnavailable` and print nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as fontkit from 'fontkit';
import { err, ok, type Result } from '../../drivers/common/result.ts';

export type FontWeight = 'regular' | 'bold';

const FACES: Record<FontWeight, { file: string; postscriptName: string }> = {
  regular: { file: 'NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKsc-Regular' },
  bold: { file: 'NotoSansCJK-Bold.ttc', postscriptName: 'NotoSansCJKsc-Bold' },
};

/** Where distributions put the Noto CJK collections: Debian/Ubuntu first, then Arch, Fedora. */
const FONT_DIRS = [
  '/usr/share/fonts/opentype/noto',
  '/usr/share/fonts/noto-cjk',
  '/usr/share/fonts/google-noto-cjk',
  '/usr/share/fonts/google-noto-sans-cjk-fonts',
];

/** Set to a folder holding the two .ttc files to use fonts from elsewhere. */
export const FONT_DIR_ENV = 'MASHANG_CJK_FONT_DIR';

/**
 * Noto CJK's ideographic em box sits from 0.88 em above the baseline to 0.12 em below (its BASE
 * table: ideo = −120 of 1000). Layout centres Chinese text on this box, not on ascent/descent.
 */
export const EM_BOX_ABOVE_BASELINE = 0.88;
export const EM_BOX_BELOW_BASELINE = 0.12;

export interface LoadedFont {
  weight: FontWeight;
  font: fontkit.Font;
  /** The whole collection file: pdfkit is given this plus the PostScript name. */
  buffer: Buffer;
  postscriptName: string;
  file: string;
}

export interface FontUnavailable {
  kind: 'fontUnavailable';
  detail: string;
}

const loaded = new Map<FontWeight, Result<LoadedFont, FontUnavailable>>();

function candidateDirs(): string[] {
  const fromEnv = process.env[FONT_DIR_ENV];
  return fromEnv ? [fromEnv, ...FONT_DIRS] : FONT_DIRS;
}

/** Opens the SC face of `weight` from the first of `dirs` that holds its collection. Not cached. */
export function openCjkFont(
  weight: FontWeight,
  dirs: readonly string[] = candidateDirs(),
): Result<LoadedFont, FontUnavailable> {
  const face = FACES[weight];
  const file = dirs
    .map((dir) => path.join(dir, face.file))
    .find((candidate) => existsSync(candidate));
  if (!file) {
    return err({
      kind: 'fontUnavailable',
      detail: `${face.file} not found in ${dirs.join(', ')} (Debian package fonts-noto-cjk; scripts/setup.mjs installs it)`,
    });
  }
  try {
    const buffer = readFileSync(file);
    const font = fontkit.create(buffer, face.postscriptName);
    if (!font || !('layout' in font) || font.postscriptName !== face.postscriptName) {
      return err({ kind: 'fontUnavailable', detail: `${file} has no face ${face.postscriptName}` });
    }
    keepFewGlyphs(font);
    return ok({ weight, font, buffer, postscriptName: face.postscriptName, file });
  } catch (cause) {
    return err({ kind: 'fontUnavailable', detail: `${file}: ${(cause as Error).message}` });
  }
}

/** Glyph objects a face keeps decoded (the most recently used): a card face needs a few dozen. */
const GLYPHS_KEPT = 256;

/**
 * fontkit keeps every glyph it ever decodes (with its outline, ~10 KB) for the life of the font,
 * and residents' names bring new characters for weeks: the heap grew by ~23 MB per 1,000 journeys
 * (bench/endurance.ts). Keep the GLYPHS_KEPT last used; one dropped is decoded again when next needed
 * (its coverage mask is usually still in the raster's own bounded cache).
 */
function keepFewGlyphs(font: fontkit.Font): void {
  const kept = new Map<PropertyKey, unknown>();
  (font as unknown as { _glyphs: object })._glyphs = new Proxy(
    {},
    {
      get: (_, id) => {
        const glyph = kept.get(id);
        if (glyph !== undefined) {
          kept.delete(id);
          kept.set(id, glyph);
        }
        return glyph;
      },
      set: (_, id, glyph) => {
        kept.delete(id);
        if (kept.size >= GLYPHS_KEPT) kept.delete(kept.keys().next().value!);
        kept.set(id, glyph);
        return true;
      },
    },
  );
}

/**
 * The SC face of the given weight, parsed once per process. A missing bold face falls back to the
 * regular one (emphasis is lost, not text).
 */
export function cjkFont(weight: FontWeight = 'regular'): Result<LoadedFont, FontUnavailable> {
  let result = loaded.get(weight);
  if (!result) {
    result = openCjkFont(weight);
    if (!result.ok && weight === 'bold') {
      const regular = cjkFont('regular');
      if (regular.ok) result = regular;
    }
    loaded.set(weight, result);
  }
  return result;
}

/** Both faces, or why not: what a template checks before it lays anything out. */
export function cjkFonts(): Result<Record<FontWeight, LoadedFont>, FontUnavailable> {
  const regular = cjkFont('regular');
  if (!regular.ok) return regular;
  const bold = cjkFont('bold');
  if (!bold.ok) return bold;
  return ok({ regular: regular.value, bold: bold.value });
}

/** Variation selectors and joiners change a glyph's form; they need no glyph of their own. */
function isFormatCharacter(codePoint: number): boolean {
  return (
    (codePoint >= 0xfe00 && codePoint <= 0xfe0f) ||
    (codePoint >= 0xe0100 && codePoint <= 0xe01ef) ||
    codePoint === 0x200c ||
    codePoint === 0x200d
  );
}

/**
 * The characters of `text` that the font cannot draw, each once, in order. Control characters
 * count as missing: nothing printable stands for them.
 */
export function missingCharacters(text: string, font: fontkit.Font): string[] {
  const missing: string[] = [];
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    if (isFormatCharacter(codePoint)) continue;
    const drawable =
      codePoint >= 0x20 &&
      !(codePoint >= 0x7f && codePoint < 0xa0) &&
      font.hasGlyphForCodePoint(codePoint);
    if (!drawable && !missing.includes(char)) missing.push(char);
  }
  return missing;
}

/**
 * 〓 (U+3013, geta mark) is the typesetter's sign for "a character we have no type for". Documents
 * other than the card face print it in place of a missing character — visibly a placeholder, never
 * an empty box that could pass for a real character.
 */
export const MISSING_CHARACTER_MARK = '\u3013';

export function replaceMissingCharacters(
  text: string,
  font: fontkit.Font,
): { text: string; replaced: string[] } {
  const replaced = missingCharacters(text, font);
  if (replaced.length === 0) return { text, replaced };
  let out = '';
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    if (char === '\n') out += char;
    else if (replaced.includes(char)) out += codePoint < 0x20 ? ' ' : MISSING_CHARACTER_MARK;
    else out += char;
  }
  return { text: out, replaced };
}
