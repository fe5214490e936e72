/**
 * The host: the composition root that owns the truth. It builds the devices, the card centre and
 * the reissue flow from the configuration, serves the UI and the bridge on loopback, and turns
 * the flow's snapshots into views.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createActor, type Actor } from 'xstate';
import { makeSimPerson } from '../../drivers/id-reader/simulator.ts';
import { reissueMachine } from '../../flows/reissue/machine.ts';
import type { ClientMessage, SimAction, ViewModel } from '../bridge/protocol.ts';
import { BridgeServer } from '../bridge/server.ts';
import type { CardCentre } from '../card-centre/card-centre.ts';
import { cardCentreLink, type CardCentreLink } from '../card-centre/connection.ts';
import { SEEDED_RESIDENTS, SIMULATED_PAYMENT_CODES } from '../card-centre/seeds.ts';
import { deviceOf, type KioskConfig } from '../config/schema.ts';
import type { KioskSecrets } from '../config/secrets.ts';
import type { Logger } from '../log/logger.ts';
import { KioskMetrics } from '../metrics/metrics.ts';
import { isModeEvent, isModeSimAction, KioskModes } from '../modes/kiosk-modes.ts';
import { recover, type RecoveryReport } from '../recovery/recover.ts';
import { HostRecords } from '../store/host-records.ts';
import { killSwitchFromEnv } from '../store/kill-point.ts';
import { DataDirLockedError } from '../store/lock.ts';
import type { ServiceBlock } from '../store/store.ts';
import { buildView, type SimulationView } from '../view/view-model.ts';
import { createDevices, DeviceSetupError, type Devices, type SimulationOptions } from './devices.ts';
import { createHttpServer } from './http-server.ts';
import { reissueActors } from './reissue-actors.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_UI_DIR = path.join(REPO_ROOT, 'dist/ui');

/** Blanks the production may use for one resident: the first try and two retries. */
const MAX_PRODUCTION_ATTEMPTS = 3;
/** How long the "take your receipt" screen stays after the receipt is printed. */
const RECEIPT_SHOWN_MS = 5_000;
/**
 * How long start() waits for recovery before it returns (and `mashang host` says it is ready, which
 * the shell waits for): a longer recovery goes on behind the out-of-service screen.
 */
const RECOVERY_START_WAIT_MS = 5_000;
/** How long the stock check at start waits for the card printer to answer (its counters) before it goes on without. */
const PRINTER_ANSWER_WAIT_MS = 10_000;
/** Sessions recovery left open because the card centre did not answer are asked about again this often. */
const RECOVERY_RETRY_MS = 5 * 60_000;

export interface HostOptions {
  /** How an unknown payment is settled (tests shorten it); defaults from settle-payment.ts. */
  paymentPolling?: { pollIntervalMs: number; maxQueries: number };
  config: KioskConfig;
  logger: Logger;
  /** The kiosk's data directory (records, logs); the host locks it while it runs. */
  dataDir: string;
  /** From the secrets file: the key that seals what the journal keeps of a resident. */
  secrets: Pick<KioskSecrets, 'journalKey'>;
  /** The per-start bridge secret; a fresh random one when absent. */
  token?: string;
  /** Overrides config.http.port (0 = any free port). */
  port?: number;
  uiDir?: string;
  simulation?: SimulationOptions;
  /** Tests inject a card centre; otherwise the config decides. */
  cardCentre?: CardCentre;
  /** The folder the config's relative paths (secrets, the embedded card centre's data) resolve against: the config file's. */
  configDir?: string;
  /** How long the receipt screen stays after printing (default RECEIPT_SHOWN_MS); benchmarks shorten it. */
  receiptShownMs?: number;
}

export class HostStartError extends Error {}

/** Recovery after a crash (kiosk/recovery), as the host runs it at start. */
export type RecoveryState =
  | { state: 'pending' | 'running' }
  | { state: 'done'; report: RecoveryReport }
  | { state: 'failed'; error: string }
  /** The records file is damaged: there is nothing to recover from. */
  | { state: 'skipped' };

