/**
 * The cardholder's name on the chip (SSSE application, PROTOCOLS.md §1, EF06): record 2 tag 09
 * is the name, 30 bytes of GBK padded with 00 (confidence H); record 3 tag 4E is the name
 * extension, 20 bytes (confidence H for the field, its size M), whose encoding PROTOCOLS.md does
 * not state. Pure: a name ⇄ the bytes of the two fields, no I/O.
 *
 * How a name is laid out here:
 * - wholly in GBK and at most 30 bytes: the name field holds it, the extension is not written
 *   (`extension: null`) — exactly what the kiosk wrote before name extensions, byte for byte;
 * - otherwise (a rare character outside GBK, common in rural names, e.g. 𠮷 U+20BB7): the name
 *   field holds the name in GBK with each character outside GBK replaced by □ (U+25A1, GBK A1F5),
 *   and the extension holds the whole name in GB 18030, padded with 00 to 20 bytes.
 *
 * Why (confidence L on each point — the regional card specifications settle them; they sit in
 * the constants below so a field test corrects them in one place):
 * - GB 18030 for the extension: it is the mandatory national superset of GBK, encodes every
 *   Unicode character (𠮷 takes 4 bytes), and a GBK name in it has the very same bytes, so an
 *   extension some other issuer wrote in GBK still reads right (`ssse-record.ts` decodes tag 4E
 *   as GB 18030);
 * - the whole name in the extension, not just its rare characters: a reader that knows the
 *   extension needs nothing else, and nothing has to say where the rare characters went;
 * - □ in the name field: a reader that only knows the GBK field shows a box where the rare
 *   character is, rather than garbage or a shorter, wrong name.
 * A name that does not fit either field is refused: the card is then made at the counter.
 */
import iconv from 'iconv-lite';
import { err, ok, type Result } from '../common/result.ts';
import {
  decodePaddedText,
  NAME_EXTENSION_FORMAT,
  SSSE_FIELDS,
  type SsseHolderFields,
} from './ssse-record.ts';

const fieldSize = (tag: number): number => SSSE_FIELDS.find((f) => f.tag === tag)!.size;

/** EF06 tag 09: 30 bytes of GBK (PROTOCOLS.md §1). */
export const NAME_FIELD_BYTES = fieldSize(0x09);
/** EF06 tag 4E: 20 bytes (PROTOCOLS.md §1). */
export const NAME_EXTENSION_BYTES = fieldSize(0x4e);
/** GB 18030, named in ssse-record.ts. Confidence L: PROTOCOLS.md §1 does not state it. */
const NAME_EXTENSION_ENCODING = NAME_EXTENSION_FORMAT;
/** What stands in the GBK name field for a character outside GBK: □ (GBK A1F5). Confidence L. */
export const OUTSIDE_GBK_PLACEHOLDER = '\u25a1';

export interface HolderNameFields {
  /** EF06 tag 09, always NAME_FIELD_BYTES long. */
  name: Uint8Array;
  /** EF06 tag 4E, NAME_EXTENSION_BYTES long; null: record 3 is not written. */
  extension: Uint8Array | null;
}

export type HolderNameProblem =
  | { kind: 'tooLong'; field: 'name' | 'nameExtension' }
  /** Empty, or a character no field can hold (a control character, U+FFFD, a lone surrogate). */
  | { kind: 'notEncodable' };

const inGbk = (char: string): boolean => iconv.decode(iconv.encode(char, 'gbk'), 'gbk') === char;

export function encodeHolderName(name: string): Result<HolderNameFields, HolderNameProblem> {
  const chars = [...name];
  // What the decoder would refuse to read back is never written.
  if (chars.length === 0 || chars.some((c) => c.codePointAt(0)! < 0x20 || c === '\ufffd'))
    return err({ kind: 'notEncodable' });
  if (chars.every(inGbk)) {
    const gbk = iconv.encode(name, 'gbk');
    if (gbk.length <= NAME_FIELD_BYTES)
      return ok({ name: padded(gbk, NAME_FIELD_BYTES), extension: null });
  }
  const extension = iconv.encode(name, NAME_EXTENSION_ENCODING);
  // iconv-lite writes "?" for what it cannot encode (a lone surrogate): the round trip shows it.
  if (iconv.decode(extension, NAME_EXTENSION_ENCODING) !== name)
    return err({ kind: 'notEncodable' });
  const nameField = iconv.encode(
    chars.map((c) => (inGbk(c) ? c : OUTSIDE_GBK_PLACEHOLDER)).join(''),
    'gbk',
  );
  if (nameField.length > NAME_FIELD_BYTES) return err({ kind: 'tooLong', field: 'name' });
  if (extension.length > NAME_EXTENSION_BYTES)
    return err({ kind: 'tooLong', field: 'nameExtension' });
  return ok({
    name: padded(nameField, NAME_FIELD_BYTES),
    extension: padded(extension, NAME_EXTENSION_BYTES),
  });
}

/**
 * The holder's full name from the two fields as decoded by `decodeSsseRecords`: the extension
 * when the card has one (it holds the whole name, see above), else the GBK name.
 */
export function holderName(
  holder: Pick<SsseHolderFields, 'name' | 'nameExtension'>,
): string | undefined {
  return holder.nameExtension ?? holder.name;
}

/**
 * The holder's full name from the raw values of tag 09 and tag 4E (null: no record 3), or null
 * when neither holds a readable name. Trailing 00 (and spaces) are padding.
 */
export function decodeHolderName(
  nameBytes: Uint8Array,
  extensionBytes: Uint8Array | null,
): string | null {
  const extension = extensionBytes && decodePaddedText(extensionBytes, NAME_EXTENSION_ENCODING);
  if (extension?.ok && extension.value !== undefined) return extension.value;
  const name = decodePaddedText(nameBytes, 'gbk');
  return name.ok ? (name.value ?? null) : null;
}

function padded(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(bytes);
  return out;
}
