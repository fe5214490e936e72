import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeStatus,
  encodeStatus,
  isStatusByte,
  NO_CONDITION,
  STATUS_QUERIES,
  type PrinterCondition,
} from './escpos-status.ts';

const answers = (c: PrinterCondition) =>
  STATUS_QUERIES.map((n) => encodeStatus(n, c)) as [number, number, number, number];

describe('DLE EOT status bytes (PROTOCOLS.md §4)', () => {
  it('answers 0x12 to every query when all is well: bits 1 and 4 set, 0 and 7 clear', () => {
    expect(answers(NO_CONDITION)).toEqual([0x12, 0x12, 0x12, 0x12]);
  });

  it('sets bit 2 of n=2 for an open cover, bits 5–6 of n=4 for the paper end, bits 2–3 for near end', () => {
    expect(encodeStatus(2, { ...NO_CONDITION, coverOpen: true })).toBe(0x16);
    expect(encodeStatus(4, { ...NO_CONDITION, paperNearEnd: true })).toBe(0x1e);
    expect(encodeStatus(4, { ...NO_CONDITION, paperEnd: true })).toBe(0x7e);
    expect(encodeStatus(2, { ...NO_CONDITION, paperEnd: true })).toBe(0x32);
  });

  it('reads a printer that reports its paper end on one sensor bit only', () => {
    expect(decodeStatus([0x1a, 0x12, 0x12, 0x32]).paperEnd).toBe(true);
  });

  it('tells a status byte from noise by its fixed bits', () => {
    expect(isStatusByte(0x12)).toBe(true);
    expect([0x00, 0xff, 0x13, 0x92, 0x02].some(isStatusByte)).toBe(false);
  });

  it('round-trips every consistent condition through the four bytes', () => {
    const condition = fc
      .record({
        coverOpen: fc.boolean(),
        paperEnd: fc.boolean(),
        paperNearEnd: fc.boolean(),
        offline: fc.boolean(),
        mechanicalError: fc.boolean(),
        cutterError: fc.boolean(),
        unrecoverableError: fc.boolean(),
        autoRecoverableError: fc.boolean(),
      })
      .map((c): PrinterCondition => {
        const error =
          c.mechanicalError || c.cutterError || c.unrecoverableError || c.autoRecoverableError;
        return {
          ...c,
          error,
          paperNearEnd: c.paperNearEnd || c.paperEnd,
          offline: c.offline || error || c.coverOpen || c.paperEnd,
        };
      });
    fc.assert(
      fc.property(condition, (c) => {
        const bytes = answers(c);
        expect(bytes.every(isStatusByte)).toBe(true);
        expect(decodeStatus(bytes)).toEqual(c);
      }),
    );
  });
});
