/**
 * The staff's daily report (A4): what the kiosk issued, spoiled and retained, the card stock and
 * whether it reconciles, what still waits to be reported to the card centre, and the day hour by
 * hour — as a bar chart and as a table of the hours with activity.
 */
import { ok, type Result } from '../../drivers/common/result.ts';
import type { PrintDocument } from '../render/display-list.ts';
import { cjkFonts, type FontUnavailable } from '../render/font.ts';
import { renderPdf, type PdfOptions } from '../render/pdf.ts';
import type { Fonts } from '../render/text-fit.ts';
import { INK, ReportBuilder, SPACE } from './report-page.ts';

export interface HourCounts {
  /** 0–23, local time. */
  hour: number;
  issued: number;
  rejected: number;
  retained: number;
}

export interface DailyReportFacts {
  kioskId: string;
  siteName: string;
  /** The day reported (its local date is used). */
  day: Date;
  generatedAt: Date;
  cards: { issued: number; rejected: number; retained: number };
  stock: { opening: number; loaded: number; remaining: number };
  /** The stock ledger against the printer's counters (DESIGN.md: loaded = issued + rejected + retained + in hopper). */
  reconciliation: {
    balanced: boolean;
    ledgerRemaining: number;
    printerRemaining: number | null;
    note?: string;
  };
  outbox: { pending: number; oldestPendingAt: Date | null };
  perHour: HourCounts[];
}

const SERIES = [
  { name: '发卡', colour: '#1f4e79' },
  { name: '废卡', colour: '#c0504d' },
  { name: '吞卡', colour: '#e8a33d' },
] as const;

const pad = (n: number) => String(n).padStart(2, '0');
const date = (d: Date) =>
  Number.isNaN(d?.getTime?.())
    ? '—'
    : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const dateTime = (d: Date) =>
  Number.isNaN(d?.getTime?.()) ? '—' : `${date(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
const count = (n: number | null | undefined) =>
  typeof n === 'number' && Number.isFinite(n) ? String(n) : '—';

/** All 24 hours, summing duplicates and ignoring hours out of range. */
function hours(perHour: HourCounts[]): HourCounts[] {
  const all = Array.from({ length: 24 }, (_, hour) => ({
    hour,
    issued: 0,
    rejected: 0,
    retained: 0,
  }));
  for (const h of perHour ?? []) {
    const slot = all[h.hour];
    if (!slot) continue;
    slot.issued += Math.max(0, h.issued || 0);
    slot.rejected += Math.max(0, h.rejected || 0);
    slot.retained += Math.max(0, h.retained || 0);
  }
  return all;
}

export function dailyReportDocument(facts: DailyReportFacts, fonts: Fonts): PrintDocument {
  const report = new ReportBuilder(
    fonts,
    '社会保障卡自助补办 · 每日报表',
    `${facts.siteName}${SPACE}终端 ${facts.kioskId}${SPACE}日期 ${date(facts.day)}`,
    `生成于 ${dateTime(facts.generatedAt)}${SPACE}本报表不含居民个人信息`,
  );
  const { cards, stock, reconciliation, outbox } = facts;

  report.heading('当日卡片');
  report.figures([
    { label: '发卡（已领取）', value: count(cards.issued), colour: INK.ok },
    {
      label: '废卡（制卡失败）',
      value: count(cards.rejected),
      colour: cards.rejected > 0 ? INK.bad : INK.text,
    },
    {
      label: '吞卡（未领取）',
      value: count(cards.retained),
      colour: cards.retained > 0 ? INK.warn : INK.text,
    },
    { label: '装入空白卡', value: count(stock.loaded) },
    { label: '剩余空白卡', value: count(stock.remaining) },
  ]);

  report.heading('库存对账');
  const used = cards.issued + cards.rejected + cards.retained;
  const formula = `期初 ${count(stock.opening)} + 装入 ${count(stock.loaded)} − 发卡 ${count(cards.issued)} − 废卡 ${count(cards.rejected)} − 吞卡 ${count(cards.retained)} = 应余 ${count(stock.opening + stock.loaded - used)} 张`;
  const counted = `台账余 ${count(reconciliation.ledgerRemaining)} 张，打印机计数余 ${count(reconciliation.printerRemaining)} 张。`;
  report.callout(
    reconciliation.balanced ? '对账平衡' : '对账不平，请核查',
    [formula, counted, reconciliation.note ?? ''].filter(Boolean).join('\n'),
    reconciliation.balanced ? INK.ok : INK.bad,
  );
  report.keyValues([
    {
      label: '待上报',
      value:
        outbox.pending === 0
          ? '无积压'
          : `${outbox.pending} 条，最早 ${outbox.oldestPendingAt ? dateTime(outbox.oldestPendingAt) : '—'}`,
      colour: outbox.pending === 0 ? INK.ok : INK.warn,
    },
    {
      label: '废卡与吞卡',
      value: cards.rejected + cards.retained === 0 ? '无' : '在回收箱内，请清点后登记',
    },
  ]);

  const day = hours(facts.perHour);
  report.heading('分时段统计');
  report.barChart(
    day.map((h) => ({ label: String(h.hour), values: [h.issued, h.rejected, h.retained] })),
    [...SERIES],
    '张 / 小时',
  );
  const active = day.filter((h) => h.issued + h.rejected + h.retained > 0);
  if (active.length === 0) report.paragraph('当日无办理记录。', { colour: INK.muted });
  else
    report.table(
      [
        { title: '时段', width: 2 },
        { title: '发卡', width: 1, align: 'right' },
        { title: '废卡', width: 1, align: 'right' },
        { title: '吞卡', width: 1, align: 'right' },
      ],
      active.map((h) => ({
        cells: [
          `${pad(h.hour)}:00–${pad(h.hour)}:59`,
          String(h.issued),
          String(h.rejected),
          String(h.retained),
        ],
      })),
    );

  report.space(10);
  report.paragraph(
    `核对人签字：＿＿＿＿＿＿＿＿${SPACE}${SPACE}${SPACE}${SPACE}日期：＿＿＿＿＿＿＿＿`,
  );
  return report.finish();
}

export async function dailyReportPdf(
  facts: DailyReportFacts,
  pdf: PdfOptions = {},
): Promise<Result<Buffer, FontUnavailable>> {
  const fonts = cjkFonts();
  if (!fonts.ok) return fonts;
  return ok(await renderPdf(dailyReportDocument(facts, fonts.value), fonts.value, pdf));
}
