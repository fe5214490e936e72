import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packReports, unpackReport, type HidByteLayout } from './hid-byte-reports.ts';

const layouts: [string, HidByteLayout][] = [
  [
    'unnumbered 64-byte reports, length first',
    { reportId: null, reportBytes: 64, lengthOffset: 0, payloadOffset: 1 },
  ],
  [
    'numbered (id 2) 32-byte reports, length second',
    { reportId: 0x02, reportBytes: 32, lengthOffset: 1, payloadOffset: 2 },
  ],
];

describe.each(layouts)('a byte stream in %s', (_name, layout) => {
  it('lays out a short payload as documented: id, length, bytes, zero padding', () => {
    const [report] = packReports(Uint8Array.of(0xaa, 0xbb), layout);
    expect(report!.length).toBe(1 + layout.reportBytes);
    expect(report![0]).toBe(layout.reportId ?? 0);
    expect(report![1 + layout.lengthOffset]).toBe(2);
    expect([...report!.subarray(1 + layout.payloadOffset, 3 + layout.payloadOffset)]).toEqual([
      0xaa, 0xbb,
    ]);
    expect(report!.subarray(3 + layout.payloadOffset).every((b) => b === 0)).toBe(true);
  });

  it('round-trips any bytes through reports', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        const reports = packReports(bytes, layout);
        expect(reports.every((r) => r.length === 1 + layout.reportBytes)).toBe(true);
        const back = Buffer.concat(reports.map((r) => unpackReport(r, layout, true)!));
        expect(back.equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on an arbitrary report and never returns more than a report can carry', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (report, withId) => {
        const payload = unpackReport(report, layout, withId);
        if (payload)
          expect(payload.length).toBeLessThanOrEqual(layout.reportBytes - layout.payloadOffset);
      }),
      { numRuns: 500 },
    );
  });
});

it('ignores a report with another report id', () => {
  const layout: HidByteLayout = {
    reportId: 0x02,
    reportBytes: 8,
    lengthOffset: 0,
    payloadOffset: 1,
  };
  expect(unpackReport(Uint8Array.of(0x03, 1, 0x55, 0, 0, 0, 0, 0, 0), layout, true)).toBeNull();
  expect([...unpackReport(Uint8Array.of(0x02, 1, 0x55, 0, 0, 0, 0, 0, 0), layout, true)!]).toEqual([
    0x55,
  ]);
});
