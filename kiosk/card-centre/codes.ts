/**
 * The card centre's code tables (PROTOCOLS.md §1, "card-centre code tables", confidence M: one
 * credible source; a field test corrects them here, in one place).
 */

/** Card status codes. */
export const CARD_STATUS = {
  sealed: '0',
  normal: '1',
  reportedLost: '2',
  applicationLocked: '3',
  temporarilyLost: '4',
  cancelled: '9',
} as const;
export type CardStatusCode = (typeof CARD_STATUS)[keyof typeof CARD_STATUS];
export const CARD_STATUS_CODES = Object.values(CARD_STATUS) as [
  CardStatusCode,
  ...CardStatusCode[],
];

/**
 * Reissue reasons the kiosk uses: 11 lost, 12 damaged. (The table also has 21 minor→adult,
 * 22 ID data changed, 23 bank changed, 80 new card, 90 other — counter business, not the kiosk's.)
 */
export const REISSUE_REASON = { lost: '11', damaged: '12' } as const;
export type ReissueReasonCode = (typeof REISSUE_REASON)[keyof typeof REISSUE_REASON];
