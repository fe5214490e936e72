/**
 * The ID card reader on the real stack: the kiosk's driver opens a pseudo-terminal with the real
 * `serialport`, and the GA/T 467 simulator answers on the other end. Every injected fault ends
 * in a typed outcome, and the read after the fault is cleared succeeds: no fault leaves the
 * driver stuck.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../drivers/common/device-status.ts';
import { recordingLog, serialStackProblem, until } from './id-reader-stack.ts';

const problem = serialStackProblem();
if (problem && process.env.CI) {
  describe('the serial ID reader stack', () => it('is installed', () => expect.fail(problem)));
}
const run = problem ? describe.skip : describe;
if (problem) console.warn(`skipping the serial ID reader tests: ${problem}`);

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** A fresh pty per test (stale bytes leak between tests otherwise), behind a stable link. */
async function startStack(options: { baudRate?: number; healthCheckMs?: number } = {}) {
  const { startIdReaderOnPty } = await import('../../drivers/id-reader/gat467-pty-simulator.ts');
  const { createIdCardReader } = await import('../../drivers/id-reader/create-id-card-reader.ts');
  const link = path.join(mkdtempSync(path.join(tmpdir(), 'mashang-idr-')), 'ttyIDR');
  const device = startIdReaderOnPty({
    faults: [],
    settings: { card: 'none' },
    link,
    ...(options.baudRate ? { baudRate: options.baudRate } : {}),
  });
  const log = recordingLog();
  const reader = createIdCardReader(
    { transport: { type: 'serial', path: link, baudRate: options.baudRate ?? 115_200 } },
    log,
    {
      timing: {
        cardPollMs: 20,
        reconnectGraceMs: 3_000,
        healthCheckMs: options.healthCheckMs ?? 0,
      },
      timeouts: {
        findCardMs: 500,
        selectCardMs: 500,
        readSamIdMs: 500,
        readTextAndPhotoMs: 1_500,
        interByteMs: 200,
        quietMs: 30,
        maxQuietWaitMs: 500,
      },
    },
  );
  await until(() => reader.status().state === 'ready', 10_000, 'the driver to open the pty');
  const statuses: DeviceStatus['state'][] = [];
  reader.onStatus((s) => statuses.push(s.state));
  return {
    device,
    simulator: device.simulator,
    reader,
    log,
    statuses,
    link,
    stop: async () => {
      await reader.close();
      device.close();
    },
  };
}

const { makeSimPerson } = await import('../../drivers/id-reader/simulator.ts');
const read = (s: Stack, ms = 15_000) => s.reader.readCard(AbortSignal.timeout(ms));

