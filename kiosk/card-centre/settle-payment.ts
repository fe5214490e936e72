/**
 * Settling a payment whose outcome is unknown — the centre answered `paying` (the resident is
 * still confirming on their phone), or the pay call timed out or lost its connection. The rule
 * (DESIGN.md, step 6): query with the same order number until the payment is final; if it does
 * not become final in time, reverse it. A resident is never left charged without a card, and
 * never charged twice.
 */
import { err, ok, type Result } from '../../drivers/common/result.ts';
import type { CardCentre, CardCentreFailure, Payment } from './card-centre.ts';
import { abortableSleep } from '../../drivers/common/abortable-sleep.ts';

/** How often to ask while the resident confirms (payment providers suggest every few seconds). */
export const PAYMENT_POLL_INTERVAL_MS = 3_000;
/** How many times to ask before reversing: 20 × 3 s ≈ one minute, about how long a payment code lives. */
export const PAYMENT_MAX_QUERIES = 20;

export type Settlement =
  | { outcome: 'paid'; payment: Payment }
  | { outcome: 'declined'; payment: Payment }
  /** Cancelled by the reversal; `payment.refundedFen` > 0 when it had been paid and was refunded. */
  | { outcome: 'reversed'; payment: Payment };

export interface SettleOptions {
  signal?: AbortSignal;
  pollIntervalMs?: number;
  maxQueries?: number;
  /** Waits between queries; resolves false when the signal aborts first. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<boolean>;
}

/**
 * Queries, then reverses. A failure means even the reversal could not be confirmed: the order
 * stays unknown and must be reversed later (outbox) and shown to staff.
 */
export async function settlePayment(
  centre: CardCentre,
  orderNo: string,
  options: SettleOptions = {},
): Promise<Result<Settlement, CardCentreFailure>> {
  const signal = options.signal ?? new AbortController().signal;
  const interval = options.pollIntervalMs ?? PAYMENT_POLL_INTERVAL_MS;
  const maxQueries = options.maxQueries ?? PAYMENT_MAX_QUERIES;
  const sleep = options.sleep ?? abortableSleep;
  for (let query = 1; query <= maxQueries; query++) {
    const answer = await centre.queryPayment(orderNo, signal);
    if (answer.ok) {
      const final = finalSettlement(answer.value);
      if (final) return ok(final);
    } else if (answer.error.kind === 'rejected' && answer.error.code === 'NO_SUCH_ORDER') {
      // The pay request never arrived. Reversing reserves the order number, so if it is still on
      // its way it will not be charged when it lands.
      break;
    }
    // Still paying, or the centre did not answer this time: ask again.
    if (query < maxQueries && !(await sleep(interval, signal))) break;
  }
  const reversed = await centre.reversePayment({ orderNo, reason: 'unknownOutcome' }, signal);
  if (!reversed.ok) return err(reversed.error);
  return ok(finalSettlement(reversed.value) ?? { outcome: 'reversed', payment: reversed.value });
}

function finalSettlement(payment: Payment): Settlement | null {
  switch (payment.state) {
    case 'paid':
      return { outcome: 'paid', payment };
    case 'declined':
      return { outcome: 'declined', payment };
    case 'reversed':
      return { outcome: 'reversed', payment };
    case 'paying':
      return null;
  }
}
