/**
 * Card faces as the printer takes them: one bitmap per ribbon panel, 1016 × 648 dots at 300 dpi,
 * rows top to bottom, each row left to right, bits concatenated most significant first
 * (`Db`, Evolis guide p.14). k and o are one bit per dot; the dye panels y, m, c 5, 6 or 7 bits.
 *
 * `panelsFromRaster` turns an RGBA picture of the face into panels, never printing over the chip
 * contacts (ISO 7816-2 zone in card-geometry.ts): no ink, no dye and no overlay varnish there.
 */
import {
  CARD_HEIGHT_DOTS,
  CARD_WIDTH_DOTS,
  CHIP_CONTACTS,
  MONO_PANEL_BYTES,
} from '../../printer-templates/card-face/card-geometry.ts';
import { PANEL_LEVELS, type PanelLevel, type PanelName } from './evolis-protocol.ts';

export const CARD_DOTS = CARD_WIDTH_DOTS * CARD_HEIGHT_DOTS;

export type DyeBits = 5 | 6 | 7;

/** The byte count of one panel at `bits` per dot; MONO_PANEL_BYTES holds the 1-bit size's caveat. */
export function panelByteLength(bits: 1 | DyeBits): number {
  return MONO_PANEL_BYTES * bits;
}

export function levelBits(level: PanelLevel): 1 | DyeBits {
  return PANEL_LEVELS[level];
}

export function levelForBits(bits: 1 | DyeBits): PanelLevel {
  const found = (Object.keys(PANEL_LEVELS) as PanelLevel[]).find(
    (level) => PANEL_LEVELS[level] === bits,
  );
  if (!found) throw new RangeError(`no Evolis level carries ${bits} bits per dot`);
  return found;
}

/** The panels of one card side, ready for `Db`. */
export interface CardFacePanels {
  /** Black resin, 1 bit per dot (1 = ink), MONO_PANEL_BYTES long. */
  k: Uint8Array;
  /** Overlay varnish, 1 bit per dot; omitted → no overlay. */
  o?: Uint8Array;
  /** Dye panels at `bits` per dot (0 = no dye); omitted → a monochrome card. */
  colour?: { bits: DyeBits; y: Uint8Array; m: Uint8Array; c: Uint8Array };
}

/** Each panel with its `Db` level, in the order a YMCKO ribbon passes under the head. */
export function panelDownloads(
  panels: CardFacePanels,
): { panel: PanelName; level: PanelLevel; data: Uint8Array }[] {
  const downloads: { panel: PanelName; level: PanelLevel; data: Uint8Array }[] = [];
  if (panels.colour) {
    const level = levelForBits(panels.colour.bits);
    downloads.push(
      { panel: 'y', level, data: panels.colour.y },
      { panel: 'm', level, data: panels.colour.m },
      { panel: 'c', level, data: panels.colour.c },
    );
  }
  downloads.push({ panel: 'k', level: '2', data: panels.k });
  if (panels.o) downloads.push({ panel: 'o', level: '2', data: panels.o });
  return downloads;
}

/** Packs one value per dot (0–255) into `bits` per dot, keeping the most significant bits. */
export function packLevels(values: Uint8Array, bits: 1 | DyeBits): Uint8Array {
  const out = new Uint8Array(Math.ceil((values.length * bits) / 8));
  const shift = 8 - bits;
  let acc = 0;
  let accBits = 0;
  let o = 0;
  for (let i = 0; i < values.length; i++) {
    acc = (acc << bits) | (values[i]! >> shift);
    accBits += bits;
    if (accBits >= 8) {
      accBits -= 8;
      out[o++] = (acc >> accBits) & 0xff;
      acc &= (1 << accBits) - 1;
    }
  }
  if (accBits > 0) out[o] = (acc << (8 - accBits)) & 0xff;
  return out;
}

/** The inverse of `packLevels`, scaled back to 0–255 (full scale stays full scale). */
export function unpackLevels(packed: Uint8Array, bits: 1 | DyeBits, dots: number): Uint8Array {
  const out = new Uint8Array(dots);
  const max = (1 << bits) - 1;
  let acc = 0;
  let accBits = 0;
  let p = 0;
  for (let i = 0; i < dots; i++) {
    while (accBits < bits) {
      acc = ((acc << 8) | (packed[p++] ?? 0)) & 0xffff;
      accBits += 8;
    }
    accBits -= bits;
    const value = (acc >> accBits) & max;
    out[i] = Math.round((value * 255) / max);
  }
  return out;
}

