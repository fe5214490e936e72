/**
 * The host's implementations of the reissue flow's actors: each turns one step of the journey
 * into driver and card-centre calls, and answers in the flow's own terms. Aborting the signal
 * (the flow left the state) cancels the hardware wait.
 *
 * Every side effect is wrapped in its records (kiosk/store/session-records.ts): the intent is
 * committed before it, the outcome after it together with the stock-ledger and outbox entries it
 * implies. When the intent cannot be written the side effect is refused and the actor fails, so
 * the flow takes its failure or reject path. The one exception is retaining a card left in the
 * exit slot: leaving a personalised card for a stranger is worse than a missing record, and the
 * printer's reject counter shows the move to the next stock check.
 *
 * The printer's counters are read before and after each card movement and compared with what the
 * movement should have done; a disagreement (a double feed) is a discrepancy in the ledger.
 */
import { fromPromise } from 'xstate';
import type { CardFacePanels, CardPrinterCounters } from '../../drivers/card-printer/card-printer.ts';
import type { reissueMachine } from '../../flows/reissue/machine.ts';
import { MAX_FACE_ATTEMPTS } from '../../flows/reissue/machine.ts';
import type { IdCardRecord } from '../../drivers/id-reader/id-card-record.ts';
import type {
  FaceOutcome,
  Language,
  LookupOutcome,
  PayOutcome,
  PreflightOutcome,
  ReadIdOutcome,
  RefundOutcome,
  RegisterOutput,
  SettleOutcome,
  RetainOutcome,
  StepOutcome,
} from '../../flows/reissue/types.ts';
import { settlePayment } from '../card-centre/settle-payment.ts';
import { encodeHolderName } from '../../drivers/chip-encoder/holder-name.ts';
import { canPrintName, renderCardFace } from '../../printer-templates/card-face/card-face.ts';
import { receiptJob } from '../../printer-templates/receipt/receipt.ts';
import { CARD_STATUS, REISSUE_REASON, type CardCentre } from '../card-centre/card-centre.ts';
import type { Logger } from '../log/logger.ts';
import { maskCardNo, maskIdNumber, maskName } from '../log/mask.ts';
import { personalise } from '../production/personalise.ts';
import { checkCounter, checkFeed, SESSION_ACTOR, type Finding, type MovementContext } from '../store/ledger.ts';
import { SessionRecords, type Checkpoint } from '../store/session-records.ts';
import { checkStockAtRestAndRecord } from '../store/stock-check.ts';
import type { KioskStore } from '../store/store.ts';
import type { Devices } from './devices.ts';
import { raiseNotice } from '../store/staff-notices-desk.ts';

export interface ReissueActorDeps {
  devices: Devices;
  cardCentre: CardCentre;
  logger: Logger;
  kiosk: { id: string; siteName: string };
  store: KioskStore;
  now?: () => Date;
  /** How an unknown payment is settled; defaults from settle-payment.ts. */
  paymentPolling?: { pollIntervalMs: number; maxQueries: number };
}

type Actors = Parameters<typeof reissueMachine.provide>[0]['actors'];

const OK: StepOutcome = { ok: true };
const RECORDS_UNAVAILABLE: StepOutcome = { ok: false, reason: 'recordsUnavailable' };

/** Why the card inside is being rejected: the last production step that failed. */
/** The card face ready to print, or why it could not be made (the print step's failure). */
type CardFaceReady = { ok: true; panels: CardFacePanels } | { ok: false; reason: 'failed' | 'cardCentreUnreachable' };

type SpoilReason = 'feedFailed' | 'doubleFeed' | 'chipFailed' | 'printFailed' | 'ejectFailed' | 'unknown';

class RecordsRefusedError extends Error {
  constructor(action: string) {
    super(`${action} refused: the kiosk's records cannot be written`);
    this.name = 'RecordsRefusedError';
  }
}

const isAbort = (error: unknown) => (error as { name?: string } | null)?.name === 'AbortError' || (error instanceof Error && /abort/i.test(error.message));

