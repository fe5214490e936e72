/**
 * The host's implementations of the modes' actors (flows/kiosk/modes.ts): the staff card reader
 * for the card and PIN checks, the stock desk, the things to handle, the reports, the self-tests and the APDU console.
 * Each answers in the flow's own terms; aborting the signal (the mode ended) stops the wait.
 *
 * The PIN arrives in `authenticate`'s input, goes to the card, and is dropped with the call: it
 * is never logged, never in the audit log, never in a view.
 */
import { fromPromise } from 'xstate';
import type { StaffCardFailure } from '../../drivers/staff-card/staff-card-reader.ts';
import type { modesMachine } from '../../flows/kiosk/modes.ts';
import type {
  ApduExchange,
  AuthenticateOutcome,
  BoxScanOutcome,
  IdentifyOutcome,
  ModeOperation,
  ModeRefusal,
  OperationResult,
  SelfTestId,
  SelfTestResult,
} from '../../flows/kiosk/types.ts';
import type { CardCentre } from '../card-centre/card-centre.ts';
import { deviceOf, type KioskConfig } from '../config/schema.ts';
import type { Devices } from '../host/devices.ts';
import type { Logger } from '../log/logger.ts';
import type { StaffActor } from '../store/staff-stock.ts';
import type { KioskStore } from '../store/store.ts';
import { maskCommand, parseCommands, sendApdus } from './apdu-console.ts';
import { parseBoxLabel } from './box-label.ts';
import { dailyReport, exportEvents, readinessFacts, readinessReport } from './reports.ts';
import { runSelfTest } from './self-tests.ts';
import type { StockDesk } from './stock-desk.ts';
import type { TodoDesk } from './todo-desk.ts';

type Actors = NonNullable<Parameters<typeof modesMachine.provide>[0]['actors']>;

export interface ModeActorDeps {
  config: KioskConfig;
  devices: Devices;
  cardCentre: CardCentre;
  store: KioskStore;
  desk: StockDesk;
  /** Discrepancies and staff notices, handled from the staff page "待处理事项". */
  todo: TodoDesk;
  dataDir: string;
  logger: Logger;
}

/** What the reader found, as the screen says it. */
export function refusalOf(failure: StaffCardFailure): ModeRefusal {
  switch (failure.kind) {
    case 'notStaffCard':
    case 'forged':
    case 'expired':
    case 'notYetValid':
    case 'revoked':
    case 'revocationUnavailable':
    case 'blocked':
      return failure.kind;
    default:
      return 'cardUnreadable';
  }
}

/** A short Chinese line for the readiness report (the screen has the full sentences). */
export function describeResult(_test: SelfTestId, result: SelfTestResult): string {
  const values = Object.entries(result.params)
    .map(([k, v]) => `${k} ${v}`)
    .join('，');
  const word: Record<string, string> = {
    ready: '就绪',
    read: '读卡成功',
    atr: '读到卡片 ATR',
    printed: '已打印',
    clean: '无需清洁',
    scanned: '已扫到',
    reachable: '可以连通',
    fault: '故障',
    disconnected: '未连接',
    noCard: '没有卡',
    noReader: '没有读卡器',
    noService: 'PC/SC 服务未运行',
    readFailed: '读卡失败',
    readerFault: '读卡器故障',
    due: '需要清洁',
    noScan: '没有扫到',
    unreachable: '连不上',
    clockSkew: '时钟偏差过大',
    cardInside: '打印机内有卡',
    recordsUnavailable: '记录无法写入',
    error: '出错',
  };
  return `${word[result.code] ?? result.code}${values ? `（${values}）` : ''}`;
}

