/**
 * The Evolis card printer driver: production moves, status and identity over any byte line
 * (serialport, or the in-process simulator's memory cable).
 *
 * - One operation at a time (an exclusive section around all its exchanges): a status poll never
 *   falls between the bytes of a panel download, nor between a print's `Ss`, `Db`… and `Sr`.
 * - Every reply has a named deadline; a reply that misses it is owed and waited for before the
 *   next command (line/late-replies.ts), so a slow printer never shifts answers by one.
 * - Host-managed errors (`Pem;2`): after a jam the printer waits for us. Once the cause is gone a
 *   software reset (`Srs`) clears it — the poll tries one, so a printer a technician fixed comes
 *   back on its own, and the next operation succeeds.
 * - Reads are retried (bounded); moves never are. A move whose reply is lost is settled by asking
 *   where the card is, never by moving again: a second `Sis` would take a second blank.
 * - Unplugged, it reopens the same port path with backoff and reports each transition once.
 */
import { err, ok, type Result } from '../common/result.ts';
import { abortable } from '../common/device-status.ts';
import { CARD_PRINTER_EVENTS as E } from './card-printer-events.ts';
import { assertPanelSizes, panelDownloads, type CardFacePanels } from './card-panels.ts';
import type {
  ManagedCardPrinter,
  CardPrinterCounters,
  CardPrinterFault,
  CardPrinterIdentity,
  CardPrinterStatus,
  CardPrinterWarning,
} from './card-printer.ts';
import { encodeEvolisCommand, type EvolisCommand } from './evolis-command.ts';
import {
  CARD_POSITION_ANSWERS,
  COUNTER,
  EVOLIS_COMMANDS as C,
  FEEDER_ANSWERS,
  FEEDER_QUERY,
  HOST_MANAGES_ERRORS,
  INSERT_FROM_FEEDER,
  LAST_REPLY,
  RIBBON_TYPES,
  SENSOR,
  SENSOR_ANSWERS,
  type CardPosition,
  type EvolisErrorCode,
  type RibbonType,
} from './evolis-protocol.ts';
import {
  evolisReplyCounter,
  EvolisReplyDecoder,
  type EvolisReply,
  type ParsedReply,
} from './evolis-reply.ts';
import {
  EVOLIS_TIMEOUTS,
  READ_ATTEMPTS,
  transferMs,
  type EvolisTimeouts,
} from './evolis-timeouts.ts';
import { Exclusive } from './line/exclusive.ts';
import { LateReplies } from './line/late-replies.ts';
import { StatusCell } from './line/status-cell.ts';
import { silentLog, type DeviceLog, type ReconnectingLine } from '../serial/reconnecting-line.ts';
import { RequestLink } from '../serial/request-link.ts';

export interface EvolisDriverOptions {
  /** The printer's line, kept open (and reopened after an unplug) by drivers/serial. */
  line: ReconnectingLine;
  /** What `transport` says: `serial:/dev/ttyUSB0`, or `simulated`. */
  transport: string;
  log?: DeviceLog;
  /** The line's speed, to budget a panel download's transfer (Infinity: none). */
  baudRate?: number;
  timeouts?: Partial<EvolisTimeouts>;
  /** Ribbons this kiosk can print its face with; anything else is `wrongRibbon`. */
  acceptedRibbons?: readonly RibbonType[];
  /** Panels left at or under which the status carries `ribbonLow`. */
  ribbonLowPanels?: number;
  /** For `mashang diag`: no parameter writes, no reset, no background poll, no moves. */
  readOnly?: boolean;
  /**
   * Blanks in the feeder by the stock ledger. A printer cannot count its feeder (it only senses
   * empty): the host sets this at start and after each load (`setBlanksLoaded`); until then the
   * count reads 0, and pre-flight refuses to start a production — the safe side.
   */
  blanksLoaded?: number;
}

