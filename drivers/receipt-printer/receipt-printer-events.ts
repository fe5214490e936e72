/**
 * The receipt printer's log events, kept as data so technicians and dashboards can rely on the
 * names. Fields carry byte counts, status codes and faults — never a job's bytes, which hold the
 * resident's (masked) name.
 */
export const RECEIPT_PRINTER_EVENTS = {
  /** Each status transition, once (from, to). */
  status: 'receipt_printer.status',
  /** A job: `init`, then `complete` with its disposition and duration. */
  print: 'receipt_printer.print',
  identified: 'receipt_printer.identified',
  identityChanged: 'receipt_printer.identity_changed',
  statusReadFailed: 'receipt_printer.status_failed',
  /** Status readings never agreed twice in a row: noise on the line. */
  statusUnstable: 'receipt_printer.status_unstable',
} as const;
