/**
 * A simulated contact station: whenever the card printer holds a blank at the station, a fresh
 * simulated SSSE chip is there. Faults can be injected to exercise the reject-and-retry path.
 */
import type { DeviceStatus } from '../common/device-status.ts';
import { err, ok, type Result } from '../common/result.ts';
import { parseResponse } from './apdu.ts';
import type { ChipEncoder, ChipFault, ChipSession } from './chip-encoder.ts';
import { SimulatedSsseCard } from './sim-ssse-card.ts';

export class SimulatedChipEncoder implements ChipEncoder {
  readonly kind = 'chip-encoder' as const;
  readonly transport = 'simulated';
  /** Makes the next `n` connections fail as a mute chip (a spoiled blank). */
  failNext = 0;
  readonly #cardAtStation: () => boolean;
  #card: SimulatedSsseCard | null = null;

  constructor(cardAtStation: () => boolean) {
    this.#cardAtStation = cardAtStation;
  }

  status(): DeviceStatus {
    return { state: 'ready' };
  }

  /** Called when a new blank arrives at the station. */
  insertBlank(): void {
    this.#card = new SimulatedSsseCard();
  }

  async connect(): Promise<Result<ChipSession, ChipFault>> {
    if (!this.#cardAtStation()) return err({ kind: 'noCard' });
    if (this.failNext > 0) {
      this.failNext--;
      return err({ kind: 'mute' });
    }
    const card = (this.#card ??= new SimulatedSsseCard());
    return ok({
      atr: card.atr,
      transmit: async (command) => {
        if (!this.#cardAtStation()) return err({ kind: 'removed' });
        const raw = card.process(command);
        const response = parseResponse(raw);
        return response ? ok(response) : err({ kind: 'malformedResponse', length: raw.length });
      },
      close: async () => {},
    });
  }
}