export function reissueActors(deps: ReissueActorDeps): NonNullable<Actors> {
  const { devices, cardCentre, logger, store } = deps;
  const printer = devices.cardPrinter;
  const now = deps.now ?? (() => new Date());
  const records = new SessionRecords(store, logger);

  /** The production attempt (one per feed), for the keys of its steps. */
  let attempt = 0;
  let applicationNo: string | null = null;
  /** The number the resident is shown (receipt, failure screen) and staff find the session by. */
  let transactionNo: string | null = null;
  /** The number the new card will carry (from the application). */
  let newCardNo: string | null = null;
  /** The chip written on the card now inside (识别码); not personal data. */
  let identification: string | null = null;
  let spoilReason: SpoilReason = 'unknown';
  /** How many times pay was called in this session (the key of each attempt's record). */
  let payAttempt = 0;
  /** Face checks of this resident (a random tag keeps their keys apart between residents). */
  let faceSession = randomTag();
  let faceAttempt = 0;
  /**
   * This session's card face, laid out while the chip is written: the archived photo's download
   * and the layout overlap the chip's exchanges instead of following them (bench/journey-realistic.ts).
   * It holds the resident's photo, so it goes when the session ends; a later production attempt
   * reuses it, as the face does not change from one blank to the next.
   */
  let cardFace: { cardNumber: string; face: Promise<CardFaceReady>; abort: AbortController } | null = null;
  const forgetCardFace = () => {
    cardFace?.abort.abort();
    cardFace = null;
  };
  /** Fetches the archived photo and lays the face out; never rejects. */
  const layOutCardFace = async (resident: IdCardRecord, cardNumber: string, signal: AbortSignal): Promise<CardFaceReady> => {
    const photo = await cardCentre.archivedPhoto(resident.idNumber, signal);
    if (!photo.ok) {
      logger.warn({ event: 'face.no_photo', error: photo.error.kind }, 'archived photo not available for the card face');
      return { ok: false, reason: photo.error.kind === 'rejected' ? 'failed' : 'cardCentreUnreachable' };
    }
    const face = renderCardFace(
      { name: resident.name, socialSecurityNumber: resident.idNumber, cardNumber, issueDate: now(), issuingArea: deps.kiosk.siteName },
      { photo: photo.value.data },
    );
    if (!face.ok) {
      logger.error({ event: 'face.layout_failed', error: String(face.error) }, 'card face could not be laid out');
      return { ok: false, reason: 'failed' };
    }
    return { ok: true, panels: face.value.panels };
  };
  const startCardFace = (resident: IdCardRecord, cardNumber: string) => {
    if (cardFace?.cardNumber === cardNumber) return;
    forgetCardFace();
    const abort = new AbortController();
    const face = layOutCardFace(resident, cardNumber, abort.signal).catch((error: unknown): CardFaceReady => {
      logger.warn({ event: 'face.prepare_failed', error: String((error as Error)?.message ?? error) }, 'card face not prepared ahead');
      return { ok: false, reason: 'cardCentreUnreachable' };
    });
    cardFace = { cardNumber, face, abort };
  };

  const counters = (): CardPrinterCounters => printer.counters();
  const movement = (checkpoint: Checkpoint, journalSeq: number, printerNow: CardPrinterCounters): MovementContext => ({
    sessionId: checkpoint.sessionId,
    journalSeq,
    printer: printerNow,
  });
  const raise = (findings: Finding[], at: MovementContext) => {
    for (const finding of findings) {
      store.ledger.raise(finding, at);
      logger.error({ event: 'stock.discrepancy', reason: finding.reason, ...finding.detail }, finding.message);
    }
  };
  /** Queues the card's result for the card centre when the centre knows the card (its chip was written). */
  const queueCardResult = (outcome: 'issued' | 'spoiled' | 'retained', sessionId: string) => {
    if (!identification || !applicationNo) return;
    store.queue(
      {
        kind: 'cardResult',
        key: `${applicationNo}:${identification}:${outcome}`,
        payload: { applicationNo, identification, outcome },
      },
      sessionId,
    );
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
        return result.error.kind === 'rejected' ? { kind: 'noCardOnFile' } : { kind: 'unreachable' };
      }
      // The card centre's date stamps the session and its stock movements.
      store.centreDate.heard(result.value.today);
      const card = result.value.cards.find((c) =>
        [CARD_STATUS.normal, CARD_STATUS.reportedLost, CARD_STATUS.temporarilyLost].includes(c.status as never),
      );
      if (!card) return { kind: 'noCardOnFile' };
      const cardStatus =
        card.status === CARD_STATUS.reportedLost ? 'reportedLost' : card.status === CARD_STATUS.temporarilyLost ? 'temporarilyLost' : 'normal';
      return {
        kind: 'found',
        cardNo: card.cardNo,
        cardStatus,
        feeFen: result.value.reissueFeeFen,
        hasArchivedPhoto: result.value.hasArchivedPhoto,
        centreToday: result.value.today,
      };
    }),

    verifyFace: fromPromise<FaceOutcome, { idNumber: string; photo: string }>(async ({ input, signal }) => {
      // A read-only comparison: nothing in the world changes, so it opens no session record;
      // its verdict is logged (without the photo) and the photo is dropped with this call.
      faceAttempt++;
      const photo = decodePhoto(input.photo);
      if (!photo) {
        logger.warn({ event: 'face.bad_photo', attempt: faceAttempt }, 'the camera photo could not be decoded');
        return faceAttempt < MAX_FACE_ATTEMPTS ? 'retry' : 'noMatch';
      }
      const verdict = await cardCentre.verifyFace(
        { key: `face:${faceSession}:${faceAttempt}`, idNumber: input.idNumber, photo },
        signal,
      );
      if (!verdict.ok) {
        logger.warn({ event: 'face.unreachable', error: verdict.error.kind }, 'face check failed');
        return verdict.error.kind === 'rejected' ? 'noMatch' : 'unreachable';
      }
      logger.info({ event: 'face.verdict', attempt: faceAttempt, result: verdict.value.result, reason: verdict.value.reason }, 'face checked');
      return verdict.value.result;
    }),

    preflight: fromPromise<PreflightOutcome, { name: string; hasArchivedPhoto: boolean; blanksNeeded: number }>(async ({ input }) => {
      // What the resident must take to the counter is said first: no photo, a name the card cannot carry.
      if (!input.hasArchivedPhoto) return { ok: false, reason: 'noArchivedPhoto' };
      const problems: string[] = [];
      const name = cardNameProblem(input.name);
      if (name === 'fontUnavailable') problems.push('cardFace:fontUnavailable');
      else if (name !== null) {
        // Which part refused, never the name or its characters (personal data).
        logger.warn({ event: 'preflight.name_not_printable', ...name }, 'the card cannot carry the name');
        return { ok: false, reason: 'nameNotPrintable' };
      }
      for (const device of [devices.idReader, devices.cardPrinter, devices.chipEncoder, devices.receiptPrinter]) {
        if (device.status().state !== 'ready') problems.push(`${device.kind}:${device.status().state}`);
      }
      if (counters().blanksInFeeder < input.blanksNeeded) problems.push('feeder:low');
      // The records must take writes (a full disk may have been freed since) and the stock must agree.
      if (store.writeFailure && !store.probeWrites()) problems.push('records:unavailable');
      else {
        try {
          checkStockAtRestAndRecord(store, printer, logger);
        } catch {
          problems.push('records:unavailable');
        }
        const balance = store.ledger.balance();
        if (balance.unresolved.length > 0) problems.push('stock:discrepancy');
        if (balance.inProcess > 0) problems.push('stock:cardInsideFromEarlierSession');
        if (balance.inHopper < input.blanksNeeded) problems.push('stock:ledgerHopperLow');
      }
      if (problems.length > 0) {
        logger.warn({ event: 'preflight.failed', problems }, 'pre-flight check failed');
        return problems.includes('records:unavailable') ? { ok: false, reason: 'recordsUnavailable' } : { ok: false, reason: 'deviceNotReady' };
      }
      return { ok: true };
    }),

    register: fromPromise<RegisterOutput, { idNumber: string; cardNo: string; alreadyReported: boolean }>(
      async ({ input, signal }) => {
        // The session starts with its first side effect (this one, or an identity check before it).
        const sessionId = records.ensure();
        attempt = 0;
        applicationNo = null;
        transactionNo = null;
        identification = null;
        forgetCardFace();
        // What recovery needs to repeat these calls under their keys; sealed, deleted at settlement.
        const open = { idNumber: input.idNumber, cardNo: input.cardNo };
        if (!input.alreadyReported) {
          const checkpoint = records.intend('lossReported', 'loss', { card: maskCardNo(input.cardNo) }, 'reporting the loss', { open });
          if (!checkpoint) throw new RecordsRefusedError('reporting the loss');
          const loss = await cardCentre.reportLoss({ key: checkpoint.key, idNumber: input.idNumber, cardNo: input.cardNo }, signal).catch((error: unknown) => {
            records.conclude(checkpoint, 'unknown', { error: String((error as Error).message ?? error) });
            throw error;
          });
          if (loss.ok) records.conclude(checkpoint, 'done', { alreadyReported: loss.value.alreadyReported });
          // Only a refusal is a known "not done"; no answer (unreachable, timeout, garbled) is unknown.
          else records.conclude(checkpoint, loss.error.kind === 'rejected' ? 'failed' : 'unknown', loss.error.kind === 'rejected' ? { code: loss.error.code } : { error: loss.error.kind });
          if (!loss.ok) throw new Error(`loss report failed: ${loss.error.kind}`);
        }
        const checkpoint = records.intend('applicationOpened', 'application', {}, 'opening the application', { open });
        if (!checkpoint) throw new RecordsRefusedError('opening the application');
        const application = await cardCentre
          .openApplication({ key: checkpoint.key, idNumber: input.idNumber, reason: REISSUE_REASON.lost }, signal)
          .catch((error: unknown) => {
            records.conclude(checkpoint, 'unknown', { error: String((error as Error).message ?? error) });
            throw error;
          });
        if (!application.ok) {
          records.conclude(checkpoint, application.error.kind === 'rejected' ? 'failed' : 'unknown', application.error.kind === 'rejected' ? { code: application.error.code } : { error: application.error.kind });
          throw new Error(`application failed: ${application.error.kind}`);
        }
        const sessionTransactionNo = `${deps.kiosk.id}-${now().toISOString().replace(/\D/g, '').slice(0, 14)}-${sessionId.slice(0, 4).toUpperCase()}`;
        transactionNo = sessionTransactionNo;
        applicationNo = application.value.applicationNo;
        newCardNo = application.value.newCardNo ?? null;
        records.conclude(checkpoint, 'done', { applicationNo, transactionNo: sessionTransactionNo }, () =>
          store.journal.setApplication(sessionId, application.value.applicationNo, sessionTransactionNo),
        );
        logger.info({ event: 'reissue.registered', session: sessionId, applicationNo, transactionNo: sessionTransactionNo, card: maskCardNo(input.cardNo) }, 'loss reported, application opened');
        return { applicationNo: application.value.applicationNo, transactionNo: sessionTransactionNo, feeFen: application.value.feeFen };
      },
    ),

    awaitPaymentCode: fromPromise<string>(async ({ signal }) => {
      const scan = await devices.qrScanner.nextScan(signal);
      // The code itself is a bearer token for the resident's wallet: never logged.
      logger.info({ event: 'payment.code_scanned', symbology: scan.symbology, length: scan.text.length }, 'payment code scanned');
      return scan.text;
    }),

    pay: fromPromise<PayOutcome, { orderNo: string; amountFen: number; code: string }>(async ({ input, signal }) => {
      const checkpoint = records.intend('paymentStarted', `pay:${++payAttempt}`, { orderNo: input.orderNo, amountFen: input.amountFen }, 'charging the fee');
      if (!checkpoint) throw new RecordsRefusedError('charging the fee');
      const result = await cardCentre
        .pay({ orderNo: input.orderNo, applicationNo: applicationNo!, amountFen: input.amountFen, paymentCode: input.code }, signal)
        .catch((error: unknown) => {
          records.conclude(checkpoint, 'unknown', { error: String((error as Error).message ?? error) });
          throw error;
        });
      if (!result.ok) {
        // A refusal of the request (bad code) charged nothing; no answer at all may have charged.
        const error = result.error;
        const refused = error.kind === 'rejected';
        records.conclude(checkpoint, refused ? 'failed' : 'unknown', error.kind === 'rejected' ? { code: error.code } : { error: error.kind });
        logger.warn({ event: 'payment.failed', orderNo: input.orderNo, error: result.error.kind }, 'pay call failed');
        return refused ? 'declined' : 'unknown';
      }
      const state = result.value.state;
      records.conclude(checkpoint, state === 'paid' ? 'done' : state === 'paying' ? 'unknown' : 'failed', { state });
      logger.info({ event: 'payment.answer', orderNo: input.orderNo, state }, 'payment answered');
      return state === 'paid' ? 'paid' : state === 'paying' ? 'unknown' : 'declined';
    }),

    settlePayment: fromPromise<SettleOutcome, { orderNo: string; amountFen: number }>(async ({ input }) => {
      const checkpoint = records.intend('paymentSettled', 'settle', { orderNo: input.orderNo }, 'settling the payment');
      // Not tied to the screen's signal: leaving the screen must not stop the reversal being sent.
      const settled = await settlePayment(cardCentre, input.orderNo, deps.paymentPolling ?? {});
      if (!settled.ok) {
        // Even the reversal is unconfirmed: the outbox keeps asking for it; staff see it pending.
        if (checkpoint) {
          records.conclude(checkpoint, 'unknown', { error: settled.error.kind }, () =>
            store.queue({ kind: 'paymentReversal', key: `${input.orderNo}:reversal`, payload: { orderNo: input.orderNo, reason: 'unknownOutcome' } }, checkpoint.sessionId),
          );
        }
        logger.error({ event: 'payment.unresolved', orderNo: input.orderNo, error: settled.error.kind }, 'payment outcome unresolved: reversal queued');
        return 'unknown';
      }
      const outcome = settled.value.outcome;
      if (checkpoint) records.conclude(checkpoint, outcome === 'paid' ? 'done' : 'failed', { outcome });
      logger.info({ event: 'payment.settled', orderNo: input.orderNo, outcome }, 'payment settled');
      return outcome === 'paid' ? 'paid' : 'reversed';
    }),

    refund: fromPromise<RefundOutcome, { orderNo: string; amountFen: number }>(async ({ input }) => {
      const checkpoint = records.intend('paymentRefunded', 'refund', { orderNo: input.orderNo, amountFen: input.amountFen }, 'refunding the fee');
      const queueReversal = () => {
        if (checkpoint) store.queue({ kind: 'paymentReversal', key: `${input.orderNo}:reversal`, payload: { orderNo: input.orderNo, reason: 'productionFailed' } }, checkpoint.sessionId);
      };
      const result = await cardCentre.reversePayment({ orderNo: input.orderNo, reason: 'productionFailed' }, new AbortController().signal);
      if (result.ok && result.value.state === 'reversed') {
        if (checkpoint) records.conclude(checkpoint, 'done', { refundedFen: result.value.refundedFen ?? input.amountFen });
        logger.info({ event: 'payment.refunded', orderNo: input.orderNo }, 'fee refunded: no card could be made');
        return 'refunded';
      }
      if (checkpoint) records.conclude(checkpoint, 'unknown', { error: result.ok ? result.value.state : result.error.kind }, queueReversal);
      logger.error({ event: 'payment.refund_pending', orderNo: input.orderNo }, 'refund not confirmed: queued for the card centre, staff told');
      return 'unknown';
    }),

    feedBlank: fromPromise<StepOutcome>(async ({ signal }) => {
      attempt++;
      identification = null;
      spoilReason = 'feedFailed';
      // An open discrepancy stops production: no new blank while the stock does not add up.
      const block = store.serviceBlock();
      if (block) {
        logger.error({ event: 'card.feed_refused', reason: block.reason }, `${block.message}: no blank is fed`);
        return block.reason === 'recordsUnavailable' ? RECORDS_UNAVAILABLE : { ok: false, reason: 'deviceNotReady' };
      }
      const before = counters();
      const hopperBefore = store.ledger.balance().inHopper;
      const checkpoint = records.intend('blankTaken', `feed:${attempt}`, { attempt, feederBefore: before.blanksInFeeder }, 'feeding a blank');
      if (!checkpoint) return RECORDS_UNAVAILABLE;
      let result: Awaited<ReturnType<typeof printer.feedToContactStation>>;
      try {
        result = await printer.feedToContactStation(signal);
      } catch (error) {
        records.conclude(checkpoint, 'unknown', { error: isAbort(error) ? 'aborted' : String((error as Error).message) });
        throw error;
      }
      const after = counters();
      const { fed, findings } = checkFeed(result.ok, before, after, hopperBefore);
      const doubleFeed = findings.some((f) => f.reason === 'doubleFeed');
      const recorded = records.conclude(
        checkpoint,
        result.ok ? 'done' : 'failed',
        { attempt, fed, feederAfter: after.blanksInFeeder, ...(result.ok ? {} : { fault: result.error }) },
        (seq) => {
          const at = movement(checkpoint, seq, after);
          // The card at the station belongs to the session; blanks a double feed pulled out with it
          // are loose in the printer and belong to nobody until staff find them.
          if (fed > 0) store.ledger.fed(doubleFeed ? 1 : fed, at);
          if (doubleFeed) store.ledger.fed(fed - 1, { ...at, sessionId: null });
          raise(findings, at);
        },
      );
      if (!recorded) return RECORDS_UNAVAILABLE;
      if (!result.ok) {
        logger.warn({ event: 'card.feed_failed', fault: result.error, fed }, 'blank not fed');
        return { ok: false, reason: 'deviceNotReady' };
      }
      if (doubleFeed) {
        // The card at the station may be fine, but a loose blank could leave the printer with it.
        spoilReason = 'doubleFeed';
        return { ok: false, reason: 'deviceNotReady' };
      }
      devices.simulation?.chipEncoder.insertBlank();
      return OK;
    }),

    writeChip: fromPromise<StepOutcome, { applicationNo: string; resident: IdCardRecord }>(
      async ({ input, signal }) => {
        spoilReason = 'chipFailed';
        // The face is prepared meanwhile; printing waits for it only if the chip was quicker.
        if (newCardNo) startCardFace(input.resident, newCardNo);
        const checkpoint = records.intend('chipPersonalised', `chip:${attempt}`, { attempt, applicationNo: input.applicationNo }, 'writing the chip');
        if (!checkpoint) return RECORDS_UNAVAILABLE;
        const session = await devices.chipEncoder.connect(signal).catch((error: unknown) => {
          records.conclude(checkpoint, 'unknown', { error: isAbort(error) ? 'aborted' : String((error as Error).message) });
          throw error;
        });
        if (!session.ok) {
          logger.warn({ event: 'chip.connect_failed', fault: session.error.kind }, 'chip not reachable');
          records.conclude(checkpoint, 'failed', { fault: session.error.kind });
          return { ok: false, reason: 'failed' };
        }
        try {
          const result = await personalise(session.value, cardCentre, {
            applicationNo: input.applicationNo,
            holder: { idNumber: input.resident.idNumber, name: input.resident.name },
          }, signal);
          if (!result.ok) {
            logger.warn({ event: 'chip.personalise_failed', failure: result.error }, 'chip personalisation failed');
            records.conclude(checkpoint, 'failed', { failure: result.error.kind });
            return { ok: false, reason: 'failed' };
          }
          identification = result.value.identification;
          const recorded = records.conclude(checkpoint, 'done', { identification });
          logger.info({ event: 'chip.personalised', applicationNo: input.applicationNo, identification }, 'chip written and verified');
          // Without the record of this chip the card must not go on to be printed and handed out.
          return recorded ? OK : RECORDS_UNAVAILABLE;
        } catch (error) {
          records.conclude(checkpoint, 'unknown', { error: isAbort(error) ? 'aborted' : String((error as Error).message) });
          throw error;
        } finally {
          await session.value.close();
        }
      },
    ),

    printFace: fromPromise<StepOutcome, { resident: IdCardRecord; cardNo: string; applicationNo: string }>(
      async ({ input, signal }) => {
        spoilReason = 'printFailed';
        // The face is laid out before anything is recorded or moved: a face that cannot be made
        // (no photo from the centre, a glyph the font lacks) fails this step cleanly. Usually it
        // was prepared while the chip was written; a preparation that failed is tried once more.
        const cardNumber = newCardNo ?? input.cardNo;
        startCardFace(input.resident, cardNumber);
        let face = await cardFace!.face;
        if (!face.ok) {
          forgetCardFace();
          face = await layOutCardFace(input.resident, cardNumber, signal);
        }
        if (!face.ok) return { ok: false, reason: face.reason };
        const checkpoint = records.intend('facePrinted', `print:${attempt}`, { attempt }, 'printing the card face');
        if (!checkpoint) return RECORDS_UNAVAILABLE;
        const before = counters();
        const result = await printer.printFront(face.panels, signal).catch((error: unknown) => {
          records.conclude(checkpoint, 'unknown', { error: isAbort(error) ? 'aborted' : String((error as Error).message) });
          throw error;
        });
        const after = counters();
        const findings = result.ok ? checkCounter('printed', before, after) : [];
        const recorded = records.conclude(checkpoint, result.ok ? 'done' : 'failed', result.ok ? { printed: after.cardsPrinted } : { fault: result.error }, (seq) =>
          raise(findings, movement(checkpoint, seq, after)),
        );
        if (!result.ok) return { ok: false, reason: 'deviceNotReady' };
        return recorded ? OK : RECORDS_UNAVAILABLE;
      },
    ),

    ejectCard: fromPromise<StepOutcome, { applicationNo: string }>(async ({ input, signal }) => {
      spoilReason = 'ejectFailed';
      const checkpoint = records.intend('cardEjected', `eject:${attempt}`, { attempt }, 'presenting the card at the exit');
      if (!checkpoint) return RECORDS_UNAVAILABLE;
      const result = await printer.ejectToResident(signal).catch((error: unknown) => {
        records.conclude(checkpoint, 'unknown', { error: isAbort(error) ? 'aborted' : String((error as Error).message) });
        throw error;
      });
      records.conclude(checkpoint, result.ok ? 'done' : 'failed', result.ok ? {} : { fault: result.error });
      if (!result.ok) return { ok: false, reason: 'deviceNotReady' };
      logger.info({ event: 'card.ejected', applicationNo: input.applicationNo }, 'card presented at the exit');
      // The card may still be retained; it is issued (and reported) when the resident takes it.
      return OK;
    }),

    rejectCard: fromPromise<StepOutcome, { applicationNo: string | null }>(async ({ input, signal }) => {
      const sessionId = records.sessionId;
      const inside = sessionId ? store.ledger.inProcessFor(sessionId) : 0;
      const reason = spoilReason;
      const checkpoint = records.intend('cardRejected', `reject:${attempt}`, { attempt, reason, inside }, 'putting the card in the reject bin');
      // A card whose move to the bin cannot be recorded stays where it is, inside the printer.
      if (!checkpoint) throw new RecordsRefusedError('rejecting the card');
      const before = counters();
      const result = await printer.ejectToRejectBin(signal).catch((error: unknown) => {
        records.conclude(checkpoint, 'unknown', { error: isAbort(error) ? 'aborted' : String((error as Error).message) });
        throw error;
      });
      const after = counters();
      if (!result.ok && result.error !== 'noCard') {
        logger.error({ event: 'card.reject_failed', fault: result.error }, 'card could not be rejected');
        records.conclude(checkpoint, 'failed', { fault: result.error });
        throw new Error(`reject failed: ${result.error}`);
      }
      const binned = result.ok;
      records.conclude(checkpoint, 'done', { binned, reason, ...(identification ? { identification } : {}) }, (seq) => {
        const at = movement(checkpoint, seq, after);
        if (binned && inside > 0) {
          store.ledger.rejected(identification, reason, at);
          queueCardResult('spoiled', checkpoint.sessionId);
        }
        const findings: Finding[] = binned ? checkCounter('rejected', before, after) : [];
        if (binned && inside === 0) {
          findings.push({ reason: 'unrecordedBlanks', message: 'a card the ledger did not know of was in the printer and went to the bin', detail: {} });
        }
        if (!binned && inside > 0) {
          findings.push({ reason: 'cardMissing', message: `the ledger has ${inside} card(s) of this session inside the printer; the printer has none`, detail: { inside } });
        }
        raise(findings, at);
      });
      if (binned) logger.warn({ event: 'card.rejected', applicationNo: input.applicationNo, identification, reason }, 'card rejected into the bin');
      identification = null;
      return OK;
    }),

    waitCardTaken: fromPromise<void, { applicationNo: string }>(async ({ signal }) => {
      const checkpoint = records.intend('cardTaken', 'taken', { attempt }, 'waiting for the resident to take the card');
      const taken = (how: string) => {
        if (!checkpoint) {
          logger.error({ event: 'card.taken_unrecorded' }, 'card taken, but its record could not be written: the ledger still has it inside');
          return;
        }
        records.conclude(checkpoint, 'done', { how }, (seq) => {
          store.ledger.issued(identification, movement(checkpoint, seq, counters()));
          queueCardResult('issued', checkpoint.sessionId);
        });
      };
      try {
        await printer.waitForCardTaken(signal);
      } catch (error) {
        // Not taken in time (or the host is stopping): ask the printer whether the card is still there.
        if (printer.cardAtExit()) {
          if (checkpoint) records.conclude(checkpoint, 'failed', { stillAtExit: true });
        } else {
          taken('atTimeout');
        }
        throw error;
      }
      taken('observed');
      logger.info({ event: 'card.taken' }, 'resident took the card');
    }),

    retainCard: fromPromise<RetainOutcome, { applicationNo: string | null }>(async ({ input, signal }) => {
      if (!printer.cardAtExit() && records.sessionId && store.ledger.inProcessFor(records.sessionId) === 0) {
        // Taken in the last moment: the taken record was written when the wait ended.
        return { ok: true, taken: true };
      }
      const checkpoint = records.intend('cardRetained', 'retain', { attempt }, 'retaining the card');
      if (!checkpoint) logger.error({ event: 'card.retain_unrecorded' }, 'retaining the card without its record: a card must not stay in the slot');
      const before = counters();
      const result = await printer.ejectToRejectBin(signal);
      const after = counters();
      logger.warn({ event: 'card.retained', applicationNo: input.applicationNo, ok: result.ok }, 'card not taken: retained for staff');
      if (checkpoint) {
        records.conclude(checkpoint, result.ok ? 'done' : 'failed', result.ok ? {} : { fault: result.error }, (seq) => {
          const at = movement(checkpoint, seq, after);
          if (result.ok) {
            store.ledger.retained(identification, at);
            queueCardResult('retained', checkpoint.sessionId);
            // Staff are told in the same transaction (and the audit log says so, as for every
            // notice): the resident may come back for it today.
            const message = `the card made for application ${input.applicationNo ?? '(unknown)'} was not taken in time and is in the reject bin: hand it to its resident (ID check) when they come with transaction number ${transactionNo ?? '(unknown)'}`;
            raiseNotice(store, SESSION_ACTOR, {
              sessionId: checkpoint.sessionId,
              kind: 'cardRetained',
              message,
              detail: { applicationNo: input.applicationNo, transactionNo },
            });
            raise(checkCounter('rejected', before, after), at);
          } else if (result.error === 'noCard') {
            raise([{ reason: 'cardMissing', message: 'a card at the exit was neither seen taken nor found to retain', detail: {} }], at);
          }
        });
      }
      return result.ok ? { ok: true, taken: false } : { ok: false, reason: 'deviceNotReady' };
    }),

    printReceipt: fromPromise<
      StepOutcome,
      { resident: IdCardRecord; transactionNo: string; cardNo: string; feeFen: number; lossReported: boolean; lang: Language }
    >(
      async ({ input, signal }) => {
        const checkpoint = records.intend('receiptPrinted', 'receipt', { transactionNo: input.transactionNo }, 'printing the receipt');
        if (!checkpoint) return RECORDS_UNAVAILABLE;
        const job = receiptJob(
          {
            siteName: deps.kiosk.siteName,
            kioskId: deps.kiosk.id,
            time: now(),
            transactionNo: input.transactionNo,
            maskedName: maskName(input.resident.name),
            maskedIdNumber: maskIdNumber(input.resident.idNumber),
            maskedCardNo: maskCardNo(input.cardNo),
            feeFen: input.feeFen,
            lossReported: input.lossReported,
          },
          // Text mode with the printer's own Chinese font and QR: a few hundred bytes; the template
          // falls back to raster by itself for a character outside GBK.
          { mode: 'text', paperWidthMm: 80 },
        );
        const result = await devices.receiptPrinter.print(job, signal).catch((error: unknown) => {
          records.conclude(checkpoint, 'unknown', { error: isAbort(error) ? 'aborted' : String((error as Error).message) });
          throw error;
        });
        records.conclude(checkpoint, result.ok ? 'done' : 'failed', result.ok ? {} : { fault: String(result.error) });
        if (!result.ok) logger.warn({ event: 'receipt.failed', fault: result.error }, 'receipt not printed');
        return result.ok ? OK : { ok: false, reason: 'deviceNotReady' };
      },
    ),

    waitIdCardRemoved: fromPromise<void>(async ({ signal }) => {
      // The resident's business is done: settle the session now (its sealed data goes with it),
      // not when the ID card leaves the reader, which may take long.
      records.end();
      applicationNo = null;
      transactionNo = null;
      identification = null;
      payAttempt = 0;
      faceSession = randomTag();
      faceAttempt = 0;
      forgetCardFace();
      await devices.idReader.waitForRemoval(signal);
    }),
  };
}

