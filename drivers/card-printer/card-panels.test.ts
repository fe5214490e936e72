import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CARD_HEIGHT_DOTS,
  CARD_WIDTH_DOTS,
  CHIP_CONTACTS,
  MONO_PANEL_BYTES,
} from '../../printer-templates/card-face/card-geometry.ts';
import {
  CARD_DOTS,
  packLevels,
  panelsFromRaster,
  unpackLevels,
  type DyeBits,
} from './card-panels.ts';
import { renderCardFace } from './card-face-png.ts';

const bit = (panel: Uint8Array, x: number, y: number) =>
  (panel[(y * CARD_WIDTH_DOTS + x) >> 3]! >> (7 - ((y * CARD_WIDTH_DOTS + x) & 7))) & 1;

function face(paint: (x: number, y: number) => [number, number, number]): {
  width: number;
  height: number;
  rgba: Uint8Array;
} {
  const rgba = new Uint8Array(CARD_DOTS * 4);
  for (let y = 0; y < CARD_HEIGHT_DOTS; y++) {
    for (let x = 0; x < CARD_WIDTH_DOTS; x++) {
      const [r, g, b] = paint(x, y);
      rgba.set([r, g, b, 255], (y * CARD_WIDTH_DOTS + x) * 4);
    }
  }
  return { width: CARD_WIDTH_DOTS, height: CARD_HEIGHT_DOTS, rgba };
}

describe('card faces to printer panels', () => {
  it('packs 8 one-bit dots per byte, most significant first (Evolis guide p.14: "1 byte = 8 pixels")', () => {
    expect([...packLevels(Uint8Array.from([255, 0, 0, 0, 0, 0, 0, 255]), 1)]).toEqual([
      0b1000_0001,
    ]);
    // 7 bits per dot: 8 dots in 7 bytes.
    expect(packLevels(new Uint8Array(8).fill(255), 7)).toEqual(new Uint8Array(7).fill(0xff));
  });

  it('round-trips dye levels at 5, 6 and 7 bits, keeping the most significant bits', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.constantFrom<DyeBits>(5, 6, 7),
        (values, bits) => {
          const back = unpackLevels(packLevels(values, bits), bits, values.length);
          const max = (1 << bits) - 1;
          values.forEach((v, i) =>
            expect(back[i]).toBe(Math.round(((v >> (8 - bits)) * 255) / max)),
          );
        },
      ),
    );
  });

  it('prints black text in resin under overlay, and nothing — not even varnish — on the chip contacts', () => {
    const black = face((x) => (x < 500 ? [0, 0, 0] : [255, 255, 255]));
    const panels = panelsFromRaster(black, { ribbon: 'KO' });
    expect(panels.k.length).toBe(MONO_PANEL_BYTES);
    expect(bit(panels.k, 10, 10)).toBe(1);
    expect(bit(panels.k, 900, 10)).toBe(0);
    const chipX = CHIP_CONTACTS.x + 5;
    const chipY = CHIP_CONTACTS.y + 5;
    expect(bit(panels.k, chipX, chipY)).toBe(0);
    expect(bit(panels.o!, chipX, chipY)).toBe(0);
    expect(bit(panels.o!, 900, 10)).toBe(1);
  });

  it('separates a colour face into dye panels that render back to its colours', () => {
    const red = face((x) => (x < 300 ? [230, 20, 20] : [255, 255, 255]));
    const panels = panelsFromRaster(red, { ribbon: 'YMCKO', dyeBits: 6 });
    expect(panels.colour?.bits).toBe(6);
    const image = renderCardFace(panels);
    const at = (x: number, y: number) => [
      ...image.rgba.subarray((y * CARD_WIDTH_DOTS + x) * 4, (y * CARD_WIDTH_DOTS + x) * 4 + 3),
    ];
    const [r, g, b] = at(100, 600);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(40);
    expect(b).toBeLessThan(40);
    expect(at(800, 600)).toEqual([255, 255, 255]);
  });

  it('refuses a raster that is not a card', () => {
    expect(() =>
      panelsFromRaster({ width: 10, height: 10, rgba: new Uint8Array(400) }, { ribbon: 'KO' }),
    ).toThrow(RangeError);
  });
});
