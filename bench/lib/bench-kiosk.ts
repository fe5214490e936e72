/**
 * A real host (kiosk/host/host.ts) in the benchmark's process, on the simulated devices, with its
 * card centre in a process of its own (`mashang card-centre`, so this process's CPU time is the
 * kiosk's alone), and every device and network wait injected at one place and accounted for:
 *
 *   - the card centre: the HTTP transport under the kiosk's own client (signing, retries, schema
 *     checks all run) waits `centreRoundTripMs` before each request; every round trip is counted
 *     and the time spent in it (the wait + loopback + the centre's handling) is "network time";
 *   - the devices: the host's device objects are wrapped in place (instance methods; the actors
 *     hold the same objects), and each call waits its latency around the real driver call;
 *   - the ID reader's serial line: the simulated reader speaks GA/T 467 at 115 200 baud over a
 *     memory line; the bytes it sends are counted, and their time on the wire (10 bits a byte) is
 *     device time too, since a real reader's line takes exactly as long.
 *
 * Every injected wait is measured (a timer may fire late on a loaded machine; the late part is
 * counted as the device's, which favours neither side much at these sizes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ok } from '../../drivers/common/result.ts';
import type { ChipEncoder } from '../../drivers/chip-encoder/chip-encoder.ts';
import { GAT467_SIM_UART } from '../../drivers/id-reader/gat467-simulator.ts';
import type { ViewModel } from '../../kiosk/bridge/protocol.ts';
import { BridgeServer } from '../../kiosk/bridge/server.ts';
import {
  HttpCardCentre,
  nodeHttpTransport,
  type HttpTransport,
} from '../../kiosk/card-centre/http-client.ts';
import { parseConfigText } from '../../kiosk/config/load.ts';
import type { KioskConfig } from '../../kiosk/config/schema.ts';
import { Host } from '../../kiosk/host/host.ts';
import { createLogger, type Logger } from '../../kiosk/log/logger.ts';
import pino from 'pino';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(REPO_ROOT, 'kiosk/cli/mashang.mjs');

/** Device and network times of one reissue, at full scale (milliseconds). */
export interface Latencies {
  /** The ID card reader's read of the card (RF + SAM), on top of its serial line's own time. */
  idReadMs: number;
  /** One HTTP round trip to the card centre (a rural mobile link). */
  centreRoundTripMs: number;
  /** One APDU to the chip at the contact station. */
  apduMs: number;
  /** Card printer: a blank from the hopper to the contact station. */
  feedMs: number;
  /** Card printer: printing the front. */
  printMs: number;
  /** Card printer: the card to the exit slot (or the reject bin). */
  ejectMs: number;
  /** Receipt printer: one receipt. */
  receiptMs: number;
}

/** The realistic table of issue 12 (feed is our assumption: the issue names none; eject's figure is used). */
export const REALISTIC: Latencies = {
  idReadMs: 1_000,
  centreRoundTripMs: 300,
  apduMs: 1,
  feedMs: 2_000,
  printMs: 25_000,
  ejectMs: 2_000,
  receiptMs: 3_000,
};

export const ZERO: Latencies = {
  idReadMs: 0,
  centreRoundTripMs: 0,
  apduMs: 0,
  feedMs: 0,
  printMs: 0,
  ejectMs: 0,
  receiptMs: 0,
};

export const LATENCY_ROWS: [keyof Latencies, string][] = [
  ['idReadMs', 'ID card read (RF + SAM), plus the 115 200-baud line'],
  ['centreRoundTripMs', 'card-centre round trip (rural mobile link)'],
  ['apduMs', 'one APDU at the contact station'],
  ['feedMs', 'card printer: blank to contact station (assumed = eject)'],
  ['printMs', 'card printer: print the front'],
  ['ejectMs', 'card printer: eject to the exit slot'],
  ['receiptMs', 'receipt printer: one receipt'],
];

export function scaled(latencies: Latencies, scale: number): Latencies {
  return Object.fromEntries(
    Object.entries(latencies).map(([k, v]) => [k, v * scale]),
  ) as unknown as Latencies;
}

