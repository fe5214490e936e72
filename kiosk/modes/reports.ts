/**
 * The staff's daily report and the technician's readiness report, from the kiosk's own records
 * and devices, printed as a slip on the receipt printer or saved as the A4 PDF in the data
 * directory (`reports/`); and the event log export (`exports/`) for a technician to take away.
 * Nothing of a resident is in any of them: the ledger and the audit log hold none, and the log
 * file is masked where it is written.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DeviceStatus } from '../../drivers/common/device-status.ts';
import type { OperationResult, SelfTestId, SelfTestResult } from '../../flows/kiosk/types.ts';
import {
  dailyReportPdf,
  type DailyReportFacts,
  type HourCounts,
} from '../../printer-templates/reports/daily-report.ts';
import {
  readinessReportPdf,
  type DeviceReadiness,
  type DeviceState,
  type ReadinessFacts,
} from '../../printer-templates/reports/readiness-report.ts';
import { selfTestIds, type DeviceKindId } from '../bridge/protocol.ts';
import type { KioskConfig } from '../config/schema.ts';
import type { Devices } from '../host/devices.ts';
import type { Logger } from '../log/logger.ts';
import type { KioskStore } from '../store/store.ts';
import { dailySlipJob, readinessSlipJob } from './slips.ts';
import { AUDIT } from './stock-desk.ts';
import { TEST_DEVICE } from './self-tests.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export const DEVICE_NAMES: Record<DeviceKindId | 'card-centre', string> = {
  'id-reader': '身份证读卡器',
  'card-printer': '制卡打印机',
  'chip-encoder': '芯片读写器',
  'receipt-printer': '凭条打印机',
  'qr-scanner': '扫码器',
  'staff-card-reader': '工作卡读卡器',
  'card-centre': '社保卡管理系统',
};

export const TEST_NAMES: Record<SelfTestId, string> = {
  idReader: '读身份证',
  pcsc: '读卡器列表与卡片 ATR',
  cardPrinter: '打印机状态',
  testCard: '测试卡',
  cleaning: '清洁',
  receiptPrinter: '测试凭条',
  scanner: '扫码',
  cardCentre: '连通与时钟',
};

export interface ReportDeps {
  config: KioskConfig;
  store: KioskStore;
  devices: Devices;
  dataDir: string;
  logger: Logger;
}

const pad = (n: number) => String(n).padStart(2, '0');
const stamp = (d: Date) =>
  `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
const sameLocalDay = (a: Date, b: Date) =>
  a.getFullYear() === b.getFullYear() &&
  a.getMonth() === b.getMonth() &&
  a.getDate() === b.getDate();

export function dailyFacts(
  deps: ReportDeps,
  now = new Date(),
): { facts: DailyReportFacts; ledgerSeq: number } {
  const { store, config, devices } = deps;
  const { entries, balance, audit, outbox } = store.snapshot(() => ({
    entries: store.ledger.entries(),
    balance: store.ledger.balance(),
    audit: store.audit.entries(),
    outbox: store.outbox.stats(now),
  }));
  const startOfDay = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  let opening = 0;
  let loaded = 0;
  const cards = { issued: 0, rejected: 0, retained: 0 };
  const perHour = new Map<number, HourCounts>();
  for (const e of entries) {
    const at = new Date(e.at);
    const hopper =
      e.kind === 'load' || e.kind === 'correction' ? e.count : e.kind === 'fed' ? -e.count : 0;
    if (at < startOfDay) {
      opening += hopper;
      continue;
    }
    if (!sameLocalDay(at, now)) continue;
    if (e.kind === 'load') loaded += e.count;
    if (e.kind === 'correction') opening += e.count; // a correction re-states what was there
    if (e.kind === 'issued' || e.kind === 'rejected' || e.kind === 'retained') {
      cards[e.kind] += e.count;
      const hour = perHour.get(at.getHours()) ?? {
        hour: at.getHours(),
        issued: 0,
        rejected: 0,
        retained: 0,
      };
      hour[e.kind] += e.count;
      perHour.set(at.getHours(), hour);
    }
  }
  const notes: string[] = [];
  if (balance.unresolved.length > 0)
    notes.push(
      `未解决的库存差异 ${balance.unresolved.length} 项：${balance.unresolved.map((d) => d.reason).join('、')}`,
    );
  for (const bin of audit.filter(
    (a) => a.action === AUDIT.binEmptied && sameLocalDay(new Date(a.at), now),
  )) {
    const difference = Number(bin.detail.difference ?? 0);
    if (difference !== 0) {
      notes.push(
        `回收箱清点差异：应有 ${String(bin.detail.expected)} 张，实点 ${String(bin.detail.counted)} 张（${difference > 0 ? '+' : ''}${difference}），${bin.actor}`,
      );
    }
  }
  const printerRemaining =
    devices.cardPrinter.status().state === 'disconnected'
      ? null
      : devices.cardPrinter.counters().blanksInFeeder;
  return {
    ledgerSeq: balance.lastSeq,
    facts: {
      kioskId: config.kiosk.id,
      siteName: config.kiosk.siteName,
      day: now,
      generatedAt: now,
      cards,
      stock: { opening, loaded, remaining: balance.inHopper },
      reconciliation: {
        balanced: balance.balanced && balance.unresolved.length === 0 && notes.length === 0,
        ledgerRemaining: balance.inHopper,
        printerRemaining,
        ...(notes.length > 0 ? { note: notes.join('\n') } : {}),
      },
      outbox: {
        pending: outbox.pending,
        oldestPendingAt:
          outbox.pending > 0 ? new Date(now.getTime() - outbox.oldestAgeSeconds * 1000) : null,
      },
      perHour: [...perHour.values()],
    },
  };
}

function deviceState(
  status: DeviceStatus | { state: 'ready'; warnings: readonly string[] },
): DeviceState {
  if (status.state === 'disconnected') return 'disconnected';
  if (status.state === 'fault') return 'fault';
  if ('warnings' in status && status.warnings.length > 0) return 'warning';
  return 'ready';
}

export function softwareVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}

export function readinessFacts(
  deps: ReportDeps,
  selfTests: Partial<Record<SelfTestId, SelfTestResult>>,
  technician: string | null,
  describe: (test: SelfTestId, result: SelfTestResult) => string,
): ReadinessFacts {
  const { devices, config } = deps;
  const printerIdentity = devices.cardPrinter.identity();
  const receiptIdentity = devices.receiptPrinter.identity();
  const counters = devices.cardPrinter.counters();
  const entries: [
    DeviceKindId | 'card-centre',
    DeviceStatus | null,
    string,
    { model?: string | null; serialNumber?: string | null; firmware?: string | null },
  ][] = [
    ['id-reader', devices.idReader.status(), devices.idReader.transport, {}],
    [
      'card-printer',
      devices.cardPrinter.status(),
      devices.cardPrinter.transport,
      printerIdentity ?? {},
    ],
    ['chip-encoder', devices.chipEncoder.status(), devices.chipEncoder.transport, {}],
    [
      'receipt-printer',
      devices.receiptPrinter.status(),
      devices.receiptPrinter.transport,
      receiptIdentity ?? {},
    ],
    ['qr-scanner', devices.qrScanner.status(), devices.qrScanner.transport, {}],
    [
      'staff-card-reader',
      devices.staffCard.reader.status(),
      devices.staffCard.reader.transport,
      {},
    ],
    ['card-centre', null, config.cardCentre.endpoint, {}],
  ];
  const deviceList: DeviceReadiness[] = entries.map(([kind, status, transport, identity]) => {
    const tests = selfTestIds.filter((id) => TEST_DEVICE[id] === kind);
    const centreTest = kind === 'card-centre' ? selfTests.cardCentre : undefined;
    return {
      kind,
      name: DEVICE_NAMES[kind],
      model: identity.model ?? null,
      serialNumber: identity.serialNumber ?? null,
      firmware: identity.firmware ?? null,
      transport,
      state: status ? deviceState(status) : centreTest && !centreTest.pass ? 'fault' : 'ready',
      ...(status?.state === 'fault' ? { detail: status.detail } : {}),
      selfTests: tests.map((id) => {
        const result = selfTests[id];
        return result
          ? {
              name: TEST_NAMES[id],
              result: result.pass ? ('pass' as const) : ('fail' as const),
              detail: describe(id, result),
            }
          : { name: TEST_NAMES[id], result: 'skipped' as const };
      }),
      counters:
        kind === 'card-printer'
          ? [
              { label: '已打印', value: counters.cardsPrinted },
              { label: '已废弃', value: counters.cardsRejected },
              {
                label: '送卡器内',
                value: counters.blanksInFeeder,
                attention: counters.blanksInFeeder < 10,
              },
            ]
          : [],
    };
  });
  return {
    kioskId: config.kiosk.id,
    siteName: config.kiosk.siteName,
    generatedAt: new Date(),
    softwareVersion: softwareVersion(),
    configDigest: createHash('sha256').update(JSON.stringify(config)).digest('hex'),
    ...(technician ? { technician } : {}),
    devices: deviceList,
  };
}

/** Prints `job` on the receipt printer: a report slip. */
export async function printSlip(
  devices: Devices,
  job: Uint8Array,
  signal: AbortSignal,
): Promise<OperationResult> {
  const printed = await devices.receiptPrinter.print(job, signal);
  return printed.ok
    ? { ok: true, code: 'reportPrinted', params: {} }
    : { ok: false, code: 'reportFailed', params: { why: printed.error } };
}

