/**
 * What a long-running kiosk process holds, counted: open file descriptors, active handles and
 * timers (process.getActiveResourcesInfo()), event listeners on every emitter and event target still
 * alive after a garbage collection, and memory after one. Counts, not times: the endurance test
 * fails on a count that grows with the journeys; the benchmarks print them.
 *
 * Listeners are counted by watching EventEmitter.prototype's and EventTarget.prototype's
 * add-listener methods (from the moment `installListenerCensus()` runs) and remembering, weakly,
 * each object a listener was added to; at a census, the live ones are asked how many they hold.
 */
import { EventEmitter, getEventListeners } from 'node:events';
import { statSync } from 'node:fs';
import path from 'node:path';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { activeResources, countOf, fdKinds, openFds } from './report.ts';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** A full collection, twice (a first pass may only queue finalizers), with a turn of the loop between. */
export async function fullGc(): Promise<void> {
  collect();
  await new Promise((resolve) => setImmediate(resolve));
  collect();
}

interface Watched {
  ref: WeakRef<object>;
  /** Event types added on an EventTarget (it cannot list them itself). */
  types: Set<string>;
  emitter: boolean;
}

const watchedRefs = new Set<Watched>();
const seen = new WeakMap<object, Watched>();
let installed = false;

function watch(target: object, emitter: boolean, type?: string): void {
  let entry = seen.get(target);
  if (!entry) {
    entry = { ref: new WeakRef(target), types: new Set(), emitter };
    seen.set(target, entry);
    watchedRefs.add(entry);
  }
  if (type !== undefined) entry.types.add(type);
}

/**
 * Timers made through the global setTimeout/setInterval, pending or repeating (ref'd or not: an
 * unref'd interval leaks as surely; process.getActiveResourcesInfo() lists only ref'd ones).
 * Node's Timeout marks itself `_destroyed` once fired (one-shot) or cleared.
 */
const timers = new Set<WeakRef<NodeJS.Timeout>>();

function watchTimers(): void {
  const wrap = <F extends (...args: never[]) => NodeJS.Timeout>(original: F): F =>
    function (this: unknown, ...args: Parameters<F>) {
      const timer = original.apply(this, args);
      timers.add(new WeakRef(timer));
      return timer;
    } as F;
  globalThis.setTimeout = Object.assign(
    wrap(globalThis.setTimeout as never),
    globalThis.setTimeout,
  ) as typeof setTimeout;
  globalThis.setInterval = Object.assign(
    wrap(globalThis.setInterval as never),
    globalThis.setInterval,
  ) as typeof setInterval;
}

export interface TimerCount {
  pending: number;
  /** Pending timers by what they call (the callback's name), the most first. */
  byCallback: [string, number][];
}

export function countTimers(): TimerCount {
  const byCallback = new Map<string, number>();
  let pending = 0;
  for (const ref of timers) {
    const timer = ref.deref() as
      (NodeJS.Timeout & { _destroyed?: boolean; _onTimeout?: { name?: string } }) | undefined;
    if (!timer || timer._destroyed) {
      timers.delete(ref);
      continue;
    }
    pending++;
    const name = timer._onTimeout?.name || '(anonymous)';
    byCallback.set(name, (byCallback.get(name) ?? 0) + 1);
  }
  return { pending, byCallback: [...byCallback].sort((a, b) => b[1] - a[1]).slice(0, 8) };
}

/** Starts watching listeners and timers; call before the kiosk is built. */
export function installListenerCensus(): void {
  if (installed) return;
  installed = true;
  watchTimers();
  const proto = EventEmitter.prototype as unknown as Record<
    string,
    (...args: unknown[]) => unknown
  >;
  for (const name of ['addListener', 'on', 'prependListener', 'once', 'prependOnceListener']) {
    const original = proto[name]!;
    proto[name] = function (this: object, ...args: unknown[]) {
      watch(this, true);
      return original.apply(this, args);
    };
  }
  const targetProto = EventTarget.prototype as unknown as {
    addEventListener: (...args: unknown[]) => unknown;
  };
  const addEventListener = targetProto.addEventListener;
  targetProto.addEventListener = function (this: object, ...args: unknown[]) {
    watch(this, false, String(args[0]));
    return addEventListener.apply(this, args);
  };
}

export interface ListenerCount {
  /** Listeners on emitters and targets alive now. */
  listeners: number;
  /** Emitters and targets alive now that hold at least one listener. */
  holders: number;
  /** The holders with the most listeners, by constructor name. */
  top: [string, number][];
}

/** Call after fullGc(): only objects still alive are counted. */
export function countListeners(): ListenerCount {
  let listeners = 0;
  let holders = 0;
  const byKind = new Map<string, number>();
  for (const entry of watchedRefs) {
    const target = entry.ref.deref();
    if (!target) {
      watchedRefs.delete(entry);
      continue;
    }
    let n = 0;
    if (entry.emitter) {
      const emitter = target as EventEmitter;
      for (const name of emitter.eventNames()) n += emitter.listenerCount(name);
    } else {
      for (const type of entry.types) n += getEventListeners(target as EventTarget, type).length;
    }
    if (n === 0) continue;
    holders++;
    listeners += n;
    const kind = target.constructor?.name ?? 'Object';
    byKind.set(kind, (byKind.get(kind) ?? 0) + n);
  }
  const top = [...byKind].sort((a, b) => b[1] - a[1]).slice(0, 6);
  return { listeners, holders, top };
}

export interface Census {
  fds: number;
  fdKinds: Record<string, number>;
  resources: Record<string, number>;
  handles: number;
  /** Pending timers made by setTimeout/setInterval (ref'd or not), once the census is installed. */
  timers: number;
  timerCallbacks: [string, number][];
  listeners: ListenerCount;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** V8's heap by space (old, code, large objects…): bytes used. */
  spaces: Record<string, number>;
}

/** Everything at once, after a full collection. */
export async function census(): Promise<Census> {
  await fullGc();
  const resources = activeResources();
  const memory = process.memoryUsage();
  const pendingTimers = countTimers();
  return {
    fds: openFds(),
    fdKinds: fdKinds(),
    resources,
    handles: countOf(resources),
    timers: pendingTimers.pending,
    timerCallbacks: pendingTimers.byCallback,
    listeners: countListeners(),
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    spaces: Object.fromEntries(
      getHeapSpaceStatistics().map((space) => [space.space_name, space.space_used_size]),
    ),
  };
}

/** The kiosk's SQLite records on disk: the database, its WAL and shared memory. */
export function journalBytes(dataDir: string): { db: number; wal: number } {
  const size = (file: string) => {
    try {
      return statSync(path.join(dataDir, file)).size;
    } catch {
      return 0;
    }
  };
  return { db: size('kiosk.db'), wal: size('kiosk.db-wal') + size('kiosk.db-shm') };
}

/** "Timeout 3, TCPSocketWrap 2" — a census's resources for a log line. */
export const describeCounts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
