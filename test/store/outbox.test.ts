/**
 * The outbox to the card centre: every message kept until the centre acknowledges it, retried
 * with back-off, across a restart of the host, under the same idempotency key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { err, ok } from '../../drivers/common/result.ts';
import type { CardCentre } from '../../kiosk/card-centre/card-centre.ts';
import { EmbeddedCardCentre } from '../../kiosk/card-centre/embedded.ts';
import { cardCentreDelivery } from '../../kiosk/store/host-records.ts';
import { backoffMs, OutboxSender, type OutboxQueue } from '../../kiosk/store/outbox.ts';
import type { KioskStore } from '../../kiosk/store/store.ts';
import { startTestHost } from '../support/host-harness.ts';
import { manualClock, openStore, silentLogger, tempDataDir } from './store-fixture.ts';

type Report = Parameters<CardCentre['reportCardIssued']>[0];

/** A card centre that takes card reports, or is down; it remembers every report it was sent. */
function fakeCentre() {
  const received: Report[] = [];
  let down = true;
  return {
    received,
    setDown(value: boolean) {
      down = value;
    },
    centre: {
      async reportCardIssued(request: Report) {
        received.push(request);
        return down ? err({ kind: 'unreachable' as const, detail: 'connection refused' }) : ok(undefined);
      },
    },
  };
}

let stores: KioskStore[] = [];
afterEach(() => {
  for (const store of stores) store.close();
  stores = [];
});

const queueTwo = (store: KioskStore) =>
  store.write(() => {
    store.queue({ kind: 'cardResult', key: 'A1:chip1:issued', payload: { applicationNo: 'A1', identification: 'chip1', outcome: 'issued' } });
    store.queue({ kind: 'cardResult', key: 'A2:chip2:spoiled', payload: { applicationNo: 'A2', identification: 'chip2', outcome: 'spoiled' } });
  });

