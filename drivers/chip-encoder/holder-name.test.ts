import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../pcsc/apdu.ts';
import { encodeTlv } from '../pcsc/ber-tlv.ts';
import { decodeHolderName, encodeHolderName, holderName } from './holder-name.ts';
import { decodeSsseRecords, type RawRecord } from './ssse-record.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex').toUpperCase();
/** `bytes` then 00 up to `size`, as hex. */
const padded = (bytes: string, size: number) =>
  bytes.replace(/ /g, '') + '00'.repeat(size - bytes.replace(/ /g, '').length / 2);

/** The card as a reader gets it: the 识别码, and EF06 records 2 (tag 09) and 3 (tag 4E). */
function readBack(name: Uint8Array, extension: Uint8Array | null): RawRecord[] {
  return [
    { file: 'EF05', record: 1, data: fromHex('0110330100D156000005AABBCCDDEEFF0011') },
    { file: 'EF06', record: 2, data: encodeTlv(0x09, name) },
    ...(extension ? [{ file: 'EF06' as const, record: 3, data: encodeTlv(0x4e, extension) }] : []),
  ];
}

describe("the holder's name on the chip (EF06 tags 09 and 4E)", () => {
  it('writes a name wholly in GBK to the name field as before, with no name extension', () => {
    const encoded = encodeHolderName('王秀英');
    expect(encoded.ok).toBe(true);
    if (!encoded.ok) return;
    expect(hex(encoded.value.name)).toBe(padded('CD F5 D0 E3 D3 A2', 30));
    expect(hex(encoded.value.name)).toBe(
      hex(new Uint8Array([...iconv.encode('王秀英', 'gbk'), ...new Uint8Array(24)])),
    );
    expect(encoded.value.extension).toBeNull();
    // A minority name with its middle dot, and a character of Extension A that GBK has (䶮).
    expect(encodeHolderName('阿卜杜·热合曼')).toMatchObject({
      ok: true,
      value: { extension: null },
    });
    expect(encodeHolderName('刘䶮')).toMatchObject({ ok: true, value: { extension: null } });
  });

  it('puts □ in the name field for a character outside GBK, and the whole name in GB 18030 in the extension', () => {
    const encoded = encodeHolderName('吴𠮷');
    expect(encoded.ok).toBe(true);
    if (!encoded.ok) return;
    expect(hex(encoded.value.name)).toBe(padded('CE E2 A1 F5', 30));
    expect(hex(encoded.value.extension!)).toBe(padded('CE E2 95 34 B2 35', 20));
  });

  it('reads back the full name through the SSSE record decoder', () => {
    for (const name of ['吴𠮷', '王秀英', '𠮷', '王𰀀英', '欧阳𠮷𠮷']) {
      const encoded = encodeHolderName(name);
      if (!encoded.ok) throw new Error(`${name}: ${JSON.stringify(encoded.error)}`);
      const decoded = decodeSsseRecords(readBack(encoded.value.name, encoded.value.extension));
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) return;
      expect(holderName(decoded.value.holder)).toBe(name);
      expect(decodeHolderName(encoded.value.name, encoded.value.extension)).toBe(name);
    }
    const rare = encodeHolderName('吴𠮷');
    if (!rare.ok) throw new Error('吴𠮷');
    expect(decodeSsseRecords(readBack(rare.value.name, rare.value.extension))).toMatchObject({
      ok: true,
      value: { holder: { name: '吴□', nameExtension: '吴𠮷' } },
    });
  });

  it('reads a name extension an issuer wrote in GBK, GB 18030 being its superset', () => {
    const decoded = decodeSsseRecords(
      readBack(new Uint8Array(30), new Uint8Array([...iconv.encode('欧阳娜娜', 'gbk'), 0, 0])),
    );
    expect(decoded).toMatchObject({ ok: true, value: { holder: { nameExtension: '欧阳娜娜' } } });
  });

  it('refuses a name longer than the name field', () => {
    // 16 characters of GBK: 32 bytes, two more than the field.
    expect(encodeHolderName('王'.repeat(16))).toEqual({
      ok: false,
      error: { kind: 'tooLong', field: 'name' },
    });
    expect(encodeHolderName('王'.repeat(15)).ok).toBe(true);
    // □ holds a rare character's place in the name field, so it counts there too.
    expect(encodeHolderName('𠮷' + '王'.repeat(15))).toEqual({
      ok: false,
      error: { kind: 'tooLong', field: 'name' },
    });
  });

  it('refuses a name with a character outside GBK whose GB 18030 form is longer than the extension', () => {
    // Six four-byte characters and one of two bytes: 26 bytes of GB 18030, the field holds 20.
    expect(encodeHolderName('王𠮷𠮷𠮷𠮷𠮷𠮷')).toEqual({
      ok: false,
      error: { kind: 'tooLong', field: 'nameExtension' },
    });
    // Four four-byte characters and two of two bytes: exactly 20.
    expect(encodeHolderName('王王𠮷𠮷𠮷𠮷').ok).toBe(true);
    // Plenty of room in the name field does not help: the rare character needs the extension.
    expect(encodeHolderName('𠮷' + '王'.repeat(9))).toEqual({
      ok: false,
      error: { kind: 'tooLong', field: 'nameExtension' },
    });
  });

  it('refuses what no field can hold or no reader would read back', () => {
    for (const name of ['', '王\u0007英', '王\ufffd英', '王\ud842英'])
      expect(encodeHolderName(name), JSON.stringify(name)).toEqual({
        ok: false,
        error: { kind: 'notEncodable' },
      });
  });

  it('reads back every name it writes', () => {
    const char = fc.oneof(
      fc.constantFrom(...'赵钱孙李周吴郑王冯陈·䶮'),
      // Extension B to G: all outside GBK, four bytes in GB 18030.
      fc.integer({ min: 0x20000, max: 0x3134a }).map((cp) => String.fromCodePoint(cp)),
    );
    fc.assert(
      fc.property(fc.array(char, { minLength: 1, maxLength: 16 }), (chars) => {
        const name = chars.join('');
        const encoded = encodeHolderName(name);
        if (!encoded.ok) {
          expect(encoded.error.kind).toBe('tooLong');
          return;
        }
        expect(encoded.value.name).toHaveLength(30);
        if (encoded.value.extension) expect(encoded.value.extension).toHaveLength(20);
        const decoded = decodeSsseRecords(readBack(encoded.value.name, encoded.value.extension));
        expect(decoded.ok && holderName(decoded.value.holder)).toBe(name);
      }),
    );
  });
});