/**
 * The card-centre calls a resident waits for: look-up, face check, archived photo, loss report,
 * application, personalisation, payment (query, reversal). Everything else is background, off the
 * resident's path: the outbox reporting each card (`…/results`), the staff-card revocation list's
 * refresh, the clock.
 */
const RESIDENT_PATH =
  /^\/v1\/(persons\/(lookup|face-check|photo)|losses|applications(\/[^/]+(\/personalisation)?)?|payments(\/[^/]+(\/reverse)?)?)$/;

/**
 * Views as the host sends them, timed at the send (the bridge's broadcast), not at a client's
 * receipt: a client in the same process reads its socket only when the host's work lets it.
 */
const broadcastListeners = new Set<(view: ViewModel) => void>();
/** The bridge server of the host running in this process (for its client count). */
let currentBridge: WeakRef<BridgeServer> | null = null;
const originalBroadcast = BridgeServer.prototype.broadcast;
BridgeServer.prototype.broadcast = function (this: BridgeServer, view: ViewModel) {
  currentBridge = new WeakRef(this);
  for (const listener of broadcastListeners) listener(view);
  return originalBroadcast.call(this, view);
};
const originalUpgrade = BridgeServer.prototype.handleUpgrade;
BridgeServer.prototype.handleUpgrade = function (
  this: BridgeServer,
  ...args: Parameters<BridgeServer['handleUpgrade']>
) {
  currentBridge = new WeakRef(this);
  return originalUpgrade.apply(this, args);
};

/** Calls `listener` with every view the host broadcasts; returns the unsubscribe. */
export function onBroadcast(listener: (view: ViewModel) => void): () => void {
  broadcastListeners.add(listener);
  return () => broadcastListeners.delete(listener);
}

export type DeviceCall = 'idRead' | 'feed' | 'chip' | 'print' | 'eject' | 'reject' | 'receipt';

/** Running totals; a step's figures are the difference of two snapshots. */
export class Accounts {
  /** Injected waits on the resident's path (devices and the foreground network), measured. */
  injectedMs = 0;
  /** The same waits as asked for (nominal), network included: what scales with the latency table. */
  nominalMs = 0;
  /** Foreground card-centre round trips: their count and their whole time (wait + loopback + centre). */
  roundTrips = 0;
  centreMs = 0;
  /** The outbox's background round trips (they overlap the journey: reported, not subtracted). */
  backgroundRoundTrips = 0;
  backgroundMs = 0;
  /** Of those, the outbox's reports of a card's result (one per journey that made a card). */
  cardReports = 0;
  /** Bytes the simulated ID reader put on its serial line, and commands it received. */
  idLineBytesIn = 0;
  apdus = 0;
  /** Time inside each device call (our driver + the simulator + the injected wait). */
  readonly device: Record<DeviceCall, number> = {
    idRead: 0,
    feed: 0,
    chip: 0,
    print: 0,
    eject: 0,
    reject: 0,
    receipt: 0,
  };
  readonly byOperation = new Map<string, number>();
  idReaderCommands: () => number = () => 0;
  /**
   * Time counted more than once because external waits ran at the same time (the kiosk fetches
   * the card face's photo while the chip is written): subtracted, so device and network time is
   * the time the kiosk spent waiting on anything outside, never more than the wall clock.
   */
  overlapMs = 0;
  #waiting = 0;
  #changedAt = 0;

  /** Marks an external wait's start; call the answer at its end. */
  externalBegins(): () => void {
    this.#change(+1);
    return () => this.#change(-1);
  }

  #change(by: number): void {
    const now = performance.now();
    if (this.#waiting > 1) this.overlapMs += (this.#waiting - 1) * (now - this.#changedAt);
    this.#changedAt = now;
    this.#waiting += by;
  }

  /** The ID reader's line time so far: what went over the wire at 115 200 baud, both ways (commands are 10 bytes). */
  idLineMs(): number {
    const bytes = this.idLineBytesIn + this.idReaderCommands() * 10;
    return (bytes * 10 * 1000) / GAT467_SIM_UART.baudRate;
  }

