/**
 * The technician's readiness report (A4): one verdict — can this kiosk serve residents — then every
 * device with its identity, status, self-test results and counters, and the software version and
 * configuration digest the verdict holds for.
 */
import { ok, type Result } from '../../drivers/common/result.ts';
import type { Colour, PrintDocument } from '../render/display-list.ts';
import { cjkFonts, type FontUnavailable } from '../render/font.ts';
import { renderPdf, type PdfOptions } from '../render/pdf.ts';
import type { Fonts } from '../render/text-fit.ts';
import { INK, ReportBuilder, SPACE } from './report-page.ts';

export type DeviceState = 'ready' | 'warning' | 'fault' | 'disconnected';

export interface SelfTest {
  name: string;
  result: 'pass' | 'fail' | 'skipped';
  detail?: string;
}

export interface DeviceReadiness {
  /** `card-printer`, `receipt-printer`, … */
  kind: string;
  /** What a technician calls it: 制卡打印机. */
  name: string;
  model?: string | null;
  serialNumber?: string | null;
  firmware?: string | null;
  transport: string;
  state: DeviceState;
  detail?: string;
  selfTests: SelfTest[];
  counters: { label: string; value: string | number; attention?: boolean }[];
}

export interface ReadinessFacts {
  kioskId: string;
  siteName: string;
  generatedAt: Date;
  softwareVersion: string;
  configDigest: string;
  technician?: string;
  devices: DeviceReadiness[];
}

const STATE_TEXT: Record<DeviceState, { text: string; colour: Colour }> = {
  ready: { text: '就绪', colour: INK.ok },
  warning: { text: '就绪（有提示）', colour: INK.warn },
  fault: { text: '故障', colour: INK.bad },
  disconnected: { text: '未连接', colour: INK.bad },
};
const RESULT_TEXT = {
  pass: { text: '通过', colour: INK.ok },
  fail: { text: '失败', colour: INK.bad },
  skipped: { text: '未测', colour: INK.muted },
} as const;

const pad = (n: number) => String(n).padStart(2, '0');
const dateTime = (d: Date) =>
  Number.isNaN(d?.getTime?.())
    ? '—'
    : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** Why the kiosk is not ready, one line per reason; empty when it is. */
export function readinessProblems(facts: ReadinessFacts): string[] {
  const problems: string[] = [];
  if ((facts.devices ?? []).length === 0) problems.push('没有登记任何设备');
  for (const device of facts.devices ?? []) {
    if (device.state === 'fault' || device.state === 'disconnected')
      problems.push(
        `${device.name}：${STATE_TEXT[device.state].text}${device.detail ? `（${device.detail}）` : ''}`,
      );
    for (const test of device.selfTests ?? [])
      if (test.result === 'fail') problems.push(`${device.name}：自检“${test.name}”失败`);
  }
  return problems;
}

export function readinessReportDocument(facts: ReadinessFacts, fonts: Fonts): PrintDocument {
  const report = new ReportBuilder(
    fonts,
    '设备就绪报告',
    `${facts.siteName}${SPACE}终端 ${facts.kioskId}${SPACE}${dateTime(facts.generatedAt)}${facts.technician ? `${SPACE}技术员 ${facts.technician}` : ''}`,
    `软件 ${facts.softwareVersion}${SPACE}配置摘要 ${facts.configDigest.slice(0, 16)}…`,
  );
  const problems = readinessProblems(facts);
  report.callout(
    problems.length === 0 ? '可以投入使用' : `不可投入使用：${problems.length} 项问题`,
    problems.length === 0 ? '所有设备就绪，自检全部通过。' : problems.join('\n'),
    problems.length === 0 ? INK.ok : INK.bad,
  );
  report.keyValues(
    [
      { label: '软件版本', value: facts.softwareVersion },
      { label: '配置摘要', value: facts.configDigest },
    ],
    1,
  );

  for (const device of facts.devices ?? []) {
    const state = STATE_TEXT[device.state] ?? STATE_TEXT.fault;
    report.heading(`${device.name}${SPACE}${state.text}`, state.colour);
    report.keyValues([
      { label: '型号', value: device.model ?? '—' },
      { label: '序列号', value: device.serialNumber ?? '—' },
      { label: '固件', value: device.firmware ?? '—' },
      { label: '连接', value: device.transport },
      ...(device.detail ? [{ label: '状态说明', value: device.detail, colour: state.colour }] : []),
      ...device.counters.map((c) => ({
        label: c.label,
        value: String(c.value),
        ...(c.attention ? { colour: INK.warn } : {}),
      })),
    ]);
    if (device.selfTests.length > 0) {
      report.table(
        [
          { title: '自检项目', width: 3 },
          { title: '结果', width: 1, align: 'center' },
          { title: '说明', width: 4 },
        ],
        device.selfTests.map((test) => ({
          cells: [
            test.name,
            (RESULT_TEXT[test.result] ?? RESULT_TEXT.skipped).text,
            test.detail ?? '',
          ],
          ...(test.result === 'fail' ? { colour: INK.bad } : {}),
        })),
      );
    }
  }
  report.space(20);
  report.paragraph(
    `技术员签字：＿＿＿＿＿＿＿＿${SPACE}${SPACE}${SPACE}${SPACE}日期：＿＿＿＿＿＿＿＿`,
  );
  return report.finish();
}

export async function readinessReportPdf(
  facts: ReadinessFacts,
  pdf: PdfOptions = {},
): Promise<Result<Buffer, FontUnavailable>> {
  const fonts = cjkFonts();
  if (!fonts.ok) return fonts;
  return ok(await renderPdf(readinessReportDocument(facts, fonts.value), fonts.value, pdf));
}
