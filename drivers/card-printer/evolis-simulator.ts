/**
 * A card printer that speaks the Evolis protocol on a byte line: in-process over a memory cable,
 * or on a pseudo-terminal that the real driver opens with `serialport`. It keeps the state a
 * kiosk's accounting is checked against — blanks in the feeder, ribbon left, cover, reject box,
 * where the card is — renders what it printed to PNG, and takes injected faults: the printer's
 * own (jam, cover open, ribbon out…) and the line's (silence, garbage, half replies, slowness).
 *
 * Reply words are those of evolis-protocol.ts (several are L): the driver and the simulator share
 * one table, and golden vectors written from the guide keep both honest (test/serial/…).
 */
import { levelBits, type CardFacePanels, type DyeBits } from './card-panels.ts';
import { encodePng, renderCardFace } from './card-face-png.ts';
import { EvolisCommandDecoder, type DecodedCommand, type EvolisCommand } from './evolis-command.ts';
import {
  CARD_POSITION_ANSWERS,
  COUNTER,
  EVOLIS_COMMANDS as C,
  FEEDER_QUERY,
  HOST_MANAGES_ERRORS,
  LAST_REPLY,
  SENSOR,
  SENSOR_ANSWERS,
  type CardPosition,
  type EvolisErrorText,
  type PanelLevel,
  type PanelName,
  type RibbonType,
} from './evolis-protocol.ts';
import { encodeEvolisReply, errorReply, type EvolisReply } from './evolis-reply.ts';
import type { DevicePort } from '../serial/byte-line.ts';
import { SimUart, type UartOptions } from '../serial/sim-uart.ts';
import { parseSimFault } from '../serial/sim-fault.ts';

export type EvolisSimFault =
  /** The next move jams: the card stays stuck inside until a technician clears it. */
  | 'jam'
  | 'coverOpen'
  | 'ribbonOut'
  /** A black-only ribbon where the kiosk needs KO or YMCKO. */
  | 'wrongRibbon'
  | 'feederEmpty'
  | 'rejectBoxFull'
  | 'cleaningDue'
  /** Hung firmware: takes bytes, does nothing, answers nothing. */
  | 'silence'
  /** Line noise: a burst now, and noise before every reply. */
  | 'garbage'
  /** Every reply cut in half, without its CR (the printer resets mid-answer). */
  | 'half-frame'
  /** Every reply comes late (`slowReplyDelayMs`). */
  | 'slow';

export const EVOLIS_SIM_FAULTS: readonly EvolisSimFault[] = [
  'jam',
  'coverOpen',
  'ribbonOut',
  'wrongRibbon',
  'feederEmpty',
  'rejectBoxFull',
  'cleaningDue',
  'silence',
  'garbage',
  'half-frame',
  'slow',
];

/** `jam`, `slow:1500` (milliseconds) … as typed on the command line. */
export function parseEvolisSimFault(text: string): { fault: EvolisSimFault; delayMs?: number } {
  return parseSimFault(text, EVOLIS_SIM_FAULTS);
}

/**
 * The printer's serial line as simulated: RTS/CTS flow control (a panel is 82 KB; the printer
 * holds the host back rather than lose bytes) and a 4 KB receive buffer. In-process the pace is
 * unlimited; `mashang sim-serial` can give it a real baud rate.
 */
export const EVOLIS_SIM_UART: UartOptions = {
  baudRate: Infinity,
  rxBufferBytes: 4096,
  flowControl: 'rts-cts',
};

export interface EvolisSimulatorOptions {
  blanks?: number;
  rejectBoxCapacity?: number;
  ribbon?: RibbonType;
  ribbonPanels?: number;
  /** Milliseconds per mechanical move (insert, eject); 0 answers at once. */
  moveMs?: number;
  /** Milliseconds to print a side; default twice `moveMs`. */
  printMs?: number;
  /** The simulated line (pace, receive buffer, flow control). */
  uart?: UartOptions;
  /** Replies end with CR (true) or with nothing but silence (false): the guide documents neither. */
  terminateReplies?: boolean;
  /** Under the `slow` fault: how late each reply comes. */
  slowReplyDelayMs?: number;
  identity?: { model: string; serialNumber: string; firmware: string };
  /** Seed for the garbage fault's noise, so a failing test replays the same bytes. */
  seed?: number;
  /**
   * A command left unfinished this long (a host that died in the middle of a panel download) is
   * dropped, as a printer's own parser does: otherwise the next host's commands would be taken for
   * the rest of the bitmap. Keep it below the driver's read timeout (1.5 s), so the next host's
   * retried read finds the parser clean. Default: never (a host stalled that long loses nothing).
   */
  commandTimeoutMs?: number;
}

