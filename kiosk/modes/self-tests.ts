/**
 * The technician's self-tests, one per thing that can be checked, each with a clear pass or fail
 * and, on fail, a code the screen turns into what was found and what to do. They run on the
 * host's own devices (one owner per device): from the technician screen, and headless for
 * `mashang diag` through the local admin endpoint (`deviceChecks`, which moves and prints nothing).
 *
 * Tests that need a person (an ID card on the reader, a code shown to the scanner) wait a named
 * while for it. The test card is an accountable blank: it is fed, printed with a test pattern and
 * put in the reject bin under its own journal records, like a resident's spoiled card.
 */
import {
  CARD_HEIGHT_DOTS,
  CARD_WIDTH_DOTS,
  CHIP_CONTACTS,
  CHIP_CLEARANCE_DOTS,
} from '../../printer-templates/card-face/card-geometry.ts';
import type {
  CardPrinterStatus,
  ManagedCardPrinter,
} from '../../drivers/card-printer/card-printer.ts';
import { panelsFromRaster } from '../../drivers/card-printer/card-panels.ts';
import type { DeviceStatus } from '../../drivers/common/device-status.ts';
import { hex } from '../../drivers/pcsc/apdu.ts';
import type { ReaderStatus } from '../../drivers/pcsc/reader-manager.ts';
import type { ManagedReceiptPrinter } from '../../drivers/receipt-printer/receipt-printer.ts';
import { STAFF_CARD_ROLE } from '../../drivers/staff-card/staff-card-reader.ts';
import type { ResultParams, SelfTestId, SelfTestResult } from '../../flows/kiosk/types.ts';
import type { DeviceKindId } from '../bridge/protocol.ts';
import type { CardCentre } from '../card-centre/card-centre.ts';
import type { KioskConfig } from '../config/schema.ts';
import type { Devices } from '../host/devices.ts';
import type { Logger } from '../log/logger.ts';
import { checkCounter, checkFeed, type Finding, type MovementContext } from '../store/ledger.ts';
import { SessionRecords } from '../store/session-records.ts';
import type { KioskStore } from '../store/store.ts';
import { testSlipJob } from './slips.ts';

/** The person at the kiosk puts an ID card on the reader within this time. */
export const ID_READ_WAIT_MS = 15_000;
/** …or shows any code to the scanner within this time. */
export const SCAN_WAIT_MS = 20_000;
/** The card centre answers its clock within this time (rural links are slow, not this slow). */
export const CENTRE_WAIT_MS = 10_000;
/** A kiosk clock further off the centre's than this stamps records with the wrong day near midnight. */
export const MAX_CLOCK_SKEW_S = 120;
/** Each printer step of a self-test (feed, print, eject) may take this long. */
export const PRINTER_STEP_MS = 60_000;

/** The device each test belongs to, for the readiness report (the card centre is its own line). */
export const TEST_DEVICE: Record<SelfTestId, DeviceKindId | 'card-centre'> = {
  idReader: 'id-reader',
  pcsc: 'staff-card-reader',
  cardPrinter: 'card-printer',
  testCard: 'card-printer',
  cleaning: 'card-printer',
  receiptPrinter: 'receipt-printer',
  scanner: 'qr-scanner',
  cardCentre: 'card-centre',
};

export interface SelfTestDeps {
  devices: Devices;
  cardCentre: CardCentre;
  store: KioskStore;
  logger: Logger;
  kiosk: { id: string; siteName: string };
  paperWidthMm: 80 | 58;
}

const pass = (code: string, params: ResultParams = {}): SelfTestResult => ({
  pass: true,
  code,
  params,
  at: new Date().toISOString(),
});
const fail = (code: string, params: ResultParams = {}): SelfTestResult => ({
  pass: false,
  code,
  params,
  at: new Date().toISOString(),
});

const within = (ms: number, signal: AbortSignal) =>
  AbortSignal.any([signal, AbortSignal.timeout(ms)]);
const isTimeout = (error: unknown) => (error as { name?: string } | null)?.name === 'TimeoutError';

