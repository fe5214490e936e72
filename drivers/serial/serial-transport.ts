/**
 * Serial ports through `serialport` as `ByteLine`s: open by path, or find the port again by its
 * USB vendor/product/serial number after it comes back under another name (ttyUSB0 → ttyUSB1).
 *
 * PROTOCOLS.md §6: `SerialPort.list()` runs `udevadm` and, without Debian's udev package, the
 * process dies of an uncaught `spawn udevadm ENOENT`: listSerialPorts() checks first. A port
 * whose device went away fires `close` with `disconnected`, and a write after that would wait
 * for a reopen forever: the line refuses writes once closed.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { err, ok, type Result } from '../common/result.ts';
import {
  LineUnavailableError,
  type ByteLine,
  type LineClosed,
  type LineOpener,
} from './byte-line.ts';

export interface UsbMatch {
  /** Hex, as udev reports it (`1a86`); numbers are accepted and formatted. */
  vendorId: string | number;
  productId: string | number;
  serialNumber?: string;
}

export interface SerialTarget {
  /** `/dev/ttyUSB0`, or better a udev link that survives replugging (`/dev/serial/by-id/…`). */
  path: string;
  baudRate: number;
  /** When given and `path` is absent, the port with these USB ids is opened instead. */
  usb?: UsbMatch;
}

export interface SerialPortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
}

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** The machine's serial ports, or why they cannot be listed (never a crash). */
export async function listSerialPorts(): Promise<
  Result<SerialPortInfo[], { kind: 'unavailable'; detail: string }>
> {
  if (process.platform === 'linux' && !onPath('udevadm')) {
    return err({
      kind: 'unavailable',
      detail: 'udevadm is not installed (Debian package "udev"): serial ports cannot be listed',
    });
  }
  try {
    const ports = await SerialPort.list();
    return ok(
      ports.map((p) => ({
        path: p.path,
        vendorId: p.vendorId?.toLowerCase(),
        productId: p.productId?.toLowerCase(),
        serialNumber: p.serialNumber,
        manufacturer: p.manufacturer,
      })),
    );
  } catch (error) {
    return err({ kind: 'unavailable', detail: (error as Error).message });
  }
}

const hexId = (id: string | number) =>
  typeof id === 'number' ? id.toString(16).padStart(4, '0') : id.toLowerCase();

export function matchesUsb(port: SerialPortInfo, match: UsbMatch): boolean {
  return (
    port.vendorId === hexId(match.vendorId) &&
    port.productId === hexId(match.productId) &&
    (match.serialNumber === undefined || port.serialNumber === match.serialNumber)
  );
}

async function resolvePath(target: SerialTarget): Promise<string> {
  if (existsSync(target.path) || !target.usb) return target.path;
  const ports = await listSerialPorts();
  const found = ports.ok ? ports.value.find((p) => matchesUsb(p, target.usb!)) : undefined;
  return found?.path ?? target.path;
}

class SerialPortLine implements ByteLine {
  readonly #closeListeners: ((closed: LineClosed) => void)[] = [];
  #closed = false;

  constructor(
    private readonly port: SerialPort,
    readonly description: string,
  ) {
    port.on('close', (error: (Error & { disconnected?: boolean }) | null) =>
      this.#end({ unplugged: error?.disconnected === true, ...(error ? { error } : {}) }),
    );
    // A failed write also emits `error`; the close that follows says whether it was an unplug.
    port.on('error', (error: Error) => {
      if (!port.isOpen) this.#end({ unplugged: true, error });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed || !this.port.isOpen)
      return Promise.reject(new LineUnavailableError(`${this.description} is closed`, 'absent'));
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes), (error) => (error ? reject(error) : resolve()));
    });
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.port.on('data', listener);
  }

  onClose(listener: (closed: LineClosed) => void): void {
    this.#closeListeners.push(listener);
  }

  close(): Promise<void> {
    if (this.#closed || !this.port.isOpen) {
      this.#end({ unplugged: false });
      return Promise.resolve();
    }
    return new Promise((resolve) => this.port.close(() => resolve()));
  }

  #end(closed: LineClosed): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of this.#closeListeners) listener(closed);
  }
}

/** Opens the port once. Rejects with LineUnavailableError: absent, busy (locked by another process), other. */
export async function openSerialLine(target: SerialTarget): Promise<ByteLine> {
  const portPath = await resolvePath(target);
  if (!existsSync(portPath)) throw new LineUnavailableError(`${portPath} does not exist`, 'absent');
  const port = new SerialPort({ path: portPath, baudRate: target.baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((error) => {
      if (!error) return resolve();
      const message = error.message;
      const reason = /lock|busy/i.test(message)
        ? 'busy'
        : /no such file|ENOENT/i.test(message)
          ? 'absent'
          : 'other';
      reject(new LineUnavailableError(`cannot open ${portPath}: ${message}`, reason));
    }),
  );
  return new SerialPortLine(port, `serial:${portPath}`);
}

export const serialLineOpener =
  (target: SerialTarget): LineOpener =>
  () =>
    openSerialLine(target);
