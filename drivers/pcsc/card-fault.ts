/**
 * What can go wrong between the kiosk and a card, as values. Every PC/SC return code and every
 * misbehaviour of a card ends up as one of these; nothing a card sends can make the driver throw.
 */

export type CardFault =
  /** pcscd is not running, was stopped, or died (RPC transport error). */
  | { kind: 'noService'; detail?: string }
  /** The reader for this role is not there (unplugged, or refused as a test reader). */
  | { kind: 'noReader' }
  | { kind: 'noCard' }
  /** The card left the reader during the session. */
  | { kind: 'removed' }
  /** The card does not answer its reset (no ATR). */
  | { kind: 'mute' }
  /** An exchange got no answer in time. The card is now of unknown state and the reader busy. */
  | { kind: 'timeout'; afterMs: number }
  /** Someone else holds the card (another session, another process), or a stuck exchange does. */
  | { kind: 'busy' }
  /** An earlier exchange on this card timed out or was aborted: what the card did is unknown. */
  | { kind: 'unknownState' }
  /** The card answered with fewer than the two status bytes (a pulled card can "succeed" empty). */
  | { kind: 'malformedResponse'; length: number }
  /** Any other PC/SC return code, named. */
  | { kind: 'pcsc'; code: number; name: string };

/**
 * PC/SC return codes (pcsc-lite `pcsclite.h`, the same values as Windows `winerror.h` SCARD_*),
 * with the fault each means for us.
 */
export const PCSC_CODES: Record<number, { name: string; fault: CardFault['kind'] }> = {
  0x80100002: { name: 'SCARD_E_CANCELLED', fault: 'pcsc' },
  0x80100003: { name: 'SCARD_E_INVALID_HANDLE', fault: 'pcsc' },
  0x80100008: { name: 'SCARD_E_INSUFFICIENT_BUFFER', fault: 'pcsc' },
  0x80100009: { name: 'SCARD_E_UNKNOWN_READER', fault: 'noReader' },
  0x8010000a: { name: 'SCARD_E_TIMEOUT', fault: 'pcsc' },
  0x8010000b: { name: 'SCARD_E_SHARING_VIOLATION', fault: 'busy' },
  0x8010000c: { name: 'SCARD_E_NO_SMARTCARD', fault: 'noCard' },
  0x8010000f: { name: 'SCARD_E_PROTO_MISMATCH', fault: 'pcsc' },
  /** "RPC transport error": pcscd died under us (PROTOCOLS.md §6). */
  0x80100013: { name: 'SCARD_F_COMM_ERROR', fault: 'noService' },
  /** Seen right after a card is pulled mid-session (PROTOCOLS.md §6), before REMOVED_CARD. */
  0x80100016: { name: 'SCARD_E_NOT_TRANSACTED', fault: 'removed' },
  0x80100017: { name: 'SCARD_E_READER_UNAVAILABLE', fault: 'noReader' },
  0x8010001d: { name: 'SCARD_E_NO_SERVICE', fault: 'noService' },
  0x8010001e: { name: 'SCARD_E_SERVICE_STOPPED', fault: 'noService' },
  0x8010002e: { name: 'SCARD_E_NO_READERS_AVAILABLE', fault: 'noReader' },
  0x80100065: { name: 'SCARD_W_UNSUPPORTED_CARD', fault: 'mute' },
  0x80100066: { name: 'SCARD_W_UNRESPONSIVE_CARD', fault: 'mute' },
  0x80100067: { name: 'SCARD_W_UNPOWERED_CARD', fault: 'mute' },
  /** Someone reset the card: its security state (authentication, PIN) is gone mid-session. */
  0x80100068: { name: 'SCARD_W_RESET_CARD', fault: 'unknownState' },
  0x80100069: { name: 'SCARD_W_REMOVED_CARD', fault: 'removed' },
};

/** The binding reports errors as text ending in `(0x8010xxxx)`; this reads the code back. */
export function pcscCodeOf(error: unknown): number | null {
  const message = error instanceof Error ? error.message : String(error);
  const match = /\(0x([0-9a-fA-F]{8})\)/.exec(message);
  return match ? Number.parseInt(match[1]!, 16) : null;
}

export function faultFromPcscError(error: unknown): CardFault {
  const code = pcscCodeOf(error);
  if (code === null)
    return { kind: 'pcsc', code: 0, name: error instanceof Error ? error.message : String(error) };
  const known = PCSC_CODES[code];
  if (!known) return { kind: 'pcsc', code, name: `0x${code.toString(16)}` };
  switch (known.fault) {
    case 'noService':
      return { kind: 'noService', detail: known.name };
    case 'pcsc':
      return { kind: 'pcsc', code, name: known.name };
    case 'noReader':
    case 'noCard':
    case 'removed':
    case 'mute':
    case 'busy':
    case 'unknownState':
      return { kind: known.fault };
    default:
      return { kind: 'pcsc', code, name: known.name };
  }
}

export function describeFault(fault: CardFault): string {
  switch (fault.kind) {
    case 'timeout':
      return `no answer in ${fault.afterMs} ms`;
    case 'malformedResponse':
      return `answer of ${fault.length} bytes, fewer than the two status bytes`;
    case 'pcsc':
      return fault.name;
    case 'noService':
      return `PC/SC service unavailable${fault.detail ? ` (${fault.detail})` : ''}`;
    default:
      return fault.kind;
  }
}
