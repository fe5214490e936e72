/**
 * Subcommands that live in their own files (simulators, diagnostics, the card centre).
 * Each device or service adds its entry here.
 */
import type { Command } from '../command.ts';

export const extraCommands: Record<string, Command> = {};
