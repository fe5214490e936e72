/**
 * The resident ID card reader as the kiosk sees it, whatever the transport (GA/T 467 over serial
 * or USB HID, or the simulator). Status codes of the reader (PROTOCOLS.md §2: 80/81/41/31/32)
 * become the typed failures below; 80 ("no card") is not a failure: readCard keeps waiting.
 */
import type { DeviceDescriptor } from '../common/device-status.ts';
import type { Result } from '../common/result.ts';
import type { IdCardRecord } from './id-card-record.ts';

export type IdReadFailure =
  /** 81/41 (again and again): the card moved or was read badly — "move the card and hold it still". */
  | { kind: 'moveCard' }
  /** 31/32/33: the SAM rejected the card, or the card the SAM. */
  | { kind: 'notGenuine' }
  /** The answer decoded but its content is wrong (bad check digit, impossible date). */
  | { kind: 'invalidData'; detail: string }
  /**
   * The reader itself failed: unplugged and not back in time, silent, garbled answers, a broken
   * SAM. Not the resident's card: the kiosk should say "out of order", not "move your card".
   */
  | { kind: 'readerFault'; detail: string };

export interface IdCardReader extends DeviceDescriptor {
  readonly kind: 'id-reader';
  /** Waits until a card is on the reader and reads it. Aborting stops the wait. */
  readCard(signal: AbortSignal): Promise<Result<IdCardRecord, IdReadFailure>>;
  /** Resolves once no card is on the reader (at once if there is none). */
  waitForRemoval(signal: AbortSignal): Promise<void>;
  cardPresent(): boolean;
}
