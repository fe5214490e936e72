/**
 * The card printer with its smart-card contact station, as the kiosk sees it (Evolis-style
 * command set, PROTOCOLS.md §3). Production moves return a Result: a jam or an empty feeder is
 * an expected answer of the device, not an exception.
 */
import type { DeviceDescriptor } from '../common/device-status.ts';
import type { Result } from '../common/result.ts';

export type { CardFacePanels, DyeBits } from './card-panels.ts';
import type { CardFacePanels } from './card-panels.ts';

export type CardPrinterFault =
  | 'feederEmpty'
  | 'ribbonOut'
  | 'wrongRibbon'
  | 'coverOpen'
  | 'jam'
  | 'rejectBoxFull'
  | 'cleaningDue'
  | 'noCard'
  /** A card is already in the printer (or waiting at the exit) where a blank was to be fed. */
  | 'cardInside'
  /** The printer is connected but does not answer (off, wrong baud rate, hung). */
  | 'noResponse'
  /** It answers, but not in words we understand (line noise, a different device on the port). */
  | 'protocolError'
  | 'disconnected';

/** Conditions that do not stop production but staff should hear about. */
export type CardPrinterWarning = 'ribbonLow' | 'cardAtExit';

/** A tagged union that always includes `disconnected` (DESIGN.md, devices). */
export type CardPrinterStatus =
  | { state: 'ready'; warnings: readonly CardPrinterWarning[] }
  | { state: 'fault'; code: Exclude<CardPrinterFault, 'disconnected'>; detail: string }
  | { state: 'disconnected' };

export interface CardPrinterIdentity {
  model: string;
  serialNumber: string;
  firmware: string;
}

export interface CardPrinterCounters {
  /** Blanks in the feeder as far as the printer knows (simulator: exact; real: estimated). */
  blanksInFeeder: number;
  cardsPrinted: number;
  cardsRejected: number;
}

export interface CardPrinter extends DeviceDescriptor {
  readonly kind: 'card-printer';
  status(): CardPrinterStatus;
  /** Model, serial number and firmware, read when the printer connected; null until then. */
  identity(): CardPrinterIdentity | null;
  /** Each status transition, once. Returns the unsubscribe function. */
  onStatus(listener: (status: CardPrinterStatus) => void): () => void;
  counters(): CardPrinterCounters;
  /** Takes a blank from the feeder and stops it under the chip contact station (`Sis`). */
  feedToContactStation(signal: AbortSignal): Promise<Result<void, CardPrinterFault>>;
  printFront(panels: CardFacePanels, signal: AbortSignal): Promise<Result<void, CardPrinterFault>>;
  /** Presents the card at the exit slot for the resident (`Se`). */
  ejectToResident(signal: AbortSignal): Promise<Result<void, CardPrinterFault>>;
  /** Drops the card inside (or retracts the one at the exit) into the reject box (`Ser`). */
  ejectToRejectBin(signal: AbortSignal): Promise<Result<void, CardPrinterFault>>;
  /** Resolves when the card at the exit is gone (taken). */
  waitForCardTaken(signal: AbortSignal): Promise<void>;
  cardAtExit(): boolean;
  /** Software reset (`Srs`): clears an error the printer holds for the host once its cause is gone. */
  reset(signal: AbortSignal): Promise<Result<void, CardPrinterFault>>;
  /** Lets go of the port (the kiosk stopping, `mashang diag` done). */
  close(): Promise<void>;
}

/** What the host (and `mashang diag`) holds: the kiosk's interface plus supervision. */
export interface ManagedCardPrinter extends CardPrinter {
  /** Asks the printer now, between operations. */
  refreshStatus(): Promise<CardPrinterStatus>;
  /** True once the printer answered its identity reads (false after `timeoutMs` without). */
  whenReady(timeoutMs: number): Promise<boolean>;
}
