/**
 * Model-based tests of the reissue journey: XState's graph utilities walk every reachable state
 * under every answer the world can give, and the tests assert the journey's rules on every path —
 * and that every state and every (state, event) pair the machine defines was reached.
 */
import { describe, expect, it } from 'vitest';
import { createActor, type AnyStateNode, type SnapshotFrom } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { makeSimPerson } from '../../drivers/id-reader/simulator.ts';
import { reissueMachine, MAX_FACE_ATTEMPTS } from './machine.ts';
import type { ReissueEvent } from './types.ts';

type Snapshot = SnapshotFrom<typeof reissueMachine>;
type AnyEvent = ReissueEvent | { type: string; [key: string]: unknown };

const resident = makeSimPerson({ name: '王秀英', random: () => 0.5 });
const expired = { ...resident, validTo: '20000101' };

const done = (id: string, output: unknown): AnyEvent => ({ type: `xstate.done.actor.${id}`, output });
const error = (id: string): AnyEvent => ({ type: `xstate.error.actor.${id}`, error: new Error('device or network fault') });
const found = (over: object = {}) =>
  done('lookup', { kind: 'found', cardNo: 'A12345678', cardStatus: 'normal', feeFen: 0, hasArchivedPhoto: true, centreToday: '20261125', ...over });
const ok = { ok: true };
const bad = { ok: false, reason: 'failed' };

/** Every answer the world can give, per invoked actor. */
const ANSWERS: Record<string, AnyEvent[]> = {
  readIdCard: [
    done('readIdCard', { ok: true, value: resident }),
    done('readIdCard', { ok: true, value: expired }),
    done('readIdCard', { ok: false, error: { kind: 'moveCard' } }),
    done('readIdCard', { ok: false, error: { kind: 'notGenuine' } }),
    done('readIdCard', { ok: false, error: { kind: 'readerFault', detail: 'silent' } }),
    error('readIdCard'),
  ],
  verifyFace: ['match', 'noMatch', 'retry', 'unreachable'].map((o) => done('verifyFace', o)).concat(error('verifyFace')),
  lookup: [
    found(),
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
  awaitPaymentCode: [done('awaitPaymentCode', '28123456789012345678'), error('awaitPaymentCode')],
  pay: ['paid', 'declined', 'unknown'].map((o) => done('pay', o)).concat(error('pay')),
  settlePayment: ['paid', 'reversed', 'unknown'].map((o) => done('settlePayment', o)).concat(error('settlePayment')),
  refund: [done('refund', 'refunded'), done('refund', 'unknown'), error('refund')],
  feedBlank: [done('feedBlank', ok), done('feedBlank', { ok: false, reason: 'deviceNotReady' }), error('feedBlank')],
  writeChip: [done('writeChip', ok), done('writeChip', bad), error('writeChip')],
  printFace: [done('printFace', ok), done('printFace', bad), error('printFace')],
  ejectCard: [done('ejectCard', ok), done('ejectCard', bad), error('ejectCard')],
  rejectCard: [done('rejectCard', ok), done('rejectCard', { ok: false, reason: 'deviceNotReady' }), error('rejectCard')],
  waitCardTaken: [done('waitCardTaken', undefined)],
  retainCard: [done('retainCard', ok), error('retainCard')],
  printReceipt: [done('printReceipt', ok), error('printReceipt')],
  waitIdCardRemoved: [done('waitIdCardRemoved', undefined), error('waitIdCardRemoved')],
};

function activeNodes(snapshot: Snapshot): AnyStateNode[] {
  return (snapshot as unknown as { _nodes: AnyStateNode[] })._nodes;
}

/** What can happen in a state: the resident's events it takes, its timers, its actors' answers. */
function eventsFor(snapshot: Snapshot): AnyEvent[] {
  const events: AnyEvent[] = [];
  for (const node of activeNodes(snapshot)) {
    for (const type of node.ownEvents) {
      if (type.startsWith('xstate.')) {
        if (type.startsWith('xstate.after.')) events.push({ type });
        continue;
      }
      if (type === 'SET_LANG') continue; // a root event: tested on its own below
      events.push(type === 'PHOTO' ? { type, photo: 'data:image/jpeg;base64,AAAA' } : ({ type } as AnyEvent));
    }
    for (const invoke of node.invoke) events.push(...(ANSWERS[invoke.id] ?? []));
  }
  return events;
}

/** States differ by where they are and by the counters and money state that steer the journey. */
function serialize(snapshot: Snapshot): string {
  const c = snapshot.context;
  return JSON.stringify([snapshot.value, c.attempt, c.faceAttempts, c.payment, c.feeFen > 0, c.failure, c.card?.status, c.resident?.validTo]);
}

const traversal = { events: eventsFor as never, serializeState: serialize as never };
interface Step {
  state: unknown;
  event: AnyEvent;
}
const paths = getShortestPaths(reissueMachine, { ...traversal, input: { lang: 'zh-CN', maxAttempts: 3 } } as never) as unknown as {
  state: unknown;
  steps: Step[];
}[];

function allStateNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap(allStateNodes)];
}

