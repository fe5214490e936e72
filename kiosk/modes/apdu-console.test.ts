import { describe, expect, it } from 'vitest';
import { fromHex } from '../../drivers/pcsc/apdu.ts';
import { maskCommand, parseCommands } from './apdu-console.ts';

describe('the APDU console', () => {
  it("masks the data of a command that carries a PIN or a key, and nothing else's", () => {
    expect(maskCommand(fromHex('0020008106313233343536'))).toBe('0020008106************');
    expect(maskCommand(fromHex('002C000108313233343536373800'))).toBe(
      '002C000108****************00',
    );
    expect(maskCommand(fromHex('0020008100'))).toBe('0020008100');
    expect(maskCommand(fromHex('00A4040009F04D415348414E4701'))).toBe(
      '00A4040009F04D415348414E4701',
    );
  });

  it('takes one or more hex APDUs, with spaces, separated by ";" or new lines', () => {
    expect(
      parseCommands('00 A4 04 00 01 AA; 00CA7F2100\n0020008100')?.map((c) =>
        Buffer.from(c).toString('hex'),
      ),
    ).toEqual(['00a4040001aa', '00ca7f2100', '0020008100']);
    for (const bad of ['', ';', '00A4', '00A4040', 'zz00aa00', '00 A4 04 00 1'])
      expect(parseCommands(bad), bad).toBeNull();
  });
});
