/**
 * Subcommands that live in their own files (simulators, diagnostics, the card centre).
 * Each device or service adds its entry here.
 */
import type { Command } from '../command.ts';
import { apduCommand } from './apdu.ts';
import { auditCommand } from './audit.ts';
import { diagCommand } from './diag.ts';
import { cardCentreCommand } from './card-centre.ts';
import { journalCommand } from './journal.ts';
import { simCardCommand } from './sim-card.ts';
import { simSerialCommand } from './sim-serial.ts';
import { stockCommand } from './stock.ts';

export const extraCommands: Record<string, Command> = {
  'card-centre': cardCentreCommand,
  'sim-card': simCardCommand,
  'sim-serial': simSerialCommand,
  stock: stockCommand,
  journal: journalCommand,
  audit: auditCommand,
  diag: diagCommand,
  apdu: apduCommand,
};
