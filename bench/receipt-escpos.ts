/**
 * What a receipt costs on its way to the printer, in milliseconds (median and p90, warm):
 * the kiosk's receipt encoded to ESC/POS (text mode, GB18030, native QR); the same receipt as a
 * picture cut into `GS v 0` bands; and one whole print through the driver to the in-process
 * simulator (status reads, the job, the status after it, parsing and rendering on the far end).
 * Also the bytes each form sends. Prints figures; never passes or fails on time.
 *
 *   npx tsx bench/receipt-escpos.ts [iterations]
 */
import { PNG } from 'pngjs';
import { MemorySocket } from '../drivers/card-printer/line/memory-socket.ts';
import { EscPosReceiptPrinter } from '../drivers/receipt-printer/escpos-driver.ts';
import { rasterBands, rgbaToMono } from '../drivers/receipt-printer/escpos-raster.ts';
import { EscPosSimulator } from '../drivers/receipt-printer/escpos-simulator.ts';
import { ReconnectingLine } from '../drivers/serial/reconnecting-line.ts';
import { receiptEscPos, receiptModel } from '../printer-templates/receipt/receipt.ts';

const iterations = Number(process.argv[2] ?? 200);
const WARMUP = 10;

async function measure(name: string, run: () => unknown | Promise<unknown>) {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(times.length * q))]!;
  console.log(
    `${name.padEnd(52)} median ${at(0.5).toFixed(3).padStart(8)} ms   p90 ${at(0.9).toFixed(3).padStart(8)} ms`,
  );
}

const facts = {
  siteName: '马上村便民服务中心',
  kioskId: 'demo-001',
  time: new Date(2026, 0, 2, 3, 4),
  transactionNo: 'demo-001-20260102030400-ABCD',
  maskedName: '王*英',
  maskedIdNumber: '3301**********1234',
  maskedCardNo: 'A1****678',
  feeFen: 0,
  lossReported: true,
};

// The receipt as the simulator draws it, thresholded: a realistic picture for the raster form.
const sim = new EscPosSimulator();
const socket = new MemorySocket('receipt-printer', (port) => sim.attach(port));
const driver = new EscPosReceiptPrinter({
  line: new ReconnectingLine(socket.opener, { name: 'receipt-printer' }),
  transport: 'simulated',
  baudRate: Infinity,
  timeouts: { statusPollMs: 3_600_000 },
});
driver.start();
await driver.whenReady(2_000);
const textJob = receiptEscPos(receiptModel(facts));
const signal = new AbortController().signal;
if (!(await driver.print(textJob, signal)).ok)
  throw new Error('the simulator did not print the receipt');
const picture = PNG.sync.read(sim.lastReceiptPng()!);
const bitmap = rgbaToMono(
  picture.width,
  picture.height,
  new Uint8Array(picture.data.buffer, picture.data.byteOffset, picture.data.byteLength),
);
const rasterJob = rasterBands(bitmap);

console.log(`receipt → ESC/POS, ${iterations} iterations (node ${process.version})`);
await measure('text mode (template: GB18030 text + GS ( k QR)', () =>
  receiptEscPos(receiptModel(facts)),
);
await measure(`picture ${bitmap.width}×${bitmap.height} → GS v 0 bands`, () => rasterBands(bitmap));
await measure('print via driver → in-process simulator (text job)', () =>
  driver.print(textJob, signal),
);
console.log('');
console.log(
  `bytes sent: text mode ${textJob.length}, raster ${rasterJob.length} (${Math.ceil(rasterJob.length / 4_000)} bands)`,
);
console.log(
  `at 115 200 baud the line alone takes ${((textJob.length * 10) / 115.2).toFixed(0)} ms (text) and ${((rasterJob.length * 10) / 115.2).toFixed(0)} ms (raster)`,
);
await driver.close();
