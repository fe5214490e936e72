/**
 * Hosting a simulated serial device on a pseudo-terminal pair, with unplug and replug: the
 * building block of every entry in SERIAL_SIMULATORS (simulators.ts).
 *
 * Unplug closes the pty (the driver's port fails with EIO and closes as `disconnected`) and
 * removes the stable link, as udev removes /dev/serial/by-id/… when the cable is pulled; replug
 * opens a new pty (a new /dev/pts/N) and points the link at it again.
 */
import { lstatSync, rmSync, symlinkSync } from 'node:fs';
import type { DevicePort } from './byte-line.ts';
import { openPtyPair, type PtyPair } from './pty-pair.ts';

export interface SerialSimulatorOptions {
  /** Faults to start with, in the device's own words (`silence`, `slow:1500`). */
  faults: string[];
  /** A symlink to keep pointing at the current pty: the stable path a driver is configured with. */
  link?: string;
  /** Line speed the simulated UART paces bytes at (a pty itself ignores baud rates). */
  baudRate?: number;
  /** Device-specific settings from `--set key=value`. */
  settings: Record<string, string>;
}

export interface SimulatorOnPty {
  readonly device: string;
  /** The path the driver opens: the link when one was asked for, else the pty. */
  readonly path: string;
  /** The current pseudo-terminal (changes on replug). */
  readonly ptyPath: string;
  readonly plugged: boolean;
  unplug(): void;
  replug(): void;
  /** Runs one control line (`fault silence`, `unplug`, `help`…) and returns the reply for the operator. */
  control(line: string): string;
  close(): void;
}

/** The simulator's end of a pty as a DevicePort. */
export function ptyDevicePort(pair: PtyPair): DevicePort {
  return {
    write: (bytes) => void pair.master.write(Buffer.from(bytes)),
    onData: (listener) =>
      void pair.master.on('data', (chunk: Buffer) => listener(new Uint8Array(chunk))),
    pause: () => void pair.master.pause(),
    resume: () => void pair.master.resume(),
    onClose: (listener) => void pair.master.on('close', listener),
  };
}

function pointLink(link: string, target: string): void {
  try {
    if (!lstatSync(link).isSymbolicLink())
      throw new Error(`${link} exists and is not a symlink: not replacing it`);
    rmSync(link);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  symlinkSync(target, link);
}

function removeLink(link: string): void {
  try {
    if (lstatSync(link).isSymbolicLink()) rmSync(link);
  } catch {
    // already gone
  }
}

/**
 * Hosts a device model on a pty pair with unplug/replug and the control lines every device
 * understands (`unplug`, `replug`, `help`); `deviceControl` handles the rest (null: unknown).
 */
export function hostOnPty(
  device: string,
  options: { link?: string },
  attach: (port: DevicePort) => void,
  deviceControl: (words: string[]) => string | null,
  deviceHelp: string,
): SimulatorOnPty {
  let pair: PtyPair | null = null;
  const plug = () => {
    pair = openPtyPair();
    if (options.link) pointLink(options.link, pair.path);
    attach(ptyDevicePort(pair));
  };
  const pull = () => {
    if (options.link) removeLink(options.link);
    pair?.close();
    pair = null;
  };
  plug();
  const help = `${deviceHelp}\n  unplug | replug        pull the cable / plug it back (a new pty${options.link ? `, ${options.link} follows it` : ''})\n  help`;
  return {
    device,
    get path() {
      return options.link ?? pair?.path ?? '(unplugged)';
    },
    get ptyPath() {
      return pair?.path ?? '(unplugged)';
    },
    get plugged() {
      return pair !== null;
    },
    unplug: () => pull(),
    replug: () => {
      if (!pair) plug();
    },
    control(line) {
      const words = line.trim().split(/\s+/).filter(Boolean);
      if (words.length === 0) return '';
      if (words[0] === 'help') return help;
      if (words[0] === 'unplug') {
        pull();
        return 'unplugged';
      }
      if (words[0] === 'replug') {
        if (!pair) plug();
        return `plugged in on ${pair!.path}`;
      }
      try {
        return deviceControl(words) ?? `unknown command "${words[0]}"; type help`;
      } catch (error) {
        return (error as Error).message;
      }
    },
    close: () => pull(),
  };
}