const DEFAULT_ACCEPTED_RIBBONS: readonly RibbonType[] = ['KO', 'YMCKO', 'YMCKOK'];
const DEFAULT_RIBBON_LOW_PANELS = 25;
const ABORTED = Symbol('aborted');
/** A reply lost once may be noise; lost twice, the printer is not answering. */
const SILENT_ATTEMPTS = 2;

/** Which faults stop which operation before it starts (the printer would refuse it anyway). */
const LINE_FAULTS: CardPrinterFault[] = [
  'coverOpen',
  'jam',
  'noResponse',
  'protocolError',
  'disconnected',
];
const BLOCKS = {
  feed: new Set<CardPrinterFault>([
    ...LINE_FAULTS,
    'feederEmpty',
    'ribbonOut',
    'wrongRibbon',
    'rejectBoxFull',
    'cleaningDue',
  ]),
  print: new Set<CardPrinterFault>([...LINE_FAULTS, 'ribbonOut', 'wrongRibbon', 'cleaningDue']),
  eject: new Set<CardPrinterFault>(LINE_FAULTS),
  reject: new Set<CardPrinterFault>([...LINE_FAULTS, 'rejectBoxFull']),
  reset: new Set<CardPrinterFault>(['disconnected']),
};

/** An exchange's outcome below the level of meaning. */
type Exchange =
  | { kind: 'reply'; reply: EvolisReply }
  | { kind: 'silent' }
  | { kind: 'garbled'; detail: string }
  | { kind: 'gone' };
type Failure = Exclude<CardPrinterFault, 'noCard'>;

interface Conditions {
  lastError: EvolisErrorCode | null;
  coverOpen: boolean;
  feederEmpty: boolean;
  ribbon: RibbonType;
  ribbonRemaining: number;
  position: CardPosition;
}

export class EvolisCardPrinter implements ManagedCardPrinter {
  readonly kind = 'card-printer' as const;
  readonly transport: string;
  readonly line: ReconnectingLine;
  readonly #requests: RequestLink<ParsedReply>;
  readonly #late: LateReplies;
  readonly #exclusive = new Exclusive();
  readonly #log: DeviceLog;
  readonly #t: EvolisTimeouts;
  readonly #baudRate: number;
  readonly #accepted: readonly RibbonType[];
  readonly #ribbonLow: number;
  readonly #readOnly: boolean;
  readonly #status: StatusCell<CardPrinterStatus>;
  #identity: CardPrinterIdentity | null = null;
  #position: CardPosition = 'none';
  #feederEmpty = false;
  #blanksLoaded: number;
  /** The printer's own counters (`Rco`), or ours since start if it has none. */
  #counts = { fed: 0, printed: 0, rejected: 0 };
  #fedAtLoad = 0;
  #countersRead = false;
  #noCounters = false;
  #handshakeDone = false;
  #pollTimer: NodeJS.Timeout | null = null;
  #closed = true;

