/**
 * A staff card's certificate: who the card belongs to, what they may do, until when, and the
 * card's public key — signed by the district. Laid out like a card-verifiable certificate
 * (BSI TR-03110 / ISO 7816-8 tags), which any card can store and any kiosk parse with a TLV reader:
 *
 *   7F21 certificate
 *     7F4E body (what the district signs, as encoded)
 *       5F29 profile            01
 *       42   issuer             district code, 6 ASCII digits (GB/T 2260)
 *       5F20 holder             staff id, 1–16 ASCII [A-Za-z0-9-]
 *       5F4C role               01 staff, 02 technician
 *       C1   serial             8 bytes (what revocation lists name)
 *       5F25 valid from         BCD YYYYMMDD
 *       5F24 valid to           BCD YYYYMMDD (inclusive)
 *       7F49 public key
 *         86 point              65 bytes, uncompressed P-256 (04 ‖ X ‖ Y)
 *     5F37 signature            ECDSA P-256 / SHA-256 over the body element, r‖s (64 bytes)
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { err, ok, type Result } from '../common/result.ts';
import { concatBytes, decodeTlvs, encodeTlv, findTlv } from '../pcsc/ber-tlv.ts';
import { SIGNATURE_BYTES } from './staff-card-protocol.ts';

export const CERTIFICATE_TAGS = {
  certificate: 0x7f21,
  body: 0x7f4e,
  profile: 0x5f29,
  issuer: 0x42,
  holder: 0x5f20,
  role: 0x5f4c,
  /** Private-class tag: CV certificates have no serial; ours need one for revocation. */
  serial: 0xc1,
  validFrom: 0x5f25,
  validTo: 0x5f24,
  publicKey: 0x7f49,
  point: 0x86,
  signature: 0x5f37,
} as const;

export const CERTIFICATE_PROFILE = 0x01;

export const STAFF_ROLES = { staff: 0x01, technician: 0x02 } as const;
export type StaffRole = keyof typeof STAFF_ROLES;

export const STAFF_ID_PATTERN = /^[A-Za-z0-9-]{1,16}$/;
const POINT_BYTES = 65;
const SERIAL_BYTES = 8;

export interface CertificateFields {
  district: string;
  staffId: string;
  role: StaffRole;
  /** 16 hex digits. */
  serial: string;
  /** YYYYMMDD, inclusive. */
  validFrom: string;
  validTo: string;
  /** The card's public key, uncompressed point. */
  publicKey: Uint8Array;
}

export interface StaffCertificate extends CertificateFields {
  /** The encoded body element: what the signature covers. */
  body: Uint8Array;
  signature: Uint8Array;
}

export function issueCertificate(
  fields: CertificateFields,
  districtPrivateKey: KeyObject,
): Uint8Array {
  if (!/^\d{6}$/.test(fields.district)) throw new RangeError('district: 6 digits');
  if (!STAFF_ID_PATTERN.test(fields.staffId))
    throw new RangeError('staffId: 1–16 of A–Z a–z 0–9 -');
  if (!/^[0-9A-Fa-f]{16}$/.test(fields.serial)) throw new RangeError('serial: 16 hex digits');
  if (fields.publicKey.length !== POINT_BYTES)
    throw new RangeError('publicKey: uncompressed P-256 point');
  const ascii = (text: string) => new TextEncoder().encode(text);
  const body = encodeTlv(
    CERTIFICATE_TAGS.body,
    concatBytes(
      encodeTlv(CERTIFICATE_TAGS.profile, new Uint8Array([CERTIFICATE_PROFILE])),
      encodeTlv(CERTIFICATE_TAGS.issuer, ascii(fields.district)),
      encodeTlv(CERTIFICATE_TAGS.holder, ascii(fields.staffId)),
      encodeTlv(CERTIFICATE_TAGS.role, new Uint8Array([STAFF_ROLES[fields.role]])),
      encodeTlv(CERTIFICATE_TAGS.serial, new Uint8Array(Buffer.from(fields.serial, 'hex'))),
      encodeTlv(CERTIFICATE_TAGS.validFrom, bcdDate(fields.validFrom)),
      encodeTlv(CERTIFICATE_TAGS.validTo, bcdDate(fields.validTo)),
      encodeTlv(CERTIFICATE_TAGS.publicKey, encodeTlv(CERTIFICATE_TAGS.point, fields.publicKey)),
    ),
  );
  const signature = new Uint8Array(
    sign('sha256', body, { key: districtPrivateKey, dsaEncoding: 'ieee-p1363' }),
  );
  return encodeTlv(
    CERTIFICATE_TAGS.certificate,
    concatBytes(body, encodeTlv(CERTIFICATE_TAGS.signature, signature)),
  );
}

