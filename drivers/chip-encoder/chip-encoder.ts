/**
 * The contact station's smart-card reader (PC/SC) as the production step sees it. A session is
 * held exclusively for the whole personalisation: nothing else may touch the card in between,
 * and the card is not reset until the session is closed.
 */
import type { DeviceDescriptor } from '../common/device-status.ts';
import type { Result } from '../common/result.ts';
import type { CardFault } from '../pcsc/card-fault.ts';
import type { ApduResponse } from './apdu.ts';

/**
 * What can go wrong with the chip: the PC/SC faults (card-fault.ts). The original four kinds
 * (`noCard`, `mute`, `removed`, `malformedResponse`) keep their shapes; the others (`timeout`,
 * `unknownState`, `busy`, `noService`, `noReader`, `pcsc`) come from a real reader. Every one of
 * them means the same to the flow: this blank is spoiled or of unknown state — reject it.
 */
export type ChipFault = CardFault;

export interface ChipSession {
  readonly atr: Uint8Array;
  /**
   * One command; `61xx` and `6Cxx` are handled by the driver. Rejects with an AbortError when
   * `signal` aborts (the flow left the state); the card is then of unknown state.
   */
  transmit(command: Uint8Array, signal: AbortSignal): Promise<Result<ApduResponse, ChipFault>>;
  close(): Promise<void>;
}

export interface ChipEncoder extends DeviceDescriptor {
  readonly kind: 'chip-encoder';
  /** Powers the card at the contact station and opens an exclusive session on it. */
  connect(signal: AbortSignal): Promise<Result<ChipSession, ChipFault>>;
}
