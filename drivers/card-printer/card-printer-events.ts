/**
 * The card printer's log events, kept as data so technicians and dashboards can rely on the
 * names. Fields carry commands' mnemonics, faults and counts — never a card face or panel data,
 * which may hold a resident's name and photo.
 */
export const CARD_PRINTER_EVENTS = {
  /** Each status transition, once (from, to). */
  status: 'card_printer.status',
  /** A production move: `init`, then `complete` with its disposition and duration. */
  operation: 'card_printer.op',
  identified: 'card_printer.identified',
  /** A printer with another serial number answered on the same port (swapped, or a replug elsewhere). */
  identityChanged: 'card_printer.identity_changed',
  /** A latched error (Pem;2) cleared by a software reset once its cause was gone. */
  reset: 'card_printer.reset',
  /** The printer keeps no `Rco` counters: the driver counts since start. */
  noCounters: 'card_printer.no_counters',
  unexpectedReply: 'card_printer.unexpected_reply',
  readFailed: 'card_printer.read_failed',
  /** A move's reply was lost; the outcome was settled by asking where the card is. */
  moveSettled: 'card_printer.move_settled',
} as const;
