/**
 * A blank social-security card's chip (SSSE application, PROTOCOLS.md §1), simulated in memory:
 * SELECT by AID, GET CHALLENGE, EXTERNAL AUTHENTICATE, UPDATE RECORD and READ RECORD. Its
 * 识别码 (EF05 tag 01) is set at manufacture; everything else is written by personalisation.
 *
 * The simulator accepts any 8-byte cryptogram that answers its last challenge by the simulated
 * HSM rule in `simulatedCryptogram` — the real rule is the province's secret, held by its HSM.
 */
import { createHash, randomBytes } from 'node:crypto';
import { fromHex, responseBytes, SW } from './apdu.ts';

/** `sx1.sh.` + GBK 社会保障 (PROTOCOLS.md §1, confidence H). */
export const SSSE_AID = fromHex('7378312E73682EC9E7BBE1B1A3D5CF');

export function simulatedCryptogram(identification: Uint8Array, challenge: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(identification).update(challenge).digest().subarray(0, 8));
}

export class SimulatedSsseCard {
  readonly atr = fromHex('3B6D00000081318065B0872701BC83089000');
  readonly identification: Uint8Array;
  #selected = false;
  #challenge: Uint8Array | null = null;
  #authenticated = false;
  /** Records keyed by `${sfi}:${record}`. */
  readonly #records = new Map<string, Uint8Array>();

  constructor(identification?: Uint8Array) {
    // Region (3 bytes BCD) + D156000005 + 8 bytes, PROTOCOLS.md §1 EF05 tag 01.
    this.identification = identification ?? new Uint8Array([...fromHex('330100D156000005'), ...randomBytes(8)]);
    this.#records.set('5:1', new Uint8Array([0x01, this.identification.length, ...this.identification]));
  }

  /** Answers one command APDU with data + SW1 SW2, as the card would. */
  process(apdu: Uint8Array): Uint8Array {
    if (apdu.length < 4) return responseBytes(new Uint8Array(), SW.WRONG_LENGTH);
    const [cla, ins, p1, p2] = apdu as unknown as [number, number, number, number];
    if (cla !== 0x00) return responseBytes(new Uint8Array(), 0x6e00);
    const body = apdu.length > 5 ? apdu.subarray(5, 5 + apdu[4]!) : new Uint8Array();
    switch (ins) {
      case 0xa4: {
        const match = p1 === 0x04 && Buffer.from(body).equals(Buffer.from(SSSE_AID));
        this.#selected = match;
        return responseBytes(new Uint8Array(), match ? SW.OK : SW.FILE_NOT_FOUND);
      }
      case 0x84: {
        this.#challenge = new Uint8Array(randomBytes(apdu[4] || 8));
        return responseBytes(this.#challenge, SW.OK);
      }
      case 0x82: {
        const expected = this.#challenge && simulatedCryptogram(this.identification, this.#challenge);
        this.#challenge = null;
        this.#authenticated = !!expected && Buffer.from(body).equals(Buffer.from(expected));
        return responseBytes(new Uint8Array(), this.#authenticated ? SW.OK : SW.SECURITY_NOT_SATISFIED);
      }
      case 0xdc: {
        if (!this.#selected) return responseBytes(new Uint8Array(), SW.FILE_NOT_FOUND);
        if (!this.#authenticated) return responseBytes(new Uint8Array(), SW.SECURITY_NOT_SATISFIED);
        this.#records.set(`${p2 >> 3}:${p1}`, new Uint8Array(body));
        return responseBytes(new Uint8Array(), SW.OK);
      }
      case 0xb2: {
        if (!this.#selected) return responseBytes(new Uint8Array(), SW.FILE_NOT_FOUND);
        const record = this.#records.get(`${p2 >> 3}:${p1}`);
        return record ? responseBytes(record, SW.OK) : responseBytes(new Uint8Array(), SW.RECORD_NOT_FOUND);
      }
      default:
        return responseBytes(new Uint8Array(), SW.INS_NOT_SUPPORTED);
    }
  }
}