type Position = 'none' | 'contactStation' | 'printHead' | 'exit' | 'jammed';

export interface EvolisSimState {
  blanks: number;
  position: Position;
  ribbon: RibbonType;
  ribbonRemaining: number;
  coverOpen: boolean;
  rejectBox: number;
  rejectBoxCapacity: number;
  printed: number;
  fed: number;
  rejected: number;
  /** Jammed cards a technician took out by hand (spoiled, not in the reject box). */
  removedByHand: number;
  latchedError: EvolisErrorText | null;
  hostManagesErrors: boolean;
  faults: EvolisSimFault[];
  /** Commands dropped because the printer's command queue was full. */
  overruns: number;
  /** Unfinished commands dropped after `commandTimeoutMs` of silence (a host that died mid-command). */
  partialDropped: number;
}

/** Commands the printer holds while busy with a move; more is an overrun (a host ignoring replies). */
const MAX_QUEUED_COMMANDS = 16;
const GARBAGE_BURST_BYTES = 24;
const RECENT_COMMANDS = 200;

export class EvolisSimulator {
  readonly #o: Required<Omit<EvolisSimulatorOptions, 'printMs'>> & { printMs: number };
  #blanks: number;
  #position: Position = 'none';
  #ribbon: RibbonType;
  #ribbonRemaining: number;
  #rejectBox = 0;
  #printed = 0;
  #fed = 0;
  #rejected = 0;
  #removedByHand = 0;
  #latched: EvolisErrorText | null = null;
  #hostManagesErrors = false;
  #overruns = 0;
  readonly #faults = new Set<EvolisSimFault>();
  #downloaded = new Map<PanelName, { level: PanelLevel; data: Uint8Array }>();
  #lastPrinted: CardFacePanels | null = null;
  #port: DevicePort | null = null;
  #uart: SimUart | null = null;
  #decoder = new EvolisCommandDecoder();
  readonly #queue: DecodedCommand[] = [];
  #working = false;
  #random: () => number;
  #slowDelayMs: number;
  readonly #listeners = new Set<() => void>();
  readonly #recent: string[] = [];
  #partialTimer: NodeJS.Timeout | null = null;
  #partialDropped = 0;