describe('the reissue journey, every path', () => {
  it('reaches every state the machine defines', () => {
    const reached = new Set<string>();
    for (const path of paths) for (const node of activeNodes(path.state as Snapshot)) reached.add(node.id);
    const defined = allStateNodes(reissueMachine.root).map((n) => n.id);
    expect(defined.filter((id) => !reached.has(id))).toEqual([]);
  });

  it('takes every event every state handles (100% of state × event pairs)', () => {
    const adjacency = getAdjacencyMap(reissueMachine, { ...traversal, input: { lang: 'zh-CN', maxAttempts: 3 } } as never) as unknown as Record<
      string,
      { state: unknown; transitions: Record<string, Step> }
    >;
    const taken = new Set<string>();
    for (const { state, transitions } of Object.values(adjacency)) {
      for (const { event } of Object.values(transitions)) {
        for (const node of activeNodes(state as Snapshot)) if (node.ownEvents.includes(event.type)) taken.add(`${node.id} ${event.type}`);
      }
    }
    const handled = allStateNodes(reissueMachine.root).flatMap((node) =>
      node.ownEvents.filter((type) => type !== 'SET_LANG').map((type) => `${node.id} ${type}`),
    );
    expect(handled.filter((pair) => !taken.has(pair))).toEqual([]);
  });

  it('hands out a card only after the chip was written, then printed, then ejected — on every edge', () => {
    const adjacency = getAdjacencyMap(reissueMachine, { ...traversal, input: { lang: 'zh-CN', maxAttempts: 3 } } as never) as unknown as Record<
      string,
      { state: unknown; transitions: Record<string, Step> }
    >;
    // Each production state may be entered only from its predecessor, on that step's success.
    const mustFollow: [object | string, object, string][] = [
      ['collect', { producing: 'ejecting' }, 'xstate.done.actor.ejectCard'],
      [{ producing: 'ejecting' }, { producing: 'printing' }, 'xstate.done.actor.printFace'],
      [{ producing: 'printing' }, { producing: 'writingChip' }, 'xstate.done.actor.writeChip'],
      [{ producing: 'writingChip' }, { producing: 'feeding' }, 'xstate.done.actor.feedBlank'],
    ];
    let edgesChecked = 0;
    for (const { state, transitions } of Object.values(adjacency)) {
      const from = state as Snapshot;
      for (const { event, state: next } of Object.values(transitions)) {
        const to = next as Snapshot;
        for (const [target, predecessor, doneEvent] of mustFollow) {
          if (!to.matches(target as never) || from.matches(target as never)) continue;
          edgesChecked++;
          expect(from.matches(predecessor as never), `${JSON.stringify(from.value)} → ${JSON.stringify(to.value)}`).toBe(true);
          expect(event.type).toBe(doneEvent);
          expect((event as unknown as { output: { ok: boolean } }).output.ok).toBe(true);
        }
      }
    }
    expect(edgesChecked).toBeGreaterThanOrEqual(mustFollow.length);
  });

  it('never lets a paid resident go without a card or a refund request', () => {
    for (const path of paths) {
      const state = path.state as Snapshot;
      if (!state.matches('failed') && !state.matches('takeIdCard') && !state.matches('attract')) continue;
      const paidAt = path.steps.findIndex((s) => (s.state as Snapshot).context.payment === 'paid');
      if (paidAt === -1) continue;
      const gotCard = path.steps.slice(paidAt).some((s) => (s.state as Snapshot).matches('collect'));
      const refundAsked = path.steps.slice(paidAt).some((s) => (s.state as Snapshot).matches('refunding'));
      expect(gotCard || refundAsked, JSON.stringify(path.steps.map((s) => s.event.type))).toBe(true);
    }
  });

  it('takes nothing from the resident (no loss report, no payment) before they confirm', () => {
    for (const path of paths) {
      const confirmedAt = path.steps.findIndex((s) => s.event.type === 'CONFIRM');
      const registeredAt = path.steps.findIndex((s) => s.event.type === 'xstate.done.actor.register');
      if (registeredAt !== -1) expect(confirmedAt).toBeGreaterThan(-1);
      if (registeredAt !== -1) expect(confirmedAt).toBeLessThan(registeredAt);
    }
  });

  it('does not offer cancel once paid: no path cancels from production', () => {
    for (const node of allStateNodes(reissueMachine.root)) {
      if (node.id.startsWith('reissue.producing') || node.id === 'reissue.refunding' || node.id === 'reissue.collect') {
        expect(node.ownEvents.filter((t) => !t.startsWith('xstate.')), node.id).toEqual([]);
      }
    }
  });

  it('gives up on the face after the allowed number of tries and sends the resident to the counter', () => {
    const actor = createActor(
      reissueMachine.provide({
        actors: {
          readIdCard: fromOutput({ ok: true, value: resident }) as never,
          verifyFace: fromOutput('retry') as never,
          waitIdCardRemoved: fromOutput(undefined) as never,
        },
      }),
      { input: { lang: 'zh-CN', maxAttempts: 3 } },
    ).start();
    return (async () => {
      actor.send({ type: 'START' });
      await settle();
      for (let i = 0; i < MAX_FACE_ATTEMPTS; i++) {
        expect(actor.getSnapshot().matches({ verifying: 'capturing' })).toBe(true);
        actor.send({ type: 'PHOTO', photo: 'data:image/jpeg;base64,AAAA' });
        await settle();
      }
      expect(actor.getSnapshot().context.failure).toBe('faceMismatch');
      actor.stop();
    })();
  });

  it('changes language anywhere without moving', () => {
    const actor = createActor(reissueMachine, { input: { lang: 'zh-CN', maxAttempts: 3 } }).start();
    actor.send({ type: 'SET_LANG', lang: 'en' });
    expect(actor.getSnapshot().context.lang).toBe('en');
    expect(actor.getSnapshot().value).toBe('attract');
    actor.stop();
  });

  it('reports its coverage', () => {
    const states = allStateNodes(reissueMachine.root).length;
    console.log(`reissue journey: ${paths.length} shortest paths over ${states} state nodes; every state and state×event pair covered`);
    expect(paths.length).toBeGreaterThan(states);
  });
});

import { fromPromise } from 'xstate';
function fromOutput<T>(output: T) {
  return fromPromise<T>(async () => output);
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
