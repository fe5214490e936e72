/**
 * `DLE EOT n` real-time status bytes (PROTOCOLS.md §4, H). Every status byte has bit 1 and bit 4
 * set and bits 0 and 7 clear: that is how a status byte is told from line noise (as far as one
 * byte can be: 1 random byte in 16 passes the test, see the driver).
 *
 * Bit meanings are Epson's (M where PROTOCOLS.md does not list them).
 */

export type StatusQuery = 1 | 2 | 3 | 4;
export const STATUS_QUERIES: readonly StatusQuery[] = [1, 2, 3, 4];

const FIXED_MASK = 0b1001_0011;
const FIXED_VALUE = 0b0001_0010;

/** n = 1, printer status (M). */
export const PRINTER_BITS = {
  drawerHigh: 1 << 2,
  offline: 1 << 3,
  waitingForRecovery: 1 << 5,
  feedButton: 1 << 6,
} as const;
/** n = 2, offline cause (H for cover/paper end/error). */
export const OFFLINE_BITS = {
  coverOpen: 1 << 2,
  feedByButton: 1 << 3,
  paperEndStop: 1 << 5,
  error: 1 << 6,
} as const;
/** n = 3, error cause (M). */
export const ERROR_BITS = {
  mechanical: 1 << 2,
  cutter: 1 << 3,
  unrecoverable: 1 << 5,
  autoRecoverable: 1 << 6,
} as const;
/** n = 4, paper roll sensor: both bits of a pair are set together (H). */
export const PAPER_BITS = { nearEnd: (1 << 2) | (1 << 3), end: (1 << 5) | (1 << 6) } as const;

export function isStatusByte(byte: number): boolean {
  return (byte & FIXED_MASK) === FIXED_VALUE;
}

/** What the four status bytes say together. */
export interface PrinterCondition {
  offline: boolean;
  coverOpen: boolean;
  paperEnd: boolean;
  paperNearEnd: boolean;
  error: boolean;
  mechanicalError: boolean;
  cutterError: boolean;
  unrecoverableError: boolean;
  autoRecoverableError: boolean;
}

export const NO_CONDITION: PrinterCondition = {
  offline: false,
  coverOpen: false,
  paperEnd: false,
  paperNearEnd: false,
  error: false,
  mechanicalError: false,
  cutterError: false,
  unrecoverableError: false,
  autoRecoverableError: false,
};

/** The simulator's answer to `DLE EOT n`. */
export function encodeStatus(n: StatusQuery, c: PrinterCondition): number {
  let byte = FIXED_VALUE;
  const set = (on: boolean, bits: number) => {
    if (on) byte |= bits;
  };
  switch (n) {
    case 1:
      set(c.offline || c.coverOpen || c.paperEnd || c.error, PRINTER_BITS.offline);
      set(c.error && c.autoRecoverableError, PRINTER_BITS.waitingForRecovery);
      break;
    case 2:
      set(c.coverOpen, OFFLINE_BITS.coverOpen);
      set(c.paperEnd, OFFLINE_BITS.paperEndStop);
      set(c.error, OFFLINE_BITS.error);
      break;
    case 3:
      set(c.mechanicalError, ERROR_BITS.mechanical);
      set(c.cutterError, ERROR_BITS.cutter);
      set(c.unrecoverableError, ERROR_BITS.unrecoverable);
      set(c.autoRecoverableError, ERROR_BITS.autoRecoverable);
      break;
    case 4:
      set(c.paperNearEnd || c.paperEnd, PAPER_BITS.nearEnd);
      set(c.paperEnd, PAPER_BITS.end);
      break;
  }
  return byte;
}

/** The driver's reading of the four bytes (answers to n = 1, 2, 3, 4, in that order). */
export function decodeStatus(bytes: readonly [number, number, number, number]): PrinterCondition {
  const [printer, offline, error, paper] = bytes;
  const errorBit = (offline & OFFLINE_BITS.error) !== 0;
  return {
    offline: (printer & PRINTER_BITS.offline) !== 0,
    coverOpen: (offline & OFFLINE_BITS.coverOpen) !== 0,
    // Either pair bit counts: a printer with one sensor reports one bit of the pair.
    paperEnd: (offline & OFFLINE_BITS.paperEndStop) !== 0 || (paper & PAPER_BITS.end) !== 0,
    paperNearEnd: (paper & PAPER_BITS.nearEnd) !== 0,
    error: errorBit,
    mechanicalError: errorBit && (error & ERROR_BITS.mechanical) !== 0,
    cutterError: errorBit && (error & ERROR_BITS.cutter) !== 0,
    unrecoverableError: errorBit && (error & ERROR_BITS.unrecoverable) !== 0,
    autoRecoverableError: errorBit && (error & ERROR_BITS.autoRecoverable) !== 0,
  };
}
