/**
 * The card printer's real stack for the tests: the Evolis simulator on a fresh pty (behind a
 * stable link, as /dev/serial/by-id/… would be) and the kiosk's driver opening it with the real
 * `serialport`, through the same factory the host uses.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recordingLog } from './id-reader-stack.ts';

/** Short deadlines: the simulator answers at once; what is tested is what happens, not how fast. */
export const CARD_PRINTER_TEST_TIMEOUTS = {
  readReplyMs: 400,
  interByteSilenceMs: 40,
  moveReplyMs: 1_500,
  printReplyMs: 1_500,
  downloadReplyMs: 1_500,
  settleQuietMs: 40,
  settleMaxMs: 600,
  statusPollMs: 100,
  cardTakenPollMs: 20,
};

/** A fresh pty per test (stale bytes leak between tests otherwise), behind a stable link. */
export async function startCardPrinterStack(
  options: { settings?: Record<string, string>; baudRate?: number } = {},
) {
  const { startCardPrinterOnPty } =
    await import('../../drivers/card-printer/evolis-pty-simulator.ts');
  const { createCardPrinter } = await import('../../drivers/card-printer/create-card-printer.ts');
  const link = path.join(mkdtempSync(path.join(tmpdir(), 'mashang-cp-')), 'ttyCardPrinter');
  const device = startCardPrinterOnPty({
    faults: [],
    settings: { 'move-ms': '0', ...options.settings },
    link,
    ...(options.baudRate ? { baudRate: options.baudRate } : {}),
  });
  const log = recordingLog();
  const printer = createCardPrinter(
    { transport: { type: 'serial', path: link, baudRate: 115_200 } },
    log,
    { timeouts: CARD_PRINTER_TEST_TIMEOUTS },
  );
  const statuses: string[] = [];
  printer.onStatus((s) => statuses.push(s.state === 'fault' ? `fault:${s.code}` : s.state));
  // The handshake (identity, settings, status) is over once whenReady resolves.
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
