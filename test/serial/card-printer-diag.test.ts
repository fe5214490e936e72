/**
 * `mashang diag` as a technician runs it on a kiosk whose printers are on serial ports: it lists
 * each device with its status and identity, asks the printers read-only (no setting written, no
 * card moved), and says plainly which device is missing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { serialStackProblem } from './id-reader-stack.ts';

const problem = serialStackProblem();
if (problem && process.env.CI) {
  describe('the serial printer stack for mashang diag', () =>
    it('is installed', () => expect.fail(problem)));
}
const run = problem ? describe.skip : describe;

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const runFile = promisify(execFile);
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function diag(configFile: string) {
  try {
    const { stdout } = await runFile(
      process.execPath,
      [
        path.join(REPO_ROOT, 'kiosk/cli/mashang.mjs'),
        'diag',
        '--config',
        configFile,
        '--json',
        '--timeout',
        // Generous: a loaded CI machine (2 cores, many test files at once) can take seconds to
        // start the CLI and open the ports; a device that answers is "ready" whatever this is.
        '15000',
      ],
      { timeout: 60_000 },
    );
    return { code: 0, report: JSON.parse(stdout) };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    if (!e.stdout) throw new Error(`mashang diag failed: ${e.stderr}`);
    return { code: e.code, report: JSON.parse(e.stdout) };
  }
}

run('mashang diag with the printers on serial ports', () => {
  it('lists both printers with status and identity, asking them read-only', async () => {
    const { startCardPrinterOnPty } =
      await import('../../drivers/card-printer/evolis-pty-simulator.ts');
    const { startReceiptPrinterOnPty } =
      await import('../../drivers/receipt-printer/escpos-pty-simulator.ts');
    const dir = mkdtempSync(path.join(tmpdir(), 'mashang-diag-'));
    const card = startCardPrinterOnPty({
      faults: [],
      settings: { 'move-ms': '0' },
      link: path.join(dir, 'ttyCard'),
    });
    const receipt = startReceiptPrinterOnPty({
      faults: ['paperNearEnd'],
      settings: {},
      link: path.join(dir, 'ttyReceipt'),
    });
    closers.push(
      () => card.close(),
      () => receipt.close(),
    );

    const config = JSON.parse(readFileSync(path.join(REPO_ROOT, 'kiosk.config.json'), 'utf8'));
    for (const device of config.devices) {
      if (device.kind === 'card-printer')
        device.transport = { type: 'serial', path: card.path, baudRate: 115200 };
      if (device.kind === 'receipt-printer')
        device.transport = { type: 'serial', path: receipt.path, baudRate: 115200 };
    }
    config.dataDir = path.join(dir, 'data');
    delete config.$schema;
    const file = path.join(dir, 'kiosk.config.json');
    writeFileSync(file, JSON.stringify(config));

    const { code, report } = await diag(file);
    const byKind = Object.fromEntries(report.devices.map((d: { kind: string }) => [d.kind, d]));
    expect(byKind['card-printer']).toMatchObject({
      transport: `serial:${card.path} @ 115200`,
      simulated: false,
      status: 'ready',
      identity: {
        model: 'Evolis KC200 (Mashang simulator)',
        serialNumber: 'SIM0000001',
        firmware: '1.0.0-sim',
      },
    });
    expect(byKind['receipt-printer']).toMatchObject({
      simulated: false,
      status: 'ready',
      detail: 'warnings: paperNearEnd',
      identity: { serialNumber: 'SIMR000001' },
    });
    expect(byKind['id-reader']).toMatchObject({ simulated: true, status: 'ready' });
    expect(byKind['chip-encoder'].status).toBe('not probed');
    expect(code).toBe(0);
    // Read-only: the printer was not switched to host-managed errors, and nothing moved or printed.
    expect(card.simulator.state()).toMatchObject({ hostManagesErrors: false, fed: 0, printed: 0 });
    expect(card.simulator.recentCommands().every((c) => c.startsWith('R') || c === 'Sk;f')).toBe(
      true,
    );
    expect(receipt.simulator.state().jobsPrinted).toBe(0);
  });

  it('reports an unplugged printer as disconnected, and exits non-zero', async () => {
    const { startCardPrinterOnPty } =
      await import('../../drivers/card-printer/evolis-pty-simulator.ts');
    const dir = mkdtempSync(path.join(tmpdir(), 'mashang-diag-'));
    const card = startCardPrinterOnPty({
      faults: [],
      settings: {},
      link: path.join(dir, 'ttyCard'),
    });
    closers.push(() => card.close());
    card.unplug();
    const config = JSON.parse(readFileSync(path.join(REPO_ROOT, 'kiosk.config.json'), 'utf8'));
    for (const device of config.devices)
      if (device.kind === 'card-printer')
        device.transport = { type: 'serial', path: path.join(dir, 'ttyCard'), baudRate: 115200 };
    config.dataDir = path.join(dir, 'data');
    delete config.$schema;
    const file = path.join(dir, 'kiosk.config.json');
    writeFileSync(file, JSON.stringify(config));
    const { code, report } = await diag(file);
    expect(report.devices.find((d: { kind: string }) => d.kind === 'card-printer')).toMatchObject({
      status: 'disconnected',
      identity: null,
    });
    expect(code).toBe(1);
  });
});
