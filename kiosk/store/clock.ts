/**
 * The clocks the records use. Timestamps in the records are the kiosk's wall clock (ISO 8601,
 * UTC) plus, where it matters for an official record (a session, a stock movement), the card
 * centre's date as the centre last stated it — a kiosk's own clock may be wrong by days.
 * Waits, timeouts and back-off use the monotonic clock, which no clock change moves.
 */
import { performance } from 'node:perf_hooks';

export interface KioskClock {
  /** Wall clock, for timestamps people read. */
  now(): Date;
  /** Monotonic milliseconds, for durations and timeouts. */
  monotonicMs(): number;
}

export const systemClock: KioskClock = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
};

/** The card centre's date (YYYYMMDD) as the centre last stated it (its answer to a lookup). */
export class CentreDate {
  #date: string | null = null;

  heard(date: string): void {
    if (/^\d{8}$/.test(date)) this.#date = date;
  }

  get current(): string | null {
    return this.#date;
  }
}

/** What every record is stamped with. */
export interface RecordContext {
  /** The kiosk's wall clock, ISO 8601 UTC. */
  now(): string;
  /** The card centre's date as last stated, or null before the centre said it. */
  centreDate(): string | null;
}
