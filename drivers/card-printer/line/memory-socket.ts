/**
 * An in-process serial cable between a driver and a simulator, for `npm start` on any machine and
 * for the journey tests. Bytes are copied and delivered in a microtask: never inside the writer's
 * call (as with a real port), but before any timer runs. drivers/serial/memory-line.ts delivers
 * on `setImmediate`, which lets a test's timer fall between the exchanges of one operation; the
 * journey test reads the receipt the moment the receipt screen shows, which holds only when an
 * in-process print completes without yielding to timers. (To merge with memory-line.ts once it
 * delivers in microtasks too.)
 *
 * The socket can be unplugged and replugged: the driver's line closes with `unplugged`, and its
 * next open fails as a missing /dev/tty would until the simulator is plugged back in.
 */
import {
  LineUnavailableError,
  type ByteLine,
  type DevicePort,
  type LineClosed,
  type LineOpener,
} from '../../serial/byte-line.ts';

interface Cable {
  host: ByteLine;
  device: DevicePort;
  isOpen(): boolean;
  cut(closed: LineClosed): void;
}

function memoryCable(name: string): Cable {
  const toDevice: ((chunk: Uint8Array) => void)[] = [];
  const toHost: ((chunk: Uint8Array) => void)[] = [];
  const hostClosed: ((closed: LineClosed) => void)[] = [];
  const deviceClosed: (() => void)[] = [];
  let open = true;
  let paused = false;
  /** Bytes the device's flow control holds back. */
  const held: Uint8Array[] = [];

  const deliver = () => {
    while (open && !paused && held.length > 0) {
      const next = held.shift()!;
      for (const listener of toDevice) listener(next);
    }
  };

  const cut = (closed: LineClosed) => {
    if (!open) return;
    open = false;
    held.length = 0;
    for (const listener of hostClosed) listener(closed);
    for (const listener of deviceClosed) listener();
  };

  const host: ByteLine = {
    description: `memory:${name}`,
    write(bytes) {
      if (!open)
        return Promise.reject(new LineUnavailableError(`memory:${name} is closed`, 'absent'));
      held.push(Uint8Array.from(bytes));
      queueMicrotask(deliver);
      return Promise.resolve();
    },
    onData: (listener) => void toHost.push(listener),
    onClose: (listener) => void hostClosed.push(listener),
    close: async () => cut({ unplugged: false }),
  };

  const device: DevicePort = {
    write(bytes) {
      if (!open) return;
      const copy = Uint8Array.from(bytes);
      queueMicrotask(() => {
        if (open) for (const listener of toHost) listener(copy);
      });
    },
    onData: (listener) => void toDevice.push(listener),
    pause: () => void (paused = true),
    resume() {
      paused = false;
      queueMicrotask(deliver);
    },
    onClose: (listener) => void deviceClosed.push(listener),
  };
  return { host, device, cut, isOpen: () => open };
}

/**
 * The simulator's side of an in-process serial port: `attach` runs for every new connection (the
 * simulator starts talking on the port it gets); `opener` is what the driver opens.
 */
export class MemorySocket {
  #plugged = true;
  #current: Cable | null = null;

  constructor(
    readonly name: string,
    private readonly attach: (port: DevicePort) => void,
  ) {}

  readonly opener: LineOpener = async () => {
    if (!this.#plugged)
      throw new LineUnavailableError(`memory:${this.name} is unplugged`, 'absent');
    if (this.#current?.isOpen())
      throw new LineUnavailableError(`memory:${this.name} is already open`, 'busy');
    const cable = memoryCable(this.name);
    this.#current = cable;
    this.attach(cable.device);
    return cable.host;
  };

  get plugged(): boolean {
    return this.#plugged;
  }

  unplug(): void {
    this.#plugged = false;
    const cable = this.#current;
    this.#current = null;
    cable?.cut({ unplugged: true });
  }

  replug(): void {
    this.#plugged = true;
  }
}
