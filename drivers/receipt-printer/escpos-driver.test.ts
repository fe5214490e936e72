/**
 * The ESC/POS driver against the protocol simulator, in-process (memory cable): printing the
 * kiosk's receipt, refusing to print into a fault, and recovering once the fault is cleared. The
 * same matrix runs over a pseudo-terminal and `serialport` in test/serial/receipt-printer*.test.ts.
 */
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { receiptEscPos, receiptModel } from '../../printer-templates/receipt/receipt.ts';
import { MemorySocket } from '../card-printer/line/memory-socket.ts';
import { ReconnectingLine } from '../serial/reconnecting-line.ts';
import { EscPosReceiptPrinter } from './escpos-driver.ts';
import { rasterBands } from './escpos-raster.ts';
import { EscPosSimulator, type EscPosSimulatorOptions } from './escpos-simulator.ts';
import type { ReceiptPrinterStatus } from './receipt-printer.ts';

const FAST = {
  statusReplyMs: 100,
  identityReplyMs: 100,
  interByteMs: 20,
  quietMs: 20,
  maxQuietWaitMs: 200,
  statusPollMs: 50,
};
const signal = () => new AbortController().signal;
let open: EscPosReceiptPrinter[] = [];

afterEach(async () => {
  await Promise.all(open.map((d) => d.close()));
  open = [];
});

async function printer(options: EscPosSimulatorOptions = {}) {
  const sim = new EscPosSimulator(options);
  const socket = new MemorySocket('receipt-printer', (port) => sim.attach(port));
  const driver = new EscPosReceiptPrinter({
    line: new ReconnectingLine(socket.opener, {
      name: 'receipt-printer',
      backoff: { initialMs: 10, maxMs: 50, factor: 2 },
    }),
    transport: 'simulated',
    baudRate: Infinity,
    timeouts: FAST,
  });
  const statuses: ReceiptPrinterStatus[] = [];
  driver.onStatus((s) => statuses.push(s));
  driver.start();
  open.push(driver);
  expect(await driver.whenReady(1_000)).toBe(true);
  return { sim, socket, driver, statuses };
}

function kioskReceipt(transactionNo = 'demo-001-20260102030400-ABCD') {
  return receiptEscPos(
    receiptModel({
      siteName: '马上村便民服务中心',
      kioskId: 'demo-001',
      time: new Date(2026, 0, 2, 3, 4),
      transactionNo,
      maskedName: '王*英',
      maskedIdNumber: '3301**********1234',
      maskedCardNo: 'A1****678',
      feeFen: 0,
      lossReported: true,
    }),
  );
}

function decodeQr(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  // jsqr is CommonJS with an `exports.default`; under NodeNext the default import is the module.
  return (
    jsQRModule.default(
      new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength),
      image.width,
      image.height,
    )?.data ?? null
  );
}

describe('ESC/POS receipt printer driver (in-process)', () => {
  it('asks the printer who it is and finds it ready', async () => {
    const { driver } = await printer();
    expect(driver.identity()).toEqual({
      maker: 'Mashang',
      model: 'TM-SIM80 (Mashang simulator)',
      serialNumber: 'SIMR000001',
      firmware: '1.0.0-sim',
    });
    expect(driver.status()).toEqual({ state: 'ready', warnings: [] });
  });

  it('prints the kiosk receipt: the Chinese text reads back, and the QR code scans to the transaction', async () => {
    const { sim, driver } = await printer();
    const job = kioskReceipt();
    expect(await driver.print(job, signal())).toEqual({ ok: true, value: undefined });
    expect(Buffer.from(sim.lastJob!).equals(Buffer.from(job))).toBe(true);
    const text = sim.lastReceiptText()!;
    expect(text[0]).toContain('社会保障卡补办凭条');
    expect(
      text.some(
        (line) => line.startsWith('流水号') && line.endsWith('demo-001-20260102030400-ABCD'),
      ),
    ).toBe(true);
    expect(text).toContain('[QR] MASHANG:demo-001-20260102030400-ABCD');
    expect(decodeQr(sim.lastReceiptPng()!)).toBe('MASHANG:demo-001-20260102030400-ABCD');
  });

  it('never lets a status request fall inside a raster band, even when asked for one mid-job', async () => {
    const { sim, driver } = await printer();
    // Bands whose dots contain the very bytes of `DLE EOT 1`.
    const bits = new Uint8Array(72 * 300);
    for (let i = 0; i < bits.length; i += 3) bits.set([0x10, 0x04, 0x01], i);
    const job = Uint8Array.from(
      Buffer.concat([
        Buffer.of(0x1b, 0x40),
        rasterBands({ width: 576, height: 300, bits }),
        Buffer.of(0x1d, 0x56, 66, 0),
      ]),
    );
    const print = driver.print(job, signal());
    const polls = [driver.refreshStatus(), driver.refreshStatus()];
    expect((await print).ok).toBe(true);
    await Promise.all(polls);
    expect(Buffer.from(sim.lastJob!).equals(Buffer.from(job))).toBe(true);
    expect(sim.lastReceiptText()).toEqual([
      '[image 576×55]',
      '[image 576×55]',
      '[image 576×55]',
      '[image 576×55]',
      '[image 576×55]',
      '[image 576×25]',
    ]);
  });

  it('does not print into an open cover, and prints once it is closed', async () => {
    const { sim, driver } = await printer();
    sim.injectFault('coverOpen');
    expect(await driver.print(kioskReceipt(), signal())).toEqual({ ok: false, error: 'coverOpen' });
    expect(sim.state().jobsPrinted).toBe(0);
    sim.clearFault('coverOpen');
    expect((await driver.print(kioskReceipt(), signal())).ok).toBe(true);
    expect(sim.state().jobsPrinted).toBe(1);
  });

  it('reports a receipt the paper ran out in the middle of, and prints the next on a new roll', async () => {
    const { sim, driver } = await printer({ rollDots: 300, nearEndDots: 100 });
    expect(await driver.print(kioskReceipt(), signal())).toEqual({ ok: false, error: 'paperOut' });
    expect(sim.state()).toMatchObject({ jobsPrinted: 0, jobsSpoiled: 1 });
    sim.loadPaper(400_000);
    expect((await driver.print(kioskReceipt(), signal())).ok).toBe(true);
  });

  it('calls a silent printer silent, within its deadline, and carries on when it answers again', async () => {
    const { sim, driver } = await printer();
    sim.injectFault('silence');
    expect(await driver.print(kioskReceipt(), signal())).toEqual({
      ok: false,
      error: 'noResponse',
    });
    expect(driver.status()).toMatchObject({ state: 'fault', code: 'noResponse' });
    sim.clearFault('silence');
    expect((await driver.print(kioskReceipt(), signal())).ok).toBe(true);
    expect(driver.status().state).toBe('ready');
  });

  it('finds the printer again after an unplug, reporting each transition once', async () => {
    const { socket, driver, statuses } = await printer();
    socket.unplug();
    expect(await driver.print(kioskReceipt(), signal())).toEqual({
      ok: false,
      error: 'disconnected',
    });
    socket.replug();
    const end = performance.now() + 2_000;
    while (driver.status().state !== 'ready' && performance.now() < end)
      await new Promise((r) => setTimeout(r, 5));
    expect(statuses.map((s) => s.state)).toEqual(['ready', 'disconnected', 'ready']);
    expect((await driver.print(kioskReceipt(), signal())).ok).toBe(true);
  });
});
