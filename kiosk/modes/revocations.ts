/**
 * The card centre's staff-card revocation list, as the kiosk keeps it: fetched at start and every
 * `refreshMs`, kept in the data directory so a kiosk restarted without its network still checks
 * cards against the last list it had. A fetch that fails keeps the list it has (and says so in the
 * log); a kiosk that never had one refuses every card ("revocation list unavailable"): a card is
 * not believed unchecked.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RevocationList as ReaderRevocationList } from '../../drivers/staff-card/staff-card-reader.ts';
import type { CardCentre, RevocationList } from '../card-centre/card-centre.ts';
import type { Logger } from '../log/logger.ts';

export const REVOCATIONS_FILE = 'staff-revocations.json';
/** One fetch may take this long before the cached list is used. */
export const REVOCATION_FETCH_MS = 10_000;

export class RevocationListUnavailableError extends Error {}

export class RevocationCache {
  #list: RevocationList | null = null;
  #fetchedAt: string | null = null;
  #centre: Pick<CardCentre, 'staffRevocations'> | null = null;
  #file: string | null = null;
  #logger: Logger | null = null;
  #timer: NodeJS.Timeout | null = null;
  #inflight: Promise<boolean> | null = null;

  /** Loads the kept list, fetches a fresh one and keeps fetching every `refreshMs`. */
  start(options: {
    centre: Pick<CardCentre, 'staffRevocations'>;
    dataDir: string;
    refreshMs: number;
    logger: Logger;
  }): void {
    this.#centre = options.centre;
    this.#logger = options.logger;
    this.#file = path.join(options.dataDir, REVOCATIONS_FILE);
    try {
      const kept = JSON.parse(readFileSync(this.#file, 'utf8')) as {
        list?: RevocationList;
        fetchedAt?: string;
      };
      if (kept.list && Array.isArray(kept.list.revoked)) {
        this.#list = kept.list;
        this.#fetchedAt = kept.fetchedAt ?? null;
      }
    } catch {
      // None kept yet (or unreadable): the first fetch makes one.
    }
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), options.refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  get fetchedAt(): string | null {
    return this.#fetchedAt;
  }

  /** Fetches the list; true when a fresh one was had. Concurrent callers share one fetch. */
  refresh(): Promise<boolean> {
    this.#inflight ??= this.#fetch().finally(() => (this.#inflight = null));
    return this.#inflight;
  }

  /** What the staff card reader checks against: the list as last fetched (one try to fetch if none). */
  async list(): Promise<ReaderRevocationList> {
    if (!this.#list) await this.refresh();
    if (!this.#list)
      throw new RevocationListUnavailableError(
        'no staff-card revocation list has been had from the card centre',
      );
    return this.#list;
  }

  async #fetch(): Promise<boolean> {
    const centre = this.#centre;
    if (!centre) return false;
    const result = await centre
      .staffRevocations(AbortSignal.timeout(REVOCATION_FETCH_MS))
      .catch((error: unknown) => ({
        ok: false as const,
        error: { kind: 'unreachable' as const, detail: String((error as Error).message ?? error) },
      }));
    if (!result.ok) {
      this.#logger?.warn(
        { event: 'staff.revocations_stale', error: result.error.kind, fetchedAt: this.#fetchedAt },
        this.#list
          ? 'revocation list not refreshed: the kept one is used'
          : 'no revocation list: staff cards are refused until one is had',
      );
      return false;
    }
    this.#list = result.value;
    this.#fetchedAt = new Date().toISOString();
    this.#logger?.info(
      {
        event: 'staff.revocations_fetched',
        version: result.value.version,
        revoked: result.value.revoked.length,
      },
      'staff-card revocation list fetched',
    );
    if (this.#file) {
      try {
        const temporary = `${this.#file}.tmp`;
        writeFileSync(
          temporary,
          JSON.stringify({ fetchedAt: this.#fetchedAt, list: result.value }),
          { mode: 0o600 },
        );
        renameSync(temporary, this.#file);
      } catch (error) {
        this.#logger?.warn(
          { event: 'staff.revocations_not_kept', err: (error as Error).message },
          'revocation list not written to the data directory',
        );
      }
    }
    return true;
  }
}
