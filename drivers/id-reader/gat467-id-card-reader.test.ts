/**
 * The GA/T 467 driver against the protocol simulator on a memory cable: every fault a reader
 * shows in the field becomes a typed outcome, and the read after the fault is cleared succeeds.
 * (The same matrix over a pseudo-terminal and the real `serialport`: test/serial/.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../common/device-status.ts';
import type { Gat467SimFault } from './gat467-simulator.ts';
import { makeSimPerson, SimulatedIdCardReader } from './simulator.ts';

const FAST = {
  uart: { baudRate: Infinity, rxBufferBytes: 1024, flowControl: 'none' as const },
  timeouts: {
    findCardMs: 150,
    selectCardMs: 150,
    readSamIdMs: 150,
    readTextAndPhotoMs: 300,
    interByteMs: 60,
    quietMs: 20,
    maxQuietWaitMs: 200,
  },
  timing: { cardPollMs: 10, reconnectGraceMs: 400, healthCheckMs: 0 },
};

let reader: SimulatedIdCardReader | undefined;
afterEach(async () => {
  await reader?.close();
  reader = undefined;
});

/** A reader that has found its device (status `ready`), and the statuses it reports from then on. */
async function start(options: Partial<typeof FAST> = {}) {
  const started = new SimulatedIdCardReader({ ...FAST, ...options });
  reader = started;
  await waitFor(() => started.status().state === 'ready');
  const statuses: DeviceStatus['state'][] = [];
  started.onStatus((s) => statuses.push(s.state));
  return { reader: started, statuses };
}

const within = (ms: number) => AbortSignal.timeout(ms);