export class Host {
  readonly token: string;
  readonly devices: Devices;
  readonly cardCentre: CardCentre;
  readonly metrics = new KioskMetrics();
  /** The kiosk's own records: session journal, card-stock ledger, outbox, audit log. */
  readonly records: HostRecords;
  readonly #options: HostOptions;
  readonly #logger: Logger;
  readonly #actor: Actor<typeof reissueMachine>;
  readonly #bridge: BridgeServer;
  readonly #server: http.Server;
  readonly #cardCentreLink: CardCentreLink | null = null;
  /** Staff and technician modes beside the resident flow (kiosk/modes). */
  readonly #modes: KioskModes;
  #lastViewJson = '';
  #lastScreen: ViewModel['screen'] = 'attract';
  #recovery: RecoveryState = { state: 'pending' };
  #recovered: Promise<void> | null = null;
  #recoveryRetry: NodeJS.Timeout | null = null;
  #retrying = false;
  /** Sessions recovery could not settle (staff have a notice for each); retried between residents. */
  readonly #leftOpen = new Set<string>();
  readonly #stopping = new AbortController();

  constructor(options: HostOptions) {
    this.#options = options;
    const { config, logger } = options;
    this.#logger = logger;
    this.token = options.token ?? randomBytes(32).toString('hex');
    // One writer: the data directory's lock comes first, before any device is opened.
    let killSwitch;
    try {
      // The fault-injection test's power cut (MASHANG_KILL_AT); refused in production.
      killSwitch = killSwitchFromEnv(process.env, config.mode, logger);
    } catch (error) {
      throw new HostStartError((error as Error).message);
    }
    try {
      this.records = HostRecords.open({ dataDir: options.dataDir, journalKey: options.secrets.journalKey, kioskId: config.kiosk.id, logger, killSwitch });
    } catch (error) {
      if (error instanceof DataDirLockedError) throw new HostStartError(error.message);
      throw error;
    }
    // A damaged records file: the host still runs, out of service, and says why (not a crash loop).
    if (this.records.damage) process.stderr.write(`mashang: ${this.records.damage.message}\n`);
    try {
      this.devices = createDevices(config, logger, options.simulation);
    } catch (error) {
      this.records.close();
      if (error instanceof DeviceSetupError) throw new HostStartError(error.message);
      throw error;
    }
    // The card centre: injected (tests), or from the config — its URL, or the embedded centre,
    // which start() runs in-process on 127.0.0.1; either way the kiosk speaks HTTP to it.
    if (options.cardCentre) this.cardCentre = options.cardCentre;
    else {
      this.#cardCentreLink = cardCentreLink(config, { configDir: options.configDir ?? process.cwd(), logger });
      this.cardCentre = this.#cardCentreLink.centre;
    }

    const timeouts = config.timeouts;
    const machine = reissueMachine.provide({
      actors: reissueActors({
        devices: this.devices,
        cardCentre: this.cardCentre,
        logger,
        kiosk: { id: config.kiosk.id, siteName: config.kiosk.siteName },
        store: this.records.store,
        ...(options.paymentPolling ? { paymentPolling: options.paymentPolling } : {}),
      }),
      delays: {
        idle: timeouts.idleSeconds * 1000,
        cardCollect: timeouts.cardCollectSeconds * 1000,
        receiptShown: options.receiptShownMs ?? RECEIPT_SHOWN_MS,
      },
    });
    this.#actor = createActor(machine, { input: { lang: config.language, maxAttempts: MAX_PRODUCTION_ATTEMPTS } });
    this.#modes = new KioskModes({
      config,
      logger,
      devices: this.devices,
      store: this.records.store,
      cardCentre: this.cardCentre,
      dataDir: options.dataDir,
      // A mode starts only with no resident being served (out of service included) and no recovery running.
      residentAtRest: () => this.#actor.getSnapshot().matches('attract') && this.#recovery.state !== 'running',
      onChange: () => this.#publish(),
    });

    this.#bridge = new BridgeServer({
      token: this.token,
      origin: () => this.origin,
      logger,
      currentView: () => this.view(),
      onMessage: (message) => this.#onMessage(message),
    });
    this.#server = createHttpServer({
      uiDir: options.uiDir ?? DEFAULT_UI_DIR,
      bridge: this.#bridge,
      logger,
      health: () => this.health(),
      metrics: async () => ({ contentType: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() }),
    });
  }

  get origin(): string {
    const address = this.#server.address() as AddressInfo | null;
    return `http://127.0.0.1:${address?.port ?? 0}`;
  }

  /** The address a browser opens, with the per-start secret in the fragment (never sent to a server). */
  get uiUrl(): string {
    return `${this.origin}/#token=${this.token}`;
  }

  async start(): Promise<void> {
    const { config } = this.#options;
    await this.#cardCentreLink?.start();
    // A real printer cannot count its feeder: the stock ledger says how many blanks were loaded.
    const printer = this.devices.cardPrinter as { setBlanksLoaded?: (count: number) => void };
    if (!this.devices.simulation) printer.setBlanksLoaded?.(this.records.store.ledger.balance().inHopper);
    // Development on a simulated printer: the ledger follows the simulator's blanks (seeded on a fresh data directory).
    const simulatedDevelopmentPrinter = config.mode === 'development' && deviceOf(config, 'card-printer').transport.type === 'simulated';
    // Out of service (the view says so) until recovery has settled what it can; the stock check
    // at rest runs after it, on the settled ledger.
    this.#recovered = this.#recover(simulatedDevelopmentPrinter).then(async () => {
      // The stock check compares the ledger with the printer's own counters: once it has answered.
      const stopping = this.#stopping.signal;
      const ready = (this.devices.cardPrinter as { whenReady?: (ms: number) => Promise<boolean> }).whenReady?.(PRINTER_ANSWER_WAIT_MS);
      await Promise.race([ready, new Promise((resolve) => stopping.addEventListener('abort', resolve, { once: true }))]);
      if (stopping.aborted) return;
      if (!this.devices.simulation) printer.setBlanksLoaded?.(this.records.store.ledger.balance().inHopper);
      this.records.start({
        printer: this.devices.cardPrinter,
        simulatedDevelopmentPrinter,
        cardCentre: this.cardCentre,
        metrics: this.metrics,
        onServiceChange: () => this.#publish(),
      });
      this.#publish();
      this.#recoveryRetry = setInterval(() => void this.#retryRecovery(), RECOVERY_RETRY_MS);
      this.#recoveryRetry.unref();
    });
    this.#actor.subscribe({
      next: () => this.#publish(),
      error: (error) => this.#logger.fatal({ event: 'flow.crashed', err: String(error) }, 'reissue flow crashed'),
    });
    this.#actor.start();
    await this.#modes.start();
    const port = this.#options.port ?? config.http.port;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          new HostStartError(
            error.code === 'EADDRINUSE'
              ? `port ${port} on 127.0.0.1 is already in use (is another kiosk running?); set http.port in the config or pass --port`
              : `cannot listen on 127.0.0.1:${port} (${error.code ?? error.message})`,
          ),
        );
      };
      this.#server.once('error', onError);
      this.#server.listen(port, config.http.host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    this.#refreshDeviceMetrics();
    // Recovery of earlier sessions usually takes a moment; a long one goes on behind "out of service".
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#recovered, new Promise<void>((resolve) => (timer = setTimeout(resolve, RECOVERY_START_WAIT_MS)))]);
    clearTimeout(timer);
    this.#logger.info({ event: 'host.ready', origin: this.origin, kiosk: config.kiosk.id, recovery: this.#recovery.state }, 'host ready');
  }

  /** Resolves when recovery at start is over and residents may be served (tests, benchmarks). */
  whenRecovered(): Promise<void> {
    return this.#recovered ?? Promise.resolve();
  }

  get recovery(): RecoveryState {
    return this.#recovery;
  }

  async #recover(printerForgetsOnRestart: boolean): Promise<void> {
    if (this.records.damage) {
      this.#recovery = { state: 'skipped' };
      return;
    }
    this.#recovery = { state: 'running' };
    this.#publish();
    try {
      const report = await recover({
        store: this.records.store,
        printer: this.devices.cardPrinter,
        cardCentre: this.cardCentre,
        logger: this.#logger,
        printerForgetsOnRestart,
        signal: this.#stopping.signal,
      });
      this.#recovery = { state: 'done', report };
      for (const session of report.sessions) if (!session.settled) this.#leftOpen.add(session.sessionId);
    } catch (error) {
      // A bug or records that cannot be written: the sessions stay for the next start, staff are told by the log.
      this.#logger.error({ event: 'recovery.failed', err: String((error as Error).stack ?? error) }, 'recovery failed');
      this.#recovery = { state: 'failed', error: String((error as Error).message ?? error) };
    }
  }

  /**
   * Between residents, what the card centre could not answer at start (a refund not acknowledged,
   * a loss report in doubt) is asked again — card-centre questions only, so it runs while the
   * kiosk serves: the printer belongs to the resident now, and a session that may have a card in
   * it waits for the next start or staff.
   */
  async #retryRecovery(): Promise<void> {
    if (this.#retrying || this.records.damage || !this.#actor.getSnapshot().matches('attract')) return;
    if (this.records.store.journal.counts().unsettled === 0) return;
    this.#retrying = true;
    try {
      const report = await recover({
        store: this.records.store,
        printer: this.devices.cardPrinter,
        cardCentre: this.cardCentre,
        logger: this.#logger,
        centreOnly: true,
        signal: this.#stopping.signal,
      });
      for (const session of report.sessions) if (session.settled) this.#leftOpen.delete(session.sessionId);
    } catch (error) {
      this.#logger.error({ event: 'recovery.retry_failed', err: String((error as Error).message ?? error) }, 'recovery retry failed');
    } finally {
      this.#retrying = false;
    }
  }

  async stop(): Promise<void> {
    if (this.#recoveryRetry) clearInterval(this.#recoveryRetry);
    this.#stopping.abort(new Error('host stopping'));
    await this.#recovered?.catch(() => {});
    await this.#modes.stop();
    this.#actor.stop();
    await this.#cardCentreLink?.stop();
    await this.#bridge.close();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await this.records.stop();
    await this.devices.close();
  }

  view(): ViewModel {
    const view = this.#flowView();
    // Records that cannot be written, stock that does not add up, recovery still running: no new resident session.
    if (view.screen === 'attract' && this.#serviceBlock()) return this.#modes.view({ ...view, screen: 'outOfService' });
    return this.#modes.view(view);
  }

  /** Why residents cannot be served now, if they cannot. */
  #serviceBlock(): ServiceBlock | null {
    const records = this.records.serviceBlock();
    if (records) return records;
    if (this.#recovery.state === 'pending' || this.#recovery.state === 'running') {
      return { reason: 'recovering', message: 'settling sessions a crash or power cut left unfinished' };
    }
    return null;
  }

  #flowView(): ViewModel {
    const { config } = this.#options;
    return buildView(
      this.#actor.getSnapshot(),
      {
        kioskId: config.kiosk.id,
        siteName: config.kiosk.siteName,
        idleMs: config.timeouts.idleSeconds * 1000,
        idleWarningMs: config.timeouts.idleWarningSeconds * 1000,
        cardCollectMs: config.timeouts.cardCollectSeconds * 1000,
        idCardReminderMs: config.timeouts.idCardRemovalSeconds * 1000,
        voice: config.ui.voice,
      },
      this.#simulationView(),
    );
  }

  health(): {
    status: 'ready' | 'degraded' | 'down';
    devices: Record<string, string>;
    /** Only when residents are refused: why. */
    outOfService?: ServiceBlock;
    /** Only while recovery runs, or when it left sessions for staff. */
    recovery?: { state: RecoveryState['state']; open?: number };
    /** Only when something waits for a person: the open staff notices. */
    staff?: { notices: number; kinds: string[] };
  } {
    const devices = {
      'id-reader': this.devices.idReader,
      'card-printer': this.devices.cardPrinter,
      'chip-encoder': this.devices.chipEncoder,
      'receipt-printer': this.devices.receiptPrinter,
    };
    const states = Object.fromEntries(Object.entries(devices).map(([name, d]) => [name, d.status().state]));
    const critical = ['id-reader', 'card-printer', 'chip-encoder'].some((name) => states[name] !== 'ready');
    const any = Object.values(states).some((s) => s !== 'ready');
    const block = this.#serviceBlock();
    const recovery = this.#recovery;
    const open = this.#leftOpen.size;
    let notices: { kind: string }[] = [];
    try {
      notices = this.records.store.notices.open();
    } catch {
      // Records that cannot be read are reported by the service block.
    }
    return {
      status: critical || block ? 'down' : any ? 'degraded' : 'ready',
      devices: states,
      ...(block ? { outOfService: block } : {}),
      ...(recovery.state === 'running' || recovery.state === 'failed' || open > 0 ? { recovery: { state: recovery.state, ...(open > 0 ? { open } : {}) } } : {}),
      ...(notices.length > 0 ? { staff: { notices: notices.length, kinds: [...new Set(notices.map((n) => n.kind))] } } : {}),
    };
  }

  /** For tests and the developer panel: the events a resident would cause. */
  send(message: ClientMessage): void {
    this.#onMessage(message);
  }

  #onMessage(message: ClientMessage): void {
    if (message.type === 'event') {
      // Staff and technician modes (kiosk/modes): their events, and every event while one is open.
      if (isModeEvent(message.event) || this.#modes.active) {
        this.#modes.receive(message.event);
        return this.#publish();
      }
      const block = message.event.type === 'START' ? this.#serviceBlock() : null;
      if (block) this.#logger.warn({ event: 'session.refused', reason: block.reason }, `out of service: ${block.message}`);
      else this.#actor.send(message.event);
    } else {
      this.#simulate(message.sim);
    }
    // A simulator action changes what the panel shows even when the flow does not move.
    this.#publish();
  }

  #simulate(action: SimAction): void {
    if (isModeSimAction(action)) return this.#modes.simulate(action);
    // Every simulated device answers, also among real ones (a rig's simulated payment scanner).
    const simulation = this.devices.simulators;
    const refuse = () => this.#logger.warn({ event: 'sim.refused', action: action.action }, 'simulator action refused: that device is real');
    switch (action.action) {
      case 'placeIdCard': {
        if (!simulation.idReader) return refuse();
        // A seeded resident's own ID card (validity and all), or a made-up resident.
        const seeded = SEEDED_RESIDENTS.find((r) => r.card.idNumber === action.person?.idNumber);
        simulation.idReader.placeCard(
          seeded ? { ...seeded.card } : makeSimPerson({ ...action.person, district: this.#options.config.kiosk.district }),
        );
        break;
      }
      case 'removeIdCard':
        if (!simulation.idReader) return refuse();
        simulation.idReader.removeCard();
        break;
      case 'takeCard':
        if (!simulation.cardPrinter) return refuse();
        simulation.cardPrinter.takeCard();
        break;
      case 'scanPaymentCode':
        if (!simulation.qrScanner) return refuse();
        // The embedded card centre's simulated wallet: each code pays (or fails) its own way.
        simulation.qrScanner.scan(SIMULATED_PAYMENT_CODES[action.code]);
        break;
    }
  }

  #simulationView(): SimulationView | null {
    const simulation = this.devices.simulation;
    if (!simulation) return null;
    return { idCardOnReader: simulation.idReader.cardPresent(), cardAtExit: simulation.cardPrinter.cardAtExit() };
  }

  #publish(): void {
    const view = this.view();
    this.#countSessions(view.screen, view);
    const json = JSON.stringify(view);
    if (json === this.#lastViewJson) return;
    this.#lastViewJson = json;
    this.#bridge.broadcast(view);
  }

  #countSessions(screen: ViewModel['screen'], view: ViewModel): void {
    const previous = this.#lastScreen;
    if (screen === previous) return;
    this.#lastScreen = screen;
    this.#logger.info({ event: 'flow.screen', from: previous, to: screen, failure: view.failure?.reason }, 'screen changed');
    if (previous === 'attract' && screen === 'identify') this.metrics.sessionsStarted.inc();
    if (screen === 'receipt') this.metrics.sessionsCompleted.inc();
    if (screen === 'failed' && view.failure) this.metrics.sessionsFailed.inc({ reason: view.failure.reason });
    if (screen === 'attract') {
      // The session is over: the simulated receipt printer lets go of the last receipt too.
      this.devices.simulation?.receiptPrinter.clear();
      this.#refreshDeviceMetrics();
    }
  }

  #refreshDeviceMetrics(): void {
    for (const device of [this.devices.idReader, this.devices.cardPrinter, this.devices.chipEncoder, this.devices.receiptPrinter]) {
      this.metrics.setDeviceStatus(device.kind, device.status());
    }
  }
}

