/**
 * The social-security card face. Blanks come pre-printed (title, emblem, bank logo, background);
 * the kiosk prints the personal data and the photo into the zones of a layout (card-layout.ts) and
 * nothing over the chip contacts.
 *
 * One layout → three layers of drawing operations: `k` (black resin: labels and values, or the
 * whole face on a monochrome ribbon), `colour` (the photo, on the dye panels) and `artwork` (the
 * blank's pre-print, drawn only in the staff's PDF proof). The printer's panels are cut from the
 * first two by the raster back end; the proof is the three written by the PDF back end.
 */
import { err, ok, type Result } from '../../drivers/common/result.ts';
import { type Op, type Page, type PrintDocument, type RgbImage } from '../render/display-list.ts';
import { cjkFonts, missingCharacters, type FontUnavailable } from '../render/font.ts';
import { coverFit, decodePhoto, ditherToMono } from '../render/image.ts';
import { renderPdf, type PdfOptions } from '../render/pdf.ts';
import { createRaster, paintOps, rasterizePage, toMono, type Raster } from '../render/raster.ts';
import { fitText, type Fonts } from '../render/text-fit.ts';
import {
  CARD_DPI,
  CARD_HEIGHT_DOTS,
  CARD_WIDTH_DOTS,
  CHIP_CONTACTS,
  MONO_PANEL_BYTES,
  overlaps,
  type Zone,
} from './card-geometry.ts';
import {
  CHIP_KEEP_OUT,
  DEFAULT_CARD_LAYOUT,
  FIELD_NAMES,
  type CardLayout,
  type FieldLayout,
  type FieldName,
} from './card-layout.ts';
import { cardArtwork } from './card-artwork.ts';

export {
  CARD_DPI,
  CARD_HEIGHT_DOTS,
  CARD_WIDTH_DOTS,
  CHIP_CONTACTS,
  MONO_PANEL_BYTES,
  overlaps,
  type Zone,
} from './card-geometry.ts';
export {
  CHIP_KEEP_OUT,
  DEFAULT_CARD_LAYOUT,
  loadCardLayout,
  parseCardLayout,
  type CardLayout,
} from './card-layout.ts';

export interface CardFaceFacts {
  name: string;
  /** 社会保障号码: the citizen ID number, printed in full on the card. */
  socialSecurityNumber: string;
  cardNumber: string;
  /** A date, or `YYYYMMDD` / `YYYY-MM-DD`. */
  issueDate: Date | string | null;
  issuingArea?: string | null;
}

/** The card centre's photo as it arrived (JPEG or PNG bytes), or already decoded. */
export type PhotoInput = Uint8Array | RgbImage | null | undefined;

export type DyeBits = 5 | 6 | 7;

/**
 * The panels for the card-printer driver — the shape of `CardFacePanels` in
 * drivers/card-printer (k and o 1 bit per dot, 1 = ink, MSB leftmost; dye panels packed at `bits`
 * per dot, 0 = no dye). Every panel is blank over the chip contacts and their clearance.
 */
export interface CardFacePrint {
  k: Uint8Array;
  /** Overlay varnish everywhere but the chip contacts. */
  o?: Uint8Array;
  /** Present when the photo is printed in colour. */
  colour?: { bits: DyeBits; y: Uint8Array; m: Uint8Array; c: Uint8Array };
}

/**
 * The ribbon in the printer. `KO` (black resin + overlay) has no dye panels: the photo is then
 * dithered into k whatever the layout prefers. The default, because a KO face prints on every
 * ribbon, while dye panels sent to a KO printer fail the card (`wrongRibbon`).
 */
export type Ribbon = 'KO' | 'YMCKO';

export interface CardFaceOptions {
  layout?: CardLayout;
  photo?: PhotoInput;
  /** Default `KO`. */
  ribbon?: Ribbon;
  /** Dye panel depth; 5 bits (32 levels) unless the driver asks otherwise. */
  dyeBits?: DyeBits;
}

export type CardFaceProblem =
  { kind: 'unprintable'; field: FieldName; missing: string[] } | FontUnavailable;

export interface CardFaceLayers {
  layout: CardLayout;
  artwork: Op[];
  colour: Op[];
  k: Op[];
  /** What the rules had to do: `noPhoto`, `unreadablePhoto`, `missing:cardNumber`, `shrunk:name`, `ellipsized:issuingArea`. */
  warnings: string[];
}

