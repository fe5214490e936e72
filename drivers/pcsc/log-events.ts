/**
 * The PC/SC log events, kept as data so technicians and dashboards can rely on the names.
 * Fields carry reader names, APDU headers (CLA INS P1 P2) and status words — never command or
 * response data, which may hold a resident's name or ID number.
 */

/** The part of a pino logger the drivers use (pino's `Logger` fits it). */
export interface PcscLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

export const PCSC_EVENTS = {
  serviceUp: 'pcsc.service.up',
  serviceDown: 'pcsc.service.down',
  readerAdded: 'pcsc.reader.added',
  readerRemoved: 'pcsc.reader.removed',
  /** A test reader (vpcd's `Virtual PCD`) on a kiosk not configured as simulated: a way in. */
  readerRefused: 'pcsc.reader.refused',
  roleStatus: 'pcsc.role.status',
  exchangeTimeout: 'pcsc.exchange.timeout',
  exchangeAborted: 'pcsc.exchange.aborted',
  malformedResponse: 'pcsc.exchange.malformed',
  stuckSettled: 'pcsc.exchange.stuck_settled',
} as const;

export const silentLogger: PcscLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