function printerFault(status: CardPrinterStatus | DeviceStatus): SelfTestResult | null {
  if (status.state === 'disconnected') return fail('disconnected');
  if (status.state === 'fault') return fail('fault', { fault: status.code });
  return null;
}

/** A test pattern: a frame, a grid and bars of falling width, nothing near the chip contacts. */
function testPattern(): Uint8Array {
  const rgba = new Uint8Array(CARD_WIDTH_DOTS * CARD_HEIGHT_DOTS * 4).fill(255);
  const chip = {
    x0: CHIP_CONTACTS.x - CHIP_CLEARANCE_DOTS,
    y0: CHIP_CONTACTS.y - CHIP_CLEARANCE_DOTS,
    x1: CHIP_CONTACTS.x + CHIP_CONTACTS.width + CHIP_CLEARANCE_DOTS,
    y1: CHIP_CONTACTS.y + CHIP_CONTACTS.height + CHIP_CLEARANCE_DOTS,
  };
  for (let y = 0; y < CARD_HEIGHT_DOTS; y++) {
    for (let x = 0; x < CARD_WIDTH_DOTS; x++) {
      if (x >= chip.x0 && x <= chip.x1 && y >= chip.y0 && y <= chip.y1) continue;
      const frame = x < 40 || x >= CARD_WIDTH_DOTS - 40 || y < 40 || y >= CARD_HEIGHT_DOTS - 40;
      const inside = x > 60 && x < CARD_WIDTH_DOTS - 60 && y > 60 && y < CARD_HEIGHT_DOTS - 60;
      const frameLine =
        frame &&
        (x < 44 || x >= CARD_WIDTH_DOTS - 44 || y < 44 || y >= CARD_HEIGHT_DOTS - 44) &&
        !(x < 40 && y < 40);
      const grid = inside && (x % 60 < 2 || y % 60 < 2);
      const bars = y > 480 && y < 560 && x > 360 && x < 940 && Math.floor((x - 360) / 12) % 2 === 0;
      if (frameLine || grid || bars)
        rgba.fill(0, (y * CARD_WIDTH_DOTS + x) * 4, (y * CARD_WIDTH_DOTS + x) * 4 + 3);
    }
  }
  return rgba;
}

export async function runSelfTest(
  test: SelfTestId,
  deps: SelfTestDeps,
  signal: AbortSignal,
): Promise<SelfTestResult> {
  const { devices, logger } = deps;
  let result: SelfTestResult;
  try {
    switch (test) {
      case 'idReader':
        result = await idReaderTest(deps, signal);
        break;
      case 'pcsc':
        result = await pcscTest(deps, signal);
        break;
      case 'cardPrinter': {
        const printer = devices.cardPrinter as Partial<ManagedCardPrinter> & Devices['cardPrinter'];
        const status = (await printer.refreshStatus?.()) ?? printer.status();
        const identity = printer.identity();
        result =
          printerFault(status) ??
          pass('ready', {
            model: identity?.model ?? '—',
            serial: identity?.serialNumber ?? '—',
            firmware: identity?.firmware ?? '—',
          });
        break;
      }
      case 'testCard':
        result = await testCardTest(deps);
        break;
      case 'cleaning':
        result = await cleaningTest(deps, signal);
        break;
      case 'receiptPrinter':
        result = await receiptPrinterTest(deps, signal);
        break;
      case 'scanner':
        result = await scannerTest(deps, signal);
        break;
      case 'cardCentre':
        result = await cardCentreTest(deps, signal);
        break;
    }
  } catch (error) {
    if (signal.aborted) throw error;
    logger.error(
      { event: 'selftest.error', test, err: (error as Error).message },
      'self-test failed with an error',
    );
    result = fail('error', { error: (error as Error).message.slice(0, 120) });
  }
  // Only the verdict and the code: a test that read an ID card or a scan logs nothing of either.
  logger.info(
    { event: 'selftest.result', test, pass: result.pass, code: result.code },
    `self-test ${test}: ${result.pass ? 'pass' : 'fail'}`,
  );
  return result;
}

