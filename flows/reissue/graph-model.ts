/**
 * The model the reissue journey's model-based tests walk (machine.test.ts, paths.test.ts): every
 * answer the world can give each invoked actor, which events a state can take, and which states
 * count as different. XState's graph utilities generate the paths from it.
 *
 * Test support only: nothing in the kiosk imports this.
 */
import type { AnyStateNode, SnapshotFrom } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { makeSimPerson } from '../../drivers/id-reader/simulator.ts';
import { reissueMachine, type ReissueInput } from './machine.ts';
import type { ReissueEvent } from './types.ts';

export type Snapshot = SnapshotFrom<typeof reissueMachine>;
export type AnyEvent = ReissueEvent | { type: string; [key: string]: unknown };

/** A step of a generated path: the event, and the state it led to. */
export interface ModelStep {
  state: Snapshot;
  event: AnyEvent;
}
/** A generated path: from the initial state (its first step is `xstate.init`) to `state`. */
export interface ModelPath {
  state: Snapshot;
  steps: ModelStep[];
}
export type AdjacencyMap = Record<
  string,
  { state: Snapshot; transitions: Record<string, ModelStep> }
>;

export const MODEL_INPUT: ReissueInput = { lang: 'zh-CN', maxAttempts: 3 };

export const resident = makeSimPerson({ name: '王秀英', random: () => 0.5 });
export const expired = { ...resident, validTo: '20000101' };
export const LIVE_PHOTO = 'data:image/jpeg;base64,AAAA';
export const PAYMENT_CODE = '28123456789012345678';

export const done = (id: string, output: unknown): AnyEvent => ({
  type: `xstate.done.actor.${id}`,
  output,
});
export const error = (id: string): AnyEvent => ({
  type: `xstate.error.actor.${id}`,
  error: new Error('device or network fault'),
});
const found = (over: object = {}) =>
  done('lookup', {
    kind: 'found',
    cardNo: 'A12345678',
    cardStatus: 'normal',
    feeFen: 0,
    hasArchivedPhoto: true,
    centreToday: '20261125',
    ...over,
  });
const ok = { ok: true };
const bad = { ok: false, reason: 'failed' };

/** Every answer the world can give, per invoked actor. */
export const ANSWERS: Record<string, AnyEvent[]> = {
  readIdCard: [
    done('readIdCard', { ok: true, value: resident }),
    done('readIdCard', { ok: true, value: expired }),
    done('readIdCard', { ok: false, error: { kind: 'moveCard' } }),
    done('readIdCard', { ok: false, error: { kind: 'notGenuine' } }),
    done('readIdCard', { ok: false, error: { kind: 'readerFault', detail: 'silent' } }),
    error('readIdCard'),
  ],
  verifyFace: ['match', 'noMatch', 'retry', 'unreachable']
    .map((o) => done('verifyFace', o))
    .concat(error('verifyFace')),
  lookup: [
    found(),
    // The centre's fee as the resident is shown it on the confirm screen (free, or 12 yuan).
    found({ feeFen: 1200 }),
    found({ cardStatus: 'reportedLost' }),
    found({ hasArchivedPhoto: false }),
    done('lookup', { kind: 'noCardOnFile' }),
    done('lookup', { kind: 'unreachable' }),
    error('lookup'),
  ],
  preflight: [
    done('preflight', ok),
    done('preflight', { ok: false, reason: 'deviceNotReady' }),
    done('preflight', { ok: false, reason: 'nameNotPrintable' }),
    done('preflight', { ok: false, reason: 'noArchivedPhoto' }),
    error('preflight'),
  ],
  register: [
    done('register', { applicationNo: 'A1', transactionNo: 'T1', feeFen: 0 }),
    done('register', { applicationNo: 'A1', transactionNo: 'T1', feeFen: 1200 }),
    error('register'),
  ],
  awaitPaymentCode: [done('awaitPaymentCode', PAYMENT_CODE), error('awaitPaymentCode')],
  pay: ['paid', 'declined', 'unknown'].map((o) => done('pay', o)).concat(error('pay')),
  settlePayment: ['paid', 'reversed', 'unknown']
    .map((o) => done('settlePayment', o))
    .concat(error('settlePayment')),
  refund: [done('refund', 'refunded'), done('refund', 'unknown'), error('refund')],
  feedBlank: [
    done('feedBlank', ok),
    done('feedBlank', { ok: false, reason: 'deviceNotReady' }),
    error('feedBlank'),
  ],
  writeChip: [done('writeChip', ok), done('writeChip', bad), error('writeChip')],
  printFace: [done('printFace', ok), done('printFace', bad), error('printFace')],
  ejectCard: [done('ejectCard', ok), done('ejectCard', bad), error('ejectCard')],
  rejectCard: [
    done('rejectCard', ok),
    done('rejectCard', { ok: false, reason: 'deviceNotReady' }),
    error('rejectCard'),
  ],
  waitCardTaken: [done('waitCardTaken', undefined), error('waitCardTaken')],
  retainCard: [
    done('retainCard', { ok: true, taken: false }),
    // Gone from the slot after all: taken at the last moment.
    done('retainCard', { ok: true, taken: true }),
    done('retainCard', { ok: false, reason: 'deviceNotReady' }),
    error('retainCard'),
  ],
  printReceipt: [done('printReceipt', ok), error('printReceipt')],
  waitIdCardRemoved: [done('waitIdCardRemoved', undefined), error('waitIdCardRemoved')],
};

