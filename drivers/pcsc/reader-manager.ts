/**
 * The kiosk's PC/SC readers, by role (the chip encoder's contact station, the staff card reader).
 *
 * It keeps one context on the PC/SC service and turns whatever happens — pcscd absent at start,
 * stopped, killed, restarted; readers plugged and unplugged; cards inserted, removed, mute — into
 * one status per role. Only `ready` carries a card handle, so nothing can talk to a card that is
 * not there. It recovers by itself: a lost service is retried on a timer (never a busy loop, and
 * never a blocking wait on the event loop) with a new context each time, as pcsclite requires.
 *
 * Readers whose names say they are test readers (vpcd's `Virtual PCD`, the in-process simulator)
 * are refused unless the kiosk is configured as simulated: on a production kiosk, a virtual
 * reader is a network port through which anyone could present any card.
 */
import { err, ok, type Result } from '../common/result.ts';
import { describeFault, type CardFault } from './card-fault.ts';
import { abortError, PcscCardSession, type CardSession, type SessionHost } from './card-session.ts';
import { PCSC_EVENTS, silentLogger, type PcscLogger } from './log-events.ts';
import { PcscliteTransport } from './pcsclite-transport.ts';
import type {
  Disposition,
  PcscTransport,
  ReaderState,
  TransportContext,
  TransportReader,
} from './transport.ts';

/** Reader names of test stacks: vsmartcard's vpcd (PROTOCOLS.md §5) and our in-process readers. */
export const TEST_READER_NAMES: readonly RegExp[] = [
  /^Virtual PCD\b/,
  /^Mashang Simulated Reader\b/,
];

/**
 * How long one exchange may take before the card is declared mute. The slowest legitimate
 * command we know of is an on-card key operation (EXTERNAL/INTERNAL AUTHENTICATE, ECDSA signing
 * on a staff card), well under a second on current chips (confidence L: confirm on the real
 * card stock and readers).
 */
export const EXCHANGE_TIMEOUT_MS = 5_000;

/**
 * Delays between attempts to reach a lost PC/SC service. pcscd restarts in about a second; after
 * that, one attempt every 2 s costs nothing (a refused connect on a Unix socket) and a returning
 * service is noticed soon enough for a technician standing at the kiosk.
 */
export const RECONNECT_DELAYS_MS: readonly number[] = [100, 250, 500, 1_000, 2_000];

export type CardErrorReason =
  /** The card gives no ATR (inserted the wrong way, dead chip). */
  | 'mute'
  /** An exchange with it timed out or was abandoned: it may or may not have executed a command. */
  | 'unknown_state'
  /** A native exchange is still running on this reader (a mute card): nothing else can use it. */
  | 'reader_busy';

export type ReaderStatus =
  | { state: 'no_service'; detail: string }
  | { state: 'no_reader'; refused: readonly string[] }
  | { state: 'no_card'; reader: string }
  | { state: 'card_error'; reader: string; reason: CardErrorReason }
  | { state: 'ready'; reader: string; card: CardHandle };

/** The card in a reader, for this insertion only: after a remove and insert, a new handle is needed. */
export interface CardHandle {
  readonly reader: string;
  readonly atr: Uint8Array;
  /** Which insertion this is (pcsc-lite's event count): tells two cards in the same reader apart. */
  readonly insertion: number;
  /** Opens an exclusive session: nothing else touches the card until the session is closed. */
  open(signal: AbortSignal, options?: SessionOptions): Promise<Result<CardSession, CardFault>>;
}

export interface SessionOptions {
  exchangeTimeoutMs?: number;
  /** What `close()` does to the card: `unpower` after personalisation, `reset` to drop a verified PIN. */
  closeDisposition?: Disposition;
}

export interface ReaderManagerOptions {
  transport: PcscTransport;
  /** True only when the kiosk is configured as simulated (see TEST_READER_NAMES). */
  allowVirtualReaders: boolean;
  logger?: PcscLogger;
  exchangeTimeoutMs?: number;
  reconnectDelaysMs?: readonly number[];
}

export interface ReaderInfo {
  name: string;
  role: string | null;
  refused: boolean;
  present: boolean;
  atr: Uint8Array;
}

interface ReaderEntry {
  transport: TransportReader;
  state: ReaderState | null;
  /** The insertion (event count) whose card an abandoned exchange left in unknown state. */
  unknownAt: number | null;
  /** The insertion whose card did not answer its reset on connect. */
  muteAt: number | null;
  /** Native calls still running after they were given up on; the reader takes nothing else. */
  stuck: number;
  session: boolean;
}

type StatusListener = (role: string, status: ReaderStatus) => void;

