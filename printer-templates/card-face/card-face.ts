/**
 * The card face's geometry: a CR80 card (85.6 × 54 mm) is 1016 × 648 dots at 300 dpi
 * (PROTOCOLS.md §3). Zones are data, so a province moves them without code changes.
 */

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

/** Where the chip contacts are on an ISO 7816-2 card: never printed over. */
export const CHIP_CONTACTS: Zone = { x: 118, y: 224, width: 142, height: 130 };

export const DEFAULT_ZONES = {
  photo: { x: 760, y: 150, width: 210, height: 280 },
  name: { x: 330, y: 260, width: 400, height: 50 },
  socialSecurityNumber: { x: 330, y: 330, width: 400, height: 40 },
  cardNumber: { x: 330, y: 390, width: 400, height: 40 },
} satisfies Record<string, Zone>;

export function overlaps(a: Zone, b: Zone): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * A 1-bit k panel (1 = ink, most significant bit leftmost) with each zone's frame drawn, for the
 * walking skeleton: the real rendering of text and photo comes with the card-face template.
 */
export function renderFramePanel(zones: Record<string, Zone> = DEFAULT_ZONES): Uint8Array {
  const panel = new Uint8Array(MONO_PANEL_BYTES);
  const set = (x: number, y: number) => {
    const bit = y * CARD_WIDTH_DOTS + x;
    panel[bit >> 3]! |= 0x80 >> (bit & 7);
  };
  for (const zone of Object.values(zones)) {
    if (overlaps(zone, CHIP_CONTACTS)) throw new Error('a card-face zone overlaps the chip contacts');
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
