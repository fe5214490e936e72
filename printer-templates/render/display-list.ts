/**
 * What a template produces: pages of drawing operations in printer dots. Both back ends read the
 * same list — `raster.ts` paints it dot by dot for the printers, `pdf.ts` writes it to a PDF page
 * whose user unit is one dot — so no layout is ever drawn twice by hand.
 *
 * Coordinates are dots from the top-left corner at the page's `dpi`. Text is already laid out
 * (`text-fit.ts` chose its size, lines and ellipsis); a QR code is its module matrix, placed on
 * whole dots; an image is already resampled to one pixel per dot.
 */
import type { FontWeight } from './font.ts';

/** `#rrggbb`. */
export type Colour = `#${string}`;

export const BLACK: Colour = '#000000';
export const WHITE: Colour = '#ffffff';

export interface RgbImage {
  width: number;
  height: number;
  /** 3 bytes per pixel, rows top to bottom. */
  rgb: Uint8Array;
}

export interface TextOp {
  kind: 'text';
  x: number;
  baseline: number;
  /** Em size in dots. */
  size: number;
  text: string;
  weight: FontWeight;
  colour: Colour;
}

export interface RectOp {
  kind: 'rect';
  x: number;
  y: number;
  width: number;
  height: number;
  fill?: Colour;
  stroke?: Colour;
  strokeWidth?: number;
}

export interface LineOp {
  kind: 'line';
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  width: number;
  colour: Colour;
}

export interface CircleOp {
  kind: 'circle';
  cx: number;
  cy: number;
  r: number;
  fill?: Colour;
  stroke?: Colour;
  strokeWidth?: number;
}

/** A QR code's dark modules, each `moduleDots` × `moduleDots` dots, top-left at whole dots. */
export interface QrOp {
  kind: 'qr';
  x: number;
  y: number;
  moduleDots: number;
  /** Modules per side. */
  size: number;
  /** size × size, 1 = dark. */
  dark: Uint8Array;
}

/** An image at one pixel per dot: `image.width` × `image.height` dots at (x, y). */
export interface ImageOp {
  kind: 'image';
  x: number;
  y: number;
  image: RgbImage;
}

export type Op = TextOp | RectOp | LineOp | CircleOp | QrOp | ImageOp;

export interface Page {
  width: number;
  height: number;
  dpi: number;
  ops: Op[];
}

export interface PrintDocument {
  title: string;
  pages: Page[];
}

export const MM_PER_INCH = 25.4;
export const dotsPerMm = (dpi: number) => dpi / MM_PER_INCH;
