/**
 * The simulated receipt printer's print head and paper: ESC/POS commands become what lands on
 * the paper — text in the printer's character cells (12 × 24 dots single-byte, 24 × 24 Chinese),
 * QR codes from `GS ( k`, raster bands from `GS v 0` — until a cut ends the receipt. The receipt
 * is kept as a display list and a transcript, and drawn to PNG with the templates' rasteriser
 * and font (printer-templates/render), so a test can look at the receipt, read its text and
 * decode its QR code.
 */
import iconv from 'iconv-lite';
import { BLACK, type Op, type Page } from '../../printer-templates/render/display-list.ts';
import { cjkFonts } from '../../printer-templates/render/font.ts';
import { rasterToPng } from '../../printer-templates/render/png.ts';
import {
  qrModules,
  QR_QUIET_MODULES,
  type QrErrorLevel,
} from '../../printer-templates/render/qr.ts';
import { rasterizePage } from '../../printer-templates/render/raster.ts';
import {
  ESC,
  GS,
  PARTIAL_CUTS,
  QR_ERROR_LEVELS,
  QR_FUNCTION,
  QR_SYMBOL,
} from './escpos-commands.ts';
import type { EscPosCommand } from './escpos-job.ts';

/** The printer's built-in font A (M: Epson and clones): 12 × 24 single-byte, 24 × 24 Chinese. */
const CELL = { narrow: 12, wide: 24, height: 24 } as const;
/** Default line spacing (`ESC 2`): ~1/6 inch; 30 dots at 203 dpi on most Chinese printers (L). */
const DEFAULT_LINE_DOTS = 30;
/** Where a 24-dot glyph's baseline sits in its cell (Noto CJK's em box: 0.88 above, 0.12 below). */
const BASELINE_IN_CELL = 21;
/**
 * The printer's single-byte font is monospaced 12 dots wide; Noto's Latin is proportional (an
 * "m" is 20 dots at 24). Drawn smaller, centred in its cell, it stays legible and in its column.
 */
const NARROW_GLYPH_SIZE = 17;
/** A receipt longer than this (about 2.5 m) is not kept for rendering; the paper still runs. */
const MAX_RECEIPT_DOTS = 20_000;

export interface PrintedReceipt {
  width: number;
  height: number;
  ops: Op[];
  /** What a person reads on it, line by line; `[QR] …`, `[image w×h]` for the non-text parts. */
  lines: string[];
  partialCut: boolean;
  /** The head stopped before the cut (paper out, cover opened): the receipt is incomplete. */
  spoiled: boolean;
}

/** Asked before paper moves: false when there is no paper (the head stops). */
export type PaperFeed = (dots: number) => boolean;

export class ReceiptPaper {
  #ops: Op[] = [];
  #lines: string[] = [];
  #y = 0;
  #line: number[] = [];
  #chinese = false;
  #align = 0;
  #lineDots = DEFAULT_LINE_DOTS;
  #scale = { x: 1, y: 1 };
  #qr = { text: '', moduleDots: 3, level: 'M' as QrErrorLevel };
  #stopped = false;

  constructor(
    readonly widthDots: number,
    private readonly feed: PaperFeed,
  ) {}

