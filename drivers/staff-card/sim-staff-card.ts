/**
 * A staff or technician card, simulated: the card side of staff-card-protocol.ts. It runs in
 * memory and behind vpcd (`mashang sim-card staff`), keeping what a real card keeps in EEPROM —
 * its key, certificate, PIN and retry counter — in a state the caller can persist, so the
 * counter survives the card being pulled and the simulator being restarted.
 *
 * Like a real card, a wrong-PIN attempt is paid for before it is judged: the counter goes down
 * and is committed (onChange) before the PIN is compared, so pulling the card mid-VERIFY cannot
 * win a free try.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { commandCase, fromHex, hex, responseBytes } from '../pcsc/apdu.ts';
import { SW } from '../pcsc/status-words.ts';
import type { VirtualCard } from '../virtual-card/card-behaviour.ts';
import {
  DEVELOPMENT_DISTRICT,
  DEVELOPMENT_DISTRICT_PRIVATE_KEY_PEM,
} from './development-district-key.ts';
import { issueCertificate, pointFromPublicKey, type StaffRole } from './staff-certificate.ts';
import {
  AUTH_PURPOSE,
  CERTIFICATE_TAG,
  CHALLENGE_RANGE,
  PIN_MAX_TRIES,
  PIN_REFERENCE,
  PIN_RULES,
  signedMessage,
  STAFF_AID,
  STAFF_INS,
  type AuthPurpose,
} from './staff-card-protocol.ts';

/** A T=1 ATR (TD1 = 01) with "MASHANG-ST" as historical bytes; TCK is computed below. */
export const STAFF_CARD_ATR = withTck(
  fromHex('3B8A01' + Buffer.from('MASHANG-ST').toString('hex')),
);

/** What the card keeps in non-volatile memory. */
export interface StaffCardState {
  version: 1;
  /** The card's private key, PKCS#8 DER hex. A real card never lets it out; a virtual one must keep it somewhere. */
  privateKey: string;
  certificate: string;
  pin: string;
  triesLeft: number;
}

export interface IssueOptions {
  role: StaffRole;
  staffId: string;
  pin: string;
  district?: string;
  /** The development district's key unless given (tests issue forged cards with another). */
  districtPrivateKey?: KeyObject;
  /** YYYYMMDD; default today and one year on. */
  validFrom?: string;
  validTo?: string;
  serial?: string;
  now?: Date;
}

/** A new card as the district issues it: fresh key pair, signed certificate, full PIN counter. */
export function issueStaffCard(options: IssueOptions): StaffCardState {
  if (!PIN_RULES.pattern.test(options.pin))
    throw new RangeError(`PIN: ${PIN_RULES.minLength}–${PIN_RULES.maxLength} digits`);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = options.now ?? new Date();
  const later = new Date(now);
  later.setFullYear(later.getFullYear() + 1);
  const certificate = issueCertificate(
    {
      district: options.district ?? DEVELOPMENT_DISTRICT,
      staffId: options.staffId,
      role: options.role,
      serial: options.serial ?? randomBytes(8).toString('hex').toUpperCase(),
      validFrom: options.validFrom ?? yyyymmdd(now),
      validTo: options.validTo ?? yyyymmdd(later),
      publicKey: pointFromPublicKey(publicKey),
    },
    options.districtPrivateKey ?? createPrivateKey(DEVELOPMENT_DISTRICT_PRIVATE_KEY_PEM),
  );
  return {
    version: 1,
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('hex'),
    certificate: hex(certificate),
    pin: options.pin,
    triesLeft: PIN_MAX_TRIES,
  };
}

export class SimulatedStaffCard implements VirtualCard {
  readonly atr = STAFF_CARD_ATR;
  readonly #state: StaffCardState;
  readonly #key: KeyObject;
  readonly #certificate: Uint8Array;
  readonly #onChange: (state: StaffCardState) => void;
  #selected = false;
  #verified = false;

