/**
 * What staff and technicians print on the receipt printer: the receipt printer's test slip, and
 * the daily and readiness reports as slips (the A4 reports are saved as PDF). Laid out by the
 * receipt template (printer-templates/receipt): our font as a raster, or the printer's own font
 * when the CJK font is missing. Nothing about a resident is on any of them.
 */
import {
  receiptEscPos,
  receiptEscPosRaster,
  type ReceiptModel,
} from '../../printer-templates/receipt/receipt.ts';
import type { DailyReportFacts } from '../../printer-templates/reports/daily-report.ts';
import {
  readinessProblems,
  type ReadinessFacts,
} from '../../printer-templates/reports/readiness-report.ts';

type Paper = 80 | 58;

const pad = (n: number) => String(n).padStart(2, '0');
export const localDateTime = (d: Date) =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;

function job(model: ReceiptModel, paperWidthMm: Paper): Uint8Array {
  const raster = receiptEscPosRaster(model, { paperWidthMm });
  return raster.ok ? raster.value : receiptEscPos(model, { paperWidthMm });
}

export function testSlipJob(
  kiosk: { id: string; siteName: string },
  paperWidthMm: Paper,
): Uint8Array {
  const now = new Date();
  return job(
    {
      title: '凭条打印机测试页',
      subtitle: kiosk.siteName,
      lines: [
        { label: '终端', value: kiosk.id },
        { label: '时间', value: localDateTime(now) },
        { label: '字符', value: '马上办 社会保障卡 0123456789 ABCDEFGHIJ' },
        { label: '结果', value: '能看清本页文字和二维码即为正常' },
      ],
      qrText: `MASHANG-TEST:${kiosk.id}:${now.toISOString()}`,
      qrCaption: '扫码测试',
      footer: '本页用于设备自检，不是办理凭条。',
    },
    paperWidthMm,
  );
}

export function dailySlipJob(
  facts: DailyReportFacts,
  ledgerSeq: number,
  paperWidthMm: Paper,
): Uint8Array {
  const { cards, stock, reconciliation, outbox } = facts;
  return job(
    {
      title: '每日报表',
      subtitle: facts.siteName,
      lines: [
        { label: '终端', value: facts.kioskId },
        { label: '日期', value: localDateTime(facts.day).slice(0, 10) },
        { label: '发卡', value: `${cards.issued} 张` },
        { label: '废卡', value: `${cards.rejected} 张` },
        { label: '吞卡', value: `${cards.retained} 张` },
        { label: '期初', value: `${stock.opening} 张` },
        { label: '装入', value: `${stock.loaded} 张` },
        {
          label: '剩余',
          value: `${stock.remaining} 张（打印机 ${reconciliation.printerRemaining ?? '—'}）`,
        },
        { label: '对账', value: reconciliation.balanced ? '平衡' : '不平，请核查' },
        ...(reconciliation.note ? [{ label: '说明', value: reconciliation.note }] : []),
        { label: '待上报', value: outbox.pending === 0 ? '无积压' : `${outbox.pending} 条` },
        { label: '生成', value: localDateTime(facts.generatedAt) },
      ],
      qrText: `MASHANG-DAILY:${facts.kioskId}:${localDateTime(facts.day).slice(0, 10)}:${ledgerSeq}`,
      qrCaption: '台账序号',
      footer: '完整报表（含分时段统计）请在员工界面保存为 PDF。核对人签字：＿＿＿＿',
    },
    paperWidthMm,
  );
}

export function readinessSlipJob(facts: ReadinessFacts, paperWidthMm: Paper): Uint8Array {
  const problems = readinessProblems(facts);
  const stateText = {
    ready: '就绪',
    warning: '就绪（有提示）',
    fault: '故障',
    disconnected: '未连接',
  } as const;
  return job(
    {
      title: '设备就绪报告',
      subtitle: facts.siteName,
      lines: [
        { label: '终端', value: facts.kioskId },
        { label: '时间', value: localDateTime(facts.generatedAt) },
        ...(facts.technician ? [{ label: '技术员', value: facts.technician }] : []),
        {
          label: '结论',
          value: problems.length === 0 ? '可以投入使用' : `不可投入使用：${problems.length} 项问题`,
        },
        ...facts.devices.map((d) => ({
          label: d.name,
          value: `${stateText[d.state]}${d.selfTests.length > 0 ? `；自检 ${d.selfTests.filter((t) => t.result === 'pass').length}/${d.selfTests.length} 通过` : ''}`,
        })),
        ...problems.map((p) => ({ label: '问题', value: p })),
        { label: '软件', value: facts.softwareVersion },
      ],
      qrText: `MASHANG-READINESS:${facts.kioskId}:${facts.generatedAt.toISOString()}:${facts.configDigest.slice(0, 16)}`,
      qrCaption: '配置摘要',
      footer: '完整报告请在技术员界面保存为 PDF。技术员签字：＿＿＿＿',
    },
    paperWidthMm,
  );
}
