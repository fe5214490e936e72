/**
 * The kiosk's `IdCardReader` on a GA/T 467 reader: wait for a card (find, every poll), select
 * it, read text and photo, decode and validate the text; wait for the card to be taken away.
 * The same class drives a serial reader, a USB HID reader and the in-process simulator.
 *
 * Personal data: the decoded record goes to the caller and nowhere else; the raw blocks are
 * wiped once decoded; logs carry outcomes and masked numbers only.
 */
import { performance } from 'node:perf_hooks';
import type { DeviceStatus } from '../common/device-status.ts';
import { err, type Result } from '../common/result.ts';
import { silentLog, type DeviceLog } from '../serial/reconnecting-line.ts';
import type { Gat467Driver, Gat467Failure } from './gat467-driver.ts';
import type { IdCardRecord } from './id-card-record.ts';
import type { IdCardReader, IdReadFailure } from './id-card-reader.ts';
import { decodeIdText } from './id-card-text.ts';

export const ID_READER_TIMING = {
  /**
   * How often to look for a card while one is awaited (placing it; taking it away, confirmed by a
   * second look): 100 ms. A look costs ~2 ms of a 115 200-baud line. At 250 ms the looks alone
   * added ~0.4 s to each journey — half of the kiosk's own share (bench/journey-realistic.ts).
   */
  cardPollMs: 100,
  /** Select/read failures before "move the card": a card laid down askew usually reads on the next try. */
  maxMisreads: 3,
  /** "No card" answers in a row before a card counts as taken: one missed find is not a removal. */
  removalConfirmations: 2,
  /** A reader that drops off the bus gets this long to come back before a read fails. */
  reconnectGraceMs: 3_000,
  /**
   * An idle reader is asked for its SAM id this often (0: never). A port that nobody writes to
   * may not notice its device is gone (a pty never does; PROTOCOLS.md §6), and a reader that
   * went silent should show as faulted before a resident meets it, not after.
   */
  healthCheckMs: 5_000,
} as const;
export type IdReaderTiming = { -readonly [K in keyof typeof ID_READER_TIMING]: number };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `3301**********1234`: the only form of an ID number a log ever sees. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length <= 8) return '*'.repeat(idNumber.length);
  return idNumber.slice(0, 4) + '*'.repeat(idNumber.length - 8) + idNumber.slice(-4);
}

export class Gat467IdCardReader implements IdCardReader {
  readonly kind = 'id-reader' as const;
  #present = false;
  readonly #timing: IdReaderTiming;
  readonly #log: DeviceLog;
  readonly transport: string;
  #healthTimer: NodeJS.Timeout | null = null;
  /** Operations under way (readCard, waitForRemoval, a health check): the health check stays out of their way. */
  #busy = 0;
  #lastUsed = performance.now();

  constructor(
    readonly driver: Gat467Driver,
    options: { transport: string; log?: DeviceLog; timing?: Partial<IdReaderTiming> },
  ) {
    this.transport = options.transport;
    this.#timing = { ...ID_READER_TIMING, ...options.timing };
    this.#log = options.log ?? silentLog;
    if (this.#timing.healthCheckMs > 0) {
      this.#healthTimer = setInterval(() => void this.#checkHealth(), this.#timing.healthCheckMs);
      this.#healthTimer.unref(); // never the reason a process stays alive
    }
  }

  status(): DeviceStatus {
    return this.driver.status();
  }

  onStatus(listener: (status: DeviceStatus) => void): () => void {
    return this.driver.onStatus(listener);
  }

  cardPresent(): boolean {
    return this.#present;
  }

  readCard(signal: AbortSignal): Promise<Result<IdCardRecord, IdReadFailure>> {
    return this.#using(() => this.#readCard(signal));
  }

  waitForRemoval(signal: AbortSignal): Promise<void> {
    return this.#using(() => this.#waitForRemoval(signal));
  }

