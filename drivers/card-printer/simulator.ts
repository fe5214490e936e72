/**
 * The in-process simulated card printer (`npm start` on any machine, journey tests): the real
 * Evolis driver talking to the protocol simulator over a memory cable. Everything the kiosk does
 * goes through the same bytes as with a printer on /dev/ttyUSB0; what a person does to the
 * printer (take the card, open the cover, clear a jam) goes to the simulator.
 *
 * Counters and `cardAtExit` are the simulator's truth (the interface says so: "simulator: exact").
 */
import type { Result } from '../common/result.ts';
import type { CardFacePanels } from './card-panels.ts';
import type {
  ManagedCardPrinter,
  CardPrinterCounters,
  CardPrinterFault,
  CardPrinterIdentity,
  CardPrinterStatus,
} from './card-printer.ts';
import { EvolisCardPrinter } from './evolis-driver.ts';
import { EvolisSimulator, type EvolisSimFault } from './evolis-simulator.ts';
import type { EvolisTimeouts } from './evolis-timeouts.ts';
import { ReconnectingLine, type DeviceLog } from '../serial/reconnecting-line.ts';
import { MemorySocket } from './line/memory-socket.ts';

export interface SimulatedCardPrinterOptions {
  blanks?: number;
  rejectBoxCapacity?: number;
  /** Milliseconds per mechanical move; 0 in tests. */
  moveMs?: number;
  log?: DeviceLog;
  timeouts?: Partial<EvolisTimeouts>;
}

/** The kiosk's fault names, as the simulator produces them. */
const FAULTS: Partial<Record<CardPrinterFault, EvolisSimFault>> = {
  feederEmpty: 'feederEmpty',
  ribbonOut: 'ribbonOut',
  wrongRibbon: 'wrongRibbon',
  coverOpen: 'coverOpen',
  jam: 'jam',
  rejectBoxFull: 'rejectBoxFull',
  cleaningDue: 'cleaningDue',
  noResponse: 'silence',
  protocolError: 'garbage',
};

export class SimulatedCardPrinter implements ManagedCardPrinter {
  readonly kind = 'card-printer' as const;
  readonly transport = 'simulated';
  readonly simulator: EvolisSimulator;
  readonly driver: EvolisCardPrinter;
  readonly #socket: MemorySocket;

  constructor(options: SimulatedCardPrinterOptions = {}) {
    const moveMs = options.moveMs ?? 300;
    this.simulator = new EvolisSimulator({
      blanks: options.blanks ?? 100,
      rejectBoxCapacity: options.rejectBoxCapacity ?? 50,
      moveMs,
      printMs: moveMs,
    });
    this.#socket = new MemorySocket('card-printer', (port) => this.simulator.attach(port));
    const log = options.log;
    this.driver = new EvolisCardPrinter({
      line: new ReconnectingLine(this.#socket.opener, {
        name: 'card-printer',
        ...(log ? { log } : {}),
        backoff: { initialMs: 100, maxMs: 1_000, factor: 2 },
      }),
      transport: 'simulated',
      ...(log ? { log } : {}),
      baudRate: Infinity,
      // Instant mechanics (tests) look every 20 ms; otherwise the service rate (EVOLIS_TIMEOUTS).
      timeouts: { ...(moveMs === 0 ? { cardTakenPollMs: 20 } : {}), ...options.timeouts },
    });
    this.driver.start();
  }

  status(): CardPrinterStatus {
    return this.driver.status();
  }

  identity(): CardPrinterIdentity | null {
    return this.driver.identity();
  }

  refreshStatus(): Promise<CardPrinterStatus> {
    return this.driver.refreshStatus();
  }

  whenReady(timeoutMs: number): Promise<boolean> {
    return this.driver.whenReady(timeoutMs);
  }

  onStatus(listener: (status: CardPrinterStatus) => void): () => void {
    return this.driver.onStatus(listener);
  }

  counters(): CardPrinterCounters {
    const state = this.simulator.state();
    return {
      blanksInFeeder: state.blanks,
      cardsPrinted: state.printed,
      cardsRejected: state.rejected,
    };
  }

  /** The last card face printed, as the printer received it. */
  get lastPrinted(): CardFacePanels | null {
    return this.simulator.lastPrinted;
  }

  /**
   * Sets (or with null clears every) fault. The driver looks at once, as the kiosk would notice
   * a cover opened under its eyes; `disconnected` pulls the cable, null plugs it back.
   */
  injectFault(fault: CardPrinterFault | null): void {
    if (fault === null) {
      this.simulator.clearAllFaults();
      if (!this.#socket.plugged) this.#socket.replug();
    } else if (fault === 'disconnected') {
      this.#socket.unplug();
      return;
    } else {
      const simFault = FAULTS[fault];
      if (simFault) this.simulator.injectFault(simFault);
    }
    void this.driver.refreshStatus();
  }

  unplug(): void {
    this.#socket.unplug();
  }

  replug(): void {
    this.#socket.replug();
  }

  cardAtContactStation(): boolean {
    return this.simulator.cardAtContactStation();
  }

  cardAtExit(): boolean {
    return this.simulator.cardAtExit();
  }

  /** The resident (or the simulator panel) takes the card from the exit slot. */
  takeCard(): boolean {
    return this.simulator.takeCard();
  }

  feedToContactStation(signal: AbortSignal): Promise<Result<void, CardPrinterFault>> {
    return this.driver.feedToContactStation(signal);
  }

  printFront(panels: CardFacePanels, signal: AbortSignal): Promise<Result<void, CardPrinterFault>> {
    return this.driver.printFront(panels, signal);
  }

  ejectToResident(signal: AbortSignal): Promise<Result<void, CardPrinterFault>> {
    return this.driver.ejectToResident(signal);
  }

  ejectToRejectBin(signal: AbortSignal): Promise<Result<void, CardPrinterFault>> {
    return this.driver.ejectToRejectBin(signal);
  }

  waitForCardTaken(signal: AbortSignal): Promise<void> {
    return this.driver.waitForCardTaken(signal);
  }

  reset(signal: AbortSignal): Promise<Result<void, CardPrinterFault>> {
    return this.driver.reset(signal);
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