/**
 * The flow's pre-flight question: can this name be printed as it is? `missing` lists each
 * character the card font has no glyph for (often a rare character outside GBK, e.g. in Extension
 * B); such a name is never printed as boxes — the resident is sent to the counter instead.
 */
export function canPrintName(
  name: string,
): { ok: true } | { ok: false; missing: string[]; fontUnavailable?: true } {
  const fonts = cjkFonts();
  if (!fonts.ok) return { ok: false, missing: [...new Set(name)], fontUnavailable: true };
  const missing = [
    ...new Set([
      ...missingCharacters(name, fonts.value.regular.font),
      ...missingCharacters(name, fonts.value.bold.font),
    ]),
  ];
  return missing.length === 0 ? { ok: true } : { ok: false, missing };
}

function formatDate(value: Date | string | null | undefined, format: string): string {
  if (value === null || value === undefined || value === '') return '';
  let date: { y: number; m: number; d: number } | null = null;
  if (value instanceof Date) {
    if (!Number.isNaN(value.getTime()))
      date = { y: value.getFullYear(), m: value.getMonth() + 1, d: value.getDate() };
  } else {
    const match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value.trim());
    if (match) date = { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
  }
  if (!date) return typeof value === 'string' ? value : '';
  const { y, m, d } = date;
  return format.replace(
    /YYYY|MM|DD|M|D/g,
    (token) =>
      ({
        YYYY: String(y),
        MM: String(m).padStart(2, '0'),
        DD: String(d).padStart(2, '0'),
        M: String(m),
        D: String(d),
      })[token] ?? token,
  );
}

function fieldText(facts: CardFaceFacts, name: FieldName, field: FieldLayout): string {
  switch (name) {
    case 'issueDate':
      return formatDate(facts.issueDate, field.dateFormat);
    case 'issuingArea':
      return facts.issuingArea ?? '';
    default:
      return (facts[name] ?? '').toString();
  }
}

function layoutField(
  fonts: Fonts,
  name: FieldName,
  field: FieldLayout,
  value: string,
  warnings: string[],
): Op[] {
  const valueBox = {
    x: field.x + field.labelWidth,
    y: field.y,
    width: field.width - field.labelWidth,
    height: field.height,
  };
  const fitted = fitText(fonts, value, valueBox, {
    size: field.size,
    minSize: field.minSize ?? field.size,
    maxLines: field.maxLines,
    weight: field.weight,
    prefer: 'shrink',
    lineHeight: 1.15,
    valign: 'middle',
  });
  if (fitted.ops.length === 0) {
    warnings.push(`missing:${name}`);
    return [];
  }
  if (fitted.shrunk) warnings.push(`shrunk:${name}`);
  if (fitted.ellipsized) warnings.push(`ellipsized:${name}`);
  const ops: Op[] = [...fitted.ops];
  if (field.label && field.labelWidth > 0) {
    // The label sits on the value's first baseline, shrinking only if it is wider than its column.
    const gap = Math.round(field.labelSize / 2);
    const label = fitText(
      fonts,
      field.label,
      { x: field.x, y: field.y, width: field.labelWidth - gap },
      { size: field.labelSize, minSize: field.labelSize * 0.6 },
    );
    for (const op of label.ops) ops.push({ ...op, baseline: fitted.ops[0]!.baseline });
  }
  return ops;
}

function photoImage(photo: PhotoInput, zone: Zone, warnings: string[]): RgbImage | null {
  if (!photo) {
    warnings.push('noPhoto');
    return null;
  }
  let image: RgbImage;
  if (photo instanceof Uint8Array) {
    const decoded = decodePhoto(photo);
    if (!decoded.ok) {
      warnings.push('unreadablePhoto');
      return null;
    }
    image = decoded.value;
  } else {
    image = photo;
  }
  if (image.width <= 0 || image.height <= 0 || image.rgb.length < image.width * image.height * 3) {
    warnings.push('unreadablePhoto');
    return null;
  }
  return coverFit(image, zone.width, zone.height);
}