export function modeActors(deps: ModeActorDeps): Actors {
  const { devices, logger, desk, todo } = deps;
  const reader = devices.staffCard.reader;
  const paperWidthMm = deviceOf(deps.config, 'receipt-printer').paperWidthMm;
  const kiosk = { id: deps.config.kiosk.id, siteName: deps.config.kiosk.siteName };
  const reportDeps = {
    config: deps.config,
    store: deps.store,
    devices,
    dataDir: deps.dataDir,
    logger,
  };

  return {
    identifyCard: fromPromise<IdentifyOutcome>(async ({ signal }) => {
      const result = await reader.identify(signal);
      if (!result.ok) return { ok: false, refusal: refusalOf(result.error) };
      const { identity, triesLeft } = result.value;
      return {
        ok: true,
        identity: { role: identity.role, staffId: identity.staffId, serial: identity.serial },
        triesLeft,
      };
    }),

    authenticate: fromPromise<AuthenticateOutcome, { pin: string }>(async ({ input, signal }) => {
      const result = await reader.authenticate(input.pin, signal);
      if (result.ok)
        return {
          ok: true,
          identity: {
            role: result.value.role,
            staffId: result.value.staffId,
            serial: result.value.serial,
          },
        };
      if (result.error.kind === 'wrongPin')
        return { ok: false, wrongPin: true, triesLeft: result.error.triesLeft };
      if (result.error.kind === 'badPinFormat') {
        // Never sent to the card (the protocol takes only 4–12 digits): no try spent; say what is left.
        const summary = await reader.identify(signal);
        const left =
          summary.ok && summary.value.triesLeft !== 'blocked' ? summary.value.triesLeft : 0;
        return { ok: false, wrongPin: true, triesLeft: left };
      }
      return { ok: false, wrongPin: false, refusal: refusalOf(result.error) };
    }),

    operate: fromPromise<OperationResult, { operation: ModeOperation; actor: string }>(
      async ({ input, signal }) => {
        const op = input.operation;
        const actor = input.actor as StaffActor;
        switch (op.op) {
          case 'loadBatch':
            return desk.load(op, actor);
          case 'emptyRejectBin':
            return desk.emptyRejectBin(op.counted, actor);
          case 'countHopper':
            return desk.countHopper(op.counted, actor);
          case 'correctCount':
            return desk.correctCount(op.discrepancy, op.reason, actor);
          case 'replacePaper':
            return desk.replacePaper(actor);
          case 'ribbon':
            return desk.ribbon(op.step, actor);
          case 'resolveDiscrepancy':
            return todo.resolve(op.discrepancy, op.reason, actor);
          case 'clearNotice':
            return todo.clear(op.notice, actor);
          case 'report': {
            const result =
              op.report === 'daily'
                ? await dailyReport(reportDeps, op.output, paperWidthMm, signal)
                : await readinessReport(
                    reportDeps,
                    readinessFacts(reportDeps, op.selfTests ?? {}, actor, describeResult),
                    op.output,
                    paperWidthMm,
                    signal,
                  );
            audit(deps, actor, `report.${op.report}`, {
              output: op.output,
              ok: result.ok,
              ...(result.params.file ? { file: String(result.params.file) } : {}),
            });
            return result;
          }
          case 'exportEvents': {
            const result = exportEvents(reportDeps);
            audit(deps, actor, 'events.exported', {
              ok: result.ok,
              ...(result.params.file ? { file: String(result.params.file) } : {}),
            });
            return result;
          }
        }
      },
    ),

    awaitBoxLabel: fromPromise<BoxScanOutcome>(async ({ signal }) => {
      const scan = await devices.qrScanner.nextScan(signal);
      const label = parseBoxLabel(scan.text);
      // A code that is no box label may be anything (even a payment code): only its length is logged.
      logger.info(
        { event: 'stock.box_label_scanned', readable: label !== null, length: scan.text.length },
        'box label scanned',
      );
      return label ? { ok: true, label } : { ok: false };
    }),

    selfTest: fromPromise<SelfTestResult, { test: SelfTestId; actor: string }>(
      async ({ input, signal }) => {
        const result = await runSelfTest(
          input.test,
          { devices, cardCentre: deps.cardCentre, store: deps.store, logger, kiosk, paperWidthMm },
          signal,
        );
        audit(deps, input.actor, 'selftest.run', {
          test: input.test,
          pass: result.pass,
          code: result.code,
        });
        return result;
      },
    ),

    sendApdu: fromPromise<ApduExchange, { reader: string; command: string; actor: string }>(
      async ({ input, signal }) => {
        const commands = parseCommands(input.command);
        if (!commands)
          return {
            reader: input.reader,
            command: input.command,
            response: 'not hex APDUs',
            ok: false,
          };
        const outcome = await sendApdus(reader.manager, input.reader, commands, signal);
        const shown = commands.map(maskCommand).join('; ');
        audit(deps, input.actor, 'apdu.sent', {
          reader: outcome.reader,
          commands: shown,
          result: outcome.ok
            ? outcome.exchanges.map((e) => e.sw ?? 'fault').join(' ')
            : outcome.error,
        });
        if (!outcome.ok)
          return { reader: outcome.reader, command: shown, response: outcome.error, ok: false };
        return {
          reader: outcome.reader,
          command: shown,
          response: outcome.exchanges.map((e) => e.response).join('; '),
          ok: outcome.exchanges.every((e) => e.ok),
        };
      },
    ),
  };
}

/** One audit entry on its own; a record that cannot be written is logged, the action stands. */
export function audit(
  deps: { store: KioskStore; logger: Logger },
  actor: string,
  action: string,
  detail: Record<string, string | number | boolean | null>,
): void {
  try {
    deps.store.write(() => deps.store.audit.append({ actor, action, detail }));
  } catch (error) {
    deps.logger.error(
      { event: 'audit.not_written', action, err: (error as Error).message },
      'audit entry not written',
    );
  }
}
