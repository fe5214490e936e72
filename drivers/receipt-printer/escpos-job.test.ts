import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { receiptEscPos, receiptModel } from '../../printer-templates/receipt/receipt.ts';
import {
  encodeEscPos,
  EscPosParser,
  MAX_STORED_DATA,
  MAX_TEXT_RUN,
  type EscPosCommand,
} from './escpos-job.ts';
import { rasterBands } from './escpos-raster.ts';

/** Bytes as PROTOCOLS.md §4 and Epson's reference print them, not from our encoder. */
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function parseAll(chunks: Uint8Array[]): EscPosCommand[] {
  const parser = new EscPosParser();
  const out: EscPosCommand[] = [];
  for (const chunk of chunks) {
    out.push(...parser.push(chunk));
    expect(parser.bufferedBytes).toBeLessThanOrEqual(MAX_STORED_DATA + MAX_TEXT_RUN);
  }
  return [...out, ...parser.flush()];
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

describe('ESC/POS commands against the published bytes', () => {
  const vectors: [string, string, EscPosCommand][] = [
    ['ESC @ initialise', '1B 40', { kind: 'initialize' }],
    ['FS & Chinese mode on', '1C 26', { kind: 'chinese', on: true }],
    ['FS . Chinese mode off', '1C 2E', { kind: 'chinese', on: false }],
    ['ESC a 1 centre', '1B 61 01', { kind: 'align', n: 1 }],
    ['GS V 66 0 partial cut with feed', '1D 56 42 00', { kind: 'cut', m: 66, n: 0 }],
    ['DLE EOT 1 printer status', '10 04 01', { kind: 'status', n: 1 }],
    ['DLE EOT 4 paper sensor', '10 04 04', { kind: 'status', n: 4 }],
    [
      'GS ( k fn 165: QR model 2',
      '1D 28 6B 04 00 31 41 32 00',
      { kind: 'symbol', cn: 0x31, fn: 0x41, params: Uint8Array.of(0x32, 0x00) },
    ],
    [
      'GS ( k fn 181: print the QR',
      '1D 28 6B 03 00 31 51 30',
      { kind: 'symbol', cn: 0x31, fn: 0x51, params: Uint8Array.of(0x30) },
    ],
    [
      'GS v 0: 2 bytes × 1 row',
      '1D 76 30 00 02 00 01 00 F0 0F',
      { kind: 'raster', m: 0, widthBytes: 2, height: 1, data: Uint8Array.of(0xf0, 0x0f) },
    ],
  ];
  it.each(vectors)('%s', (_name, text, command) => {
    expect(hex(encodeEscPos(command))).toBe(hex(bytes(text)));
    expect(parseAll([bytes(text)])).toEqual([command]);
  });

  it('reads the kiosk receipt template back, and its bytes again from what it read', () => {
    const job = receiptEscPos(
      receiptModel({
        siteName: '马上村便民服务中心',
        kioskId: 'demo-001',
        time: new Date(2026, 0, 2, 3, 4),
        transactionNo: 'demo-001-1',
        maskedName: '王*英',
        maskedIdNumber: '3301**********1234',
        maskedCardNo: 'A1****678',
        feeFen: 0,
        lossReported: true,
      }),
    );
    const commands = parseAll(chunked(job, [5, 77, 300]));
    const kinds = commands.map((c) => c.kind);
    expect(kinds.slice(0, 3)).toEqual(['initialize', 'chinese', 'align']);
    expect(kinds.filter((k) => k === 'symbol')).toHaveLength(5);
    expect(kinds.at(-1)).toBe('cut');
    expect(kinds).not.toContain('unknown');
    expect(hex(Uint8Array.from(Buffer.concat(commands.map(encodeEscPos))))).toBe(hex(job));
  });

  it('sends a tall picture as bands of whole rows, none over the band limit', () => {
    const image = { width: 576, height: 200, bits: new Uint8Array(72 * 200).fill(0xaa) };
    const bands = parseAll([rasterBands(image, 4_000)]).filter((c) => c.kind === 'raster');
    expect(bands.map((b) => (b.kind === 'raster' ? b.height : 0))).toEqual([55, 55, 55, 35]);
    expect(
      bands.every((b) => b.kind === 'raster' && b.widthBytes === 72 && b.data.length <= 4_000),
    ).toBe(true);
  });

  it('reads a raster declared larger than it can hold to the end, and drops it, without allocating it', () => {
    const huge = bytes('1D 76 30 00 FF FF FF 00');
    const parser = new EscPosParser();
    parser.push(huge);
    expect(parser.bufferedBytes).toBe(0);
    const declared = 0xffff * 0xff;
    let out: EscPosCommand[] = [];
    const block = new Uint8Array(1 << 16);
    for (let sent = 0; sent < declared; sent += block.length)
      out = out.concat(parser.push(block.subarray(0, Math.min(block.length, declared - sent))));
    expect(out).toEqual([{ kind: 'dropped', reason: 'tooLarge', bytes: declared }]);
    expect(parser.push(bytes('10 04 02'))).toEqual([{ kind: 'status', n: 2 }]);
  });
});

const textBytes = fc
  .uint8Array({ minLength: 1, maxLength: 100 })
  .map((b) => b.map((x) => 0x20 + (x % 0xe0)));
const command: fc.Arbitrary<EscPosCommand> = fc.oneof(
  textBytes.map((b) => ({ kind: 'text', bytes: b }) as EscPosCommand),
  fc.constant<EscPosCommand>({ kind: 'lineFeed' }),
  fc.constant<EscPosCommand>({ kind: 'initialize' }),
  fc.boolean().map((on) => ({ kind: 'chinese', on }) as EscPosCommand),
  fc.integer({ min: 0, max: 255 }).map((n) => ({ kind: 'align', n }) as EscPosCommand),
  fc.constantFrom(0, 1, 48, 49).map((m) => ({ kind: 'cut', m }) as EscPosCommand),
  fc
    .record({ m: fc.constantFrom(65, 66, 97, 98), n: fc.integer({ min: 0, max: 255 }) })
    .map(({ m, n }) => ({ kind: 'cut', m, n }) as EscPosCommand),
  fc.integer({ min: 0, max: 255 }).map((n) => ({ kind: 'status', n }) as EscPosCommand),
  fc.integer({ min: 0, max: 255 }).map((n) => ({ kind: 'printerId', n }) as EscPosCommand),
  fc
    .record({
      m: fc.integer({ min: 0, max: 3 }),
      widthBytes: fc.integer({ min: 1, max: 8 }),
      height: fc.integer({ min: 1, max: 8 }),
      seed: fc.integer(),
    })
    .map(
      ({ m, widthBytes, height, seed }) =>
        ({
          kind: 'raster',
          m,
          widthBytes,
          height,
          data: Uint8Array.from({ length: widthBytes * height }, (_, i) => (seed + i * 37) & 0xff),
        }) as EscPosCommand,
    ),
  fc
    .record({ fn: fc.integer({ min: 0, max: 255 }), params: fc.uint8Array({ maxLength: 40 }) })
    .map(({ fn, params }) => ({ kind: 'symbol', cn: 0x31, fn, params }) as EscPosCommand),
  fc
    .record({
      code: fc.constantFrom(0x21, 0x33, 0x45, 0x4a, 0x64, 0x74),
      n: fc.integer({ min: 0, max: 255 }),
    })
    .map(
      ({ code, n }) =>
        ({ kind: 'setting', prefix: 0x1b, code, params: Uint8Array.of(n) }) as EscPosCommand,
    ),
);

/** Adjacent text runs are one run on the wire. */
function mergeText(list: EscPosCommand[]): EscPosCommand[] {
  const out: EscPosCommand[] = [];
  for (const c of list) {
    const last = out.at(-1);
    if (c.kind === 'text' && last?.kind === 'text')
      out[out.length - 1] = { kind: 'text', bytes: Uint8Array.from([...last.bytes, ...c.bytes]) };
    else out.push(c);
  }
  return out;
}

describe('ESC/POS parser, fuzzed', () => {
  it('never throws and stays bounded on arbitrary bytes in arbitrary chunks', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3_000 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (data, cuts) => {
          parseAll(chunked(data, cuts));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips every command, however the line splits the job', () => {
    fc.assert(
      fc.property(
        fc.array(command, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (list, cuts) => {
          const job = Uint8Array.from(Buffer.concat(list.map(encodeEscPos)));
          expect(parseAll(chunked(job, cuts))).toEqual(mergeText(list));
        },
      ),
      { numRuns: 500 },
    );
  });
});
