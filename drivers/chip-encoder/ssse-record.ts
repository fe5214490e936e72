/**
 * The social-security card's data files (SSSE application, PROTOCOLS.md §1): EF05 card data and
 * EF06 cardholder, one TLV per record, as a typed record. Pure: bytes ⇄ fields, no I/O.
 *
 * Field layout confidence: tags and formats H, sizes M (PROTOCOLS.md §1), except the name
 * extension's encoding, L (`NAME_EXTENSION_FORMAT`). Records are decoded by their tag, not their
 * number, because generation-1 cards keep sex in record 3 instead of 4.
 */
import iconv from 'iconv-lite';
import { err, ok, type Result } from '../common/result.ts';
import { decodeTlvs, encodeTlv } from '../pcsc/ber-tlv.ts';

export const SSSE_FILES = { EF05: 5, EF06: 6 } as const;
export type SsseFile = keyof typeof SSSE_FILES;

/** READ/UPDATE RECORD P2 (ISO 7816-4 §11.3.3): SFI in b8–b4, `100` = P1 is a record number. */
export const recordP2 = (file: SsseFile): number => (SSSE_FILES[file] << 3) | 0x04;

type Format =
  /** 16 bytes: region (3-byte BCD) + `D156000005` + 8 bytes; kept as hex. */
  | 'identification'
  | 'ascii'
  /** Binary kept as upper-case hex. */
  | 'hex'
  /** 4-byte BCD YYYYMMDD. */
  | 'bcdDate'
  /** 3-byte BCD GB/T 2260 region code. */
  | 'bcdRegion'
  /** GBK text padded with 00. */
  | 'gbk'
  /** GB 18030 text padded with 00: GBK's superset, every Unicode character (holder-name.ts). */
  | 'gb18030'
  /**
   * 1-byte GB/T 3304 nation code. Read as BCD (0x01–0x58 → "01"–"58"); whether cards store it
   * as BCD or binary is not settled (confidence L): the codes 01–09 read the same either way.
   */
  | 'bcdCode';

export interface FieldSpec {
  file: SsseFile;
  /** Record number on second-generation cards. */
  record: number;
  tag: number;
  field: keyof SsseCardFields | keyof SsseHolderFields;
  format: Format;
  size: number;
}

/**
 * The encoding of the name extension (EF06 tag 4E), which PROTOCOLS.md §1 does not state.
 * Confidence L: GB 18030, the national superset of GBK — an extension written in GBK reads the
 * same (holder-name.ts says why and how the kiosk writes it).
 */
export const NAME_EXTENSION_FORMAT = 'gb18030' satisfies Format;

/** EF05 and EF06, PROTOCOLS.md §1. */
export const SSSE_FIELDS: readonly FieldSpec[] = [
  {
    file: 'EF05',
    record: 1,
    tag: 0x01,
    field: 'identification',
    format: 'identification',
    size: 16,
  },
  { file: 'EF05', record: 2, tag: 0x02, field: 'cardType', format: 'ascii', size: 1 },
  { file: 'EF05', record: 3, tag: 0x03, field: 'specVersion', format: 'ascii', size: 4 },
  { file: 'EF05', record: 4, tag: 0x04, field: 'initialisingOrg', format: 'hex', size: 12 },
  { file: 'EF05', record: 5, tag: 0x05, field: 'issueDate', format: 'bcdDate', size: 4 },
  { file: 'EF05', record: 6, tag: 0x06, field: 'expiryDate', format: 'bcdDate', size: 4 },
  { file: 'EF05', record: 7, tag: 0x07, field: 'cardNo', format: 'ascii', size: 9 },
  { file: 'EF06', record: 1, tag: 0x08, field: 'idNumber', format: 'ascii', size: 18 },
  { file: 'EF06', record: 2, tag: 0x09, field: 'name', format: 'gbk', size: 30 },
  {
    file: 'EF06',
    record: 3,
    tag: 0x4e,
    field: 'nameExtension',
    format: NAME_EXTENSION_FORMAT,
    size: 20,
  },
  { file: 'EF06', record: 4, tag: 0x0a, field: 'sex', format: 'ascii', size: 1 },
  { file: 'EF06', record: 5, tag: 0x0b, field: 'nation', format: 'bcdCode', size: 1 },
  { file: 'EF06', record: 6, tag: 0x0c, field: 'birthplace', format: 'bcdRegion', size: 3 },
  { file: 'EF06', record: 7, tag: 0x0d, field: 'birthDate', format: 'bcdDate', size: 4 },
];

/** Records read per file: seven in each (PROTOCOLS.md §1); a missing record answers 6A83. */
export const RECORDS_PER_FILE = 7;