/** Lays the face out. Refuses (never prints boxes) when the font lacks a character of a field. */
export function layoutCardFace(
  facts: CardFaceFacts,
  options: CardFaceOptions = {},
): Result<CardFaceLayers, CardFaceProblem> {
  const fontsResult = cjkFonts();
  if (!fontsResult.ok) return fontsResult;
  const fonts = fontsResult.value;
  const layout = options.layout ?? DEFAULT_CARD_LAYOUT;
  const warnings: string[] = [];
  const k: Op[] = [];
  const colour: Op[] = [];
  for (const name of FIELD_NAMES) {
    const field = layout.fields[name];
    if (!field) continue;
    const value = fieldText(facts ?? ({} as CardFaceFacts), name, field);
    const font = fonts[field.weight].font;
    const missing = missingCharacters(value.replace(/\s/g, ' '), font);
    if (missing.length > 0) return err({ kind: 'unprintable', field: name, missing });
    k.push(...layoutField(fonts, name, field, value, warnings));
  }
  if (layout.photo) {
    const image = photoImage(options.photo, layout.photo, warnings);
    if (image) {
      const inColour = layout.photo.print === 'colour' && options.ribbon === 'YMCKO';
      const op: Op = {
        kind: 'image',
        x: layout.photo.x,
        y: layout.photo.y,
        image: inColour ? image : ditherToMono(image),
      };
      (inColour ? colour : k).push(op);
    }
  }
  return ok({
    layout,
    artwork: cardArtwork(
      layout,
      fonts,
      warnings.includes('noPhoto') || warnings.includes('unreadablePhoto'),
    ),
    colour,
    k,
    warnings,
  });
}

function cardPage(ops: Op[]): Page {
  return { width: CARD_WIDTH_DOTS, height: CARD_HEIGHT_DOTS, dpi: CARD_DPI, ops };
}

function insideKeepOut(x: number, y: number): boolean {
  return (
    x >= CHIP_KEEP_OUT.x &&
    x < CHIP_KEEP_OUT.x + CHIP_KEEP_OUT.width &&
    y >= CHIP_KEEP_OUT.y &&
    y < CHIP_KEEP_OUT.y + CHIP_KEEP_OUT.height
  );
}

/** Clears every bit over the chip keep-out zone of a 1-bit panel: the last guard, whatever a layout says. */
function clearChip(panel: Uint8Array): void {
  for (let y = CHIP_KEEP_OUT.y; y < CHIP_KEEP_OUT.y + CHIP_KEEP_OUT.height; y++) {
    for (let x = CHIP_KEEP_OUT.x; x < CHIP_KEEP_OUT.x + CHIP_KEEP_OUT.width; x++) {
      const dot = y * CARD_WIDTH_DOTS + x;
      panel[dot >> 3]! &= ~(0x80 >> (dot & 7));
    }
  }
}

/** Packs one 0–255 value per dot into `bits` per dot, most significant bits first. */
function packDye(values: Uint8Array, bits: DyeBits): Uint8Array {
  const out = new Uint8Array(Math.ceil((values.length * bits) / 8));
  const shift = 8 - bits;
  let acc = 0;
  let accBits = 0;
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    acc = ((acc << bits) | (values[i]! >> shift)) & 0xffff;
    accBits += bits;
    if (accBits >= 8) {
      accBits -= 8;
      out[at++] = (acc >> accBits) & 0xff;
    }
  }
  if (accBits > 0) out[at] = (acc << (8 - accBits)) & 0xff;
  return out;
}

/** The printer panels of a laid-out face. */
export function cardFacePanels(
  layers: CardFaceLayers,
  fonts: Fonts,
  dyeBits: DyeBits = 5,
): CardFacePrint {
  const k = toMono(rasterizePage(cardPage(layers.k), fonts)).bits;
  clearChip(k);
  const o = new Uint8Array(MONO_PANEL_BYTES).fill(0xff);
  clearChip(o);
  if (layers.colour.length === 0) return { k, o };
  const raster = rasterizePage(cardPage(layers.colour), fonts);
  const dots = CARD_WIDTH_DOTS * CARD_HEIGHT_DOTS;
  const y = new Uint8Array(dots);
  const m = new Uint8Array(dots);
  const c = new Uint8Array(dots);
  for (let dot = 0; dot < dots; dot++) {
    if (insideKeepOut(dot % CARD_WIDTH_DOTS, Math.floor(dot / CARD_WIDTH_DOTS))) continue;
    c[dot] = 255 - raster.rgb[3 * dot]!;
    m[dot] = 255 - raster.rgb[3 * dot + 1]!;
    y[dot] = 255 - raster.rgb[3 * dot + 2]!;
  }
  return {
    k,
    o,
    colour: {
      bits: dyeBits,
      y: packDye(y, dyeBits),
      m: packDye(m, dyeBits),
      c: packDye(c, dyeBits),
    },
  };
}

