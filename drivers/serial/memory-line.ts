/**
 * A memory cable between a driver and an in-process simulator: what `npm start` uses on a
 * machine without the device. Bytes cross asynchronously (never inside the writer's call, as
 * with a real port), in order. `unplug()` closes the driver's line as a USB unplug does, and
 * `open` fails until `replug()`; the simulator's end survives both, as the device itself would.
 */
import {
  LineUnavailableError,
  type ByteLine,
  type DevicePort,
  type LineClosed,
  type LineOpener,
} from './byte-line.ts';

export interface MemoryLine {
  /** The driver's end: one open line at a time, like an exclusively locked port. */
  readonly open: LineOpener;
  /** The simulator's end. */
  readonly device: DevicePort;
  readonly plugged: boolean;
  unplug(): void;
  replug(): void;
}

export function createMemoryLine(name: string): MemoryLine {
  let plugged = true;
  let paused = false;
  let current: HostEnd | null = null;
  const heldWhilePaused: Uint8Array[] = [];
  const deviceData: ((chunk: Uint8Array) => void)[] = [];
  const deviceClose: (() => void)[] = [];

  const toDevice = (chunk: Uint8Array) => {
    if (paused) heldWhilePaused.push(chunk);
    else for (const listener of deviceData) listener(chunk);
  };

  class HostEnd implements ByteLine {
    readonly description = `memory:${name}`;
    readonly #data: ((chunk: Uint8Array) => void)[] = [];
    readonly #close: ((closed: LineClosed) => void)[] = [];
    closed = false;

    write(bytes: Uint8Array): Promise<void> {
      if (this.closed)
        return Promise.reject(new LineUnavailableError(`${this.description} is closed`, 'absent'));
      const copy = Uint8Array.from(bytes);
      return new Promise((resolve) =>
        setImmediate(() => {
          if (!this.closed) toDevice(copy);
          resolve();
        }),
      );
    }
    onData(listener: (chunk: Uint8Array) => void): void {
      this.#data.push(listener);
    }
    onClose(listener: (closed: LineClosed) => void): void {
      this.#close.push(listener);
    }
    deliver(chunk: Uint8Array): void {
      if (!this.closed) for (const listener of this.#data) listener(chunk);
    }
    end(closed: LineClosed): void {
      if (this.closed) return;
      this.closed = true;
      if (current === this) current = null;
      for (const listener of this.#close) listener(closed);
    }
    async close(): Promise<void> {
      this.end({ unplugged: false });
    }
  }

  return {
    open: async () => {
      if (!plugged) throw new LineUnavailableError(`memory:${name} is unplugged`, 'absent');
      if (current) throw new LineUnavailableError(`memory:${name} is already open`, 'busy');
      current = new HostEnd();
      return current;
    },
    device: {
      write(bytes) {
        const copy = Uint8Array.from(bytes);
        const target = current;
        setImmediate(() => target?.deliver(copy));
      },
      onData: (listener) => void deviceData.push(listener),
      pause: () => void (paused = true),
      resume: () => {
        paused = false;
        for (const chunk of heldWhilePaused.splice(0)) toDevice(chunk);
      },
      onClose: (listener) => void deviceClose.push(listener),
    },
    get plugged() {
      return plugged;
    },
    unplug() {
      if (!plugged) return;
      plugged = false;
      heldWhilePaused.length = 0;
      current?.end({ unplugged: true });
      for (const listener of deviceClose) listener();
    },
    replug() {
      plugged = true;
    },
  };
}
