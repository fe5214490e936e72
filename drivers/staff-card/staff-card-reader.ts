/**
 * The staff card reader: who is at the kiosk, proven by their card (staff-card-protocol.ts).
 *
 * A card is believed only when, in this order:
 *   1. its certificate is signed by the district (public key from the kiosk configuration);
 *   2. the certificate is in its validity period and not on the card centre's revocation list;
 *   3. the card signs a fresh kiosk challenge with the key the certificate names (a copied
 *      certificate on another card fails here) — all before the PIN is sent, so a forged card
 *      never sees a PIN;
 *   4. the card accepts the PIN (its own counter: 63Cx tries left, 6983 blocked);
 *   5. the card signs a second fresh challenge for the holder purpose, which it refuses unless
 *      the PIN was verified on it: a card that only claimed 9000 cannot produce that signature.
 * The session ends with a card reset, so the verified PIN does not outlive it.
 */
import { randomBytes, verify, createPublicKey, type KeyObject } from 'node:crypto';
import type { DeviceStatus } from '../common/device-status.ts';
import { err, ok, type Result } from '../common/result.ts';
import type { CardFault } from '../pcsc/card-fault.ts';
import type { CardSession } from '../pcsc/card-session.ts';
import type { PcscLogger } from '../pcsc/log-events.ts';
import { silentLogger } from '../pcsc/log-events.ts';
import {
  createPcscReaderManager,
  type ReaderManager,
  type ReaderStatus,
} from '../pcsc/reader-manager.ts';
import { SW, statusWordError, type StatusWordError } from '../pcsc/status-words.ts';
import type { PcscTransport } from '../pcsc/transport.ts';
import {
  certificateSignedBy,
  decodeCertificate,
  publicKeyFromPoint,
  type StaffCertificate,
  type StaffRole,
} from './staff-certificate.ts';
import {
  CHALLENGE_BYTES,
  getCertificateCommand,
  internalAuthenticateCommand,
  pinStatusCommand,
  PIN_RULES,
  selectStaffCommand,
  SIGNATURE_BYTES,
  signedMessage,
  verifyPinCommand,
  type AuthPurpose,
} from './staff-card-protocol.ts';

export const STAFF_CARD_ROLE = 'staff-card-reader';

/** How long an operation waits for the card to be seen in the reader after the UI asked for it. */
export const STAFF_CARD_WAIT_MS = 1_000;

/**
 * The card centre's list of revoked staff certificates, by serial (hex). The card centre's own
 * `RevocationList` (kiosk/card-centre/api.ts) has this shape and can be passed as it is.
 */
export interface RevocationList {
  revoked: readonly { serial: string }[];
}

export interface StaffIdentity {
  role: StaffRole;
  staffId: string;
  district: string;
  serial: string;
  validTo: string;
}

export interface StaffCardSummary {
  identity: StaffIdentity;
  triesLeft: number | 'blocked';
}

export type StaffCardFailure =
  | { kind: 'noCard' }
  | { kind: 'readerUnavailable'; status: ReaderStatus['state'] }
  | { kind: 'card'; fault: CardFault }
  /** No staff application on the card (SELECT 6A82): some other card. */
  | { kind: 'notStaffCard' }
  /** The card is not what it claims: bad certificate, certificate not from our district's key, or a card that cannot sign for it. */
  | {
      kind: 'forged';
      reason: 'certificate' | 'districtSignature' | 'cardSignature' | 'pinNotVerifiedOnCard';
    }
  | { kind: 'expired'; validTo: string }
  | { kind: 'notYetValid'; validFrom: string }
  | { kind: 'revoked'; serial: string }
  /** The revocation list could not be had: a card is not believed unchecked. */
  | { kind: 'revocationUnavailable' }
  | { kind: 'badPinFormat' }
  | { kind: 'wrongPin'; triesLeft: number }
  | { kind: 'blocked' }
  | StatusWordError;

export interface StaffCardReaderOptions {
  readerPattern: string | RegExp;
  allowVirtualReaders: boolean;
  /** The district's public key (PEM or KeyObject), from the kiosk configuration. */
  districtPublicKey: KeyObject | string;
  /** The card centre's revocation list, as last fetched. Throwing means "unavailable": access is refused. */
  revocationList: () => RevocationList | Promise<RevocationList>;
  logger?: PcscLogger;
  /**
   * The kiosk's one manager, shared by the chip encoder and the staff card reader (one PC/SC
   * context). Made and owned here when absent; when given, its own `allowVirtualReaders` and
   * transport apply and the ones here are ignored.
   */
  manager?: ReaderManager;
  transport?: PcscTransport;
  exchangeTimeoutMs?: number;
  /** The kiosk's clock, for validity dates (local date). */
  now?: () => Date;
}