/** The fixed middle of the 识别码: ISO 7816-5 RID of China's MOHRSS card scheme (confidence M). */
export const IDENTIFICATION_RID = 'D156000005';

export interface SsseCardFields {
  /** 识别码, hex (32 digits). */
  identification: string;
  cardType?: string;
  specVersion?: string;
  initialisingOrg?: string;
  /** YYYYMMDD. */
  issueDate?: string;
  expiryDate?: string;
  cardNo?: string;
}

export interface SsseHolderFields {
  /** 社会保障号码: the resident's ID number. Personal data: never log it. */
  idNumber?: string;
  /** Personal data: never log it. */
  name?: string;
  /**
   * 姓名扩展: the whole name when it has a character outside GBK (`name` then holds □ for it);
   * `holderName()` in holder-name.ts gives the full name. Personal data: never log it.
   */
  nameExtension?: string;
  /** GB/T 2261.1: 1 male, 2 female. */
  sex?: string;
  /** GB/T 3304 code, two digits. */
  nation?: string;
  /** GB/T 2260 region code, six digits. */
  birthplace?: string;
  birthDate?: string;
}

export interface SsseCardRecord {
  /** 1, 2 or 3 from the spec version (`1.00`, `2.00`, `3.00`); null when the card does not say. */
  generation: 1 | 2 | 3 | null;
  /** Region code of issue (first three BCD bytes of the 识别码), six digits. */
  region: string;
  card: SsseCardFields;
  holder: SsseHolderFields;
}

export interface SsseDecodeError {
  kind: 'malformed';
  file: SsseFile;
  record: number;
  /** What is wrong, never the bytes (they may be personal data). */
  detail: string;
}

/** One record as read: its number and the data of a 9000 answer. */
export interface RawRecord {
  file: SsseFile;
  record: number;
  data: Uint8Array;
}

export function decodeSsseRecords(
  records: readonly RawRecord[],
): Result<SsseCardRecord, SsseDecodeError> {
  const card: Partial<SsseCardFields> = {};
  const holder: SsseHolderFields = {};
  for (const { file, record, data } of records) {
    const tlvs = decodeTlvs(data, { allowPadding: true });
    if (!tlvs.ok)
      return err({
        kind: 'malformed',
        file,
        record,
        detail: `TLV: ${tlvs.error.detail} at ${tlvs.error.offset}`,
      });
    for (const tlv of tlvs.value) {
      const spec = SSSE_FIELDS.find((f) => f.file === file && f.tag === tlv.tag);
      if (!spec) continue; // tags we do not use (regional extensions)
      const value = decodeValue(spec, tlv.value);
      if (!value.ok)
        return err({
          kind: 'malformed',
          file,
          record,
          detail: `tag ${tlv.tag.toString(16).padStart(2, '0')}: ${value.error}`,
        });
      if (value.value === undefined) continue;
      (file === 'EF05' ? (card as Record<string, string>) : (holder as Record<string, string>))[
        spec.field
      ] = value.value;
    }
  }
  if (!card.identification)
    return err({ kind: 'malformed', file: 'EF05', record: 1, detail: 'no 识别码 (tag 01)' });
  const region = card.identification.slice(0, 6);
  if (!/^\d{6}$/.test(region))
    return err({ kind: 'malformed', file: 'EF05', record: 1, detail: '识别码 region is not BCD' });
  return ok({
    generation: generationOf(card.specVersion),
    region,
    card: card as SsseCardFields,
    holder,
  });
}

/** The card generation from its spec version (EF05 tag 03). */
export function generationOf(specVersion: string | undefined): 1 | 2 | 3 | null {
  const major = specVersion ? /^([123])\.\d\d$/.exec(specVersion.trim())?.[1] : undefined;
  return major ? (Number(major) as 1 | 2 | 3) : null;
}

