/**
 * Every wait on the card printer, named, with why it is as long as it is. Measured on the
 * monotonic clock. Tests shorten them through the driver's options; production uses these.
 */
export interface EvolisTimeouts {
  /** A read (`Rfv`, `Rse`, `Sk`…) answers in tens of milliseconds; 1.5 s also covers a printer finishing a move. */
  readReplyMs: number;
  /** Replies have no documented terminator: this much silence after the last byte ends one. At
   *  9600 baud a character takes ~1 ms, so 60 ms is dozens of character times — a finished reply. */
  interByteSilenceMs: number;
  /** Insert or eject: the mechanism's own jam timeout is ~10 s; we wait twice that before calling it silent. */
  moveReplyMs: number;
  /** Printing a side: a YMCKO card takes ~30–40 s on desktop printers; a KO card far less. */
  printReplyMs: number;
  /** A panel download's reply: this, plus the panel's transfer time at the baud rate times `writeMargin`. */
  downloadReplyMs: number;
  writeMargin: number;
  /** After a timeout or a garbled reply, wait for this much quiet (at most `settleMaxMs`) so a late reply is not taken for the next one's. */
  settleQuietMs: number;
  settleMaxMs: number;
  /** Background status poll while idle. */
  statusPollMs: number;
  /**
   * How often we look whether the resident took the card from the exit. The resident waits for
   * the receipt until we notice: 100 ms (50 ms on average). At 250 ms this wait was a fifth of the
   * kiosk's own share of a journey (bench/journey-realistic.ts).
   */
  cardTakenPollMs: number;
}

export const EVOLIS_TIMEOUTS: EvolisTimeouts = {
  readReplyMs: 1_500,
  interByteSilenceMs: 60,
  moveReplyMs: 20_000,
  printReplyMs: 60_000,
  downloadReplyMs: 5_000,
  writeMargin: 2,
  settleQuietMs: 100,
  settleMaxMs: 2_000,
  statusPollMs: 2_000,
  cardTakenPollMs: 100,
};

/** Reads are idempotent: a lost or garbled reply is asked for again, at most this many times in all. */
export const READ_ATTEMPTS = 3;

/** Ten bits a byte on the wire (start, 8 data, stop). */
export function transferMs(bytes: number, baudRate: number): number {
  return (bytes * 10 * 1000) / baudRate;
}
