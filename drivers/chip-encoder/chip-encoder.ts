/**
 * The contact station's smart-card reader (PC/SC) as the production step sees it. A session is
 * held exclusively for the whole personalisation: nothing else may touch the card in between.
 */
import type { DeviceDescriptor } from '../common/device-status.ts';
import type { Result } from '../common/result.ts';
import type { ApduResponse } from './apdu.ts';

export type ChipFault =
  | { kind: 'noCard' }
  | { kind: 'mute' }
  | { kind: 'removed' }
  | { kind: 'malformedResponse'; length: number };

export interface ChipSession {
  readonly atr: Uint8Array;
  transmit(command: Uint8Array, signal: AbortSignal): Promise<Result<ApduResponse, ChipFault>>;
  close(): Promise<void>;
}

export interface ChipEncoder extends DeviceDescriptor {
  readonly kind: 'chip-encoder';
  /** Powers the card at the contact station and opens an exclusive session on it. */
  connect(signal: AbortSignal): Promise<Result<ChipSession, ChipFault>>;
}
