/**
 * GA/T 467 commands and status codes as data, and what each status means for the kiosk.
 *
 * Source: shared/PROTOCOLS.md §2. Commands and statuses 90/9F/80/81/41 are H (several vendors'
 * guides and public code agree); 31/32 are M; the other statuses are L (seen in one vendor SDK's
 * error list): kept here, in one place, so a field test corrects them with one edit.
 */

export const GAT467_COMMANDS = {
  readSamId: { command: 0x12, parameter: 0xff },
  findCard: { command: 0x20, parameter: 0x01 },
  selectCard: { command: 0x20, parameter: 0x02 },
  readTextAndPhoto: { command: 0x30, parameter: 0x01 },
  readTextPhotoAndFingerprint: { command: 0x30, parameter: 0x10 },
  readAdditionalAddress: { command: 0x30, parameter: 0x03 },
} as const;
export type Gat467CommandName = keyof typeof GAT467_COMMANDS;

/**
 * What a status means to the kiosk:
 * - `ok`: the command did what it says;
 * - `noCard`: nothing on the reader (find failed) — keep waiting;
 * - `moveCard`: a card is there but could not be selected or read — it moved, or lies badly;
 * - `notGenuine`: mutual authentication between the card and the reader's SAM failed;
 * - `resend`: the reader did not understand our frame (line noise): sending it again may work;
 * - `readerFault`: the reader (or its SAM) is broken or misconfigured: a technician's problem.
 */
export type Gat467Outcome = 'ok' | 'noCard' | 'moveCard' | 'notGenuine' | 'resend' | 'readerFault';

export const GAT467_STATUS: Readonly<Record<number, { outcome: Gat467Outcome; meaning: string }>> =
  {
    0x90: { outcome: 'ok', meaning: 'success' },
    0x9f: { outcome: 'ok', meaning: 'card found' },
    0x91: { outcome: 'ok', meaning: 'success, no content (e.g. no additional address)' },
    0x80: { outcome: 'noCard', meaning: 'find card failed' },
    0x81: { outcome: 'moveCard', meaning: 'select card failed' },
    0x41: { outcome: 'moveCard', meaning: 'read card failed' },
    0x31: { outcome: 'notGenuine', meaning: 'card failed the SAM authentication' },
    0x32: { outcome: 'notGenuine', meaning: 'SAM failed the card authentication' },
    0x33: { outcome: 'notGenuine', meaning: 'information verification failed' },
    0x10: { outcome: 'resend', meaning: 'reader received a frame with a bad checksum' },
    0x11: { outcome: 'resend', meaning: 'reader received a frame with a bad length' },
    0x21: { outcome: 'readerFault', meaning: 'command not recognised' },
    0x23: { outcome: 'readerFault', meaning: 'command not authorised' },
    0x24: { outcome: 'readerFault', meaning: 'unrecognised error' },
    0x40: { outcome: 'moveCard', meaning: 'no content in the card' },
    0x60: { outcome: 'readerFault', meaning: 'SAM self-test failed' },
    0x66: { outcome: 'readerFault', meaning: 'SAM not authorised' },
  };

export function statusOutcome(status: number): { outcome: Gat467Outcome; meaning: string } {
  return (
    GAT467_STATUS[status] ?? { outcome: 'readerFault', meaning: `unknown status 0x${hex(status)}` }
  );
}

export const hex = (byte: number) => byte.toString(16).toUpperCase().padStart(2, '0');

/** Status codes the simulator answers with (the same table, by name, so the two cannot drift). */
export const STATUS = {
  ok: 0x90,
  cardFound: 0x9f,
  noContent: 0x91,
  findFailed: 0x80,
  selectFailed: 0x81,
  readFailed: 0x41,
  cardRejectedSam: 0x31,
  samRejectedCard: 0x32,
  badChecksumReceived: 0x10,
  commandUnknown: 0x21,
} as const;

/** Data lengths of successful answers (PROTOCOLS.md §2): what lets the driver tell a stale answer from its own. */
export const ANSWER_DATA_BYTES = {
  findCard: 4,
  selectCard: 8,
  readSamId: 16,
  /** text length (2) + photo length (2) + the text and photo they announce. */
  readTextAndPhotoHeader: 4,
} as const;

/** The layout of a read-text answer's data. */
export const ID_TEXT_BYTES = 256;
export const ID_PHOTO_BYTES = 1024;
