/**
 * `mashang diag`: each configured device with its transport, status and identity — what a
 * technician checks first. Serial and HID devices are opened and asked, read-only: the printers'
 * drivers send no parameter, move no card and print nothing in this mode. Simulated devices are
 * reported as simulated, with the in-process simulator's identity. PC/SC devices are listed;
 * their readers are probed by the PC/SC tools (`pcsc_scan`), not here.
 *
 * Exit code 0 when every probed device is ready, 1 otherwise: scripts can use it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCardPrinter } from '../../../drivers/card-printer/create-card-printer.ts';
import type { DeviceStatus } from '../../../drivers/common/device-status.ts';
import { createIdCardReader } from '../../../drivers/id-reader/create-id-card-reader.ts';
import { createQrScanner } from '../../../drivers/qr-scanner/create-qr-scanner.ts';
import { createReceiptPrinter } from '../../../drivers/receipt-printer/create-receipt-printer.ts';
import { silentLog } from '../../../drivers/serial/reconnecting-line.ts';
import { loadConfig } from '../../config/load.ts';
import type { DeviceConfig } from '../../config/schema.ts';
import { UsageError, type Command } from '../command.ts';

const DEFAULT_CONFIG = path.join(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..'),
  'kiosk.config.json',
);

/** How long a device gets to come on the line and answer: a printer answers in milliseconds. */
const DEFAULT_PROBE_MS = 3_000;

export interface DeviceReport {
  kind: string;
  transport: string;
  simulated: boolean;
  /** `ready`, `fault:<code>`, `disconnected`, or `not probed`. */
  status: string;
  detail?: string;
  identity: Record<string, string | number | null> | null;
}

function describeStatus(status: DeviceStatus): { status: string; detail?: string } {
  if (status.state === 'fault') return { status: `fault:${status.code}`, detail: status.detail };
  const warnings = (status as { warnings?: readonly string[] }).warnings;
  return warnings && warnings.length > 0
    ? { status: status.state, detail: `warnings: ${warnings.join(', ')}` }
    : { status: status.state };
}

function transportOf(device: DeviceConfig): string {
  const t = device.transport;
  switch (t.type) {
    case 'simulated':
      return 'simulated (in-process)';
    case 'serial':
      return `serial:${t.path} @ ${t.baudRate}`;
    case 'hid':
      return `hid:${t.vendorId.toString(16).padStart(4, '0')}:${t.productId.toString(16).padStart(4, '0')}`;
    case 'pcsc':
      return `pcsc:/${t.readerPattern}/`;
  }
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** Opens one device read-only, asks it, lets it go. Never throws: a device that fails is a line in the report. */
export async function probeDevice(device: DeviceConfig, probeMs: number): Promise<DeviceReport> {
  const base = {
    kind: device.kind,
    transport: transportOf(device),
    simulated: device.transport.type === 'simulated',
  };
  try {
    switch (device.kind) {
      case 'card-printer': {
        const printer = createCardPrinter(device, silentLog, { readOnly: true });
        try {
          await printer.whenReady(probeMs);
          const identity = printer.identity();
          const counters = printer.counters();
          return {
            ...base,
            ...describeStatus(printer.status()),
            identity: identity
              ? {
                  ...identity,
                  cardsPrinted: counters.cardsPrinted,
                  cardsRejected: counters.cardsRejected,
                }
              : null,
          };
        } finally {
          await printer.close();
        }
      }
      case 'receipt-printer': {
        const printer = createReceiptPrinter(device, silentLog, { readOnly: true });
        try {
          await printer.whenReady(probeMs);
          return {
            ...base,
            ...describeStatus(printer.status()),
            identity: printer.identity() ? { ...printer.identity() } : null,
          };
        } finally {
          await printer.close();
        }
      }
      case 'id-reader': {
        const reader = createIdCardReader(device, silentLog);
        try {
          await until(() => reader.status().state !== 'disconnected', probeMs);
          const sam =
            reader.status().state === 'disconnected'
              ? null
              : await reader.readSamId(AbortSignal.timeout(probeMs)).catch(() => null);
          return {
            ...base,
            ...describeStatus(reader.status()),
            identity: sam?.ok ? { samId: sam.value } : null,
          };
        } finally {
          await reader.close();
        }
      }
      case 'qr-scanner': {
        const scanner = createQrScanner(device, silentLog);
        try {
          await until(() => scanner.status().state !== 'disconnected', probeMs);
          return {
            ...base,
            ...describeStatus(scanner.status()),
            identity:
              device.transport.type === 'hid'
                ? { vendorId: device.transport.vendorId, productId: device.transport.productId }
                : null,
          };
        } finally {
          await scanner.close();
        }
      }
      case 'chip-encoder':
      case 'staff-card-reader':
        return {
          ...base,
          status: 'not probed',
          detail: 'a PC/SC reader: check it with pcsc_scan',
          identity: null,
        };
    }
  } catch (error) {
    return { ...base, status: 'error', detail: (error as Error).message, identity: null };
  }
}

function table(reports: DeviceReport[]): string {
  const rows = reports.map((r) => [
    r.kind,
    r.transport,
    r.status + (r.detail ? ` (${r.detail})` : ''),
    r.identity
      ? Object.entries(r.identity)
          .filter(([, v]) => v !== null)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
      : '—',
  ]);
  const header = ['device', 'transport', 'status', 'identity'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const diagCommand: Command = {
  summary:
    'list each configured device with its transport, status and identity (serial and HID devices are asked, read-only)',
  usage: 'mashang diag [--config FILE] [--timeout MS] [--json]',
  options: {
    config: {
      type: 'string',
      short: 'c',
      description: 'the kiosk configuration (default: kiosk.config.json)',
    },
    timeout: {
      type: 'string',
      description: `how long each device gets to answer, in milliseconds (default ${DEFAULT_PROBE_MS})`,
    },
    json: { type: 'boolean', description: 'print the report as JSON' },
  },
  async run(values) {
    const probeMs = values.timeout === undefined ? DEFAULT_PROBE_MS : Number(values.timeout);
    if (!Number.isInteger(probeMs) || probeMs <= 0)
      throw new UsageError(
        `--timeout must be a positive whole number of milliseconds, got "${String(values.timeout)}"`,
      );
    const loaded = await loadConfig((values.config as string | undefined) ?? DEFAULT_CONFIG);
    // All at once: the report takes as long as the slowest device, not the sum.
    const reports = await Promise.all(
      loaded.config.devices.map((device) => probeDevice(device, probeMs)),
    );
    if (values.json)
      console.log(JSON.stringify({ config: loaded.file, devices: reports }, null, 2));
    else console.log(`${loaded.file}\n\n${table(reports)}`);
    const probed = reports.filter((r) => r.status !== 'not probed');
    return probed.every((r) => r.status === 'ready') ? 0 : 1;
  },
};
