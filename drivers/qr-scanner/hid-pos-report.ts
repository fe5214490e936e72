/**
 * HID POS scanned-data reports (USB HID Point of Sale Usage Tables, bar code scanner page 0x8C)
 * ⇄ scan fragments, pure. A scan longer than one report comes in several, each but the last
 * flagged "more data follows" (or, on scanners without that flag, each but the last full).
 *
 * The byte layout is the vendor's, not the standard's (the standard defines usages; vendors fix
 * offsets in their report descriptors). Confidence M: Honeywell's from its HID POS manuals and
 * public WebHID code; Newland's from its FM430 protocol notes. Field tests correct one entry.
 * Offsets count the report id as byte 0, as node-hid delivers numbered reports.
 */

export interface HidPosLayout {
  reportId: number;
  /** Total report size, report id included. */
  reportBytes: number;
  /** Bytes of decoded data in this report. */
  lengthOffset: number;
  /** Three ASCII bytes of AIM identifier (`]Q1`), or null when the scanner sends none. */
  aimOffset: number | null;
  dataOffset: number;
  /** The most decoded data one report carries. */
  dataBytes: number;
  /** Where the "more data follows" bit sits; `fullReport`: a full report implies more. */
  continuation: { offset: number; mask: number } | 'fullReport';
}

export const HID_POS_LAYOUTS = {
  /** Honeywell (Voyager, Xenon…) in "USB HID POS" mode. */
  honeywell: {
    reportId: 0x02,
    reportBytes: 64,
    lengthOffset: 1,
    aimOffset: 2,
    dataOffset: 5,
    dataBytes: 56,
    continuation: { offset: 63, mask: 0x01 },
  },
  /** Newland (FM430 family) in HID POS mode: no AIM id, no continuation flag. */
  newland: {
    reportId: 0x02,
    reportBytes: 64,
    lengthOffset: 1,
    aimOffset: null,
    dataOffset: 2,
    dataBytes: 56,
    continuation: 'fullReport',
  },
} as const satisfies Record<string, HidPosLayout>;
export type HidPosVendor = keyof typeof HID_POS_LAYOUTS;

export interface HidPosFragment {
  data: Uint8Array;
  aim: string | null;
  /** true: more follows; false: last; 'unknown': a full report on a scanner without the flag. */
  more: boolean | 'unknown';
}

export type HidPosReportError =
  { kind: 'otherReport'; reportId: number } | { kind: 'malformed'; detail: string };

export function decodeHidPosReport(
  report: Uint8Array,
  layout: HidPosLayout,
): { ok: true; fragment: HidPosFragment } | { ok: false; error: HidPosReportError } {
  if (report.length === 0)
    return { ok: false, error: { kind: 'malformed', detail: 'empty report' } };
  if (report[0] !== layout.reportId)
    return { ok: false, error: { kind: 'otherReport', reportId: report[0]! } };
  if (report.length < layout.dataOffset)
    return { ok: false, error: { kind: 'malformed', detail: `report of ${report.length} bytes` } };
  const length = report[layout.lengthOffset]!;
  if (length > layout.dataBytes || layout.dataOffset + length > report.length) {
    return {
      ok: false,
      error: { kind: 'malformed', detail: `length ${length} beyond the report` },
    };
  }
  const aim =
    layout.aimOffset === null
      ? null
      : Buffer.from(report.subarray(layout.aimOffset, layout.aimOffset + 3)).toString('latin1');
  let more: boolean | 'unknown';
  if (layout.continuation === 'fullReport') more = length === layout.dataBytes ? 'unknown' : false;
  else {
    const flag = report[layout.continuation.offset];
    if (flag === undefined)
      return {
        ok: false,
        error: { kind: 'malformed', detail: 'report too short for its continuation flag' },
      };
    more = (flag & layout.continuation.mask) !== 0;
  }
  return {
    ok: true,
    fragment: {
      data: report.slice(layout.dataOffset, layout.dataOffset + length),
      aim: aim && /^\][\x21-\x7e]{2}$/.test(aim) ? aim : null,
      more,
    },
  };
}

/** The reports a scanner sends for one scan (for the simulator, and tests). */
export function encodeHidPosReports(
  data: Uint8Array,
  aim: string | null,
  layout: HidPosLayout,
): Uint8Array[] {
  const reports: Uint8Array[] = [];
  let offset = 0;
  do {
    const chunk = data.subarray(offset, offset + layout.dataBytes);
    offset += chunk.length;
    const report = new Uint8Array(layout.reportBytes);
    report[0] = layout.reportId;
    report[layout.lengthOffset] = chunk.length;
    if (layout.aimOffset !== null && aim)
      report.set(Buffer.from(aim, 'latin1').subarray(0, 3), layout.aimOffset);
    report.set(chunk, layout.dataOffset);
    if (layout.continuation !== 'fullReport' && offset < data.length)
      report[layout.continuation.offset]! |= layout.continuation.mask;
    reports.push(report);
  } while (offset < data.length);
  // Without a flag, a scan that fills its last report exactly is ended by an empty report.
  if (
    layout.continuation === 'fullReport' &&
    data.length > 0 &&
    data.length % layout.dataBytes === 0
  ) {
    const end = new Uint8Array(layout.reportBytes);
    end[0] = layout.reportId;
    reports.push(end);
  }
  return reports;
}