export class StaffCardReader {
  readonly kind = 'staff-card-reader' as const;
  readonly transport: string;
  readonly manager: ReaderManager;
  readonly #owned: boolean;
  readonly #districtKey: KeyObject;
  readonly #revocations: () => RevocationList | Promise<RevocationList>;
  readonly #now: () => Date;
  readonly #logger: PcscLogger;
  readonly #exchangeTimeoutMs: number | undefined;

  constructor(options: StaffCardReaderOptions) {
    this.#owned = !options.manager;
    this.manager =
      options.manager ??
      createPcscReaderManager({
        transport: options.transport,
        allowVirtualReaders: options.allowVirtualReaders,
        logger: options.logger,
        exchangeTimeoutMs: options.exchangeTimeoutMs,
      });
    this.manager.addRole(STAFF_CARD_ROLE, options.readerPattern);
    this.transport = `${this.manager.transportDescription}:${String(options.readerPattern)}`;
    this.#districtKey =
      typeof options.districtPublicKey === 'string'
        ? createPublicKey(options.districtPublicKey)
        : options.districtPublicKey;
    this.#revocations = options.revocationList;
    this.#now = options.now ?? (() => new Date());
    this.#logger = options.logger ?? silentLogger;
    this.#exchangeTimeoutMs = options.exchangeTimeoutMs;
    this.manager.start();
  }

  readerStatus(): ReaderStatus {
    return this.manager.status(STAFF_CARD_ROLE);
  }

  status(): DeviceStatus {
    const status = this.readerStatus();
    if (status.state === 'no_service' || status.state === 'no_reader')
      return { state: 'disconnected' };
    if (status.state === 'card_error' && status.reason === 'reader_busy') return { state: 'busy' };
    return { state: 'ready' };
  }

  /** Calls `listener` with the reader's status whenever it changes (a card in, a card out). */
  onStatus(listener: (status: ReaderStatus) => void): () => void {
    return this.manager.onStatus((role, status) => role === STAFF_CARD_ROLE && listener(status));
  }

