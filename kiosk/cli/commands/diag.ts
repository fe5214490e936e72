/**
 * `mashang diag`: each configured device with its transport, status and identity — what a
 * technician checks first — and whether it passes. Exit code 0 when every device passes, 1
 * otherwise: scripts can use it.
 *
 * One owner per device: when a kiosk host runs on the data directory, the report comes from the
 * host (its local admin endpoint; kiosk/admin), about the devices it holds, and is written to its
 * audit log. When none runs, diag takes the data directory's lock (no host can start meanwhile)
 * and opens the devices itself:
 * - on the embedded default (every device simulated) it builds the same simulated devices a host
 *   would, so every device — the PC/SC ones included — is checked; `--sim-fault DEVICE:FAULT`
 *   puts a fault on one first (e.g. `card-printer:coverOpen`);
 * - otherwise serial and HID devices are opened and asked, read-only: the printers' drivers send
 *   no parameter, move no card and print nothing in this mode; PC/SC devices are listed, their
 *   readers probed by the PC/SC tools (`pcsc_scan`, `mashang apdu`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCardPrinter } from '../../../drivers/card-printer/create-card-printer.ts';
import type { DeviceStatus } from '../../../drivers/common/device-status.ts';
import { createIdCardReader } from '../../../drivers/id-reader/create-id-card-reader.ts';
import { createQrScanner } from '../../../drivers/qr-scanner/create-qr-scanner.ts';
import { createReceiptPrinter } from '../../../drivers/receipt-printer/create-receipt-printer.ts';
import { silentLog } from '../../../drivers/serial/reconnecting-line.ts';
import pino from 'pino';
import { AdminUnavailableError, callHost, findHost } from '../../admin/admin-client.ts';
import { simDeviceFaults, type SimFaultDevice } from '../../bridge/protocol.ts';
import { loadConfig } from '../../config/load.ts';
import type { DeviceConfig, KioskConfig } from '../../config/schema.ts';
import { createDevices } from '../../host/devices.ts';
import { deviceChecks } from '../../modes/self-tests.ts';
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
  /** Ready, or (a PC/SC device of a mixed configuration) not probed here. */
  pass?: boolean;
}

interface CentreCheck {
  reachable: boolean;
  skewSeconds: number | null;
}

/** `card-printer:coverOpen` → a fault the simulated device takes. */
function parseSimFault(text: string): { device: SimFaultDevice; fault: string } {
  const [device, fault] = text.split(':', 2) as [string, string | undefined];
  const faults = (simDeviceFaults as Record<string, readonly string[]>)[device];
  if (!faults || !fault || !faults.includes(fault)) {
    const known = Object.entries(simDeviceFaults).flatMap(([d, fs]) => fs.map((f) => `${d}:${f}`));
    throw new UsageError(`--sim-fault: one of ${known.join(', ')}; got "${text}"`);
  }
  return { device: device as SimFaultDevice, fault };
}

/** The embedded default, checked on the same simulated devices a host builds (with any fault asked for). */
async function simulatedDiag(config: KioskConfig, probeMs: number, faults: { device: SimFaultDevice; fault: string }[]): Promise<DeviceReport[]> {
  const devices = createDevices(config, pino({ level: 'silent' }), { moveMs: 0 });
  try {
    const simulation = devices.simulation!;
    await Promise.all([simulation.cardPrinter.whenReady(probeMs), simulation.receiptPrinter.whenReady(probeMs)]);
    for (const { device, fault } of faults) {
      if (device === 'card-printer') simulation.cardPrinter.injectFault(fault as never);
      else if (device === 'chip-encoder') simulation.chipEncoder.failNext++;
      else simulation.receiptPrinter.fault = fault as never;
    }
    // Let the PC/SC context list its readers, and the drivers notice an injected fault.
    await until(() => devices.staffCard.reader.readerStatus().state !== 'no_service', probeMs);
    await new Promise((resolve) => setTimeout(resolve, 50));
    return (await deviceChecks(devices, config)).map((r) => ({ ...r, transport: 'simulated (in-process)' }));
  } finally {
    await devices.close();
  }
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
    'check every configured device (through the running host when there is one); exit 1 when one fails',
  usage: 'mashang diag [--config FILE] [--timeout MS] [--json] [--sim-fault DEVICE:FAULT]…',
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
    'sim-fault': {
      type: 'string',
      multiple: true,
      description: `with no host running, on the embedded default: put a fault on a simulated device first (${Object.entries(simDeviceFaults)
        .flatMap(([d, fs]) => fs.map((f) => `${d}:${f}`))
        .join(', ')})`,
    },
  },
  async run(values) {
    const probeMs = values.timeout === undefined ? DEFAULT_PROBE_MS : Number(values.timeout);
    if (!Number.isInteger(probeMs) || probeMs <= 0)
      throw new UsageError(
        `--timeout must be a positive whole number of milliseconds, got "${String(values.timeout)}"`,
      );
    const faults = ((values['sim-fault'] as string[] | undefined) ?? []).map(parseSimFault);
    const loaded = await loadConfig((values.config as string | undefined) ?? DEFAULT_CONFIG);
    const allSimulated = loaded.config.devices.every((d) => d.transport.type === 'simulated');
    let link;
    try {
      link = findHost(loaded.dataDir);
    } catch (error) {
      if (!(error instanceof AdminUnavailableError)) throw error;
      console.error(`mashang diag: ${error.message}`);
      return 1;
    }
    let reports: DeviceReport[];
    let via: 'host' | 'direct';
    let cardCentre: CentreCheck | null = null;
    if (link.kind === 'host') {
      if (faults.length > 0)
        throw new UsageError('a kiosk host runs on this data directory: set faults from its simulator panel, not --sim-fault');
      try {
        const answer = await callHost<{ devices: DeviceReport[]; cardCentre: CentreCheck }>(link.endpoint, 'POST', '/v1/diag');
        reports = answer.devices;
        cardCentre = answer.cardCentre;
      } catch (error) {
        if (!(error instanceof AdminUnavailableError)) throw error;
        console.error(`mashang diag: ${error.message}`);
        return 1;
      }
      via = 'host';
    } else {
      via = 'direct';
      try {
        if (faults.length > 0 && !allSimulated)
          throw new UsageError('--sim-fault needs the simulated devices of the embedded default (every device simulated)');
        // All at once: the report takes as long as the slowest device, not the sum.
        reports = allSimulated
          ? await simulatedDiag(loaded.config, probeMs, faults)
          : await Promise.all(loaded.config.devices.map((device) => probeDevice(device, probeMs)));
      } finally {
        link.release();
      }
    }
    reports = reports.map((r) => ({ ...r, pass: r.pass ?? (r.status === 'ready' || r.status === 'not probed') }));
    const failing = reports.filter((r) => !r.pass);
    if (values.json)
      console.log(JSON.stringify({ config: loaded.file, via, devices: reports, ...(cardCentre ? { cardCentre } : {}), failing: failing.map((r) => r.kind) }, null, 2));
    else {
      const centre = cardCentre
        ? `\ncard centre: ${cardCentre.reachable ? `reachable, clock ${cardCentre.skewSeconds} s off the kiosk's` : 'NOT reachable'}`
        : '';
      const verdict = failing.length === 0 ? 'every device passes' : `FAILING: ${failing.map((r) => `${r.kind} (${r.status})`).join(', ')}`;
      console.log(`${loaded.file} (${via === 'host' ? 'through the running kiosk host' : 'devices opened directly'})\n\n${table(reports)}${centre}\n\n${verdict}`);
    }
    return failing.length === 0 ? 0 : 1;
  },
};