/** Parses a certificate; any deviation from the layout above is an error (a card's bytes, never trusted). */
export function decodeCertificate(bytes: Uint8Array): Result<StaffCertificate, string> {
  const outer = decodeTlvs(bytes);
  if (!outer.ok || outer.value.length !== 1 || outer.value[0]!.tag !== CERTIFICATE_TAGS.certificate)
    return err('not a certificate element');
  const parts = decodeTlvs(outer.value[0]!.value);
  if (!parts.ok) return err(`certificate: ${parts.error.detail}`);
  const bodyElement = findTlv(parts.value, CERTIFICATE_TAGS.body);
  const signature = findTlv(parts.value, CERTIFICATE_TAGS.signature);
  if (!bodyElement || !signature || parts.value.length !== 2)
    return err('certificate needs exactly a body and a signature');
  if (signature.value.length !== SIGNATURE_BYTES) return err('signature length');
  const fields = decodeTlvs(bodyElement.value);
  if (!fields.ok) return err(`body: ${fields.error.detail}`);
  const get = (tag: number) => findTlv(fields.value, tag)?.value;
  const profile = get(CERTIFICATE_TAGS.profile);
  if (!profile || profile.length !== 1 || profile[0] !== CERTIFICATE_PROFILE)
    return err('unknown profile');
  const district = ascii(get(CERTIFICATE_TAGS.issuer));
  if (!district || !/^\d{6}$/.test(district)) return err('issuer');
  const staffId = ascii(get(CERTIFICATE_TAGS.holder));
  if (!staffId || !STAFF_ID_PATTERN.test(staffId)) return err('holder');
  const roleByte = get(CERTIFICATE_TAGS.role);
  const role = (Object.keys(STAFF_ROLES) as StaffRole[]).find(
    (r) => roleByte?.length === 1 && STAFF_ROLES[r] === roleByte[0],
  );
  if (!role) return err('role');
  const serial = get(CERTIFICATE_TAGS.serial);
  if (!serial || serial.length !== SERIAL_BYTES) return err('serial');
  const validFrom = readBcdDate(get(CERTIFICATE_TAGS.validFrom));
  const validTo = readBcdDate(get(CERTIFICATE_TAGS.validTo));
  if (!validFrom || !validTo) return err('validity dates');
  const keyElement = get(CERTIFICATE_TAGS.publicKey);
  const key = keyElement ? decodeTlvs(keyElement) : null;
  const point = key?.ok ? findTlv(key.value, CERTIFICATE_TAGS.point)?.value : undefined;
  if (!point || point.length !== POINT_BYTES || point[0] !== 0x04) return err('public key');
  return ok({
    district,
    staffId,
    role,
    serial: Buffer.from(serial).toString('hex').toUpperCase(),
    validFrom,
    validTo,
    publicKey: new Uint8Array(point),
    body: new Uint8Array(bodyElement.raw),
    signature: new Uint8Array(signature.value),
  });
}

export function certificateSignedBy(
  certificate: StaffCertificate,
  districtPublicKey: KeyObject,
): boolean {
  try {
    return verify(
      'sha256',
      certificate.body,
      { key: districtPublicKey, dsaEncoding: 'ieee-p1363' },
      certificate.signature,
    );
  } catch {
    return false;
  }
}

/** A KeyObject for an uncompressed P-256 point; null if the point is not on the curve. */
export function publicKeyFromPoint(point: Uint8Array): KeyObject | null {
  if (point.length !== POINT_BYTES || point[0] !== 0x04) return null;
  try {
    return createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: Buffer.from(point.subarray(1, 33)).toString('base64url'),
        y: Buffer.from(point.subarray(33)).toString('base64url'),
      },
      format: 'jwk',
    });
  } catch {
    return null;
  }
}

export function pointFromPublicKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new RangeError('a P-256 public key is needed');
  return concatBytes(
    new Uint8Array([0x04]),
    Buffer.from(jwk.x, 'base64url'),
    Buffer.from(jwk.y, 'base64url'),
  );
}

function bcdDate(date: string): Uint8Array {
  if (!/^\d{8}$/.test(date)) throw new RangeError(`date ${date}: YYYYMMDD`);
  return new Uint8Array(Buffer.from(date, 'hex'));
}

function readBcdDate(bytes: Uint8Array | undefined): string | null {
  if (!bytes || bytes.length !== 4) return null;
  const digits = Buffer.from(bytes).toString('hex');
  return /^\d{8}$/.test(digits) ? digits : null;
}

function ascii(bytes: Uint8Array | undefined): string | null {
  if (!bytes) return null;
  for (const b of bytes) if (b < 0x20 || b > 0x7e) return null;
  return Buffer.from(bytes).toString('latin1');
}
