/**
 * The virtual cards `mashang sim-card` offers, made from their options and, when asked, a state
 * file that plays the card's EEPROM (written records, PIN counter) across restarts.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SimulatedSsseCard, type SsseCardSnapshot } from '../chip-encoder/sim-ssse-card.ts';
import type { SsseCardData } from '../chip-encoder/ssse-record.ts';
import {
  issueStaffCard,
  SimulatedStaffCard,
  type StaffCardState,
} from '../staff-card/sim-staff-card.ts';
import type { VirtualCard } from './card-behaviour.ts';
import { JsonStateFile } from './state-file.ts';

export const PERSONALITIES = ['blank-ssse', 'ssse', 'staff', 'technician'] as const;
export type Personality = (typeof PERSONALITIES)[number];

export interface PersonalityOptions {
  /** The card's data, for `ssse` (JSON, the fields of SsseCardData). */
  file?: string;
  /** Where the card keeps its non-volatile state; in memory only when absent. */
  statePath?: string;
  pin?: string;
  staffId?: string;
}

export const DEFAULT_PINS = { staff: '123456', technician: '246810' } as const;

const digits = (n: number) => z.string().regex(new RegExp(`^\\d{${n}}$`));
/** The JSON a personalised SSSE card is made from (PROTOCOLS.md §1 field formats). */
export const SsseCardFile = z
  .object({
    identification: z.string().regex(/^[0-9A-Fa-f]{32}$/),
    cardType: z.string().max(1).optional(),
    specVersion: z
      .string()
      .regex(/^\d\.\d\d$/)
      .optional(),
    initialisingOrg: z
      .string()
      .regex(/^[0-9A-Fa-f]{24}$/)
      .optional(),
    issueDate: digits(8).optional(),
    expiryDate: digits(8).optional(),
    cardNo: z.string().max(9).optional(),
    idNumber: z.string().max(18).optional(),
    name: z.string().optional(),
    nameExtension: z.string().optional(),
    sex: z.string().max(1).optional(),
    nation: digits(2).optional(),
    birthplace: digits(6).optional(),
    birthDate: digits(8).optional(),
  })
  .strict();

export class PersonalityError extends Error {}

export function createPersonality(
  personality: Personality,
  options: PersonalityOptions = {},
): VirtualCard {
  switch (personality) {
    case 'blank-ssse':
    case 'ssse':
      return ssseCard(personality, options);
    case 'staff':
    case 'technician':
      return staffCard(personality, options);
  }
}

function ssseCard(
  personality: 'blank-ssse' | 'ssse',
  options: PersonalityOptions,
): SimulatedSsseCard {
  const state = options.statePath ? new JsonStateFile<SsseCardSnapshot>(options.statePath) : null;
  const onChange = state ? (snapshot: SsseCardSnapshot) => state.save(snapshot) : undefined;
  const saved = state?.load();
  if (saved) {
    if (saved.version !== 1 || typeof saved.records !== 'object')
      throw new PersonalityError(`${options.statePath}: not an SSSE card state`);
    return new SimulatedSsseCard(undefined, { snapshot: saved, onChange });
  }
  let card: SimulatedSsseCard;
  if (personality === 'ssse') {
    if (!options.file)
      throw new PersonalityError(
        'a personalised SSSE card needs its data file: mashang sim-card ssse FILE',
      );
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(options.file, 'utf8'));
    } catch (error) {
      throw new PersonalityError(`${options.file}: ${(error as Error).message}`);
    }
    const parsed = SsseCardFile.safeParse(json);
    if (!parsed.success) {
      throw new PersonalityError(
        `${options.file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      );
    }
    try {
      card = SimulatedSsseCard.personalised(parsed.data as SsseCardData, { onChange });
    } catch (error) {
      throw new PersonalityError(`${options.file}: ${(error as Error).message}`);
    }
  } else {
    card = new SimulatedSsseCard(undefined, { onChange });
  }
  state?.save(card.snapshot());
  return card;
}

function staffCard(role: 'staff' | 'technician', options: PersonalityOptions): SimulatedStaffCard {
  const state = options.statePath ? new JsonStateFile<StaffCardState>(options.statePath) : null;
  const saved = state?.load();
  if (saved && (saved.version !== 1 || typeof saved.triesLeft !== 'number'))
    throw new PersonalityError(`${options.statePath}: not a staff card state`);
  let initial = saved;
  if (!initial) {
    try {
      initial = issueStaffCard({
        role,
        staffId: options.staffId ?? (role === 'staff' ? 'S0001' : 'T0001'),
        pin: options.pin ?? DEFAULT_PINS[role],
      });
    } catch (error) {
      throw new PersonalityError((error as Error).message);
    }
    state?.save(initial);
  }
  return new SimulatedStaffCard(initial, state ? (next) => state.save(next) : undefined);
}
