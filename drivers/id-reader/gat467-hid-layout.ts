/**
 * How USB HID models of GA/T 467 readers carry the frames: the reader's bridge puts the byte
 * stream into 64-byte reports, a length byte and up to 63 payload bytes each, unnumbered.
 *
 * Confidence L: inferred from one vendor SDK's USB transport; no public document states it.
 * A field test with a real HID reader confirms or corrects this one value (report id, size,
 * where the length byte sits). The GA/T 467 frames inside are the serial ones, unchanged.
 */
import type { HidByteLayout } from '../hid/hid-byte-reports.ts';

export const GAT467_HID_LAYOUT: HidByteLayout = {
  reportId: null,
  reportBytes: 64,
  lengthOffset: 0,
  payloadOffset: 1,
};
