/**
 * A virtual card as its reader meets it: the card's own logic (`VirtualCard`: an SSSE card, a
 * staff card) plus a fault mode that makes it misbehave the ways real cards do. The same
 * behaviour runs behind vpcd (vpcd-card.ts) and in process (in-process-pcsc.ts).
 */
import { randomBytes } from 'node:crypto';
import { commandCase, parseResponse, responseBytes } from '../pcsc/apdu.ts';
import { SW, SW1 } from '../pcsc/status-words.ts';

export interface VirtualCard {
  readonly atr: Uint8Array;
  /** Power off, power on or reset: volatile state (selection, authentication, verified PIN) is lost. */
  reset(): void;
  /** Answers one command APDU with data + SW1 SW2. */
  process(apdu: Uint8Array): Uint8Array;
}

export type CardFaultMode =
  /** Answers its reset, then never answers a command (a dead chip): the kiosk must time out. */
  | { kind: 'mute' }
  /** Answers every command after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** Leaves the reader while processing the command after `afterApdus` answered ones. */
  | { kind: 'removedMidApdu'; afterApdus: number }
  /** Answers every command with this status word and no data. */
  | { kind: 'wrongSw'; sw: number }
  /** Answers every command with a single random byte (fewer than the two status bytes). */
  | { kind: 'garbage' }
  /** T=0 conventions: `61xx` + GET RESPONSE for data after a case-4 command, `6Cxx` for a wrong Le. */
  | { kind: 't0Chaining' };

/** What the card does with one command. */
export type CardAction =
  { kind: 'reply'; bytes: Uint8Array; delayMs: number } | { kind: 'silence' } | { kind: 'pull' };

/** Fault names as the command line takes them (`mashang sim-card … --fault NAME`). */
export const FAULT_NAMES = [
  'mute',
  'slow',
  'removed-mid-apdu',
  'wrong-sw',
  'garbage',
  't0-chaining',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export const DEFAULT_SLOW_MS = 1_500;
/** Personalisation's 6th command is its first UPDATE RECORD: pulling there tears a write. */
export const DEFAULT_REMOVE_AFTER = 5;

export function faultFromName(
  name: FaultName,
  options: { delayMs?: number; sw?: number; afterApdus?: number } = {},
): CardFaultMode {
  switch (name) {
    case 'mute':
      return { kind: 'mute' };
    case 'slow':
      return { kind: 'slow', delayMs: options.delayMs ?? DEFAULT_SLOW_MS };
    case 'removed-mid-apdu':
      return { kind: 'removedMidApdu', afterApdus: options.afterApdus ?? DEFAULT_REMOVE_AFTER };
    case 'wrong-sw':
      return { kind: 'wrongSw', sw: options.sw ?? SW.NO_DIAGNOSIS };
    case 'garbage':
      return { kind: 'garbage' };
    case 't0-chaining':
      return { kind: 't0Chaining' };
  }
}

/** GET RESPONSE's instruction byte (ISO 7816-4 §11.6.1). */
const INS_GET_RESPONSE = 0xc0;

export class CardBehaviour {
  readonly card: VirtualCard;
  fault: CardFaultMode | null;
  #answered = 0;
  #hung = false;
  /** T=0: response data waiting for GET RESPONSE. */
  #pending: Uint8Array | null = null;

  constructor(card: VirtualCard, fault: CardFaultMode | null = null) {
    this.card = card;
    this.fault = fault;
  }

  get atr(): Uint8Array {
    return this.card.atr;
  }

  /** A new power-up (or a new insertion): the card's volatile state and the fault's count start over. */
  reset(): void {
    this.card.reset();
    this.#pending = null;
    this.#answered = 0;
    this.#hung = false;
  }

  respond(apdu: Uint8Array): CardAction {
    const fault = this.fault;
    if (this.#hung) return { kind: 'silence' };
    switch (fault?.kind) {
      case 'mute':
        this.#hung = true;
        return { kind: 'silence' };
      case 'removedMidApdu':
        if (this.#answered >= fault.afterApdus) return { kind: 'pull' };
        break;
      case 'wrongSw':
        return this.#reply(responseBytes(new Uint8Array(), fault.sw));
      case 'garbage':
        return this.#reply(new Uint8Array(randomBytes(1)));
      case 't0Chaining':
        return this.#reply(this.#t0(apdu));
      default:
        break;
    }
    return this.#reply(this.card.process(apdu), fault?.kind === 'slow' ? fault.delayMs : 0);
  }

  #reply(bytes: Uint8Array, delayMs = 0): CardAction {
    this.#answered++;
    return { kind: 'reply', bytes, delayMs };
  }

  /** What a T=0 card answers (ISO 7816-3 §10.3.3): data never comes with a case-4 command itself. */
  #t0(apdu: Uint8Array): Uint8Array {
    if (apdu.length >= 5 && apdu[1] === INS_GET_RESPONSE && (apdu[0]! & 0xfc) === 0) {
      const pending = this.#pending;
      if (!pending) return responseBytes(new Uint8Array(), SW.CONDITIONS_NOT_SATISFIED);
      const le = apdu[4]! || 256;
      if (le > pending.length)
        return responseBytes(new Uint8Array(), (SW1.WRONG_LE << 8) | pending.length);
      const rest = pending.subarray(le);
      this.#pending = rest.length ? rest : null;
      return responseBytes(
        pending.subarray(0, le),
        rest.length ? (SW1.MORE_DATA << 8) | (Math.min(rest.length, 256) % 256) : SW.OK,
      );
    }
    this.#pending = null;
    const raw = this.card.process(apdu);
    const answer = parseResponse(raw);
    if (!answer || answer.data.length === 0 || answer.sw !== SW.OK) return raw;
    const kind = commandCase(apdu);
    if (kind === 2) {
      const le = apdu[4]! || 256;
      return le === answer.data.length
        ? raw
        : responseBytes(new Uint8Array(), (SW1.WRONG_LE << 8) | (answer.data.length % 256));
    }
    this.#pending = answer.data;
    return responseBytes(
      new Uint8Array(),
      (SW1.MORE_DATA << 8) | (Math.min(answer.data.length, 256) % 256),
    );
  }
}
