/**
 * The staff and technician modes inside the host: the modes flow (flows/kiosk/modes.ts) with
 * its actors, fed by the staff card reader (a card in, a card out), composed with the resident
 * flow — a card inserted while a resident is being served is refused — and turned into the
 * `mode` part of the view. Also the simulator panel's staff cards and device faults, the
 * revocation list's refresh, the device watch behind the technician's live status, and the local
 * admin endpoint through which `mashang diag | apdu | stock` reach the running host.
 *
 * The host calls in at five points: start, stop, view, a mode's user event, a mode's simulator
 * action.
 */
import { createActor, type Actor, type SnapshotFrom } from 'xstate';
import type { CardPrinterFault } from '../../drivers/card-printer/card-printer.ts';
import type { ReaderStatus } from '../../drivers/pcsc/reader-manager.ts';
import type { ReceiptPrinterFault } from '../../drivers/receipt-printer/receipt-printer.ts';
import { modesMachine, type ModeAudit } from '../../flows/kiosk/modes.ts';
import type { ModeEvent } from '../../flows/kiosk/types.ts';
import {
  selfTestIds,
  type ModeView,
  type ScreenId,
  type SimAction,
  type UserEvent,
  type ViewModel,
} from '../bridge/protocol.ts';
import type { CardCentre } from '../card-centre/card-centre.ts';
import type { KioskConfig } from '../config/schema.ts';
import type { Devices } from '../host/devices.ts';
import type { Logger } from '../log/logger.ts';
import type { KioskStore } from '../store/store.ts';
import { AdminServer } from '../admin/admin-server.ts';
import { consoleReaders } from './apdu-console.ts';
import { formatBoxLabel, serialPlus } from './box-label.ts';
import { DeviceWatch } from './device-watch.ts';
import { audit, modeActors } from './mode-actors.ts';
import { StockDesk } from './stock-desk.ts';
import { TodoDesk } from './todo-desk.ts';

/** The user events that belong to the modes (the rest are the resident's). */
const MODE_EVENTS = [
  'MODE_PIN',
  'MODE_EXIT',
  'MODE_GO',
  'STOCK_LOAD',
  'REJECT_BIN_COUNTED',
  'HOPPER_COUNTED',
  'HOPPER_CORRECT',
  'PAPER_REPLACED',
  'RIBBON_STEP',
  'STOCK_RESOLVE',
  'NOTICE_CLEAR',
  'REPORT',
  'SELF_TEST',
  'APDU',
  'EXPORT_EVENTS',
] as const;
export type ModeUserEvent = Extract<UserEvent, { type: (typeof MODE_EVENTS)[number] }>;

const MODE_SIM_ACTIONS = [
  'placeStaffCard',
  'removeStaffCard',
  'scanBoxLabel',
  'deviceFault',
  'clearFaults',
] as const;
export type ModeSimAction = Extract<SimAction, { action: (typeof MODE_SIM_ACTIONS)[number] }>;

export function isModeEvent(event: UserEvent): event is ModeUserEvent {
  return (MODE_EVENTS as readonly string[]).includes(event.type);
}

export function isModeSimAction(action: SimAction): action is ModeSimAction {
  return (MODE_SIM_ACTIONS as readonly string[]).includes(action.action);
}

/** Blanks in a simulated box of cards (the simulator panel's "scan a box label"). */
export const SIM_BOX_CARDS = 50;

export interface KioskModesDeps {
  config: KioskConfig;
  logger: Logger;
  devices: Devices;
  store: KioskStore;
  cardCentre: CardCentre;
  dataDir: string;
  /** True while the resident flow is at attract (out of service included): a mode may start. */
  residentAtRest: () => boolean;
  /** Something on screen changed without a user event. */
  onChange: () => void;
}

type Snapshot = SnapshotFrom<typeof modesMachine>;

function screenOf(snapshot: Snapshot): ScreenId | null {
  if (snapshot.matches('closed')) return null;
  if (snapshot.matches('checking') || snapshot.matches('verifying')) return 'modeCheck';
  if (snapshot.matches('pin')) return 'modePin';
  if (snapshot.matches('refused')) return 'modeRefused';
  if (snapshot.matches({ staff: { page: 'load' } })) return 'staffLoad';
  if (snapshot.matches({ staff: { page: 'rejectBin' } })) return 'staffRejectBin';
  if (snapshot.matches({ staff: { page: 'count' } })) return 'staffCount';
  if (snapshot.matches({ staff: { page: 'consumables' } })) return 'staffConsumables';
  if (snapshot.matches({ staff: { page: 'todo' } })) return 'staffTodo';
  if (snapshot.matches('staff')) return 'staffHome';
  if (snapshot.matches({ technician: { page: 'tests' } })) return 'technicianTests';
  if (snapshot.matches({ technician: { page: 'apdu' } })) return 'technicianApdu';
  return 'technicianHome';
}