  constructor(options: EvolisDriverOptions) {
    this.transport = options.transport;
    this.line = options.line;
    this.#log = options.log ?? silentLog;
    this.#t = { ...EVOLIS_TIMEOUTS, ...options.timeouts };
    this.#baudRate = options.baudRate ?? 115_200;
    this.#accepted = options.acceptedRibbons ?? DEFAULT_ACCEPTED_RIBBONS;
    this.#ribbonLow = options.ribbonLowPanels ?? DEFAULT_RIBBON_LOW_PANELS;
    this.#readOnly = options.readOnly ?? false;
    this.#blanksLoaded = options.blanksLoaded ?? 0;
    this.#status = new StatusCell<CardPrinterStatus>(
      { state: 'disconnected' },
      'card-printer',
      this.#log,
      E.status,
    );
    this.#requests = new RequestLink(this.line, new EvolisReplyDecoder(), {
      interByteTimeoutMs: this.#t.interByteSilenceMs,
      quietMs: this.#t.settleQuietMs,
      maxQuietWaitMs: this.#t.settleMaxMs,
    });
    this.#late = new LateReplies(this.line, evolisReplyCounter(), this.#t.interByteSilenceMs);
    this.line.onState((state) => {
      if (state.state === 'open') {
        // A printer that comes (back) on the line is identified and set up before anything else.
        this.#handshakeDone = false;
        void this.#exclusive.run(() => this.#handshake(state.description));
      } else {
        this.#handshakeDone = false;
        this.#status.set({ state: 'disconnected' });
      }
    });
  }

  /** Connects (and keeps reconnecting after an unplug); polls the status while idle. */
  start(): void {
    if (!this.#closed) return;
    this.#closed = false;
    this.line.start();
    if (!this.#readOnly) this.#schedulePoll();
  }

  /** Resolves true once the printer is on the line and its handshake is over (diagnostics, tests). */
  async whenReady(timeoutMs: number): Promise<boolean> {
    if (!(await this.line.whenOpen(timeoutMs))) return false;
    await this.#exclusive.run(async () => {});
    return this.#handshakeDone;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    this.#pollTimer = null;
    await this.line.stop();
    this.#status.set({ state: 'disconnected' });
  }

  status(): CardPrinterStatus {
    return this.#status.get();
  }

  onStatus(listener: (status: CardPrinterStatus) => void): () => void {
    return this.#status.subscribe((status) => listener(status));
  }

  identity(): CardPrinterIdentity | null {
    return this.#identity;
  }

  /**
   * Printed and rejected are the printer's own counters (they survive a kiosk restart, so the stock
   * ledger can compare them at rest); blanks in the feeder are the ledger's count less the cards
   * fed since (0 when the feeder sensor says empty).
   */
  counters(): CardPrinterCounters {
    const estimate = Math.max(0, this.#blanksLoaded - (this.#counts.fed - this.#fedAtLoad));
    return {
      blanksInFeeder: this.#feederEmpty ? 0 : estimate,
      cardsPrinted: this.#counts.printed,
      cardsRejected: this.#counts.rejected,
    };
  }

  /** The stock ledger's count of blanks in the feeder, now (at start, after staff load blanks). */
  setBlanksLoaded(count: number): void {
    this.#blanksLoaded = count;
    this.#fedAtLoad = this.#counts.fed;
  }

  cardAtExit(): boolean {
    return this.#position === 'exit';
  }

  /** Asks the printer for its status now (between operations, never inside one). */
  async refreshStatus(): Promise<CardPrinterStatus> {
    if (this.line.state.state === 'open') await this.#exclusive.run(() => this.#poll());
    return this.status();
  }

  feedToContactStation(signal: AbortSignal): Promise<Result<void, CardPrinterFault>> {
    return this.#operation('feed', signal, BLOCKS.feed, async () => {
      if (!(await this.#cardIs('none'))) return err('cardInside');
      const reply = await this.#move(
        { mnemonic: C.insertToContactStation, params: [] },
        this.#t.moveReplyMs,
      );
      const settled = await this.#settleMove(reply, (p) => p === 'inside');
      if (settled.ok) {
        this.#counts.fed++;
        this.#position = 'inside';
      }
      return settled;
    });
  }

  printFront(panels: CardFacePanels, signal: AbortSignal): Promise<Result<void, CardPrinterFault>> {
    assertPanelSizes(panels);
    return this.#operation('print', signal, BLOCKS.print, async () => {
      if (!(await this.#cardIs('inside'))) return err('noCard');
      const ribbon = await this.#read({ mnemonic: C.ribbonType, params: [] }, ribbonAnswer);
      if (!ribbon.ok) return ribbon;
      if (ribbon.value === 'NONE') return err('ribbonOut');
      if (
        !this.#accepted.includes(ribbon.value) ||
        (panels.colour && !ribbon.value.startsWith('YMC'))
      )
        return err('wrongRibbon');
      const begin = await this.#move(
        { mnemonic: C.startSequence, params: [] },
        this.#t.readReplyMs,
      );
      if (begin.kind !== 'reply' || begin.reply.kind !== 'ok') return moveFailure(begin);
      for (const { panel, level, data } of panelDownloads(panels)) {
        const bytes = encodeEvolisCommand({
          mnemonic: C.downloadPanel,
          params: [panel, level],
          data,
        });
        const budget =
          this.#t.downloadReplyMs +
          (Number.isFinite(this.#baudRate)
            ? transferMs(bytes.length, this.#baudRate) * this.#t.writeMargin
            : 0);
        const downloaded = await this.#exchange(bytes, budget);
        if (downloaded.kind !== 'reply' || downloaded.reply.kind !== 'ok')
          return moveFailure(downloaded);
      }
      const printed = await this.#move(
        { mnemonic: C.printFront, params: [] },
        this.#t.printReplyMs,
      );
      // A print whose reply was lost is not repeated: the card may be printed; the flow rejects it.
      if (printed.kind !== 'reply' || printed.reply.kind !== 'ok') return moveFailure(printed);
      this.#counts.printed++;
      return ok(undefined);
    });
  }

  ejectToResident(signal: AbortSignal): Promise<Result<void, CardPrinterFault>> {
    return this.#operation('eject', signal, BLOCKS.eject, async () => {
      if (!(await this.#cardIs('inside'))) return err('noCard');
      const reply = await this.#move({ mnemonic: C.eject, params: [] }, this.#t.moveReplyMs);
      const settled = await this.#settleMove(reply, (p) => p === 'exit');
      if (settled.ok) this.#position = 'exit';
      return settled;
    });
  }

  ejectToRejectBin(signal: AbortSignal): Promise<Result<void, CardPrinterFault>> {
    return this.#operation('reject', signal, BLOCKS.reject, async () => {
      const reply = await this.#move(
        { mnemonic: C.ejectToRejectBox, params: [] },
        this.#t.moveReplyMs,
      );
      const settled = await this.#settleMove(reply, (p) => p === 'none');
      if (settled.ok) {
        this.#counts.rejected++;
        this.#position = 'none';
      }
      return settled;
    });
  }

  reset(signal: AbortSignal): Promise<Result<void, CardPrinterFault>> {
    return this.#operation('reset', signal, BLOCKS.reset, async () => {
      const reply = await this.#move({ mnemonic: C.reset, params: [] }, this.#t.moveReplyMs);
      if (reply.kind !== 'reply' || reply.reply.kind !== 'ok') return moveFailure(reply);
      await this.#poll();
      return ok(undefined);
    });
  }

  waitForCardTaken(signal: AbortSignal): Promise<void> {
    return abortable(signal, (resolve) => {
      let timer: NodeJS.Timeout | null = null;
      let stopped = false;
      const look = async () => {
        timer = null;
        if (stopped) return;
        if (this.line.state.state === 'open') {
          await this.#exclusive.run(async () => {
            const position = await this.#read(
              { mnemonic: C.lastReply, params: [LAST_REPLY.cardPosition] },
              positionAnswer,
            );
            if (position.ok) this.#position = position.value;
          });
        }
        if (stopped) return;
        if (this.#position !== 'exit') {
          stopped = true;
          resolve();
          return;
        }
        timer = setTimeout(() => void look(), this.#t.cardTakenPollMs);
      };
      if (this.#position !== 'exit') resolve();
      else timer = setTimeout(() => void look(), this.#t.cardTakenPollMs);
      return () => {
        stopped = true;
        if (timer) clearTimeout(timer);
      };
    });
  }

  // — inside the exclusive section —

  async #handshake(description?: string): Promise<boolean> {
    const model = await this.#read({ mnemonic: C.model, params: [] }, textAnswer);
    if (!model.ok) return this.#fail(model.error, 'no answer to the identity read');
    const serialNumber = await this.#read({ mnemonic: C.serialNumber, params: [] }, textAnswer);
    if (!serialNumber.ok) return this.#fail(serialNumber.error, 'serial number read failed');
    const firmware = await this.#read({ mnemonic: C.firmware, params: [] }, textAnswer);
    if (!firmware.ok) return this.#fail(firmware.error, 'firmware version read failed');
    const identity = {
      model: model.value,
      serialNumber: serialNumber.value,
      firmware: firmware.value,
    };
    if (this.#identity && this.#identity.serialNumber !== identity.serialNumber) {
      this.#log.warn(
        { event: E.identityChanged, from: this.#identity, to: identity },
        'a different card printer is on the port',
      );
    }
    this.#identity = identity;
    if (!this.#readOnly) {
      for (const command of [
        { mnemonic: C.errorManagement, params: [HOST_MANAGES_ERRORS] },
        { mnemonic: C.insertionMode, params: [INSERT_FROM_FEEDER] },
      ]) {
        const set = await this.#read(command, okAnswer);
        if (!set.ok) return this.#fail(set.error, `setting ${command.mnemonic} failed`);
      }
    }
    this.#handshakeDone = true;
    this.#log.info(
      { event: E.identified, ...identity, line: description },
      'card printer identified',
    );
    await this.#poll();
    return true;
  }

  #fail(fault: Failure, detail: string): false {
    this.#status.set(
      fault === 'disconnected'
        ? { state: 'disconnected' }
        : { state: 'fault', code: fault, detail },
    );
    return false;
  }

  async #poll(): Promise<void> {
    if (this.line.state.state !== 'open') return;
    if (!this.#handshakeDone) {
      await this.#handshake();
      return;
    }
    let conditions = await this.#conditions();
    if (!conditions.ok) {
      this.#fail(conditions.error, 'status read failed');
      return;
    }
    // Pem;2: a mechanical error stays latched until we reset. Try once per poll: if the cause is
    // gone (a technician cleared the jam) the printer is ready again; if not, it answers the error.
    if (conditions.value.lastError === 'jam' && !this.#readOnly) {
      const reset = await this.#move({ mnemonic: C.reset, params: [] }, this.#t.moveReplyMs);
      if (reset.kind === 'reply' && reset.reply.kind === 'ok') {
        this.#log.info(
          { event: E.reset, reason: 'latched jam' },
          'latched error cleared by software reset',
        );
        conditions = await this.#conditions();
        if (!conditions.ok) {
          this.#fail(conditions.error, 'status read failed');
          return;
        }
      }
    }
    this.#status.set(this.#statusFrom(conditions.value));
  }

  async #conditions(): Promise<Result<Conditions, Failure>> {
    const lastError = await this.#read(
      { mnemonic: C.lastReply, params: [LAST_REPLY.error] },
      lastErrorAnswer,
    );
    if (!lastError.ok) return lastError;
    const cover = await this.#read({ mnemonic: C.sensor, params: [SENSOR.cover] }, sensorAnswer);
    if (!cover.ok) return cover;
    const feeder = await this.#read({ mnemonic: C.feeder, params: [FEEDER_QUERY] }, feederAnswer);
    if (!feeder.ok) return feeder;
    const ribbon = await this.#read({ mnemonic: C.ribbonType, params: [] }, ribbonAnswer);
    if (!ribbon.ok) return ribbon;
    const remaining = await this.#read({ mnemonic: C.ribbonRemaining, params: [] }, countAnswer);
    if (!remaining.ok) return remaining;
    const position = await this.#read(
      { mnemonic: C.lastReply, params: [LAST_REPLY.cardPosition] },
      positionAnswer,
    );
    if (!position.ok) return position;
    await this.#readCounters();
    this.#feederEmpty = feeder.value;
    this.#position = position.value;
    return ok({
      lastError: lastError.value,
      coverOpen: cover.value,
      feederEmpty: feeder.value,
      ribbon: ribbon.value,
      ribbonRemaining: remaining.value,
      position: position.value,
    });
  }

  /** `Rco`: the printer's counters. A printer without them keeps ours (counted since start). */
  async #readCounters(): Promise<void> {
    if (this.#noCounters) return;
    const read = async (which: string) => {
      const reply = await this.#read({ mnemonic: C.counters, params: [which] }, (r) =>
        r.kind === 'error' ? -1 : countAnswer(r),
      );
      return reply.ok ? reply.value : null;
    };
    const fed = await read(COUNTER.fed);
    if (fed === -1) {
      this.#noCounters = true;
      this.#log.info(
        { event: E.noCounters },
        'the printer keeps no card counters: counting since start',
      );
      return;
    }
    const printed = await read(COUNTER.printed);
    const rejected = await read(COUNTER.rejected);
    if (fed === null || printed === null || rejected === null || printed < 0 || rejected < 0)
      return;
    if (!this.#countersRead) this.#fedAtLoad += fed - this.#counts.fed;
    this.#countersRead = true;
    this.#counts = { fed, printed, rejected };
  }

  #statusFrom(c: Conditions): CardPrinterStatus {
    const fault = (
      code: Exclude<CardPrinterFault, 'disconnected'>,
      detail: string,
    ): CardPrinterStatus => ({ state: 'fault', code, detail });
    if (c.coverOpen) return fault('coverOpen', 'the printer cover is open');
    if (c.lastError === 'jam')
      return fault('jam', 'mechanical error: a card is stuck (latched until reset)');
    if (c.ribbon === 'NONE' || c.ribbonRemaining === 0) return fault('ribbonOut', 'no ribbon left');
    if (!this.#accepted.includes(c.ribbon))
      return fault('wrongRibbon', `ribbon ${c.ribbon} cannot print this card`);
    if (c.feederEmpty) return fault('feederEmpty', 'no blanks in the feeder');
    if (c.lastError === 'rejectBoxFull') return fault('rejectBoxFull', 'the reject box is full');
    if (c.lastError === 'cleaningDue') return fault('cleaningDue', 'the printer needs cleaning');
    const warnings: CardPrinterWarning[] = [];
    if (c.ribbonRemaining <= this.#ribbonLow) warnings.push('ribbonLow');
    if (c.position === 'exit') warnings.push('cardAtExit');
    return { state: 'ready', warnings };
  }

  /** A production operation: alone on the line, after recovery from a fault if there was one. */
  async #operation(
    name: string,
    signal: AbortSignal,
    blockers: ReadonlySet<CardPrinterFault>,
    body: () => Promise<Result<void, CardPrinterFault>>,
  ): Promise<Result<void, CardPrinterFault>> {
    signal.throwIfAborted();
    if (this.#readOnly) throw new Error('this card printer was opened read-only (diagnostics)');
    const started = performance.now();
    this.#log.info({ event: E.operation, op: name, phase: 'init' }, `card printer: ${name}`);
    const result = await this.#exclusive.run(
      async (): Promise<Result<void, CardPrinterFault> | typeof ABORTED> => {
        // Aborting means "do not start"; once a move started it finishes (a card half-fed is worse).
        if (signal.aborted) return ABORTED;
        if (this.line.state.state !== 'open') return err('disconnected');
        if (this.status().state !== 'ready' || !this.#handshakeDone) {
          // The last thing we knew was a fault: look again (and reset a latched error whose cause is gone).
          await this.#poll();
          const now = this.status();
          if (now.state === 'disconnected') return err('disconnected');
          if (now.state === 'fault' && blockers.has(now.code)) return err(now.code);
        }
        const outcome = await body();
        if (!outcome.ok) await this.#afterFailure(outcome.error);
        return outcome;
      },
    );
    if (result === ABORTED) signal.throwIfAborted();
    const final: Result<void, CardPrinterFault> = result === ABORTED ? err('disconnected') : result;
    const fields = {
      event: E.operation,
      op: name,
      phase: 'complete',
      disposition: final.ok ? 'success' : final.error,
      ms: Math.round(performance.now() - started),
    };
    if (final.ok) this.#log.info(fields, `card printer: ${name} done`);
    else this.#log.warn(fields, `card printer: ${name} failed (${final.error})`);
    return final;
  }

  /** Whether the card is where an operation needs it; asks the printer when our record disagrees. */
  async #cardIs(wanted: CardPosition): Promise<boolean> {
    if (this.#position === wanted) return true;
    const position = await this.#read(
      { mnemonic: C.lastReply, params: [LAST_REPLY.cardPosition] },
      positionAnswer,
    );
    if (position.ok) this.#position = position.value;
    return this.#position === wanted;
  }

  /** After a failed move: the status says why, so preflight and `mashang diag` see it. */
  async #afterFailure(fault: CardPrinterFault): Promise<void> {
    if (fault === 'disconnected' || fault === 'noCard' || fault === 'cardInside') return;
    if (fault === 'noResponse' || fault === 'protocolError') {
      this.#fail(fault, 'the printer did not answer a move');
      return;
    }
    await this.#poll();
  }

  /** Sends a move and reads its reply once: moves are never repeated. */
  #move(command: EvolisCommand, replyMs: number): Promise<Exchange> {
    return this.#exchange(encodeEvolisCommand(command), replyMs);
  }

  /** A move's reply: OK → done; ERR → its fault; lost or garbled → ask where the card is. */
  async #settleMove(
    exchange: Exchange,
    arrived: (p: CardPosition) => boolean,
  ): Promise<Result<void, CardPrinterFault>> {
    if (exchange.kind === 'reply' && exchange.reply.kind === 'ok') return ok(undefined);
    if (exchange.kind === 'reply' && exchange.reply.kind === 'error')
      return err(faultOf(exchange.reply.code));
    if (exchange.kind === 'gone') return err('disconnected');
    const position = await this.#read(
      { mnemonic: C.lastReply, params: [LAST_REPLY.cardPosition] },
      positionAnswer,
    );
    if (!position.ok) return position;
    this.#position = position.value;
    this.#log.warn(
      { event: E.moveSettled, lost: exchange.kind, position: position.value },
      'move reply lost; settled by card position',
    );
    return arrived(position.value)
      ? ok(undefined)
      : err(exchange.kind === 'silent' ? 'noResponse' : 'protocolError');
  }

  /** An idempotent read, asked again (bounded) on silence or garble; `interpret` says what is a valid answer. */
  async #read<T>(
    command: EvolisCommand,
    interpret: (reply: EvolisReply) => T | undefined,
  ): Promise<Result<T, Failure>> {
    const bytes = encodeEvolisCommand(command);
    let last: Failure = 'noResponse';
    for (let attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
      const exchange = await this.#exchange(bytes, this.#t.readReplyMs);
      if (exchange.kind === 'gone') return err('disconnected');
      if (exchange.kind === 'reply') {
        const value = interpret(exchange.reply);
        if (value !== undefined) return ok(value);
        last = 'protocolError';
        this.#log.warn(
          { event: E.unexpectedReply, command: command.mnemonic, reply: exchange.reply, attempt },
          'unexpected reply',
        );
      } else {
        last = exchange.kind === 'silent' ? 'noResponse' : 'protocolError';
        this.#log.warn(
          { event: E.readFailed, command: command.mnemonic, outcome: exchange.kind, attempt },
          'read failed',
        );
      }
      // A silent printer is asked twice, not three times per read: a poll ends at the first silence.
      if (last === 'noResponse' && attempt >= SILENT_ATTEMPTS) break;
    }
    return err(last);
  }

  /**
   * One command and its reply. A reply that is not text (noise that happened to end in CR) is not
   * taken for the answer: the exchange keeps listening until its deadline. A reply that missed its
   * deadline is owed, and waited for before the next command (line/late-replies.ts), so it is
   * never read as the next command's answer.
   */
  async #exchange(bytes: Uint8Array, replyMs: number): Promise<Exchange> {
    const result = await this.#late.exchange(
      () =>
        this.#requests.request(bytes, {
          timeoutMs: replyMs,
          accept: (frame) => frame.kind !== 'garbled',
        }),
      replyMs,
      (r) => !r.ok && r.error.kind === 'timeout',
    );
    if (result.ok) {
      const frame = result.value;
      return frame.kind === 'garbled'
        ? { kind: 'garbled', detail: frame.reason }
        : { kind: 'reply', reply: frame };
    }
    switch (result.error.kind) {
      case 'disconnected':
        return { kind: 'gone' };
      case 'timeout':
        return result.error.receivedBytes === 0
          ? { kind: 'silent' }
          : { kind: 'garbled', detail: `${result.error.receivedBytes} bytes, no reply` };
      case 'incomplete':
        return {
          kind: 'garbled',
          detail: `reply stopped after ${result.error.receivedBytes} bytes`,
        };
      case 'corrupt':
        return { kind: 'garbled', detail: result.error.detail };
    }
  }

  #schedulePoll(): void {
    if (this.#closed || this.#pollTimer) return;
    this.#pollTimer = setTimeout(async () => {
      this.#pollTimer = null;
      if (this.#closed) return;
      // An operation in progress reports for itself: the poll only runs on an idle line.
      if (this.#exclusive.depth === 0 && this.line.state.state === 'open')
        await this.#exclusive.run(() => this.#poll());
      this.#schedulePoll();
    }, this.#t.statusPollMs);
    this.#pollTimer.unref();
  }
}