  async #using<T>(operation: () => Promise<T>): Promise<T> {
    this.#busy++;
    try {
      return await operation();
    } finally {
      this.#busy--;
      this.#lastUsed = performance.now();
    }
  }

  async #checkHealth(): Promise<void> {
    if (this.#busy > 0 || this.driver.line.state.state !== 'open') return;
    if (performance.now() - this.#lastUsed < this.#timing.healthCheckMs) return;
    // The outcome lands in the driver's status (ready / fault / disconnected); nothing else to do.
    await this.#using(() => this.driver.readSamId());
  }

  async #readCard(signal: AbortSignal): Promise<Result<IdCardRecord, IdReadFailure>> {
    let misreads = 0;
    for (;;) {
      signal.throwIfAborted();
      const found = await this.driver.findCard(signal);
      if (!found.ok && found.error.kind === 'noCard') {
        this.#present = false;
        misreads = 0;
        await sleep(this.#timing.cardPollMs, signal);
        continue;
      }
      if (found.ok) this.#present = true;
      const selected = found.ok ? await this.driver.selectCard(signal) : found;
      const read = selected.ok ? await this.driver.readTextAndPhoto(signal) : selected;
      if (!read.ok) {
        if (read.error.kind === 'noCard' || read.error.kind === 'moveCard') {
          if (++misreads >= this.#timing.maxMisreads)
            return this.#outcome(err({ kind: 'moveCard' }));
          await sleep(this.#timing.cardPollMs, signal);
          continue;
        }
        const stop = await this.#stopOn(read.error, signal);
        if (stop) return stop;
        continue;
      }
      const { text, photo } = read.value;
      const record = decodeIdText(text);
      text.fill(0);
      photo.fill(0);
      return this.#outcome(record);
    }
  }

  async #waitForRemoval(signal: AbortSignal): Promise<void> {
    let absent = 0;
    for (;;) {
      signal.throwIfAborted();
      const present = await this.#probe(signal);
      if (present === false) {
        if (++absent >= this.#timing.removalConfirmations) {
          this.#present = false;
          return;
        }
      } else absent = 0;
      await sleep(this.#timing.cardPollMs, signal);
    }
  }

  /** For diagnostics: the reader's SAM id (not personal data). */
  readSamId(signal?: AbortSignal): Promise<Result<string, Gat467Failure>> {
    return this.driver.readSamId(signal);
  }

  async close(): Promise<void> {
    if (this.#healthTimer) clearInterval(this.#healthTimer);
    this.#healthTimer = null;
    await this.driver.line.stop();
  }

  /**
   * Is a card on the reader? A card that has been read may no longer answer "find" on some
   * readers (L: it stays selected), so a failed find is asked again with "select".
   * Null when the reader cannot tell (fault, unplugged): not a removal.
   */
  async #probe(signal: AbortSignal): Promise<boolean | null> {
    const found = await this.driver.findCard(signal);
    if (found.ok) return (this.#present = true);
    if (found.error.kind !== 'noCard') return null;
    const selected = await this.driver.selectCard(signal);
    if (selected.ok) return (this.#present = true);
    return selected.error.kind === 'noCard' || selected.error.kind === 'moveCard' ? false : null;
  }

  /** A failure that ends readCard, or null to keep waiting (the reader came back). */
  async #stopOn(
    failure: Gat467Failure,
    signal: AbortSignal,
  ): Promise<Result<never, IdReadFailure> | null> {
    if (failure.kind === 'notGenuine') return this.#outcome(err({ kind: 'notGenuine' }));
    if (failure.kind === 'readerFault' && failure.code === 'disconnected') {
      if (await this.driver.line.whenOpen(this.#timing.reconnectGraceMs, signal)) return null;
    }
    const detail = failure.kind === 'readerFault' ? failure.detail : failure.kind;
    return this.#outcome(err({ kind: 'readerFault', detail }));
  }

  #outcome<T extends Result<IdCardRecord, IdReadFailure>>(result: T): T {
    if (result.ok)
      this.#log.info(
        { event: 'id_reader.read', ok: true, id: maskIdNumber(result.value.idNumber) },
        'ID card read',
      );
    else
      this.#log.warn(
        {
          event: 'id_reader.read',
          ok: false,
          error: result.error.kind,
          ...('detail' in result.error ? { detail: result.error.detail } : {}),
        },
        'ID card not read',
      );
    return result;
  }
}