run('the ID card reader over a pty with the real serialport', () => {
  it('reads the card on the reader, at 115 200 baud, and logs only a masked number', async () => {
    stack = await startStack();
    const person = makeSimPerson({ name: '赵淑珍' });
    stack.simulator.placeCard(person);
    expect(await read(stack)).toEqual({ ok: true, value: person });
    expect(stack.reader.transport).toBe(`serial:${stack.link}`);
    expect(stack.simulator.commandsReceived).toBe(3);
    expect(stack.simulator.overruns).toBe(0);
    const logged = JSON.stringify(stack.log.entries);
    expect(logged).toContain(
      `${person.idNumber.slice(0, 4)}**********${person.idNumber.slice(-4)}`,
    );
    expect(logged).not.toContain(person.idNumber);
    expect(logged).not.toContain(person.name);
  });

  it('reads the SAM id (diagnostics)', async () => {
    stack = await startStack();
    const sam = await stack.reader.readSamId(AbortSignal.timeout(5_000));
    expect(sam).toMatchObject({ ok: true, value: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('waits for a card to be placed, then for it to be taken away', async () => {
    stack = await startStack();
    const reading = read(stack);
    await until(() => stack!.simulator.commandsReceived >= 3, 5_000, 'polling');
    const person = makeSimPerson();
    stack.simulator.placeCard(person);
    expect(await reading).toEqual({ ok: true, value: person });
    let gone = false;
    const removal = stack.reader
      .waitForRemoval(AbortSignal.timeout(10_000))
      .then(() => (gone = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(gone).toBe(false);
    stack.simulator.removeCard();
    await removal;
    expect(stack.reader.cardPresent()).toBe(false);
  });

  const faults: [string, string, object][] = [
    [
      'silence',
      'silence',
      { kind: 'readerFault', detail: expect.stringMatching(/no answer within/) },
    ],
    ['garbage bytes', 'garbage', { kind: 'readerFault', detail: expect.any(String) }],
    [
      'a half frame',
      'half-frame',
      { kind: 'readerFault', detail: expect.stringMatching(/stopped after \d+ bytes/) },
    ],
    [
      'a wrong checksum',
      'bad-checksum',
      { kind: 'readerFault', detail: expect.stringMatching(/damaged answer \(badChecksum\)/) },
    ],
    [
      'a device slower than its deadline',
      'slow:1200',
      { kind: 'readerFault', detail: expect.stringMatching(/no answer within/) },
    ],
    ['a SAM that rejects the card', 'sam-rejects', { kind: 'notGenuine' }],
    ['a card that rejects the SAM', 'card-rejects-sam', { kind: 'notGenuine' }],
    ['a card that will not read', 'move-card', { kind: 'moveCard' }],
  ];
  it.each(faults)(
    'turns %s into a typed outcome, and the next read after clearing it succeeds',
    async (_name, fault, failure) => {
      stack = await startStack();
      const person = makeSimPerson();
      stack.simulator.placeCard(person);
      expect(stack.device.control(`fault ${fault}`)).toBe(`fault: ${fault}`);
      expect(await read(stack)).toEqual({ ok: false, error: failure });
      expect(stack.device.control('clear')).toBe('fault cleared');
      expect(await read(stack)).toEqual({ ok: true, value: person });
      expect(stack.reader.status()).toEqual({ state: 'ready' });
    },
  );

  it('reads through a slow device that answers within its deadline', async () => {
    stack = await startStack();
    const person = makeSimPerson();
    stack.simulator.placeCard(person);
    stack.device.control('fault slow:150');
    expect(await read(stack)).toEqual({ ok: true, value: person });
  });

  it('reports a silent reader as faulted once, and ready again once it answers', async () => {
    stack = await startStack();
    stack.simulator.placeCard(makeSimPerson());
    stack.device.control('fault silence');
    await read(stack);
    await read(stack);
    stack.device.control('clear');
    expect((await read(stack)).ok).toBe(true);
    expect(stack.statuses).toEqual(['fault', 'ready']);
  });

  it('sees an unplug as disconnected, finds the reader again at its path after replug, and reads', async () => {
    stack = await startStack();
    const person = makeSimPerson();
    stack.simulator.placeCard(person);
    stack.device.unplug();
    expect(stack.device.plugged).toBe(false);
    // Idle, the port notices at its next exchange: a read starts one, fails, waits for the reader.
    const reading = read(stack);
    await until(() => stack!.reader.status().state === 'disconnected', 10_000, 'disconnected');
    stack.device.replug(); // a new pty (the kernel may reuse its number), the link follows it
    expect(await reading).toEqual({ ok: true, value: person });
    expect(stack.statuses).toEqual(['disconnected', 'ready']);
    expect(
      stack.log.entries
        .filter((e) => (e.fields as { event?: string }).event === 'device.link')
        .map((e) => (e.fields as { to: string }).to),
    ).toEqual(['open', 'disconnected', 'open']);
  });

  it('fails a read with a reader fault when the reader stays away, and reads once it is back', async () => {
    stack = await startStack();
    const person = makeSimPerson();
    stack.simulator.placeCard(person);
    stack.device.unplug();
    expect(await read(stack)).toMatchObject({ ok: false, error: { kind: 'readerFault' } });
    stack.device.replug();
    await until(() => stack!.reader.status().state === 'ready', 10_000, 'ready after replug');
    expect(await read(stack)).toEqual({ ok: true, value: person });
  });

  it('notices an unplug while idle, and is ready again after replug without anyone reading', async () => {
    stack = await startStack({ healthCheckMs: 100 });
    stack.device.unplug();
    await until(
      () => stack!.reader.status().state === 'disconnected',
      10_000,
      'the idle driver to notice the unplug',
    );
    stack.device.replug();
    await until(
      () => stack!.reader.status().state === 'ready',
      10_000,
      'the idle driver to find the reader again',
    );
    expect(stack.statuses).toEqual(['disconnected', 'ready']);
  });
});