export interface RgbaRaster {
  width: number;
  height: number;
  /** 4 bytes per pixel, rows top to bottom. */
  rgba: Uint8Array;
}

function insideChip(x: number, y: number): boolean {
  return (
    x >= CHIP_CONTACTS.x &&
    x < CHIP_CONTACTS.x + CHIP_CONTACTS.width &&
    y >= CHIP_CONTACTS.y &&
    y < CHIP_CONTACTS.y + CHIP_CONTACTS.height
  );
}

/** Dots darker than this (0–255 luminance) are printed in black resin. */
const RESIN_THRESHOLD = 128;
/** A colour face: near-black dots go to resin (crisp text), the rest to dye. */
const NEAR_BLACK = 48;

/**
 * Turns a 1016 × 648 RGBA picture of the face into panels: `KO` prints black resin (luminance
 * threshold) under overlay; `YMCKO` adds dye panels (subtractive: y = 255 − blue, …).
 */
export function panelsFromRaster(
  raster: RgbaRaster,
  options: { ribbon: 'KO' | 'YMCKO'; dyeBits?: DyeBits },
): CardFacePanels {
  if (raster.width !== CARD_WIDTH_DOTS || raster.height !== CARD_HEIGHT_DOTS) {
    throw new RangeError(
      `a card face is ${CARD_WIDTH_DOTS} × ${CARD_HEIGHT_DOTS} dots, got ${raster.width} × ${raster.height}`,
    );
  }
  if (raster.rgba.length !== CARD_DOTS * 4)
    throw new RangeError('the raster is not 4 bytes per dot');
  const k = new Uint8Array(MONO_PANEL_BYTES);
  const o = new Uint8Array(MONO_PANEL_BYTES);
  const colour = options.ribbon === 'YMCKO';
  const y = colour ? new Uint8Array(CARD_DOTS) : null;
  const m = colour ? new Uint8Array(CARD_DOTS) : null;
  const c = colour ? new Uint8Array(CARD_DOTS) : null;
  const { rgba } = raster;
  for (let row = 0, dot = 0; row < CARD_HEIGHT_DOTS; row++) {
    const chipRow = row >= CHIP_CONTACTS.y && row < CHIP_CONTACTS.y + CHIP_CONTACTS.height;
    for (let col = 0; col < CARD_WIDTH_DOTS; col++, dot++) {
      if (chipRow && insideChip(col, row)) continue;
      const byte = dot >> 3;
      const bit = 0x80 >> (dot & 7);
      o[byte]! |= bit;
      const r = rgba[dot * 4]!;
      const g = rgba[dot * 4 + 1]!;
      const b = rgba[dot * 4 + 2]!;
      const alpha = rgba[dot * 4 + 3]!;
      if (alpha < 128) continue;
      const luminance = (r * 299 + g * 587 + b * 114) / 1000;
      if (!colour) {
        if (luminance < RESIN_THRESHOLD) k[byte]! |= bit;
        continue;
      }
      if (r < NEAR_BLACK && g < NEAR_BLACK && b < NEAR_BLACK) {
        k[byte]! |= bit;
        continue;
      }
      y![dot] = 255 - b;
      m![dot] = 255 - g;
      c![dot] = 255 - r;
    }
  }
  if (!colour) return { k, o };
  const bits = options.dyeBits ?? 5;
  return {
    k,
    o,
    colour: { bits, y: packLevels(y!, bits), m: packLevels(m!, bits), c: packLevels(c!, bits) },
  };
}

/** The panels' bytes are what `Db` expects for their level; throws on a programming error. */
export function assertPanelSizes(panels: CardFacePanels): void {
  for (const { panel, level, data } of panelDownloads(panels)) {
    const expected = panelByteLength(levelBits(level));
    if (data.length !== expected)
      throw new RangeError(`panel ${panel}: ${data.length} bytes, expected ${expected}`);
  }
}
