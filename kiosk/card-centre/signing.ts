/**
 * How a kiosk proves itself to the card centre, and the centre proves its answers: HMAC-SHA256
 * with the kiosk's own 32-byte key (`cardCentreKey` in the kiosk's secrets file, never in
 * kiosk.config.json). The scheme is stated in the OpenAPI document (`SIGNING_DESCRIPTION`) so a
 * province can implement it; the same text is the reference for this code.
 *
 * Request: the kiosk sends
 *   X-Mashang-Kiosk: <kiosk id>
 *   X-Mashang-Timestamp: <Unix time in milliseconds>
 *   X-Mashang-Nonce: <16 random bytes, hex; new for every attempt>
 *   Idempotency-Key: <key>            (mutating operations)
 *   X-Mashang-Signature: v1=<hex HMAC-SHA256(key, canonical request)>
 * canonical request = the lines, joined by "\n":
 *   MASHANG-HMAC-SHA256-v1, METHOD, path with query, kiosk id, timestamp, nonce,
 *   idempotency key (empty when none), hex SHA-256 of the body bytes (of the empty string when none)
 *
 * Answer: the centre signs every answer to an authenticated request with the same key:
 *   X-Mashang-Signature: v1=<hex HMAC-SHA256(key, canonical answer)>
 * canonical answer = MASHANG-HMAC-SHA256-v1-ANSWER, the request's nonce, the HTTP status,
 *   hex SHA-256 of the body bytes — so an answer cannot be forged or moved to another request.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADERS = {
  kiosk: 'x-mashang-kiosk',
  timestamp: 'x-mashang-timestamp',
  nonce: 'x-mashang-nonce',
  signature: 'x-mashang-signature',
  idempotencyKey: 'idempotency-key',
} as const;

const REQUEST_SCHEME = 'MASHANG-HMAC-SHA256-v1';
const ANSWER_SCHEME = 'MASHANG-HMAC-SHA256-v1-ANSWER';
const VERSION_PREFIX = 'v1=';

/**
 * How far a request's timestamp may be from the centre's clock. Beyond it the centre answers
 * CLOCK_SKEW with its own time, and the client signs again with the corrected time.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export interface SignedRequestParts {
  method: string;
  /** Path and query as sent, e.g. `/v1/payments/K1-0001`. */
  path: string;
  kioskId: string;
  timestamp: string;
  nonce: string;
  idempotencyKey: string | undefined;
  body: Uint8Array;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export function canonicalRequest(parts: SignedRequestParts): string {
  return [
    REQUEST_SCHEME,
    parts.method.toUpperCase(),
    parts.path,
    parts.kioskId,
    parts.timestamp,
    parts.nonce,
    parts.idempotencyKey ?? '',
    sha256(parts.body),
  ].join('\n');
}

export function signRequest(key: Uint8Array, parts: SignedRequestParts): string {
  return VERSION_PREFIX + createHmac('sha256', key).update(canonicalRequest(parts)).digest('hex');
}

export function verifyRequest(
  key: Uint8Array,
  parts: SignedRequestParts,
  signature: string | undefined,
): boolean {
  return equalSignatures(signRequest(key, parts), signature);
}

export function signAnswer(
  key: Uint8Array,
  answer: { nonce: string; status: number; body: Uint8Array },
): string {
  const canonical = [ANSWER_SCHEME, answer.nonce, String(answer.status), sha256(answer.body)].join(
    '\n',
  );
  return VERSION_PREFIX + createHmac('sha256', key).update(canonical).digest('hex');
}

export function verifyAnswer(
  key: Uint8Array,
  answer: { nonce: string; status: number; body: Uint8Array },
  signature: string | undefined,
): boolean {
  return equalSignatures(signAnswer(key, answer), signature);
}

function equalSignatures(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The scheme for the OpenAPI document: what an integrator implements. */
export const SIGNING_DESCRIPTION = `Every request is signed by the kiosk with HMAC-SHA256 and its own 32-byte key (provisioned with the kiosk, known to the centre by kiosk id). Headers:

- \`X-Mashang-Kiosk\`: the kiosk id
- \`X-Mashang-Timestamp\`: Unix time in milliseconds
- \`X-Mashang-Nonce\`: 16 random bytes as hex, new for every attempt (the centre refuses a nonce it has seen within the timestamp window)
- \`Idempotency-Key\`: on mutating operations
- \`X-Mashang-Signature\`: \`v1=\` + hex HMAC-SHA256(key, canonical request)

The canonical request is these lines joined by a line feed (\\n): \`${REQUEST_SCHEME}\`, the method in capitals, the path with its query as sent, the kiosk id, the timestamp, the nonce, the idempotency key (empty when none), and the hex SHA-256 of the body bytes (of nothing for a GET).

The centre refuses a missing or wrong signature with 401 UNAUTHENTICATED, and a timestamp more than ${MAX_CLOCK_SKEW_MS / 60_000} minutes from its clock with 401 CLOCK_SKEW carrying \`serverTime\` (except on \`GET /v1/time\`, whose timestamp is not checked). The kiosk then signs again with the centre's time.

The centre signs every answer to an authenticated request with the same key: \`X-Mashang-Signature: v1=\` + hex HMAC-SHA256(key, canonical answer), the canonical answer being the lines \`${ANSWER_SCHEME}\`, the request's nonce, the HTTP status, and the hex SHA-256 of the body bytes. The kiosk refuses an answer without a valid signature.

Over a network that is not the kiosk's own machine, the transport is HTTPS; the signature does not replace it (it proves who speaks, not secrecy).`;
