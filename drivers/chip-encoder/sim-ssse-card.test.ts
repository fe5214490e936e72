import { describe, expect, it } from 'vitest';
import { fromHex, hex, parseResponse } from '../pcsc/apdu.ts';
import { SimulatedSsseCard, simulatedCryptogram, SSSE_AID } from './sim-ssse-card.ts';

const SELECT = new Uint8Array([0x00, 0xa4, 0x04, 0x00, SSSE_AID.length, ...SSSE_AID]);
const UPDATE_NAME = fromHex('00DC023405' + '0903E5BCA0');
const sw = (bytes: Uint8Array) => parseResponse(bytes)!.sw;

function authenticate(card: SimulatedSsseCard, cryptogram?: Uint8Array): number {
  const challenge = parseResponse(card.process(fromHex('0084000008')))!.data;
  const answer = cryptogram ?? simulatedCryptogram(card.identification, challenge);
  return sw(card.process(new Uint8Array([0x00, 0x82, 0x00, 0x00, answer.length, ...answer])));
}

describe('a blank social-security card', () => {
  it('refuses UPDATE RECORD before external authentication succeeds', () => {
    const card = new SimulatedSsseCard();
    expect(sw(card.process(SELECT))).toBe(0x9000);
    expect(sw(card.process(UPDATE_NAME))).toBe(0x6982);
    expect(authenticate(card, new Uint8Array(8))).toBe(0x6982);
    expect(sw(card.process(UPDATE_NAME))).toBe(0x6982);
    expect(authenticate(card)).toBe(0x9000);
    expect(sw(card.process(UPDATE_NAME))).toBe(0x9000);
    expect(hex(parseResponse(card.process(fromHex('00B2023400')))!.data)).toBe('0903E5BCA0');
  });

  it('accepts one cryptogram per challenge: a replayed one fails', () => {
    const card = new SimulatedSsseCard();
    card.process(SELECT);
    const challenge = parseResponse(card.process(fromHex('0084000008')))!.data;
    const cryptogram = simulatedCryptogram(card.identification, challenge);
    const externalAuthenticate = new Uint8Array([0x00, 0x82, 0x00, 0x00, 8, ...cryptogram]);
    expect(sw(card.process(externalAuthenticate))).toBe(0x9000);
    expect(sw(card.process(externalAuthenticate))).toBe(0x6982);
  });

  it('forgets its authentication at power-up, but keeps what was written', () => {
    const written: string[] = [];
    const card = new SimulatedSsseCard(undefined, {
      onChange: (s) => written.push(s.records['6:2']!),
    });
    card.process(SELECT);
    authenticate(card);
    card.process(UPDATE_NAME);
    card.reset();
    card.process(SELECT);
    expect(sw(card.process(UPDATE_NAME))).toBe(0x6982);
    expect(written).toEqual(['0903E5BCA0']);
    const restored = new SimulatedSsseCard(undefined, { snapshot: card.snapshot() });
    restored.process(SELECT);
    expect(hex(restored.identification)).toBe(hex(card.identification));
    expect(hex(parseResponse(restored.process(fromHex('00B2023400')))!.data)).toBe('0903E5BCA0');
  });

  it('reads a record by tag, and answers a short Le with the exact length', () => {
    const card = new SimulatedSsseCard(fromHex('330100D156000005AABBCCDDEEFF0011'));
    card.process(SELECT);
    expect(hex(parseResponse(card.process(fromHex('00B2012800')))!.data)).toBe(
      '0110330100D156000005AABBCCDDEEFF0011',
    );
    expect(sw(card.process(fromHex('00B2012C04')))).toBe(0x6c12);
  });
});