function moveFailure(exchange: Exchange): Result<never, CardPrinterFault> {
  if (exchange.kind === 'reply')
    return err(exchange.reply.kind === 'error' ? faultOf(exchange.reply.code) : 'protocolError');
  if (exchange.kind === 'gone') return err('disconnected');
  return err(exchange.kind === 'silent' ? 'noResponse' : 'protocolError');
}

function faultOf(code: EvolisErrorCode): CardPrinterFault {
  switch (code) {
    case 'jam':
    case 'coverOpen':
    case 'feederEmpty':
    case 'ribbonOut':
    case 'wrongRibbon':
    case 'rejectBoxFull':
    case 'cleaningDue':
    case 'noCard':
    case 'cardInside':
      return code;
    case 'unknownCommand':
    case 'badParameter':
    case 'unknown':
      return 'protocolError';
  }
}

// — what counts as a valid answer to each read (replies are L: evolis-protocol.ts) —

function textAnswer(reply: EvolisReply): string | undefined {
  return reply.kind === 'value' ? reply.text : undefined;
}

function okAnswer(reply: EvolisReply): true | undefined {
  return reply.kind === 'ok' ? true : undefined;
}

function sensorAnswer(reply: EvolisReply): boolean | undefined {
  if (reply.kind !== 'value') return undefined;
  if (reply.text === SENSOR_ANSWERS.active) return true;
  if (reply.text === SENSOR_ANSWERS.inactive) return false;
  return undefined;
}

