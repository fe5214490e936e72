/**
 * Every code the host can put on a staff or technician screen has its sentence in both
 * catalogues: the refusals, the operations' answers, each self-test's results, the simulator
 * strip's staff cards and device faults, and on "things to handle" every reason the ledger
 * raises a discrepancy for, every kind of staff notice and every reason a clerk may pick; and
 * every reason a clerk may give for a count of the hopper that differs from the ledger.
 */
import { describe, expect, it } from 'vitest';
import {
  countReasons,
  modeRefusals,
  modeResultCodes,
  resolveReasons,
  selfTestIds,
  simDeviceFaults,
  simStaffCardKinds,
} from '../../kiosk/bridge/protocol.ts';
import type { DiscrepancyReason } from '../../kiosk/store/ledger.ts';
import type { StaffNoticeKind } from '../../kiosk/store/staff-notices.ts';
import { catalogues } from '../../kiosk/ui/i18n/messages.ts';

/** Every discrepancy reason (a reason added to the ledger and not here is a compile error). */
const DISCREPANCY_REASONS = {
  doubleFeed: true,
  feederDidNotMove: true,
  hopperEmptySignal: true,
  unrecordedBlanks: true,
  printCountMismatch: true,
  rejectCountMismatch: true,
  cardMissing: true,
  countMismatch: true,
  printerCountersMoved: true,
} as const satisfies Record<DiscrepancyReason, true>;

/** Every kind of staff notice (the same: a kind added and not here is a compile error). */
const NOTICE_KINDS = {
  cardRetained: true,
  refundPending: true,
  leftWithoutCard: true,
  cardStuck: true,
  cardMissing: true,
  unresolved: true,
  recordsDamaged: true,
} as const satisfies Record<StaffNoticeKind, true>;

/** The result codes each self-test answers with (kiosk/modes/self-tests.ts). */
const SELF_TEST_CODES = {
  idReader: ['read', 'noCard', 'readFailed', 'readerFault'],
  pcsc: ['atr', 'noService', 'noReader', 'noCard'],
  cardPrinter: ['ready', 'disconnected', 'fault'],
  testCard: ['printed', 'disconnected', 'fault', 'cardInside', 'recordsUnavailable'],
  cleaning: ['clean', 'due', 'disconnected', 'fault'],
  receiptPrinter: ['printed', 'disconnected', 'fault'],
  scanner: ['scanned', 'disconnected', 'noScan'],
  cardCentre: ['reachable', 'unreachable', 'clockSkew'],
} as const;

const keys = [
  ...modeRefusals.flatMap((r) => [`modeRefused.${r}.title`, `modeRefused.${r}.advice`]),
  ...modeResultCodes.map((c) => `result.${c}`),
  ...selfTestIds.flatMap((id) => [
    `selfTest.${id}.name`,
    `selfTest.${id}.running`,
    ...SELF_TEST_CODES[id].map((c) => `selfTest.${id}.${c}`),
  ]),
  'selfTest.error',
  ...simStaffCardKinds.map((k) => `sim.card.${k}`),
  ...Object.entries(simDeviceFaults).flatMap(([device, faults]) =>
    faults.map((f) => `sim.fault.${device}.${f}`),
  ),
  ...Object.keys(DISCREPANCY_REASONS).map((r) => `discrepancy.${r}`),
  'discrepancy.other',
  ...Object.keys(NOTICE_KINDS).map((k) => `notice.${k}`),
  'notice.other',
  ...resolveReasons.map((r) => `resolveReason.${r}`),
  // Counting the hopper: every reason a clerk may pick for a count that differs.
  ...countReasons.map((r) => `countReason.${r}`),
];

describe('the staff and technician screens say every code', () => {
  it('in Chinese and in English', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      const missing = keys.filter((key) => !(key in catalogues[lang]));
      expect(missing, lang).toEqual([]);
    }
  });
});
