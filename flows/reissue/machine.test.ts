/**
 * Model-based tests of the reissue journey: XState's graph utilities walk every reachable state
 * under every answer the world can give, and the tests assert the journey's rules on every path —
 * and that every state and every (state, event) pair the machine defines was reached.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { reissueMachine, MAX_FACE_ATTEMPTS } from './machine.ts';
import { activeNodes, adjacencyMap, allStateNodes, MODEL_INPUT, resident, shortestPaths } from './graph-model.ts';

const paths = shortestPaths();

describe('the reissue journey, every path', () => {
  it('reaches every state the machine defines', () => {
    const reached = new Set<string>();
    for (const path of paths) for (const node of activeNodes(path.state)) reached.add(node.id);
    const defined = allStateNodes().map((n) => n.id);
    expect(defined.filter((id) => !reached.has(id))).toEqual([]);
  });

  it('takes every event every state handles (100% of state × event pairs)', () => {
    const adjacency = adjacencyMap();
    const taken = new Set<string>();
    for (const { state, transitions } of Object.values(adjacency)) {
      for (const { event } of Object.values(transitions)) {
        for (const node of activeNodes(state)) if (node.ownEvents.includes(event.type)) taken.add(`${node.id} ${event.type}`);
      }
    }
    const handled = allStateNodes().flatMap((node) =>
      node.ownEvents.filter((type) => type !== 'SET_LANG').map((type) => `${node.id} ${type}`),
    );
    expect(handled.filter((pair) => !taken.has(pair))).toEqual([]);
  });

  it('hands out a card only after the chip was written, then printed, then ejected — on every edge', () => {
    const adjacency = adjacencyMap();
    // Each production state may be entered only from its predecessor, on that step's success.
    const mustFollow: [object | string, object, string][] = [
      ['collect', { producing: 'ejecting' }, 'xstate.done.actor.ejectCard'],
      [{ producing: 'ejecting' }, { producing: 'printing' }, 'xstate.done.actor.printFace'],
      [{ producing: 'printing' }, { producing: 'writingChip' }, 'xstate.done.actor.writeChip'],
      [{ producing: 'writingChip' }, { producing: 'feeding' }, 'xstate.done.actor.feedBlank'],
    ];
    let edgesChecked = 0;
    for (const { state: from, transitions } of Object.values(adjacency)) {
      for (const { event, state: to } of Object.values(transitions)) {
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
      const state = path.state;
      if (!state.matches('failed') && !state.matches('takeIdCard') && !state.matches('attract')) continue;
      const paidAt = path.steps.findIndex((s) => s.state.context.payment === 'paid');
      if (paidAt === -1) continue;
      const gotCard = path.steps.slice(paidAt).some((s) => s.state.matches('collect'));
      const refundAsked = path.steps.slice(paidAt).some((s) => s.state.matches('refunding'));
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
    for (const node of allStateNodes()) {
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
      { input: MODEL_INPUT },
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
    const actor = createActor(reissueMachine, { input: MODEL_INPUT }).start();
    actor.send({ type: 'SET_LANG', lang: 'en' });
    expect(actor.getSnapshot().context.lang).toBe('en');
    expect(actor.getSnapshot().value).toBe('attract');
    actor.stop();
  });

  it('reports its coverage', () => {
    const states = allStateNodes().length;
    console.log(`reissue journey: ${paths.length} shortest paths over ${states} state nodes; every state and state×event pair covered`);
    expect(paths.length).toBeGreaterThan(states);
  });
});

import { fromPromise } from 'xstate';
function fromOutput<T>(output: T) {
  return fromPromise<T>(async () => output);
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
