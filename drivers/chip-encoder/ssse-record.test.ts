import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../pcsc/apdu.ts';
import {
  decodeSsseRecords,
  encodeSsseRecords,
  type RawRecord,
  type SsseCardData,
} from './ssse-record.ts';

const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
const date = fc
  .tuple(
    fc.integer({ min: 1900, max: 2099 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
  )
  .map(([y, m, d]) => `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`);
const hanzi = fc
  .array(fc.constantFrom(...'赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张淑珍'), {
    minLength: 1,
    maxLength: 15,
  })
  .map((a) => a.join(''));

const cardData: fc.Arbitrary<SsseCardData> = fc.record(
  {
    identification: fc
      .tuple(digits(6), fc.uint8Array({ minLength: 8, maxLength: 8 }))
      .map(
        ([region, tail]) => `${region}D156000005${Buffer.from(tail).toString('hex').toUpperCase()}`,
      ),
    cardType: fc.constantFrom('1', '3'),
    specVersion: fc.constantFrom('1.00', '2.00', '3.00'),
    issueDate: date,
    expiryDate: date,
    cardNo: fc.stringMatching(/^[A-Z][0-9]{8}$/),
    idNumber: fc.stringMatching(/^[0-9]{17}[0-9X]$/),
    name: hanzi,
    sex: fc.constantFrom('1', '2'),
    nation: fc.integer({ min: 1, max: 56 }).map((n) => String(n).padStart(2, '0')),
    birthplace: digits(6),
    birthDate: date,
  },
  { requiredKeys: ['identification'] },
);

/** The records as a reader gets them: one per READ RECORD, by file and number. */
function recordsOf(data: SsseCardData): RawRecord[] {
  return [...encodeSsseRecords(data)].map(([key, bytes]) => {
    const [sfi, record] = key.split(':').map(Number);
    return { file: sfi === 5 ? 'EF05' : 'EF06', record: record!, data: bytes };
  });
}

describe('SSSE records (EF05, EF06)', () => {
  it('decode to what was written, for any card data and generation', () => {
    fc.assert(
      fc.property(cardData, (data) => {
        const decoded = decodeSsseRecords(recordsOf(data));
        expect(decoded.ok).toBe(true);
        if (!decoded.ok) return;
        const { card, holder, generation, region } = decoded.value;
        expect({ ...card, ...holder }).toEqual(data);
        expect(region).toBe(data.identification.slice(0, 6));
        expect(generation).toBe(data.specVersion ? Number(data.specVersion[0]) : null);
      }),
    );
  });

  it('finds sex in record 3 on a first-generation card', () => {
    const records = recordsOf({
      identification: '110105D156000005AABBCCDDEEFF0011',
      specVersion: '1.00',
      sex: '2',
    });
    expect(records.find((r) => r.file === 'EF06')?.record).toBe(3);
    expect(decodeSsseRecords(records)).toMatchObject({
      ok: true,
      value: { generation: 1, holder: { sex: '2' } },
    });
  });

  it('refuses a date that is not BCD, naming the file and record but not the bytes', () => {
    const records: RawRecord[] = [
      { file: 'EF05', record: 1, data: fromHex('0110330100D156000005AABBCCDDEEFF0011') },
      { file: 'EF06', record: 7, data: fromHex('0D0419A91231') },
    ];
    expect(decodeSsseRecords(records)).toEqual({
      ok: false,
      error: { kind: 'malformed', file: 'EF06', record: 7, detail: 'tag 0d: not a BCD date' },
    });
  });

  it('refuses a name that is not GBK', () => {
    const records: RawRecord[] = [
      { file: 'EF05', record: 1, data: fromHex('0110330100D156000005AABBCCDDEEFF0011') },
      { file: 'EF06', record: 2, data: fromHex('0904FFFF8130') },
    ];
    expect(decodeSsseRecords(records)).toMatchObject({
      ok: false,
      error: { file: 'EF06', record: 2, detail: 'tag 09: not GBK text' },
    });
  });

  it('never writes a name with "?" for a character its encoding lacks', () => {
    const identification = '110105D156000005AABBCCDDEEFF0011';
    expect(() => encodeSsseRecords({ identification, name: '吴𠮷' })).toThrow(RangeError);
    const records = recordsOf({ identification, name: '吴□', nameExtension: '吴𠮷' });
    expect(decodeSsseRecords(records)).toMatchObject({
      ok: true,
      value: { holder: { name: '吴□', nameExtension: '吴𠮷' } },
    });
  });

  it('turns any bytes a card sends into a record or a typed error, never an exception', () => {
    const raw = fc.record({
      file: fc.constantFrom('EF05' as const, 'EF06' as const),
      record: fc.integer({ min: 1, max: 7 }),
      data: fc.uint8Array({ maxLength: 64 }),
    });
    fc.assert(
      fc.property(fc.array(raw, { maxLength: 14 }), (records) => {
        const decoded = decodeSsseRecords(records);
        if (!decoded.ok) expect(decoded.error.kind).toBe('malformed');
      }),
    );
  });
});
