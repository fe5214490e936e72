/**
 * The GA/T 467 command layer: one command, one answer, with a named deadline, a bounded resend,
 * and the status byte turned into a typed outcome. Any transport that carries the byte stream
 * (a serial port, HID reports, a memory cable) sits below it; the kiosk's `IdCardReader` sits on
 * top (gat467-id-card-reader.ts).
 */
import type { DeviceStatus } from '../common/device-status.ts';
import { err, ok, type Result } from '../common/result.ts';
import { silentLog, type DeviceLog, type ReconnectingLine } from '../serial/reconnecting-line.ts';
import { RequestLink, type ExchangeFailure } from '../serial/request-link.ts';
import {
  ANSWER_DATA_BYTES,
  GAT467_COMMANDS,
  hex,
  ID_TEXT_BYTES,
  statusOutcome,
  STATUS,
  type Gat467CommandName,
} from './gat467-commands.ts';
import { createAnswerDecoder, encodeCommand, type Gat467Answer } from './gat467-frame.ts';

/**
 * Deadlines per command. Real readers answer find/select within tens of milliseconds; a read
 * takes the card 0.5–1 s (L: vendor guides). The margins are for a busy kiosk PC, and the line
 * time of the answer is added at the configured baud rate (1 295 bytes take 1.35 s at 9 600).
 */
export const GAT467_TIMEOUTS = {
  findCardMs: 1_000,
  selectCardMs: 1_000,
  readSamIdMs: 1_000,
  readTextAndPhotoMs: 3_000,
  /** A gap this long inside an answer means the rest is not coming (the reader sends back-to-back). */
  interByteMs: 300,
  /** After a failed exchange, the line must be this quiet before the next command… */
  quietMs: 50,
  /** …waiting at most this long for it. */
  maxQuietWaitMs: 1_000,
} as const;
export type Gat467Timeouts = { -readonly [K in keyof typeof GAT467_TIMEOUTS]: number };

/** A lost or damaged answer is sent once more; a second failure is the reader's fault, reported. */
export const GAT467_MAX_ATTEMPTS = 2;

export type Gat467Failure =
  /** Status 80: nothing on the reader. */
  | { kind: 'noCard' }
  /** 81, 41: a card that could not be selected or read; it moved or lies badly. */
  | { kind: 'moveCard'; status: number }
  /** 31, 32, 33: the card and the reader's SAM did not authenticate each other. */
  | { kind: 'notGenuine'; status: number }
  | { kind: 'readerFault'; code: ReaderFaultCode; detail: string };

export type ReaderFaultCode =
  'disconnected' | 'timeout' | 'incomplete' | 'corrupt' | 'status' | 'badAnswer';

export interface TextAndPhoto {
  /** The 256-byte UTF-16LE text block (id-card-text.ts decodes it). */
  text: Uint8Array;
  /** The WLT photo as the card holds it. The kiosk never decodes or stores it. */
  photo: Uint8Array;
}

/** The bytes a successful answer to each command carries: how a stale answer is told apart. */
const ANSWER_SHAPE: Record<Gat467CommandName, (answer: Gat467Answer) => boolean> = {
  findCard: (a) => a.status === STATUS.cardFound,
  selectCard: (a) => a.status === STATUS.ok && a.data.length === ANSWER_DATA_BYTES.selectCard,
  readSamId: (a) => a.status === STATUS.ok && a.data.length === ANSWER_DATA_BYTES.readSamId,
  readTextAndPhoto: (a) =>
    a.status === STATUS.ok &&
    a.data.length >= ANSWER_DATA_BYTES.readTextAndPhotoHeader + ID_TEXT_BYTES,
  readTextPhotoAndFingerprint: (a) => a.status === STATUS.ok && a.data.length >= 6 + ID_TEXT_BYTES,
  readAdditionalAddress: (a) => a.status === STATUS.ok || a.status === STATUS.noContent,
};

/**
 * Is this answer the one to `name`? Its success shape, or a failure status — except the two
 * success statuses that belong to other commands (a late "card found" is not a read's answer).
 */
