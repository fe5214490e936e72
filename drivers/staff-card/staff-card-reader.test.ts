/**
 * Staff and technician cards proving themselves to the kiosk, on the in-process virtual readers
 * (the real-stack version is in test/pcsc). Every forgery here is one a person could make.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedSsseCard } from '../chip-encoder/sim-ssse-card.ts';
import { parseResponse } from '../pcsc/apdu.ts';
import { CardBehaviour, type VirtualCard } from '../virtual-card/card-behaviour.ts';
import { InProcessPcsc } from '../virtual-card/in-process-pcsc.ts';
import { JsonStateFile } from '../virtual-card/state-file.ts';
import { DEVELOPMENT_DISTRICT_PUBLIC_KEY_PEM } from './development-district-key.ts';
import { issueStaffCard, SimulatedStaffCard, type StaffCardState } from './sim-staff-card.ts';
import {
  internalAuthenticateCommand,
  selectStaffCommand,
  STAFF_INS,
} from './staff-card-protocol.ts';
import {
  createPcscStaffCardReader,
  type RevocationList,
  type StaffCardReader,
} from './staff-card-reader.ts';

const READER = 'Mashang Simulated Reader 01';
const PIN = '135790';
const NOW = new Date('2026-06-15T10:00:00+08:00');
const readers: StaffCardReader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) await reader.close();
});

function kiosk(
  options: { revoked?: string[]; revocationList?: () => RevocationList; log?: string[] } = {},
) {
  const pcsc = new InProcessPcsc();
  const log = options.log;
  const logger = log
    ? {
        debug() {},
        info: (o: object) => log.push(JSON.stringify(o)),
        warn: (o: object) => log.push(JSON.stringify(o)),
        error: (o: object) => log.push(JSON.stringify(o)),
      }
    : undefined;
  const reader = createPcscStaffCardReader({
    readerPattern: 'Simulated Reader 01$',
    allowVirtualReaders: true,
    transport: pcsc,
    districtPublicKey: DEVELOPMENT_DISTRICT_PUBLIC_KEY_PEM,
    revocationList:
      options.revocationList ??
      (() => ({ revoked: (options.revoked ?? []).map((serial) => ({ serial })) })),
    now: () => NOW,
    logger,
  });
  readers.push(reader);
  const insert = (card: VirtualCard) => pcsc.insert(READER, new CardBehaviour(card));
  return { pcsc, reader, insert };
}

const staffCard = (extra: Partial<Parameters<typeof issueStaffCard>[0]> = {}) =>
  issueStaffCard({ role: 'staff', staffId: 'S0042', pin: PIN, now: NOW, ...extra });
const signal = () => new AbortController().signal;

describe('a staff card at the kiosk', () => {
  it('lets its holder in with the right PIN, as the role the district gave them', async () => {
    const { reader, insert } = kiosk();
    insert(new SimulatedStaffCard(staffCard({ role: 'technician', staffId: 'T-007' })));
    const result = await reader.authenticate(PIN, signal());
    expect(result).toMatchObject({
      ok: true,
      value: { role: 'technician', staffId: 'T-007', district: '330100' },
    });
  });

  it('counts wrong PINs down on the card, then blocks it, even for the right PIN', async () => {
    const { reader, insert } = kiosk();
    insert(new SimulatedStaffCard(staffCard()));
    expect(await reader.identify(signal())).toMatchObject({ ok: true, value: { triesLeft: 3 } });
    expect(await reader.authenticate('000000', signal())).toEqual({
      ok: false,
      error: { kind: 'wrongPin', triesLeft: 2 },
    });
    expect(await reader.authenticate('000000', signal())).toEqual({
      ok: false,
      error: { kind: 'wrongPin', triesLeft: 1 },
    });
    expect(await reader.authenticate('000000', signal())).toEqual({
      ok: false,
      error: { kind: 'blocked' },
    });
    expect(await reader.authenticate(PIN, signal())).toEqual({
      ok: false,
      error: { kind: 'blocked' },
    });
    expect(await reader.identify(signal())).toMatchObject({
      ok: true,
      value: { triesLeft: 'blocked' },
    });
  });

  it('restores the counter after a right PIN', async () => {
    const { reader, insert } = kiosk();
    insert(new SimulatedStaffCard(staffCard()));
    await reader.authenticate('000000', signal());
    expect((await reader.authenticate(PIN, signal())).ok).toBe(true);
    expect(await reader.identify(signal())).toMatchObject({ ok: true, value: { triesLeft: 3 } });
  });

  it("keeps the counter in the card's state file across a pulled card and a restarted simulator", async () => {
    const state = new JsonStateFile<StaffCardState>(
      path.join(mkdtempSync(path.join(tmpdir(), 'staff-card-')), 'card.json'),
    );
    state.save(staffCard());
    const { pcsc, reader, insert } = kiosk();
    insert(new SimulatedStaffCard(state.load()!, (s) => state.save(s)));
    expect(await reader.authenticate('111111', signal())).toEqual({
      ok: false,
      error: { kind: 'wrongPin', triesLeft: 2 },
    });
    pcsc.remove(READER);
    insert(new SimulatedStaffCard(state.load()!, (s) => state.save(s)));
    expect(await reader.identify(signal())).toMatchObject({ ok: true, value: { triesLeft: 2 } });
  });

  it('does not leave the PIN verified on the card after the session', async () => {
    const { pcsc, reader, insert } = kiosk();
    insert(new SimulatedStaffCard(staffCard()));
    expect((await reader.authenticate(PIN, signal())).ok).toBe(true);
    const status = reader.readerStatus();
    if (status.state !== 'ready') throw new Error(status.state);
    const session = await status.card.open(signal());
    if (!session.ok) throw new Error(session.error.kind);
    await session.value.transmit(selectStaffCommand(), signal());
    const holder = await session.value.transmit(
      internalAuthenticateCommand('holder', new Uint8Array(32)),
      signal(),
    );
    expect(holder).toMatchObject({ ok: true, value: { sw: 0x6982 } });
    await session.value.close();
    pcsc.remove(READER);
  });

  it('never writes the PIN to the log', async () => {
    const log: string[] = [];
    const { reader, insert } = kiosk({ log });
    insert(new SimulatedStaffCard(staffCard()));
    await reader.authenticate('975312', signal());
    await reader.authenticate(PIN, signal());
    expect(log.length).toBeGreaterThan(0);
    expect(log.join('\n')).not.toMatch(/975312|135790|3937353331|313335373930/);
  });
});

describe('cards that are not what they claim', () => {
  it("refuses a certificate signed by another key than the district's", async () => {
    const { reader, insert } = kiosk();
    const otherDistrict = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    insert(new SimulatedStaffCard(staffCard({ districtPrivateKey: otherDistrict })));
    expect(await reader.authenticate(PIN, signal())).toEqual({
      ok: false,
      error: { kind: 'forged', reason: 'districtSignature' },
    });
  });

  it('refuses a genuine certificate copied onto a card that does not hold its key, before sending the PIN', async () => {
    const { reader, insert } = kiosk();
    const genuine = staffCard();
    const copy: StaffCardState = { ...genuine, privateKey: staffCard().privateKey };
    const card = new SimulatedStaffCard(copy);
    const commands: number[] = [];
    insert({
      atr: card.atr,
      reset: () => card.reset(),
      process: (apdu) => (commands.push(apdu[1]!), card.process(apdu)),
    });
    expect(await reader.authenticate(PIN, signal())).toEqual({
      ok: false,
      error: { kind: 'forged', reason: 'cardSignature' },
    });
    expect(commands).not.toContain(STAFF_INS.VERIFY);
  });

  it('refuses a card that says yes to any PIN', async () => {
    const { reader, insert } = kiosk();
    const card = new SimulatedStaffCard(staffCard());
    insert({
      atr: card.atr,
      reset: () => card.reset(),
      process: (apdu) =>
        apdu[1] === STAFF_INS.VERIFY ? new Uint8Array([0x90, 0x00]) : card.process(apdu),
    });
    expect(await reader.authenticate('000000', signal())).toEqual({
      ok: false,
      error: { kind: 'forged', reason: 'pinNotVerifiedOnCard' },
    });
  });

  it('refuses a damaged certificate', async () => {
    const { reader, insert } = kiosk();
    const state = staffCard();
    insert(
      new SimulatedStaffCard({
        ...state,
        certificate: state.certificate.slice(0, 40) + 'FF' + state.certificate.slice(42),
      }),
    );
    const result = await reader.authenticate(PIN, signal());
    expect(result).toMatchObject({ ok: false, error: { kind: 'forged' } });
  });

  it('refuses an expired card and one not yet valid', async () => {
    const { pcsc, reader, insert } = kiosk();
    insert(new SimulatedStaffCard(staffCard({ validFrom: '20240101', validTo: '20260614' })));
    expect(await reader.authenticate(PIN, signal())).toEqual({
      ok: false,
      error: { kind: 'expired', validTo: '20260614' },
    });
    pcsc.remove(READER);
    insert(new SimulatedStaffCard(staffCard({ validFrom: '20260616', validTo: '20270101' })));
    expect(await reader.authenticate(PIN, signal())).toEqual({
      ok: false,
      error: { kind: 'notYetValid', validFrom: '20260616' },
    });
  });

  it('refuses a revoked card, and any card while the revocation list cannot be had', async () => {
    const revoked = kiosk({ revoked: ['00112233445566AA'] });
    revoked.insert(new SimulatedStaffCard(staffCard({ serial: '00112233445566AA' })));
    expect(await revoked.reader.authenticate(PIN, signal())).toEqual({
      ok: false,
      error: { kind: 'revoked', serial: '00112233445566AA' },
    });
    const unavailable = kiosk({
      revocationList: () => {
        throw new Error('card centre unreachable');
      },
    });
    unavailable.insert(new SimulatedStaffCard(staffCard()));
    expect(await unavailable.reader.authenticate(PIN, signal())).toEqual({
      ok: false,
      error: { kind: 'revocationUnavailable' },
    });
  });

  it('tells a social-security card from a staff card', async () => {
    const { reader, insert } = kiosk();
    insert(new SimulatedSsseCard());
    expect(await reader.authenticate(PIN, signal())).toEqual({
      ok: false,
      error: { kind: 'notStaffCard' },
    });
  });

  it('signs only with a verified PIN for the holder purpose (the card side)', () => {
    const card = new SimulatedStaffCard(staffCard());
    card.process(selectStaffCommand());
    expect(
      parseResponse(card.process(internalAuthenticateCommand('holder', new Uint8Array(32))))!.sw,
    ).toBe(0x6982);
    expect(
      parseResponse(card.process(internalAuthenticateCommand('card', new Uint8Array(32))))!.data
        .length,
    ).toBe(64);
  });
});
