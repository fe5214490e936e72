import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeHidPosReport,
  encodeHidPosReports,
  HID_POS_LAYOUTS,
  type HidPosLayout,
} from './hid-pos-report.ts';

/** A 64-byte report written out by hand: id, length, AIM, data, then zeros; `last` sets byte 63. */
function handMadeHoneywell(length: number, aim: string, data: string, more: boolean): Uint8Array {
  const report = new Uint8Array(64);
  report[0] = 0x02;
  report[1] = length;
  report.set(
    [...aim].map((c) => c.charCodeAt(0)),
    2,
  );
  report.set(
    [...data].map((c) => c.charCodeAt(0)),
    5,
  );
  report[63] = more ? 0x01 : 0x00;
  return report;
}

describe('HID POS scanned-data reports', () => {
  it('decodes a Honeywell report laid out by hand: a payment code in one report', () => {
    const report = handMadeHoneywell(18, ']Q1', '134567890123456789', false);
    expect(decodeHidPosReport(report, HID_POS_LAYOUTS.honeywell)).toEqual({
      ok: true,
      fragment: { data: new TextEncoder().encode('134567890123456789'), aim: ']Q1', more: false },
    });
    const [encoded, ...rest] = encodeHidPosReports(
      new TextEncoder().encode('134567890123456789'),
      ']Q1',
      HID_POS_LAYOUTS.honeywell,
    );
    expect(rest).toEqual([]);
    expect(Buffer.from(encoded!).equals(Buffer.from(report))).toBe(true);
  });

  it('flags every report but the last of a long scan', () => {
    const text = 'x'.repeat(130);
    const reports = encodeHidPosReports(
      new TextEncoder().encode(text),
      ']Q1',
      HID_POS_LAYOUTS.honeywell,
    );
    expect(reports.map((r) => [r[1], r[63]])).toEqual([
      [56, 1],
      [56, 1],
      [18, 0],
    ]);
  });

  it('ends a Newland scan that fills its last report exactly with an empty report', () => {
    const reports = encodeHidPosReports(
      new Uint8Array(112).fill(0x31),
      null,
      HID_POS_LAYOUTS.newland,
    );
    const more = reports.map((r) => {
      const decoded = decodeHidPosReport(r, HID_POS_LAYOUTS.newland);
      return decoded.ok ? decoded.fragment.more : 'error';
    });
    expect(more).toEqual(['unknown', 'unknown', false]);
  });

  it('ignores other report ids and refuses a length beyond the report', () => {
    const other = handMadeHoneywell(3, ']Q1', 'abc', false);
    other[0] = 0x04;
    expect(decodeHidPosReport(other, HID_POS_LAYOUTS.honeywell)).toEqual({
      ok: false,
      error: { kind: 'otherReport', reportId: 4 },
    });
    expect(
      decodeHidPosReport(handMadeHoneywell(57, ']Q1', '', false), HID_POS_LAYOUTS.honeywell),
    ).toMatchObject({ ok: false, error: { kind: 'malformed' } });
  });

  const layouts: [string, HidPosLayout][] = Object.entries(HID_POS_LAYOUTS);
  it.each(layouts)(
    '%s: never throws on arbitrary reports; round-trips any scan',
    (_vendor, layout) => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 80 }), (report) => {
          const decoded = decodeHidPosReport(report, layout);
          if (decoded.ok)
            expect(decoded.fragment.data.length).toBeLessThanOrEqual(layout.dataBytes);
        }),
        { numRuns: 500 },
      );
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), (data) => {
          const fragments = encodeHidPosReports(data, ']C0', layout).map((r) =>
            decodeHidPosReport(r, layout),
          );
          expect(fragments.every((f) => f.ok)).toBe(true);
          const back = Buffer.concat(
            fragments.map((f) => (f.ok ? f.fragment.data : new Uint8Array(0))),
          );
          expect(back.equals(Buffer.from(data))).toBe(true);
          const last = fragments.at(-1)!;
          expect(last.ok && last.fragment.more).toBe(false);
        }),
        { numRuns: 200 },
      );
    },
  );
});