/** Lays out and rasterises the face: the printer's panels, or why it cannot be printed. */
export function renderCardFace(
  facts: CardFaceFacts,
  options: CardFaceOptions = {},
): Result<{ panels: CardFacePrint; layers: CardFaceLayers }, CardFaceProblem> {
  const fonts = cjkFonts();
  if (!fonts.ok) return fonts;
  const layers = layoutCardFace(facts, options);
  if (!layers.ok) return layers;
  return ok({
    panels: cardFacePanels(layers.value, fonts.value, options.dyeBits),
    layers: layers.value,
  });
}

export class CardFaceError extends Error {
  constructor(readonly problem: CardFaceProblem) {
    super(
      problem.kind === 'unprintable'
        ? `card face: no glyph for ${problem.missing.join(' ')} in ${problem.field}`
        : `card face: ${problem.detail}`,
    );
    this.name = 'CardFaceError';
  }
}

/**
 * Drop-in for the host's printFace step: the panels for `CardPrinter.printFront`. Throws
 * CardFaceError only for what pre-flight exists to catch (a character the font lacks, no font):
 * the flow then rejects the blank instead of printing a wrong name.
 */
export function renderCardFacePanels(
  facts: CardFaceFacts,
  photo?: PhotoInput,
  options: Omit<CardFaceOptions, 'photo'> = {},
): CardFacePrint {
  const result = renderCardFace(facts, { ...options, photo });
  if (!result.ok) throw new CardFaceError(result.error);
  return result.value.panels;
}

/** The staff proof: the blank's artwork with the personal data and photo over it, one card-size page. */
export function cardFaceProofDocument(layers: CardFaceLayers): PrintDocument {
  return {
    title: '社会保障卡卡面样张',
    pages: [cardPage([...layers.artwork, ...layers.colour, ...layers.k])],
  };
}

export async function cardFaceProofPdf(
  facts: CardFaceFacts,
  options: CardFaceOptions & { pdf?: PdfOptions } = {},
): Promise<Result<Buffer, CardFaceProblem>> {
  const fonts = cjkFonts();
  if (!fonts.ok) return fonts;
  const layers = layoutCardFace(facts, options);
  if (!layers.ok) return layers;
  return ok(await renderPdf(cardFaceProofDocument(layers.value), fonts.value, options.pdf));
}

/** The proof as a raster at 300 dpi (what the PDF shows), for previews and golden images. */
export function cardFaceProofRaster(layers: CardFaceLayers, fonts: Fonts): Raster {
  const raster = createRaster(CARD_WIDTH_DOTS, CARD_HEIGHT_DOTS);
  paintOps(raster, cardFaceProofDocument(layers).pages[0]!.ops, fonts);
  return raster;
}

/**
 * Walking-skeleton helper kept for its callers: a k panel with each zone's frame. Superseded by
 * `renderCardFacePanels`.
 */
export function renderFramePanel(zones: Record<string, Zone> = DEFAULT_ZONES): Uint8Array {
  const panel = new Uint8Array(MONO_PANEL_BYTES);
  const set = (x: number, y: number) => {
    const bit = y * CARD_WIDTH_DOTS + x;
    panel[bit >> 3]! |= 0x80 >> (bit & 7);
  };
  for (const zone of Object.values(zones)) {
    if (overlaps(zone, CHIP_CONTACTS))
      throw new Error('a card-face zone overlaps the chip contacts');
    for (let x = zone.x; x < zone.x + zone.width; x++) {
      set(x, zone.y);
      set(x, zone.y + zone.height - 1);
    }
    for (let y = zone.y; y < zone.y + zone.height; y++) {
      set(zone.x, y);
      set(zone.x + zone.width - 1, y);
    }
  }
  return panel;
}

/** The default layout's zones (fields and photo), by name. */
export const DEFAULT_ZONES: Record<string, Zone> = Object.fromEntries(
  [
    ...FIELD_NAMES.flatMap((name) =>
      DEFAULT_CARD_LAYOUT.fields[name] ? [[name, DEFAULT_CARD_LAYOUT.fields[name]] as const] : [],
    ),
    ...(DEFAULT_CARD_LAYOUT.photo ? [['photo', DEFAULT_CARD_LAYOUT.photo] as const] : []),
  ].map(([name, zone]) => [name, { x: zone.x, y: zone.y, width: zone.width, height: zone.height }]),
);