describe('the GA/T 467 ID card reader', () => {
  it('reads the card placed on it, field for field', async () => {
    const { reader } = await start();
    const person = makeSimPerson({ name: '王秀英' });
    reader.placeCard(person);
    expect(await reader.readCard(within(5_000))).toEqual({ ok: true, value: person });
    expect(reader.simulator.commandsReceived).toBe(3); // find, select, read: nothing resent
    expect(reader.status()).toEqual({ state: 'ready' });
  });

  it('reads at the line speed of a real reader too (115 200 baud through the simulated UART)', async () => {
    const { reader } = await start({
      uart: { baudRate: 115_200, rxBufferBytes: 1024, flowControl: 'none' },
    });
    const person = makeSimPerson();
    reader.placeCard(person);
    expect(await reader.readCard(within(5_000))).toEqual({ ok: true, value: person });
  });

  it('waits for a card, and reads it once it is placed', async () => {
    const { reader } = await start();
    const reading = reader.readCard(within(5_000));
    await new Promise((r) => setTimeout(r, 100));
    expect(reader.simulator.commandsReceived).toBeGreaterThan(2); // it is polling
    const person = makeSimPerson();
    reader.placeCard(person);
    expect(await reading).toEqual({ ok: true, value: person });
  });

  it('stops waiting when aborted, and the next read still works', async () => {
    const { reader } = await start();
    const controller = new AbortController();
    const reading = reader.readCard(controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(reading).rejects.toThrow();
    const person = makeSimPerson();
    reader.placeCard(person);
    expect(await reader.readCard(within(5_000))).toEqual({ ok: true, value: person });
  });

  it('resolves waitForRemoval only once the card is gone', async () => {
    const { reader } = await start();
    reader.placeCard(makeSimPerson());
    let removed = false;
    const waiting = reader.waitForRemoval(within(5_000)).then(() => (removed = true));
    await new Promise((r) => setTimeout(r, 150));
    expect(removed).toBe(false);
    reader.removeCard();
    await waiting;
    expect(removed).toBe(true);
  });

  it('refuses a card whose ID number fails its check digit', async () => {
    const { reader } = await start();
    const person = makeSimPerson();
    reader.placeCard({
      ...person,
      idNumber: person.idNumber.slice(0, 17) + (person.idNumber[17] === '0' ? '1' : '0'),
    });
    const result = await reader.readCard(within(5_000));
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalidData' } });
  });

  const faults: [string, Gat467SimFault, object, DeviceStatus['state']][] = [
    [
      'a silent reader',
      { kind: 'silence' },
      { kind: 'readerFault', detail: expect.stringMatching(/no answer/) },
      'fault',
    ],
    [
      'garbage on the line',
      { kind: 'garbage' },
      { kind: 'readerFault', detail: expect.stringMatching(/no answer/) },
      'fault',
    ],
    [
      'answers cut in half',
      { kind: 'half-frame' },
      { kind: 'readerFault', detail: expect.stringMatching(/stopped after|no answer/) },
      'fault',
    ],
    [
      'answers with a wrong checksum',
      { kind: 'bad-checksum' },
      { kind: 'readerFault', detail: expect.stringMatching(/damaged/) },
      'fault',
    ],
    [
      'a reader slower than its deadline',
      { kind: 'slow', delayMs: 400 },
      { kind: 'readerFault', detail: expect.stringMatching(/no answer/) },
      'fault',
    ],
    ['a SAM that rejects the card', { kind: 'sam-rejects' }, { kind: 'notGenuine' }, 'ready'],
    ['a card that rejects the SAM', { kind: 'card-rejects-sam' }, { kind: 'notGenuine' }, 'ready'],
    ['a card that will not read', { kind: 'move-card' }, { kind: 'moveCard' }, 'ready'],
  ];
  it.each(faults)(
    'turns %s into a typed outcome, and reads again once it is cleared',
    async (_name, fault, failure, state) => {
      const { reader } = await start();
      const person = makeSimPerson();
      reader.placeCard(person);
      reader.simulator.setFault(fault);
      expect(await reader.readCard(within(10_000))).toEqual({ ok: false, error: failure });
      expect(reader.status().state).toBe(state);
      reader.simulator.setFault(null);
      expect(await reader.readCard(within(10_000))).toEqual({ ok: true, value: person });
      expect(reader.status()).toEqual({ state: 'ready' });
    },
  );

  it('reads through a slow reader that still answers within the deadline', async () => {
    const { reader } = await start();
    const person = makeSimPerson();
    reader.placeCard(person);
    reader.simulator.setFault({ kind: 'slow', delayMs: 60 });
    expect(await reader.readCard(within(5_000))).toEqual({ ok: true, value: person });
  });

  it('reports a fault once however often it repeats, and the recovery once', async () => {
    const { reader, statuses } = await start();
    reader.placeCard(makeSimPerson());
    reader.simulator.setFault({ kind: 'silence' });
    for (let i = 0; i < 3; i++) await reader.readCard(within(5_000));
    reader.simulator.setFault(null);
    await reader.readCard(within(5_000));
    expect(statuses).toEqual(['fault', 'ready']);
  });

  it('is disconnected while unplugged, finds the reader again after replug, and reads', async () => {
    const { reader, statuses } = await start();
    const person = makeSimPerson();
    reader.placeCard(person);
    reader.line.unplug();
    expect(reader.status()).toEqual({ state: 'disconnected' });
    // A read while unplugged waits for the grace period, then says the reader is at fault.
    expect(await reader.readCard(within(5_000))).toMatchObject({
      ok: false,
      error: { kind: 'readerFault' },
    });
    reader.line.replug();
    await waitFor(() => reader.status().state === 'ready');
    expect(await reader.readCard(within(5_000))).toEqual({ ok: true, value: person });
    expect(statuses).toEqual(['disconnected', 'ready']);
  });

  it('rides out a short unplug in the middle of waiting for a card', async () => {
    const { reader } = await start();
    const reading = reader.readCard(within(10_000));
    await new Promise((r) => setTimeout(r, 30));
    reader.line.unplug();
    setTimeout(() => reader.line.replug(), 100);
    const person = makeSimPerson();
    setTimeout(() => reader.placeCard(person), 150);
    expect(await reading).toEqual({ ok: true, value: person });
  });

  it('shows a reader that falls silent while idle as faulted, and ready once it answers again', async () => {
    const { reader, statuses } = await start({ timing: { ...FAST.timing, healthCheckMs: 50 } });
    reader.simulator.setFault({ kind: 'silence' });
    await waitFor(() => reader.status().state === 'fault');
    reader.simulator.setFault(null);
    await waitFor(() => reader.status().state === 'ready');
    expect(statuses).toEqual(['fault', 'ready']);
  });

  it('forgets the card when it is removed', async () => {
    const { reader } = await start();
    reader.placeCard(makeSimPerson());
    expect(reader.cardPresent()).toBe(true);
    reader.removeCard();
    expect(reader.cardPresent()).toBe(false);
    expect(JSON.stringify(reader.simulator)).not.toContain('name');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
