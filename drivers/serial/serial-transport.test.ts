/**
 * The serialport transport's edges that do not need a device: a machine without udevadm (where
 * `SerialPort.list()` would kill the process), a port that is not there, USB id matching.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LineUnavailableError } from './byte-line.ts';
import { listSerialPorts, matchesUsb, openSerialLine } from './serial-transport.ts';

const PATH = process.env.PATH;
afterEach(() => {
  process.env.PATH = PATH;
});

describe('the serial transport', () => {
  it.runIf(process.platform === 'linux')(
    'says why ports cannot be listed when udevadm is missing, instead of crashing',
    async () => {
      process.env.PATH = mkdtempSync(path.join(tmpdir(), 'no-udevadm-'));
      expect(await listSerialPorts()).toEqual({
        ok: false,
        error: { kind: 'unavailable', detail: expect.stringMatching(/udevadm is not installed/) },
      });
    },
  );

  it('refuses to open a port that is not there, as "absent"', async () => {
    const failure = await openSerialLine({
      path: '/dev/ttyUSB-mashang-none',
      baudRate: 115_200,
    }).catch((e) => e);
    expect(failure).toBeInstanceOf(LineUnavailableError);
    expect(failure.reason).toBe('absent');
  });

  it('matches a port by USB ids as udev spells them, numbers or hex', () => {
    const port = { path: '/dev/ttyUSB1', vendorId: '1a86', productId: '7523', serialNumber: 'A1' };
    expect(matchesUsb(port, { vendorId: 0x1a86, productId: 0x7523 })).toBe(true);
    expect(matchesUsb(port, { vendorId: '1A86', productId: '7523', serialNumber: 'A1' })).toBe(
      true,
    );
    expect(matchesUsb(port, { vendorId: 0x1a86, productId: 0x7523, serialNumber: 'B2' })).toBe(
      false,
    );
  });
});
