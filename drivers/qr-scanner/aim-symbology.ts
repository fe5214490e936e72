/**
 * AIM symbology identifiers (ISO/IEC 15424: `]` + code character + modifier), which HID POS
 * scanners put in front of what they decoded: how the kiosk tells a payment QR code from the
 * Code 128 barcode on a box of blank cards. H: the standard's table, as scanner manuals print it.
 */

export type Symbology =
  | 'qr'
  | 'data-matrix'
  | 'pdf417'
  | 'aztec'
  | 'code128'
  | 'code39'
  | 'code93'
  | 'codabar'
  | 'ean-upc'
  | 'interleaved-2-of-5'
  | 'gs1-databar'
  | 'unknown';

/** The code character (second of the three) → symbology. */
export const AIM_CODE_CHARACTERS: Readonly<Record<string, Symbology>> = {
  Q: 'qr',
  d: 'data-matrix',
  L: 'pdf417',
  z: 'aztec',
  C: 'code128',
  A: 'code39',
  G: 'code93',
  F: 'codabar',
  E: 'ean-upc',
  I: 'interleaved-2-of-5',
  e: 'gs1-databar',
};

/** The identifier the simulator sends for each symbology (modifier as scanners commonly send it). */
export const AIM_IDENTIFIERS: Readonly<Record<Exclude<Symbology, 'unknown'>, string>> = {
  qr: ']Q1',
  'data-matrix': ']d1',
  pdf417: ']L0',
  aztec: ']z0',
  code128: ']C0',
  code39: ']A0',
  code93: ']G0',
  codabar: ']F0',
  'ean-upc': ']E0',
  'interleaved-2-of-5': ']I0',
  'gs1-databar': ']e0',
};

export function symbologyOf(aim: string | null): Symbology {
  if (!aim || aim.length !== 3 || aim[0] !== ']') return 'unknown';
  return AIM_CODE_CHARACTERS[aim[1]!] ?? 'unknown';
}
