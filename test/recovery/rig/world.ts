/**
 * The world a kiosk lives in, as processes that outlive it: pcscd with the vpcd reader (the chip
 * encoder), the card printer with its contact station on a pty (printer-station.ts), the ID card
 * reader and the receipt printer on ptys (`mashang sim-serial`), and the card centre with its own
 * records (`mashang card-centre`). The kiosk itself is `mashang host` on a configuration that
 * points at all of them, started, killed and restarted by the test.
 *
 * Import test/pcsc/pcscd-fixture.ts before this (it fixes the PC/SC socket for the process).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import {
  BRIDGE_SUBPROTOCOL,
  ServerMessage,
  TOKEN_SUBPROTOCOL_PREFIX,
  type ClientMessage,
  type ScreenId,
  type ViewModel,
} from '../../../kiosk/bridge/protocol.ts';
import { Pcscd } from '../../pcsc/pcscd-fixture.ts';
import { MASHANG, PrinterStation, Proc, SerialSim } from './processes.ts';

export const KIOSK_ID = 'rig-001';
/** The district whose residents pay a fee (embedded centre: ¥20), so every journey has a payment. */
export const FEE_DISTRICT = '330108';

export interface WorldOptions {
  /** Milliseconds per printer move (a print takes twice that): slow enough for kills to land inside. */
  moveMs?: number;
  blanks?: number;
  /** How long a confirm-on-phone payment stays "paying" at the centre. */
  payingMs?: number;
}

export class World {
  readonly dir: string;
  readonly configFile: string;
  readonly dataDir: string;
  readonly centreDir: string;
  readonly pcscd: Pcscd;
  readonly centre: Proc;
  readonly centreUrl: string;
  readonly idReader: SerialSim;
  readonly receiptPrinter: SerialSim;
  readonly station: PrinterStation;
  #config: Record<string, any>;

  private constructor(parts: {
    dir: string;
    pcscd: Pcscd;
    centre: Proc;
    centreUrl: string;
    idReader: SerialSim;
    receiptPrinter: SerialSim;
    station: PrinterStation;
    config: Record<string, any>;
    configFile: string;
  }) {
    this.dir = parts.dir;
    this.pcscd = parts.pcscd;
    this.centre = parts.centre;
    this.centreUrl = parts.centreUrl;
    this.idReader = parts.idReader;
    this.receiptPrinter = parts.receiptPrinter;
    this.station = parts.station;
    this.#config = parts.config;
    this.configFile = parts.configFile;
    this.dataDir = path.join(parts.dir, 'data');
    this.centreDir = path.join(parts.dir, 'card-centre');
  }

  static async start(options: WorldOptions = {}): Promise<World> {
    const dir = mkdtempSync(path.join(tmpdir(), 'mashang-recovery-'));
    const pcscd = await Pcscd.start();
    const started: { stop(): Promise<void> }[] = [];
    try {
      const [idReader, receiptPrinter, station] = await Promise.all([
        SerialSim.start('id-reader', { card: 'none', district: FEE_DISTRICT }),
        SerialSim.start('receipt-printer'),
        PrinterStation.start({ vpcdPort: pcscd.port, moveMs: options.moveMs ?? 150, blanks: options.blanks ?? 200 }),
      ]);
      started.push(idReader.proc, receiptPrinter.proc, station.proc);
      const configFile = path.join(dir, 'kiosk.config.json');
      const config: Record<string, any> = {
        kiosk: { id: KIOSK_ID, siteName: '马上村便民服务中心', district: '330106' },
        devices: [
          { kind: 'id-reader', driver: 'gat467', transport: { type: 'serial', path: idReader.path, baudRate: 115200 } },
          { kind: 'card-printer', driver: 'evolis', transport: { type: 'serial', path: station.path, baudRate: 115200 } },
          { kind: 'chip-encoder', driver: 'pcsc', transport: { type: 'pcsc', readerPattern: `^${pcscd.readers[0]}$` } },
          { kind: 'receipt-printer', driver: 'escpos', transport: { type: 'serial', path: receiptPrinter.path, baudRate: 115200 }, paperWidthMm: 80 },
          { kind: 'qr-scanner', driver: 'hid-pos', transport: { type: 'simulated' } },
          { kind: 'staff-card-reader', driver: 'pcsc', transport: { type: 'simulated' } },
        ],
        // Rewritten with the centre's address once it listens.
        cardCentre: { endpoint: 'http://127.0.0.1:9', timeoutMs: 5_000, retries: 1 },
        timeouts: { idleSeconds: 120, idleWarningSeconds: 30, cardCollectSeconds: 120, idCardRemovalSeconds: 30 },
        language: 'zh-CN',
        ui: { voice: false },
        dataDir: './data',
        secretsFile: './secrets.json',
        http: { host: '127.0.0.1', port: 0 },
        mode: 'development',
      };
      writeFileSync(configFile, JSON.stringify(config, null, 2));
      // The centre trusts this kiosk: its id and the card-centre key of its secrets file (made now).
      const centre = new Proc('card centre', process.execPath, [
        MASHANG,
        'card-centre',
        '--data',
        path.join(dir, 'card-centre'),
        '--port',
        '0',
        '--kiosk-config',
        configFile,
        '--paying-ms',
        String(options.payingMs ?? 1_500),
      ]);
      started.push(centre);
      const { match } = await centre.waitForLine(/^MASHANG_CARD_CENTRE_READY (.*)$/);
      const centreUrl = (JSON.parse(match[1]!) as { url: string }).url;
      config.cardCentre.endpoint = centreUrl;
      writeFileSync(configFile, JSON.stringify(config, null, 2));
      mkdirSync(path.join(dir, 'data'), { recursive: true });
      return new World({ dir, pcscd, centre, centreUrl, idReader, receiptPrinter, station, config, configFile });
    } catch (error) {
      await Promise.allSettled(started.map((p) => p.stop()));
      await pcscd.dispose();
      throw error;
    }
  }

