/**
 * A GA/T 467 ID card reader that speaks the real protocol through the shared codec, with an ID
 * card that can be placed and taken away, and faults a technician meets in the field. It runs
 * behind a DevicePort: a memory cable in-process (`npm start`), or a pseudo-terminal
 * (`mashang sim-serial id-reader`) that the real `serialport` driver opens.
 *
 * It forgets the card the moment it is removed: no resident outlives their session here.
 */
import type { DevicePort } from '../serial/byte-line.ts';
import { SimUart, type UartOptions } from '../serial/sim-uart.ts';
import { ANSWER_DATA_BYTES, GAT467_COMMANDS, ID_PHOTO_BYTES, STATUS } from './gat467-commands.ts';
import {
  createCommandDecoder,
  encodeAnswer,
  GAT467_PREAMBLE,
  type Gat467Command,
} from './gat467-frame.ts';
import type { IdCardRecord } from './id-card-record.ts';
import { encodeIdText } from './id-card-text.ts';

export type Gat467SimFault =
  /** The reader answers nothing (powered off, wrong baud, firmware hung). */
  | { kind: 'silence' }
  /** Noise instead of answers (a bad cable, a ground loop). */
  | { kind: 'garbage' }
  /** Answers stop halfway (the reader resets mid-transmission). */
  | { kind: 'half-frame' }
  /** Answers arrive with one bit wrong. */
  | { kind: 'bad-checksum' }
  /** Every answer comes `delayMs` late. */
  | { kind: 'slow'; delayMs: number }
  /** The SAM refuses the card (status 32): a forged or damaged card. */
  | { kind: 'sam-rejects' }
  /** The card refuses the SAM (status 31). */
  | { kind: 'card-rejects-sam' }
  /** Reading fails (status 41): the card moves or lies at an angle. */
  | { kind: 'move-card' };

export const GAT467_SIM_FAULT_NAMES = [
  'silence',
  'garbage',
  'half-frame',
  'bad-checksum',
  'slow',
  'sam-rejects',
  'card-rejects-sam',
  'move-card',
] as const;

/** `silence`, `slow:1500` (milliseconds, default 2000), … as typed on the command line. */
export function parseGat467Fault(text: string): Gat467SimFault {
  const [name, argument] = text.split(':', 2);
  if (name === 'slow') {
    const delayMs = argument === undefined ? 2000 : Number(argument);
    if (!Number.isFinite(delayMs) || delayMs < 0)
      throw new RangeError(`slow:${argument}: the delay must be milliseconds`);
    return { kind: 'slow', delayMs };
  }
  if (!(GAT467_SIM_FAULT_NAMES as readonly string[]).includes(name!)) {
    throw new RangeError(`unknown fault "${text}" (one of: ${GAT467_SIM_FAULT_NAMES.join(', ')})`);
  }
  return { kind: name } as Gat467SimFault;
}

/** A USB-serial ID reader's usual line (L: the vendors' guides default to 115 200 baud). */
export const GAT467_SIM_UART: UartOptions = {
  baudRate: 115_200,
  rxBufferBytes: 1024,
  flowControl: 'none',
};

/** A made-up SAM id; real ones are 16 bytes from the Ministry's SAM issuer. */
const SIM_SAM_ID = Uint8Array.from([
  0x05, 0x00, 0x01, 0x00, 0x4d, 0x53, 0x48, 0x47, 0x00, 0x00, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78,
]);

/** A stand-in for the card's WLT photo (the kiosk never decodes it): "WLf" and a fixed pattern. */
function simPhoto(): Uint8Array {
  const photo = new Uint8Array(ID_PHOTO_BYTES);
  photo.set([0x57, 0x4c, 0x66, 0x00], 0);
  for (let i = 4; i < photo.length; i++) photo[i] = (i * 31) & 0xff;
  return photo;
}

export class Gat467Simulator {
  #card: IdCardRecord | null = null;
  #fault: Gat467SimFault | null = null;
  #uart: SimUart | null = null;
  #commands = 0;
  readonly #decoder = createCommandDecoder();
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(private readonly uart: UartOptions = GAT467_SIM_UART) {}

