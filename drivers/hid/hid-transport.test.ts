/**
 * HID devices through the transport interface (no virtual HID device can exist on these
 * machines): found by vendor/product/serial, found again under a new path after a replug,
 * disconnects reported once. And the real node-hid binding, as far as it can be exercised here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LineUnavailableError } from '../serial/byte-line.ts';
import { ReconnectingLine, type LinkState } from '../serial/reconnecting-line.ts';
import { hidReportLineOpener, type HidDeviceModel } from './hid-transport.ts';
import { MemoryHidBus } from './memory-hid.ts';
import { nodeHidBinding } from './node-hid-binding.ts';

/** A device that answers every output report with the same bytes plus one. */
function echoDevice(serialNumber: string): HidDeviceModel & { outputs: number } {
  let send: ((r: Uint8Array) => void) | null = null;
  const device = {
    info: { vendorId: 0x1234, productId: 0x5678, serialNumber },
    outputs: 0,
    outputReport(report: Uint8Array) {
      device.outputs++;
      send?.(report.map((b) => b + 1));
    },
    connected: (s: (r: Uint8Array) => void) => void (send = s),
    disconnected: () => void (send = null),
  };
  return device;
}

const fastBackoff = { initialMs: 20, maxMs: 100, factor: 2 };
let line: ReconnectingLine | undefined;
afterEach(async () => {
  await line?.stop();
  line = undefined;
});

function nextReport(l: ReconnectingLine): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const off = l.onData((r) => {
      off();
      resolve(r);
    });
  });
}

describe('a HID device behind the transport interface', () => {
  it('opens the device with the configured serial number, not its twin', async () => {
    const bus = new MemoryHidBus();
    const twin = echoDevice('OTHER');
    const mine = echoDevice('SN-1');
    bus.plug(twin);
    bus.plug(mine);
    line = new ReconnectingLine(
      hidReportLineOpener(async () => bus, {
        vendorId: 0x1234,
        productId: 0x5678,
        serialNumber: 'SN-1',
      }),
      { name: 'test', backoff: fastBackoff },
    );
    line.start();
    expect(await line.whenOpen(2_000)).toBe(true);
    const reply = nextReport(line);
    await line.write(Uint8Array.of(0, 1, 2));
    expect([...(await reply)]).toEqual([1, 2, 3]);
    expect(mine.outputs).toBe(1);
    expect(twin.outputs).toBe(0);
  });

  it('reports the unplug once, finds the device again under its new path, and works', async () => {
    const bus = new MemoryHidBus();
    const device = echoDevice('SN-1');
    const firstPath = bus.plug(device);
    line = new ReconnectingLine(
      hidReportLineOpener(async () => bus, { vendorId: 0x1234, productId: 0x5678 }),
      { name: 'test', backoff: fastBackoff },
    );
    const states: LinkState['state'][] = [];
    line.onState((s) => states.push(s.state));
    line.start();
    await line.whenOpen(2_000);
    bus.unplug(device);
    await new Promise((r) => setTimeout(r, 300)); // several failed reopen attempts meanwhile
    expect(line.state.state).toBe('disconnected');
    const secondPath = bus.plug(device);
    expect(secondPath).not.toBe(firstPath);
    expect(await line.whenOpen(2_000)).toBe(true);
    expect(line.description).toContain(secondPath);
    const reply = nextReport(line);
    await line.write(Uint8Array.of(0, 41));
    expect([...(await reply)]).toEqual([1, 42]);
    expect(states).toEqual(['open', 'disconnected', 'open']);
  });

  it('says the device is absent when nothing matches', async () => {
    const open = hidReportLineOpener(async () => new MemoryHidBus(), { vendorId: 1, productId: 2 });
    await expect(open()).rejects.toMatchObject({ reason: 'absent' });
  });
});

describe('the node-hid binding on this machine', () => {
  it('loads, enumerates, and reports a configured device that is not there as absent', async (context) => {
    const binding = nodeHidBinding();
    let devices;
    try {
      devices = await binding.devices();
    } catch (error) {
      const message = `node-hid cannot load here (${(error as Error).message}); install libusb-1.0-0 and libudev1`;
      if (process.env.CI) throw new Error(message);
      context.skip(message);
      return;
    }
    expect(Array.isArray(devices)).toBe(true);
    const open = hidReportLineOpener(async () => binding, {
      vendorId: 0xfffe,
      productId: 0xfffd,
      serialNumber: 'no-such-device',
    });
    const failure = await open().catch((error) => error);
    expect(failure).toBeInstanceOf(LineUnavailableError);
    expect(failure.reason).toBe('absent');
  });
});
