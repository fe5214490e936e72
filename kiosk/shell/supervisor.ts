/**
 * Supervision of the host process by the Electron shell.
 *
 * The host owns the truth (flows, devices, journal) and recovers from its journal on start, so
 * the shell's job is simple and must be dependable: start it, learn its URL from its ready line,
 * restart it when it dies, back off when it keeps dying, and after too many fast failures show
 * "out of service" instead of flapping in front of a resident. On quit: SIGTERM, then SIGKILL.
 *
 * The logic takes its process spawner and clock as parameters, so tests drive it without
 * processes or real time. `spawnNodeHost` is the real spawner (node:child_process only; the host
 * runs under plain Node, not Electron, because native addons are built for Node's ABI).
 */
import { spawn as spawnProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { hostOrigin } from './policy.ts';

/** The line the host prints on stdout once it serves the UI: `MASHANG_READY {"url":"…"}`. */
export const READY_PREFIX = 'MASHANG_READY ';

/** The host's URL from its ready line, or null for any other line or a non-loopback URL. */
export function parseReadyLine(line: string): string | null {
  if (!line.startsWith(READY_PREFIX)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(line.slice(READY_PREFIX.length));
  } catch {
    return null;
  }
  if (typeof payload !== 'object' || payload === null || !('url' in payload)) return null;
  const { url } = payload;
  return typeof url === 'string' && hostOrigin(url) !== null ? url : null;
}

/** A running host, as far as the supervisor needs to know it. */
export interface HostChild {
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
}

/** What a spawned host reports back; `exit` is called exactly once. */
export interface HostListeners {
  line(text: string): void;
  exit(code: number | null, signal: string | null): void;
}

export type SpawnHost = (listeners: HostListeners) => HostChild;

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface SupervisorTimings {
  /** Delay before the first restart after a crash; doubles with each fast failure in a row. */
  initialBackoffMs: number;
  /** Cap of the restart delay. */
  maxBackoffMs: number;
  /** A host that was ready this long before dying was healthy: its crash starts a new count. */
  stableAfterMs: number;
  /** Fast failures in a row (crash before ready, or soon after) before going out of service. */
  maxFastFailures: number;
  /** A host that has not printed its ready line by then is killed (and counts as a failure). */
  readyTimeoutMs: number;
  /** Between SIGTERM and SIGKILL, on quit or when a host is killed for not becoming ready. */
  stopGraceMs: number;
  /** Out of service, try again after this long (an unattended kiosk may heal, e.g. a device
   *  plugged back in); null stays out of service until the shell restarts. */
  retryAfterGiveUpMs: number | null;
}

export const DEFAULT_TIMINGS: SupervisorTimings = {
  initialBackoffMs: 1_000,
  maxBackoffMs: 30_000,
  stableAfterMs: 60_000,
  maxFastFailures: 8,
  readyTimeoutMs: 30_000,
  stopGraceMs: 5_000,
  retryAfterGiveUpMs: 10 * 60_000,
};

/** Restart delay after `failures` fast failures in a row (1, 2, …): 1 s, 2 s, 4 s … capped. */
export function backoffDelay(failures: number, timings: SupervisorTimings): number {
  const exponent = Math.max(0, failures - 1);
  return Math.min(timings.maxBackoffMs, timings.initialBackoffMs * 2 ** exponent);
}

export type SupervisorEvent =
  | { type: 'spawned'; attempt: number }
  | { type: 'ready'; url: string }
  | { type: 'exited'; code: number | null; signal: string | null; upMs: number | null }
  | { type: 'restarting'; inMs: number; failures: number }
  | { type: 'badReadyLine'; line: string }
  | { type: 'readyTimeout' }
  | { type: 'gaveUp'; failures: number; retryInMs: number | null }
  | { type: 'stopped' };

export interface SupervisorOptions {
  spawn: SpawnHost;
  clock?: Clock;
  timings?: Partial<SupervisorTimings>;
  /** Every state change, for the window (ready → load the UI; gaveUp → out of service) and logs. */
  onEvent(event: SupervisorEvent): void;
}

export type SupervisorState =
  'idle' | 'starting' | 'ready' | 'waiting' | 'gaveUp' | 'stopping' | 'stopped';

export class HostSupervisor {
  readonly #spawn: SpawnHost;
  readonly #clock: Clock;
  readonly #timings: SupervisorTimings;
  readonly #emit: (event: SupervisorEvent) => void;

  #state: SupervisorState = 'idle';
  #child: HostChild | null = null;
  #readyAt: number | null = null;
  #fastFailures = 0;
  #attempts = 0;
  /** The one pending timer: restart delay, ready timeout or give-up retry. */
  #timer: unknown = null;
  #killTimer: unknown = null;
  #stopped: Promise<void> | null = null;
  #resolveStopped: (() => void) | null = null;

  constructor(options: SupervisorOptions) {
    this.#spawn = options.spawn;
    this.#clock = options.clock ?? systemClock;
    this.#timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.#emit = options.onEvent;
  }

  get state(): SupervisorState {
    return this.#state;
  }

  /** Fast failures in a row so far (0 after a healthy run). */
  get fastFailures(): number {
    return this.#fastFailures;
  }

  start(): void {
    if (this.#state !== 'idle') throw new Error(`supervisor already ${this.#state}`);
    this.#launch();
  }

  /** Stops the host (SIGTERM, SIGKILL after the grace period) and never restarts it. */
  stop(): Promise<void> {
    if (this.#stopped) return this.#stopped;
    this.#clearTimer();
    const child = this.#child;
    if (child === null) {
      this.#state = 'stopped';
      this.#emit({ type: 'stopped' });
      this.#stopped = Promise.resolve();
      return this.#stopped;
    }
    this.#state = 'stopping';
    this.#stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
    this.#terminate(child, () => {
      // Not even SIGKILL got an exit back (a zombie we cannot reap): do not hold the quit hostage.
      this.#finishStop();
    });
    return this.#stopped;
  }

  #launch(): void {
    this.#state = 'starting';
    this.#readyAt = null;
    this.#attempts += 1;
    let exited = false;
    const listeners: HostListeners = {
      line: (text) => {
        if (!exited && this.#child === child) this.#onLine(text);
      },
      exit: (code, signal) => {
        if (exited) return;
        exited = true;
        this.#onExit(child, code, signal);
      },
    };
    // `child` is assigned before any listener can run: spawners report asynchronously.
    const child: HostChild = this.#spawn(listeners);
    this.#child = child;
    this.#emit({ type: 'spawned', attempt: this.#attempts });
    this.#setTimer(this.#timings.readyTimeoutMs, () => {
      this.#emit({ type: 'readyTimeout' });
      this.#terminate(child);
    });
  }

  #onLine(text: string): void {
    if (this.#state !== 'starting' || !text.startsWith(READY_PREFIX)) return;
    const url = parseReadyLine(text);
    if (url === null) {
      // A host that announces something the shell may not show is as good as broken.
      this.#emit({ type: 'badReadyLine', line: text });
      this.#clearTimer();
      if (this.#child) this.#terminate(this.#child);
      return;
    }
    this.#clearTimer();
    this.#state = 'ready';
    this.#readyAt = this.#clock.now();
    this.#emit({ type: 'ready', url });
  }

  #onExit(child: HostChild, code: number | null, signal: string | null): void {
    if (this.#child !== child) return;
    this.#child = null;
    this.#clearKillTimer();
    const upMs = this.#readyAt === null ? null : this.#clock.now() - this.#readyAt;
    this.#emit({ type: 'exited', code, signal, upMs });
    if (this.#state === 'stopping') {
      this.#finishStop();
      return;
    }
    this.#clearTimer();
    if (upMs !== null && upMs >= this.#timings.stableAfterMs) this.#fastFailures = 0;
    this.#fastFailures += 1;
    if (this.#fastFailures >= this.#timings.maxFastFailures) {
      this.#giveUp();
      return;
    }
    const inMs = backoffDelay(this.#fastFailures, this.#timings);
    this.#state = 'waiting';
    this.#emit({ type: 'restarting', inMs, failures: this.#fastFailures });
    this.#setTimer(inMs, () => this.#launch());
  }

  #giveUp(): void {
    this.#state = 'gaveUp';
    const retryInMs = this.#timings.retryAfterGiveUpMs;
    this.#emit({ type: 'gaveUp', failures: this.#fastFailures, retryInMs });
    if (retryInMs !== null) {
      this.#setTimer(retryInMs, () => {
        this.#fastFailures = 0;
        this.#launch();
      });
    }
  }

  /** SIGTERM now, SIGKILL after the grace period; `afterKill` runs a grace period after that. */
  #terminate(child: HostChild, afterKill?: () => void): void {
    this.#clearKillTimer();
    safeKill(child, 'SIGTERM');
    if (this.#child !== child) return; // it exited at once
    this.#killTimer = this.#clock.setTimeout(() => {
      safeKill(child, 'SIGKILL');
      this.#killTimer = afterKill
        ? this.#clock.setTimeout(afterKill, this.#timings.stopGraceMs)
        : null;
    }, this.#timings.stopGraceMs);
  }

  #finishStop(): void {
    this.#clearKillTimer();
    this.#child = null;
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#emit({ type: 'stopped' });
    this.#resolveStopped?.();
  }

  #setTimer(ms: number, callback: () => void): void {
    this.#clearTimer();
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      callback();
    }, ms);
  }

  #clearTimer(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #clearKillTimer(): void {
    if (this.#killTimer !== null) this.#clock.clearTimeout(this.#killTimer);
    this.#killTimer = null;
  }
}

