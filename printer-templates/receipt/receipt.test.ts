import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { compareWithGolden, goldenOk } from '../golden-image.ts';
import { cropTo, pdfPagesToRasters } from '../pdf-raster.ts';
import { decodeQr, inkBox, unmatchedInk } from '../raster-compare.ts';
import { cjkFonts } from '../render/font.ts';
import { renderPdf } from '../render/pdf.ts';
import { monoToRaster, rasterizePage, toMono, type MonoBitmap } from '../render/raster.ts';
import { SAMPLE_RECEIPT } from '../sample-data.ts';
import { decodeEscposRaster } from './escpos-raster.ts';
import {
  receiptDocument,
  receiptEscPos,
  receiptJob,
  receiptModel,
  receiptPdf,
  receiptRaster,
  RECEIPT_DPI,
  type ReceiptFacts,
} from './receipt.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const facts = SAMPLE_RECEIPT;
const fonts = () => {
  const result = cjkFonts();
  if (!result.ok) throw new Error(result.error.detail);
  return result.value;
};
const raster = (model = receiptModel(facts), paperWidthMm: 80 | 58 = 80): MonoBitmap => {
  const result = receiptRaster(model, { paperWidthMm });
  if (!result.ok) throw new Error(result.error.detail);
  return result.value;
};
const qrText = `MASHANG:${facts.transactionNo}`;

