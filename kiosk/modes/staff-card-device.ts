/**
 * The staff card reader the kiosk's configuration asks for, with the revocation list it checks
 * cards against.
 *
 * - `pcsc` transport: the real reader (pcsclite → pcscd), on the kiosk's one PC/SC manager shared
 *   with the chip encoder, trusting the district key of the configuration.
 * - `simulated`: an in-process PC/SC reader (no pcscd) with the simulated staff and technician
 *   cards below, inserted and removed from the simulator panel. The same reader code runs on it:
 *   the certificate, the revocation list, the signed challenges and the PIN counter on the card.
 *
 * The simulated cards are issued once per host and kept, so a PIN counter run down stays down
 * until the host restarts, as on a real card.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { issueStaffCard, SimulatedStaffCard } from '../../drivers/staff-card/sim-staff-card.ts';
import {
  createPcscStaffCardReader,
  type StaffCardReader,
} from '../../drivers/staff-card/staff-card-reader.ts';
import type { PcscLogger } from '../../drivers/pcsc/log-events.ts';
import type { ReaderManager } from '../../drivers/pcsc/reader-manager.ts';
import { CardBehaviour } from '../../drivers/virtual-card/card-behaviour.ts';
import { IN_PROCESS_READERS, InProcessPcsc } from '../../drivers/virtual-card/in-process-pcsc.ts';
import { DEFAULT_PINS } from '../../drivers/virtual-card/personalities.ts';
import type { SimStaffCardKind } from '../bridge/protocol.ts';
import { deviceOf, staffDistrictKey, type KioskConfig } from '../config/schema.ts';
import { RevocationCache } from './revocations.ts';

/** The in-process reader that plays the staff card reader. */
export const SIMULATED_STAFF_READER = IN_PROCESS_READERS[1];

/** In the embedded card centre's seeded revocation list (kiosk/card-centre/seeds.ts). */
export const REVOKED_SERIAL = '0A1B2C3D4E5F0001';

/** The simulated cards: who they are and the PIN each opens with (the simulator panel says it). */
export const SIM_STAFF_CARDS: Record<
  SimStaffCardKind,
  { staffId: string; pin: string; what: string }
> = {
  staff: { staffId: 'S0001', pin: DEFAULT_PINS.staff, what: 'a clerk, valid' },
  technician: { staffId: 'T0001', pin: DEFAULT_PINS.technician, what: 'a technician, valid' },
  forged: {
    staffId: 'S0666',
    pin: DEFAULT_PINS.staff,
    what: 'a certificate signed by a key that is not the district’s',
  },
  revoked: {
    staffId: 'S0013',
    pin: DEFAULT_PINS.staff,
    what: 'on the card centre’s revocation list',
  },
  expired: { staffId: 'S0007', pin: DEFAULT_PINS.staff, what: 'its certificate ran out in 2021' },
  blocked: { staffId: 'S0099', pin: DEFAULT_PINS.staff, what: 'its PIN counter is at 0' },
};

export class SimulatedStaffCards {
  readonly pcsc = new InProcessPcsc([SIMULATED_STAFF_READER]);
  readonly #cards = new Map<SimStaffCardKind, SimulatedStaffCard>();
  #inserted: SimStaffCardKind | null = null;

  get inserted(): SimStaffCardKind | null {
    return this.#inserted;
  }

  place(kind: SimStaffCardKind): void {
    this.pcsc.insert(SIMULATED_STAFF_READER, new CardBehaviour(this.#card(kind)));
    this.#inserted = kind;
  }

  remove(): void {
    this.pcsc.remove(SIMULATED_STAFF_READER);
    this.#inserted = null;
  }

  #card(kind: SimStaffCardKind): SimulatedStaffCard {
    let card = this.#cards.get(kind);
    if (!card) {
      card = new SimulatedStaffCard(issueSimCard(kind));
      this.#cards.set(kind, card);
    }
    return card;
  }
}

function issueSimCard(kind: SimStaffCardKind) {
  const { staffId, pin } = SIM_STAFF_CARDS[kind];
  const role = kind === 'technician' ? 'technician' : 'staff';
  switch (kind) {
    case 'forged':
      // A well-made card whose certificate some other key signed: what a forger can make.
      return issueStaffCard({
        role,
        staffId,
        pin,
        districtPrivateKey: createPrivateKey(
          generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
            format: 'pem',
            type: 'pkcs8',
          }),
        ),
      });
    case 'revoked':
      return issueStaffCard({ role, staffId, pin, serial: REVOKED_SERIAL });
    case 'expired':
      return issueStaffCard({ role, staffId, pin, validFrom: '20200101', validTo: '20211231' });
    case 'blocked':
      return { ...issueStaffCard({ role, staffId, pin }), triesLeft: 0 };
    default:
      return issueStaffCard({ role, staffId, pin });
  }
}

export interface StaffCardDevice {
  reader: StaffCardReader;
  revocations: RevocationCache;
  /** The simulated cards, when the staff card reader is simulated. */
  simulatedCards: SimulatedStaffCards | null;
  close(): Promise<void>;
}

/**
 * The staff card reader of `config`. `sharedManager` is the kiosk's PC/SC manager when the chip
 * encoder has one (one context for both readers); a real reader makes its own otherwise.
 */
export function createStaffCardDevice(
  config: KioskConfig,
  options: { logger: PcscLogger; sharedManager: ReaderManager | null },
): StaffCardDevice {
  const revocations = new RevocationCache();
  const transport = deviceOf(config, 'staff-card-reader').transport;
  const common = {
    districtPublicKey: staffDistrictKey(config),
    revocationList: () => revocations.list(),
    logger: options.logger,
  };
  if (transport.type === 'pcsc') {
    const reader = createPcscStaffCardReader({
      ...common,
      readerPattern: transport.readerPattern,
      allowVirtualReaders: config.mode !== 'production',
      ...(options.sharedManager ? { manager: options.sharedManager } : {}),
    });
    return { reader, revocations, simulatedCards: null, close: () => reader.close() };
  }
  const cards = new SimulatedStaffCards();
  const reader = createPcscStaffCardReader({
    ...common,
    readerPattern: new RegExp(`^${SIMULATED_STAFF_READER}$`),
    allowVirtualReaders: true,
    transport: cards.pcsc,
  });
  return { reader, revocations, simulatedCards: cards, close: () => reader.close() };
}
