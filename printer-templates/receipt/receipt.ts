/**
 * The resident's receipt. One model (masked data only) → one layout (`receiptDocument`, dots at
 * 203.2 dpi on 80 or 58 mm paper) → the PDF and the printer raster (`GS v 0`). Printers with a
 * Chinese font can take the same model as text with a native QR code instead (PROTOCOLS.md §4);
 * a character outside that font's GBK repertoire sends the job down the raster path, so nothing
 * prints as "?".
 */
import iconv from 'iconv-lite';
import { ok, type Result } from '../../drivers/common/result.ts';
import { BLACK, type Op, type Page, type PrintDocument } from '../render/display-list.ts';
import { cjkFonts, type FontUnavailable } from '../render/font.ts';
import { renderPdf, type PdfOptions } from '../render/pdf.ts';
import { QR_QUIET_MODULES, qrModules, qrOp } from '../render/qr.ts';
import { rasterizePage, toMono, type MonoBitmap } from '../render/raster.ts';
import { fitText, textWidth, type Fonts } from '../render/text-fit.ts';
import { escposRaster } from './escpos-raster.ts';

export interface ReceiptModel {
  title: string;
  /** The site, under the title. */
  subtitle?: string;
  lines: { label: string; value: string }[];
  qrText: string;
  qrCaption?: string;
  footer: string;
}

export interface ReceiptFacts {
  siteName: string;
  kioskId: string;
  time: Date;
  transactionNo: string;
  /** 王*英 — a full name given here is masked before printing. */
  maskedName: string;
  /** 3301**********123X — likewise. */
  maskedIdNumber: string;
  maskedCardNo: string;
  feeFen: number;
  lossReported: boolean;
  /** false when production failed and the resident leaves with a receipt only; default true. */
  cardIssued?: boolean;
  /** What the QR code holds: the status page for this transaction; default `MASHANG:<transactionNo>`. */
  statusUrl?: string;
}

export type PaperWidthMm = 80 | 58;

/**
 * Thermal printers print 8 dots per mm: 576 dots across 80 mm paper, 384 across 58 mm
 * (PROTOCOLS.md §4). Text-mode columns are Font A's 12-dot cells; a Chinese character takes two.
 */
export const RECEIPT_DPI = 203.2;
const PAPERS = {
  80: { dots: 576, columns: 48, title: 44, body: 28, small: 24, qrModule: 6 },
  58: { dots: 384, columns: 32, title: 34, body: 24, small: 22, qrModule: 5 },
} as const satisfies Record<PaperWidthMm, object>;

/** Masks like kiosk/log/mask.ts, for values that arrive unmasked: the receipt leaves the kiosk. */
function ensureMasked(facts: ReceiptFacts): ReceiptFacts {
  const name = [...(facts.maskedName ?? '')];
  const maskedName =
    name.includes('*') || name.length === 0
      ? name.join('')
      : name.length === 1
        ? '*'
        : name.length === 2
          ? `${name[0]}*`
          : name[0] + '*'.repeat(name.length - 2) + name.at(-1);
  const id = facts.maskedIdNumber ?? '';
  const maskedIdNumber =
    id.includes('*') || id.length === 0
      ? id
      : id.length <= 8
        ? '*'.repeat(id.length)
        : id.slice(0, 4) + '*'.repeat(id.length - 8) + id.slice(-4);
  const card = facts.maskedCardNo ?? '';
  const maskedCardNo =
    card.includes('*') || card.length <= 4 ? card : '*'.repeat(card.length - 4) + card.slice(-4);
  return { ...facts, maskedName, maskedIdNumber, maskedCardNo };
}

