/**
 * What the reader manager needs from a PC/SC implementation. Two implement it: pcsclite → pcscd
 * (pcsclite-transport.ts) and the in-process virtual readers (drivers/virtual-card), so the
 * kiosk's embedded default runs the same manager, timeouts and chaining as a real kiosk.
 *
 * A transport reports; it does not decide. Timeouts, exclusivity and recovery live in the manager.
 */
import type { Result } from '../common/result.ts';
import type { CardFault } from './card-fault.ts';

/** PC/SC reader state bits (pcsc-lite `pcsclite.h`, SCARD_STATE_*), as the manager reads them. */
export const SCARD_STATE = {
  UNAVAILABLE: 0x0008,
  EMPTY: 0x0010,
  PRESENT: 0x0020,
  EXCLUSIVE: 0x0080,
  INUSE: 0x0100,
  MUTE: 0x0200,
} as const;

export interface ReaderState {
  present: boolean;
  /** Present but it gave no ATR. */
  mute: boolean;
  atr: Uint8Array;
  /**
   * pcsc-lite counts card events per reader in the high 16 bits of dwEventState: a new value
   * with a card present is a new insertion, even if a remove + insert fell between two polls.
   */
  events: number;
}

export function readerStateFromBits(bits: number, atr: Uint8Array | undefined): ReaderState {
  return {
    present: (bits & SCARD_STATE.PRESENT) !== 0,
    mute: (bits & SCARD_STATE.MUTE) !== 0,
    atr: atr ? new Uint8Array(atr) : new Uint8Array(),
    events: bits >>> 16,
  };
}

export type CardProtocol = 'T=0' | 'T=1';
export type TransmitDone = (result: Result<Uint8Array, CardFault>) => void;
/** SCardDisconnect dispositions: leave the card powered, warm-reset it, or power it off. */
export type Disposition = 'leave' | 'reset' | 'unpower';

export interface TransportReader {
  readonly name: string;
  /** SCardConnect in exclusive mode: nothing else reaches the card until disconnect. */
  connect(): Promise<Result<{ protocol: CardProtocol }, CardFault>>;
  /**
   * SCardTransmit; `done` is called once, asynchronously. It may never be called (a mute card
   * holds the native call until the card's state changes): the caller times the exchange out and
   * never starts another on this reader meanwhile. A callback rather than a promise: this is the
   * hot path of every APDU, and the session above adds the only promise.
   */
  transmit(apdu: Uint8Array, protocol: CardProtocol, done: TransmitDone): void;
  disconnect(disposition: Disposition): Promise<Result<void, CardFault>>;
}

export interface TransportEvents {
  readerAdded(reader: TransportReader): void;
  readerState(name: string, state: ReaderState): void;
  readerRemoved(name: string): void;
  /** The context is dead (pcscd stopped or died). No more events come from it. */
  serviceLost(fault: CardFault): void;
}

export interface TransportContext {
  close(): void;
}

export interface PcscTransport {
  /** `pcsclite` or `in-process`: shown to technicians. */
  readonly description: string;
  /** Establishes a context; readers and their states arrive through `events`. */
  open(events: TransportEvents): Result<TransportContext, CardFault>;
}