function answers(name: Gat467CommandName, answer: Gat467Answer): boolean {
  if (ANSWER_SHAPE[name](answer)) return true;
  return (
    answer.status !== STATUS.ok &&
    answer.status !== STATUS.cardFound &&
    answer.status !== STATUS.noContent
  );
}

const BITS_PER_BYTE = 10;
const lineTimeMs = (bytes: number, baudRate: number) =>
  Math.ceil((bytes * BITS_PER_BYTE * 1000) / baudRate);

export interface Gat467DriverOptions {
  /** For logs: `id-reader`. */
  name?: string;
  log?: DeviceLog;
  /** The line's speed, to budget the answers' transmission time (Infinity: none). */
  baudRate?: number;
  timeouts?: Partial<Gat467Timeouts>;
}

export class Gat467Driver {
  readonly #link: RequestLink<Gat467Answer>;
  readonly #timeouts: Gat467Timeouts;
  readonly #log: DeviceLog;
  readonly #name: string;
  readonly #baudRate: number;
  #fault: { code: ReaderFaultCode; detail: string } | null = null;
  #lastStatus: DeviceStatus;
  readonly #statusListeners = new Set<(status: DeviceStatus) => void>();

  constructor(
    readonly line: ReconnectingLine,
    options: Gat467DriverOptions = {},
  ) {
    this.#timeouts = { ...GAT467_TIMEOUTS, ...options.timeouts };
    this.#log = options.log ?? silentLog;
    this.#name = options.name ?? 'id-reader';
    this.#baudRate = options.baudRate ?? 115_200;
    this.#link = new RequestLink(line, createAnswerDecoder(), {
      interByteTimeoutMs: this.#timeouts.interByteMs,
      quietMs: this.#timeouts.quietMs,
      maxQuietWaitMs: this.#timeouts.maxQuietWaitMs,
    });
    this.#lastStatus = this.status();
    line.onState((state) => {
      // A reader that comes back (replugged, power-cycled) starts with a clean slate.
      if (state.state === 'open') this.#fault = null;
      this.#publishStatus();
    });
  }

  status(): DeviceStatus {
    if (this.line.state.state !== 'open') return { state: 'disconnected' };
    if (this.#fault) return { state: 'fault', code: this.#fault.code, detail: this.#fault.detail };
    return { state: 'ready' };
  }

  /** Called on each change of status, once per change. */
  onStatus(listener: (status: DeviceStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  async findCard(signal?: AbortSignal): Promise<Result<void, Gat467Failure>> {
    const answer = await this.#exchange('findCard', this.#timeouts.findCardMs, 0, signal);
    return answer.ok ? ok(undefined) : answer;
  }

  async selectCard(signal?: AbortSignal): Promise<Result<void, Gat467Failure>> {
    const answer = await this.#exchange('selectCard', this.#timeouts.selectCardMs, 0, signal);
    return answer.ok ? ok(undefined) : answer;
  }

  /** The reader's SAM id as hex: for the technician's diagnostics (not personal data). */
  async readSamId(signal?: AbortSignal): Promise<Result<string, Gat467Failure>> {
    const answer = await this.#exchange('readSamId', this.#timeouts.readSamIdMs, 0, signal);
    return answer.ok ? ok(Buffer.from(answer.value.data).toString('hex')) : answer;
  }

  /** Reads the text and photo blocks. The caller owns the copies and should wipe them when done. */
  async readTextAndPhoto(signal?: AbortSignal): Promise<Result<TextAndPhoto, Gat467Failure>> {
    const expected = 7 + 3 + 4 + 256 + 1024 + 1;
    const answer = await this.#exchange(
      'readTextAndPhoto',
      this.#timeouts.readTextAndPhotoMs,
      expected,
      signal,
    );
    if (!answer.ok) return answer;
    const { data } = answer.value;
    try {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const textBytes = view.getUint16(0);
      const photoBytes = view.getUint16(2);
      if (textBytes < ID_TEXT_BYTES || 4 + textBytes + photoBytes !== data.length) {
        return this.#failed(
          'badAnswer',
          `read answer announces ${textBytes} + ${photoBytes} bytes but carries ${data.length - 4}`,
        );
      }
      return ok({
        text: data.slice(4, 4 + ID_TEXT_BYTES),
        photo: data.slice(4 + textBytes, 4 + textBytes + photoBytes),
      });
    } finally {
      data.fill(0); // The answer held the resident's text: wipe it now rather than at the next GC.
    }
  }

  async #exchange(
    name: Gat467CommandName,
    timeoutMs: number,
    answerBytes: number,
    signal?: AbortSignal,
  ): Promise<Result<Gat467Answer, Gat467Failure>> {
    const frame = encodeCommand({ ...GAT467_COMMANDS[name], data: new Uint8Array(0) });
    const budgetMs =
      timeoutMs +
      (Number.isFinite(this.#baudRate)
        ? lineTimeMs(answerBytes + frame.length, this.#baudRate)
        : 0);
    let last: ExchangeFailure | { kind: 'resend'; status: number } = {
      kind: 'timeout',
      receivedBytes: 0,
    };
    for (let attempt = 1; attempt <= GAT467_MAX_ATTEMPTS; attempt++) {
      const result = await this.#link.request(frame, {
        timeoutMs: budgetMs,
        accept: (a) => answers(name, a),
        ...(signal ? { signal } : {}),
      });
      if (result.ok) {
        const { outcome, meaning } = statusOutcome(result.value.status);
        const status = result.value.status;
        if (outcome === 'resend') {
          last = { kind: 'resend', status };
        } else {
          if (outcome === 'readerFault')
            return this.#failed('status', `${name}: status ${hex(status)} (${meaning})`);
          this.#healthy();
          if (outcome === 'ok') return ok(result.value);
          if (outcome === 'noCard') return err({ kind: 'noCard' });
          if (outcome === 'moveCard') return err({ kind: 'moveCard', status });
          return err({ kind: 'notGenuine', status });
        }
      } else {
        last = result.error;
        // No resend into a missing device: the caller waits for the line to come back.
        if (last.kind === 'disconnected') {
          this.#publishStatus();
          return err({
            kind: 'readerFault',
            code: 'disconnected',
            detail: `${name}: the reader is disconnected`,
          });
        }
      }
      if (attempt < GAT467_MAX_ATTEMPTS) {
        this.#log.warn(
          {
            event: 'id_reader.resend',
            device: this.#name,
            command: name,
            reason: last.kind,
            attempt,
          },
          'ID reader command sent again',
        );
      }
    }
    if (last.kind === 'resend')
      return this.#failed(
        'status',
        `${name}: the reader kept refusing our frame (status ${hex(last.status)})`,
      );
    const code: ReaderFaultCode = last.kind;
    const detail =
      last.kind === 'timeout'
        ? `${name}: no answer within ${budgetMs} ms (${last.receivedBytes} bytes received)`
        : last.kind === 'incomplete'
          ? `${name}: answer stopped after ${last.receivedBytes} bytes`
          : `${name}: damaged answer (${last.detail})`;
    return this.#failed(code, detail);
  }

  #failed(code: ReaderFaultCode, detail: string): Result<never, Gat467Failure> {
    this.#fault = { code, detail };
    this.#publishStatus();
    return err({ kind: 'readerFault', code, detail });
  }

  #healthy(): void {
    if (!this.#fault) return;
    this.#fault = null;
    this.#publishStatus();
  }

  #publishStatus(): void {
    const next = this.status();
    const previous = this.#lastStatus;
    const key = (s: DeviceStatus) => (s.state === 'fault' ? `fault:${s.code}` : s.state);
    if (key(next) === key(previous)) return;
    this.#lastStatus = next;
    const fields = {
      event: 'id_reader.status',
      device: this.#name,
      from: previous.state,
      to: next.state,
      ...(next.state === 'fault' ? { code: next.code, detail: next.detail } : {}),
    };
    if (next.state === 'ready') this.#log.info(fields, 'ID reader ready');
    else this.#log.warn(fields, `ID reader ${next.state}`);
    for (const listener of this.#statusListeners) listener(next);
  }
}