describe('the outbox', () => {
  it('retries with back-off until acknowledged, across a restart, each message under its own key', async () => {
    const dataDir = tempDataDir();
    const time = manualClock();
    const first = openStore(dataDir, { clock: time.clock });
    stores.push(first.store);
    queueTwo(first.store);
    const centre = fakeCentre();
    const sender = new OutboxSender({ queue: first.store.outboxQueue(), deliver: cardCentreDelivery(centre.centre), logger: silentLogger, clock: time.clock, random: () => 0.5 });

    await sender.pass();
    expect(centre.received.map((r) => r.key)).toEqual(['A1:chip1:issued', 'A2:chip2:spoiled']);
    // Not due again before its back-off (2 s for the first failure, no jitter at random = 0.5).
    time.advance(1_000);
    await sender.pass();
    expect(centre.received).toHaveLength(2);
    time.advance(1_500);
    await sender.pass();
    expect(centre.received).toHaveLength(4);
    expect(first.store.outbox.pending().map((m) => [m.key, m.attempts, m.lastError])).toEqual([
      ['A1:chip1:issued', 2, expect.stringContaining('connection refused')],
      ['A2:chip2:spoiled', 2, expect.stringContaining('connection refused')],
    ]);
    time.advance(60_000);
    expect(first.store.outbox.stats(time.clock.now())).toEqual({ pending: 2, oldestAgeSeconds: 63 });

    // The host stops (or crashes) with both messages unacknowledged, and starts again.
    await sender.stop();
    first.store.close();
    stores = [];
    const second = openStore(dataDir, { clock: time.clock, journalKey: first.journalKey });
    stores.push(second.store);
    expect(second.store.outbox.pending().map((m) => m.attempts)).toEqual([2, 2]);
    centre.setDown(false);
    const resent = new OutboxSender({ queue: second.store.outboxQueue(), deliver: cardCentreDelivery(centre.centre), logger: silentLogger, clock: time.clock });
    // After a restart every pending message goes at once.
    await resent.pass();
    expect(second.store.outbox.pending()).toEqual([]);
    expect(second.store.outbox.stats(time.clock.now())).toEqual({ pending: 0, oldestAgeSeconds: 0 });
    // The same message each time: same key, same content.
    const sent = centre.received.slice(4);
    expect(sent).toEqual([
      { key: 'A1:chip1:issued', applicationNo: 'A1', identification: 'chip1', outcome: 'issued' },
      { key: 'A2:chip2:spoiled', applicationNo: 'A2', identification: 'chip2', outcome: 'spoiled' },
    ]);
    await resent.pass();
    expect(centre.received).toHaveLength(6);
  });

  it('sends an acknowledged message again, under the same key, when the acknowledgement could not be written', async () => {
    const { store } = openStore();
    stores.push(store);
    store.write(() => store.queue({ kind: 'cardResult', key: 'A9:chip9:issued', payload: { applicationNo: 'A9', identification: 'chip9', outcome: 'issued' } }));
    const centre = fakeCentre();
    centre.setDown(false);
    const real = store.outboxQueue();
    let diskFull = true;
    const queue: OutboxQueue = {
      ...real,
      acknowledged: (id) => {
        if (diskFull) throw new Error('SQLITE_FULL');
        real.acknowledged(id);
      },
    };
    const time = manualClock();
    const sender = new OutboxSender({ queue, deliver: cardCentreDelivery(centre.centre), logger: silentLogger, clock: time.clock });
    await sender.pass();
    expect(store.outbox.pending()).toHaveLength(1);
    diskFull = false;
    time.advance(10 * 60_000);
    await sender.pass();
    expect(store.outbox.pending()).toEqual([]);
    // Twice on the wire, once in meaning: the centre deduplicates on the key.
    expect(centre.received.map((r) => r.key)).toEqual(['A9:chip9:issued', 'A9:chip9:issued']);
  });

  it('keeps a message the centre has no endpoint for pending and visible, without holding up the others', async () => {
    const { store } = openStore();
    stores.push(store);
    store.write(() => store.audit.append({ actor: 'staff:S1', action: 'stock.load', detail: { count: 100 } }));
    expect(store.queueAuditHead('demo-001')).toBe(true);
    expect(store.queueAuditHead('demo-001')).toBe(false); // unchanged head: nothing new
    queueTwo(store);
    const centre = fakeCentre();
    centre.setDown(false);
    const time = manualClock();
    await new OutboxSender({ queue: store.outboxQueue(), deliver: cardCentreDelivery(centre.centre), logger: silentLogger, clock: time.clock }).pass();
    expect(store.outbox.pending()).toEqual([
      expect.objectContaining({ kind: 'auditHead', attempts: 1, lastError: expect.stringContaining('no endpoint') }),
    ]);
    expect(centre.received.map((r) => r.key)).toEqual(['A1:chip1:issued', 'A2:chip2:spoiled']);
    // A newer head replaces the unsent older one: one head pending, the newest.
    store.write(() => store.audit.append({ actor: 'staff:S1', action: 'stock.count', detail: { counted: 100 } }));
    store.queueAuditHead('demo-001');
    expect(store.outbox.pending().map((m) => m.kind === 'auditHead' && m.payload.seq)).toEqual([2]);
  });

  it('queues the same key once: a repeated write is the same message, a different one under it is a bug', () => {
    const { store } = openStore();
    stores.push(store);
    queueTwo(store);
    queueTwo(store);
    expect(store.outbox.pending()).toHaveLength(2);
    expect(() =>
      store.write(() => store.queue({ kind: 'cardResult', key: 'A1:chip1:issued', payload: { applicationNo: 'A1', identification: 'chip1', outcome: 'retained' } })),
    ).toThrow(/different message/);
  });

  it('backs off exponentially up to a cap, with jitter', () => {
    const policy = { initialMs: 2_000, maxMs: 600_000 };
    expect([1, 2, 3, 4].map((n) => backoffMs(n, policy, () => 0.5))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(backoffMs(30, policy, () => 0.5)).toBe(600_000);
    expect(backoffMs(1, policy, () => 0)).toBe(1_600);
    expect(backoffMs(1, policy, () => 1)).toBe(2_400);
  });
});

describe('the outbox on the host', () => {
  it('reports a card issued while the card centre was down once the host has restarted and the centre is back', async () => {
    const centre = new EmbeddedCardCentre();
    let reportsDown = true;
    const flaky = new Proxy(centre, {
      get(target, property, receiver) {
        if (property === 'reportCardIssued' && reportsDown) {
          return async () => err({ kind: 'unreachable', detail: 'link down' });
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const journalKey = 'ab'.repeat(32);
    harness = await startTestHost({ cardCentre: flaky, secrets: { journalKey } });
    const { dataDir } = harness;
    harness.event('START');
    harness.host.send({ type: 'sim', sim: { action: 'placeIdCard' } });
    await harness!.showFace();
    await harness.waitForScreen('confirm');
    harness.event('CONFIRM');
    await harness.waitForScreen('collect');
    harness.host.send({ type: 'sim', sim: { action: 'takeCard' } });
    await harness.waitForScreen('receipt');
    await until(() => harness!.host.records.store.outbox.pending().some((m) => m.kind === 'cardResult' && m.attempts > 0));
    const metrics = await (await fetch(`${harness.host.origin}/metrics`)).text();
    expect(metrics).toMatch(/^mashang_outbox_pending [12]$/m);
    expect(centre.stats.cardsIssued).toBe(0);
    await harness.stop();

    reportsDown = false;
    harness = await startTestHost({ cardCentre: flaky, secrets: { journalKey }, dataDir });
    await until(() => centre.stats.cardsIssued === 1);
    await until(() => harness!.host.records.store.outbox.pending().every((m) => m.kind !== 'cardResult'));
  });
});

let harness: Awaited<ReturnType<typeof startTestHost>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
