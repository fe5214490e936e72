/**
 * The scanner driver through the HID transport interface (an in-memory HID bus: these machines
 * cannot create a HID device node-hid would see), fed by the scanner simulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../common/device-status.ts';
import { MemoryHidBus } from '../hid/memory-hid.ts';
import {
  createQrScanner,
  type ManagedQrScanner,
  type QrScannerOptions,
} from './create-qr-scanner.ts';
import { HID_POS_LAYOUTS } from './hid-pos-report.ts';
import { QR_SCANNER_LIMITS, type ScannerMode } from './qr-scanner.ts';
import { SIM_QR_SCANNER_INFO, SimulatedQrScannerDevice } from './simulator.ts';

let scanner: ManagedQrScanner | undefined;
afterEach(async () => {
  await scanner?.close();
  scanner = undefined;
});

function recordingLog() {
  const lines: string[] = [];
  const write = (fields: object, message?: string) =>
    void lines.push(JSON.stringify({ ...fields, message }));
  return { lines, info: write, warn: write };
}

async function until(condition: () => boolean) {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A scanner plugged into a bus, and the kiosk's driver configured for it by USB ids. */
async function setUp(options: QrScannerOptions = {}) {
  const mode: ScannerMode =
    options.mode === 'keyboard-wedge'
      ? { kind: 'keyboard-wedge', reportId: null }
      : { kind: 'hid-pos', layout: HID_POS_LAYOUTS[options.vendor ?? 'honeywell'] };
  const bus = new MemoryHidBus();
  const device = new SimulatedQrScannerDevice(mode);
  bus.plug(device);
  const log = recordingLog();
  const created = createQrScanner(
    {
      transport: {
        type: 'hid',
        vendorId: SIM_QR_SCANNER_INFO.vendorId,
        productId: SIM_QR_SCANNER_INFO.productId,
        serialNumber: 'SIM-QR-1',
      },
    },
    log,
    { ...options, hidBinding: async () => bus },
  );
  scanner = created;
  await until(() => created.status().state === 'ready');
  return { bus, device, scanner: created, log };
}

const PAYMENT_CODE = '134567890123456789';