function feederAnswer(reply: EvolisReply): boolean | undefined {
  if (reply.kind !== 'value' || !(reply.text in FEEDER_ANSWERS)) return undefined;
  const answer = FEEDER_ANSWERS[reply.text as keyof typeof FEEDER_ANSWERS];
  // One feeder: "feeder 2 empty" says nothing about ours.
  return answer === 'feeder1Empty' || answer === 'allEmpty';
}

function ribbonAnswer(reply: EvolisReply): RibbonType | undefined {
  return reply.kind === 'value' && (RIBBON_TYPES as readonly string[]).includes(reply.text)
    ? (reply.text as RibbonType)
    : undefined;
}

function countAnswer(reply: EvolisReply): number | undefined {
  return reply.kind === 'value' && /^\d{1,6}$/.test(reply.text) ? Number(reply.text) : undefined;
}

function positionAnswer(reply: EvolisReply): CardPosition | undefined {
  if (reply.kind !== 'value') return undefined;
  const entry = Object.entries(CARD_POSITION_ANSWERS).find(([, text]) => text === reply.text);
  return entry ? (entry[0] as CardPosition) : undefined;
}

function lastErrorAnswer(reply: EvolisReply): EvolisErrorCode | null | undefined {
  if (reply.kind === 'ok') return null;
  if (reply.kind === 'error') return reply.code;
  return undefined;
}