async function idReaderTest(deps: SelfTestDeps, signal: AbortSignal): Promise<SelfTestResult> {
  const reader = deps.devices.idReader;
  if (reader.status().state === 'disconnected') return fail('readerFault', { why: 'disconnected' });
  try {
    const read = await reader.readCard(within(ID_READ_WAIT_MS, signal));
    // What was read stays here: the test says only that a card could be read.
    if (read.ok) return pass('read');
    return read.error.kind === 'readerFault'
      ? fail('readerFault', { why: read.error.detail })
      : fail('readFailed', { why: read.error.kind });
  } catch (error) {
    if (!signal.aborted && isTimeout(error))
      return fail('noCard', { seconds: ID_READ_WAIT_MS / 1000 });
    throw error;
  }
}

async function pcscTest(deps: SelfTestDeps, signal: AbortSignal): Promise<SelfTestResult> {
  const manager = deps.devices.staffCard.reader.manager;
  const status: ReaderStatus = manager.status(STAFF_CARD_ROLE);
  if (status.state === 'no_service') return fail('noService', { detail: status.detail });
  const readers = manager.readers().filter((r) => !r.refused);
  if (readers.length === 0) return fail('noReader');
  // A test card: the technician's own card in the staff card reader, or any card in any reader.
  const withCard = readers.find((r) => r.present && r.atr.length > 0);
  if (!withCard) return fail('noCard', { readers: readers.length });
  // Power the card and read its ATR over a session of our own (reset afterwards).
  if (withCard.role === STAFF_CARD_ROLE && status.state === 'ready') {
    const session = await status.card.open(within(5_000, signal), { closeDisposition: 'reset' });
    if (!session.ok) return fail('noCard', { readers: readers.length });
    const atr = hex(session.value.atr);
    await session.value.close();
    return pass('atr', { readers: readers.length, reader: withCard.name, atr });
  }
  return pass('atr', { readers: readers.length, reader: withCard.name, atr: hex(withCard.atr) });
}

/**
 * A card once moving finishes its way to the bin, even if the mode ends meanwhile (the card is
 * pulled, the mode times out): its moves take only their own time limit, not the mode's signal.
 */
