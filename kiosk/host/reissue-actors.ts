/**
 * The host's implementations of the reissue flow's actors: each turns one step of the journey
 * into driver and card-centre calls, and answers in the flow's own terms. Aborting the signal
 * (the flow left the state) cancels the hardware wait.
 */
import { randomBytes } from 'node:crypto';
import { fromPromise } from 'xstate';
import type { reissueMachine } from '../../flows/reissue/machine.ts';
import type { IdCardRecord } from '../../drivers/id-reader/id-card-record.ts';
import type { Language, LookupOutcome, ReadIdOutcome, RegisterOutput, StepOutcome } from '../../flows/reissue/types.ts';
import { renderFramePanel } from '../../printer-templates/card-face/card-face.ts';
import { receiptEscPos, receiptModel } from '../../printer-templates/receipt/receipt.ts';
import { CARD_STATUS, REISSUE_REASON, type CardCentre } from '../card-centre/card-centre.ts';
import type { Logger } from '../log/logger.ts';
import { maskCardNo, maskIdNumber, maskName } from '../log/mask.ts';
import { personalise } from '../production/personalise.ts';
import type { Devices } from './devices.ts';

export interface ReissueActorDeps {
  devices: Devices;
  cardCentre: CardCentre;
  logger: Logger;
  kiosk: { id: string; siteName: string };
  now?: () => Date;
}

type Actors = Parameters<typeof reissueMachine.provide>[0]['actors'];

const OK: StepOutcome = { ok: true };