  /**
   * Who the card says it is, proven without the PIN (steps 1–3), and how many PIN tries it has
   * left: what the login screen shows before asking for the PIN.
   */
  async identify(signal: AbortSignal): Promise<Result<StaffCardSummary, StaffCardFailure>> {
    return this.#withCard(
      signal,
      async (session): Promise<Result<StaffCardSummary, StaffCardFailure>> => {
        const proven = await this.#proveCard(session, signal);
        if (!proven.ok) return proven;
        const counter = await session.transmit(pinStatusCommand(), signal);
        if (!counter.ok) return err({ kind: 'card', fault: counter.error });
        // A fresh session has not verified the PIN, so the card answers with its counter.
        const sw = counter.value.sw;
        const identity = identityOf(proven.value);
        if (sw === SW.BLOCKED || sw === 0x63c0) return ok({ identity, triesLeft: 'blocked' });
        if ((sw & 0xfff0) === 0x63c0) return ok({ identity, triesLeft: sw & 0x0f });
        return err(statusWordError('VERIFY', sw));
      },
    );
  }

  /** Steps 1–5: the person at the kiosk is the card's holder, with the role the district gave them. */
  async authenticate(
    pin: string,
    signal: AbortSignal,
  ): Promise<Result<StaffIdentity, StaffCardFailure>> {
    if (!PIN_RULES.pattern.test(pin)) return err({ kind: 'badPinFormat' });
    return this.#withCard(signal, async (session) => {
      const proven = await this.#proveCard(session, signal);
      if (!proven.ok) return proven;
      const verified = await session.transmit(verifyPinCommand(pin), signal);
      if (!verified.ok) return err({ kind: 'card', fault: verified.error });
      const sw = verified.value.sw;
      if (sw === SW.BLOCKED || sw === 0x63c0) return err({ kind: 'blocked' });
      if ((sw & 0xfff0) === 0x63c0) return err({ kind: 'wrongPin', triesLeft: sw & 0x0f });
      if (sw !== SW.OK) return err(statusWordError('VERIFY', sw));
      const holder = await this.#challenge(session, proven.value, 'holder', signal);
      if (!holder.ok) return holder;
      const identity = identityOf(proven.value);
      this.#logger.info(
        {
          event: 'staff.authenticated',
          role: identity.role,
          staffId: identity.staffId,
          serial: identity.serial,
        },
        'staff card authenticated',
      );
      return ok(identity);
    });
  }

  async close(): Promise<void> {
    if (this.#owned) await this.manager.close();
  }

  async #withCard<T>(
    signal: AbortSignal,
    run: (session: CardSession) => Promise<Result<T, StaffCardFailure>>,
  ): Promise<Result<T, StaffCardFailure>> {
    const status = await this.manager.waitForCard(STAFF_CARD_ROLE, signal, STAFF_CARD_WAIT_MS);
    if (status.state === 'no_card') return err({ kind: 'noCard' });
    if (status.state === 'card_error')
      return err({
        kind: 'card',
        fault:
          status.reason === 'mute'
            ? { kind: 'mute' }
            : status.reason === 'reader_busy'
              ? { kind: 'busy' }
              : { kind: 'unknownState' },
      });
    if (status.state !== 'ready') return err({ kind: 'readerUnavailable', status: status.state });
    // Reset on close: the PIN verified in this session must not stay verified for whoever comes next.
    const opened = await status.card.open(signal, {
      closeDisposition: 'reset',
      exchangeTimeoutMs: this.#exchangeTimeoutMs,
    });
    if (!opened.ok) return err({ kind: 'card', fault: opened.error });
    try {
      return await run(opened.value);
    } finally {
      await opened.value.close();
    }
  }

  /** Steps 1–3. */
  async #proveCard(
    session: CardSession,
    signal: AbortSignal,
  ): Promise<Result<StaffCertificate, StaffCardFailure>> {
    const selected = await session.transmit(selectStaffCommand(), signal);
    if (!selected.ok) return err({ kind: 'card', fault: selected.error });
    if (selected.value.sw === SW.FILE_NOT_FOUND) return err({ kind: 'notStaffCard' });
    if (selected.value.sw !== SW.OK) return err(statusWordError('SELECT', selected.value.sw));

    const read = await session.transmit(getCertificateCommand(), signal);
    if (!read.ok) return err({ kind: 'card', fault: read.error });
    if (read.value.sw !== SW.OK) return err(statusWordError('GET DATA', read.value.sw));
    const certificate = decodeCertificate(read.value.data);
    if (!certificate.ok) return this.#refuse({ kind: 'forged', reason: 'certificate' });
    const cert = certificate.value;
    if (!certificateSignedBy(cert, this.#districtKey))
      return this.#refuse({ kind: 'forged', reason: 'districtSignature' }, cert);

    const today = localDate(this.#now());
    if (today < cert.validFrom)
      return this.#refuse({ kind: 'notYetValid', validFrom: cert.validFrom }, cert);
    if (today > cert.validTo) return this.#refuse({ kind: 'expired', validTo: cert.validTo }, cert);
    let revocations: RevocationList;
    try {
      revocations = await this.#revocations();
    } catch {
      return this.#refuse({ kind: 'revocationUnavailable' }, cert);
    }
    if (revocations.revoked.some((r) => r.serial.toUpperCase() === cert.serial))
      return this.#refuse({ kind: 'revoked', serial: cert.serial }, cert);

    const card = await this.#challenge(session, cert, 'card', signal);
    return card.ok ? ok(cert) : card;
  }

  /** Sends a fresh challenge for `purpose` and checks the card signed it with the certified key. */
  async #challenge(
    session: CardSession,
    cert: StaffCertificate,
    purpose: AuthPurpose,
    signal: AbortSignal,
  ): Promise<Result<void, StaffCardFailure>> {
    const challenge = new Uint8Array(randomBytes(CHALLENGE_BYTES));
    const answer = await session.transmit(internalAuthenticateCommand(purpose, challenge), signal);
    if (!answer.ok) return err({ kind: 'card', fault: answer.error });
    // It said 9000 to VERIFY, yet refuses what a verified PIN unlocks: it never checked the PIN.
    if (purpose === 'holder' && answer.value.sw === SW.SECURITY_NOT_SATISFIED)
      return this.#refuse({ kind: 'forged', reason: 'pinNotVerifiedOnCard' }, cert);
    if (answer.value.sw !== SW.OK)
      return err(statusWordError('INTERNAL AUTHENTICATE', answer.value.sw));
    const key = publicKeyFromPoint(cert.publicKey);
    const signature = answer.value.data;
    let valid = false;
    if (key && signature.length === SIGNATURE_BYTES) {
      try {
        valid = verify(
          'sha256',
          signedMessage(purpose, challenge),
          { key, dsaEncoding: 'ieee-p1363' },
          signature,
        );
      } catch {
        valid = false;
      }
    }
    return valid ? ok(undefined) : this.#refuse({ kind: 'forged', reason: 'cardSignature' }, cert);
  }

  #refuse<T>(failure: StaffCardFailure, cert?: StaffCertificate): Result<T, StaffCardFailure> {
    this.#logger.warn(
      {
        event: 'staff.card_refused',
        failure: failure.kind,
        ...(cert ? { staffId: cert.staffId, serial: cert.serial } : {}),
      },
      'staff card refused',
    );
    return err(failure);
  }
}

export function createPcscStaffCardReader(options: StaffCardReaderOptions): StaffCardReader {
  return new StaffCardReader(options);
}

function identityOf(cert: StaffCertificate): StaffIdentity {
  return {
    role: cert.role,
    staffId: cert.staffId,
    district: cert.district,
    serial: cert.serial,
    validTo: cert.validTo,
  };
}

function localDate(date: Date): string {
  return `${date.getFullYear()}${String(date.getMonth() + 1).padStart(2, '0')}${String(date.getDate()).padStart(2, '0')}`;
}
