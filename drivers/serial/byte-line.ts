/**
 * A byte line between the kiosk and a device, seen from each end. The contract every serial
 * driver and simulator shares (the card printer's, the receipt printer's, the ID reader's):
 *
 * - the host end (`ByteLine`) is what a driver talks through: `serialport` (serial-transport.ts),
 *   a memory cable to an in-process simulator (memory-line.ts), or HID reports carrying a byte
 *   stream (drivers/hid);
 * - the device end (`DevicePort`) is what a simulator talks through: a pseudo-terminal's master
 *   or the memory cable's far end.
 *
 * A line that closes stays closed: the driver asks its `LineOpener` for a new one (after an
 * unplug, the same port path or the same USB ids), see reconnecting-line.ts.
 */

export interface LineClosed {
  /** The device went away (USB unplugged, pty master closed), as opposed to us closing it. */
  unplugged: boolean;
  error?: Error;
}

export interface ByteLine {
  /** `serial:/dev/ttyUSB0`, `memory:id-reader`: for logs and diagnostics. */
  readonly description: string;
  /** Resolves once the bytes are handed to the device's side; rejects if the line is gone. */
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (chunk: Uint8Array) => void): void;
  /** Called once, when the line closes for any reason. */
  onClose(listener: (closed: LineClosed) => void): void;
  close(): Promise<void>;
}

/** Opens the line afresh: a driver calls it again after an unplug. */
export type LineOpener = () => Promise<ByteLine>;

export interface DevicePort {
  /** Device → host. Fire and forget, like a UART's transmitter. */
  write(bytes: Uint8Array): void;
  onData(listener: (chunk: Uint8Array) => void): void;
  /** Flow control (RTS/CTS on a real line): stop and restart the host's bytes. */
  pause(): void;
  resume(): void;
  onClose(listener: () => void): void;
}

/** The error a missing or busy device opens with, whatever the transport. */
export class LineUnavailableError extends Error {
  constructor(
    message: string,
    readonly reason: 'absent' | 'busy' | 'other',
  ) {
    super(message);
    this.name = 'LineUnavailableError';
  }
}
