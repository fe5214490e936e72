/**
 * The staff and technician card application: ours to specify (PROTOCOLS.md §1, "Staff /
 * technician cards"). Any ISO 7816-4 card that can hold a P-256 key can carry it.
 *
 *   SELECT                 00 A4 04 00 09 <AID>                     → 9000 | 6A82 (not a staff card)
 *   GET DATA certificate   00 CA 7F 21 00                           → certificate (staff-certificate.ts)
 *   VERIFY PIN             00 20 00 81 Lc <PIN, ASCII digits>       → 9000 | 63Cx (x tries left) | 6983 blocked
 *   VERIFY, no data        00 20 00 81                              → 9000 verified | 63Cx | 6983: the counter
 *   INTERNAL AUTHENTICATE  00 88 00 <purpose> Lc <challenge> 00     → 64-byte ECDSA signature r‖s
 *
 * The card proves itself by signing the kiosk's fresh challenge with its own key, whose public half
 * is in the certificate the district signed. It signs twice, for two purposes:
 *   - `card` (P2 81) before the PIN is sent: a forged card is caught before it can harvest a PIN;
 *   - `holder` (P2 82) after: the card refuses it (6982) unless the PIN was verified on it since
 *     power-up, so the signature proves the card itself accepted the PIN — a card that merely
 *     answered 9000 to VERIFY cannot produce it.
 * The signed message is SHA-256 over a domain label, the purpose byte and the challenge, so a
 * signature for one purpose (or for any other protocol) never passes for another.
 */
import { fromHex } from '../pcsc/apdu.ts';

/**
 * F0 = a proprietary, unregistered AID (ISO/IEC 7816-5 §5.2: category 'F'), then ASCII
 * "MASHANG" and the application version 01.
 */
export const STAFF_AID = fromHex('F04D415348414E4701');

export const STAFF_INS = {
  SELECT: 0xa4,
  VERIFY: 0x20,
  GET_DATA: 0xca,
  INTERNAL_AUTHENTICATE: 0x88,
} as const;

/** VERIFY P2: b8 = 1 "specific (application) reference data", PIN number 1 (ISO 7816-4 §11.5.6). */
export const PIN_REFERENCE = 0x81;

/** GET DATA P1-P2 = the tag of the data object (ISO 7816-4 §11.4.3): the certificate, 7F21. */
export const CERTIFICATE_TAG = 0x7f21;

/** INTERNAL AUTHENTICATE P2: which authentication the signature is for. */
export const AUTH_PURPOSE = { card: 0x81, holder: 0x82 } as const;
export type AuthPurpose = keyof typeof AUTH_PURPOSE;

/** The label in front of every signed challenge (domain separation). */
export const SIGNATURE_LABEL = new TextEncoder().encode('MASHANG-STAFF-AUTH-V1');

/** A fresh challenge per signature: 32 random bytes, never reused. */
export const CHALLENGE_BYTES = 32;
/** The card refuses challenges outside this range (a short challenge is a replay risk). */
export const CHALLENGE_RANGE = { min: 16, max: 64 } as const;

/** ECDSA P-256 signatures as r‖s, 32 bytes each (IEEE P1363): fixed length, simple to bound. */
export const SIGNATURE_BYTES = 64;

export const PIN_RULES = { minLength: 4, maxLength: 12, pattern: /^\d{4,12}$/ } as const;
/** Wrong PINs in a row before the card blocks (the counter is on the card, persisted). */
export const PIN_MAX_TRIES = 3;

export function signedMessage(purpose: AuthPurpose, challenge: Uint8Array): Uint8Array {
  const out = new Uint8Array(SIGNATURE_LABEL.length + 1 + challenge.length);
  out.set(SIGNATURE_LABEL);
  out[SIGNATURE_LABEL.length] = AUTH_PURPOSE[purpose];
  out.set(challenge, SIGNATURE_LABEL.length + 1);
  return out;
}

export const selectStaffCommand = (): Uint8Array =>
  new Uint8Array([0x00, STAFF_INS.SELECT, 0x04, 0x00, STAFF_AID.length, ...STAFF_AID]);
export const getCertificateCommand = (): Uint8Array =>
  new Uint8Array([0x00, STAFF_INS.GET_DATA, CERTIFICATE_TAG >> 8, CERTIFICATE_TAG & 0xff, 0x00]);
export const verifyPinCommand = (pin: string): Uint8Array => {
  const digits = new TextEncoder().encode(pin);
  return new Uint8Array([0x00, STAFF_INS.VERIFY, 0x00, PIN_REFERENCE, digits.length, ...digits]);
};
/** VERIFY with no data: asks the counter without spending a try (ISO 7816-4 §11.5.6). */
export const pinStatusCommand = (): Uint8Array =>
  new Uint8Array([0x00, STAFF_INS.VERIFY, 0x00, PIN_REFERENCE]);
export const internalAuthenticateCommand = (
  purpose: AuthPurpose,
  challenge: Uint8Array,
): Uint8Array =>
  new Uint8Array([
    0x00,
    STAFF_INS.INTERNAL_AUTHENTICATE,
    0x00,
    AUTH_PURPOSE[purpose],
    challenge.length,
    ...challenge,
    0x00,
  ]);
