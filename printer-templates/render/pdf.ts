/**
 * The PDF back end: the same operations the raster back end paints, written with pdfkit on pages
 * whose user unit is one printer dot (the page is scaled by 72 / dpi). Rendered at the page's dpi
 * (`pdftoppm -gray -r <dpi>`), a QR module or a rule on whole dots lands on whole pixels.
 *
 * Chinese text uses the Noto Sans CJK SC face from font.ts, embedded as a subset (pdfkit subsets
 * embedded fonts itself); the PDF's standard fonts (Helvetica…) are never used — with Chinese text
 * they print garbage without a word of warning.
 */
import PDFDocument from 'pdfkit';
import { PNG } from 'pngjs';
import type { Op, Page, PrintDocument, RgbImage } from './display-list.ts';
import type { FontWeight, LoadedFont } from './font.ts';
import type { Fonts } from './text-fit.ts';

const POINTS_PER_INCH = 72;
const fontKey = (weight: FontWeight) => `cjk-${weight}`;

type PdfKitDocument = InstanceType<typeof PDFDocument>;

/**
 * pdfkit parses a font anew for every document (fontkit.create on the 19 MB collection, then its
 * CFF table when subsetting): about two thirds of a receipt's PDF time. We hand each document our
 * already-parsed font instead, through pdfkit's own font cache — `_fontFamilies`, keyed by the
 * registered name — with pdfkit's own EmbeddedFont class, taken from a document that loaded the
 * font the ordinary way. pdfkit is pinned (0.17.2); if its internals ever differ, the ordinary
 * path (registerFont) is what runs, only slower.
 */
type EmbeddedFontClass = new (
  document: PdfKitDocument,
  font: LoadedFont['font'],
  id: string,
) => unknown;
let embeddedFontClass: EmbeddedFontClass | null | undefined;

function findEmbeddedFontClass(font: LoadedFont): EmbeddedFontClass | null {
  if (embeddedFontClass === undefined) {
    try {
      const probe = new PDFDocument({ autoFirstPage: false, font: '' });
      probe.font(font.buffer, font.postscriptName);
      const loadedFont = (
        probe as unknown as { _font?: { constructor: EmbeddedFontClass; font?: unknown } }
      )._font;
      embeddedFontClass = loadedFont?.font ? loadedFont.constructor : null;
    } catch {
      embeddedFontClass = null;
    }
  }
  return embeddedFontClass;
}

function attachFonts(pdf: PdfKitDocument, fonts: Fonts): void {
  const internals = pdf as unknown as {
    _fontFamilies?: Record<string, unknown>;
    _fontCount?: number;
  };
  for (const weight of ['regular', 'bold'] as const) {
    const font = fonts[weight];
    pdf.registerFont(fontKey(weight), font.buffer, font.postscriptName);
    const Embedded = findEmbeddedFontClass(font);
    if (Embedded && internals._fontFamilies && typeof internals._fontCount === 'number') {
      internals._fontFamilies[fontKey(weight)] = new Embedded(
        pdf,
        font.font,
        `F${++internals._fontCount}`,
      );
    }
  }
}

function pngOf(image: RgbImage): Buffer {
  const png = new PNG({
    width: image.width,
    height: image.height,
    colorType: 2,
    inputColorType: 2,
    inputHasAlpha: false,
  });
  png.data = Buffer.from(image.rgb.buffer, image.rgb.byteOffset, image.rgb.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

function drawOp(pdf: PdfKitDocument, op: Op): void {
  switch (op.kind) {
    case 'text':
      pdf
        .font(fontKey(op.weight))
        .fontSize(op.size)
        .fillColor(op.colour)
        .text(op.text, op.x, op.baseline, { lineBreak: false, baseline: 'alphabetic' });
      break;
    case 'rect':
      if (!op.fill && !op.stroke) break;
      pdf.rect(op.x, op.y, op.width, op.height);
      if (op.stroke) pdf.lineWidth(op.strokeWidth ?? 1);
      if (op.fill && op.stroke) pdf.fillAndStroke(op.fill, op.stroke);
      else if (op.fill) pdf.fill(op.fill);
      else if (op.stroke) pdf.stroke(op.stroke);
      break;
    case 'line':
      pdf
        .moveTo(op.x1, op.y1)
        .lineTo(op.x2, op.y2)
        .lineWidth(op.width)
        .lineCap('butt')
        .stroke(op.colour);
      break;
    case 'circle':
      if (!op.fill && !op.stroke) break;
      pdf.circle(op.cx, op.cy, op.r);
      if (op.stroke) pdf.lineWidth(op.strokeWidth ?? 1);
      if (op.fill && op.stroke) pdf.fillAndStroke(op.fill, op.stroke);
      else if (op.fill) pdf.fill(op.fill);
      else if (op.stroke) pdf.stroke(op.stroke);
      break;
    case 'qr': {
      // One path: each row's runs of dark modules as rectangles on whole dots.
      let any = false;
      for (let my = 0; my < op.size; my++) {
        let mx = 0;
        while (mx < op.size) {
          if (!op.dark[my * op.size + mx]) {
            mx++;
            continue;
          }
          const start = mx;
          while (mx < op.size && op.dark[my * op.size + mx]) mx++;
          pdf.rect(
            op.x + start * op.moduleDots,
            op.y + my * op.moduleDots,
            (mx - start) * op.moduleDots,
            op.moduleDots,
          );
          any = true;
        }
      }
      if (any) pdf.fill('#000000');
      break;
    }
    case 'image':
      pdf.image(pngOf(op.image), op.x, op.y, { width: op.image.width, height: op.image.height });
      break;
  }
}

function drawPage(pdf: PdfKitDocument, page: Page): void {
  const scale = POINTS_PER_INCH / page.dpi;
  pdf.addPage({ size: [page.width * scale, page.height * scale], margin: 0 });
  pdf.save();
  pdf.scale(scale);
  for (const op of page.ops) drawOp(pdf, op);
  pdf.restore();
}

export interface PdfOptions {
  /** Fixed in tests so the bytes do not depend on the clock. */
  creationDate?: Date;
  author?: string;
}

/** Writes every page of `document` to one PDF. */
export function renderPdf(
  document: PrintDocument,
  fonts: Fonts,
  options: PdfOptions = {},
): Promise<Buffer> {
  const pdf = new PDFDocument({
    autoFirstPage: false,
    margin: 0,
    compress: true,
    font: '', // no standard font is loaded: every glyph comes from the embedded CJK font
    info: {
      Title: document.title,
      Creator: 'Mashang kiosk',
      ...(options.author ? { Author: options.author } : {}),
      CreationDate: options.creationDate ?? new Date(),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  attachFonts(pdf, fonts);
  for (const page of document.pages) drawPage(pdf, page);
  if (document.pages.length === 0) pdf.addPage({ size: 'A4', margin: 0 });
  pdf.end();
  return done;
}
