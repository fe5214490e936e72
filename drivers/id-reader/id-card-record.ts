/**
 * The typed content of a second-generation resident ID card (二代身份证), as the reader decodes
 * it (field layout: shared/PROTOCOLS.md §2), and the ID number's check digit (GB 11643-1999).
 */
export interface IdCardRecord {
  name: string;
  /** GB/T 2261.1: 1 male, 2 female. */
  sex: '1' | '2';
  /** GB/T 3304 code, two digits. */
  nation: string;
  /** YYYYMMDD */
  birthDate: string;
  address: string;
  idNumber: string;
  authority: string;
  /** YYYYMMDD */
  validFrom: string;
  /** YYYYMMDD, or null for 长期 (no expiry). */
  validTo: string | null;
}

/** GB 11643-1999 §5.2: weights 2^(17-i) mod 11, check codes for sum mod 11. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CODES = '10X98765432';

export function idNumberCheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CODES[sum % 11]!;
}

export function isValidIdNumber(idNumber: string): boolean {
  if (!/^\d{17}[\dX]$/.test(idNumber)) return false;
  const birth = idNumber.slice(6, 14);
  if (!isValidDate(birth)) return false;
  return idNumberCheckDigit(idNumber.slice(0, 17)) === idNumber[17];
}

export function isValidDate(yyyymmdd: string): boolean {
  if (!/^\d{8}$/.test(yyyymmdd)) return false;
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
