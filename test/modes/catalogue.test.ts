/**
 * Every code the host can put on a staff or technician screen has its sentence in both
 * catalogues: the refusals, the operations' answers, each self-test's results, the simulator
 * strip's staff cards and device faults.
 */
import { describe, expect, it } from 'vitest';
import {
  modeRefusals,
  modeResultCodes,
  selfTestIds,
  simDeviceFaults,
  simStaffCardKinds,
} from '../../kiosk/bridge/protocol.ts';
import { catalogues } from '../../kiosk/ui/i18n/messages.ts';

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
];

describe('the staff and technician screens say every code', () => {
  it('in Chinese and in English', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      const missing = keys.filter((key) => !(key in catalogues[lang]));
      expect(missing, lang).toEqual([]);
    }
  });
});
