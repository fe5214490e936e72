/**
 * `mashang sim-card`: a virtual card in vsmartcard's vpcd reader, so pcscd, pcsc-tools and the
 * kiosk see a card in `Virtual PCD 00 00` (port 35963) or `00 01` (35964). It stays inserted
 * until Ctrl+C, and comes back by itself when pcscd restarts.
 */
import {
  CardBehaviour,
  FAULT_NAMES,
  faultFromName,
  type FaultName,
} from '../../../drivers/virtual-card/card-behaviour.ts';
import {
  createPersonality,
  DEFAULT_PINS,
  PERSONALITIES,
  PersonalityError,
  type Personality,
} from '../../../drivers/virtual-card/personalities.ts';
import { VPCD_DEFAULT_PORT, VpcdCard } from '../../../drivers/virtual-card/vpcd-card.ts';
import { UsageError, type Command } from '../command.ts';

/** Reconnect delay after pcscd closes or refuses the connection: pcscd restarts in about a second. */
const RECONNECT_MS = 500;

export const simCardCommand: Command = {
  summary:
    'insert a virtual card into vpcd (pcscd test reader): blank or personalised SSSE, staff, technician; fault modes',
  usage: `mashang sim-card <blank-ssse|ssse FILE|staff|technician> [--port ${VPCD_DEFAULT_PORT}] [--fault ${FAULT_NAMES.join('|')}] [--state FILE]`,
  positionals: true,
  options: {
    host: { type: 'string', description: 'where pcscd with vpcd runs (default 127.0.0.1)' },
    port: {
      type: 'string',
      short: 'p',
      description: `vpcd port: ${VPCD_DEFAULT_PORT} = "Virtual PCD 00 00", ${VPCD_DEFAULT_PORT + 1} = "Virtual PCD 00 01"`,
    },
    fault: { type: 'string', short: 'f', description: `misbehave: ${FAULT_NAMES.join(', ')}` },
    'delay-ms': {
      type: 'string',
      description: 'with --fault slow: answer after this many milliseconds (default 1500)',
    },
    sw: {
      type: 'string',
      description:
        'with --fault wrong-sw: the status word to answer with, 4 hex digits (default 6F00)',
    },
    after: {
      type: 'string',
      description:
        'with --fault removed-mid-apdu: commands answered before the card leaves (default 5)',
    },
    state: {
      type: 'string',
      short: 's',
      description: "keep the card's memory (written records, PIN counter) in FILE across restarts",
    },
    pin: {
      type: 'string',
      description: `staff/technician PIN when the card is first made (default ${DEFAULT_PINS.staff} / ${DEFAULT_PINS.technician})`,
    },
    'staff-id': {
      type: 'string',
      description: 'staff/technician id in the certificate when the card is first made',
    },
  },
  async run(values, positionals) {
    const [personality, file, ...extra] = positionals;
    if (!personality || !(PERSONALITIES as readonly string[]).includes(personality)) {
      throw new UsageError(`which card? one of ${PERSONALITIES.join(', ')}`);
    }
    if (personality === 'ssse' ? !file || extra.length > 0 : file !== undefined) {
      throw new UsageError(
        personality === 'ssse'
          ? 'ssse needs exactly one data file: mashang sim-card ssse FILE'
          : `unexpected argument "${file}"`,
      );
    }
    const port = integer(values.port, 'port', VPCD_DEFAULT_PORT, 1, 65535);
    const host = (values.host as string | undefined) ?? '127.0.0.1';
    let fault = null;
    if (values.fault !== undefined) {
      const name = values.fault as string;
      if (!(FAULT_NAMES as readonly string[]).includes(name))
        throw new UsageError(`--fault: one of ${FAULT_NAMES.join(', ')}`);
      const sw =
        values.sw === undefined
          ? undefined
          : /^[0-9A-Fa-f]{4}$/.test(values.sw as string)
            ? Number.parseInt(values.sw as string, 16)
            : NaN;
      if (Number.isNaN(sw)) throw new UsageError('--sw: 4 hex digits, e.g. 6A82');
      fault = faultFromName(name as FaultName, {
        delayMs:
          values['delay-ms'] === undefined
            ? undefined
            : integer(values['delay-ms'], 'delay-ms', 0, 0, 600_000),
        afterApdus:
          values.after === undefined ? undefined : integer(values.after, 'after', 0, 0, 1_000_000),
        sw,
      });
    }
    let card;
    try {
      card = createPersonality(personality as Personality, {
        file,
        statePath: values.state as string | undefined,
        pin: values.pin as string | undefined,
        staffId: values['staff-id'] as string | undefined,
      });
    } catch (error) {
      if (error instanceof PersonalityError) throw new UsageError(error.message);
      throw error;
    }
    const label = `${personality}${fault ? ` (fault: ${values.fault as string})` : ''}`;
    let waiting = false;
    const vpcd = new VpcdCard(new CardBehaviour(card, fault), {
      host,
      port,
      reconnectMs: RECONNECT_MS,
      onEvent: (event) => {
        // "Waiting" is said once until the card is in, not at every retry.
        if (event.kind === 'waiting' && waiting) return;
        waiting = event.kind === 'waiting';
        if (event.kind === 'inserted')
          console.log(`sim-card: ${label} inserted into vpcd at ${host}:${port}`);
        else if (event.kind === 'removed')
          console.log(
            `sim-card: ${label} removed (${event.why === 'pulled' ? 'pulled mid-command' : 'pcscd closed the connection'}); will come back`,
          );
        else console.log(`sim-card: waiting for pcscd's vpcd at ${host}:${port} (${event.detail})`);
      },
    });
    await vpcd.insert();
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await vpcd.remove();
    return 0;
  },
};

function integer(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name}: a whole number from ${min} to ${max}, got "${String(value)}"`);
  return n;
}
