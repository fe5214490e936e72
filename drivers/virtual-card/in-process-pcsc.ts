/**
 * PC/SC without pcscd: virtual readers inside the kiosk process, holding virtual cards. The
 * reader manager runs on it exactly as on pcsclite, so the embedded default exercises the same
 * timeouts, chaining and recovery code as a real kiosk.
 *
 * It copies the real stack's behaviour as measured (PROTOCOLS.md §6): a transmit to a mute card
 * never settles until the card leaves, and then "succeeds" with an empty buffer; a card pulled
 * mid-command does the same; a stopped service fails every call and ends every context.
 */
import { err, ok, type Result } from '../common/result.ts';
import type { CardFault } from '../pcsc/card-fault.ts';
import type {
  CardProtocol,
  Disposition,
  PcscTransport,
  ReaderState,
  TransportContext,
  TransportEvents,
  TransportReader,
  TransmitDone,
} from '../pcsc/transport.ts';
import type { CardBehaviour } from './card-behaviour.ts';

/** Names matched by the reader manager's TEST_READER_NAMES: refused unless the kiosk is simulated. */
export const IN_PROCESS_READERS = [
  'Mashang Simulated Reader 00',
  'Mashang Simulated Reader 01',
] as const;

interface Slot {
  name: string;
  card: CardBehaviour | null;
  /** Card events (insertions and removals), as pcsc-lite counts them. */
  events: number;
  /** The connection holding the card exclusively. */
  holder: object | null;
  /** Transmits the card has not answered (mute): settled when it leaves or the service stops. */
  hanging: Set<TransmitDone>;
}

/** Protocol from the ATR (ISO 7816-3 §8.2): TD1's low nibble, or T=0 when there is no TD1. */
export function protocolFromAtr(atr: Uint8Array): CardProtocol {
  const t0 = atr[1];
  if (t0 === undefined || (t0 & 0x80) === 0) return 'T=0';
  let at = 2;
  for (const bit of [0x10, 0x20, 0x40]) if (t0 & bit) at++;
  return (atr[at]! & 0x0f) === 1 ? 'T=1' : 'T=0';
}

export class InProcessPcsc implements PcscTransport {
  readonly description = 'in-process';
  readonly #slots = new Map<string, Slot>();
  readonly #contexts = new Set<TransportEvents>();
  #up = true;

  constructor(readers: readonly string[] = IN_PROCESS_READERS) {
    for (const name of readers) this.#slots.set(name, this.#slot(name));
  }

  open(events: TransportEvents): Result<TransportContext, CardFault> {
    if (!this.#up) return err({ kind: 'noService', detail: 'SCARD_E_NO_SERVICE' });
    this.#contexts.add(events);
    // Like pcsclite, the reader list and states arrive after open returns.
    setImmediate(() => {
      if (!this.#contexts.has(events)) return;
      for (const slot of this.#slots.values()) {
        events.readerAdded(this.#reader(slot));
        events.readerState(slot.name, this.#state(slot));
      }
    });
    return ok({ close: () => void this.#contexts.delete(events) });
  }

  // ---- what a test or the simulator panel does to the hardware ------------------------------

  insert(reader: string, card: CardBehaviour): void {
    const slot = this.#need(reader);
    if (slot.card) this.remove(reader);
    card.reset();
    slot.card = card;
    slot.events++;
    this.#notify(slot);
  }

  remove(reader: string): void {
    const slot = this.#need(reader);
    if (!slot.card) return;
    slot.card = null;
    slot.holder = null;
    slot.events++;
    this.#release(slot, ok(new Uint8Array()));
    this.#notify(slot);
  }

  cardIn(reader: string): CardBehaviour | null {
    return this.#need(reader).card;
  }

  plugReader(name: string): void {
    if (this.#slots.has(name)) return;
    const slot = this.#slot(name);
    this.#slots.set(name, slot);
    for (const events of this.#contexts) {
      events.readerAdded(this.#reader(slot));
      events.readerState(name, this.#state(slot));
    }
  }

  unplugReader(name: string): void {
    const slot = this.#slots.get(name);
    if (!slot) return;
    this.#release(slot, err({ kind: 'noReader' }));
    this.#slots.delete(name);
    for (const events of this.#contexts) events.readerRemoved(name);
  }

  /** pcscd stops: every context is lost, every pending call fails. */
  stopService(): void {
    this.#up = false;
    for (const slot of this.#slots.values()) {
      slot.holder = null;
      this.#release(slot, err({ kind: 'noService', detail: 'SCARD_F_COMM_ERROR' }));
    }
    const contexts = [...this.#contexts];
    this.#contexts.clear();
    for (const events of contexts)
      events.serviceLost({ kind: 'noService', detail: 'SCARD_F_COMM_ERROR' });
  }

  startService(): void {
    this.#up = true;
  }

  // ---- internals ----------------------------------------------------------------------------

  #slot(name: string): Slot {
    return { name, card: null, events: 0, holder: null, hanging: new Set() };
  }

  #need(name: string): Slot {
    const slot = this.#slots.get(name);
    if (!slot) throw new Error(`no in-process reader "${name}"`);
    return slot;
  }

  #state(slot: Slot): ReaderState {
    return {
      present: slot.card !== null,
      mute: false,
      atr: slot.card ? slot.card.atr : new Uint8Array(),
      events: slot.events,
    };
  }

  #notify(slot: Slot): void {
    const state = this.#state(slot);
    for (const events of this.#contexts) events.readerState(slot.name, state);
  }

  #release(slot: Slot, result: Result<Uint8Array, CardFault>): void {
    const hanging = [...slot.hanging];
    slot.hanging.clear();
    for (const settle of hanging) settle(result);
  }

  #reader(slot: Slot): TransportReader {
    let token: object | null = null;
    const live = () => this.#up && this.#slots.get(slot.name) === slot;
    const removeCard = () => this.remove(slot.name);
    return {
      name: slot.name,
      async connect() {
        if (!live()) return err({ kind: 'noService' });
        if (!slot.card) return err({ kind: 'noCard' });
        if (slot.holder && slot.holder !== token) return err({ kind: 'busy' });
        token = {};
        slot.holder = token;
        slot.card.reset(); // power-up
        return ok({ protocol: protocolFromAtr(slot.card.atr) });
      },
      transmit(apdu, _protocol, done) {
        // Asynchronous like the real thing, so callers cannot come to rely on it being sync.
        if (!live()) return void setImmediate(() => done(err({ kind: 'noService' })));
        const card = slot.card;
        if (!card || !token || slot.holder !== token)
          return void setImmediate(() => done(err({ kind: 'removed' })));
        const action = card.respond(apdu);
        switch (action.kind) {
          case 'reply':
            if (action.delayMs > 0) setTimeout(() => done(ok(action.bytes)), action.delayMs);
            else setImmediate(() => done(ok(action.bytes)));
            return;
          case 'silence':
            slot.hanging.add(done);
            return;
          case 'pull':
            setImmediate(() => {
              done(ok(new Uint8Array()));
              if (slot.card === card) removeCard();
            });
            return;
        }
      },
      async disconnect(disposition: Disposition) {
        if (!token || slot.holder !== token) return ok(undefined);
        slot.holder = null;
        token = null;
        if (disposition !== 'leave') slot.card?.reset();
        return ok(undefined);
      },
    };
  }
}