async function testCardTest(deps: SelfTestDeps): Promise<SelfTestResult> {
  const { devices, store, logger } = deps;
  const printer = devices.cardPrinter;
  const notReady = printerFault(
    (await (printer as Partial<ManagedCardPrinter>).refreshStatus?.()) ?? printer.status(),
  );
  if (notReady) return notReady;
  if (store.ledger.balance().inProcess > 0) return fail('cardInside');
  const records = new SessionRecords(store, logger);
  records.begin();
  const raise = (findings: Finding[], at: MovementContext) => {
    for (const finding of findings) {
      store.ledger.raise(finding, at);
      logger.error(
        { event: 'stock.discrepancy', reason: finding.reason, ...finding.detail },
        finding.message,
      );
    }
  };
  try {
    // 1. A blank to the contact station, recorded as a resident's would be.
    const before = printer.counters();
    const hopperBefore = store.ledger.balance().inHopper;
    const feed = records.intend(
      'blankTaken',
      'feed:test',
      { purpose: 'technicianTestCard', feederBefore: before.blanksInFeeder },
      'feeding a test card',
    );
    if (!feed) return fail('recordsUnavailable');
    const fed = await printer.feedToContactStation(AbortSignal.timeout(PRINTER_STEP_MS));
    const afterFeed = printer.counters();
    const check = checkFeed(fed.ok, before, afterFeed, hopperBefore);
    records.conclude(
      feed,
      fed.ok ? 'done' : 'failed',
      { fed: check.fed, ...(fed.ok ? {} : { fault: fed.error }) },
      (seq) => {
        const at: MovementContext = {
          sessionId: feed.sessionId,
          journalSeq: seq,
          printer: afterFeed,
        };
        if (check.fed > 0) store.ledger.fed(check.fed, at);
        raise(check.findings, at);
      },
    );
    let printFault: string | null = null;
    if (fed.ok) {
      // 2. The test pattern (never over the chip).
      const print = records.intend(
        'facePrinted',
        'print:test',
        { purpose: 'technicianTestCard' },
        'printing the test card',
      );
      if (print) {
        const beforePrint = printer.counters();
        const panels = panelsFromRaster(
          { width: CARD_WIDTH_DOTS, height: CARD_HEIGHT_DOTS, rgba: testPattern() },
          { ribbon: 'KO' },
        );
        const printed = await printer.printFront({ k: panels.k }, AbortSignal.timeout(PRINTER_STEP_MS));
        const afterPrint = printer.counters();
        records.conclude(
          print,
          printed.ok ? 'done' : 'failed',
          printed.ok ? {} : { fault: printed.error },
          (seq) => {
            if (printed.ok)
              raise(checkCounter('printed', beforePrint, afterPrint), {
                sessionId: print.sessionId,
                journalSeq: seq,
                printer: afterPrint,
              });
          },
        );
        if (!printed.ok) printFault = printed.error;
      } else printFault = 'recordsUnavailable';
    }
    // 3. Whatever is inside goes to the reject bin: a test card is never handed out.
    const inside = store.ledger.inProcessFor(feed.sessionId);
    if (inside > 0 || !fed.ok) {
      const reject = records.intend(
        'cardRejected',
        'reject:test',
        { purpose: 'technicianTestCard', inside },
        'binning the test card',
      );
      if (!reject) return fail('recordsUnavailable');
      const beforeReject = printer.counters();
      const binned = await printer.ejectToRejectBin(AbortSignal.timeout(PRINTER_STEP_MS));
      const afterReject = printer.counters();
      records.conclude(
        reject,
        binned.ok || binned.error === 'noCard' ? 'done' : 'failed',
        { binned: binned.ok },
        (seq) => {
          const at: MovementContext = {
            sessionId: reject.sessionId,
            journalSeq: seq,
            printer: afterReject,
          };
          if (binned.ok && inside > 0) {
            store.ledger.rejected(null, 'technicianTestCard', at);
            raise(checkCounter('rejected', beforeReject, afterReject), at);
          }
        },
      );
      if (!binned.ok && binned.error !== 'noCard') return fail('fault', { fault: binned.error });
    }
    if (!fed.ok) return fail('fault', { fault: fed.error });
    if (printFault)
      return fail(printFault === 'recordsUnavailable' ? 'recordsUnavailable' : 'fault', {
        fault: printFault,
      });
    return pass('printed', { printed: printer.counters().cardsPrinted });
  } finally {
    records.end();
  }
}

async function cleaningTest(deps: SelfTestDeps, signal: AbortSignal): Promise<SelfTestResult> {
  const printer = deps.devices.cardPrinter as Partial<ManagedCardPrinter> & Devices['cardPrinter'];
  // A reset clears what the printer latched; a cleaning it still asks for stays.
  if (printer.status().state !== 'disconnected')
    await printer.reset(within(PRINTER_STEP_MS, signal));
  const status = (await printer.refreshStatus?.()) ?? printer.status();
  if (status.state === 'fault' && status.code === 'cleaningDue') return fail('due');
  return printerFault(status) ?? pass('clean', { printed: printer.counters().cardsPrinted });
}

async function receiptPrinterTest(
  deps: SelfTestDeps,
  signal: AbortSignal,
): Promise<SelfTestResult> {
  const printer = deps.devices.receiptPrinter as Partial<ManagedReceiptPrinter> &
    Devices['receiptPrinter'];
  const status = (await printer.refreshStatus?.()) ?? printer.status();
  if (status.state === 'disconnected') return fail('disconnected');
  if (status.state === 'fault') return fail('fault', { fault: status.code });
  const printed = await printer.print(
    testSlipJob(deps.kiosk, deps.paperWidthMm),
    within(PRINTER_STEP_MS, signal),
  );
  if (!printed.ok) return fail('fault', { fault: printed.error });
  const after = printer.status();
  return pass('printed', {
    paper: after.state === 'ready' && after.warnings.includes('paperNearEnd') ? 'nearEnd' : 'ok',
  });
}