  constructor(state: StaffCardState, onChange: (state: StaffCardState) => void = () => {}) {
    this.#state = { ...state };
    this.#key = createPrivateKey({
      key: Buffer.from(state.privateKey, 'hex'),
      format: 'der',
      type: 'pkcs8',
    });
    this.#certificate = fromHex(state.certificate);
    this.#onChange = onChange;
  }

  get state(): StaffCardState {
    return { ...this.#state };
  }

  get publicKey(): KeyObject {
    return createPublicKey(this.#key);
  }

  /** Power-up: the application is deselected and the PIN must be verified again. */
  reset(): void {
    this.#selected = false;
    this.#verified = false;
  }

  process(apdu: Uint8Array): Uint8Array {
    const kind = commandCase(apdu);
    if (kind === null) return responseBytes(new Uint8Array(), SW.WRONG_LENGTH);
    const [cla, ins, p1, p2] = apdu as unknown as [number, number, number, number];
    if (cla !== 0x00) return responseBytes(new Uint8Array(), SW.CLA_NOT_SUPPORTED);
    const body = kind === 3 || kind === 4 ? apdu.subarray(5, 5 + apdu[4]!) : new Uint8Array();
    const le = kind === 2 ? apdu[4]! || 256 : kind === 4 ? apdu[apdu.length - 1]! || 256 : 0;
    if (ins === STAFF_INS.SELECT) {
      this.#selected = p1 === 0x04 && Buffer.from(body).equals(Buffer.from(STAFF_AID));
      this.#verified = false;
      return responseBytes(new Uint8Array(), this.#selected ? SW.OK : SW.FILE_NOT_FOUND);
    }
    if (!this.#selected) return responseBytes(new Uint8Array(), SW.CONDITIONS_NOT_SATISFIED);
    switch (ins) {
      case STAFF_INS.GET_DATA: {
        if (((p1 << 8) | p2) !== CERTIFICATE_TAG)
          return responseBytes(new Uint8Array(), SW.REFERENCED_DATA_NOT_FOUND);
        if (le !== 256 && le < this.#certificate.length)
          return responseBytes(new Uint8Array(), 0x6c00 | (this.#certificate.length & 0xff));
        return responseBytes(this.#certificate, SW.OK);
      }
      case STAFF_INS.VERIFY:
        return this.#verify(p2, kind === 1 ? null : body);
      case STAFF_INS.INTERNAL_AUTHENTICATE:
        return this.#authenticate(p2, body);
      default:
        return responseBytes(new Uint8Array(), SW.INS_NOT_SUPPORTED);
    }
  }

  #verify(reference: number, pin: Uint8Array | null): Uint8Array {
    if (reference !== PIN_REFERENCE)
      return responseBytes(new Uint8Array(), SW.REFERENCED_DATA_NOT_FOUND);
    const state = this.#state;
    if (state.triesLeft === 0) return responseBytes(new Uint8Array(), SW.BLOCKED);
    if (pin === null)
      return responseBytes(new Uint8Array(), this.#verified ? SW.OK : 0x63c0 | state.triesLeft);
    if (!PIN_RULES.pattern.test(Buffer.from(pin).toString('latin1')))
      return responseBytes(new Uint8Array(), SW.WRONG_DATA);
    state.triesLeft--;
    this.#onChange(this.state);
    const expected = Buffer.from(state.pin, 'latin1');
    const matches = expected.length === pin.length && timingSafeEqual(expected, Buffer.from(pin));
    if (!matches) {
      this.#verified = false;
      return responseBytes(new Uint8Array(), 0x63c0 | state.triesLeft);
    }
    state.triesLeft = PIN_MAX_TRIES;
    this.#onChange(this.state);
    this.#verified = true;
    return responseBytes(new Uint8Array(), SW.OK);
  }

  #authenticate(reference: number, challenge: Uint8Array): Uint8Array {
    const purpose = (Object.keys(AUTH_PURPOSE) as AuthPurpose[]).find(
      (p) => AUTH_PURPOSE[p] === reference,
    );
    if (!purpose) return responseBytes(new Uint8Array(), SW.REFERENCED_DATA_NOT_FOUND);
    if (challenge.length < CHALLENGE_RANGE.min || challenge.length > CHALLENGE_RANGE.max)
      return responseBytes(new Uint8Array(), SW.WRONG_LENGTH);
    if (purpose === 'holder' && !this.#verified)
      return responseBytes(new Uint8Array(), SW.SECURITY_NOT_SATISFIED);
    const signature = sign('sha256', signedMessage(purpose, challenge), {
      key: this.#key,
      dsaEncoding: 'ieee-p1363',
    });
    return responseBytes(new Uint8Array(signature), SW.OK);
  }
}

function yyyymmdd(date: Date): string {
  return `${date.getFullYear()}${String(date.getMonth() + 1).padStart(2, '0')}${String(date.getDate()).padStart(2, '0')}`;
}

/** ISO 7816-3 §8.2.5: when T=1 is offered, TCK makes the XOR of T0…TCK zero. */
function withTck(atr: Uint8Array): Uint8Array {
  let tck = 0;
  for (const b of atr.subarray(1)) tck ^= b;
  return new Uint8Array([...atr, tck]);
}
