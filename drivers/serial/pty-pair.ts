/**
 * A pseudo-terminal pair for serial-device simulators: the driver opens `path` with `serialport`
 * exactly as it opens /dev/ttyUSB0, and the simulator speaks the device's protocol on `master`.
 *
 * Plain Node cannot create one (unlocking the slave needs an ioctl, PROTOCOLS.md §6); node-pty's
 * native `open()` does it. Unlike socat, closing our master is seen by the driver: its next write
 * fails with EIO and its port closes with `disconnected` — a realistic unplug. Use a fresh pair per
 * test: stale bytes leak between tests otherwise.
 */
import { closeSync, write } from 'node:fs';
import { createRequire } from 'node:module';
import { Duplex } from 'node:stream';
import tty from 'node:tty';

interface NativePty {
  open(cols: number, rows: number): { master: number; slave: number; pty: string };
}

const native = createRequire(import.meta.url)('node-pty/build/Release/pty.node') as NativePty;

export interface PtyPair {
  /** The device path the driver opens, e.g. `/dev/pts/7`. */
  readonly path: string;
  /** The device's end of the line. */
  readonly master: Duplex;
  /** Unplugs the device: the driver sees EIO and a disconnect. */
  close(): void;
}

export function openPtyPair(): PtyPair {
  const { master, slave, pty } = native.open(80, 24);
  // A TTY handle reads the master without blocking libuv's thread pool; writes go through fs.
  const reader = new tty.ReadStream(master);
  reader.setRawMode?.(true);
  let closed = false;
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      const attempt = (offset: number) => {
        if (closed) return callback(new Error('pty closed'));
        write(master, chunk, offset, chunk.length - offset, null, (error, written) => {
          if (error?.code === 'EAGAIN') return setTimeout(() => attempt(offset), 1);
          if (error) return callback(error);
          if (offset + written < chunk.length) return attempt(offset + written);
          callback();
        });
      };
      attempt(0);
    },
  });
  reader.on('data', (data: Buffer) => stream.push(data));
  // EIO on the master just means nobody holds the slave open at this moment.
  reader.on('error', () => {});
  stream.on('error', () => {});
  return {
    path: pty,
    master: stream,
    close() {
      if (closed) return;
      closed = true;
      reader.destroy();
      stream.push(null);
      stream.destroy();
      closeSync(slave);
    },
  };
}
