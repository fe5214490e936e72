import { describe, expect, it } from 'vitest';
import { idNumberCheckDigit, isValidDate, isValidIdNumber } from './id-card-record.ts';
import { makeSimPerson } from './simulator.ts';

describe('GB 11643 ID numbers', () => {
  it('computes the check digit of the standard\'s worked example', () => {
    // GB 11643-1999 Annex: 11010519491231002 → X
    expect(idNumberCheckDigit('11010519491231002')).toBe('X');
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
  });
  it('refuses a wrong check digit, an impossible birth date and a wrong shape', () => {
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber('110105194902300020')).toBe(false);
    expect(isValidIdNumber('11010519491231002x')).toBe(false);
    expect(isValidDate('20230229')).toBe(false);
    expect(isValidDate('20240229')).toBe(true);
  });
  it('makes fictional residents whose numbers are valid', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 200; i++) expect(isValidIdNumber(makeSimPerson({ random }).idNumber)).toBe(true);
  });
});