  /** Connects the reader to a line (again, after a replug: the reader's state survives). */
  attach(port: DevicePort): void {
    this.#decoder.reset();
    this.#uart = new SimUart(port, this.uart, (bytes) => this.#receive(bytes));
    port.onClose(() => this.#powerCycle());
  }

  placeCard(card: IdCardRecord): void {
    encodeIdText(card); // A record that does not fit a card is a test's mistake: say so now.
    this.#card = { ...card };
  }

  removeCard(): void {
    this.#card = null;
  }

  cardPresent(): boolean {
    return this.#card !== null;
  }

  get fault(): Gat467SimFault | null {
    return this.#fault;
  }

  setFault(fault: Gat467SimFault | null): void {
    this.#fault = fault;
  }

  /** Commands received intact since start: evidence that bytes really crossed the line. */
  get commandsReceived(): number {
    return this.#commands;
  }

  get overruns(): number {
    return this.#uart?.overruns ?? 0;
  }

  #powerCycle(): void {
    this.#decoder.reset();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #receive(bytes: Uint8Array): void {
    for (const event of this.#decoder.push(bytes)) {
      if (event.type === 'frame') {
        this.#commands++;
        this.#send(this.#answer(event.frame));
      } else if (event.error.kind === 'badChecksum' || event.error.kind === 'badLength') {
        this.#send(encodeAnswer({ status: STATUS.badChecksumReceived }));
      }
    }
  }

  #answer(command: Gat467Command): Uint8Array {
    const is = (name: keyof typeof GAT467_COMMANDS) =>
      command.command === GAT467_COMMANDS[name].command &&
      command.parameter === GAT467_COMMANDS[name].parameter;
    const card = this.#card;
    if (is('readSamId')) return encodeAnswer({ status: STATUS.ok, data: SIM_SAM_ID });
    if (is('findCard')) {
      return card
        ? encodeAnswer({
            status: STATUS.cardFound,
            data: new Uint8Array(ANSWER_DATA_BYTES.findCard),
          })
        : encodeAnswer({ status: STATUS.findFailed });
    }
    if (is('selectCard')) {
      return card
        ? encodeAnswer({ status: STATUS.ok, data: new Uint8Array(ANSWER_DATA_BYTES.selectCard) })
        : encodeAnswer({ status: STATUS.selectFailed });
    }
    if (is('readTextAndPhoto') || is('readTextPhotoAndFingerprint')) {
      if (!card) return encodeAnswer({ status: STATUS.readFailed });
      const fault = this.#fault?.kind;
      if (fault === 'sam-rejects') return encodeAnswer({ status: STATUS.samRejectedCard });
      if (fault === 'card-rejects-sam') return encodeAnswer({ status: STATUS.cardRejectedSam });
      if (fault === 'move-card') return encodeAnswer({ status: STATUS.readFailed });
      return encodeAnswer({
        status: STATUS.ok,
        data: this.#textAndPhoto(card, is('readTextPhotoAndFingerprint')),
      });
    }
    if (is('readAdditionalAddress'))
      return encodeAnswer({ status: card ? STATUS.noContent : STATUS.readFailed });
    return encodeAnswer({ status: STATUS.commandUnknown });
  }

  #textAndPhoto(card: IdCardRecord, withFingerprint: boolean): Uint8Array {
    const text = encodeIdText(card);
    const photo = simPhoto();
    const header = withFingerprint ? 6 : 4;
    const data = new Uint8Array(header + text.length + photo.length);
    const view = new DataView(data.buffer);
    view.setUint16(0, text.length);
    view.setUint16(2, photo.length);
    if (withFingerprint) view.setUint16(4, 0); // This card holds no fingerprints.
    data.set(text, header);
    data.set(photo, header + text.length);
    text.fill(0);
    return data;
  }

  #send(frame: Uint8Array): void {
    const fault = this.#fault;
    let out: Uint8Array | null = frame;
    switch (fault?.kind) {
      case 'silence':
        out = null;
        break;
      case 'garbage':
        out = garbage(frame.length);
        break;
      case 'half-frame':
        out = frame.subarray(0, Math.max(GAT467_PREAMBLE.length + 2, frame.length >> 1));
        break;
      case 'bad-checksum':
        out = Uint8Array.from(frame);
        out[out.length - 1]! ^= 0x01;
        break;
      case 'slow': {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          this.#uart?.send(frame);
        }, fault.delayMs);
        this.#timers.add(timer);
        out = null;
        break;
      }
    }
    if (out) this.#uart?.send(out);
  }
}

/** Bytes that can never contain a preamble (no 0xAA): noise, not a frame by accident. */
function garbage(length: number): Uint8Array {
  const bytes = new Uint8Array(Math.max(8, Math.min(length, 64)));
  for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.random() * 0xa9) | 0;
  return bytes;
}
