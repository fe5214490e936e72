import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyboardWedgeDecoder, keyPressesFor } from './keyboard-wedge-report.ts';

const report = (...bytes: number[]) =>
  Uint8Array.from([...bytes, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8));
const RELEASE = report(0, 0, 0);

describe('keyboard-wedge reports', () => {
  it('decodes boot-keyboard reports written by hand: shift+a, 1, Enter → "A1"', () => {
    const decoder = new KeyboardWedgeDecoder(null, 100);
    const events = [
      report(0x02, 0, 0x04),
      RELEASE,
      report(0, 0, 0x1e),
      RELEASE,
      report(0, 0, 0x28),
      RELEASE,
    ].flatMap((r) => decoder.push(r));
    expect(events).toEqual([{ type: 'text', text: 'A1' }]);
  });

  it('ignores rollover error reports and reports of another id', () => {
    const decoder = new KeyboardWedgeDecoder(0x01, 100);
    const events = [
      Uint8Array.of(0x01, 0, 0, 1, 1, 1, 1, 1, 1),
      Uint8Array.of(0x03, 0, 0, 0x05, 0, 0, 0, 0, 0),
      Uint8Array.of(0x01, 0, 0, 0x05, 0, 0, 0, 0, 0),
      Uint8Array.of(0x01, 0, 0, 0x28, 0, 0, 0, 0, 0),
    ].flatMap((r) => decoder.push(r));
    expect(events).toEqual([{ type: 'text', text: 'b' }]);
  });

  it('drops a scan longer than its bound, once, and decodes the next', () => {
    const decoder = new KeyboardWedgeDecoder(null, 5);
    const type = (text: string) =>
      keyPressesFor(text).flatMap((p) => [
        ...decoder.push(report(p.modifiers, 0, p.code)),
        ...decoder.push(RELEASE),
      ]);
    expect(type('1234567')).toEqual([
      { type: 'error', detail: 'scan longer than 5 characters dropped' },
    ]);
    expect(type('123')).toEqual([{ type: 'text', text: '123' }]);
  });

  it('round-trips printable ASCII; never throws on arbitrary reports', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(...'abcXYZ0123456789-=[];\',./!@#$%^&*()_+{}:"<>? '.split('')),
          minLength: 1,
          maxLength: 60,
        }),
        (text) => {
          const decoder = new KeyboardWedgeDecoder(null, 100);
          const events = keyPressesFor(text).flatMap((p) => [
            ...decoder.push(report(p.modifiers, 0, p.code)),
            ...decoder.push(RELEASE),
          ]);
          expect(events).toEqual([{ type: 'text', text }]);
        },
      ),
    );
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 50 }), (reports) => {
        const decoder = new KeyboardWedgeDecoder(null, 20);
        for (const r of reports) decoder.push(r);
        expect(decoder.pendingChars).toBeLessThanOrEqual(20);
      }),
    );
  });
});