export async function saveReport(
  deps: ReportDeps,
  name: string,
  pdf: () => Promise<{ ok: true; value: Buffer } | { ok: false; error: unknown }>,
): Promise<OperationResult> {
  const made = await pdf();
  if (!made.ok) return { ok: false, code: 'reportFailed', params: { why: 'font' } };
  const folder = path.join(deps.dataDir, 'reports');
  const file = path.join(folder, `${name}-${deps.config.kiosk.id}-${stamp(new Date())}.pdf`);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFileSync(file, made.value, { mode: 0o600 });
  } catch (error) {
    deps.logger.error(
      { event: 'report.not_saved', err: (error as Error).message },
      'report not saved',
    );
    return {
      ok: false,
      code: 'reportFailed',
      params: { why: (error as NodeJS.ErrnoException).code ?? 'write' },
    };
  }
  deps.logger.info({ event: 'report.saved', file }, 'report saved');
  return { ok: true, code: 'reportSaved', params: { file } };
}

export async function dailyReport(
  deps: ReportDeps,
  output: 'print' | 'pdf',
  paperWidthMm: 80 | 58,
  signal: AbortSignal,
): Promise<OperationResult> {
  const { facts, ledgerSeq } = dailyFacts(deps);
  return output === 'print'
    ? printSlip(deps.devices, dailySlipJob(facts, ledgerSeq, paperWidthMm), signal)
    : saveReport(deps, 'daily', () => dailyReportPdf(facts));
}