describe('the receipt', () => {
  it('says what was done, free or paid, with masked data only', () => {
    const text = (f: ReceiptFacts) =>
      receiptModel(f)
        .lines.map((l) => `${l.label}：${l.value}`)
        .join('\n');
    expect(text({ ...facts, feeFen: 0 })).toContain('费用：免费');
    expect(text(facts)).toContain('费用：￥12.50（已支付）');
    expect(text(facts)).toContain('办理：原卡已挂失，新卡已制发');
    expect(text({ ...facts, cardIssued: false })).toContain('新卡未制发');
    expect(text(facts)).toContain('时间：2026-11-25 09:30');
    expect(text(facts)).toContain('姓名：王*英');
  });

  it('masks a full name, ID number or card number handed to it by mistake', () => {
    const model = receiptModel({
      ...facts,
      maskedName: '王秀英',
      maskedIdNumber: '33010619900101123X',
      maskedCardNo: 'A12345678',
    });
    const text = model.lines.map((l) => l.value).join(' ');
    expect(text).toContain('王*英');
    expect(text).toContain('3301**********123X');
    expect(text).toContain('*****5678');
    expect(text).not.toContain('秀');
    expect(text).not.toContain('19900101');
  });

  it('in text mode, encodes Chinese in GB18030 between FS & and FS ., with a native QR code and a partial cut', () => {
    const bytes = Buffer.from(receiptEscPos(receiptModel(facts)));
    expect([...bytes.subarray(0, 4)]).toEqual([0x1b, 0x40, 0x1c, 0x26]);
    expect(bytes.includes(iconv.encode('社会保障卡补办凭条', 'gb18030'))).toBe(true);
    expect(bytes.includes(Buffer.from([0x1c, 0x2e]))).toBe(true);
    // GS ( k fn 180 stores the QR text; its length field counts the text plus 3.
    const store = bytes.indexOf(
      Buffer.from([0x1d, 0x28, 0x6b]),
      bytes.indexOf(Buffer.from([0x31, 0x45])),
    );
    expect(bytes[store + 3]).toBe(qrText.length + 3);
    expect(bytes.subarray(store + 8, store + 8 + qrText.length).toString('ascii')).toBe(qrText);
    expect([...bytes.subarray(-4)]).toEqual([0x1d, 0x56, 66, 0]);
  });

  it('in text mode, wraps a value under its own column within the paper’s 32 or 48 columns', () => {
    const long = {
      ...facts,
      transactionNo: 'demo-001-20261125093000-AB12-retry-0002-of-0003',
      maskedName: '阿卜*********************提',
    };
    for (const [paperWidthMm, columns] of [
      [80, 48],
      [58, 32],
    ] as const) {
      const text = iconv.decode(
        Buffer.from(receiptEscPos(receiptModel(long), { paperWidthMm })),
        'gb18030',
      );
      // The label/value lines sit between the two rules of dashes.
      const rule = '-'.repeat(columns);
      const body = text
        .slice(text.indexOf(rule) + rule.length, text.lastIndexOf(rule))
        .split('\n')
        .filter(Boolean);
      const width = (line: string) =>
        [...line].reduce((n, c) => n + (c.codePointAt(0)! < 0x80 ? 1 : 2), 0);
      for (const line of body) expect(width(line), line).toBeLessThanOrEqual(columns);
      const tx = body.findIndex((line) => line.startsWith('流水号'));
      expect(body[tx + 1]).toMatch(/^ {5,}\S/); // the continuation hangs under the value column
      expect(body.join('').replace(/\s/g, '')).toContain('retry-0002-of-0003');
    }
  });

  it('goes to raster when the printer’s GBK font lacks a character, so nothing prints as "?"', () => {
    const rare = { ...facts, maskedName: '𪚥*英' };
    const text = receiptJob(facts, { mode: 'text', paperWidthMm: 80 });
    const fallback = receiptJob(rare, { mode: 'text', paperWidthMm: 80 });
    expect(Buffer.from(text).includes(Buffer.from([0x1c, 0x26]))).toBe(true);
    expect(Buffer.from(fallback).includes(Buffer.from([0x1d, 0x76, 0x30]))).toBe(true);
    expect(Buffer.from(fallback).includes(Buffer.from([0x1c, 0x26]))).toBe(false);
    // A rare character the kiosk now issues cards for (𠮷, outside GBK, in the font): raster too.
    const issued = receiptJob(
      { ...facts, maskedName: '𠮷*明' },
      { mode: 'text', paperWidthMm: 80 },
    );
    expect(Buffer.from(issued).includes(Buffer.from([0x1d, 0x76, 0x30]))).toBe(true);
    expect(Buffer.from(issued).includes(Buffer.from([0x1c, 0x26]))).toBe(false);
  });

  for (const paperWidthMm of [80, 58] as const) {
    it(`renders the ${paperWidthMm} mm raster like its golden image`, () => {
      const bitmap = raster(receiptModel(facts), paperWidthMm);
      expect(bitmap.width).toBe(paperWidthMm === 80 ? 576 : 384);
      const comparison = compareWithGolden(
        here,
        `receipt-${paperWidthMm}mm`,
        monoToRaster(bitmap),
        { mode: 'ink' },
      );
      expect(goldenOk(comparison), comparison.message).toBe(true);
    });

    it(`prints a QR code a scanner reads back on ${paperWidthMm} mm paper, through the ESC/POS bytes`, () => {
      const job = receiptJob(facts, { mode: 'raster', paperWidthMm });
      const printed = decodeEscposRaster(job, paperWidthMm === 80 ? 576 : 384);
      expect(printed.cuts).toBe(1);
      expect(decodeQr(printed)).toBe(qrText);
    });
  }

  it('fails its golden image when the name moves by four dots', () => {
    const f = fonts();
    const page = receiptDocument(receiptModel(facts), f, 80).pages[0]!;
    const moved = {
      ...page,
      ops: page.ops.map((op) =>
        op.kind === 'text' && op.text === '王*英' ? { ...op, x: op.x + 4 } : op,
      ),
    };
    const comparison = compareWithGolden(
      here,
      'receipt-80mm',
      monoToRaster(toMono(rasterizePage(moved, f))),
      { mode: 'ink', update: false },
    );
    expect(comparison.verdict).toBe('differs');
  });

  it('sends the same picture through GS v 0 that it rendered, blank runs as paper feed', () => {
    const bitmap = raster();
    const job = receiptJob(facts, { mode: 'raster', paperWidthMm: 80 });
    const printed = decodeEscposRaster(job, 576);
    // Identical dots; the job's feed before the cut adds only blank rows.
    expect(
      Buffer.from(printed.bits.subarray(0, bitmap.bits.length)).equals(Buffer.from(bitmap.bits)),
    ).toBe(true);
    expect(printed.bits.subarray(bitmap.bits.length).every((b) => b === 0)).toBe(true);
    // Far fewer bytes than the full-width bitmap.
    expect(job.length).toBeLessThan(bitmap.bits.length * 0.8);
  });

  it('draws the same receipt in its PDF, and the PDF’s QR code is pixel-exact at 203.2 dpi', async () => {
    const f = fonts();
    const doc = receiptDocument(receiptModel(facts), f, 80);
    const page = doc.pages[0]!;
    const pdf = await renderPdf(doc, f);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.includes(Buffer.from('NotoSansCJKsc'))).toBe(true);
    expect(pdf.includes(Buffer.from('Helvetica'))).toBe(false);
    const fromPdf = toMono(
      cropTo(pdfPagesToRasters(pdf, RECEIPT_DPI)[0]!, page.width, page.height),
    );
    const fromRaster = toMono(rasterizePage(page, f));
    expect(unmatchedInk(fromRaster, fromPdf).fraction).toBeLessThan(0.002);
    // The QR code region: every module the same dots in both.
    const qr = page.ops.find((op) => op.kind === 'qr')!;
    if (qr.kind !== 'qr') throw new Error('no QR');
    const side = qr.size * qr.moduleDots;
    for (let y = qr.y; y < qr.y + side; y++) {
      for (let x = qr.x; x < qr.x + side; x++) {
        const bit = (m: MonoBitmap) => (m.bits[y * m.rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1;
        if (bit(fromPdf) !== bit(fromRaster))
          throw new Error(`QR dot ${x},${y} differs between PDF and raster`);
      }
    }
    expect(decodeQr(fromPdf)).toBe(qrText);
  });

  it('lays out missing and over-long fields without a crash or overflow', async () => {
    const odd: ReceiptFacts = {
      ...facts,
      siteName:
        '新疆维吾尔自治区伊犁哈萨克自治州察布查尔锡伯自治县琼博拉镇人民政府便民服务中心第二服务大厅',
      kioskId: '',
      transactionNo: 'X'.repeat(120),
      maskedName: '阿*************提',
      time: new Date(Number.NaN),
      feeFen: Number.NaN,
      statusUrl: `https://status.example/q?tx=${'9'.repeat(150)}`,
    };
    for (const paperWidthMm of [80, 58] as const) {
      const bitmap = raster(receiptModel(odd), paperWidthMm);
      const box = inkBox(bitmap)!;
      expect(box.x0).toBeGreaterThanOrEqual(0);
      expect(box.x1).toBeLessThan(bitmap.width);
      expect(decodeQr(bitmap)).toBe(odd.statusUrl);
    }
    const pdf = await receiptPdf(odd);
    expect(pdf.ok).toBe(true);
  });
});
