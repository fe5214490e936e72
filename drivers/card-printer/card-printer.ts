/**
 * The card printer with its smart-card contact station, as the kiosk sees it (Evolis-style
 * command set, PROTOCOLS.md §3). Production moves return a Result: a jam or an empty feeder is
 * an expected answer of the device, not an exception.
 */
import type { DeviceDescriptor } from '../common/device-status.ts';
import type { Result } from '../common/result.ts';

export type CardPrinterFault =
  | 'feederEmpty'
  | 'ribbonOut'
  | 'wrongRibbon'
  | 'coverOpen'
  | 'jam'
  | 'rejectBoxFull'
  | 'cleaningDue'
  | 'noCard'
  | 'disconnected';

/** One panel per ribbon panel; `k` is 1 bit per dot, 1016 × 648 dots at 300 dpi. */
export interface CardFacePanels {
  k: Uint8Array;
}

export interface CardPrinterCounters {
  /** Blanks in the feeder as far as the printer knows (simulator: exact; real: estimated). */
  blanksInFeeder: number;
  cardsPrinted: number;
  cardsRejected: number;
}

export interface CardPrinter extends DeviceDescriptor {
  readonly kind: 'card-printer';
  counters(): CardPrinterCounters;
  /** Takes a blank from the feeder and stops it under the chip contact station (`Sis`). */
  feedToContactStation(signal: AbortSignal): Promise<Result<void, CardPrinterFault>>;
  printFront(panels: CardFacePanels, signal: AbortSignal): Promise<Result<void, CardPrinterFault>>;
  /** Presents the card at the exit slot for the resident (`Se`). */
  ejectToResident(signal: AbortSignal): Promise<Result<void, CardPrinterFault>>;
  /** Drops the card inside into the reject box (`Ser`): spoiled or retained. */
  ejectToRejectBin(signal: AbortSignal): Promise<Result<void, CardPrinterFault>>;
  /** Resolves when the card at the exit is gone (taken). */
  waitForCardTaken(signal: AbortSignal): Promise<void>;
  cardAtExit(): boolean;
}