function decodeValue(spec: FieldSpec, value: Uint8Array): Result<string | undefined, string> {
  switch (spec.format) {
    case 'identification': {
      if (value.length !== spec.size)
        return err(`识别码 of ${value.length} bytes, expected ${spec.size}`);
      const digits = bcd(value.subarray(0, 3));
      if (digits === null) return err('识别码 region is not BCD');
      return ok(Buffer.from(value).toString('hex').toUpperCase());
    }
    case 'ascii': {
      const text = printableAscii(value);
      if (text === null) return err('not printable ASCII');
      return ok(text || undefined);
    }
    case 'hex':
      return ok(Buffer.from(value).toString('hex').toUpperCase());
    case 'bcdDate': {
      if (value.length !== 4) return err(`date of ${value.length} bytes`);
      if (value.every((b) => b === 0)) return ok(undefined); // not written
      const digits = bcd(value);
      if (digits === null || !plausibleDate(digits)) return err('not a BCD date');
      return ok(digits);
    }
    case 'bcdRegion': {
      if (value.length !== 3) return err(`region of ${value.length} bytes`);
      const digits = bcd(value);
      return digits === null ? err('region is not BCD') : ok(digits);
    }
    case 'bcdCode': {
      if (value.length !== 1) return err(`code of ${value.length} bytes`);
      const digits = bcd(value);
      return digits === null ? err('code is not BCD') : ok(digits);
    }
    case 'gbk':
    case 'gb18030':
      return decodePaddedText(value, spec.format);
  }
}

/**
 * GBK or GB 18030 text padded with 00 (or spaces): undefined when there is none, an error when
 * the bytes are not text in that encoding.
 */
export function decodePaddedText(
  value: Uint8Array,
  encoding: 'gbk' | 'gb18030',
): Result<string | undefined, string> {
  let end = value.length;
  while (end > 0 && (value[end - 1] === 0x00 || value[end - 1] === 0x20)) end--;
  if (end === 0) return ok(undefined);
  const text = iconv.decode(Buffer.from(value.subarray(0, end)), encoding);
  // iconv-lite turns invalid input into U+FFFD, and a GB 18030 four-byte code beyond U+10FFFF
  // into lone surrogates; a name we cannot read is not a name.
  if (
    text.includes('\uFFFD') ||
    [...text].some((c) => c.charCodeAt(0) < 0x20 || (c.length === 1 && /[\uD800-\uDFFF]/.test(c)))
  )
    return err(encoding === 'gbk' ? 'not GBK text' : 'not GB 18030 text');
  return ok(text);
}

function bcd(bytes: Uint8Array): string | null {
  let out = '';
  for (const b of bytes) {
    if (b >> 4 > 9 || (b & 0x0f) > 9) return null;
    out += String(b >> 4) + String(b & 0x0f);
  }
  return out;
}

function printableAscii(bytes: Uint8Array): string | null {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x00 || bytes[end - 1] === 0x20)) end--;
  let out = '';
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b > 0x7e) return null;
    out += String.fromCharCode(b);
  }
  return out;
}

function plausibleDate(digits: string): boolean {
  const month = Number(digits.slice(4, 6));
  const day = Number(digits.slice(6, 8));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// ---- encoding (the virtual cards and the card centre write what the kiosk reads) ----------

export interface SsseCardData extends SsseCardFields, SsseHolderFields {}

/**
 * The records a card holding `data` has, keyed `${sfi}:${record}`, each one TLV. A generation-1
 * card (spec version 1.xx) keeps sex in record 3 and has no name extension.
 */
export function encodeSsseRecords(data: SsseCardData): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const firstGeneration = generationOf(data.specVersion) === 1;
  for (const spec of SSSE_FIELDS) {
    const value = (data as unknown as Record<string, string | undefined>)[spec.field];
    if (value === undefined) continue;
    if (firstGeneration && spec.tag === 0x4e) continue;
    const record = firstGeneration && spec.tag === 0x0a ? 3 : spec.record;
    out.set(`${SSSE_FILES[spec.file]}:${record}`, encodeTlv(spec.tag, encodeValue(spec, value)));
  }
  return out;
}

export function encodeValue(spec: FieldSpec, value: string): Uint8Array {
  switch (spec.format) {
    case 'identification':
    case 'hex':
      return new Uint8Array(Buffer.from(value, 'hex'));
    case 'ascii':
      return new TextEncoder().encode(value);
    case 'bcdDate':
    case 'bcdRegion':
    case 'bcdCode':
      if (!/^\d*$/.test(value) || value.length !== spec.size * 2)
        throw new RangeError(`${spec.field}: ${spec.size * 2} digits expected`);
      return new Uint8Array(Buffer.from(value, 'hex'));
    case 'gbk':
    case 'gb18030': {
      const out = new Uint8Array(spec.size);
      const encoded = iconv.encode(value, spec.format);
      const label = spec.format === 'gbk' ? 'GBK' : 'GB 18030';
      // iconv-lite writes "?" for a character the encoding lacks: never write a wrong name.
      if (iconv.decode(encoded, spec.format) !== value)
        throw new RangeError(`${spec.field}: a character ${label} cannot hold`);
      if (encoded.length > spec.size)
        throw new RangeError(`${spec.field}: longer than ${spec.size} ${label} bytes`);
      out.set(encoded);
      return out;
    }
  }
}
