/**
 * The technician's APDU console (on screen, and `mashang apdu` through the admin endpoint): one or
 * more command APDUs to the card in a reader, in one exclusive session that resets the card when
 * it ends (a PIN verified from the console does not stay verified).
 *
 * A reader is reached through the role it serves (the staff card reader; the chip encoder's
 * station on a real kiosk): the kiosk's PC/SC manager hands out cards by role only.
 *
 * What is shown and audited of a command that carries a PIN or key (VERIFY, CHANGE REFERENCE
 * DATA, RESET RETRY COUNTER) is its header and length: its data is masked.
 */
import { fromHex, hex } from '../../drivers/pcsc/apdu.ts';
import { describeFault } from '../../drivers/pcsc/card-fault.ts';
import type { ReaderManager } from '../../drivers/pcsc/reader-manager.ts';
import { describeStatusWord } from '../../drivers/pcsc/status-words.ts';
import { STAFF_CARD_ROLE } from '../../drivers/staff-card/staff-card-reader.ts';

/** Instructions whose data is a secret (ISO 7816-4: VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER). */
const SECRET_INS = new Set([0x20, 0x21, 0x24, 0x2c]);
/** One exchange may take this long (an on-card key operation is well under a second). */
export const CONSOLE_EXCHANGE_MS = 5_000;

export interface ConsoleExchange {
  /** As shown: secret data masked. */
  command: string;
  /** Response data and SW, hex; or the fault. */
  response: string;
  sw: string | null;
  meaning: string | null;
  ok: boolean;
}

export type ConsoleOutcome =
  | { ok: true; reader: string; atr: string; exchanges: ConsoleExchange[] }
  | { ok: false; reader: string; error: string };

/** `00 20 00 81 06 313233343536` → `00200081 06 ************`. */
export function maskCommand(apdu: Uint8Array): string {
  const text = hex(apdu);
  if (apdu.length <= 5 || !SECRET_INS.has(apdu[1]!)) return text;
  const lc = apdu[4]!;
  return `${text.slice(0, 10)}${'**'.repeat(Math.min(lc, apdu.length - 5))}${text.slice(10 + lc * 2)}`;
}

/** `00A4040009F04D…; 00CA7F2100` → the commands, or null when one is not hex bytes. */
export function parseCommands(text: string): Uint8Array[] | null {
  const parts = text
    .split(/[;\n]/)
    .map((p) => p.replace(/\s+/g, ''))
    .filter(Boolean);
  if (parts.length === 0) return null;
  if (!parts.every((p) => /^(?:[0-9A-Fa-f]{2}){4,261}$/.test(p))) return null;
  return parts.map(fromHex);
}

export function consoleReaders(
  manager: ReaderManager,
): { name: string; role: string | null; card: boolean }[] {
  return manager
    .readers()
    .filter((r) => !r.refused)
    .map((r) => ({ name: r.name, role: r.role, card: r.present }));
}

export async function sendApdus(
  manager: ReaderManager,
  reader: string,
  commands: Uint8Array[],
  signal: AbortSignal,
): Promise<ConsoleOutcome> {
  const readers = manager.readers().filter((r) => !r.refused);
  // By name or by role; none given: the staff card reader (a technician's test card sits there).
  const info =
    reader === ''
      ? (readers.find((r) => r.role === STAFF_CARD_ROLE) ?? readers.find((r) => r.role !== null))
      : readers.find((r) => r.name === reader || r.role === reader);
  if (!info) return { ok: false, reader, error: 'no such reader' };
  if (!info.role)
    return { ok: false, reader: info.name, error: 'this reader serves no role of the kiosk' };
  const status = manager.status(info.role);
  if (status.state !== 'ready')
    return {
      ok: false,
      reader: info.name,
      error: status.state === 'card_error' ? `card error: ${status.reason}` : status.state,
    };
  const opened = await status.card.open(signal, {
    closeDisposition: 'reset',
    exchangeTimeoutMs: CONSOLE_EXCHANGE_MS,
  });
  if (!opened.ok) return { ok: false, reader: info.name, error: describeFault(opened.error) };
  const session = opened.value;
  const exchanges: ConsoleExchange[] = [];
  try {
    for (const apdu of commands) {
      const answer = await session.transmit(apdu, signal);
      if (!answer.ok) {
        exchanges.push({
          command: maskCommand(apdu),
          response: describeFault(answer.error),
          sw: null,
          meaning: null,
          ok: false,
        });
        break;
      }
      const { data, sw } = answer.value;
      const swHex = sw.toString(16).toUpperCase().padStart(4, '0');
      exchanges.push({
        command: maskCommand(apdu),
        response: `${hex(data)}${data.length > 0 ? ' ' : ''}${swHex}`,
        sw: swHex,
        meaning: describeStatusWord(sw).meaning ?? null,
        ok: sw === 0x9000 || (sw & 0xff00) === 0x6100,
      });
    }
    return { ok: true, reader: info.name, atr: hex(session.atr), exchanges };
  } finally {
    await session.close();
  }
}
