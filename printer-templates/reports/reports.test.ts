import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareWithGolden, goldenOk } from '../golden-image.ts';
import { pdfPagesToRasters } from '../pdf-raster.ts';
import { unmatchedInk } from '../raster-compare.ts';
import { cjkFonts } from '../render/font.ts';
import { renderPdf } from '../render/pdf.ts';
import { rasterizePage, toMono } from '../render/raster.ts';
import { SAMPLE_DAILY, SAMPLE_READINESS } from '../sample-data.ts';
import { dailyReportDocument, dailyReportPdf, type DailyReportFacts } from './daily-report.ts';
import {
  readinessProblems,
  readinessReportDocument,
  readinessReportPdf,
  type DeviceReadiness,
} from './readiness-report.ts';
import { A4_HEIGHT_DOTS, A4_WIDTH_DOTS, REPORT_DPI } from './report-page.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const fonts = (() => {
  const result = cjkFonts();
  if (!result.ok) throw new Error(result.error.detail);
  return result.value;
})();
const texts = (doc: ReturnType<typeof dailyReportDocument>) =>
  doc.pages.flatMap((p) => p.ops.flatMap((op) => (op.kind === 'text' ? [op.text] : [])));

describe('the staff daily report', () => {
  it('looks like its golden image on one A4 page', () => {
    const doc = dailyReportDocument(SAMPLE_DAILY, fonts);
    expect(doc.pages).toHaveLength(1);
    expect(doc.pages[0]).toMatchObject({
      width: A4_WIDTH_DOTS,
      height: A4_HEIGHT_DOTS,
      dpi: REPORT_DPI,
    });
    const comparison = compareWithGolden(here, 'daily-report', rasterizePage(doc.pages[0]!, fonts));
    expect(goldenOk(comparison), comparison.message).toBe(true);
  });

  it('states the figures, the reconciliation and the backlog', () => {
    const all = texts(dailyReportDocument(SAMPLE_DAILY, fonts)).join('\n');
    expect(all).toContain('对账平衡');
    expect(all).toContain('2 条，最早 2026-11-25 17:42');
    expect(all).toContain('10:00–10:59');
    const off: DailyReportFacts = {
      ...SAMPLE_DAILY,
      reconciliation: {
        balanced: false,
        ledgerRemaining: 154,
        printerRemaining: 151,
        note: '打印机计数少 3 张',
      },
    };
    expect(texts(dailyReportDocument(off, fonts)).join('\n')).toContain('对账不平，请核查');
  });

  it('draws a bar per hour, as tall as its count', () => {
    const page = dailyReportDocument(SAMPLE_DAILY, fonts).pages[0]!;
    const issuedBars = page.ops.filter(
      (op) => op.kind === 'rect' && op.fill === '#1f4e79' && op.width < 60,
    );
    // 8 active hours, plus the legend swatch.
    expect(issuedBars).toHaveLength(9);
    const heights = issuedBars
      .filter((op) => op.kind === 'rect' && op.width > 24)
      .map((op) => (op.kind === 'rect' ? op.height : 0));
    // 10:00 (6 cards) is six times 08:00 (1 card), within a dot of rounding.
    expect(Math.abs(Math.max(...heights) - 6 * Math.min(...heights))).toBeLessThanOrEqual(6);
  });

  it('lays out a day with no activity and odd numbers without a crash', async () => {
    const empty: DailyReportFacts = {
      ...SAMPLE_DAILY,
      day: new Date(Number.NaN),
      cards: { issued: 0, rejected: 0, retained: 0 },
      perHour: [{ hour: 99, issued: 5, rejected: 0, retained: 0 }],
      outbox: { pending: 0, oldestPendingAt: null },
      siteName:
        '新疆维吾尔自治区伊犁哈萨克自治州察布查尔锡伯自治县琼博拉镇人民政府便民服务中心第二服务大厅'.repeat(
          2,
        ),
    };
    expect(texts(dailyReportDocument(empty, fonts)).join('\n')).toContain('当日无办理记录');
    expect((await dailyReportPdf(empty)).ok).toBe(true);
  });

  it('writes a PDF that shows what the raster shows', async () => {
    const doc = dailyReportDocument(SAMPLE_DAILY, fonts);
    const pdf = await renderPdf(doc, fonts);
    const [fromPdf] = pdfPagesToRasters(pdf, REPORT_DPI);
    expect(fromPdf).toMatchObject({ width: A4_WIDTH_DOTS, height: A4_HEIGHT_DOTS });
    // Grey text is anti-aliased differently by poppler; a misplaced line would be far above this.
    expect(
      unmatchedInk(toMono(rasterizePage(doc.pages[0]!, fonts)), toMono(fromPdf!)).fraction,
    ).toBeLessThan(0.01);
  });
});

describe('the technician readiness report', () => {
  it('looks like its golden image', () => {
    const doc = readinessReportDocument(SAMPLE_READINESS, fonts);
    const comparison = compareWithGolden(
      here,
      'readiness-report',
      rasterizePage(doc.pages[0]!, fonts),
    );
    expect(goldenOk(comparison), comparison.message).toBe(true);
  });

  it('says the kiosk is not ready, and why, when a device is faulty or a self-test failed', () => {
    expect(readinessProblems(SAMPLE_READINESS)).toEqual([
      '凭条打印机：故障（纸将尽）',
      '凭条打印机：自检“测试页”失败',
    ]);
    const fixed = {
      ...SAMPLE_READINESS,
      devices: SAMPLE_READINESS.devices.filter((d) => d.kind !== 'receipt-printer'),
    };
    expect(readinessProblems(fixed)).toEqual([]);
    expect(texts(readinessReportDocument(fixed, fonts))).toContain('可以投入使用');
    expect(readinessProblems({ ...SAMPLE_READINESS, devices: [] })).toEqual(['没有登记任何设备']);
  });

  it('continues on more pages for many devices, numbering every page', async () => {
    const device = SAMPLE_READINESS.devices[0]!;
    const many: DeviceReadiness[] = Array.from({ length: 9 }, (_, i) => ({
      ...device,
      name: `设备 ${i + 1}`,
    }));
    const doc = readinessReportDocument({ ...SAMPLE_READINESS, devices: many }, fonts);
    expect(doc.pages.length).toBeGreaterThan(1);
    const all = texts(doc);
    expect(all).toContain(`第 ${doc.pages.length} 页 / 共 ${doc.pages.length} 页`);
    expect(all.filter((t) => t.startsWith('设备 ')).length).toBe(9);
    const pdf = await readinessReportPdf({ ...SAMPLE_READINESS, devices: many });
    if (!pdf.ok) throw new Error('pdf');
    expect(pdfPagesToRasters(pdf.value, 30)).toHaveLength(doc.pages.length);
  });
});