export async function readinessReport(
  deps: ReportDeps,
  facts: ReadinessFacts,
  output: 'print' | 'pdf',
  paperWidthMm: 80 | 58,
  signal: AbortSignal,
): Promise<OperationResult> {
  return output === 'print'
    ? printSlip(deps.devices, readinessSlipJob(facts, paperWidthMm), signal)
    : saveReport(deps, 'readiness', () => readinessReportPdf(facts));
}

/** The log files (masked where written) and the audit log, as JSON lines, into `exports/`. */
export function exportEvents(deps: ReportDeps): OperationResult {
  const { dataDir, store } = deps;
  const logs = path.join(dataDir, 'logs');
  const lines: string[] = [];
  try {
    const files = readdirSync(logs)
      .filter((f) => f.startsWith('kiosk.log'))
      // kiosk.log.4 … kiosk.log.1, then kiosk.log: oldest first.
      .sort((a, b) => (b === 'kiosk.log' ? -1 : a === 'kiosk.log' ? 1 : b.localeCompare(a)));
    for (const file of files) {
      for (const line of readFileSync(path.join(logs, file), 'utf8').split('\n'))
        if (line.trim()) lines.push(line);
    }
  } catch {
    // No log folder (a test host logging elsewhere): the audit log alone.
  }
  for (const entry of store.audit.entries())
    lines.push(JSON.stringify({ source: 'audit', ...entry }));
  const folder = path.join(dataDir, 'exports');
  const file = path.join(folder, `events-${deps.config.kiosk.id}-${stamp(new Date())}.jsonl`);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  } catch (error) {
    return {
      ok: false,
      code: 'failed',
      params: { why: (error as NodeJS.ErrnoException).code ?? 'write' },
    };
  }
  return { ok: true, code: 'eventsExported', params: { file, lines: lines.length } };
}