export function reissueActors(deps: ReissueActorDeps): NonNullable<Actors> {
  const { devices, cardCentre, logger } = deps;
  const now = deps.now ?? (() => new Date());
  /** The chip written in this session (识别码), reported with the card's outcome; not personal data. */
  let identification: string | null = null;

  const report = async (applicationNo: string, outcome: 'issued' | 'spoiled' | 'retained', signal: AbortSignal) => {
    if (!identification) return;
    const chip = identification;
    // The outbox takes this over with its own issue; until then, a failed report is logged for staff.
    const result = await cardCentre.reportCardIssued(
      { key: `${applicationNo}:${chip}:${outcome}`, applicationNo, identification: chip, outcome },
      signal,
    );
    if (!result.ok) logger.error({ event: 'card.report_failed', applicationNo, outcome, error: result.error.kind }, 'card result not reported');
  };

  return {
    readIdCard: fromPromise<ReadIdOutcome>(async ({ signal }) => {
      const result = await devices.idReader.readCard(signal);
      logger.info({ event: 'id.read', ok: result.ok, ...(result.ok ? { id: maskIdNumber(result.value.idNumber) } : { error: result.error.kind }) }, 'ID card read');
      return result;
    }),

    lookup: fromPromise<LookupOutcome, { idNumber: string }>(async ({ input, signal }) => {
      const result = await cardCentre.lookupPerson(input.idNumber, signal);
      if (!result.ok) {
        logger.warn({ event: 'centre.lookup_failed', error: result.error.kind }, 'card-centre lookup failed');
        return result.error.kind === 'unreachable' ? { kind: 'unreachable' } : { kind: 'noCardOnFile' };
      }
      const card = result.value.cards.find((c) =>
        [CARD_STATUS.normal, CARD_STATUS.reportedLost, CARD_STATUS.temporarilyLost].includes(c.status as never),
      );
      if (!card) return { kind: 'noCardOnFile' };
      const cardStatus =
        card.status === CARD_STATUS.reportedLost ? 'reportedLost' : card.status === CARD_STATUS.temporarilyLost ? 'temporarilyLost' : 'normal';
      return { kind: 'found', cardNo: card.cardNo, cardStatus, feeFen: result.value.reissueFeeFen, centreToday: result.value.today };
    }),

    preflight: fromPromise<StepOutcome, { blanksNeeded: number }>(async ({ input }) => {
      const problems: string[] = [];
      for (const device of [devices.idReader, devices.cardPrinter, devices.chipEncoder, devices.receiptPrinter]) {
        if (device.status().state !== 'ready') problems.push(`${device.kind}:${device.status().state}`);
      }
      if (devices.cardPrinter.counters().blanksInFeeder < input.blanksNeeded) problems.push('feeder:low');
      if (problems.length > 0) {
        logger.warn({ event: 'preflight.failed', problems }, 'pre-flight check failed');
        return { ok: false, reason: 'deviceNotReady' };
      }
      return OK;
    }),

    register: fromPromise<RegisterOutput, { idNumber: string; cardNo: string; alreadyReported: boolean }>(
      async ({ input, signal }) => {
        const sessionKey = randomBytes(8).toString('hex');
        if (!input.alreadyReported) {
          const loss = await cardCentre.reportLoss({ key: `${sessionKey}:loss`, idNumber: input.idNumber, cardNo: input.cardNo }, signal);
          if (!loss.ok) throw new Error(`loss report failed: ${loss.error.kind}`);
        }
        const application = await cardCentre.openApplication(
          { key: `${sessionKey}:application`, idNumber: input.idNumber, reason: REISSUE_REASON.lost },
          signal,
        );
        if (!application.ok) throw new Error(`application failed: ${application.error.kind}`);
        const transactionNo = `${deps.kiosk.id}-${now().toISOString().replace(/\D/g, '').slice(0, 14)}-${sessionKey.slice(0, 4).toUpperCase()}`;
        logger.info({ event: 'reissue.registered', applicationNo: application.value.applicationNo, transactionNo, card: maskCardNo(input.cardNo) }, 'loss reported, application opened');
        identification = null;
        return { applicationNo: application.value.applicationNo, transactionNo };
      },
    ),

    feedBlank: fromPromise<StepOutcome>(async ({ signal }) => {
      identification = null;
      const result = await devices.cardPrinter.feedToContactStation(signal);
      if (!result.ok) {
        logger.warn({ event: 'card.feed_failed', fault: result.error }, 'blank not fed');
        return { ok: false, reason: 'deviceNotReady' };
      }
      devices.simulation?.chipEncoder.insertBlank();
      return OK;
    }),

    writeChip: fromPromise<StepOutcome, { applicationNo: string; resident: IdCardRecord }>(
      async ({ input, signal }) => {
        const session = await devices.chipEncoder.connect(signal);
        if (!session.ok) {
          logger.warn({ event: 'chip.connect_failed', fault: session.error.kind }, 'chip not reachable');
          return { ok: false, reason: 'failed' };
        }
        try {
          const result = await personalise(session.value, cardCentre, {
            applicationNo: input.applicationNo,
            holder: { idNumber: input.resident.idNumber, name: input.resident.name },
          }, signal);
          if (!result.ok) {
            logger.warn({ event: 'chip.personalise_failed', failure: result.error }, 'chip personalisation failed');
            return { ok: false, reason: 'failed' };
          }
          identification = result.value.identification;
          logger.info({ event: 'chip.personalised', applicationNo: input.applicationNo, identification }, 'chip written and verified');
          return OK;
        } finally {
          await session.value.close();
        }
      },
    ),

    printFace: fromPromise<StepOutcome, { resident: IdCardRecord; cardNo: string }>(async ({ signal }) => {
      const result = await devices.cardPrinter.printFront({ k: renderFramePanel() }, signal);
      return result.ok ? OK : { ok: false, reason: 'deviceNotReady' };
    }),

    ejectCard: fromPromise<StepOutcome, { applicationNo: string }>(async ({ input, signal }) => {
      const result = await devices.cardPrinter.ejectToResident(signal);
      if (!result.ok) return { ok: false, reason: 'deviceNotReady' };
      logger.info({ event: 'card.ejected', applicationNo: input.applicationNo }, 'card presented at the exit');
      await report(input.applicationNo, 'issued', signal);
      return OK;
    }),

    rejectCard: fromPromise<StepOutcome, { applicationNo: string | null }>(async ({ input, signal }) => {
      const result = await devices.cardPrinter.ejectToRejectBin(signal);
      if (!result.ok && result.error !== 'noCard') {
        logger.error({ event: 'card.reject_failed', fault: result.error }, 'card could not be rejected');
        throw new Error(`reject failed: ${result.error}`);
      }
      logger.warn({ event: 'card.rejected', applicationNo: input.applicationNo, identification }, 'card rejected into the bin');
      if (input.applicationNo) await report(input.applicationNo, 'spoiled', signal);
      identification = null;
      return OK;
    }),

    waitCardTaken: fromPromise<void>(async ({ signal }) => {
      await devices.cardPrinter.waitForCardTaken(signal);
      logger.info({ event: 'card.taken' }, 'resident took the card');
    }),

    retainCard: fromPromise<StepOutcome, { applicationNo: string | null }>(async ({ input, signal }) => {
      const result = await devices.cardPrinter.ejectToRejectBin(signal);
      logger.warn({ event: 'card.retained', applicationNo: input.applicationNo, ok: result.ok }, 'card not taken: retained for staff');
      if (input.applicationNo) await report(input.applicationNo, 'retained', signal);
      return result.ok ? OK : { ok: false, reason: 'deviceNotReady' };
    }),

    printReceipt: fromPromise<
      StepOutcome,
      { resident: IdCardRecord; transactionNo: string; cardNo: string; feeFen: number; lang: Language }
    >(
      async ({ input, signal }) => {
        const job = receiptEscPos(
          receiptModel({
            siteName: deps.kiosk.siteName,
            kioskId: deps.kiosk.id,
            time: now(),
            transactionNo: input.transactionNo,
            maskedName: maskName(input.resident.name),
            maskedIdNumber: maskIdNumber(input.resident.idNumber),
            maskedCardNo: maskCardNo(input.cardNo),
            feeFen: input.feeFen,
            lossReported: true,
          }),
        );
        const result = await devices.receiptPrinter.print(job, signal);
        if (!result.ok) logger.warn({ event: 'receipt.failed', fault: result.error }, 'receipt not printed');
        return result.ok ? OK : { ok: false, reason: 'deviceNotReady' };
      },
    ),

    waitIdCardRemoved: fromPromise<void>(async ({ signal }) => {
      await devices.idReader.waitForRemoval(signal);
    }),
  };
}
