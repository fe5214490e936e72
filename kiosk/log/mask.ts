/**
 * Masking of personal data for screens, receipts and logs. Logs never hold a full ID number,
 * name or card number: `3301**********1234`.
 */

/** Keeps the first 4 and last 4 characters of an ID number: `330106**********1234` → `3301**********1234`. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length <= 8) return '*'.repeat(idNumber.length);
  return idNumber.slice(0, 4) + '*'.repeat(idNumber.length - 8) + idNumber.slice(-4);
}

/** Keeps the surname's first character and the last one of a longer name: 王秀英 → 王*英, 李明 → 李*. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}

/** Card numbers: the last 4 only. */
export function maskCardNo(cardNo: string): string {
  return cardNo.length <= 4 ? cardNo : '*'.repeat(cardNo.length - 4) + cardNo.slice(-4);
}
