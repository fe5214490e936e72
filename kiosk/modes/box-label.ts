/**
 * The label on a box of blank cards, as the scanner reads it, and the serial arithmetic staff
 * loads are checked with.
 *
 * Label (ours to define; a card vendor prints it as a QR code or Code 128 on the box):
 *
 *   MSBOX|<batch>|<first serial>|<last serial>|<count>
 *
 * e.g. `MSBOX|B2026-0117|SC00012001|SC00012100|100`. A serial is an optional letter prefix and a
 * run of digits; first and last share the prefix and the number of digits, and the box holds
 * every serial from first to last: count = last − first + 1.
 */
import type { BoxLabel } from '../../flows/kiosk/types.ts';

export const BOX_LABEL_PREFIX = 'MSBOX';
const FIELD = /^[A-Za-z0-9-]{1,32}$/;
const SERIAL = /^([A-Za-z-]*)(\d{1,18})$/;

export function parseBoxLabel(text: string): BoxLabel | null {
  const parts = text.trim().split('|');
  if (parts.length !== 5 || parts[0] !== BOX_LABEL_PREFIX) return null;
  const [, batch, serialFirst, serialLast, countText] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (![batch, serialFirst, serialLast].every((f) => FIELD.test(f))) return null;
  const count = /^\d{1,5}$/.test(countText) ? Number(countText) : null;
  return { batch, serialFirst, serialLast, count };
}

export function formatBoxLabel(label: {
  batch: string;
  serialFirst: string;
  serialLast: string;
  count: number;
}): string {
  return [BOX_LABEL_PREFIX, label.batch, label.serialFirst, label.serialLast, label.count].join(
    '|',
  );
}

/** How many serials from `first` to `last` inclusive; null when they are not one run. */
export function serialRange(first: string, last: string): number | null {
  const a = SERIAL.exec(first);
  const b = SERIAL.exec(last);
  if (!a || !b) return null;
  if (a[1]!.toUpperCase() !== b[1]!.toUpperCase() || a[2]!.length !== b[2]!.length) return null;
  const from = BigInt(a[2]!);
  const to = BigInt(b[2]!);
  if (to < from) return null;
  const span = to - from + 1n;
  return span > 1_000_000n ? null : Number(span);
}

/** The serial `offset` after `serial` (same prefix and width). */
export function serialPlus(serial: string, offset: number): string {
  const m = SERIAL.exec(serial);
  if (!m) throw new RangeError(`not a serial: ${serial}`);
  return m[1]! + String(BigInt(m[2]!) + BigInt(offset)).padStart(m[2]!.length, '0');
}
