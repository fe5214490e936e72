import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainCommand, commandCase, encodeCommand, fromHex, hex, withLe } from './apdu.ts';
import { decodeTlvs, encodeTlv } from './ber-tlv.ts';
import { describeStatusWord } from './status-words.ts';

describe('command APDUs (ISO 7816-4 §5.1)', () => {
  it('encodes the four short cases', () => {
    expect(hex(encodeCommand({ cla: 0, ins: 0xa4, p1: 4, p2: 0 }))).toBe('00A40400');
    expect(hex(encodeCommand({ cla: 0, ins: 0xb2, p1: 1, p2: 0x2c, le: 256 }))).toBe('00B2012C00');
    expect(
      hex(encodeCommand({ cla: 0, ins: 0x20, p1: 0, p2: 0x81, data: fromHex('313233') })),
    ).toBe('0020008103313233');
    expect(
      hex(encodeCommand({ cla: 0, ins: 0x88, p1: 0, p2: 0x81, data: fromHex('AABB'), le: 256 })),
    ).toBe('0088008102AABB00');
    expect(
      [4, 5, 8, 9].map((n) =>
        commandCase(new Uint8Array([0, 0, 0, 0, 3, 1, 2, 3, 0]).subarray(0, n)),
      ),
    ).toEqual([1, 2, 3, 4]);
  });

  it('chains long data in links of 255 bytes, CLA b5 set on all but the last, Le only on the last', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 256, maxLength: 1200 }),
        fc.integer({ min: 1, max: 256 }),
        (data, le) => {
          const links = chainCommand({ cla: 0x80, ins: 0xda, p1: 1, p2: 2, data, le });
          const joined = Buffer.concat(links.map((l) => Buffer.from(l.subarray(5, 5 + l[4]!))));
          expect(joined.equals(Buffer.from(data))).toBe(true);
          links.forEach((link, i) => {
            const last = i === links.length - 1;
            expect(link[0]).toBe(last ? 0x80 : 0x90);
            expect(link[4]).toBeLessThanOrEqual(255);
            expect(commandCase(link)).toBe(last ? 4 : 3);
          });
        },
      ),
    );
  });

  it('corrects Le only where a command has one', () => {
    expect(hex(withLe(fromHex('00B2012C00'), 0x14)!)).toBe('00B2012C14');
    expect(hex(withLe(fromHex('0088008102AABB00'), 0x40)!)).toBe('0088008102AABB40');
    expect(withLe(fromHex('00A4040002AABB'), 0x10)).toBeNull();
  });
});

describe('status words (ISO 7816-4 §5.6)', () => {
  it('says what a status word means, with its parameter', () => {
    expect(describeStatusWord(0x6a82)).toMatchObject({
      hex: '6A82',
      meaning: 'file or application not found',
    });
    expect(describeStatusWord(0x63c2)).toMatchObject({
      hex: '63C2',
      triesLeft: 2,
      meaning: 'verification failed, 2 tries left',
    });
    expect(describeStatusWord(0x6983).meaning).toBe('authentication method blocked');
    expect(describeStatusWord(0x6110)).toMatchObject({ available: 16 });
    expect(describeStatusWord(0x6c00)).toMatchObject({ available: 256 });
  });
});

describe('BER-TLV', () => {
  it('decodes what it encodes, with one-, two- and three-byte lengths and multi-byte tags', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom(0x01, 0x4e, 0x5f20, 0x7f49, 0x9f1f),
            fc.uint8Array({ maxLength: 400 }),
          ),
        ),
        (items) => {
          const bytes = Buffer.concat(items.map(([tag, value]) => encodeTlv(tag, value)));
          const decoded = decodeTlvs(new Uint8Array(bytes));
          expect(decoded.ok).toBe(true);
          if (decoded.ok)
            expect(decoded.value.map((t) => [t.tag, Buffer.from(t.value).toString('hex')])).toEqual(
              items.map(([t, v]) => [t, Buffer.from(v).toString('hex')]),
            );
        },
      ),
    );
  });

  it('turns any bytes into elements or an error, never an exception or a read past the end', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, allowPadding) => {
        const decoded = decodeTlvs(bytes, { allowPadding });
        if (decoded.ok)
          for (const t of decoded.value)
            expect(t.value.byteOffset + t.value.length).toBeLessThanOrEqual(
              bytes.byteOffset + bytes.length,
            );
      }),
    );
  });
});