function safeKill(child: HostChild, signal: 'SIGTERM' | 'SIGKILL'): void {
  try {
    child.kill(signal);
  } catch {
    // Already gone: its exit is on its way.
  }
}

export interface NodeHostOptions {
  /** The Node.js executable (not Electron's: the host's native addons are built for Node). */
  nodePath: string;
  /** Arguments after the node executable, e.g. [`<repo>/kiosk/cli/mashang.mjs`, 'host']. */
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where the host's stdout lines go after the supervisor has seen them (default: our stdout). */
  passThrough?: (line: string) => void;
}

/**
 * The real spawner: a plain `node` child whose stdout is read line by line (and passed through)
 * and whose stderr goes straight to ours. A child that cannot be spawned at all (ENOENT) is
 * reported as an exit, so it is retried and backed off like any crash.
 */
export function spawnNodeHost(options: NodeHostOptions): SpawnHost {
  const passThrough = options.passThrough ?? ((line: string) => process.stdout.write(`${line}\n`));
  return (listeners) => {
    const child = spawnProcess(options.nodePath, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let reported = false;
    const reportExit = (code: number | null, signal: string | null): void => {
      if (reported) return;
      reported = true;
      listeners.exit(code, signal);
    };
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      passThrough(line);
      listeners.line(line);
    });
    // 'close' rather than 'exit': stdout is drained, so a ready line is never lost behind an exit.
    child.on('close', (code, signal) => reportExit(code, signal));
    child.on('error', (error) => {
      if (child.pid === undefined) {
        process.stderr.write(`mashang shell: cannot start the host: ${error.message}\n`);
        reportExit(null, null);
      }
    });
    return {
      kill: (signal) => {
        child.kill(signal);
      },
    };
  };
}
