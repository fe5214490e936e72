/**
 * The card face's geometry: a CR80 card (85.6 × 54 mm) is printed as 1016 × 648 dots at 300 dpi
 * (PROTOCOLS.md §3; the bitmap is a little larger than the card so print reaches its edges).
 */

export const CARD_DPI = 300;
export const CARD_WIDTH_DOTS = 1016;
export const CARD_HEIGHT_DOTS = 648;
/**
 * Bytes of a 1-bit panel. The Evolis guide prints 84 624 for this (PROTOCOLS.md §3, unexplained);
 * 1016 × 648 / 8 = 82 296 is what the geometry gives. Keep it here, to be confirmed on a printer.
 */
export const MONO_PANEL_BYTES = (CARD_WIDTH_DOTS * CARD_HEIGHT_DOTS) / 8;

export interface Zone {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where the chip contacts are (ISO 7816-2: contact area from 10.25 mm from the left edge and
 * 19.23 mm from the top): never printed over — ink on the contacts breaks the chip's connection.
 */
export const CHIP_CONTACTS: Zone = { x: 118, y: 224, width: 142, height: 130 };

/** No ink, dye or varnish comes nearer the contacts than this (1 mm; ribbon registration is ±0.5 mm). Confidence L. */
export const CHIP_CLEARANCE_DOTS = 12;

export function overlaps(a: Zone, b: Zone): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
