/**
 * An in-memory HID bus implementing the same `HidBinding` as node-hid: simulated HID devices
 * plug into it (and out of it, and back in under a new path, as a real replug does), and the
 * real drivers enumerate and open them. For `npm start` without hardware and for tests: these
 * machines cannot create a virtual HID device that node-hid would see.
 */
import type { HidBinding, HidDeviceInfo, HidDeviceModel, HidHandle } from './hid-transport.ts';

interface Slot {
  model: HidDeviceModel;
  path: string;
  handles: Set<MemoryHidHandle>;
}

class MemoryHidHandle implements HidHandle {
  readonly reports: ((report: Uint8Array) => void)[] = [];
  readonly errors: ((error: Error) => void)[] = [];
  closed = false;
  constructor(private readonly slot: Slot) {}
  async write(report: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('HID device is closed');
    if (!this.slot.handles.has(this)) throw new Error('could not write to HID device');
    const copy = Uint8Array.from(report);
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.slot.model.outputReport(copy);
  }
  onReport(listener: (report: Uint8Array) => void): void {
    this.reports.push(listener);
  }
  onError(listener: (error: Error) => void): void {
    this.errors.push(listener);
  }
  async close(): Promise<void> {
    this.closed = true;
    this.slot.handles.delete(this);
  }
}

export class MemoryHidBus implements HidBinding {
  readonly #slots = new Map<HidDeviceModel, Slot>();
  #nextPath = 0;

  /** Plugs a device in; returns the path it enumerates under (new on every plug). */
  plug(model: HidDeviceModel): string {
    const existing = this.#slots.get(model);
    if (existing) return existing.path;
    const slot: Slot = { model, path: `/dev/hidraw-memory${this.#nextPath++}`, handles: new Set() };
    this.#slots.set(model, slot);
    model.connected((report) => {
      const copy = Uint8Array.from(report);
      setImmediate(() => {
        for (const handle of slot.handles) for (const listener of handle.reports) listener(copy);
      });
    });
    return slot.path;
  }

  /** Pulls the device out: open handles fail their next read, as node-hid's do. */
  unplug(model: HidDeviceModel): void {
    const slot = this.#slots.get(model);
    if (!slot) return;
    this.#slots.delete(model);
    model.disconnected();
    for (const handle of slot.handles) {
      setImmediate(() => {
        for (const listener of handle.errors) listener(new Error('could not read from HID device'));
      });
    }
    slot.handles.clear();
  }

  async devices(): Promise<HidDeviceInfo[]> {
    return [...this.#slots.values()].map((slot) => ({ ...slot.model.info, path: slot.path }));
  }

  async open(path: string): Promise<HidHandle> {
    const slot = [...this.#slots.values()].find((s) => s.path === path);
    if (!slot) throw new Error(`cannot open device with path ${path}`);
    const handle = new MemoryHidHandle(slot);
    slot.handles.add(handle);
    return handle;
  }
}
