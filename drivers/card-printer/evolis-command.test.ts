import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MONO_PANEL_BYTES } from '../../printer-templates/card-face/card-geometry.ts';
import { panelByteLength } from './card-panels.ts';
import {
  encodeEvolisCommand,
  EvolisCommandDecoder,
  isEncodable,
  type DecodedCommand,
  type EvolisCommand,
} from './evolis-command.ts';
import { MAX_TEXT_BYTES } from './evolis-protocol.ts';

/** Bytes as the Evolis guide (A5013 Rev E) writes them: `(ESC)Sk;f(CR)`, not from our encoder. */
const guide = (text: string) =>
  Uint8Array.from(Buffer.from(text.replace(/\(ESC\)/g, '\x1b').replace(/\(CR\)/g, '\r'), 'latin1'));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const LARGEST_PANEL = panelByteLength(7);

function decodeAll(chunks: Uint8Array[]): DecodedCommand[] {
  const decoder = new EvolisCommandDecoder();
  const out: DecodedCommand[] = [];
  for (const chunk of chunks) {
    out.push(...decoder.push(chunk));
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(Math.max(MAX_TEXT_BYTES, LARGEST_PANEL));
  }
  return out;
}

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

const commands = (decoded: DecodedCommand[]) =>
  decoded.flatMap((d) => (d.kind === 'command' ? [d.command] : []));

describe('Evolis commands against the programming guide', () => {
  const vectors: [string, EvolisCommand, string][] = [
    ['insert to the contact station', { mnemonic: 'Sis', params: [] }, '(ESC)Sis(CR)'],
    ['host-managed errors', { mnemonic: 'Pem', params: ['2'] }, '(ESC)Pem;2(CR)'],
    ['insert from the feeder', { mnemonic: 'Pmi', params: ['F'] }, '(ESC)Pmi;F(CR)'],
    [
      'feeder finish sensor, detailed (guide p.64 example)',
      { mnemonic: 'Sk', params: ['f', '1'] },
      '(ESC)Sk;f;1(CR)',
    ],
    ['firmware version', { mnemonic: 'Rfv', params: [] }, '(ESC)Rfv(CR)'],
    ['eject into the reject box', { mnemonic: 'Ser', params: [] }, '(ESC)Ser(CR)'],
  ];
  it.each(vectors)('encodes %s byte for byte', (_name, command, text) => {
    expect(hex(encodeEvolisCommand(command))).toBe(hex(guide(text)));
    expect(decodeAll([guide(text)])).toEqual([{ kind: 'command', command }]);
  });

  it('frames a k panel download as ESC Db;k;2; + 1016 × 648 / 8 bytes + CR, CR and ESC allowed inside', () => {
    const data = new Uint8Array(MONO_PANEL_BYTES).fill(0x0d);
    data[10] = 0x1b;
    const bytes = encodeEvolisCommand({ mnemonic: 'Db', params: ['k', '2'], data });
    expect(hex(bytes.subarray(0, 8))).toBe('1b44623b6b3b323b');
    expect(bytes.length).toBe(8 + 82_296 + 1);
    expect(bytes[bytes.length - 1]).toBe(0x0d);
    const [decoded] = decodeAll(chunked(bytes, [3, 9, 40_000]));
    if (decoded?.kind !== 'command') throw new Error('the download did not decode');
    expect(decoded.command.params).toEqual(['k', '2']);
    expect(Buffer.from(decoded.command.data!).equals(Buffer.from(data))).toBe(true);
  });

  it('sizes dye panels by their level: 5, 6 and 7 bits per dot (guide p.14)', () => {
    expect([panelByteLength(5), panelByteLength(6), panelByteLength(7)]).toEqual([
      411_480, 493_776, 576_072,
    ]);
  });

  it('refuses to encode what no printer could take: a CR in a parameter, a k panel at a dye level', () => {
    expect(() => encodeEvolisCommand({ mnemonic: 'Pem', params: ['2\r'] })).toThrow(TypeError);
    expect(() =>
      encodeEvolisCommand({
        mnemonic: 'Db',
        params: ['k', '32'],
        data: new Uint8Array(panelByteLength(5)),
      }),
    ).toThrow(TypeError);
    expect(() =>
      encodeEvolisCommand({ mnemonic: 'Db', params: ['k', '2'], data: new Uint8Array(10) }),
    ).toThrow(TypeError);
  });

  it('takes a command without ESC right after a CR, as the guide allows (p.4)', () => {
    expect(commands(decodeAll([guide('(ESC)Rfv(CR)Rsn(CR)')]))).toEqual([
      { mnemonic: 'Rfv', params: [] },
      { mnemonic: 'Rsn', params: [] },
    ]);
  });

  it('drops noise before an ESC and reports a download header that names no panel', () => {
    const decoded = decodeAll([
      Uint8Array.from([0xff, 0x00, 0x42]),
      guide('(ESC)Sis(CR)(ESC)Db;z;2;'),
    ]);
    expect(decoded[0]).toEqual({ kind: 'invalid', reason: 'interrupted', bytes: 3 });
    expect(decoded[1]).toEqual({ kind: 'command', command: { mnemonic: 'Sis', params: [] } });
    expect(decoded[2]).toMatchObject({ kind: 'invalid', reason: 'badDownload' });
  });
});