  snapshot(): AccountSnapshot {
    return {
      at: performance.now(),
      cpu: process.cpuUsage(),
      injectedMs: this.injectedMs,
      nominalMs: this.nominalMs,
      roundTrips: this.roundTrips,
      centreMs: this.centreMs,
      backgroundRoundTrips: this.backgroundRoundTrips,
      idLineMs: this.idLineMs(),
      apdus: this.apdus,
      device: { ...this.device },
      overlapMs: this.overlapMs,
    };
  }
}

export interface AccountSnapshot {
  at: number;
  cpu: NodeJS.CpuUsage;
  injectedMs: number;
  nominalMs: number;
  roundTrips: number;
  centreMs: number;
  backgroundRoundTrips: number;
  idLineMs: number;
  apdus: number;
  device: Record<DeviceCall, number>;
  overlapMs: number;
}

export interface Delta {
  wallMs: number;
  cpuMs: number;
  /** Device and network time on the resident's path: injected waits + centre round trips' own time + the ID line. */
  externalMs: number;
  roundTrips: number;
  apdus: number;
  /** wall − external: what the kiosk's software (and the in-process simulators) added. */
  oursMs: number;
  /** The injected waits as asked for (nominal): these scale with the latency table. */
  nominalMs: number;
  device: Record<DeviceCall, number>;
}