  /** Changes the kiosk's configuration for its next start (e.g. a short card-collect time). */
  configure(change: (config: Record<string, any>) => void): void {
    change(this.#config);
    writeFileSync(this.configFile, JSON.stringify(this.#config, null, 2));
  }

  /** Starts `mashang host` on this world; `killAt` arms the test hook (MASHANG_KILL_AT). */
  async startKiosk(options: { killAt?: string | null } = {}): Promise<KioskProcess> {
    const token = randomBytes(32).toString('hex');
    const env: NodeJS.ProcessEnv = { ...this.pcscd.clientEnv, MASHANG_BRIDGE_TOKEN: token };
    delete env.MASHANG_KILL_AT;
    if (options.killAt) env.MASHANG_KILL_AT = options.killAt;
    const proc = new Proc('kiosk host', process.execPath, [MASHANG, 'host', '--config', this.configFile], env);
    const { match } = await proc.waitForLine(/^MASHANG_READY (.*)$/, { timeoutMs: 90_000 });
    const origin = (JSON.parse(match[1]!) as { url: string }).url.replace(/\/$/, '');
    return new KioskProcess(proc, origin, token);
  }

  /** The centre's records, read-only (no personal data: residents are keyed by a salted hash). */
  centreRecords<T>(read: (db: Database.Database) => T): T {
    const db = new Database(path.join(this.centreDir, 'card-centre.db'), { readonly: true, fileMustExist: true, timeout: 5_000 });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  /** The kiosk's records, read-only, as `mashang journal` reads them. */
  kioskRecords<T>(read: (db: Database.Database) => T): T {
    const db = new Database(path.join(this.dataDir, 'kiosk.db'), { readonly: true, fileMustExist: true, timeout: 5_000 });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  /** Stops the world's processes and removes its files (MASHANG_RECOVERY_KEEP=1 keeps them to look at). */
  async stop(): Promise<void> {
    await Promise.allSettled([this.idReader.proc.stop(), this.receiptPrinter.proc.stop(), this.station.proc.stop(), this.centre.stop()]);
    await this.pcscd.dispose();
    if (process.env.MASHANG_RECOVERY_KEEP === '1') console.log(`recovery rig kept in ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

export class KioskProcess {
  readonly proc: Proc;
  readonly origin: string;
  readonly token: string;
  #socket: WebSocket | null = null;
  #view: ViewModel | null = null;

  constructor(proc: Proc, origin: string, token: string) {
    this.proc = proc;
    this.origin = origin;
    this.token = token;
  }

  async connect(): Promise<void> {
    const socket = new WebSocket(`${this.origin.replace('http', 'ws')}/bridge`, [BRIDGE_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${this.token}`]);
    socket.on('message', (data) => {
      const message = ServerMessage.parse(JSON.parse(data.toString()));
      if (message.type === 'view') this.#view = message.view;
    });
    // The host may be killed at any moment: a dead socket is expected, not an error.
    socket.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    this.#socket = socket;
  }

  get view(): ViewModel | null {
    return this.#view;
  }

  send(message: ClientMessage): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  event(type: 'START' | 'CONFIRM' | 'CANCEL' | 'STILL_HERE' | 'RETRY'): void {
    this.send({ type: 'event', event: { type } });
  }

  /** Waits for a screen; resolves null when the host died first (a kill point was reached). */
  async waitForScreen(screens: ScreenId | ScreenId[], timeoutMs = 60_000, also: (view: ViewModel) => boolean = () => true): Promise<ViewModel | null> {
    const wanted = Array.isArray(screens) ? screens : [screens];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = this.#view;
      if (view && wanted.includes(view.screen) && also(view)) return view;
      if (!this.proc.running) return null;
      if (Date.now() > deadline) throw new Error(`expected ${wanted.join('|')}, on "${view?.screen}"${view?.failure ? ` (${view.failure.reason})` : ''}:\n${this.proc.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async health(): Promise<Record<string, any>> {
    const response = await fetch(`${this.origin}/healthz`);
    return (await response.json()) as Record<string, any>;
  }

  close(): void {
    this.#socket?.close();
  }

  async stop(): Promise<void> {
    this.close();
    await this.proc.stop();
  }
}