const mnemonic = fc.stringMatching(/^[A-Za-z]{1,8}$/);
const param = fc.stringMatching(/^[\x20-\x3a\x3c-\x7e]{0,12}$/);
const textCommand = fc
  .record({ mnemonic, params: fc.array(param, { maxLength: 4 }) })
  .filter((c) => c.mnemonic !== 'Db' && isEncodable(c));

describe('Evolis command codec, fuzzed', () => {
  it('never throws, and never holds more than one command, on arbitrary bytes in arbitrary chunks', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2_000 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (data, cuts) => {
          decodeAll(chunked(data, cuts));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips every text command, however the line splits it', () => {
    fc.assert(
      fc.property(
        fc.array(textCommand, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (list, cuts) => {
          const bytes = Uint8Array.from(Buffer.concat(list.map((c) => encodeEvolisCommand(c))));
          expect(commands(decodeAll(chunked(bytes, cuts)))).toEqual(list);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('round-trips panel downloads at every level with arbitrary bitmap bytes', () => {
    const levels: [string, string, 1 | 5 | 6 | 7][] = [
      ['k', '2', 1],
      ['o', '2', 1],
      ['y', '32', 5],
      ['m', '64', 6],
      ['c', '128', 7],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...levels),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        ([panel, level, bits], seed, cuts) => {
          const params = [panel, level];
          const data = new Uint8Array(panelByteLength(bits));
          for (let i = 0; i < data.length; i++) data[i] = seed[i % 16]! ^ (i & 0xff);
          const decoded = decodeAll(
            chunked(encodeEvolisCommand({ mnemonic: 'Db', params, data }), cuts),
          );
          expect(decoded).toHaveLength(1);
          const [only] = decoded;
          if (only?.kind !== 'command') throw new Error(`not a command: ${JSON.stringify(only)}`);
          expect(only.command.params).toEqual(params);
          expect(Buffer.from(only.command.data!).equals(Buffer.from(data))).toBe(true);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('finds the next command after noise that holds no separator', () => {
    const noise = fc.uint8Array({ maxLength: 300 }).map((b) => b.filter((x) => x !== 0x3b));
    fc.assert(
      fc.property(noise, textCommand, (junk, command) => {
        const bytes = Uint8Array.from(Buffer.concat([junk, encodeEvolisCommand(command)]));
        expect(commands(decodeAll([bytes])).at(-1)).toEqual(command);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes a megabyte of noise in one pass (no backtracking, no unbounded buffer)', () => {
    const noise = new Uint8Array(1 << 20);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2_654_435_761) >>> 24;
    const decoded = decodeAll([noise]);
    expect(decoded.length).toBeGreaterThan(0);
  });
});
