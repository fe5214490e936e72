import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createAnswerDecoder,
  createCommandDecoder,
  encodeAnswer,
  encodeCommand,
  GAT467_MAX_BUFFERED,
  GAT467_MAX_LEN,
  GAT467_PREAMBLE,
  type Gat467Answer,
  type Gat467Command,
  type Gat467Decoder,
} from './gat467-frame.ts';

/** Hex as printed in the vendors' programming guides, spaces and all. */
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
const noData = new Uint8Array(0);

function decodeAll<F>(decoder: Gat467Decoder<F>, chunks: Uint8Array[]) {
  const frames: F[] = [];
  const errors: string[] = [];
  for (const chunk of chunks) {
    for (const event of decoder.push(chunk)) {
      if (event.type === 'frame') frames.push(event.frame);
      else errors.push(event.error.kind);
    }
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(GAT467_MAX_BUFFERED);
  }
  return { frames, errors };
}

/** Splits bytes at the given cut points (any order, any values). */
function chunked(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, data.length]) {
    chunks.push(data.subarray(from, point));
    from = point;
  }
  return chunks;
}

const concat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));

describe('GA/T 467 frames against the published byte vectors', () => {
  // Vectors copied from public GA/T 467 programming guides and forum traces, not from our encoder.
  const commands: [string, Gat467Command, string][] = [
    [
      'find card',
      { command: 0x20, parameter: 0x01, data: noData },
      'AA AA AA 96 69 00 03 20 01 22',
    ],
    [
      'select card',
      { command: 0x20, parameter: 0x02, data: noData },
      'AA AA AA 96 69 00 03 20 02 21',
    ],
    [
      'read text and photo',
      { command: 0x30, parameter: 0x01, data: noData },
      'AA AA AA 96 69 00 03 30 01 32',
    ],
    [
      'read SAM id',
      { command: 0x12, parameter: 0xff, data: noData },
      'AA AA AA 96 69 00 03 12 FF EE',
    ],
  ];
  it.each(commands)('encodes %s as the guides print it', (_name, command, hex) => {
    expect(Buffer.from(encodeCommand(command)).toString('hex')).toBe(
      Buffer.from(bytes(hex)).toString('hex'),
    );
    const { frames, errors } = decodeAll(createCommandDecoder(), [bytes(hex)]);
    expect(errors).toEqual([]);
    expect(frames).toEqual([command]);
  });

  const answers: [string, string, number, number][] = [
    ['card found', 'AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97', 0x9f, 4],
    ['card selected', 'AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C', 0x90, 8],
    ['find failed', 'AA AA AA 96 69 00 04 00 00 80 84', 0x80, 0],
    ['select failed', 'AA AA AA 96 69 00 04 00 00 81 85', 0x81, 0],
  ];
  it.each(answers)(
    'decodes the "%s" answer and encodes it back byte for byte',
    (_name, hex, status, dataBytes) => {
      const { frames, errors } = decodeAll(createAnswerDecoder(), [bytes(hex)]);
      expect(errors).toEqual([]);
      expect(frames).toHaveLength(1);
      expect(frames[0]!.status).toBe(status);
      expect(frames[0]!.data.length).toBe(dataBytes);
      expect(Buffer.from(encodeAnswer(frames[0]!)).equals(Buffer.from(bytes(hex)))).toBe(true);
    },
  );

  it('frames a read-text answer with LEN 05 08 (3 status + 4 lengths + 256 + 1024 + checksum)', () => {
    const data = new Uint8Array(4 + 256 + 1024);
    data.set([0x01, 0x00, 0x04, 0x00]);
    const frame = encodeAnswer({ status: 0x90, data });
    expect(Buffer.from(frame.subarray(0, 14)).toString('hex')).toBe(
      'aaaaaa966905080000900100' + '0400',
    );
    expect(frame.length).toBe(7 + 0x0508);
    // The checksum covers LEN's high byte too (here 05, where every short vector has 00).
    const xorFromLen = frame.subarray(5, -1).reduce((sum, b) => sum ^ b, 0);
    expect(frame.at(-1)).toBe(xorFromLen);
    expect(xorFromLen).not.toBe(frame.subarray(6, -1).reduce((sum, b) => sum ^ b, 0));
  });
});

