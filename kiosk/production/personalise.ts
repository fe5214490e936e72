/**
 * Relays the card centre's personalisation to the chip at the contact station (PROTOCOLS.md §1,
 * "personalisation with a remote HSM"): the kiosk holds no keys. One session, no card reset
 * between reading the chip's identity and the read-back comparison.
 */
import { fromHex, hex, SW } from '../../drivers/chip-encoder/apdu.ts';
import type { ChipSession } from '../../drivers/chip-encoder/chip-encoder.ts';
import { SSSE_AID } from '../../drivers/chip-encoder/sim-ssse-card.ts';
import { err, ok, type Result } from '../../drivers/common/result.ts';
import type { CardCentre } from '../card-centre/card-centre.ts';

export type PersonaliseFailure =
  | { kind: 'chip'; detail: string }
  | { kind: 'cardCentre'; detail: string }
  | { kind: 'mismatch'; step: number; sw: string };

/** SELECT by AID: `00 A4 04 00 Lc AID` (ISO 7816-4 §11.2.2). */
const selectSsse = () => new Uint8Array([0x00, 0xa4, 0x04, 0x00, SSSE_AID.length, ...SSSE_AID]);
/** READ RECORD 1 of EF05 (SFI 5): P2 = (5 << 3) | 4 = 0x2C; Le 0 = whole record. */
const READ_IDENTIFICATION = new Uint8Array([0x00, 0xb2, 0x01, 0x2c, 0x00]);
/** GET CHALLENGE, 8 bytes. */
const GET_CHALLENGE = new Uint8Array([0x00, 0x84, 0x00, 0x00, 0x08]);

export interface PersonaliseRequest {
  applicationNo: string;
  holder: { idNumber: string; name: string };
}

export async function personalise(
  session: ChipSession,
  centre: CardCentre,
  request: PersonaliseRequest,
  signal: AbortSignal,
): Promise<Result<{ identification: string }, PersonaliseFailure>> {
  const exchange = async (apdu: Uint8Array) => {
    const result = await session.transmit(apdu, signal);
    if (!result.ok) throw new ChipError(result.error.kind);
    return result.value;
  };
  try {
    const selected = await exchange(selectSsse());
    if (selected.sw !== SW.OK) return err({ kind: 'chip', detail: `SELECT SSSE answered ${selected.sw.toString(16)}` });
    const record = await exchange(READ_IDENTIFICATION);
    // The record is TLV: tag 01, length, 识别码.
    if (record.sw !== SW.OK || record.data[0] !== 0x01) return err({ kind: 'chip', detail: 'no 识别码 on the chip' });
    const identification = hex(record.data.subarray(2, 2 + record.data[1]!));
    const challenge = await exchange(GET_CHALLENGE);
    if (challenge.sw !== SW.OK) return err({ kind: 'chip', detail: 'GET CHALLENGE refused' });

    const plan = await centre.personalisationPlan(
      { applicationNo: request.applicationNo, identification, challenge: hex(challenge.data), holder: request.holder },
      signal,
    );
    if (!plan.ok) return err({ kind: 'cardCentre', detail: plan.error.kind === 'rejected' ? plan.error.code : 'unreachable' });

    for (const [index, step] of plan.value.steps.entries()) {
      const response = await exchange(fromHex(step.apdu));
      const dataMatches = step.expectData === undefined || hex(response.data) === step.expectData.toUpperCase();
      if (response.sw !== step.expectSw || !dataMatches) {
        return err({ kind: 'mismatch', step: index, sw: response.sw.toString(16).padStart(4, '0') });
      }
    }
    return ok({ identification });
  } catch (error) {
    if (error instanceof ChipError) return err({ kind: 'chip', detail: error.message });
    throw error;
  }
}

class ChipError extends Error {}
