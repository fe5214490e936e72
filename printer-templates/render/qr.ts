/**
 * QR codes as module matrices placed on whole dots: each module is exactly `moduleDots` dots square
 * in the raster, and in the PDF at the page's dpi — so a scanner reads the print, and a PDF
 * rendered at the printer's resolution (`pdftoppm -gray -r <dpi>`) gives the same dots.
 */
import QRCode from 'qrcode';
import type { QrOp } from './display-list.ts';

/** ISO/IEC 18004 asks for 4 modules of light margin around the symbol. */
export const QR_QUIET_MODULES = 4;

export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';

/** Modules per side for `text` (without the quiet zone). */
export function qrModules(
  text: string,
  level: QrErrorLevel = 'M',
): { size: number; dark: Uint8Array } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: level });
  return { size: modules.size, dark: Uint8Array.from(modules.data) };
}

/**
 * A QR op whose symbol's top-left module is at (x, y) — the caller leaves the quiet zone around it.
 * x and y are rounded to whole dots.
 */
export function qrOp(
  text: string,
  x: number,
  y: number,
  moduleDots: number,
  level: QrErrorLevel = 'M',
): QrOp {
  const { size, dark } = qrModules(text, level);
  return {
    kind: 'qr',
    x: Math.round(x),
    y: Math.round(y),
    moduleDots: Math.max(1, Math.round(moduleDots)),
    size,
    dark,
  };
}
