/**
 * A social-security card's chip (SSSE application, PROTOCOLS.md §1), simulated: SELECT by AID,
 * GET CHALLENGE, EXTERNAL AUTHENTICATE, UPDATE RECORD and READ RECORD (by number or by tag). A
 * blank's 识别码 (EF05 tag 01) is set at manufacture; everything else is written by
 * personalisation, and only after EXTERNAL AUTHENTICATE has succeeded on this power-up.
 *
 * The simulator accepts any 8-byte cryptogram that answers its last challenge by the simulated
 * HSM rule in `simulatedCryptogram` — the real rule is the province's secret, held by its HSM.
 *
 * The same card runs in memory (the embedded default, unit tests) and behind vsmartcard's vpcd
 * (drivers/virtual-card), so pcscd and the real PC/SC stack see exactly this logic.
 */
import { createHash, randomBytes } from 'node:crypto';
import { commandCase, fromHex, hex, responseBytes } from '../pcsc/apdu.ts';
import { SW } from '../pcsc/status-words.ts';
import { encodeSsseRecords, type SsseCardData } from './ssse-record.ts';

/** `sx1.sh.` + GBK 社会保障 (PROTOCOLS.md §1, confidence H). */
export const SSSE_AID = fromHex('7378312E73682EC9E7BBE1B1A3D5CF');

/** SSSE instructions (ISO 7816-4 §11: SELECT, GET CHALLENGE, EXTERNAL AUTHENTICATE, records). */
export const SSSE_INS = {
  SELECT: 0xa4,
  GET_CHALLENGE: 0x84,
  EXTERNAL_AUTHENTICATE: 0x82,
  UPDATE_RECORD: 0xdc,
  READ_RECORD: 0xb2,
} as const;

/**
 * A T=0 ATR of the kind SSSE cards give (no TD1: T=0 only); historical bytes are the issuer's.
 * Confidence L on the exact bytes: readers and the kiosk only use it to pick T=0.
 */
export const SSSE_ATR = fromHex('3B6D00000081318065B0872701BC83089000');

export function simulatedCryptogram(identification: Uint8Array, challenge: Uint8Array): Uint8Array {
  return new Uint8Array(
    createHash('sha256').update(identification).update(challenge).digest().subarray(0, 8),
  );
}

/** What a simulated SSSE card keeps across power cycles (and, with a state file, restarts). */
export interface SsseCardSnapshot {
  version: 1;
  /** Records keyed `${sfi}:${record}`, hex. */
  records: Record<string, string>;
}

export interface SimulatedSsseCardOptions {
  /** Called after every write, for a state file. */
  onChange?: (snapshot: SsseCardSnapshot) => void;
  /** Restores a card from its snapshot (its 识别码 comes with it). */
  snapshot?: SsseCardSnapshot;
}

export class SimulatedSsseCard {
  readonly atr = SSSE_ATR;
  readonly identification: Uint8Array;
  #selected = false;
  #challenge: Uint8Array | null = null;
  #authenticated = false;
  /** Records keyed by `${sfi}:${record}`. */
  readonly #records = new Map<string, Uint8Array>();
  readonly #onChange: ((snapshot: SsseCardSnapshot) => void) | undefined;

