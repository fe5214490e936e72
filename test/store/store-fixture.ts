/**
 * A store on a fresh temporary data directory, as the host opens it, for the store's tests.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { CardPrinterCounters } from '../../drivers/card-printer/card-printer.ts';
import type { KioskClock } from '../../kiosk/store/clock.ts';
import { KioskStore } from '../../kiosk/store/store.ts';

export const silentLogger = pino({ level: 'silent' });

/** A logger whose lines a test can read (JSON objects). */
export function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines, messages: () => lines.map((l) => String(l.msg)) };
}

export function tempDataDir(prefix = 'mashang-store-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function openStore(dataDir = tempDataDir(), options: { journalKey?: string; clock?: KioskClock } = {}) {
  const journalKey = options.journalKey ?? randomBytes(32).toString('hex');
  const store = KioskStore.open({ dataDir, journalKey, logger: silentLogger, ...(options.clock ? { clock: options.clock } : {}) });
  return { store, dataDir, journalKey };
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.parse('2026-11-25T08:00:00Z')) {
  let wall = start;
  let mono = 0;
  const clock: KioskClock = { now: () => new Date(wall), monotonicMs: () => mono };
  return {
    clock,
    advance(ms: number) {
      wall += ms;
      mono += ms;
    },
  };
}

export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

/** The files under `dir` whose bytes contain `needle`. */
export function filesContaining(dir: string, needle: Buffer | string): string[] {
  const bytes = typeof needle === 'string' ? Buffer.from(needle) : needle;
  return filesUnder(dir).filter((file) => readFileSync(file).includes(bytes));
}

export const counters = (blanksInFeeder: number, cardsPrinted = 0, cardsRejected = 0): CardPrinterCounters => ({
  blanksInFeeder,
  cardsPrinted,
  cardsRejected,
});
