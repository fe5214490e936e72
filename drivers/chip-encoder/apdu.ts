/**
 * ISO 7816-4 command/response APDUs and the status words the kiosk must tell apart. The codec
 * lives with the PC/SC driver (drivers/pcsc/apdu.ts, status-words.ts); this module keeps the
 * chip encoder's original imports working.
 */
export { fromHex, hex, parseResponse, responseBytes, type ApduResponse } from '../pcsc/apdu.ts';
export { SW } from '../pcsc/status-words.ts';
