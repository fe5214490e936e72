/**
 * Every wait on the receipt printer, named, with why. Measured on the monotonic clock; tests
 * shorten them through the driver's options.
 */
export interface EscPosTimeouts {
  /** `DLE EOT n` is answered in real time, within milliseconds; a printer may also never answer (PROTOCOLS.md §4). */
  statusReplyMs: number;
  /** `GS I n`: answered as quickly, but many clones do not know the function and stay silent. */
  identityReplyMs: number;
  /** A gap this long inside an answer means the rest is not coming. */
  interByteMs: number;
  /** After a failed exchange, wait for this much quiet (at most `maxQuietWaitMs`) so a late answer is not the next one's. */
  quietMs: number;
  maxQuietWaitMs: number;
  /** After a job, the status is read again once the job's bytes crossed the line: its transfer time times this. */
  jobTransferMargin: number;
  /** Background status poll while idle. */
  statusPollMs: number;
}

export const ESCPOS_TIMEOUTS: EscPosTimeouts = {
  statusReplyMs: 500,
  identityReplyMs: 500,
  interByteMs: 50,
  quietMs: 50,
  maxQuietWaitMs: 1_000,
  jobTransferMargin: 2,
  statusPollMs: 5_000,
};

/** A status byte lost once may be noise; lost twice, the printer is not answering. */
export const SILENT_ATTEMPTS = 2;
/** Noise instead of a status byte: asked again at most this many times in all. */
export const STATUS_ATTEMPTS = 3;
/** Status readings (all four bytes) taken until two in a row agree; no agreement in this many is noise. */
export const STATUS_READINGS = 4;