export function activeNodes(snapshot: Snapshot): AnyStateNode[] {
  return (snapshot as unknown as { _nodes: AnyStateNode[] })._nodes;
}

/** What can happen in a state: the resident's events it takes, its timers, its actors' answers. */
export function eventsFor(snapshot: Snapshot): AnyEvent[] {
  const events: AnyEvent[] = [];
  for (const node of activeNodes(snapshot)) {
    for (const type of node.ownEvents) {
      if (type.startsWith('xstate.')) {
        if (type.startsWith('xstate.after.')) events.push({ type });
        continue;
      }
      if (type === 'SET_LANG') continue; // a root event: tested on its own in machine.test.ts
      events.push(type === 'PHOTO' ? { type, photo: LIVE_PHOTO } : ({ type } as AnyEvent));
    }
    for (const invoke of node.invoke) events.push(...(ANSWERS[invoke.id] ?? []));
  }
  return events;
}

/** States differ by where they are and by the counters, money state and fee that steer the journey. */
export function serialize(snapshot: Snapshot): string {
  const c = snapshot.context;
  return JSON.stringify([
    snapshot.value,
    c.attempt,
    c.faceAttempts,
    c.payment,
    c.feeFen > 0,
    c.failure,
    c.card?.status,
    c.card?.feeFen,
    c.resident?.validTo,
  ]);
}

/** The model has ~1.3k states and ~3.3k transitions; far more means a counter runs away (fail fast, not out of memory). */
const TRAVERSAL_LIMIT = 50_000;
const traversal = {
  events: eventsFor as never,
  serializeState: serialize as never,
  input: MODEL_INPUT,
  limit: TRAVERSAL_LIMIT,
};

export function shortestPaths(): ModelPath[] {
  return getShortestPaths(reissueMachine, traversal as never) as unknown as ModelPath[];
}

export function adjacencyMap(): AdjacencyMap {
  return getAdjacencyMap(reissueMachine, traversal as never) as unknown as AdjacencyMap;
}

export function allStateNodes(node: AnyStateNode = reissueMachine.root): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap((child) => allStateNodes(child))];
}

/**
 * Shortest paths reach every model state, but do not take every transition: an edge into a model
 * state already reached more cheaply (a cancel back to attract, a STILL_HERE re-entry, a failed
 * print that — wrongly — went on to eject) ends no shortest path. For every edge of the adjacency
 * map that no shortest path takes, this adds one path: the shortest path to its source, then the
 * edge. Together they take every transition of the model.
 *
 * Note: a path's step states are the graph's representatives of their model state (states that
 * serialize alike are one), so only what `serialize` keeps is exact in them.
 */
export function pathsTakingEveryTransition(
  paths: ModelPath[] = shortestPaths(),
  adjacency: AdjacencyMap = adjacencyMap(),
): ModelPath[] {
  const edge = (from: Snapshot, event: AnyEvent) => `${serialize(from)} ${JSON.stringify(event)}`;
  const taken = new Set<string>();
  for (const path of paths)
    for (let i = 1; i < path.steps.length; i++)
      taken.add(edge(path.steps[i - 1]!.state, path.steps[i]!.event));
  const pathTo = new Map(paths.map((path) => [serialize(path.state), path]));
  const extra: ModelPath[] = [];
  for (const [key, { state, transitions }] of Object.entries(adjacency)) {
    const to = pathTo.get(key);
    if (!to) continue;
    for (const step of Object.values(transitions)) {
      if (!taken.has(edge(state, step.event)))
        extra.push({ state: step.state, steps: [...to.steps, step] });
    }
  }
  return [...paths, ...extra];
}