  constructor(options: EvolisSimulatorOptions = {}) {
    const moveMs = options.moveMs ?? 300;
    this.#o = {
      blanks: options.blanks ?? 100,
      rejectBoxCapacity: options.rejectBoxCapacity ?? 50,
      ribbon: options.ribbon ?? 'KO',
      ribbonPanels: options.ribbonPanels ?? 500,
      moveMs,
      printMs: options.printMs ?? moveMs * 2,
      uart: options.uart ?? EVOLIS_SIM_UART,
      terminateReplies: options.terminateReplies ?? true,
      slowReplyDelayMs: options.slowReplyDelayMs ?? 2_500,
      identity: options.identity ?? {
        model: 'Evolis KC200 (Mashang simulator)',
        serialNumber: 'SIM0000001',
        firmware: '1.0.0-sim',
      },
      seed: options.seed ?? 0x5eed,
      commandTimeoutMs: options.commandTimeoutMs ?? Infinity,
    };
    this.#blanks = this.#o.blanks;
    this.#ribbon = this.#o.ribbon;
    this.#ribbonRemaining = this.#o.ribbonPanels;
    this.#random = mulberry32(this.#o.seed);
    this.#slowDelayMs = this.#o.slowReplyDelayMs;
  }

  // — the line —

  /** A host connected (plugged in): the printer talks on this port from now on. */
  attach(port: DevicePort): void {
    this.detach();
    this.#port = port;
    this.#decoder = new EvolisCommandDecoder();
    const uart = new SimUart(port, this.#o.uart, (bytes) => {
      if (this.#uart === uart) this.#receive(bytes);
    });
    this.#uart = uart;
    port.onClose(() => {
      if (this.#port === port) this.detach();
    });
  }

  /** Unplugged: whatever was on its way is lost; the printer's own state stays. */
  detach(): void {
    this.#uart?.reset();
    this.#uart = null;
    this.#port = null;
    this.#queue.length = 0;
  }

  // — the world around the printer: faults, staff, the resident —

  injectFault(fault: EvolisSimFault, options: { delayMs?: number } = {}): void {
    this.#faults.add(fault);
    if (fault === 'slow' && options.delayMs !== undefined) this.#slowDelayMs = options.delayMs;
    if (fault === 'garbage') this.#uart?.send(this.#noise());
    this.#changed();
  }

  clearFault(fault: EvolisSimFault): void {
    if (!this.#faults.delete(fault)) return;
    if (fault === 'jam' && this.#position === 'jammed') {
      // The technician opens the printer and takes the stuck card out: spoiled, by hand.
      this.#position = 'none';
      this.#removedByHand++;
    }
    if (fault === 'ribbonOut') this.#ribbonRemaining = this.#o.ribbonPanels;
    this.#changed();
  }

  clearAllFaults(): void {
    for (const fault of [...this.#faults]) this.clearFault(fault);
  }

  faults(): EvolisSimFault[] {
    return [...this.#faults];
  }

  /** The resident takes the card from the exit. */
  takeCard(): boolean {
    if (this.#position !== 'exit') return false;
    this.#position = 'none';
    this.#changed();
    return true;
  }

  loadBlanks(count: number): void {
    this.#blanks += count;
    this.#changed();
  }

  emptyRejectBox(): number {
    const emptied = this.#rejectBox;
    this.#rejectBox = 0;
    this.#changed();
    return emptied;
  }

  cardAtContactStation(): boolean {
    return this.#position === 'contactStation';
  }

  cardAtExit(): boolean {
    return this.#position === 'exit';
  }

  state(): EvolisSimState {
    return {
      blanks: this.#blanks,
      position: this.#position,
      ribbon: this.#ribbonType(),
      ribbonRemaining: this.#ribbonLeft(),
      coverOpen: this.#faults.has('coverOpen'),
      rejectBox: this.#rejectBox,
      rejectBoxCapacity: this.#o.rejectBoxCapacity,
      printed: this.#printed,
      fed: this.#fed,
      rejected: this.#rejected,
      removedByHand: this.#removedByHand,
      latchedError: this.#latched,
      hostManagesErrors: this.#hostManagesErrors,
      faults: this.faults(),
      overruns: this.#overruns,
      partialDropped: this.#partialDropped,
    };
  }

  /** The panels of the last card printed (its face as the printer received it). */
  get lastPrinted(): CardFacePanels | null {
    return this.#lastPrinted;
  }

  lastCardPng(): Buffer | null {
    return this.#lastPrinted ? encodePng(renderCardFace(this.#lastPrinted)) : null;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // — the printer's firmware —

  #receive(chunk: Uint8Array): void {
    // Hung firmware reads nothing into its command parser.
    if (this.#faults.has('silence')) return;
    if (this.#partialTimer) clearTimeout(this.#partialTimer);
    this.#partialTimer = null;
    const decoder = this.#decoder;
    for (const decoded of decoder.push(chunk)) {
      if (this.#queue.length >= MAX_QUEUED_COMMANDS) {
        this.#overruns++;
        continue;
      }
      this.#queue.push(decoded);
    }
    if (decoder.bufferedBytes > 0 && Number.isFinite(this.#o.commandTimeoutMs)) {
      this.#partialTimer = setTimeout(() => {
        this.#partialTimer = null;
        if (this.#decoder !== decoder) return;
        this.#decoder = new EvolisCommandDecoder();
        this.#partialDropped++;
      }, this.#o.commandTimeoutMs);
      this.#partialTimer.unref?.();
    }
    this.#work();
  }

  #work(): void {
    if (this.#working) return;
    this.#working = true;
    const port = this.#port;
    const next = () => {
      if (this.#port !== port) {
        // Unplugged and plugged again while a move ran: start over on the new line.
        this.#working = false;
        if (this.#port) this.#work();
        return;
      }
      const decoded = this.#queue.shift();
      if (!decoded) {
        this.#working = false;
        return;
      }
      const { reply, ms } = this.#execute(decoded);
      const send = () => {
        if (reply && this.#port === port) this.#send(reply);
        next();
      };
      const delay = ms + (this.#faults.has('slow') && reply ? this.#slowDelayMs : 0);
      if (delay > 0) setTimeout(send, delay);
      else send();
    };
    next();
  }

  #send(reply: EvolisReply): void {
    if (this.#faults.has('silence')) return;
    let bytes = encodeEvolisReply(reply, this.#o.terminateReplies);
    if (this.#faults.has('half-frame'))
      bytes = bytes.subarray(
        0,
        Math.max(1, Math.floor((bytes.length - (this.#o.terminateReplies ? 1 : 0)) / 2)),
      );
    if (this.#faults.has('garbage')) {
      const noise = this.#noise();
      const both = new Uint8Array(noise.length + bytes.length);
      both.set(noise);
      both.set(bytes, noise.length);
      bytes = both;
    }
    this.#uart?.send(bytes);
  }

  #noise(): Uint8Array {
    const bytes = new Uint8Array(GARBAGE_BURST_BYTES);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(this.#random() * 256);
    return bytes;
  }

  /** One command: its reply (none for a fragment an ESC cut short) and how long the mechanism takes. */
  #execute(decoded: DecodedCommand): { reply: EvolisReply | null; ms: number } {
    if (decoded.kind === 'invalid') {
      if (decoded.reason === 'interrupted') return { reply: null, ms: 0 };
      return { reply: errorReply(decoded.reason === 'tooLong' ? 'ERR CMD' : 'ERR PARAM'), ms: 0 };
    }
    const result = this.#command(decoded.command);
    this.#changed();
    return result;
  }

  /** The mnemonics of the last commands executed, oldest first (for tests and `mashang sim-serial`). */
  recentCommands(): string[] {
    return [...this.#recent];
  }

  #command(command: EvolisCommand): { reply: EvolisReply; ms: number } {
    this.#recent.push([command.mnemonic, ...command.params].join(';'));
    if (this.#recent.length > RECENT_COMMANDS) this.#recent.shift();
    const value = (text: string) => ({ reply: { kind: 'value', text } as EvolisReply, ms: 0 });
    const ok = (ms = 0) => ({ reply: { kind: 'ok' } as EvolisReply, ms });
    const fail = (text: EvolisErrorText, ms = 0) => ({ reply: errorReply(text), ms });
    const [p1] = command.params;
    switch (command.mnemonic) {
      case C.firmware:
        return value(this.#o.identity.firmware);
      case C.serialNumber:
        return value(this.#o.identity.serialNumber);
      case C.model:
        return value(this.#o.identity.model);
      case C.ribbonType:
        return value(this.#ribbonType());
      case C.ribbonRemaining:
        return value(String(this.#ribbonLeft()));
      case C.counters:
        if (p1 === COUNTER.fed) return value(String(this.#fed));
        if (p1 === COUNTER.printed) return value(String(this.#printed));
        if (p1 === COUNTER.rejected) return value(String(this.#rejected));
        return fail('ERR PARAM');
      case C.sensor:
        if (p1 === SENSOR.cover)
          return value(
            this.#faults.has('coverOpen') ? SENSOR_ANSWERS.active : SENSOR_ANSWERS.inactive,
          );
        if (p1 === SENSOR.cardPresence)
          return value(this.#position === 'none' ? SENSOR_ANSWERS.inactive : SENSOR_ANSWERS.active);
        return fail('ERR PARAM');
      case C.lastReply:
        if (p1 === LAST_REPLY.cardPosition)
          return value(CARD_POSITION_ANSWERS[this.#reportedPosition()]);
        if (p1 === LAST_REPLY.error) {
          const standing = this.#standingError();
          return standing ? fail(standing) : ok();
        }
        return fail('ERR PARAM');
      case C.feeder:
        if (p1 !== FEEDER_QUERY) return fail('ERR PARAM');
        return value(this.#feederEmpty() ? '1' : '0');
      case C.errorManagement:
        if (p1 !== '0' && p1 !== HOST_MANAGES_ERRORS) return fail('ERR PARAM');
        this.#hostManagesErrors = p1 === HOST_MANAGES_ERRORS;
        return ok();
      case C.insertionMode:
        return p1 === undefined ? fail('ERR PARAM') : ok();
      case C.reset:
        return this.#reset();
      case C.startSequence:
      case C.insertToContactStation:
      case C.downloadPanel:
      case C.printFront:
      case C.eject:
      case C.ejectToRejectBox:
        return this.#sequence(command);
      default:
        return fail('ERR CMD');
    }
  }

  #sequence(command: EvolisCommand): { reply: EvolisReply; ms: number } {
    const ok = (ms = 0) => ({ reply: { kind: 'ok' } as EvolisReply, ms });
    const fail = (text: EvolisErrorText, ms = 0) => ({ reply: errorReply(text), ms });
    // With Pem;2 the printer holds a mechanical error until the host resets it.
    if (this.#latched) return fail(this.#latched);
    if (this.#faults.has('coverOpen')) return fail('ERR COVER OPEN');
    const { moveMs, printMs } = this.#o;
    switch (command.mnemonic) {
      case C.startSequence:
        this.#downloaded = new Map();
        return ok();
      case C.downloadPanel: {
        const [panel, level] = command.params as [PanelName, PanelLevel];
        if (!command.data) return fail('ERR PARAM');
        this.#downloaded.set(panel, { level, data: command.data });
        return ok();
      }
      case C.insertToContactStation:
        if (this.#faults.has('cleaningDue')) return fail('ERR NEED CLEANING');
        if (this.#position !== 'none') return fail('ERR CARD INSIDE');
        if (this.#feederEmpty()) return fail('ERR FEEDER EMPTY');
        this.#blanks--;
        this.#fed++;
        if (this.#faults.has('jam')) return this.#jam(moveMs);
        this.#position = 'contactStation';
        return ok(moveMs);
      case C.printFront: {
        if (this.#faults.has('cleaningDue')) return fail('ERR NEED CLEANING');
        if (this.#position !== 'contactStation' && this.#position !== 'printHead')
          return fail('ERR NO CARD');
        if (this.#ribbonLeft() === 0) return fail('ERR RIBBON');
        const panels = this.#panelsForPrint();
        if (!panels) return fail('ERR PARAM');
        if (!this.#ribbonCarries(panels)) return fail('ERR RIBBON TYPE');
        if (this.#faults.has('jam')) return this.#jam(printMs);
        this.#position = 'printHead';
        this.#ribbonRemaining--;
        this.#printed++;
        this.#lastPrinted = panels;
        return ok(printMs);
      }
      case C.eject:
        if (this.#position === 'none') return fail('ERR NO CARD');
        if (this.#position === 'exit') return fail('ERR CARD INSIDE');
        if (this.#faults.has('jam')) return this.#jam(moveMs);
        this.#position = 'exit';
        return ok(moveMs);
      case C.ejectToRejectBox:
        if (this.#position === 'none') return fail('ERR NO CARD');
        if (this.#rejectBoxFull()) return fail('ERR REJECT BOX FULL');
        if (this.#faults.has('jam')) return this.#jam(moveMs);
        this.#position = 'none';
        this.#rejectBox++;
        this.#rejected++;
        return ok(moveMs);
      default:
        return fail('ERR CMD');
    }
  }

  #jam(ms: number): { reply: EvolisReply; ms: number } {
    this.#position = 'jammed';
    if (this.#hostManagesErrors) this.#latched = 'ERR MECHANICAL';
    return { reply: errorReply('ERR MECHANICAL'), ms };
  }

  #reset(): { reply: EvolisReply; ms: number } {
    this.#downloaded = new Map();
    if (this.#faults.has('jam') && this.#position === 'jammed')
      return { reply: errorReply('ERR MECHANICAL'), ms: this.#o.moveMs };
    this.#latched = null;
    return { reply: { kind: 'ok' }, ms: this.#o.moveMs };
  }

  /** What `Rlr;r` reports: the latched error, else a standing condition that stops production. */
  #standingError(): EvolisErrorText | null {
    if (this.#latched) return this.#latched;
    if (this.#faults.has('jam') && this.#position === 'jammed') return 'ERR MECHANICAL';
    if (this.#faults.has('cleaningDue')) return 'ERR NEED CLEANING';
    if (this.#rejectBoxFull()) return 'ERR REJECT BOX FULL';
    return null;
  }

  #reportedPosition(): CardPosition {
    if (this.#position === 'none') return 'none';
    if (this.#position === 'exit') return 'exit';
    return 'inside';
  }

  #feederEmpty(): boolean {
    return this.#blanks <= 0 || this.#faults.has('feederEmpty');
  }

  #rejectBoxFull(): boolean {
    return this.#rejectBox >= this.#o.rejectBoxCapacity || this.#faults.has('rejectBoxFull');
  }

  #ribbonType(): RibbonType {
    return this.#faults.has('wrongRibbon') ? 'K' : this.#ribbon;
  }

  #ribbonLeft(): number {
    return this.#faults.has('ribbonOut') ? 0 : this.#ribbonRemaining;
  }

  #ribbonCarries(panels: CardFacePanels): boolean {
    const ribbon = this.#ribbonType();
    if (panels.colour && !ribbon.startsWith('YMC')) return false;
    if (panels.o && !ribbon.includes('O')) return false;
    return ribbon !== 'NONE';
  }

  /** The downloaded panels as one card side; null without a k panel or with a partial dye set. */
  #panelsForPrint(): CardFacePanels | null {
    const k = this.#downloaded.get('k');
    if (!k) return null;
    const panels: CardFacePanels = { k: k.data };
    const o = this.#downloaded.get('o');
    if (o) panels.o = o.data;
    const [y, m, c] = (['y', 'm', 'c'] as const).map((name) => this.#downloaded.get(name));
    if (y || m || c) {
      if (!y || !m || !c || y.level !== m.level || m.level !== c.level) return null;
      panels.colour = { bits: levelBits(y.level) as DyeBits, y: y.data, m: m.data, c: c.data };
    }
    return panels;
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

/** A small seeded PRNG (mulberry32): reproducible noise. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