export function delta(a: AccountSnapshot, b: AccountSnapshot): Delta {
  const wallMs = b.at - a.at;
  const cpuMs = (b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / 1000;
  // Injected centre waits are inside centreMs already: count each wait once, and time two waits
  // shared once too.
  const externalMs =
    b.injectedMs -
    a.injectedMs +
    (b.centreMs - a.centreMs) +
    (b.idLineMs - a.idLineMs) -
    (b.overlapMs - a.overlapMs);
  const device = Object.fromEntries(
    Object.keys(a.device).map((k) => [k, b.device[k as DeviceCall] - a.device[k as DeviceCall]]),
  ) as Record<DeviceCall, number>;
  return {
    wallMs,
    cpuMs,
    externalMs,
    roundTrips: b.roundTrips - a.roundTrips,
    apdus: b.apdus - a.apdus,
    oursMs: wallMs - externalMs,
    nominalMs: b.nominalMs - a.nominalMs,
    device,
  };
}

export interface BenchKioskOptions {
  latencies?: Latencies;
  /** Milliseconds per simulated printer move inside the simulator (0: none; the printer's latencies are injected instead). */
  moveMs?: number;
  receiptShownMs?: number;
  /** Blanks in the simulated printer's hopper at start (the ledger is seeded with them). */
  blanks?: number;
  configure?: (config: KioskConfig) => void;
  /** The UI build to serve (default: dist/ui). */
  uiDir?: string;
}

export interface BenchKiosk {
  host: Host;
  accounts: Accounts;
  config: KioskConfig;
  dataDir: string;
  centreUrl: string;
  /** WebSocket clients the host's bridge holds now. */
  bridgeClients(): number;
  stop(): Promise<void>;
}

/** Starts `mashang card-centre` on a free port with its own records, trusting the kiosk of `configFile`. */
export async function startCardCentreProcess(
  dir: string,
  configFile: string,
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'card-centre',
      '--port',
      '0',
      '--data',
      path.join(dir, 'centre'),
      '--kiosk-config',
      configFile,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`card centre not ready:\n${output}`)), 60_000);
    const check = () => {
      const line = /MASHANG_CARD_CENTRE_READY (\{.*\})/.exec(output);
      if (line) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve((JSON.parse(line[1]!) as { url: string }).url);
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`card centre exited with ${code}:\n${output}`));
    };
    child.stdout!.on('data', check);
    child.once('exit', onExit);
  });
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A temporary kiosk configuration (own data directory, free port, fresh secrets), written to disk. */
export function benchConfig(
  dir: string,
  configure?: (config: KioskConfig) => void,
): { config: KioskConfig; file: string; secrets: { journalKey: string; cardCentreKey: string } } {
  const raw = JSON.parse(readFileSync(path.join(REPO_ROOT, 'kiosk.config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  delete raw.$schema;
  raw.dataDir = path.join(dir, 'data');
  raw.secretsFile = path.join(dir, 'secrets.json');
  raw.http = { host: '127.0.0.1', port: 0 };
  raw.cardCentre = { endpoint: 'embedded', dataDir: path.join(dir, 'centre'), port: 0 };
  const secrets = {
    journalKey: randomBytes(32).toString('hex'),
    cardCentreKey: randomBytes(32).toString('hex'),
  };
  writeFileSync(raw.secretsFile as string, `${JSON.stringify(secrets)}\n`, { mode: 0o600 });
  const config = parseConfigText(JSON.stringify(raw), 'bench.config.json');
  configure?.(config);
  const file = path.join(dir, 'kiosk.config.json');
  writeFileSync(file, JSON.stringify(config));
  return { config, file, secrets };
}

export async function startBenchKiosk(options: BenchKioskOptions = {}): Promise<BenchKiosk> {
  const latencies = options.latencies ?? ZERO;
  const dir = mkdtempSync(path.join(tmpdir(), 'mashang-bench-'));
  const { config, file, secrets } = benchConfig(dir, options.configure);
  const centreProcess = await startCardCentreProcess(dir, file);
  const accounts = new Accounts();

  const wait = async (ms: number): Promise<void> => {
    if (ms <= 0) return;
    accounts.nominalMs += ms;
    const start = performance.now();
    const done = accounts.externalBegins();
    await sleep(ms);
    done();
    accounts.injectedMs += performance.now() - start;
  };

  const inner = nodeHttpTransport();
  const transport: HttpTransport = {
    async send(request, signal) {
      const background = !RESIDENT_PATH.test(new URL(request.url).pathname);
      const start = performance.now();
      const done = background ? () => {} : accounts.externalBegins();
      if (latencies.centreRoundTripMs > 0) {
        if (!background) accounts.nominalMs += latencies.centreRoundTripMs;
        await sleep(latencies.centreRoundTripMs);
      }
      try {
        return await inner.send(request, signal);
      } finally {
        done();
        const took = performance.now() - start;
        const op = `${request.method} ${new URL(request.url).pathname.replace(/\/v1\/(applications|payments)\/[^/]+/, '/v1/$1/{no}')}`;
        accounts.byOperation.set(op, (accounts.byOperation.get(op) ?? 0) + 1);
        if (background) {
          if (/\/results$/.test(new URL(request.url).pathname)) accounts.cardReports++;
          accounts.backgroundRoundTrips++;
          accounts.backgroundMs += took;
        } else {
          accounts.roundTrips++;
          accounts.centreMs += took;
        }
      }
    },
    close: () => inner.close(),
  };
  const centre = new HttpCardCentre({
    baseUrl: centreProcess.url,
    kioskId: config.kiosk.id,
    key: new Uint8Array(Buffer.from(secrets.cardCentreKey, 'hex')),
    transport,
  });

  const dataDir = config.dataDir;
  const logger = createLogger({ dataDir, stderr: false });
  const host = new Host({
    config,
    dataDir,
    secrets: { journalKey: secrets.journalKey },
    logger,
    port: 0,
    simulation: {
      moveMs: options.moveMs ?? 0,
      ...(options.blanks ? { blanks: options.blanks } : {}),
    },
    cardCentre: centre,
    receiptShownMs: options.receiptShownMs ?? 0,
    configDir: dir,
    ...(options.uiDir ? { uiDir: options.uiDir } : {}),
  });
  instrumentDevices(host, accounts, latencies, wait);
  await host.start();
  // Ready as a resident would find it: every device answered its first status poll.
  const until = Date.now() + 30_000;
  while (host.health().status !== 'ready') {
    if (Date.now() > until)
      throw new Error(`the bench kiosk is not ready: ${JSON.stringify(host.health())}`);
    await sleep(20);
  }
  return {
    host,
    accounts,
    config,
    dataDir,
    centreUrl: centreProcess.url,
    bridgeClients: () => currentBridge?.deref()?.clientCount ?? 0,
    async stop() {
      await host.stop();
      centre.close();
      await centreProcess.stop();
      closeLogger(logger);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The logger's file (its descriptor) is the harness's to close: the host does not own its logger. */
function closeLogger(logger: Logger): void {
  const multistream = (
    logger as unknown as Record<symbol, { streams?: { stream: { end?: () => void } }[] }>
  )[pino.symbols.streamSym];
  for (const entry of multistream?.streams ?? []) entry.stream.end?.();
}

/**
 * Wraps the host's devices in place. The actors captured the device objects when the host was
 * built, so the wrappers are instance methods on those same objects (the chip encoder, looked up
 * at each call, is replaced in the devices record).
 */
function instrumentDevices(
  host: Host,
  accounts: Accounts,
  latencies: Latencies,
  wait: (ms: number) => Promise<void>,
): void {
  const { devices } = host;
  const simulation = devices.simulation;
  if (!simulation) throw new Error('the bench needs the simulated devices');

  const timed =
    <A extends unknown[], R>(
      call: DeviceCall,
      original: (...args: A) => Promise<R>,
      before: number,
      after: number,
    ) =>
    async (...args: A): Promise<R> => {
      const start = performance.now();
      try {
        await wait(before);
        const result = await original(...args);
        await wait(after);
        return result;
      } finally {
        accounts.device[call] += performance.now() - start;
      }
    };

  const reader = devices.idReader;
  reader.readCard = timed('idRead', reader.readCard.bind(reader), 0, latencies.idReadMs);
  const port = simulation.idReader.line.device;
  const write = port.write.bind(port);
  port.write = (bytes) => {
    accounts.idLineBytesIn += bytes.length;
    write(bytes);
  };
  accounts.idReaderCommands = () => simulation.idReader.simulator.commandsReceived;

  const printer = devices.cardPrinter;
  printer.feedToContactStation = timed(
    'feed',
    printer.feedToContactStation.bind(printer),
    latencies.feedMs,
    0,
  );
  printer.printFront = timed('print', printer.printFront.bind(printer), latencies.printMs, 0);
  printer.ejectToResident = timed(
    'eject',
    printer.ejectToResident.bind(printer),
    latencies.ejectMs,
    0,
  );
  printer.ejectToRejectBin = timed(
    'reject',
    printer.ejectToRejectBin.bind(printer),
    latencies.ejectMs,
    0,
  );

  const receipt = devices.receiptPrinter;
  receipt.print = timed('receipt', receipt.print.bind(receipt), latencies.receiptMs, 0);

  const encoder = devices.chipEncoder;
  const wrapped: ChipEncoder = {
    kind: encoder.kind,
    transport: encoder.transport,
    status: () => encoder.status(),
    connect: async (signal) => {
      const start = performance.now();
      const session = await encoder.connect(signal);
      accounts.device.chip += performance.now() - start;
      if (!session.ok) return session;
      const inner = session.value;
      return ok({
        atr: inner.atr,
        transmit: async (command, signal) => {
          const begin = performance.now();
          try {
            accounts.apdus++;
            await wait(latencies.apduMs);
            return await inner.transmit(command, signal);
          } finally {
            accounts.device.chip += performance.now() - begin;
          }
        },
        close: () => inner.close(),
      });
    },
  };
  devices.chipEncoder = wrapped;
}

/**
 * What staff do on a visit, for runs longer than a ribbon or a paper roll lasts: a fresh ribbon
 * (500 panels) in the card printer and a fresh roll in the receipt printer. Call it on attract.
 */
export function serviceVisit(host: Host): void {
  const simulation = host.devices.simulation;
  if (!simulation) return;
  const printer = simulation.cardPrinter.simulator;
  printer.injectFault('ribbonOut');
  printer.clearFault('ribbonOut'); // a cleared ribbon-out is a new ribbon
  simulation.receiptPrinter.simulator.loadPaper();
}