describe('the GA/T 467 decoder on a real line', () => {
  it('finds a frame after noise and across any split', () => {
    const frame = bytes('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97');
    const line = concat(bytes('00 FF AA AA 13 AA'), frame, bytes('AA AA'));
    for (let cut = 0; cut <= line.length; cut++) {
      const { frames } = decodeAll(createAnswerDecoder(), [
        line.subarray(0, cut),
        line.subarray(cut),
      ]);
      expect(frames.map((f) => f.status)).toEqual([0x9f]);
    }
  });

  it('reports a wrong checksum and still decodes the whole frame that follows a half one', () => {
    const found = bytes('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97');
    const corrupt = Uint8Array.from(found);
    corrupt[corrupt.length - 1]! ^= 0x01;
    const first = decodeAll(createAnswerDecoder(), [concat(corrupt, found)]);
    expect(first.errors).toContain('badChecksum');
    expect(first.frames).toHaveLength(1);
    // A half frame whose LEN is short enough to be completed by the next frame's bytes.
    const half = found.subarray(0, 9);
    const second = decodeAll(createAnswerDecoder(), [concat(half, found)]);
    expect(second.frames).toHaveLength(1);
    expect(second.errors).toContain('badChecksum');
  });

  it('does not wait for a length no frame can have', () => {
    const decoder = createAnswerDecoder();
    const { errors } = decodeAll(decoder, [bytes('AA AA AA 96 69 FF FF 00 00 90')]);
    expect(errors).toContain('badLength');
    expect(decoder.bufferedBytes).toBeLessThan(GAT467_PREAMBLE.length);
  });

  it('tells a body too short to be an answer from a real answer', () => {
    // A well-framed command body (2 bytes) arriving where an answer (3+) is expected.
    const { frames, errors } = decodeAll(createAnswerDecoder(), [
      bytes('AA AA AA 96 69 00 03 20 01 22'),
    ]);
    expect(frames).toEqual([]);
    expect(errors).toEqual(['shortBody']);
  });
});

describe('fuzzing the GA/T 467 decoder', () => {
  const command = fc.record({
    command: fc.integer({ min: 0, max: 255 }),
    parameter: fc.integer({ min: 0, max: 255 }),
    data: fc.uint8Array({ maxLength: GAT467_MAX_LEN - 3 }),
  });
  const answer = fc.record({
    sw1: fc.integer({ min: 0, max: 255 }),
    sw2: fc.integer({ min: 0, max: 255 }),
    status: fc.integer({ min: 0, max: 255 }),
    data: fc.uint8Array({ maxLength: GAT467_MAX_LEN - 4 }),
  });
  /** Noise that cannot contain a whole preamble (a preamble in noise is a frame start by definition). */
  const noise = fc
    .uint8Array({ maxLength: 64 })
    .filter((n) => Buffer.from(n).indexOf(Buffer.from(GAT467_PREAMBLE)) < 0);
  const cuts = fc.array(fc.nat(), { maxLength: 8 });

  it('never throws, never holds more than one frame, on arbitrary bytes in arbitrary chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 12 }), (chunks) => {
        for (const decoder of [createAnswerDecoder(), createCommandDecoder()]) {
          let events = 0;
          let total = 0;
          for (const chunk of chunks) {
            total += chunk.length;
            events += decoder.push(chunk).length;
            expect(decoder.bufferedBytes).toBeLessThanOrEqual(GAT467_MAX_BUFFERED);
          }
          expect(events).toBeLessThanOrEqual(total + chunks.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('survives preamble-dense input (every byte a possible frame start) in bounded memory', () => {
    const decoder = createAnswerDecoder();
    // Preambles claiming the longest LEN, over and over: each one is buffered, then refuted.
    const trap = concat(GAT467_PREAMBLE, Uint8Array.of(GAT467_MAX_LEN >> 8, GAT467_MAX_LEN & 0xff));
    for (let i = 0; i < 2000; i++) {
      decoder.push(trap);
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(GAT467_MAX_BUFFERED);
    }
    decoder.push(new Uint8Array(GAT467_MAX_BUFFERED).fill(0xaa));
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(GAT467_MAX_BUFFERED);
  });

  it('round-trips every command through noise and any split', () => {
    fc.assert(
      fc.property(command, noise, cuts, (c, n, at) => {
        const { frames, errors } = decodeAll(
          createCommandDecoder(),
          chunked(concat(n, encodeCommand(c)), at),
        );
        expect(frames).toEqual([c]);
        expect(errors.every((e) => e === 'noise')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips every answer through noise and any split', () => {
    fc.assert(
      fc.property(answer, noise, cuts, (a, n, at) => {
        const { frames } = decodeAll(
          createAnswerDecoder(),
          chunked(concat(n, encodeAnswer(a)), at),
        );
        expect(frames).toEqual<Gat467Answer[]>([a]);
      }),
      { numRuns: 200 },
    );
  });

  it('never delivers a frame with a flipped bit in its body or checksum', () => {
    fc.assert(
      fc.property(answer, fc.nat(), fc.integer({ min: 0, max: 7 }), (a, where, bit) => {
        const frame = encodeAnswer(a);
        const damaged = Uint8Array.from(frame);
        const index = 7 + (where % (frame.length - 7));
        damaged[index]! ^= 1 << bit;
        const { frames, errors } = decodeAll(createAnswerDecoder(), [damaged]);
        expect(frames).toEqual([]);
        expect(errors).toContain('badChecksum');
      }),
      { numRuns: 300 },
    );
  });
});
