import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  DEFAULT_TIMINGS,
  HostSupervisor,
  parseReadyLine,
  spawnNodeHost,
  type Clock,
  type HostChild,
  type HostListeners,
  type SupervisorEvent,
  type SupervisorTimings,
} from './supervisor.ts';

/** A clock whose time moves only when the test says so. */
class ManualClock implements Clock {
  #now = 0;
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Runs every timer due within `ms`, in order, then sets the time to now + ms. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = [...this.#timers.entries()]
        .filter(([, timer]) => timer.at <= target)
        .sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      const [id, timer] = due;
      this.#timers.delete(id);
      this.#now = timer.at;
      timer.callback();
    }
    this.#now = target;
  }

  get pending(): number {
    return this.#timers.size;
  }
}

/** A host process that does what the test tells it to. */
class FakeHost implements HostChild {
  readonly signals: string[] = [];
  exited = false;

  constructor(
    private readonly listeners: HostListeners,
    /** Signals it obeys; SIGKILL is always obeyed. */
    private readonly obeys: readonly string[] = ['SIGTERM'],
  ) {}

  ready(port = 43117): void {
    this.listeners.line('some log line before');
    this.listeners.line(`MASHANG_READY ${JSON.stringify({ url: `http://127.0.0.1:${port}/` })}`);
  }

  say(line: string): void {
    this.listeners.line(line);
  }

  crash(code = 1): void {
    this.exit(code, null);
  }

  kill(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.signals.push(signal);
    if (signal === 'SIGKILL' || this.obeys.includes(signal)) this.exit(null, signal);
  }

  private exit(code: number | null, signal: string | null): void {
    if (this.exited) return;
    this.exited = true;
    this.listeners.exit(code, signal);
  }
}

function harness(timings: Partial<SupervisorTimings> = {}, obeys?: readonly string[]) {
  const clock = new ManualClock();
  const hosts: FakeHost[] = [];
  const events: SupervisorEvent[] = [];
  const supervisor = new HostSupervisor({
    clock,
    timings,
    spawn: (listeners) => {
      const host = new FakeHost(listeners, obeys);
      hosts.push(host);
      return host;
    },
    onEvent: (event) => events.push(event),
  });
  const last = (): FakeHost => {
    const host = hosts.at(-1);
    if (!host) throw new Error('no host spawned');
    return host;
  };
  const of = <T extends SupervisorEvent['type']>(type: T) =>
    events.filter((e): e is Extract<SupervisorEvent, { type: T }> => e.type === type);
  return { clock, hosts, events, supervisor, last, of };
}

describe('the ready line', () => {
  it('gives the host URL', () => {
    expect(parseReadyLine('MASHANG_READY {"url":"http://127.0.0.1:5000/"}')).toBe(
      'http://127.0.0.1:5000/',
    );
  });

  it('is refused when it is malformed or names a non-loopback URL', () => {
    expect(parseReadyLine('MASHANG_READY {"url":"http://evil.example:5000/"}')).toBeNull();
    expect(parseReadyLine('MASHANG_READY {"url":"file:///etc/passwd"}')).toBeNull();
    expect(parseReadyLine('MASHANG_READY {"url":5000}')).toBeNull();
    expect(parseReadyLine('MASHANG_READY not json')).toBeNull();
    expect(parseReadyLine('{"msg":"MASHANG_READY"}')).toBeNull();
  });
});

describe('the restart delay', () => {
  it('doubles with each fast failure and stops at the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, DEFAULT_TIMINGS));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });
});

describe('the host supervisor', () => {
  it('starts the host and reports its URL once it is ready', () => {
    const { supervisor, last, of } = harness();
    supervisor.start();
    expect(supervisor.state).toBe('starting');
    last().ready(43117);
    expect(supervisor.state).toBe('ready');
    expect(of('ready')).toEqual([{ type: 'ready', url: 'http://127.0.0.1:43117/' }]);
  });

  it('restarts a host that crashes, after the first backoff delay', () => {
    const { supervisor, hosts, clock, last, of } = harness({ initialBackoffMs: 1_000 });
    supervisor.start();
    last().ready();
    clock.advance(5_000);
    last().crash(70);
    expect(supervisor.state).toBe('waiting');
    expect(of('restarting')).toEqual([{ type: 'restarting', inMs: 1_000, failures: 1 }]);
    clock.advance(999);
    expect(hosts).toHaveLength(1);
    clock.advance(1);
    expect(hosts).toHaveLength(2);
    last().ready(43200);
    expect(of('ready').map((e) => e.url)).toEqual([
      'http://127.0.0.1:43117/',
      'http://127.0.0.1:43200/',
    ]);
  });

  it('backs off longer after each fast crash, up to the cap', () => {
    const { supervisor, clock, last, of } = harness({
      initialBackoffMs: 1_000,
      maxBackoffMs: 8_000,
      maxFastFailures: 10,
    });
    supervisor.start();
    for (let i = 0; i < 6; i += 1) {
      last().ready();
      last().crash();
      clock.advance(of('restarting').at(-1)?.inMs ?? 0);
    }
    expect(of('restarting').map((e) => e.inMs)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('forgets past failures once the host has stayed up for a while', () => {
    const { supervisor, clock, last, of } = harness({ stableAfterMs: 60_000 });
    supervisor.start();
    for (let i = 0; i < 3; i += 1) {
      last().crash();
      clock.advance(10_000);
    }
    expect(supervisor.fastFailures).toBe(3);
    last().ready();
    clock.advance(60_000);
    last().crash();
    expect(supervisor.fastFailures).toBe(1);
    expect(of('restarting').at(-1)).toMatchObject({ inMs: 1_000, failures: 1 });
  });

  it('goes out of service after N fast crashes, and stops spawning', () => {
    const { supervisor, hosts, clock, last, of } = harness({
      maxFastFailures: 4,
      retryAfterGiveUpMs: null,
    });
    supervisor.start();
    for (let i = 0; i < 4; i += 1) {
      last().crash();
      clock.advance(10_000);
    }
    expect(supervisor.state).toBe('gaveUp');
    expect(of('gaveUp')).toEqual([{ type: 'gaveUp', failures: 4, retryInMs: null }]);
    clock.advance(24 * 3_600_000);
    expect(hosts).toHaveLength(4);
    expect(clock.pending).toBe(0);
  });

  it('tries again long after going out of service, with a fresh count', () => {
    const { supervisor, hosts, clock, last, of } = harness({
      maxFastFailures: 2,
      retryAfterGiveUpMs: 600_000,
    });
    supervisor.start();
    last().crash();
    clock.advance(1_000);
    last().crash();
    expect(supervisor.state).toBe('gaveUp');
    clock.advance(599_999);
    expect(hosts).toHaveLength(2);
    clock.advance(1);
    expect(hosts).toHaveLength(3);
    last().ready();
    expect(supervisor.state).toBe('ready');
    expect(of('ready')).toHaveLength(1);
  });

  it('kills a host that never becomes ready, and counts it as a failure', () => {
    const { supervisor, hosts, clock, last, of } = harness(
      { readyTimeoutMs: 30_000, stopGraceMs: 5_000 },
      [],
    );
    supervisor.start();
    last().say('still loading…');
    clock.advance(30_000);
    expect(of('readyTimeout')).toHaveLength(1);
    expect(last().signals).toEqual(['SIGTERM']);
    clock.advance(5_000);
    expect(hosts[0]?.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(of('restarting')).toEqual([{ type: 'restarting', inMs: 1_000, failures: 1 }]);
  });

  it('kills a host that announces a URL it may not show', () => {
    const { supervisor, last, of } = harness();
    supervisor.start();
    last().say('MASHANG_READY {"url":"http://evil.example:80/"}');
    expect(of('ready')).toHaveLength(0);
    expect(of('badReadyLine')).toHaveLength(1);
    expect(last().signals).toEqual(['SIGTERM']);
    expect(supervisor.state).toBe('waiting');
  });

  it('on quit sends SIGTERM, then SIGKILL after the grace period, and never restarts', async () => {
    const { supervisor, hosts, clock, last, of } = harness({ stopGraceMs: 5_000 }, []);
    supervisor.start();
    last().ready();
    const stopped = supervisor.stop();
    expect(supervisor.state).toBe('stopping');
    expect(last().signals).toEqual(['SIGTERM']);
    clock.advance(4_999);
    expect(last().signals).toEqual(['SIGTERM']);
    clock.advance(1);
    expect(last().signals).toEqual(['SIGTERM', 'SIGKILL']);
    await stopped;
    expect(supervisor.state).toBe('stopped');
    expect(of('restarting')).toHaveLength(0);
    clock.advance(3_600_000);
    expect(hosts).toHaveLength(1);
  });

  it('on quit while waiting to restart, spawns nothing more', async () => {
    const { supervisor, hosts, clock, last } = harness();
    supervisor.start();
    last().crash();
    await supervisor.stop();
    clock.advance(60_000);
    expect(hosts).toHaveLength(1);
    expect(supervisor.state).toBe('stopped');
  });

  it('on quit, a host that obeys SIGTERM is not SIGKILLed', async () => {
    const { supervisor, clock, last } = harness();
    supervisor.start();
    last().ready();
    await supervisor.stop();
    clock.advance(60_000);
    expect(last().signals).toEqual(['SIGTERM']);
  });
});

describe('the host supervisor with real processes', () => {
  /** A tiny host: reports the token it was given, announces itself, exits 50 ms later. */
  const tinyHost = `
    console.log('token=' + process.env.MASHANG_BRIDGE_TOKEN);
    console.log('MASHANG_READY ' + JSON.stringify({ url: 'http://127.0.0.1:40001/' }));
    setTimeout(() => process.exit(3), 50);
  `;

  it('restarts a real node child that exits, passing its output through', async () => {
    const lines: string[] = [];
    const events: SupervisorEvent[] = [];
    let onSecondReady: () => void = () => undefined;
    const secondReady = new Promise<void>((resolve) => (onSecondReady = resolve));
    const supervisor = new HostSupervisor({
      spawn: spawnNodeHost({
        nodePath: process.execPath,
        args: ['-e', tinyHost],
        cwd: process.cwd(),
        env: { ...process.env, MASHANG_BRIDGE_TOKEN: 'f00d' },
        passThrough: (line) => lines.push(line),
      }),
      timings: { initialBackoffMs: 20, stopGraceMs: 2_000 },
      onEvent: (event) => {
        events.push(event);
        if (events.filter((e) => e.type === 'ready').length === 2) onSecondReady();
      },
    });
    supervisor.start();
    await secondReady;
    await supervisor.stop();

    expect(events.filter((e) => e.type === 'spawned').length).toBeGreaterThanOrEqual(2);
    expect(events).toContainEqual({
      type: 'exited',
      code: 3,
      signal: null,
      upMs: expect.any(Number),
    });
    expect(events).toContainEqual({ type: 'restarting', inMs: 20, failures: 1 });
    expect(lines).toContain('token=f00d');
    expect(supervisor.state).toBe('stopped');
  });

  it('stops a real host with SIGTERM', async () => {
    const events: SupervisorEvent[] = [];
    let onReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (onReady = resolve));
    const supervisor = new HostSupervisor({
      spawn: spawnNodeHost({
        nodePath: process.execPath,
        args: [
          '-e',
          `console.log('MASHANG_READY {"url":"http://127.0.0.1:40002/"}'); setInterval(() => {}, 1000);`,
        ],
        cwd: process.cwd(),
        env: process.env,
        passThrough: () => undefined,
      }),
      timings: { stopGraceMs: 5_000 },
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'ready') onReady();
      },
    });
    supervisor.start();
    await ready;
    await supervisor.stop();
    expect(events).toContainEqual({
      type: 'exited',
      code: null,
      signal: 'SIGTERM',
      upMs: expect.any(Number),
    });
  });

  it('treats a host that cannot be spawned at all as a crash, and backs off', async () => {
    let onRestarting: () => void = () => undefined;
    const restarting = new Promise<void>((resolve) => (onRestarting = resolve));
    const errors: string[] = [];
    const originalWrite = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) =>
      errors.push(String(chunk)) > 0) as typeof process.stderr.write;
    const supervisor = new HostSupervisor({
      spawn: spawnNodeHost({
        nodePath: '/nonexistent/node',
        args: [],
        cwd: process.cwd(),
        env: process.env,
      }),
      onEvent: (event) => {
        if (event.type === 'restarting') onRestarting();
      },
    });
    try {
      supervisor.start();
      await restarting;
    } finally {
      process.stderr.write = originalWrite;
      await supervisor.stop();
    }
    expect(errors.join('')).toContain('cannot start the host');
  });
});