export class KioskModes {
  readonly #deps: KioskModesDeps;
  readonly #actor: Actor<typeof modesMachine>;
  readonly #desk: StockDesk;
  readonly #todo: TodoDesk;
  readonly #watch: DeviceWatch;
  readonly #admin: AdminServer;
  readonly #idleMs: number;
  readonly #warnMs: number;
  readonly #faults = new Set<string>();
  #offReader: (() => void) | null = null;
  #cardPresent = false;
  #insertion: number | null = null;
  #boxes = 0;
  /** The language on screen while no mode is open: a mode starts in it. */
  #lang: ViewModel['lang'];

  constructor(deps: KioskModesDeps) {
    this.#deps = deps;
    const { config, devices, store, logger } = deps;
    this.#lang = config.language;
    this.#idleMs = config.staff.modeTimeoutSeconds * 1000;
    this.#warnMs = Math.min(config.timeouts.idleWarningSeconds * 1000, this.#idleMs / 2);
    this.#desk = new StockDesk({
      store,
      devices,
      logger,
      hopperCapacity: config.staff.hopperCapacity,
    });
    this.#todo = new TodoDesk({ store, devices, logger });
    const machine = modesMachine.provide({
      actors: modeActors({
        config,
        devices,
        cardCentre: deps.cardCentre,
        store,
        desk: this.#desk,
        todo: this.#todo,
        dataDir: deps.dataDir,
        logger,
      }),
      actions: {
        audit: (_, entry: ModeAudit) => {
          audit({ store, logger }, entry.actor, entry.action, entry.detail);
          logger.info({ event: entry.action, actor: entry.actor, ...entry.detail }, entry.action);
        },
      },
      delays: { modeIdle: this.#idleMs },
    });
    this.#actor = createActor(machine, { input: { lang: config.language } });
    this.#watch = new DeviceWatch(devices, () => {
      if (this.active) deps.onChange();
    });
    this.#admin = new AdminServer({
      config,
      devices,
      store,
      cardCentre: deps.cardCentre,
      dataDir: deps.dataDir,
      logger,
      residentAtRest: deps.residentAtRest,
    });
  }

  get active(): boolean {
    return !this.#actor.getSnapshot().matches('closed');
  }

  async start(): Promise<void> {
    const { devices, logger, config } = this.#deps;
    this.#actor.subscribe({
      next: () => this.#deps.onChange(),
      error: (error) =>
        logger.fatal(
          { event: 'modes.crashed', err: String(error) },
          'staff and technician modes crashed',
        ),
    });
    this.#actor.start();
    devices.staffCard.revocations.start({
      centre: this.#deps.cardCentre,
      dataDir: this.#deps.dataDir,
      refreshMs: config.staff.revocationRefreshSeconds * 1000,
      logger,
    });
    this.#watch.start();
    const reader = devices.staffCard.reader;
    this.#offReader = reader.onStatus((status) => this.#onReader(status));
    this.#onReader(reader.readerStatus());
    await this.#admin.start();
  }

  async stop(): Promise<void> {
    await this.#admin.stop();
    this.#offReader?.();
    this.#watch.stop();
    this.#deps.devices.staffCard.revocations.stop();
    this.#actor.stop();
  }

  /** A user event while a mode is open (or a mode's event arriving late): the modes take it. */
  receive(event: UserEvent): void {
    if (!this.active) return;
    switch (event.type) {
      case 'START':
      case 'CONFIRM':
      case 'CANCEL':
      case 'RETRY':
      case 'PHOTO':
        // The resident's buttons are not on a mode's screens.
        return;
      default:
        this.#actor.send(event as ModeEvent);
    }
  }

  simulate(action: ModeSimAction): void {
    const { devices, logger } = this.#deps;
    const cards = devices.staffCard.simulatedCards;
    const sims = devices.simulators;
    switch (action.action) {
      case 'placeStaffCard':
        if (!cards)
          return void logger.warn(
            { event: 'sim.refused', action: action.action },
            'the staff card reader is real',
          );
        cards.place(action.kind);
        return;
      case 'removeStaffCard':
        cards?.remove();
        return;
      case 'scanBoxLabel': {
        if (!sims.qrScanner)
          return void logger.warn(
            { event: 'sim.refused', action: action.action },
            'the scanner is real',
          );
        const n = ++this.#boxes;
        const first = serialPlus('SC10000001', (n - 1) * SIM_BOX_CARDS);
        const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
        sims.qrScanner.scan(
          formatBoxLabel({
            batch: `SIM${day}-${String(n).padStart(3, '0')}`,
            serialFirst: first,
            serialLast: serialPlus(first, SIM_BOX_CARDS - 1),
            count: SIM_BOX_CARDS,
          }),
          'code128',
        );
        return;
      }
      case 'deviceFault':
        if (action.device === 'chip-encoder') {
          // A spoiled blank is used up by the next card: not a lasting fault to list or clear.
          if (!sims.chipEncoder) return;
          sims.chipEncoder.failNext++;
          logger.info({ event: 'sim.fault', device: action.device, fault: action.fault }, 'simulated spoiled blank queued');
          return;
        }
        if (action.device === 'card-printer') {
          if (!sims.cardPrinter) return;
          sims.cardPrinter.injectFault(action.fault as CardPrinterFault);
        } else {
          if (!sims.receiptPrinter) return;
          sims.receiptPrinter.fault = action.fault as ReceiptPrinterFault;
          for (const f of [...this.#faults])
            if (f.startsWith('receipt-printer:')) this.#faults.delete(f);
        }
        this.#faults.add(`${action.device}:${action.fault}`);
        logger.info(
          { event: 'sim.fault', device: action.device, fault: action.fault },
          'simulated device fault set',
        );
        return;
      case 'clearFaults':
        sims.cardPrinter?.injectFault(null);
        if (sims.receiptPrinter) sims.receiptPrinter.fault = null;
        if (sims.chipEncoder) sims.chipEncoder.failNext = 0;
        this.#faults.clear();
        return;
    }
  }

  /** The resident flow's view, or the mode's screen over it; the simulator strip's extras either way. */
  view(base: ViewModel): ViewModel {
    let view = base;
    if (base.simulation) {
      view = {
        ...view,
        simulation: {
          ...base.simulation,
          staffCard: this.#deps.devices.staffCard.simulatedCards?.inserted ?? null,
          faults: [...this.#faults],
        },
      };
    }
    const snapshot = this.#actor.getSnapshot();
    const screen = screenOf(snapshot);
    if (!screen) {
      this.#lang = base.lang;
      return view;
    }
    const context = snapshot.context;
    const waits =
      (screen === 'modePin' || screen.startsWith('staff') || screen.startsWith('technician')) &&
      !context.busy;
    return {
      ...view,
      screen,
      lang: context.lang,
      step: null,
      idle: waits
        ? {
            warnAt: context.activeSince + this.#idleMs - this.#warnMs,
            deadlineAt: context.activeSince + this.#idleMs,
          }
        : null,
      resident: null,
      fee: null,
      production: null,
      verifying: null,
      payment: null,
      failure: null,
      receipt: null,
      mode: this.#modeView(screen, snapshot),
    };
  }

  #modeView(screen: ScreenId, snapshot: Snapshot): ModeView {
    const context = snapshot.context;
    const staffScreen = screen.startsWith('staff');
    return {
      role: context.identity?.role ?? null,
      staffId: context.identity?.staffId ?? null,
      busy: context.busy,
      pin: screen === 'modePin' ? { triesLeft: context.triesLeft, wrong: context.wrongPin } : null,
      refusal: screen === 'modeRefused' ? context.refusal : null,
      result: context.result,
      stock: staffScreen ? this.#desk.figures() : null,
      load: screen === 'staffLoad' ? { draft: context.boxLabel, scans: context.boxScans } : null,
      // Home says how many things wait for a person; the page lists them.
      todo: screen === 'staffHome' || screen === 'staffTodo' ? this.#todo.view() : null,
      // Asked why while the question is on screen (and while its answer is written).
      count:
        snapshot.matches({ staff: { page: { count: 'why' } } }) ||
        snapshot.matches({ staff: { page: { count: 'correcting' } } })
          ? context.hopperCount
          : null,
      ribbonStep: screen === 'staffConsumables' ? context.ribbonStep : null,
      devices: screen === 'technicianHome' ? this.#watch.view() : null,
      tests:
        screen === 'technicianTests'
          ? selfTestIds.map((id) => {
              const result = context.selfTests[id];
              return {
                id,
                state:
                  context.runningTest === id
                    ? 'running'
                    : result
                      ? result.pass
                        ? 'pass'
                        : 'fail'
                      : 'notRun',
                code: context.runningTest === id ? null : (result?.code ?? null),
                params: context.runningTest === id ? {} : (result?.params ?? {}),
                at: result?.at ?? null,
              };
            })
          : null,
      apdu:
        screen === 'technicianApdu'
          ? {
              readers: consoleReaders(this.#deps.devices.staffCard.reader.manager),
              exchanges: context.exchanges,
            }
          : null,
    };
  }

  #onReader(status: ReaderStatus): void {
    const present = status.state === 'ready' || status.state === 'card_error';
    const insertion = status.state === 'ready' ? status.card.insertion : null;
    const another =
      present &&
      this.#cardPresent &&
      insertion !== null &&
      this.#insertion !== null &&
      insertion !== this.#insertion;
    if (another || (!present && this.#cardPresent)) {
      this.#cardPresent = false;
      this.#actor.send({ type: 'CARD_REMOVED' });
    }
    if (present && !this.#cardPresent) {
      this.#cardPresent = true;
      this.#insertion = insertion;
      this.#actor.send({
        type: 'CARD_INSERTED',
        residentAtRest: this.#deps.residentAtRest(),
        lang: this.#lang,
      });
    } else if (present && insertion !== null) this.#insertion = insertion;
    this.#deps.onChange();
  }
}