async function scannerTest(deps: SelfTestDeps, signal: AbortSignal): Promise<SelfTestResult> {
  const scanner = deps.devices.qrScanner;
  if (scanner.status().state === 'disconnected') return fail('disconnected');
  try {
    const scan = await scanner.nextScan(within(SCAN_WAIT_MS, signal));
    // Any code will do; it may be someone's payment code, so only its kind and length are kept.
    return pass('scanned', { symbology: scan.symbology, length: scan.text.length });
  } catch (error) {
    if (!signal.aborted && isTimeout(error))
      return fail('noScan', { seconds: SCAN_WAIT_MS / 1000 });
    throw error;
  }
}

async function cardCentreTest(deps: SelfTestDeps, signal: AbortSignal): Promise<SelfTestResult> {
  const sent = Date.now();
  const time = await deps.cardCentre.centreTime(within(CENTRE_WAIT_MS, signal));
  const received = Date.now();
  if (!time.ok) return fail('unreachable', { error: time.error.kind });
  // The centre's clock against ours, at the middle of the round trip.
  const skew = Math.round((Date.parse(time.value.now) - (sent + received) / 2) / 1000);
  const params = { skew, ms: received - sent };
  return Math.abs(skew) > MAX_CLOCK_SKEW_S ? fail('clockSkew', params) : pass('reachable', params);
}

// ---- headless: every configured device's state, for `mashang diag` ----------------------------

export interface DeviceReport {
  kind: DeviceKindId;
  transport: string;
  simulated: boolean;
  /** `ready`, `fault:<code>`, `disconnected`, `busy`. */
  status: string;
  detail?: string;
  identity: Record<string, string | number | null> | null;
  pass: boolean;
}

/** Each device of the kiosk as it is now: nothing moves, nothing prints. */
export async function deviceChecks(devices: Devices, config: KioskConfig): Promise<DeviceReport[]> {
  const printer = devices.cardPrinter as Partial<ManagedCardPrinter> & Devices['cardPrinter'];
  const receipt = devices.receiptPrinter as Partial<ManagedReceiptPrinter> &
    Devices['receiptPrinter'];
  await Promise.allSettled([printer.refreshStatus?.(), receipt.refreshStatus?.()]);
  const simulated = (kind: DeviceKindId) =>
    config.devices.find((d) => d.kind === kind)?.transport.type === 'simulated';
  const report = (
    kind: DeviceKindId,
    device: { transport: string; status(): DeviceStatus | CardPrinterStatus },
    identity: DeviceReport['identity'],
  ): DeviceReport => {
    const status = device.status();
    const warnings = 'warnings' in status ? status.warnings : [];
    return {
      kind,
      transport: device.transport,
      simulated: simulated(kind),
      status: status.state === 'fault' ? `fault:${status.code}` : status.state,
      ...(status.state === 'fault'
        ? { detail: status.detail }
        : warnings.length > 0
          ? { detail: `warnings: ${warnings.join(', ')}` }
          : {}),
      identity,
      pass: status.state === 'ready',
    };
  };
  const printerIdentity = printer.identity();
  const counters = printer.counters();
  const receiptIdentity = receipt.identity();
  const staffReader = devices.staffCard.reader;
  const staffStatus = staffReader.readerStatus();
  return [
    report('id-reader', devices.idReader, null),
    report(
      'card-printer',
      printer,
      printerIdentity
        ? {
            ...printerIdentity,
            cardsPrinted: counters.cardsPrinted,
            cardsRejected: counters.cardsRejected,
          }
        : null,
    ),
    report('chip-encoder', devices.chipEncoder, null),
    report('receipt-printer', receipt, receiptIdentity ? { ...receiptIdentity } : null),
    report('qr-scanner', devices.qrScanner, null),
    report(
      'staff-card-reader',
      staffReader,
      'reader' in staffStatus ? { reader: staffStatus.reader } : null,
    ),
  ];
}
