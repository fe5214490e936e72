import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idNumberCheckDigit, type IdCardRecord } from './id-card-record.ts';
import { decodeIdText, encodeIdText } from './id-card-text.ts';

/**
 * A text block laid out by hand from the published offsets (name 0, sex 30, nation 32, birth 36,
 * address 52, number 122, authority 158, valid from 188, valid to 204), not from our table.
 */
function handMadeBlock(fields: [offset: number, width: number, value: string][]): Uint8Array {
  const block = Buffer.alloc(256);
  for (let i = 0; i < 256; i += 2) block.writeUInt16LE(0x0020, i);
  for (const [offset, width, value] of fields) {
    const encoded = Buffer.from(value, 'utf16le');
    expect(encoded.length).toBeLessThanOrEqual(width);
    encoded.copy(block, offset);
  }
  return new Uint8Array(block);
}

// GB 11643's own worked example: 11010519491231002X, a woman born 31 Dec 1949 in Beijing.
const EXAMPLE: [number, number, string][] = [
  [0, 30, '张秀英'],
  [30, 2, '2'],
  [32, 4, '01'],
  [36, 16, '19491231'],
  [52, 70, '北京市朝阳区马上路1号'],
  [122, 36, '11010519491231002X'],
  [158, 30, '北京市公安局朝阳分局'],
  [188, 16, '20100101'],
  [204, 16, '长期'],
];

describe('the ID card text block', () => {
  it('decodes a block laid out from the published offsets, name bytes as UTF-16LE', () => {
    const block = handMadeBlock(EXAMPLE);
    // 张 U+5F20, 秀 U+79C0, 英 U+82F1, little-endian, then space padding.
    expect(Buffer.from(block.subarray(0, 8)).toString('hex')).toBe('205fc079f1822000');
    const decoded = decodeIdText(block);
    expect(decoded).toEqual({
      ok: true,
      value: {
        name: '张秀英',
        sex: '2',
        nation: '01',
        birthDate: '19491231',
        address: '北京市朝阳区马上路1号',
        idNumber: '11010519491231002X',
        authority: '北京市公安局朝阳分局',
        validFrom: '20100101',
        validTo: null,
      },
    });
  });

  it('accepts NUL padding as some readers send it', () => {
    const block = handMadeBlock(EXAMPLE);
    block.fill(0, 6, 30);
    const decoded = decodeIdText(block);
    expect(decoded.ok && decoded.value.name).toBe('张秀英');
  });

  const invalid: [string, [number, number, string][], RegExp][] = [
    ['a wrong check digit', [[122, 36, '110105194912310021']], /check digit/],
    ['a birth date the ID number disagrees with', [[36, 16, '19491230']], /disagree/],
    ['a sex the ID number disagrees with', [[30, 2, '1']], /sex disagree/],
    ['a sex outside GB/T 2261.1', [[30, 2, '9']], /sex is not/],
    ['an impossible validity date', [[188, 16, '20100230']], /validity start/],
    ['a validity that ends before it starts', [[204, 16, '20090101']], /ends before/],
    ['a validity end that is neither a date nor 长期', [[204, 16, '永久']], /neither/],
    ['an empty name', [[0, 30, '               ']], /name is empty/],
    ['a foreign permanent resident card', [[248, 2, 'I']], /foreign permanent/],
  ];
  it.each(invalid)('refuses %s, without quoting the data', (_case, change, detail) => {
    const decoded = decodeIdText(handMadeBlock([...EXAMPLE, ...change]));
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.detail).toMatch(detail);
    expect(decoded.error.detail).not.toMatch(/1101|张|北京/);
  });

  it('refuses a truncated block', () => {
    expect(decodeIdText(new Uint8Array(100)).ok).toBe(false);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        const result = decodeIdText(bytes);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  const date = fc
    .record({
      y: fc.integer({ min: 1900, max: 2099 }),
      m: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 28 }),
    })
    .map(({ y, m, d }) => `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`);
  const cjk = (max: number) =>
    fc
      .array(fc.integer({ min: 0x4e00, max: 0x9fa5 }), { minLength: 1, maxLength: max })
      .map((codes) => String.fromCodePoint(...codes));
  const record: fc.Arbitrary<IdCardRecord> = fc
    .record({
      name: cjk(15),
      region: fc.stringMatching(/^[1-8]\d{5}$/),
      birthDate: date,
      sequence: fc.integer({ min: 0, max: 999 }),
      nation: fc.stringMatching(/^\d{2}$/),
      address: cjk(35),
      authority: cjk(15),
      validYears: fc.constantFrom(5, 10, 20, null),
    })
    .map((r) => {
      const first17 = `${r.region}${r.birthDate}${String(r.sequence).padStart(3, '0')}`;
      const validFrom = `${Number(r.birthDate.slice(0, 4)) + 16}0101`;
      return {
        name: r.name,
        sex: r.sequence % 2 === 1 ? '1' : '2',
        nation: r.nation,
        birthDate: r.birthDate,
        address: r.address,
        idNumber: first17 + idNumberCheckDigit(first17),
        authority: r.authority,
        validFrom,
        validTo:
          r.validYears === null ? null : `${Number(validFrom.slice(0, 4)) + r.validYears}0101`,
      };
    });

  it('round-trips every valid record through the card layout', () => {
    fc.assert(
      fc.property(record, (r) => {
        const block = encodeIdText(r);
        expect(block.length).toBe(256);
        expect(decodeIdText(block)).toEqual({ ok: true, value: r });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to encode a name longer than the card holds', () => {
    const long = {
      ...(decodeIdText(handMadeBlock(EXAMPLE)) as { value: IdCardRecord }).value,
      name: '张'.repeat(16),
    };
    expect(() => encodeIdText(long)).toThrow(RangeError);
  });
});
