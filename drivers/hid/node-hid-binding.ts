/**
 * The real HID binding: `node-hid` (hidapi). Loaded on first use, not at import: it needs
 * libusb-1.0 and libudev at load time (PROTOCOLS.md §6), and a kiosk without a HID device must
 * still start — the device is then `disconnected`, with the reason in the log.
 *
 * Driver type (Linux): `hidraw` leaves the kernel's HID driver in place, so a keyboard-wedge
 * scanner would also type into the UI; `libusb` claims the interface and detaches the kernel
 * driver, so its keystrokes reach only us. HID POS scanners are not keyboards: hidraw is fine.
 */
import { createRequire } from 'node:module';
import type { HidBinding, HidDeviceInfo, HidHandle } from './hid-transport.ts';

type NodeHid = typeof import('node-hid');

let loaded: { hid: NodeHid } | { error: Error } | null = null;
let driverTypeSet: 'hidraw' | 'libusb' | null = null;

function nodeHid(): NodeHid {
  if (!loaded) {
    try {
      loaded = { hid: createRequire(import.meta.url)('node-hid') as NodeHid };
    } catch (error) {
      loaded = { error: error as Error };
    }
  }
  if ('error' in loaded)
    throw new Error(
      `node-hid cannot load (needs libusb-1.0-0 and libudev1): ${loaded.error.message}`,
    );
  return loaded.hid;
}

class NodeHidHandle implements HidHandle {
  constructor(private readonly device: import('node-hid').HIDAsync) {
    // node-hid emits `error` when a read fails (device unplugged); without a listener it would throw.
    device.on('error', () => {});
  }
  async write(report: Uint8Array): Promise<void> {
    await this.device.write(Buffer.from(report));
  }
  onReport(listener: (report: Uint8Array) => void): void {
    this.device.on('data', (data: Buffer) => listener(new Uint8Array(data)));
  }
  onError(listener: (error: Error) => void): void {
    this.device.on('error', listener);
  }
  close(): Promise<void> {
    return this.device.close();
  }
}

/** The node-hid binding. Throws (from its methods, not here) when node-hid cannot load. */
export function nodeHidBinding(options: { driverType?: 'hidraw' | 'libusb' } = {}): HidBinding {
  const prepare = () => {
    const hid = nodeHid();
    if (options.driverType && driverTypeSet !== options.driverType) {
      // Process-wide in hidapi: set once, before the first open.
      hid.setDriverType(options.driverType);
      driverTypeSet = options.driverType;
    }
    return hid;
  };
  return {
    async devices(): Promise<HidDeviceInfo[]> {
      const list = await prepare().devicesAsync();
      return list.map((d) => ({
        ...(d.path ? { path: d.path } : {}),
        vendorId: d.vendorId,
        productId: d.productId,
        ...(d.serialNumber ? { serialNumber: d.serialNumber } : {}),
        ...(d.product ? { product: d.product } : {}),
        ...(d.usagePage !== undefined ? { usagePage: d.usagePage } : {}),
        ...(d.usage !== undefined ? { usage: d.usage } : {}),
        interface: d.interface,
      }));
    },
    async open(path: string): Promise<HidHandle> {
      return new NodeHidHandle(await prepare().HIDAsync.open(path));
    },
  };
}
