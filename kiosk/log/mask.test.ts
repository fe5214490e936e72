import { describe, expect, it } from 'vitest';
import { maskCardNo, maskIdNumber, maskName } from './mask.ts';

describe('masking personal data', () => {
  it('keeps the first and last four digits of an ID number', () => {
    expect(maskIdNumber('33010619800101123X')).toBe('3301**********123X');
  });
  it('masks the middle of a name, keeping the surname', () => {
    expect(maskName('王秀英')).toBe('王*英');
    expect(maskName('李明')).toBe('李*');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
    expect(maskName('𠮷')).toBe('*');
    // A character outside the BMP counts as one, never as two halves of a surrogate pair.
    expect(maskName('吴𠮷')).toBe('吴*');
    expect(maskName('𠮷大明')).toBe('𠮷*明');
  });
  it('shows only the last four characters of a card number', () => {
    expect(maskCardNo('A12345678')).toBe('*****5678');
  });
});