/** `data:image/jpeg;base64,…` from the UI's camera → bytes with their media type. */
function decodePhoto(dataUrl: string): { mediaType: 'image/jpeg' | 'image/png'; data: Uint8Array } | null {
  const match = /^data:(image\/(?:jpeg|png));base64,([A-Za-z0-9+/=]+)$/.exec(dataUrl);
  if (!match) return null;
  const data = new Uint8Array(Buffer.from(match[2]!, 'base64'));
  return data.length > 0 ? { mediaType: match[1] as 'image/jpeg' | 'image/png', data } : null;
}

/**
 * What keeps the kiosk from making a card with this name as it is, or null when nothing does —
 * "every character of the name can be printed; if any fails, say so now and take nothing from the
 * resident". Personal data stays out of the answer (it is logged).
 * - The chip must hold it (`encodeHolderName`, PROTOCOLS.md §1 EF06): the GBK name field, and for a
 *   rare character outside GBK (common in rural names, e.g. 𠮷) also the name extension, the whole
 *   name in GB 18030. Confidence L on that layout (drivers/chip-encoder/holder-name.ts): the
 *   embedded card centre writes exactly this and refuses the same names (`NAME_NOT_ENCODABLE`); a
 *   province's HSM decides for itself, and its refusal would come only at personalisation, after
 *   the loss report and the fee: keep this check in step with the province's rules.
 * - The card-face font must have a glyph for every character (`canPrintName`): a name is never
 *   printed with boxes. Noto Sans CJK SC has 𠮷 but not every character of Extensions B–G.
 * `fontUnavailable`: no font at all, so no card for anyone — the kiosk is not ready, which is no
 * fault of the resident's name.
 */
export function cardNameProblem(
  name: string,
): null | 'fontUnavailable' | { part: 'chip'; problem: string } | { part: 'cardFace'; missing: number } {
  const chip = encodeHolderName(name);
  if (!chip.ok) return { part: 'chip', problem: chip.error.kind === 'tooLong' ? `tooLong:${chip.error.field}` : chip.error.kind };
  const face = canPrintName(name);
  if (face.ok) return null;
  return face.fontUnavailable ? 'fontUnavailable' : { part: 'cardFace', missing: face.missing.length };
}

function randomTag(): string {
  return Math.random().toString(36).slice(2, 10);
}
