/**
 * The 256-byte text block of a second-generation ID card ⇄ a validated `IdCardRecord`.
 *
 * Layout (shared/PROTOCOLS.md §2, H): UTF-16LE, each field padded with spaces to its width.
 * Validation: the ID number's GB 11643 check digit, its birth date and sex digit against the
 * card's own fields, and the validity dates. Failure details never quote the data itself: they
 * end up in logs.
 */
import { err, ok, type Result } from '../common/result.ts';
import { isValidDate, isValidIdNumber, type IdCardRecord } from './id-card-record.ts';
import { ID_TEXT_BYTES } from './gat467-commands.ts';

/** Byte offset and width of each field. */
export const ID_TEXT_FIELDS = {
  name: { offset: 0, bytes: 30 },
  sex: { offset: 30, bytes: 2 },
  nation: { offset: 32, bytes: 4 },
  birthDate: { offset: 36, bytes: 16 },
  address: { offset: 52, bytes: 70 },
  idNumber: { offset: 122, bytes: 36 },
  authority: { offset: 158, bytes: 30 },
  validFrom: { offset: 188, bytes: 16 },
  validTo: { offset: 204, bytes: 16 },
} as const;
type Field = keyof typeof ID_TEXT_FIELDS;

/**
 * Reserved bytes 220–255. Foreign permanent residents' cards (外国人永久居留身份证) and Hong Kong /
 * Macao / Taiwan residents' permits use the same 256 bytes with another layout and mark it with
 * a letter at byte 248 (`I`, `J`). L: one vendor SDK; we refuse those cards rather than misread them.
 */
const CARD_TYPE_OFFSET = 248;
const OTHER_LAYOUT_MARKS: Record<string, string> = {
  I: 'foreign permanent resident card',
  J: 'HK/Macao/Taiwan residence permit',
};

/** The validity end date of a card that does not expire. */
export const NO_EXPIRY = '长期';

const utf16 = new TextDecoder('utf-16le');

function field(text: Uint8Array, name: Field): string {
  const { offset, bytes } = ID_TEXT_FIELDS[name];
  // Padding is spaces by the standard; some readers pad with NUL. Neither is part of the value.
  const value = utf16.decode(text.subarray(offset, offset + bytes));
  let end = value.length;
  while (end > 0 && (value[end - 1] === ' ' || value[end - 1] === '\0')) end--;
  return value.slice(0, end);
}

export type IdTextProblem = { kind: 'invalidData'; detail: string };

/** Decodes and validates the text block. */
export function decodeIdText(text: Uint8Array): Result<IdCardRecord, IdTextProblem> {
  const invalid = (detail: string) => err({ kind: 'invalidData' as const, detail });
  if (text.length < ID_TEXT_BYTES)
    return invalid(`text block of ${text.length} bytes, expected ${ID_TEXT_BYTES}`);
  const mark = utf16.decode(text.subarray(CARD_TYPE_OFFSET, CARD_TYPE_OFFSET + 2));
  if (OTHER_LAYOUT_MARKS[mark])
    return invalid(`not a resident ID card: ${OTHER_LAYOUT_MARKS[mark]}`);

  const name = field(text, 'name');
  const sex = field(text, 'sex');
  const nation = field(text, 'nation');
  const birthDate = field(text, 'birthDate');
  const address = field(text, 'address');
  const idNumber = field(text, 'idNumber');
  const authority = field(text, 'authority');
  const validFrom = field(text, 'validFrom');
  const validToText = field(text, 'validTo');

  if (name.length === 0) return invalid('name is empty');
  if (sex !== '1' && sex !== '2') return invalid('sex is not 1 or 2 (GB/T 2261.1)');
  if (!/^\d{2}$/.test(nation)) return invalid('nation is not a two-digit GB/T 3304 code');
  if (!isValidDate(birthDate)) return invalid('birth date is not a date');
  if (!isValidIdNumber(idNumber))
    return invalid('ID number fails its check digit or shape (GB 11643)');
  if (idNumber.slice(6, 14) !== birthDate) return invalid('ID number and birth date disagree');
  // GB 11643 §4.3: the sequence code's last digit is odd for men, even for women.
  if ((Number(idNumber[16]) % 2 === 1 ? '1' : '2') !== sex)
    return invalid('ID number and sex disagree');
  if (!isValidDate(validFrom)) return invalid('validity start is not a date');
  let validTo: string | null;
  if (validToText === NO_EXPIRY) validTo = null;
  else if (isValidDate(validToText)) validTo = validToText;
  else return invalid('validity end is neither a date nor 长期');
  if (validTo !== null && validTo <= validFrom) return invalid('validity ends before it starts');
  if (validFrom < birthDate) return invalid('validity starts before birth');

  return ok({ name, sex, nation, birthDate, address, idNumber, authority, validFrom, validTo });
}

/**
 * Encodes a record as a card stores it: for the simulator, and for tests. Throws RangeError on
 * a value longer than its field (a test's mistake, not a resident's).
 */
export function encodeIdText(record: IdCardRecord): Uint8Array {
  const text = new Uint8Array(ID_TEXT_BYTES);
  // The whole block is spaces to begin with, reserved bytes included, as on a card.
  for (let i = 0; i < ID_TEXT_BYTES; i += 2) text[i] = 0x20;
  const put = (name: Field, value: string) => {
    const { offset, bytes } = ID_TEXT_FIELDS[name];
    const encoded = Buffer.from(value, 'utf16le');
    if (encoded.length > bytes)
      throw new RangeError(`${name} needs ${encoded.length} bytes, the card holds ${bytes}`);
    text.set(encoded, offset);
  };
  put('name', record.name);
  put('sex', record.sex);
  put('nation', record.nation);
  put('birthDate', record.birthDate);
  put('address', record.address);
  put('idNumber', record.idNumber);
  put('authority', record.authority);
  put('validFrom', record.validFrom);
  put('validTo', record.validTo ?? NO_EXPIRY);
  return text;
}