describe('the QR / barcode scanner', () => {
  it('delivers a payment code as text with its symbology, and never logs it', async () => {
    const { device, scanner, log } = await setUp();
    const next = scanner.nextScan(AbortSignal.timeout(5_000));
    device.scan(PAYMENT_CODE, 'qr');
    expect(await next).toMatchObject({ text: PAYMENT_CODE, symbology: 'qr', aim: ']Q1' });
    expect(log.lines.join('\n')).toContain('"symbology":"qr"');
    expect(log.lines.join('\n')).not.toContain(PAYMENT_CODE);
  });

  it('assembles a long QR code from several reports, and reads UTF-8 Chinese', async () => {
    const { device, scanner } = await setUp();
    const text = `https://example.invalid/check?no=${'7'.repeat(200)}&站点=马上村`;
    const next = scanner.nextScan(AbortSignal.timeout(5_000));
    device.scan(text);
    expect((await next).text).toBe(text);
  });

  it('tells the Code 128 barcode on a box of blanks from a QR code', async () => {
    const { device, scanner } = await setUp();
    const next = scanner.nextScan(AbortSignal.timeout(5_000));
    device.scan('BOX-2024-000123', 'code128');
    expect(await next).toMatchObject({ text: 'BOX-2024-000123', symbology: 'code128' });
  });

  it('does not hand a code scanned earlier to a caller that starts waiting later', async () => {
    const { device, scanner } = await setUp();
    device.scan('stale-code');
    await new Promise((r) => setTimeout(r, 50));
    const next = scanner.nextScan(AbortSignal.timeout(5_000));
    device.scan('fresh-code');
    expect((await next).text).toBe('fresh-code');
  });

  it('reads a Newland scanner (no continuation flag), including a scan that fills its reports exactly', async () => {
    const { device, scanner } = await setUp({ vendor: 'newland' });
    for (const text of ['9'.repeat(56), '8'.repeat(100), PAYMENT_CODE]) {
      const next = scanner.nextScan(AbortSignal.timeout(5_000));
      device.scan(text);
      expect((await next).text).toBe(text);
    }
  });

  it('reads a keyboard-wedge scanner from its reports, ignoring rollover noise', async () => {
    const { device, scanner } = await setUp({ mode: 'keyboard-wedge' });
    device.setFault({ kind: 'garbage' });
    const next = scanner.nextScan(AbortSignal.timeout(5_000));
    device.scan('PAY-1234-abcd');
    expect(await next).toMatchObject({ text: 'PAY-1234-abcd', symbology: 'unknown' });
  });

  it('drops malformed reports and still delivers the scan that follows them', async () => {
    const { device, scanner } = await setUp();
    device.setFault({ kind: 'garbage' });
    const next = scanner.nextScan(AbortSignal.timeout(5_000));
    device.scan(PAYMENT_CODE);
    expect((await next).text).toBe(PAYMENT_CODE);
  });

  it('drops a scan whose last report never comes, and does not glue it to the next one', async () => {
    const { device, scanner } = await setUp();
    const scans: string[] = [];
    scanner.onScan((s) => scans.push(s.text));
    device.setFault({ kind: 'truncated' });
    device.scan('A'.repeat(100));
    await new Promise((r) => setTimeout(r, QR_SCANNER_LIMITS.assemblyTimeoutMs + 100));
    device.setFault(null);
    const next = scanner.nextScan(AbortSignal.timeout(5_000));
    device.scan(PAYMENT_CODE);
    expect((await next).text).toBe(PAYMENT_CODE);
    expect(scans).toEqual([PAYMENT_CODE]);
  });

  it('assembles reports that come slowly but within the assembly window', async () => {
    const { device, scanner } = await setUp();
    device.setFault({ kind: 'slow', delayMs: 40 });
    const next = scanner.nextScan(AbortSignal.timeout(5_000));
    device.scan('S'.repeat(150));
    expect((await next).text).toBe('S'.repeat(150));
  });

  it('stops waiting when aborted (a silent scanner), and delivers once it scans again', async () => {
    const { device, scanner } = await setUp();
    device.setFault({ kind: 'silence' });
    const waiting = scanner.nextScan(AbortSignal.timeout(100));
    device.scan(PAYMENT_CODE);
    await expect(waiting).rejects.toThrow();
    device.setFault(null);
    const next = scanner.nextScan(AbortSignal.timeout(5_000));
    device.scan(PAYMENT_CODE);
    expect((await next).text).toBe(PAYMENT_CODE);
  });

  it('reports an unplug once, finds the scanner again after replug, and scans', async () => {
    const { bus, device, scanner } = await setUp();
    const statuses: DeviceStatus['state'][] = [];
    scanner.onStatus((s) => statuses.push(s.state));
    bus.unplug(device);
    await until(() => scanner.status().state === 'disconnected');
    await new Promise((r) => setTimeout(r, 500)); // reopen attempts fail meanwhile: still one report
    bus.plug(device);
    await until(() => scanner.status().state === 'ready');
    const next = scanner.nextScan(AbortSignal.timeout(5_000));
    device.scan(PAYMENT_CODE);
    expect((await next).text).toBe(PAYMENT_CODE);
    expect(statuses).toEqual(['disconnected', 'ready']);
  });

  it('runs simulated for npm start', async () => {
    const created = createQrScanner({ transport: { type: 'simulated' } }, recordingLog());
    scanner = created;
    await until(() => created.status().state === 'ready');
    const next = created.nextScan(AbortSignal.timeout(5_000));
    created.simulator!.scan(PAYMENT_CODE);
    expect((await next).text).toBe(PAYMENT_CODE);
    expect(created.transport).toBe('simulated');
  });
});
