/**
 * The receipt printer's real stack for the tests: the ESC/POS simulator on a fresh pty (behind a
 * stable link) and the kiosk's driver opening it with the real `serialport`, through the same
 * factory the host uses.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { receiptEscPos, receiptModel } from '../../printer-templates/receipt/receipt.ts';
import { recordingLog } from './id-reader-stack.ts';

/** Short deadlines: the simulator answers at once; what is tested is what happens, not how fast. */
export const RECEIPT_PRINTER_TEST_TIMEOUTS = {
  statusReplyMs: 300,
  identityReplyMs: 300,
  interByteMs: 40,
  quietMs: 30,
  maxQuietWaitMs: 500,
  statusPollMs: 100,
};

export async function startReceiptPrinterStack(
  options: { settings?: Record<string, string>; baudRate?: number } = {},
) {
  const { startReceiptPrinterOnPty } =
    await import('../../drivers/receipt-printer/escpos-pty-simulator.ts');
  const { createReceiptPrinter } =
    await import('../../drivers/receipt-printer/create-receipt-printer.ts');
  const link = path.join(mkdtempSync(path.join(tmpdir(), 'mashang-rp-')), 'ttyReceipt');
  const device = startReceiptPrinterOnPty({
    faults: [],
    settings: options.settings ?? {},
    link,
    ...(options.baudRate ? { baudRate: options.baudRate } : {}),
  });
  const log = recordingLog();
  const printer = createReceiptPrinter(
    { transport: { type: 'serial', path: link, baudRate: 115_200 }, paperWidthMm: 80 },
    log,
    { timeouts: RECEIPT_PRINTER_TEST_TIMEOUTS },
  );
  const statuses: string[] = [];
  printer.onStatus((s) => statuses.push(s.state === 'fault' ? `fault:${s.code}` : s.state));
  // The handshake (identity, status) is over once whenReady resolves.
  if (!(await printer.whenReady(10_000))) throw new Error('the driver did not open the pty');
  return {
    device,
    simulator: device.simulator,
    printer,
    log,
    statuses,
    link,
    stop: async () => {
      await printer.close();
      device.close();
    },
  };
}

/** The kiosk's own receipt for a fictional transaction, encoded by the template. */
export function kioskReceipt(transactionNo = 'demo-001-20260102030400-ABCD'): Uint8Array {
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
