/**
 * ESC/POS command bytes, as data. Sources: PROTOCOLS.md §4 (H: ESC @, FS &, FS ., GS v 0,
 * GS ( k, GS V 66 0, DLE EOT n) and Epson's ESC/POS command reference for the parameter counts
 * of the commands we only need to step over (M: the counts are Epson's; clones follow them).
 */

export const LF = 0x0a;
export const CR = 0x0d;
export const HT = 0x09;
export const DLE = 0x10;
export const EOT = 0x04;
export const ENQ = 0x05;
export const DC4 = 0x14;
export const ESC = 0x1b;
export const FS = 0x1c;
export const GS = 0x1d;

export const ESCPOS = {
  /** `ESC @`: initialise the printer (clears modes, not the receive buffer). */
  initialize: [ESC, 0x40],
  /** `FS &`: Chinese (double-byte) character mode on; text is GB18030 / GBK. */
  chineseOn: [FS, 0x26],
  /** `FS .`: Chinese mode off. */
  chineseOff: [FS, 0x2e],
  /** `ESC a n`: justification, n = 0 left, 1 centre, 2 right (48–50 also accepted). */
  align: [ESC, 0x61],
  /** `GS V 66 n`: feed n dots and cut, leaving a tab (partial cut). */
  cutPartialWithFeed: [GS, 0x56, 66],
  /** `GS v 0 m xL xH yL yH d…`: raster bit image, 1 = black, MSB leftmost (H). */
  rasterImage: [GS, 0x76, 0x30],
  /** `GS ( k pL pH cn fn …`: 2D symbols; cn 49 = QR. */
  symbol: [GS, 0x28, 0x6b],
  /** `DLE EOT n`: real-time status, n = 1 printer, 2 offline cause, 3 error cause, 4 paper sensor. */
  status: [DLE, EOT],
  /** `GS I n`: transmit printer ID; n 65–68 answer `_` text NUL (Epson, M). */
  printerId: [GS, 0x49],
} as const;

/** `GS ( k` with cn 49: the QR functions (Epson fn 165–182). */
export const QR_FUNCTION = {
  model: 0x41,
  moduleSize: 0x43,
  errorLevel: 0x45,
  store: 0x50,
  print: 0x51,
  transmitSize: 0x52,
} as const;
export const QR_SYMBOL = 0x31;
/** fn 169 parameter → error-correction level (48–51: L, M, Q, H). */
export const QR_ERROR_LEVELS = { 0x30: 'L', 0x31: 'M', 0x32: 'Q', 0x33: 'H' } as const;

/** `GS I n` functions answered with `_` + text + NUL (Epson, M). */
export const PRINTER_INFO = { firmware: 65, maker: 66, model: 67, serialNumber: 68 } as const;
export const INFO_HEADER = 0x5f;

/** `GS V m`: these m take no n; the others (65, 66, 97, 98, 103, 104) take a feed n. */
export const CUT_WITHOUT_FEED = [0, 1, 48, 49] as const;
export const PARTIAL_CUTS = [1, 49, 66, 98, 104] as const;

/**
 * How many parameter bytes follow the fixed commands we step over (ESC x / GS x / FS x). Anything
 * not here and not handled by name is unknown: the simulator reports it and moves on.
 */
export const PARAMETER_COUNTS: Record<number, Record<number, number>> = {
  [ESC]: {
    0x20: 1, // ESC SP n   right-side character spacing
    0x21: 1, // ESC ! n    print mode
    0x24: 2, // ESC $ nL nH absolute position
    0x2d: 1, // ESC - n    underline
    0x32: 0, // ESC 2      default line spacing
    0x33: 1, // ESC 3 n    line spacing
    0x3d: 1, // ESC = n    peripheral device
    0x40: 0, // ESC @
    0x44: -1, // ESC D …NUL tab positions (NUL-terminated, at most 32)
    0x45: 1, // ESC E n    emphasis
    0x47: 1, // ESC G n    double strike
    0x4a: 1, // ESC J n    feed n dots
    0x4d: 1, // ESC M n    font
    0x52: 1, // ESC R n    international character set
    0x56: 1, // ESC V n    90° rotation
    0x5c: 2, // ESC \ nL nH relative position
    0x61: 1, // ESC a n    justification
    0x63: 2, // ESC c 3/4/5 n paper sensors, panel keys
    0x64: 1, // ESC d n    feed n lines
    0x70: 3, // ESC p m t1 t2 drawer kick
    0x74: 1, // ESC t n    code page
    0x7b: 1, // ESC { n    upside down
  },
  [GS]: {
    0x21: 1, // GS ! n     character size
    0x42: 1, // GS B n     reverse
    0x48: 1, // GS H n     HRI position
    0x49: 1, // GS I n     printer ID
    0x4c: 2, // GS L nL nH left margin
    0x57: 2, // GS W nL nH print area width
    0x61: 1, // GS a n     automatic status back
    0x66: 1, // GS f n     HRI font
    0x68: 1, // GS h n     bar code height
    0x72: 1, // GS r n     transmit status
    0x77: 1, // GS w n     bar code width
  },
  [FS]: {
    0x21: 1, // FS ! n     Chinese print mode
    0x26: 0, // FS &
    0x2d: 1, // FS - n     Chinese underline
    0x2e: 0, // FS .
    0x43: 1, // FS C n     Chinese code system
    0x53: 2, // FS S n1 n2 Chinese spacing
    0x57: 1, // FS W n     Chinese quadruple size
  },
};

/** Paper widths (PROTOCOLS.md §4, H): 80 mm paper 576 dots, 58 mm 384, at 203 dpi. */
export const PAPER_DOTS = { 80: 576, 58: 384 } as const;
export type PaperWidthMm = keyof typeof PAPER_DOTS;