export class ReaderManager {
  readonly #transport: PcscTransport;
  readonly #allowVirtual: boolean;
  readonly #logger: PcscLogger;
  readonly #timeoutMs: number;
  readonly #delays: readonly number[];
  readonly #roles = new Map<string, RegExp>();
  readonly #readers = new Map<string, ReaderEntry>();
  readonly #listeners = new Set<StatusListener>();
  readonly #lastKeys = new Map<string, string>();
  readonly #refusedLogged = new Set<string>();
  #context: TransportContext | null = null;
  #generation = 0;
  #serviceDetail = 'not started';
  #attempt = 0;
  #timer: NodeJS.Timeout | null = null;
  #started = false;
  #closed = false;

  constructor(options: ReaderManagerOptions) {
    this.#transport = options.transport;
    this.#allowVirtual = options.allowVirtualReaders;
    this.#logger = options.logger ?? silentLogger;
    this.#timeoutMs = options.exchangeTimeoutMs ?? EXCHANGE_TIMEOUT_MS;
    this.#delays = options.reconnectDelaysMs ?? RECONNECT_DELAYS_MS;
  }

  get transportDescription(): string {
    return this.#transport.description;
  }

  /** A role is served by the first reader (by name) matching `pattern` that no earlier role took. */
  addRole(role: string, pattern: RegExp | string): void {
    if (this.#roles.has(role)) throw new Error(`PC/SC role "${role}" is already configured`);
    this.#roles.set(role, typeof pattern === 'string' ? new RegExp(pattern) : pattern);
    this.#publish();
  }

  /** Connects to the PC/SC service (or schedules retries). Idempotent. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#connect();
  }

  status(role: string): ReaderStatus {
    if (!this.#roles.has(role)) throw new Error(`unknown PC/SC role "${role}"`);
    return this.#derive(role, this.#assignments());
  }

  onStatus(listener: StatusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves with the role's status once `accept` takes it; rejects when the signal aborts. */
  waitFor(
    role: string,
    accept: (status: ReaderStatus) => boolean,
    signal: AbortSignal,
  ): Promise<ReaderStatus> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(abortError(signal));
      const now = this.status(role);
      if (accept(now)) return resolve(now);
      const onAbort = () => {
        stop();
        reject(abortError(signal));
      };
      const stop = this.onStatus((changed, status) => {
        if (changed !== role || !accept(status)) return;
        stop();
        signal.removeEventListener('abort', onAbort);
        resolve(status);
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Waits up to `timeoutMs` for a card to show up in the role's reader — through a reader being
   * listed, a service reconnecting, a busy reader freeing itself — then returns the status as it
   * is: `ready`, a card error, or whatever stood in the way when time ran out. `notInsertion`
   * skips a card already tried (pcscd may not have noticed it leave yet).
   */
  async waitForCard(
    role: string,
    signal: AbortSignal,
    timeoutMs: number,
    options: { notInsertion?: number } = {},
  ): Promise<ReaderStatus> {
    const settled = (s: ReaderStatus) =>
      (s.state === 'ready' && s.card.insertion !== options.notInsertion) ||
      (s.state === 'card_error' && s.reason !== 'reader_busy');
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    try {
      return await this.waitFor(role, settled, AbortSignal.any([signal, deadline.signal]));
    } catch (error) {
      if (signal.aborted) throw error;
      return this.status(role);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every reader the service lists, for the technician's screen. */
  readers(): ReaderInfo[] {
    const assigned = this.#assignments();
    const roleOf = new Map([...assigned].map(([role, name]) => [name, role]));
    return [...this.#readers.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, entry]) => ({
        name,
        role: roleOf.get(name) ?? null,
        refused: this.#refused(name),
        present: entry.state?.present ?? false,
        atr: entry.state?.atr ?? new Uint8Array(),
      }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#dropContext('closed');
    this.#publish();
    this.#listeners.clear();
  }

  // ---- service lifecycle ------------------------------------------------------------------

  #connect(): void {
    this.#timer = null;
    if (this.#closed) return;
    const generation = ++this.#generation;
    const live = () => generation === this.#generation && !this.#closed;
    const opened = this.#transport.open({
      readerAdded: (reader) => live() && this.#readerAdded(reader),
      readerState: (name, state) => live() && this.#readerState(name, state),
      readerRemoved: (name) => live() && this.#readerRemoved(name),
      serviceLost: (fault) => live() && this.#serviceLost(fault),
    });
    if (!opened.ok) {
      const detail = describeFault(opened.error);
      if (this.#attempt === 0)
        this.#logger.warn(
          { event: PCSC_EVENTS.serviceDown, detail },
          'PC/SC service unavailable; retrying',
        );
      this.#serviceDetail = detail;
      this.#scheduleReconnect();
      this.#publish();
      return;
    }
    this.#context = opened.value;
    this.#attempt = 0;
    this.#serviceDetail = '';
    this.#logger.info(
      { event: PCSC_EVENTS.serviceUp, transport: this.#transport.description },
      'PC/SC service connected',
    );
    this.#publish();
  }

  #scheduleReconnect(): void {
    const delay = this.#delays[Math.min(this.#attempt, this.#delays.length - 1)] ?? 1_000;
    this.#attempt++;
    this.#timer = setTimeout(() => this.#connect(), delay);
    // A kiosk keeps running for other reasons; a command-line tool must be free to exit.
    this.#timer.unref();
  }

  #serviceLost(fault: CardFault): void {
    const detail = describeFault(fault);
    this.#logger.warn(
      { event: PCSC_EVENTS.serviceDown, detail },
      'PC/SC service lost; reconnecting',
    );
    this.#dropContext(detail);
    this.#attempt = 0;
    this.#scheduleReconnect();
    this.#publish();
  }