function formatTime(time: Date): string {
  if (!(time instanceof Date) || Number.isNaN(time.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${time.getFullYear()}-${p(time.getMonth() + 1)}-${p(time.getDate())} ${p(time.getHours())}:${p(time.getMinutes())}`;
}

function formatFee(feeFen: number): string {
  if (!Number.isFinite(feeFen) || feeFen <= 0) return '免费';
  return `￥${(feeFen / 100).toFixed(2)}（已支付）`;
}

export function receiptModel(input: ReceiptFacts): ReceiptModel {
  const facts = ensureMasked(input);
  const done = [
    facts.lossReported ? '原卡已挂失' : null,
    facts.cardIssued === false ? '新卡未制发' : '新卡已制发',
  ]
    .filter(Boolean)
    .join('，');
  return {
    title: '社会保障卡补办凭条',
    subtitle: facts.siteName,
    lines: [
      { label: '终端', value: facts.kioskId },
      { label: '时间', value: formatTime(facts.time) },
      { label: '流水号', value: facts.transactionNo },
      { label: '姓名', value: facts.maskedName },
      { label: '身份证', value: facts.maskedIdNumber },
      { label: '原卡号', value: facts.maskedCardNo },
      { label: '办理', value: done },
      { label: '费用', value: formatFee(facts.feeFen) },
    ],
    qrText: facts.statusUrl || `MASHANG:${facts.transactionNo}`,
    qrCaption: '扫码查询办理进度',
    footer:
      facts.cardIssued === false
        ? '新卡未能制发，费用将按规定退回。请持本凭条和身份证到服务窗口办理，或拨打12333咨询。'
        : '如卡面信息有误或卡片无法使用，请持本凭条和身份证到服务窗口办理，或拨打12333咨询。',
  };
}

// ─── Layout: one page of drawing operations, shared by the PDF and the raster ──────────────────

const MARGIN = 4;

/** The receipt as one page of dots; its height is what the content needs. */
export function receiptDocument(
  model: ReceiptModel,
  fonts: Fonts,
  paperWidthMm: PaperWidthMm = 80,
): PrintDocument {
  const paper = PAPERS[paperWidthMm] ?? PAPERS[80];
  const width = paper.dots - 2 * MARGIN;
  const ops: Op[] = [];
  let y = 8;
  const place = (fitted: ReturnType<typeof fitText>, gapAfter: number) => {
    ops.push(...fitted.ops);
    if (fitted.ops.length > 0) y += fitted.height + gapAfter;
  };
  const rule = () => {
    ops.push({ kind: 'rect', x: MARGIN, y: Math.round(y), width, height: 2, fill: BLACK });
    y = Math.round(y) + 2 + Math.round(paper.body * 0.6);
  };

  place(
    fitText(
      fonts,
      model.title,
      { x: MARGIN, y, width },
      { size: paper.title, minSize: paper.title * 0.6, weight: 'bold', align: 'center' },
    ),
    paper.body * 0.4,
  );
  if (model.subtitle)
    place(
      fitText(
        fonts,
        model.subtitle,
        { x: MARGIN, y, width },
        { size: paper.body, minSize: paper.small, maxLines: 2, prefer: 'wrap', align: 'center' },
      ),
      paper.body * 0.4,
    );
  y += paper.body * 0.2;
  rule();

  // Labels in one column as wide as the widest (but never more than a third of the paper).
  const labelColumn = Math.min(
    Math.ceil(
      Math.max(0, ...model.lines.map((line) => textWidth(fonts.regular, line.label, paper.body))) +
        paper.body * 0.6,
    ),
    Math.round(width / 3),
  );
  for (const line of model.lines) {
    const value = fitText(
      fonts,
      line.value || '—',
      { x: MARGIN + labelColumn, y, width: width - labelColumn },
      {
        size: paper.body,
        minSize: paper.body * 0.8,
        maxLines: 3,
        prefer: 'wrap',
        lineHeight: 1.25,
      },
    );
    const label = fitText(
      fonts,
      line.label,
      { x: MARGIN, y, width: labelColumn - paper.body * 0.4 },
      { size: paper.body, minSize: paper.small * 0.8 },
    );
    ops.push(
      ...label.ops.map((op) => ({ ...op, baseline: value.ops[0]?.baseline ?? op.baseline })),
    );
    place(value, paper.body * 0.45);
  }
  y += paper.body * 0.2;
  rule();

  // The QR code on whole dots, its quiet zone kept clear, shrunk a dot per module if too wide.
  const { size: modules } = qrModules(model.qrText);
  let moduleDots: number = paper.qrModule;
  while (moduleDots > 2 && (modules + 2 * QR_QUIET_MODULES) * moduleDots > width) moduleDots--;
  const qrSide = modules * moduleDots;
  y = Math.round(y) + (QR_QUIET_MODULES - 2) * moduleDots;
  ops.push(qrOp(model.qrText, Math.round((paper.dots - qrSide) / 2), y, moduleDots));
  y += qrSide + QR_QUIET_MODULES * moduleDots;
  if (model.qrCaption)
    place(
      fitText(
        fonts,
        model.qrCaption,
        { x: MARGIN, y, width },
        { size: paper.small, align: 'center' },
      ),
      paper.body * 0.6,
    );

  place(
    fitText(
      fonts,
      model.footer,
      { x: MARGIN, y, width },
      {
        size: paper.small,
        minSize: paper.small * 0.85,
        maxLines: 5,
        prefer: 'wrap',
        lineHeight: 1.35,
      },
    ),
    0,
  );
  y += 24;
  const page: Page = { width: paper.dots, height: Math.ceil(y), dpi: RECEIPT_DPI, ops };
  return { title: model.title, pages: [page] };
}

export interface ReceiptOptions {
  paperWidthMm?: PaperWidthMm;
}

/** The receipt as the printer's 1-bit raster. */
export function receiptRaster(
  model: ReceiptModel,
  options: ReceiptOptions = {},
): Result<MonoBitmap, FontUnavailable> {
  const fonts = cjkFonts();
  if (!fonts.ok) return fonts;
  return ok(
    toMono(
      rasterizePage(
        receiptDocument(model, fonts.value, options.paperWidthMm).pages[0]!,
        fonts.value,
      ),
    ),
  );
}

export async function receiptPdf(
  facts: ReceiptFacts,
  options: ReceiptOptions & { pdf?: PdfOptions } = {},
): Promise<Result<Buffer, FontUnavailable>> {
  const fonts = cjkFonts();
  if (!fonts.ok) return fonts;
  return ok(
    await renderPdf(
      receiptDocument(receiptModel(facts), fonts.value, options.paperWidthMm),
      fonts.value,
      options.pdf,
    ),
  );
}

/** ESC/POS raster job (`GS v 0`), cut included. */
export function receiptEscPosRaster(
  model: ReceiptModel,
  options: ReceiptOptions = {},
): Result<Uint8Array, FontUnavailable> {
  const raster = receiptRaster(model, options);
  return raster.ok ? ok(escposRaster(raster.value, { feedBeforeCut: 96 })) : raster;
}

// ─── Text mode: the printer's own Chinese font and its native QR code ───────────────────────────

/** ESC/POS bytes (PROTOCOLS.md §4, confidence H). */
const ESC_INIT = [0x1b, 0x40];
const FS_CHINESE_ON = [0x1c, 0x26];
const FS_CHINESE_OFF = [0x1c, 0x2e];
const ESC_ALIGN = (n: 0 | 1 | 2) => [0x1b, 0x61, n];
/** `GS ! n`: character size (0x11 = double width and height); `FS ! n`: the same for Chinese (bits 2, 3). */
const GS_SIZE = (n: number) => [0x1d, 0x21, n];
const FS_MODE = (n: number) => [0x1c, 0x21, n];
const GS_CUT_PARTIAL_FEED = [0x1d, 0x56, 66, 0];
const LF = 0x0a;

/** `GS ( k` QR sequence: model 2, module size, error level M, store, print. */
function qrCommands(text: string, moduleSize = 6): number[] {
  const data = [...Buffer.from(text, 'latin1')];
  const storeLength = data.length + 3;
  return [
    ...[0x1d, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32, 0x00], // fn 165: model 2
    ...[0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x43, moduleSize], // fn 167: module size
    ...[0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x45, 0x31], // fn 169: error correction M
    ...[0x1d, 0x28, 0x6b, storeLength & 0xff, storeLength >> 8, 0x31, 0x50, 0x30, ...data], // fn 180: store
    ...[0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30], // fn 181: print
  ];
}

/** A printer's built-in Chinese font covers GBK; each character outside it would print as "?". */
export function charactersOutsideGbk(text: string): string[] {
  const outside = new Set<string>();
  for (const char of text) {
    if (char === '\n') continue;
    if (iconv.decode(iconv.encode(char, 'gbk'), 'gbk') !== char) outside.add(char);
  }
  return [...outside];
}

/** Columns a string takes in Font A: one per single-byte character, two per double-byte one. */
function columns(text: string): number {
  let count = 0;
  for (const char of text) count += char.codePointAt(0)! < 0x80 ? 1 : 2;
  return count;
}

/** Splits `text` into pieces of at most `width` columns, keeping ASCII runs whole where they fit. */
function wrapColumns(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const char of text) {
    if (columns(line + char) > width) {
      const run = /[\x21-\x7e]+$/.exec(line)?.[0] ?? '';
      if (
        char.codePointAt(0)! < 0x80 &&
        char !== ' ' &&
        run.length > 0 &&
        run.length < line.length &&
        columns(run + char) <= width
      ) {
        lines.push(line.slice(0, -run.length).trimEnd());
        line = run;
      } else {
        lines.push(line.trimEnd());
        line = '';
      }
      if (char === ' ') continue;
    }
    line += char;
  }
  if (line.trim() !== '' || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

/**
 * Text-mode ESC/POS: the printer's own Chinese font (GB18030 between FS & and FS .) and its native
 * QR code, labels in a column with values wrapped under their own column. Check
 * `charactersOutsideGbk` first (receiptJob does).
 */
export function receiptEscPos(model: ReceiptModel, options: ReceiptOptions = {}): Uint8Array {
  const paper = PAPERS[options.paperWidthMm ?? 80] ?? PAPERS[80];
  const text = (s: string) => [...iconv.encode(s, 'gb18030')];
  const bytes: number[] = [...ESC_INIT, ...FS_CHINESE_ON];
  bytes.push(...ESC_ALIGN(1), ...GS_SIZE(0x11), ...FS_MODE(0x0c));
  for (const line of wrapColumns(model.title, Math.floor(paper.columns / 2)))
    bytes.push(...text(line), LF);
  bytes.push(...GS_SIZE(0), ...FS_MODE(0));
  if (model.subtitle)
    for (const line of wrapColumns(model.subtitle, paper.columns)) bytes.push(...text(line), LF);
  bytes.push(LF, ...ESC_ALIGN(0), ...text('-'.repeat(paper.columns)), LF);
  const labelColumns = Math.min(
    Math.max(...model.lines.map((line) => columns(line.label))) + 2,
    Math.floor(paper.columns / 3),
  );
  for (const line of model.lines) {
    const label = line.label + ' '.repeat(Math.max(1, labelColumns - columns(line.label)));
    wrapColumns(line.value || '—', paper.columns - labelColumns).forEach((piece, index) => {
      bytes.push(...text((index === 0 ? label : ' '.repeat(labelColumns)) + piece), LF);
    });
  }
  bytes.push(...text('-'.repeat(paper.columns)), LF);
  bytes.push(...ESC_ALIGN(1), ...qrCommands(model.qrText, paper.qrModule), LF);
  if (model.qrCaption) bytes.push(...text(model.qrCaption), LF);
  bytes.push(...ESC_ALIGN(0));
  for (const line of wrapColumns(model.footer, paper.columns)) bytes.push(...text(line), LF);
  bytes.push(...FS_CHINESE_OFF, LF, LF, ...GS_CUT_PARTIAL_FEED);
  return new Uint8Array(bytes);
}

export interface ReceiptJobOptions {
  /** `raster`: our font, pixel-exact QR. `text`: the printer's font and QR, far fewer bytes. */
  mode: 'raster' | 'text';
  paperWidthMm: PaperWidthMm;
}

/**
 * Drop-in for the host's printReceipt step: the bytes for `ReceiptPrinter.print`. Never throws.
 * Text mode falls back to raster for a character outside GBK; raster falls back to text if the
 * CJK font is missing (the printer's own font is then better than nothing).
 */
export function receiptJob(
  facts: ReceiptFacts,
  options: ReceiptJobOptions = { mode: 'raster', paperWidthMm: 80 },
): Uint8Array {
  const model = receiptModel(facts);
  const all = [
    model.title,
    model.subtitle ?? '',
    model.footer,
    model.qrCaption ?? '',
    ...model.lines.flatMap((l) => [l.label, l.value]),
  ].join('\n');
  const wantText = options.mode === 'text' && charactersOutsideGbk(all).length === 0;
  if (!wantText) {
    const raster = receiptEscPosRaster(model, options);
    if (raster.ok) return raster.value;
  }
  return receiptEscPos(model, options);
}
