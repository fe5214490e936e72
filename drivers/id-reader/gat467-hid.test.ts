/**
 * The GA/T 467 reader as a USB HID model: the same driver and codec, the frames carried in HID
 * reports, through the HID transport interface (an in-memory bus: no virtual HID device can be
 * made on these machines). The factory is the one the host uses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HidByteBridge } from '../hid/hid-byte-reports.ts';
import { MemoryHidBus } from '../hid/memory-hid.ts';
import { silentLog } from '../serial/reconnecting-line.ts';
import { createIdCardReader, type ManagedIdCardReader } from './create-id-card-reader.ts';
import { GAT467_HID_LAYOUT } from './gat467-hid-layout.ts';
import { Gat467Simulator } from './gat467-simulator.ts';
import { makeSimPerson } from './simulator.ts';

const IDS = { vendorId: 0x0400, productId: 0xc35a };
let reader: ManagedIdCardReader | undefined;
afterEach(async () => {
  await reader?.close();
  reader = undefined;
});

function hidReader(serialNumber = 'HID-READER-1') {
  const bus = new MemoryHidBus();
  const simulator = new Gat467Simulator({
    baudRate: Infinity,
    rxBufferBytes: 1024,
    flowControl: 'none',
  });
  const device = new HidByteBridge(
    { ...IDS, serialNumber, product: 'ID reader' },
    GAT467_HID_LAYOUT,
  );
  simulator.attach(device.port);
  bus.plug(device);
  reader = createIdCardReader({ transport: { type: 'hid', ...IDS, serialNumber } }, silentLog, {
    hidBinding: async () => bus,
    timing: { cardPollMs: 10, reconnectGraceMs: 1_500 },
    timeouts: {
      findCardMs: 200,
      selectCardMs: 200,
      readTextAndPhotoMs: 400,
      interByteMs: 80,
      quietMs: 20,
      maxQuietWaitMs: 200,
    },
  });
  return { bus, simulator, device, reader };
}

async function until(condition: () => boolean) {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a GA/T 467 reader on USB HID', () => {
  it('reads a card: 1 295-byte answers cross in 64-byte reports', async () => {
    const { simulator, reader } = hidReader();
    const person = makeSimPerson({ name: '李桂兰' });
    simulator.placeCard(person);
    expect(await reader.readCard(AbortSignal.timeout(5_000))).toEqual({ ok: true, value: person });
    expect(reader.transport).toBe('hid:0400:c35a');
  });

  it('turns a damaged answer into a reader fault, and reads once it is cleared', async () => {
    const { simulator, reader } = hidReader();
    const person = makeSimPerson();
    simulator.placeCard(person);
    simulator.setFault({ kind: 'bad-checksum' });
    expect(await reader.readCard(AbortSignal.timeout(5_000))).toMatchObject({
      ok: false,
      error: { kind: 'readerFault' },
    });
    simulator.setFault(null);
    expect(await reader.readCard(AbortSignal.timeout(5_000))).toEqual({ ok: true, value: person });
  });

  it('finds the reader again by its ids after a replug under a new path', async () => {
    const { bus, simulator, device, reader } = hidReader();
    const person = makeSimPerson();
    simulator.placeCard(person);
    await until(() => reader.status().state === 'ready');
    const states: string[] = [];
    reader.onStatus((s) => states.push(s.state));
    bus.unplug(device);
    // The unplug is noticed at the next exchange (a failed read of the next report).
    const during = reader.readCard(AbortSignal.timeout(10_000));
    await until(() => reader.status().state === 'disconnected');
    bus.plug(device);
    expect(await during).toEqual({ ok: true, value: person });
    expect(states).toEqual(['disconnected', 'ready']);
  });
});