  /** The head stopped for want of paper: the rest of this receipt does not print. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Applies one command; returns the finished receipt at a cut. */
  apply(command: EscPosCommand): PrintedReceipt | null {
    switch (command.kind) {
      case 'initialize':
        this.#chinese = false;
        this.#align = 0;
        this.#lineDots = DEFAULT_LINE_DOTS;
        this.#scale = { x: 1, y: 1 };
        return null;
      case 'text':
        if (this.#line.length < 4096) this.#line.push(...command.bytes);
        return null;
      case 'lineFeed':
        this.#printLine();
        return null;
      case 'chinese':
        this.#chinese = command.on;
        return null;
      case 'align':
        // 0/48 left, 1/49 centre, 2/50 right.
        this.#align = command.n >= 48 ? command.n - 48 : command.n;
        return null;
      case 'symbol':
        this.#symbol(command);
        return null;
      case 'raster':
        this.#raster(command.widthBytes, command.height, command.data);
        return null;
      case 'setting':
        this.#setting(command);
        return null;
      case 'cut': {
        if (this.#line.length > 0) this.#printLine();
        const feedDots = command.n ?? 0;
        this.#advance(feedDots);
        const receipt: PrintedReceipt = {
          width: this.widthDots,
          height: Math.max(1, Math.min(this.#y, MAX_RECEIPT_DOTS)),
          ops: this.#ops,
          lines: this.#lines,
          partialCut: (PARTIAL_CUTS as readonly number[]).includes(command.m),
          spoiled: this.#stopped,
        };
        this.#ops = [];
        this.#lines = [];
        this.#y = 0;
        this.#stopped = false;
        return receipt;
      }
      default:
        return null;
    }
  }

  /** Whether anything of a receipt is on the paper since the last cut. */
  get started(): boolean {
    return this.#y > 0 || this.#line.length > 0;
  }

  /** Starts a fresh receipt (after a fault spoiled the one in progress). */
  discard(): void {
    this.#ops = [];
    this.#lines = [];
    this.#line = [];
    this.#y = 0;
    this.#stopped = false;
  }

  #advance(dots: number): boolean {
    if (this.#stopped) return false;
    if (!this.feed(dots)) {
      this.#stopped = true;
      return false;
    }
    this.#y += dots;
    return true;
  }

  #x(width: number): number {
    const free = Math.max(0, this.widthDots - width);
    return this.#align === 1 ? Math.floor(free / 2) : this.#align === 2 ? free : 0;
  }

  #printLine(): void {
    const bytes = Uint8Array.from(this.#line);
    this.#line = [];
    const text = this.#chinese
      ? iconv.decode(Buffer.from(bytes), 'gb18030')
      : Buffer.from(bytes).toString('latin1');
    const cells = [...text].map((char) => ({
      char,
      width: ((char.codePointAt(0)! > 0xff ? CELL.wide : CELL.narrow) * this.#scale.x) as number,
    }));
    // A line wider than the paper wraps, as the printer's text engine does.
    const rows: (typeof cells)[] = [[]];
    let used = 0;
    for (const cell of cells) {
      if (used + cell.width > this.widthDots && rows.at(-1)!.length > 0) {
        rows.push([]);
        used = 0;
      }
      rows.at(-1)!.push(cell);
      used += cell.width;
    }
    for (const row of rows) {
      const top = this.#y;
      const height = Math.max(this.#lineDots, CELL.height * this.#scale.y);
      if (!this.#advance(height)) return;
      if (top + height > MAX_RECEIPT_DOTS) continue;
      let x = this.#x(row.reduce((sum, cell) => sum + cell.width, 0));
      for (const { char, width } of row) {
        if (char !== ' ') {
          const narrow = width === CELL.narrow * this.#scale.x;
          const size = (narrow ? NARROW_GLYPH_SIZE : CELL.height) * this.#scale.y;
          const inset = narrow ? Math.round(width * 0.08) : 0;
          this.#ops.push({
            kind: 'text',
            x: x + inset,
            baseline: top + BASELINE_IN_CELL * this.#scale.y,
            size,
            text: char,
            weight: 'regular',
            colour: BLACK,
          });
        }
        x += width;
      }
      this.#lines.push(
        row
          .map((c) => c.char)
          .join('')
          .trimEnd(),
      );
    }
  }

  #symbol(command: Extract<EscPosCommand, { kind: 'symbol' }>): void {
    if (command.cn !== QR_SYMBOL) return;
    const p = command.params;
    switch (command.fn) {
      case QR_FUNCTION.moduleSize:
        if (p[0]! >= 1 && p[0]! <= 16) this.#qr.moduleDots = p[0]!;
        return;
      case QR_FUNCTION.errorLevel:
        this.#qr.level = QR_ERROR_LEVELS[p[0] as keyof typeof QR_ERROR_LEVELS] ?? this.#qr.level;
        return;
      case QR_FUNCTION.store:
        // m = 48, then the data (ASCII in our receipts; bytes as latin1 otherwise).
        this.#qr.text = Buffer.from(p.subarray(1)).toString('latin1');
        return;
      case QR_FUNCTION.print: {
        if (this.#qr.text === '') return;
        let modules: { size: number; dark: Uint8Array };
        try {
          modules = qrModules(this.#qr.text, this.#qr.level);
        } catch {
          return; // Too much data for a QR code: a printer prints nothing.
        }
        const side = (modules.size + 2 * QR_QUIET_MODULES) * this.#qr.moduleDots;
        const top = this.#y;
        if (!this.#advance(side)) return;
        const x = this.#x(side) + QR_QUIET_MODULES * this.#qr.moduleDots;
        this.#ops.push({
          kind: 'qr',
          x,
          y: top + QR_QUIET_MODULES * this.#qr.moduleDots,
          moduleDots: this.#qr.moduleDots,
          size: modules.size,
          dark: modules.dark,
        });
        this.#lines.push(`[QR] ${this.#qr.text}`);
        return;
      }
    }
  }

  #raster(widthBytes: number, height: number, data: Uint8Array): void {
    const width = Math.min(widthBytes * 8, this.widthDots);
    const top = this.#y;
    if (width === 0 || height === 0 || !this.#advance(height)) return;
    const rgb = new Uint8Array(width * height * 3).fill(255);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (data[y * widthBytes + (x >> 3)]! & (0x80 >> (x & 7)))
          rgb.fill(0, (y * width + x) * 3, (y * width + x) * 3 + 3);
      }
    }
    this.#ops.push({ kind: 'image', x: this.#x(width), y: top, image: { width, height, rgb } });
    this.#lines.push(`[image ${width}×${height}]`);
  }

  #setting(command: Extract<EscPosCommand, { kind: 'setting' }>): void {
    const [n = 0] = command.params;
    if (command.prefix === ESC && command.code === 0x33) this.#lineDots = n; // ESC 3 n
    if (command.prefix === ESC && command.code === 0x32) this.#lineDots = DEFAULT_LINE_DOTS; // ESC 2
    if (command.prefix === ESC && command.code === 0x4a) this.#advance(n); // ESC J n
    if (command.prefix === ESC && command.code === 0x64) this.#advance(n * this.#lineDots); // ESC d n
    if (command.prefix === GS && command.code === 0x21)
      this.#scale = { x: ((n >> 4) & 7) + 1, y: (n & 7) + 1 }; // GS ! n
  }
}

/** The receipt as a PNG: text in Noto Sans CJK SC when it is installed, else each character a box. */
export function receiptPng(receipt: PrintedReceipt): Buffer {
  const fonts = cjkFonts();
  const ops = fonts.ok
    ? receipt.ops
    : receipt.ops.map((op): Op =>
        op.kind === 'text'
          ? {
              kind: 'rect',
              x: op.x + 2,
              y: op.baseline - op.size + 4,
              width: op.size - 4,
              height: op.size - 6,
              stroke: BLACK,
            }
          : op,
      );
  const page: Page = { width: receipt.width, height: receipt.height, dpi: 203, ops };
  // Without fonts no text op remains, so the rasteriser never needs them.
  return rasterToPng(rasterizePage(page, fonts.ok ? fonts.value : ({} as never)));
}
