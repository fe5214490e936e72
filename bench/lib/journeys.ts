/**
 * Runs resident journeys on a bench kiosk and splits each into segments timed at the host's
 * broadcasts: the time from one screen (or production stage, payment phase) being sent to the next.
 */
import { ID_READER_TIMING } from '../../drivers/id-reader/gat467-id-card-reader.ts';
import {
  delta,
  onBroadcast,
  type AccountSnapshot,
  type BenchKiosk,
  type Delta,
} from './bench-kiosk.ts';
import { residentFor, segmentOf, type Resident, type ResidentAction } from './resident.ts';

/** What the time spent on a segment is, in the resident's words. */
export const SEGMENT_LABELS: Record<string, string> = {
  attract: 'START → ID screen',
  identify: 'ID card read (reader + its serial line)',
  'verifying:capture': 'face photo → face check starts',
  'verifying:checking': 'face check (card centre)',
  lookup: 'look-up (card centre) + pre-flight',
  confirm: 'CONFIRM → registering',
  'producing:reportingLoss': 'loss report + application (card centre)',
  'payment:awaitingCode': 'payment code scanned',
  'payment:charging': 'payment (card centre)',
  'producing:feeding': 'blank fed to the contact station',
  'producing:writingChip': 'chip personalised (APDUs + card centre)',
  'producing:printing': 'card face: photo, layout, print',
  'producing:ejecting': 'card ejected to the slot',
  collect: 'card taken → noticed (printer status poll)',
  'receipt:printing': 'receipt laid out + printed',
  'receipt:shown': 'receipt screen hold (0 here; 5 s in service)',
  takeIdCard: 'ID card off the reader → confirmed (one reader poll)',
};

export interface Segment extends Delta {
  segment: string;
  thinkMs: number;
}

export interface JourneyFigures {
  /** START → back at attract: the kiosk's cycle. */
  total: Delta;
  /** START → the receipt printed (card and receipt in hand, ID card off the reader): the resident's wait. */
  resident: Delta | null;
  segments: Segment[];
  /** The resident's own time (think times), excluded from `total`'s wall and ours. */
  thinkMs: number;
  /** Waits the kiosk makes by design that are neither device time nor code: the ID card's removal confirmation. */
  designedWaitMs: number;
  fee: boolean;
}

export interface RunOptions {
  fee?: (n: number) => boolean;
  cardFirst?: boolean;
  removeIdCardEarly?: boolean;
  think?: (action: ResidentAction) => number;
  /** Called after each journey (the endurance bench samples memory here). */
  after?: (n: number, figures: JourneyFigures) => void | Promise<void>;
  /** The first resident number (keeps ID numbers apart across runs on one centre). */
  firstResident?: number;
}

/** One journey, with its segments timed at the host's broadcasts. */
export async function journey(
  kiosk: BenchKiosk,
  resident: Resident,
  n: number,
  options: RunOptions = {},
): Promise<JourneyFigures> {
  const fee = options.fee?.(n) ?? false;
  const marks: { segment: string; snapshot: AccountSnapshot }[] = [];
  let last = 'attract';
  const off = onBroadcast((view) => {
    const segment = segmentOf(view);
    if (segment === last) return;
    last = segment;
    marks.push({ segment, snapshot: kiosk.accounts.snapshot() });
  });
  let trace;
  try {
    trace = await resident.journey({
      person: residentFor((options.firstResident ?? 0) + n, fee),
      cardFirst: options.cardFirst ?? true,
      removeIdCardEarly: options.removeIdCardEarly ?? true,
      snapshot: () => kiosk.accounts.snapshot(),
      ...(options.think ? { think: options.think } : {}),
    });
  } finally {
    off();
  }
  // The journey starts when the resident sends START.
  const first: AccountSnapshot = trace.start.snapshot;
  const thinkBySegment = new Map<string, number>();
  for (const mark of trace.marks)
    thinkBySegment.set(mark.segment, (thinkBySegment.get(mark.segment) ?? 0) + mark.thinkMs);
  const segments: Segment[] = [];
  let previous = { segment: 'attract', snapshot: first };
  for (const mark of marks) {
    const d = delta(previous.snapshot, mark.snapshot);
    const thinkMs = thinkBySegment.get(previous.segment) ?? 0;
    segments.push({
      ...d,
      wallMs: d.wallMs - thinkMs,
      oursMs: d.oursMs - thinkMs,
      segment: previous.segment,
      thinkMs,
    });
    previous = mark;
  }
  const end = marks.at(-1)?.snapshot ?? first;
  const total = delta(first, end);
  const designedWaitMs = options.removeIdCardEarly === false ? 0 : ID_READER_TIMING.cardPollMs;
  total.wallMs -= trace.thinkMs;
  total.oursMs -= trace.thinkMs + designedWaitMs;
  const printed = marks.find((m) => m.segment === 'receipt:shown');
  const untilReceipt = printed ? delta(first, printed.snapshot) : null;
  if (untilReceipt) {
    // Every think time of the resident comes before the receipt.
    untilReceipt.wallMs -= trace.thinkMs;
    untilReceipt.oursMs -= trace.thinkMs;
  }
  return { total, resident: untilReceipt, segments, thinkMs: trace.thinkMs, designedWaitMs, fee };
}

export async function runJourneys(
  kiosk: BenchKiosk,
  resident: Resident,
  count: number,
  options: RunOptions = {},
): Promise<JourneyFigures[]> {
  const all: JourneyFigures[] = [];
  for (let n = 0; n < count; n++) {
    const figures = await journey(kiosk, resident, n, options);
    all.push(figures);
    await options.after?.(n, figures);
  }
  return all;
}
