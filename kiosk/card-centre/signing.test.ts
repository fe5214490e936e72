import { describe, expect, it } from 'vitest';
import {
  canonicalRequest,
  signAnswer,
  signRequest,
  verifyAnswer,
  verifyRequest,
  type SignedRequestParts,
} from './signing.ts';

const key = new Uint8Array(32).map((_, i) => i);
const request: SignedRequestParts = {
  method: 'POST',
  path: '/v1/losses',
  kioskId: 'demo-001',
  timestamp: '1740794400000',
  nonce: '00112233445566778899aabbccddeeff',
  idempotencyKey: '3f2a9c1d:loss',
  body: Buffer.from('{"idNumber":"330106195804120318","cardNo":"A10000001"}'),
};

describe('request signatures (the scheme in the OpenAPI document)', () => {
  it('signs the canonical lines an integrator can rebuild: scheme, method, path, kiosk, time, nonce, key, body hash', () => {
    expect(canonicalRequest(request).split('\n')).toEqual([
      'MASHANG-HMAC-SHA256-v1',
      'POST',
      '/v1/losses',
      'demo-001',
      '1740794400000',
      '00112233445566778899aabbccddeeff',
      '3f2a9c1d:loss',
      // sha256 of the body bytes, hex
      expect.stringMatching(/^[0-9a-f]{64}$/),
    ]);
    expect(signRequest(key, request)).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyRequest(key, request, signRequest(key, request))).toBe(true);
  });

  it('fails when any signed part changes, or with another key', () => {
    const signature = signRequest(key, request);
    const changes: Partial<SignedRequestParts>[] = [
      { method: 'GET' },
      { path: '/v1/applications' },
      { kioskId: 'demo-002' },
      { timestamp: '1740794400001' },
      { nonce: 'ff112233445566778899aabbccddeeff' },
      { idempotencyKey: undefined },
      { body: Buffer.from('{"idNumber":"330106195804120318","cardNo":"A10000002"}') },
    ];
    for (const change of changes)
      expect(
        verifyRequest(key, { ...request, ...change }, signature),
        JSON.stringify(Object.keys(change)),
      ).toBe(false);
    expect(verifyRequest(new Uint8Array(32), request, signature)).toBe(false);
    expect(verifyRequest(key, request, undefined)).toBe(false);
    expect(verifyRequest(key, request, 'v1=00')).toBe(false);
  });

  it("binds an answer to its request's nonce and status, so an answer cannot be replayed for another request", () => {
    const answer = {
      nonce: request.nonce,
      status: 200,
      body: Buffer.from('{"alreadyReported":false}'),
    };
    const signature = signAnswer(key, answer);
    expect(verifyAnswer(key, answer, signature)).toBe(true);
    expect(verifyAnswer(key, { ...answer, nonce: 'another' }, signature)).toBe(false);
    expect(verifyAnswer(key, { ...answer, status: 409 }, signature)).toBe(false);
    expect(
      verifyAnswer(key, { ...answer, body: Buffer.from('{"alreadyReported":true}') }, signature),
    ).toBe(false);
  });
});
