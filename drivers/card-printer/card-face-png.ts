/**
 * What a printed card looks like, as a PNG: the simulator's rendering of the panels it received,
 * so a test (or a developer) can look at the face. White blank; dye subtracts from white; black
 * resin on top; the overlay is clear varnish and does not show.
 */
import { PNG } from 'pngjs';
import {
  CARD_HEIGHT_DOTS,
  CARD_WIDTH_DOTS,
} from '../../printer-templates/card-face/card-geometry.ts';
import { CARD_DOTS, unpackLevels, type CardFacePanels } from './card-panels.ts';

export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export function renderCardFace(panels: CardFacePanels): RgbaImage {
  const rgba = new Uint8Array(CARD_DOTS * 4).fill(255);
  if (panels.colour) {
    const { bits } = panels.colour;
    const y = unpackLevels(panels.colour.y, bits, CARD_DOTS);
    const m = unpackLevels(panels.colour.m, bits, CARD_DOTS);
    const c = unpackLevels(panels.colour.c, bits, CARD_DOTS);
    for (let dot = 0; dot < CARD_DOTS; dot++) {
      rgba[dot * 4] = 255 - c[dot]!;
      rgba[dot * 4 + 1] = 255 - m[dot]!;
      rgba[dot * 4 + 2] = 255 - y[dot]!;
    }
  }
  for (let dot = 0; dot < CARD_DOTS; dot++) {
    if (panels.k[dot >> 3]! & (0x80 >> (dot & 7))) {
      rgba[dot * 4] = 0;
      rgba[dot * 4 + 1] = 0;
      rgba[dot * 4 + 2] = 0;
    }
  }
  return { width: CARD_WIDTH_DOTS, height: CARD_HEIGHT_DOTS, rgba };
}

export function encodePng(image: RgbaImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength);
  return PNG.sync.write(png);
}

export function decodePng(bytes: Buffer): RgbaImage {
  const png = PNG.sync.read(bytes);
  return {
    width: png.width,
    height: png.height,
    rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength),
  };
}
