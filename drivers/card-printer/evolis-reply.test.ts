import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVOLIS_ERRORS, MAX_TEXT_BYTES } from './evolis-protocol.ts';
import {
  encodeEvolisReply,
  EvolisReplyDecoder,
  parseEvolisReply,
  type EvolisReply,
} from './evolis-reply.ts';

const ascii = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));

describe('Evolis replies', () => {
  it('reads OK, an error and a value, with or without the CR the guide never promises', () => {
    expect(parseEvolisReply(ascii('OK\r'))).toEqual({ kind: 'ok' });
    expect(parseEvolisReply(ascii('OK'))).toEqual({ kind: 'ok' });
    expect(parseEvolisReply(ascii('ERR NEED CLEANING\r'))).toEqual({
      kind: 'error',
      code: 'cleaningDue',
      text: 'ERR NEED CLEANING',
    });
    expect(parseEvolisReply(ascii('ERR SOMETHING NEW\r\n'))).toEqual({
      kind: 'error',
      code: 'unknown',
      text: 'ERR SOMETHING NEW',
    });
    expect(parseEvolisReply(ascii('1.2.3\r'))).toEqual({ kind: 'value', text: '1.2.3' });
  });

  it('calls noise noise: control bytes, nothing, or more than a reply can hold', () => {
    expect(parseEvolisReply(Uint8Array.from([0x4f, 0x9b, 0x4b]))).toMatchObject({
      kind: 'garbled',
      reason: 'notText',
    });
    expect(parseEvolisReply(ascii('\r'))).toMatchObject({ kind: 'garbled', reason: 'empty' });
    expect(parseEvolisReply(ascii('A'.repeat(MAX_TEXT_BYTES + 1)))).toMatchObject({
      kind: 'garbled',
      reason: 'tooLong',
    });
  });

  it('decodes a stream: a frame per CR, and what silence leaves over', () => {
    const decoder = new EvolisReplyDecoder();
    const events = decoder.push(ascii('OK\rCARD IN'));
    expect(events).toEqual([{ type: 'frame', frame: { kind: 'ok' } }]);
    expect(decoder.bufferedBytes).toBe(7);
    decoder.push(ascii(' EXIT'));
    expect(decoder.endOfSilence()).toEqual({ kind: 'value', text: 'CARD IN EXIT' });
    expect(decoder.endOfSilence()).toBeNull();
  });

  const reply: fc.Arbitrary<EvolisReply> = fc.oneof(
    fc.constant<EvolisReply>({ kind: 'ok' }),
    fc
      .constantFrom(...(Object.entries(EVOLIS_ERRORS) as [string, never][]))
      .map(([text, code]) => ({ kind: 'error', code, text }) as EvolisReply),
    fc
      .stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,40}[\x21-\x7e])?$/)
      .filter((t) => t !== 'OK' && t !== 'ERR' && !t.startsWith('ERR '))
      .map((text) => ({ kind: 'value', text }) as EvolisReply),
  );

  it('round-trips every reply, ended by CR or by silence', () => {
    fc.assert(
      fc.property(reply, fc.boolean(), (r, terminated) => {
        const decoder = new EvolisReplyDecoder();
        const events = decoder.push(encodeEvolisReply(r, terminated));
        const frame = terminated ? (events[0] as { frame: unknown }).frame : decoder.endOfSilence();
        expect(frame).toEqual(r);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws and never buffers past one reply, on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 6 }), (chunks) => {
        const decoder = new EvolisReplyDecoder();
        for (const chunk of chunks) {
          decoder.push(chunk);
          expect(decoder.bufferedBytes).toBeLessThanOrEqual(MAX_TEXT_BYTES);
        }
        decoder.endOfSilence();
        expect(decoder.bufferedBytes).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});
