/**
 * The host's device wiring (kiosk/host/devices.ts) with a real transport beside simulated devices,
 * as the recovery rig and a half-equipped test kiosk run it: what the real-stack journey found.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hex } from '../../drivers/chip-encoder/apdu.ts';
import { SSSE_AID } from '../../drivers/chip-encoder/sim-ssse-card.ts';
import { startReceiptPrinterOnPty } from '../../drivers/receipt-printer/escpos-pty-simulator.ts';
import { createDevices, type Devices } from '../../kiosk/host/devices.ts';
import { createLogger } from '../../kiosk/log/logger.ts';
import { serialStackProblem } from '../serial/id-reader-stack.ts';
import { defaultConfig } from '../support/host-harness.ts';

const problem = serialStackProblem();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every device simulated but the receipt printer, which is on a pty like a real one. */
function mixedDevices(): Devices {
  const receipt = startReceiptPrinterOnPty({ faults: [], settings: {}, link: path.join(mkdtempSync(path.join(tmpdir(), 'mashang-wiring-')), 'ttyReceipt') });
  cleanups.push(() => receipt.close());
  const config = defaultConfig();
  config.devices = config.devices.map((d) => (d.kind === 'receipt-printer' ? { ...d, transport: { type: 'serial' as const, path: receipt.path, baudRate: 115_200 } } : d));
  const devices = createDevices(config, createLogger({ dataDir: null, stderr: false }), { moveMs: 0 });
  cleanups.push(() => devices.close());
  return devices;
}

async function identificationAtStation(devices: Devices): Promise<string> {
  const session = await devices.chipEncoder.connect(new AbortController().signal);
  if (!session.ok) throw new Error(`no chip: ${session.error.kind}`);
  try {
    const signal = new AbortController().signal;
    await session.value.transmit(new Uint8Array([0x00, 0xa4, 0x04, 0x00, SSSE_AID.length, ...SSSE_AID]), signal);
    const record = await session.value.transmit(new Uint8Array([0x00, 0xb2, 0x01, 0x2c, 0x00]), signal);
    if (!record.ok) throw new Error('read failed');
    return hex(record.value.data);
  } finally {
    await session.value.close();
  }
}

describe.skipIf(problem && !process.env.CI)('device wiring with a real transport beside simulated devices', () => {
  it('keeps the simulated devices reachable (a payment code can be shown to a simulated scanner)', () => {
    if (problem) throw new Error(problem);
    const devices = mixedDevices();
    expect(devices.simulation).toBeNull();
    expect(Object.keys(devices.simulators).sort()).toEqual(['cardPrinter', 'chipEncoder', 'idReader', 'qrScanner']);
  });

  it('gives every blank that reaches the contact station a fresh chip, as the hopper does', async () => {
    if (problem) throw new Error(problem);
    const devices = mixedDevices();
    const printer = devices.simulators.cardPrinter!;
    expect(await printer.whenReady(5_000)).toBe(true);
    const signal = new AbortController().signal;
    const seen: string[] = [];
    for (let card = 0; card < 2; card++) {
      expect((await printer.feedToContactStation(signal)).ok).toBe(true);
      seen.push(await identificationAtStation(devices));
      expect((await printer.ejectToRejectBin(signal)).ok).toBe(true);
    }
    expect(new Set(seen).size).toBe(2);
  });
});