  constructor(identification?: Uint8Array, options: SimulatedSsseCardOptions = {}) {
    this.#onChange = options.onChange;
    if (options.snapshot) {
      for (const [key, value] of Object.entries(options.snapshot.records))
        this.#records.set(key, fromHex(value));
      const first = this.#records.get('5:1');
      this.identification = first ? first.subarray(2) : new Uint8Array();
      return;
    }
    // Region (3 bytes BCD) + D156000005 + 8 bytes, PROTOCOLS.md §1 EF05 tag 01.
    this.identification =
      identification ?? new Uint8Array([...fromHex('330100D156000005'), ...randomBytes(8)]);
    this.#records.set(
      '5:1',
      new Uint8Array([0x01, this.identification.length, ...this.identification]),
    );
  }

  /** A card as it leaves personalisation, from its data (e.g. a JSON file for `mashang sim-card ssse`). */
  static personalised(
    data: SsseCardData,
    options: Omit<SimulatedSsseCardOptions, 'snapshot'> = {},
  ): SimulatedSsseCard {
    const records = encodeSsseRecords(data);
    return new SimulatedSsseCard(undefined, {
      ...options,
      snapshot: {
        version: 1,
        records: Object.fromEntries([...records].map(([k, v]) => [k, hex(v)])),
      },
    });
  }

  snapshot(): SsseCardSnapshot {
    return {
      version: 1,
      records: Object.fromEntries([...this.#records].map(([k, v]) => [k, hex(v)])),
    };
  }

  /** Power off, power on or reset: the selection and the authentication are gone. */
  reset(): void {
    this.#selected = false;
    this.#challenge = null;
    this.#authenticated = false;
  }

  /** Answers one command APDU with data + SW1 SW2, as the card would. */
  process(apdu: Uint8Array): Uint8Array {
    if (apdu.length < 4) return responseBytes(new Uint8Array(), SW.WRONG_LENGTH);
    const [cla, ins, p1, p2] = apdu as unknown as [number, number, number, number];
    if (cla !== 0x00) return responseBytes(new Uint8Array(), SW.CLA_NOT_SUPPORTED);
    const kind = commandCase(apdu);
    if (kind === null) return responseBytes(new Uint8Array(), SW.WRONG_LENGTH);
    const body = kind === 3 || kind === 4 ? apdu.subarray(5, 5 + apdu[4]!) : new Uint8Array();
    const le = kind === 2 ? apdu[4]! || 256 : kind === 4 ? apdu[apdu.length - 1]! || 256 : 0;
    switch (ins) {
      case SSSE_INS.SELECT: {
        const match = p1 === 0x04 && Buffer.from(body).equals(Buffer.from(SSSE_AID));
        this.#selected = match;
        this.#authenticated = false;
        return responseBytes(new Uint8Array(), match ? SW.OK : SW.FILE_NOT_FOUND);
      }
      case SSSE_INS.GET_CHALLENGE: {
        this.#challenge = new Uint8Array(randomBytes(kind === 2 ? apdu[4]! || 8 : 8));
        return responseBytes(this.#challenge, SW.OK);
      }
      case SSSE_INS.EXTERNAL_AUTHENTICATE: {
        const expected =
          this.#challenge && simulatedCryptogram(this.identification, this.#challenge);
        this.#challenge = null; // one cryptogram per challenge: no replay
        this.#authenticated = !!expected && Buffer.from(body).equals(Buffer.from(expected));
        return responseBytes(
          new Uint8Array(),
          this.#authenticated ? SW.OK : SW.SECURITY_NOT_SATISFIED,
        );
      }
      case SSSE_INS.UPDATE_RECORD: {
        if (!this.#selected) return responseBytes(new Uint8Array(), SW.FILE_NOT_FOUND);
        if (!this.#authenticated) return responseBytes(new Uint8Array(), SW.SECURITY_NOT_SATISFIED);
        if ((p2 & 0x07) !== 0x04 || body.length === 0)
          return responseBytes(new Uint8Array(), SW.WRONG_P1P2);
        this.#records.set(`${p2 >> 3}:${p1}`, new Uint8Array(body));
        this.#onChange?.(this.snapshot());
        return responseBytes(new Uint8Array(), SW.OK);
      }
      case SSSE_INS.READ_RECORD: {
        if (!this.#selected) return responseBytes(new Uint8Array(), SW.FILE_NOT_FOUND);
        const record = this.#readRecord(p1, p2);
        if (!record) return responseBytes(new Uint8Array(), SW.RECORD_NOT_FOUND);
        // Le 00 asks for the whole record; a shorter Le is answered with the exact length (6Cxx).
        if (le !== 256 && le < record.length)
          return responseBytes(new Uint8Array(), 0x6c00 | record.length);
        return responseBytes(record, SW.OK);
      }
      default:
        return responseBytes(new Uint8Array(), SW.INS_NOT_SUPPORTED);
    }
  }

  /** P2 b3–b1 = 100: P1 is a record number; 000: P1 is the tag of the record to find (PROTOCOLS.md §1). */
  #readRecord(p1: number, p2: number): Uint8Array | undefined {
    const sfi = p2 >> 3;
    if ((p2 & 0x07) === 0x04) return this.#records.get(`${sfi}:${p1}`);
    if ((p2 & 0x07) === 0x00) {
      for (const [key, value] of this.#records)
        if (key.startsWith(`${sfi}:`) && value[0] === p1) return value;
    }
    return undefined;
  }
}
