/**
 * Keeps a device line open: opens it, notices when it goes away (unplug, EIO, pty closed) and
 * opens it again with exponential backoff, by whatever its `LineOpener` knows (a port path, a
 * udev by-id link, USB vendor/product/serial). Each state transition is reported once: a
 * reader that stays unplugged for an hour is one `disconnected`, not 3 600 log lines.
 *
 * Transport-agnostic on purpose: serial ports and HID devices (one chunk = one report) both
 * come through it.
 */
import { err, ok, type Result } from '../common/result.ts';
import type { ByteLine, LineOpener } from './byte-line.ts';

export type LinkState =
  | { state: 'connecting' }
  | { state: 'open'; description: string }
  | { state: 'disconnected'; reason: string }
  | { state: 'stopped' };

/**
 * First retry soon (a replug takes a fraction of a second to enumerate), then back off so that
 * an absent device costs next to nothing; capped so that a device plugged back in is found
 * within a few seconds.
 */
export const RECONNECT_BACKOFF = { initialMs: 200, maxMs: 5_000, factor: 2 } as const;
export type Backoff = { initialMs: number; maxMs: number; factor: number };

/** The slice of pino the drivers use; structured fields, never personal data. */
export interface DeviceLog {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
}
export const silentLog: DeviceLog = { info() {}, warn() {} };

export class ReconnectingLine {
  #state: LinkState = { state: 'connecting' };
  #line: ByteLine | null = null;
  #delayMs: number;
  #timer: NodeJS.Timeout | null = null;
  #started = false;
  #opening = false;
  readonly #stateListeners = new Set<(state: LinkState) => void>();
  readonly #dataListeners = new Set<(chunk: Uint8Array) => void>();
  readonly #backoff: Backoff;
  readonly #log: DeviceLog;
  readonly #name: string;

  constructor(
    private readonly openLine: LineOpener,
    options: { name: string; log?: DeviceLog; backoff?: Backoff },
  ) {
    this.#name = options.name;
    this.#log = options.log ?? silentLog;
    this.#backoff = options.backoff ?? RECONNECT_BACKOFF;
    this.#delayMs = this.#backoff.initialMs;
  }

  get state(): LinkState {
    return this.#state;
  }

  /** What the open line is, for `DeviceDescriptor.transport`. */
  get description(): string | null {
    return this.#line?.description ?? null;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#attempt();
  }

  onState(listener: (state: LinkState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    this.#dataListeners.add(listener);
    return () => this.#dataListeners.delete(listener);
  }

  async write(bytes: Uint8Array): Promise<Result<void, { kind: 'disconnected' }>> {
    const line = this.#line;
    if (!line) return err({ kind: 'disconnected' });
    try {
      await line.write(bytes);
      return ok(undefined);
    } catch (error) {
      // EIO after an unplug: serialport also fires `close`, but not every transport does.
      this.#lost(line, `write failed: ${(error as Error).message}`);
      void line.close().catch(() => {});
      return err({ kind: 'disconnected' });
    }
  }

  /** Resolves true once the line is open, false after `timeoutMs` without it. */
  whenOpen(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#state.state === 'open') return Promise.resolve(true);
    if (this.#state.state === 'stopped' || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve, reject) => {
      const done = (value: boolean | Error) => {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        if (value instanceof Error) reject(value);
        else resolve(value);
      };
      const onAbort = () => done(signal!.reason ?? new DOMException('aborted', 'AbortError'));
      const timer = setTimeout(() => done(false), timeoutMs);
      const unsubscribe = this.onState((state) => {
        if (state.state === 'open') done(true);
        if (state.state === 'stopped') done(false);
      });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Forgets the backoff and tries now (a hot-plug event, a technician's "reconnect"). */
  retryNow(): void {
    if (this.#state.state !== 'disconnected') return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#delayMs = this.#backoff.initialMs;
    void this.#attempt();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const line = this.#line;
    this.#line = null;
    this.#setState({ state: 'stopped' });
    await line?.close().catch(() => {});
  }

  async #attempt(): Promise<void> {
    this.#timer = null;
    if (this.#state.state === 'stopped' || this.#opening) return;
    let line: ByteLine;
    this.#opening = true;
    try {
      line = await this.openLine();
    } catch (error) {
      this.#opening = false;
      if (this.#stopped()) return;
      this.#setState({ state: 'disconnected', reason: (error as Error).message });
      this.#schedule();
      return;
    }
    this.#opening = false;
    if (this.#stopped()) {
      await line.close().catch(() => {});
      return;
    }
    this.#line = line;
    line.onData((chunk) => {
      if (this.#line === line) for (const listener of this.#dataListeners) listener(chunk);
    });
    line.onClose((closed) =>
      this.#lost(line, closed.unplugged ? 'unplugged' : (closed.error?.message ?? 'closed')),
    );
    this.#delayMs = this.#backoff.initialMs;
    this.#setState({ state: 'open', description: line.description });
  }

  /** A method, not an inline test: the state changes across the awaits above. */
  #stopped(): boolean {
    return this.#state.state === 'stopped';
  }

  #lost(line: ByteLine, reason: string): void {
    if (this.#line !== line) return;
    this.#line = null;
    if (this.#state.state === 'stopped') return;
    this.#setState({ state: 'disconnected', reason });
    this.#delayMs = this.#backoff.initialMs;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer || this.#state.state === 'stopped') return;
    const delay = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * this.#backoff.factor, this.#backoff.maxMs);
    this.#timer = setTimeout(() => void this.#attempt(), delay);
    // An absent device must not keep a process alive that has nothing else to do.
    this.#timer.unref();
  }

  #setState(next: LinkState): void {
    if (next.state === this.#state.state) return;
    const previous = this.#state;
    this.#state = next;
    const fields = {
      event: 'device.link',
      device: this.#name,
      from: previous.state,
      to: next.state,
      ...('reason' in next ? { reason: next.reason } : {}),
    };
    if (next.state === 'disconnected') this.#log.warn(fields, `${this.#name} disconnected`);
    else this.#log.info(fields, `${this.#name} ${next.state}`);
    for (const listener of this.#stateListeners) listener(next);
  }
}
