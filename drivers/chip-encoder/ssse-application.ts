/**
 * Reading a social-security card over any chip session (PC/SC or simulated): SELECT the SSSE
 * application, read EF05 and EF06 record by record, decode them into a typed record. Used to
 * read back a freshly personalised card and, later, for the damaged-card replacement journey.
 */
import { err, ok, type Result } from '../common/result.ts';
import type { CardFault } from '../pcsc/card-fault.ts';
import { SW, statusWordError, type StatusWordError } from '../pcsc/status-words.ts';
import type { ChipSession } from './chip-encoder.ts';
import { SSSE_AID, SSSE_INS } from './sim-ssse-card.ts';
import {
  decodeSsseRecords,
  recordP2,
  RECORDS_PER_FILE,
  type RawRecord,
  type SsseCardRecord,
  type SsseDecodeError,
  type SsseFile,
} from './ssse-record.ts';

export type SsseReadFailure =
  | { kind: 'chip'; fault: CardFault }
  /** SELECT answered 6A82: this card has no SSSE application (not a social-security card). */
  | { kind: 'notSsse' }
  | StatusWordError
  | SsseDecodeError;

/** SELECT by AID: `00 A4 04 00 Lc AID` (ISO 7816-4 §11.2.2). */
export function selectSsseCommand(): Uint8Array {
  return new Uint8Array([0x00, SSSE_INS.SELECT, 0x04, 0x00, SSSE_AID.length, ...SSSE_AID]);
}

/** READ RECORD `rec` of `file`, Le 00 (the whole record). */
export function readRecordCommand(file: SsseFile, record: number): Uint8Array {
  return new Uint8Array([0x00, SSSE_INS.READ_RECORD, record, recordP2(file), 0x00]);
}

export async function selectSsse(
  session: ChipSession,
  signal: AbortSignal,
): Promise<Result<void, SsseReadFailure>> {
  const answer = await session.transmit(selectSsseCommand(), signal);
  if (!answer.ok) return err({ kind: 'chip', fault: answer.error });
  if (answer.value.sw === SW.FILE_NOT_FOUND) return err({ kind: 'notSsse' });
  if (answer.value.sw !== SW.OK) return err(statusWordError('SELECT', answer.value.sw));
  return ok(undefined);
}

/** The raw records of EF05 and EF06 (absent records skipped), after SELECT. */
export async function readSsseRecords(
  session: ChipSession,
  signal: AbortSignal,
): Promise<Result<RawRecord[], SsseReadFailure>> {
  const records: RawRecord[] = [];
  for (const file of ['EF05', 'EF06'] as const) {
    for (let record = 1; record <= RECORDS_PER_FILE; record++) {
      const answer = await session.transmit(readRecordCommand(file, record), signal);
      if (!answer.ok) return err({ kind: 'chip', fault: answer.error });
      if (answer.value.sw === SW.RECORD_NOT_FOUND) continue;
      if (answer.value.sw !== SW.OK) return err(statusWordError('READ RECORD', answer.value.sw));
      records.push({ file, record, data: answer.value.data });
    }
  }
  return ok(records);
}

/** SELECT + read + decode. */
export async function readSsseCard(
  session: ChipSession,
  signal: AbortSignal,
): Promise<Result<SsseCardRecord, SsseReadFailure>> {
  const selected = await selectSsse(session, signal);
  if (!selected.ok) return selected;
  const records = await readSsseRecords(session, signal);
  if (!records.ok) return records;
  return decodeSsseRecords(records.value);
}
