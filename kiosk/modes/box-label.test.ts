import { describe, expect, it } from 'vitest';
import { formatBoxLabel, parseBoxLabel, serialPlus, serialRange } from './box-label.ts';

describe('a box label', () => {
  it('reads batch, serials and count, and writes them back the same way', () => {
    const label = {
      batch: 'B2026-0117',
      serialFirst: 'SC00012001',
      serialLast: 'SC00012100',
      count: 100,
    };
    expect(parseBoxLabel(formatBoxLabel(label))).toEqual(label);
    expect(parseBoxLabel(' MSBOX|B1|0001|0050|50\n')).toEqual({
      batch: 'B1',
      serialFirst: '0001',
      serialLast: '0050',
      count: 50,
    });
  });

  it('is not any other code: a payment code, a URL, a label with a field missing or too long', () => {
    for (const text of [
      '281234567890123456',
      'https://example.com',
      'MSBOX|B1|0001|0050',
      'MSBOX|B1|0001|0050|50|x',
      `MSBOX|${'B'.repeat(33)}|1|2|2`,
      'MSBOX|B 1|1|2|2',
    ]) {
      expect(parseBoxLabel(text), text).toBeNull();
    }
  });
});

describe('serial ranges', () => {
  it('count every serial from first to last, one prefix and one width', () => {
    expect(serialRange('SC00012001', 'SC00012100')).toBe(100);
    expect(serialRange('0001', '0001')).toBe(1);
    expect(serialRange('sc0099', 'SC0100')).toBe(2);
  });

  it('are not a range when backwards, of two prefixes or widths, or not serials at all', () => {
    expect(serialRange('SC0100', 'SC0099')).toBeNull();
    expect(serialRange('SC0001', 'SD0002')).toBeNull();
    expect(serialRange('SC001', 'SC0002')).toBeNull();
    expect(serialRange('SC-A', 'SC-B')).toBeNull();
  });

  it('step a serial on, keeping its width', () => {
    expect(serialPlus('SC00000099', 2)).toBe('SC00000101');
  });
});
