/**
 * `mashang apdu <hex>…`: command APDUs to the card in a PC/SC reader, in one session (the card is
 * reset when it ends), each answer printed with its status word and what it means.
 *
 * Through the running kiosk host when there is one (its admin endpoint: the host owns the readers,
 * and the exchange is written to its audit log, a PIN's digits masked); otherwise straight to
 * pcscd, with the data directory's lock held so no host opens the readers meanwhile. The embedded
 * default's simulated readers live inside the host: start it first.
 */
import { CHIP_ENCODER_ROLE } from '../../../drivers/chip-encoder/pcsc-chip-encoder.ts';
import { createPcscReaderManager } from '../../../drivers/pcsc/reader-manager.ts';
import { STAFF_CARD_ROLE } from '../../../drivers/staff-card/staff-card-reader.ts';
import { AdminUnavailableError, callHost, findHost } from '../../admin/admin-client.ts';
import { loadConfig } from '../../config/load.ts';
import { deviceOf } from '../../config/schema.ts';
import { parseCommands, sendApdus, type ConsoleOutcome } from '../../modes/apdu-console.ts';
import { DEFAULT_CONFIG_FILE } from '../../store/cli-records.ts';
import { UsageError, type Command } from '../command.ts';

/** How long pcscd gets to list its readers when the command talks to it directly. */
const READERS_WAIT_MS = 2_000;

function print(outcome: ConsoleOutcome, json: boolean): number {
  if (json) {
    console.log(JSON.stringify(outcome, null, 2));
    return outcome.ok && outcome.exchanges.every((e) => e.ok) ? 0 : 1;
  }
  if (!outcome.ok) {
    console.error(`mashang apdu: ${outcome.reader || 'no reader'}: ${outcome.error}`);
    return 1;
  }
  console.log(`${outcome.reader}  ATR ${outcome.atr}`);
  for (const e of outcome.exchanges) {
    console.log(`> ${e.command}`);
    console.log(`< ${e.response}${e.meaning ? `   (${e.meaning})` : ''}`);
  }
  return outcome.exchanges.every((e) => e.ok) ? 0 : 1;
}

export const apduCommand: Command = {
  summary:
    'send command APDUs (hex) to the card in a PC/SC reader, through the running host when there is one',
  usage: 'mashang apdu [--config FILE] [--reader NAME|ROLE] [--json] <hex APDU>…',
  positionals: true,
  options: {
    config: {
      type: 'string',
      short: 'c',
      description: 'the kiosk configuration (default: kiosk.config.json)',
    },
    reader: {
      type: 'string',
      short: 'r',
      description:
        'the reader, by name or by role (staff-card-reader, chip-encoder); default: the staff card reader',
    },
    json: { type: 'boolean', description: 'print the exchanges as JSON' },
  },
  async run(values, positionals) {
    const commands = parseCommands(positionals.join(';'));
    if (!commands)
      throw new UsageError(
        'give one or more APDUs in hex, e.g. mashang apdu 00A4040009F04D415348414E4701 00CA7F2100',
      );
    const reader = (values.reader as string | undefined) ?? '';
    const loaded = await loadConfig((values.config as string | undefined) ?? DEFAULT_CONFIG_FILE);
    let link;
    try {
      link = findHost(loaded.dataDir);
    } catch (error) {
      if (!(error instanceof AdminUnavailableError)) throw error;
      console.error(`mashang apdu: ${error.message}`);
      return 1;
    }
    if (link.kind === 'host') {
      try {
        const outcome = await callHost<ConsoleOutcome>(link.endpoint, 'POST', '/v1/apdu', {
          reader,
          commands: positionals,
        });
        return print(outcome, values.json === true);
      } catch (error) {
        if (!(error instanceof AdminUnavailableError)) throw error;
        console.error(`mashang apdu: ${error.message}`);
        return 1;
      }
    }
    try {
      const staff = deviceOf(loaded.config, 'staff-card-reader').transport;
      const chip = deviceOf(loaded.config, 'chip-encoder').transport;
      if (staff.type !== 'pcsc' && chip.type !== 'pcsc') {
        console.error(
          'mashang apdu: the configured readers are simulated, and simulated readers live inside the kiosk host: start it (npm start), then run this again',
        );
        return 1;
      }
      const manager = createPcscReaderManager({
        allowVirtualReaders: loaded.config.mode !== 'production',
      });
      try {
        const roles: string[] = [];
        for (const [role, transport] of [
          [STAFF_CARD_ROLE, staff],
          [CHIP_ENCODER_ROLE, chip],
        ] as const) {
          if (transport.type !== 'pcsc') continue;
          manager.addRole(role, transport.readerPattern);
          roles.push(role);
        }
        manager.start();
        // Give pcscd a moment to list its readers and their cards.
        await manager.waitForCard(
          roles.includes(reader) ? reader : roles[0]!,
          AbortSignal.timeout(READERS_WAIT_MS * 2),
          READERS_WAIT_MS,
        );
        return print(
          await sendApdus(manager, reader, commands, AbortSignal.timeout(60_000)),
          values.json === true,
        );
      } finally {
        await manager.close();
      }
    } finally {
      link.release();
    }
  },
};