  #dropContext(detail: string): void {
    this.#generation++;
    this.#serviceDetail = detail;
    const context = this.#context;
    this.#context = null;
    this.#readers.clear();
    this.#refusedLogged.clear();
    context?.close();
  }

  // ---- readers ----------------------------------------------------------------------------

  #readerAdded(reader: TransportReader): void {
    this.#readers.set(reader.name, {
      transport: reader,
      state: null,
      unknownAt: null,
      muteAt: null,
      stuck: 0,
      session: false,
    });
    this.#logger.info({ event: PCSC_EVENTS.readerAdded, reader: reader.name }, 'reader added');
    if (this.#refused(reader.name) && !this.#refusedLogged.has(reader.name)) {
      this.#refusedLogged.add(reader.name);
      this.#logger.error(
        { event: PCSC_EVENTS.readerRefused, reader: reader.name },
        'test reader refused: this kiosk is not configured as simulated',
      );
    }
    this.#publish();
  }

  #readerState(name: string, state: ReaderState): void {
    const entry = this.#readers.get(name);
    if (!entry) return;
    entry.state = state;
    this.#publish();
  }

  #readerRemoved(name: string): void {
    if (!this.#readers.delete(name)) return;
    this.#logger.info({ event: PCSC_EVENTS.readerRemoved, reader: name }, 'reader removed');
    this.#publish();
  }

  #refused(name: string): boolean {
    return !this.#allowVirtual && TEST_READER_NAMES.some((pattern) => pattern.test(name));
  }

  /** Role → reader name, each reader serving at most one role (in the order roles were added). */
  #assignments(): Map<string, string> {
    const names = [...this.#readers.keys()].filter((name) => !this.#refused(name)).sort();
    const taken = new Set<string>();
    const out = new Map<string, string>();
    for (const [role, pattern] of this.#roles) {
      const name = names.find((n) => !taken.has(n) && pattern.test(n));
      if (name) {
        taken.add(name);
        out.set(role, name);
      }
    }
    return out;
  }

  #derive(role: string, assignments: Map<string, string>): ReaderStatus {
    if (!this.#context) return { state: 'no_service', detail: this.#serviceDetail };
    const name = assignments.get(role);
    if (!name) {
      const pattern = this.#roles.get(role)!;
      const refused = [...this.#readers.keys()]
        .filter((n) => this.#refused(n) && pattern.test(n))
        .sort();
      return { state: 'no_reader', refused };
    }
    const entry = this.#readers.get(name)!;
    const state = entry.state;
    if (!state || !state.present) return { state: 'no_card', reader: name };
    if (state.mute || entry.muteAt === state.events)
      return { state: 'card_error', reader: name, reason: 'mute' };
    if (entry.unknownAt === state.events)
      return { state: 'card_error', reader: name, reason: 'unknown_state' };
    if (entry.stuck > 0) return { state: 'card_error', reader: name, reason: 'reader_busy' };
    return { state: 'ready', reader: name, card: this.#handle(name, entry, state) };
  }

  #publish(): void {
    const assignments = this.#assignments();
    for (const role of this.#roles.keys()) {
      const status = this.#derive(role, assignments);
      const key = statusKey(status, this.#readers);
      if (this.#lastKeys.get(role) === key) continue;
      this.#lastKeys.set(role, key);
      this.#logger.info(
        {
          event: PCSC_EVENTS.roleStatus,
          role,
          state: status.state,
          ...('reader' in status ? { reader: status.reader } : {}),
          ...('reason' in status ? { reason: status.reason } : {}),
        },
        `${role}: ${status.state}`,
      );
      for (const listener of [...this.#listeners]) listener(role, status);
    }
  }

  // ---- sessions ---------------------------------------------------------------------------

  #handle(name: string, entry: ReaderEntry, state: ReaderState): CardHandle {
    const insertion = state.events;
    const generation = this.#generation;
    return {
      reader: name,
      atr: state.atr,
      insertion,
      open: (signal, options = {}) =>
        this.#open(name, entry, insertion, generation, signal, options),
    };
  }

  async #open(
    name: string,
    entry: ReaderEntry,
    insertion: number,
    generation: number,
    signal: AbortSignal,
    options: SessionOptions,
  ): Promise<Result<CardSession, CardFault>> {
    if (signal.aborted) throw abortError(signal);
    if (generation !== this.#generation || this.#readers.get(name) !== entry)
      return err(this.#context ? { kind: 'noReader' } : { kind: 'noService' });
    if (!entry.state?.present) return err({ kind: 'noCard' });
    if (entry.state.events !== insertion) return err({ kind: 'removed' });
    if (entry.unknownAt === insertion) return err({ kind: 'unknownState' });
    if (entry.session || entry.stuck > 0) return err({ kind: 'busy' });
    entry.session = true;
    const timeoutMs = options.exchangeTimeoutMs ?? this.#timeoutMs;

    const connecting = entry.transport.connect();
    const connected = await new Promise<Awaited<typeof connecting> | 'timeout' | 'aborted'>(
      (resolve) => {
        const timer = setTimeout(() => resolve('timeout'), timeoutMs);
        const onAbort = () => resolve('aborted');
        signal.addEventListener('abort', onAbort, { once: true });
        void connecting.then((result) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve(result);
        });
      },
    );
    if (connected === 'timeout' || connected === 'aborted') {
      // The connect may still succeed; release the card when it does.
      entry.session = false;
      this.#abandon(
        entry,
        insertion,
        connecting.then((r) => (r.ok ? entry.transport.disconnect('reset') : undefined)),
        connected,
        'connect',
      );
      if (connected === 'aborted') throw abortError(signal);
      return err({ kind: 'timeout', afterMs: timeoutMs });
    }
    if (!connected.ok) {
      entry.session = false;
      if (connected.error.kind === 'mute') {
        entry.muteAt = insertion;
        this.#publish();
      }
      return connected;
    }
    const host: SessionHost = {
      transport: entry.transport,
      abandon: (pending, why, header) => {
        entry.session = false;
        this.#abandon(
          entry,
          insertion,
          pending.then(() => entry.transport.disconnect('reset')),
          why,
          header,
        );
      },
      released: (disconnected) => {
        // The next session waits for this disconnect: both run on the same native handle.
        void disconnected.then(() => {
          entry.session = false;
          this.#publish();
        });
      },
    };
    return ok(
      new PcscCardSession(host, {
        reader: name,
        atr: entry.state?.atr ?? new Uint8Array(),
        protocol: connected.value.protocol,
        exchangeTimeoutMs: timeoutMs,
        closeDisposition: options.closeDisposition ?? 'reset',
      }),
    );
  }

  /** A native call was given up on: the card is of unknown state, the reader busy until it settles. */
  #abandon(
    entry: ReaderEntry,
    insertion: number,
    pending: Promise<unknown>,
    why: string,
    header: string,
  ): void {
    entry.unknownAt = insertion;
    entry.stuck++;
    const event =
      why === 'timeout'
        ? PCSC_EVENTS.exchangeTimeout
        : why === 'aborted'
          ? PCSC_EVENTS.exchangeAborted
          : PCSC_EVENTS.malformedResponse;
    this.#logger.warn(
      { event, reader: entry.transport.name, command: header },
      `exchange abandoned (${why}); card of unknown state`,
    );
    this.#publish();
    void pending.then(
      () => this.#settled(entry),
      () => this.#settled(entry),
    );
  }

  #settled(entry: ReaderEntry): void {
    entry.stuck--;
    this.#logger.info(
      { event: PCSC_EVENTS.stuckSettled, reader: entry.transport.name },
      'abandoned exchange settled; reader free',
    );
    this.#publish();
  }
}

/**
 * What makes two statuses different for listeners: the state, the reader, the reason, the refused
 * readers, and — for a card — which insertion it is (a new card is news even in the same state).
 * The service detail is not: retries failing with another code are not a change.
 */
function statusKey(status: ReaderStatus, readers: Map<string, ReaderEntry>): string {
  switch (status.state) {
    case 'no_service':
      return 'no_service';
    case 'no_reader':
      return `no_reader|${status.refused.join(',')}`;
    case 'no_card':
      return `no_card|${status.reader}`;
    case 'card_error':
    case 'ready':
      return `${status.state}|${status.reader}|${status.state === 'card_error' ? status.reason : ''}|${readers.get(status.reader)?.state?.events ?? ''}`;
  }
}

/**
 * A manager on the real stack (pcsclite → pcscd) unless another transport is given. One per
 * kiosk: the chip encoder and the staff card reader share it, each under its own role.
 */
export function createPcscReaderManager(
  options: Omit<ReaderManagerOptions, 'transport'> & { transport?: PcscTransport },
): ReaderManager {
  return new ReaderManager({ ...options, transport: options.transport ?? new PcscliteTransport() });
}
