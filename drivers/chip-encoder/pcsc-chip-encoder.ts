/**
 * The chip encoder on a real PC/SC reader: the card printer's contact station. A `ChipEncoder`
 * over the reader manager's `chip-encoder` role: connect waits briefly for the blank the printer
 * just moved to the station, then opens one exclusive session for the whole personalisation and
 * powers the card off when it is closed (no reset in between: PROTOCOLS.md §1).
 */
import type { DeviceStatus } from '../common/device-status.ts';
import { err, ok, type Result } from '../common/result.ts';
import type { PcscLogger } from '../pcsc/log-events.ts';
import {
  createPcscReaderManager,
  type ReaderManager,
  type ReaderStatus,
} from '../pcsc/reader-manager.ts';
import type { PcscTransport } from '../pcsc/transport.ts';
import type { ChipEncoder, ChipFault, ChipSession } from './chip-encoder.ts';

export const CHIP_ENCODER_ROLE = 'chip-encoder';

/**
 * How long connect() waits for the card the printer just placed at the contact station. pcscd
 * polls vpcd every 400 ms (PROTOCOLS.md §5); USB readers report insertion by interrupt within
 * ~100 ms (confidence M). Three seconds covers both with room.
 */
export const CARD_ARRIVAL_TIMEOUT_MS = 3_000;

export interface PcscChipEncoderOptions {
  /** A regular expression matched against PC/SC reader names (kiosk.config.json `readerPattern`). */
  readerPattern: string | RegExp;
  /** True only for a kiosk configured as simulated: otherwise `Virtual PCD` readers are refused. */
  allowVirtualReaders: boolean;
  logger?: PcscLogger;
  /**
   * The kiosk's one manager, shared by the chip encoder and the staff card reader (one PC/SC
   * context). Made and owned here when absent; when given, its own `allowVirtualReaders` and
   * transport apply and the ones here are ignored.
   */
  manager?: ReaderManager;
  /** The real stack unless given (the in-process virtual readers for the embedded default). */
  transport?: PcscTransport;
  exchangeTimeoutMs?: number;
  cardArrivalTimeoutMs?: number;
}

export class PcscChipEncoder implements ChipEncoder {
  readonly kind = 'chip-encoder' as const;
  readonly transport: string;
  readonly manager: ReaderManager;
  readonly #owned: boolean;
  readonly #arrivalMs: number;
  readonly #exchangeTimeoutMs: number | undefined;

  constructor(options: PcscChipEncoderOptions) {
    this.#owned = !options.manager;
    this.manager =
      options.manager ??
      createPcscReaderManager({
        transport: options.transport,
        allowVirtualReaders: options.allowVirtualReaders,
        logger: options.logger,
        exchangeTimeoutMs: options.exchangeTimeoutMs,
      });
    this.manager.addRole(CHIP_ENCODER_ROLE, options.readerPattern);
    this.transport = `${this.manager.transportDescription}:${String(options.readerPattern)}`;
    this.#arrivalMs = options.cardArrivalTimeoutMs ?? CARD_ARRIVAL_TIMEOUT_MS;
    this.#exchangeTimeoutMs = options.exchangeTimeoutMs;
    this.manager.start();
  }

  readerStatus(): ReaderStatus {
    return this.manager.status(CHIP_ENCODER_ROLE);
  }

  /**
   * The device, not the card: an empty station is the normal state between cards. A bad card at
   * the station is the production step's to reject; a reader held by a stuck exchange is busy.
   */
  status(): DeviceStatus {
    const status = this.readerStatus();
    switch (status.state) {
      case 'no_service':
      case 'no_reader':
        return { state: 'disconnected' };
      case 'card_error':
        return status.reason === 'reader_busy' ? { state: 'busy' } : { state: 'ready' };
      case 'no_card':
      case 'ready':
        return { state: 'ready' };
    }
  }

  async connect(signal: AbortSignal): Promise<Result<ChipSession, ChipFault>> {
    const deadline = Date.now() + this.#arrivalMs;
    let tried: number | undefined;
    let opened;
    for (;;) {
      const status = await this.manager.waitForCard(
        CHIP_ENCODER_ROLE,
        signal,
        Math.max(0, deadline - Date.now()),
        { notInsertion: tried },
      );
      switch (status.state) {
        case 'no_service':
          return err({ kind: 'noService', detail: status.detail });
        case 'no_reader':
          return err({ kind: 'noReader' });
        case 'no_card':
          return err({ kind: 'noCard' });
        case 'card_error':
          return err(
            status.reason === 'mute'
              ? { kind: 'mute' }
              : status.reason === 'reader_busy'
                ? { kind: 'busy' }
                : { kind: 'unknownState' },
          );
        case 'ready':
          break;
      }
      if (status.card.insertion === tried) return err({ kind: 'noCard' });
      opened = await status.card.open(signal, {
        closeDisposition: 'unpower',
        exchangeTimeoutMs: this.#exchangeTimeoutMs,
      });
      // The last card left and the new one came between two of pcscd's polls: wait for pcscd to see it.
      if (
        !opened.ok &&
        (opened.error.kind === 'removed' || opened.error.kind === 'noCard') &&
        Date.now() < deadline
      ) {
        tried = status.card.insertion;
        continue;
      }
      break;
    }
    if (!opened.ok) return opened;
    const session = opened.value;
    return ok({
      atr: session.atr,
      transmit: (command, transmitSignal) => session.transmit(command, transmitSignal),
      close: () => session.close(),
    });
  }

  /** Stops the manager if this encoder made it. */
  async close(): Promise<void> {
    if (this.#owned) await this.manager.close();
  }
}

/** The factory the host wires from `{kind: 'chip-encoder', driver: 'pcsc', transport: {type: 'pcsc', readerPattern}}`. */
export function createPcscChipEncoder(options: PcscChipEncoderOptions): PcscChipEncoder {
  return new PcscChipEncoder(options);
}
