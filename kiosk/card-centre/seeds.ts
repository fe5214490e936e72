/**
 * The embedded card centre's fictional residents, one for each case a kiosk must handle, with the
 * ID cards the simulated ID reader can present for them (`card`: the same record the reader
 * decodes). Every name and number is made up; the ID numbers carry valid check digits.
 *
 * Anyone else with a valid ID number is known too (one normal card, a photo on file, the fee of
 * their district), so a random simulated person always gets through.
 */
import type { IdCardRecord } from '../../drivers/id-reader/id-card-record.ts';
import { idNumberCheckDigit } from '../../drivers/id-reader/id-card-record.ts';
import { CARD_STATUS, type CardStatusCode } from './codes.ts';

/**
 * The reissue fee by the resident's district (GB/T 2260 code), in fen. Illustrative values: each
 * province sets its own (many charge nothing); districts not listed are free.
 */
export const DISTRICT_FEES_FEN: Readonly<Record<string, number>> = {
  /** 西湖区 (the demo kiosk's district): free. */
  '330106': 0,
  /** 滨江区: ¥20. */
  '330108': 2_000,
};

export interface SeededResident {
  /** A stable handle for tests and the developer panel. */
  id: string;
  /** What this resident is for, in one line. */
  about: string;
  /** The ID card the simulated reader presents. */
  card: IdCardRecord;
  /** What the centre holds for them. */
  centre: {
    cards: { cardNo: string; status: CardStatusCode }[];
    hasArchivedPhoto: boolean;
    /** false: the face check answers noMatch whatever the camera sends. */
    faceMatches: boolean;
  };
}

function idNumber(first17: string): string {
  return first17 + idNumberCheckDigit(first17);
}

function resident(
  id: string,
  about: string,
  person: { name: string; first17: string; sex: '1' | '2'; validTo?: string | null },
  centre: Partial<SeededResident['centre']> & { cards: SeededResident['centre']['cards'] },
): SeededResident {
  const number = idNumber(person.first17);
  return {
    id,
    about,
    card: {
      name: person.name,
      sex: person.sex,
      nation: '01',
      birthDate: number.slice(6, 14),
      address: '浙江省杭州市西湖区马上村1号',
      idNumber: number,
      authority: '杭州市公安局西湖分局',
      validFrom: '20160301',
      validTo: person.validTo === undefined ? '20360301' : person.validTo,
    },
    centre: { hasArchivedPhoto: true, faceMatches: true, ...centre },
  };
}

export const SEEDED_RESIDENTS: readonly SeededResident[] = [
  resident(
    'normal',
    'a normal card, free district: the plain reissue',
    { name: '陈建国', first17: '33010619580412031', sex: '1' },
    { cards: [{ cardNo: 'A10000001', status: CARD_STATUS.normal }] },
  ),
  resident(
    'already-lost',
    'the card was already reported lost (by phone): no second loss report',
    { name: '李桂兰', first17: '33010619620917042', sex: '2' },
    { cards: [{ cardNo: 'A10000002', status: CARD_STATUS.reportedLost }] },
  ),
  resident(
    'no-card',
    'holds no social-security card: sent to the counter',
    { name: '张志强', first17: '33010619901105053', sex: '1' },
    { cards: [] },
  ),
  resident(
    'expired-id',
    "the ID card expired (by the centre's date): refused before anything happens",
    { name: '刘玉兰', first17: '33010619550228064', sex: '2', validTo: '20230228' },
    { cards: [{ cardNo: 'A10000004', status: CARD_STATUS.normal }] },
  ),
  resident(
    'no-photo',
    'no archived photo for the card face: sent to the counter',
    { name: '赵德明', first17: '33010619480730075', sex: '1', validTo: null },
    { cards: [{ cardNo: 'A10000005', status: CARD_STATUS.normal }], hasArchivedPhoto: false },
  ),
  resident(
    'rare-name',
    'a name with a character outside GBK (𠮷, U+20BB7): 𠮷 goes in the name-extension field (GB 18030); the card is made at the kiosk',
    { name: '吴𠮷', first17: '33010619701016086', sex: '2' },
    { cards: [{ cardNo: 'A10000006', status: CARD_STATUS.normal }] },
  ),
  resident(
    'fee-district',
    'lives in a district that charges ¥20 for a reissue',
    { name: '黄春花', first17: '33010819850603028', sex: '2' },
    { cards: [{ cardNo: 'A10000007', status: CARD_STATUS.normal }] },
  ),
  resident(
    'face-mismatch',
    'the face check never matches (someone else holding their ID card)',
    { name: '周永福', first17: '33010619660321097', sex: '1' },
    { cards: [{ cardNo: 'A10000008', status: CARD_STATUS.normal }], faceMatches: false },
  ),
];

export function seededResident(id: string): SeededResident {
  const found = SEEDED_RESIDENTS.find((r) => r.id === id);
  if (!found) throw new Error(`no seeded resident "${id}"`);
  return found;
}

/**
 * Payment codes for the simulated payment provider. A code is 18 digits starting 10–15 (WeChat
 * Pay) or 25–30 (Alipay); its last four digits choose how the payment goes.
 */
export const SIMULATED_PAYMENT_CODES = {
  /** Paid at once. */
  paid: '134567890123456789',
  /** The resident confirms on their phone: `paying` for a while (`userPayingMs`), then paid. */
  paidAfterConfirming: '134567890123451111',
  /** The resident never confirms: `paying` until reversed (or the provider expires it). */
  neverConfirmed: '134567890123452222',
  /** Declined: insufficient funds. Nothing charged. */
  insufficientFunds: '134567890123450000',
} as const;

export type SimulatedPaymentBehaviour =
  'paid' | 'confirmLater' | 'never' | 'insufficientFunds' | 'invalidCode';

export function simulatedPaymentBehaviour(code: string): SimulatedPaymentBehaviour {
  if (!/^(1[0-5]|2[5-9]|30)\d{16}$/.test(code)) return 'invalidCode';
  if (code.endsWith('0000')) return 'insufficientFunds';
  if (code.endsWith('1111')) return 'confirmLater';
  if (code.endsWith('2222')) return 'never';
  return 'paid';
}

/** A staff card revoked when it was lost, so the revocation list is never empty in development. */
export const SEEDED_REVOCATIONS = [
  { serial: '0A1B2C3D4E5F0001', revokedAt: '2025-01-06T09:30:00+08:00', reason: 'lost' as const },
];
