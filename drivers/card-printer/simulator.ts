/**
 * A simulated card printer: keeps the feeder, the card's position and the reject box, so the
 * kiosk's accounting can be checked against it. Faults can be injected for tests.
 */
import { EventEmitter } from 'node:events';
import { abortable, type DeviceStatus } from '../common/device-status.ts';
import { err, ok, type Result } from '../common/result.ts';
import type { CardFacePanels, CardPrinter, CardPrinterCounters, CardPrinterFault } from './card-printer.ts';

type CardPosition = 'none' | 'contactStation' | 'exit';

export interface SimulatedCardPrinterOptions {
  blanks?: number;
  rejectBoxCapacity?: number;
  /** Milliseconds per mechanical move; 0 in tests. */
  moveMs?: number;
}

export class SimulatedCardPrinter implements CardPrinter {
  readonly kind = 'card-printer' as const;
  readonly transport = 'simulated';
  #blanks: number;
  #position: CardPosition = 'none';
  #printed = 0;
  #rejected = 0;
  readonly #rejectCapacity: number;
  readonly #moveMs: number;
  #fault: CardPrinterFault | null = null;
  readonly #events = new EventEmitter();
  /** The last panel printed, for a developer to look at. */
  lastPrinted: CardFacePanels | null = null;

  constructor(options: SimulatedCardPrinterOptions = {}) {
    this.#blanks = options.blanks ?? 100;
    this.#rejectCapacity = options.rejectBoxCapacity ?? 50;
    this.#moveMs = options.moveMs ?? 300;
  }

  status(): DeviceStatus {
    if (this.#fault) return { state: 'fault', code: this.#fault, detail: `simulated ${this.#fault}` };
    if (this.#blanks === 0) return { state: 'fault', code: 'feederEmpty', detail: 'no blanks in the feeder' };
    return { state: 'ready' };
  }

  counters(): CardPrinterCounters {
    return { blanksInFeeder: this.#blanks, cardsPrinted: this.#printed, cardsRejected: this.#rejected };
  }

  injectFault(fault: CardPrinterFault | null): void {
    this.#fault = fault;
  }

  cardAtContactStation(): boolean {
    return this.#position === 'contactStation';
  }

  cardAtExit(): boolean {
    return this.#position === 'exit';
  }

  async feedToContactStation(signal: AbortSignal): Promise<Result<void, CardPrinterFault>> {
    if (this.#fault) return err(this.#fault);
    if (this.#position !== 'none') return err('jam');
    if (this.#blanks === 0) return err('feederEmpty');
    await this.#move(signal);
    this.#blanks--;
    this.#position = 'contactStation';
    return ok(undefined);
  }

  async printFront(panels: CardFacePanels, signal: AbortSignal): Promise<Result<void, CardPrinterFault>> {
    if (this.#fault) return err(this.#fault);
    if (this.#position !== 'contactStation') return err('noCard');
    await this.#move(signal);
    this.lastPrinted = panels;
    this.#printed++;
    return ok(undefined);
  }

  async ejectToResident(signal: AbortSignal): Promise<Result<void, CardPrinterFault>> {
    if (this.#position !== 'contactStation') return err('noCard');
    await this.#move(signal);
    this.#position = 'exit';
    this.#events.emit('change');
    return ok(undefined);
  }

  async ejectToRejectBin(signal: AbortSignal): Promise<Result<void, CardPrinterFault>> {
    if (this.#position === 'none') return err('noCard');
    if (this.#rejected >= this.#rejectCapacity) return err('rejectBoxFull');
    await this.#move(signal);
    this.#position = 'none';
    this.#rejected++;
    this.#events.emit('change');
    return ok(undefined);
  }

  /** The resident (or the simulator panel) takes the card from the exit slot. */
  takeCard(): boolean {
    if (this.#position !== 'exit') return false;
    this.#position = 'none';
    this.#events.emit('change');
    return true;
  }

  waitForCardTaken(signal: AbortSignal): Promise<void> {
    return abortable(signal, (resolve) => {
      if (this.#position !== 'exit') {
        resolve();
        return () => {};
      }
      const onChange = () => {
        if (this.#position === 'exit') return;
        this.#events.off('change', onChange);
        resolve();
      };
      this.#events.on('change', onChange);
      return () => this.#events.off('change', onChange);
    });
  }

  #move(signal: AbortSignal): Promise<void> {
    if (this.#moveMs === 0) return Promise.resolve();
    return abortable(signal, (resolve) => {
      const timer = setTimeout(() => resolve(), this.#moveMs);
      return () => clearTimeout(timer);
    });
  }
}
