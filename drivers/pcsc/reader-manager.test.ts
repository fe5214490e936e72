/**
 * The reader manager on the in-process virtual readers: the same code the kiosk runs on pcscd,
 * with readers plugged and cards inserted by the test. The real stack has its own tests
 * (test/pcsc); these cover what vpcd cannot do (plug one reader) and what is fiddly there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedSsseCard } from '../chip-encoder/sim-ssse-card.ts';
import { readSsseCard } from '../chip-encoder/ssse-application.ts';
import {
  CardBehaviour,
  type CardFaultMode,
  type VirtualCard,
} from '../virtual-card/card-behaviour.ts';
import { InProcessPcsc } from '../virtual-card/in-process-pcsc.ts';
import { fromHex, hex, responseBytes } from './apdu.ts';
import type { PcscLogger } from './log-events.ts';
import { ReaderManager, type ReaderStatus } from './reader-manager.ts';

const READER = 'Mashang Simulated Reader 00';
const signal = () => new AbortController().signal;
const managers: ReaderManager[] = [];

afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.close();
});

function setUp(
  options: {
    readers?: string[];
    allowVirtualReaders?: boolean;
    timeoutMs?: number;
    logger?: PcscLogger;
  } = {},
) {
  const pcsc = new InProcessPcsc(options.readers ?? [READER]);
  const manager = new ReaderManager({
    transport: pcsc,
    allowVirtualReaders: options.allowVirtualReaders ?? true,
    exchangeTimeoutMs: options.timeoutMs ?? 200,
    reconnectDelaysMs: [20],
    logger: options.logger,
  });
  managers.push(manager);
  manager.addRole('chip', /Reader 00$|ACR39U/);
  manager.start();
  return { pcsc, manager };
}

const waitState = (manager: ReaderManager, state: ReaderStatus['state'], role = 'chip') =>
  manager.waitFor(role, (s) => s.state === state, AbortSignal.timeout(5_000));

async function openSession(manager: ReaderManager) {
  const status = await waitState(manager, 'ready');
  if (status.state !== 'ready') throw new Error('not ready');
  const session = await status.card.open(signal());
  if (!session.ok) throw new Error(`open failed: ${session.error.kind}`);
  return session.value;
}

/** A card that answers `00 CA 00 00` with `size` bytes and reassembles chained commands. */
class BigDataCard implements VirtualCard {
  readonly atr = fromHex('3B8001 81'.replace(' ', ''));
  received: Uint8Array[] = [];
  constructor(readonly size: number) {}
  reset() {}
  process(apdu: Uint8Array): Uint8Array {
    if (apdu[1] === 0xda) {
      this.received.push(apdu.slice(5, 5 + apdu[4]!));
      return responseBytes(new Uint8Array(), 0x9000);
    }
    const data = new Uint8Array(this.size).map((_, i) => i & 0xff);
    return responseBytes(data, 0x9000);
  }
}

describe('reader status as readers come and go', () => {
  it('follows its reader through unplug and replug, and cards through insert and remove', async () => {
    const { pcsc, manager } = setUp({ readers: [] });
    const seen: string[] = [manager.status('chip').state];
    manager.onStatus((_role, status) => seen.push(status.state));
    pcsc.plugReader(READER);
    await waitState(manager, 'no_card');
    pcsc.insert(READER, new CardBehaviour(new SimulatedSsseCard()));
    await waitState(manager, 'ready');
    pcsc.remove(READER);
    await waitState(manager, 'no_card');
    pcsc.unplugReader(READER);
    await waitState(manager, 'no_reader');
    pcsc.plugReader(READER);
    await waitState(manager, 'no_card');
    expect(seen).toEqual(['no_reader', 'no_card', 'ready', 'no_card', 'no_reader', 'no_card']);
  });

  it('refuses a test reader on a kiosk not configured as simulated, and says so', async () => {
    const errors: object[] = [];
    const logger = {
      debug() {},
      info() {},
      warn() {},
      error: (fields: object) => errors.push(fields),
    };
    const { pcsc, manager } = setUp({
      readers: [READER, 'ACS ACR39U ICC Reader 00 00'],
      allowVirtualReaders: false,
      logger,
    });
    const status = await waitState(manager, 'no_card');
    expect(status).toMatchObject({ reader: 'ACS ACR39U ICC Reader 00 00' });
    pcsc.unplugReader('ACS ACR39U ICC Reader 00 00');
    expect(await waitState(manager, 'no_reader')).toEqual({
      state: 'no_reader',
      refused: [READER],
    });
    expect(errors).toContainEqual({ event: 'pcsc.reader.refused', reader: READER });
  });

  it('gives each role its own reader', async () => {
    const { pcsc, manager } = setUp({
      readers: ['Mashang Simulated Reader 00', 'Mashang Simulated Reader 01'],
    });
    manager.addRole('staff', /Simulated Reader/);
    pcsc.insert('Mashang Simulated Reader 01', new CardBehaviour(new SimulatedSsseCard()));
    expect(await waitState(manager, 'ready', 'staff')).toMatchObject({
      reader: 'Mashang Simulated Reader 01',
    });
    expect(manager.status('chip')).toMatchObject({
      state: 'no_card',
      reader: 'Mashang Simulated Reader 00',
    });
  });
});

describe('the PC/SC service going away', () => {
  it('reports no_service while pcscd is absent and connects by itself when it comes, without spinning', async () => {
    const pcsc = new InProcessPcsc([READER]);
    pcsc.stopService();
    let attempts = 0;
    const counting = {
      description: 'counting',
      open: (events: Parameters<InProcessPcsc['open']>[0]) => (attempts++, pcsc.open(events)),
    };
    const manager = new ReaderManager({
      transport: counting,
      allowVirtualReaders: true,
      reconnectDelaysMs: [10, 50],
    });
    managers.push(manager);
    manager.addRole('chip', /Reader 00/);
    manager.start();
    expect(manager.status('chip').state).toBe('no_service');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // A busy loop would have made thousands of attempts; the timer makes a handful.
    expect(attempts).toBeGreaterThan(1);
    expect(attempts).toBeLessThan(15);
    pcsc.startService();
    await waitState(manager, 'no_card');
  });

  it('fails the open session, reports no_service, and comes back with a new context', async () => {
    const { pcsc, manager } = setUp();
    pcsc.insert(READER, new CardBehaviour(new SimulatedSsseCard()));
    const session = await openSession(manager);
    pcsc.stopService();
    expect(manager.status('chip').state).toBe('no_service');
    expect(await session.transmit(fromHex('00A4040000'), signal())).toMatchObject({
      ok: false,
      error: { kind: 'noService' },
    });
    await session.close();
    pcsc.startService();
    const back = await waitState(manager, 'ready');
    expect(back.state).toBe('ready');
  });
});

describe('exchanges', () => {
  it('reads a social-security card', async () => {
    const { pcsc, manager } = setUp();
    pcsc.insert(
      READER,
      new CardBehaviour(
        SimulatedSsseCard.personalised({
          identification: '330100D15600000500112233445566FF',
          specVersion: '2.00',
          cardNo: 'A00000001',
        }),
      ),
    );
    const session = await openSession(manager);
    const card = await readSsseCard(session, signal());
    expect(card).toMatchObject({
      ok: true,
      value: { generation: 2, region: '330100', card: { cardNo: 'A00000001' } },
    });
  });

  it('follows T=0 conventions: 6Cxx resends with the right Le, 61xx fetches the rest with GET RESPONSE', async () => {
    const { pcsc, manager } = setUp();
    pcsc.insert(READER, new CardBehaviour(new BigDataCard(600), { kind: 't0Chaining' }));
    const session = await openSession(manager);
    const caseFour = await session.transmit(fromHex('00CA000001AA00'), signal());
    expect(caseFour.ok && caseFour.value.data.length).toBe(600);
    expect(caseFour.ok && caseFour.value.data[599]).toBe(599 & 0xff);
    expect(caseFour.ok && caseFour.value.sw).toBe(0x9000);
    const caseTwo = await session.transmit(fromHex('00CA000010'), signal()); // Le 16, the card has 600
    expect(caseTwo.ok && caseTwo.value.sw).toBe(0x6c58); // 600 % 256: the card's own answer, resent once
  });

  it('chains a long command so the card receives all of it', async () => {
    const { pcsc, manager } = setUp();
    const card = new BigDataCard(0);
    pcsc.insert(READER, new CardBehaviour(card));
    const session = await openSession(manager);
    const data = new Uint8Array(700).map((_, i) => (i * 7) & 0xff);
    const answer = await session.send({ cla: 0x00, ins: 0xda, p1: 0, p2: 0, data }, signal());
    expect(answer).toMatchObject({ ok: true, value: { sw: 0x9000 } });
    expect(hex(new Uint8Array(Buffer.concat(card.received)))).toBe(hex(data));
    expect(card.received.map((r) => r.length)).toEqual([255, 255, 190]);
  });

  it('holds the card exclusively: a second session is refused until the first closes', async () => {
    const { pcsc, manager } = setUp();
    pcsc.insert(READER, new CardBehaviour(new SimulatedSsseCard()));
    const status = await waitState(manager, 'ready');
    if (status.state !== 'ready') throw new Error();
    const first = await status.card.open(signal());
    expect(first.ok).toBe(true);
    expect(await status.card.open(signal())).toEqual({ ok: false, error: { kind: 'busy' } });
    if (first.ok) await first.value.close();
    const second = await status.card.open(signal());
    expect(second.ok).toBe(true);
  });

  it('will not open a card through the handle of an earlier insertion', async () => {
    const { pcsc, manager } = setUp();
    pcsc.insert(READER, new CardBehaviour(new SimulatedSsseCard()));
    const before = await waitState(manager, 'ready');
    if (before.state !== 'ready') throw new Error();
    pcsc.remove(READER);
    pcsc.insert(READER, new CardBehaviour(new SimulatedSsseCard()));
    expect(await before.card.open(signal())).toEqual({ ok: false, error: { kind: 'removed' } });
  });
});

describe('cards that misbehave', () => {
  const faulty = (fault: CardFaultMode) => new CardBehaviour(new SimulatedSsseCard(), fault);

  it('times out a mute card, treats it as of unknown state, keeps the reader until it leaves, then the next card works', async () => {
    const { pcsc, manager } = setUp({ timeoutMs: 100 });
    pcsc.insert(READER, faulty({ kind: 'mute' }));
    const session = await openSession(manager);
    expect(await session.transmit(fromHex('00A4040000'), signal())).toEqual({
      ok: false,
      error: { kind: 'timeout', afterMs: 100 },
    });
    expect(await session.transmit(fromHex('00A4040000'), signal())).toEqual({
      ok: false,
      error: { kind: 'unknownState' },
    });
    await session.close(); // never waits on the stuck exchange
    const stuck = manager.status('chip');
    expect(stuck).toMatchObject({ state: 'card_error', reason: 'unknown_state' });
    if (stuck.state !== 'card_error') throw new Error();
    pcsc.remove(READER);
    await waitState(manager, 'no_card');
    pcsc.insert(READER, new CardBehaviour(new SimulatedSsseCard()));
    const next = await openSession(manager);
    expect(
      await next.transmit(fromHex('00A404000F7378312E73682EC9E7BBE1B1A3D5CF'), signal()),
    ).toMatchObject({ ok: true, value: { sw: 0x9000 } });
  });

  it('stops waiting the moment the caller aborts, and the card is then of unknown state', async () => {
    const { pcsc, manager } = setUp({ timeoutMs: 30_000 });
    pcsc.insert(READER, faulty({ kind: 'slow', delayMs: 20_000 }));
    const session = await openSession(manager);
    const controller = new AbortController();
    const pending = session.transmit(fromHex('00A4040000'), controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(manager.status('chip')).toMatchObject({ state: 'card_error', reason: 'unknown_state' });
    pcsc.remove(READER);
  });

  it("never takes a pulled card's empty answer for a success", async () => {
    const { pcsc, manager } = setUp();
    pcsc.insert(READER, faulty({ kind: 'removedMidApdu', afterApdus: 1 }));
    const session = await openSession(manager);
    expect(await session.transmit(fromHex('00A4040000'), signal())).toMatchObject({ ok: true });
    expect(await session.transmit(fromHex('00A4040000'), signal())).toEqual({
      ok: false,
      error: { kind: 'malformedResponse', length: 0 },
    });
    await waitState(manager, 'no_card');
  });

  it('turns garbage into a typed fault', async () => {
    const { pcsc, manager } = setUp();
    pcsc.insert(READER, faulty({ kind: 'garbage' }));
    const session = await openSession(manager);
    expect(await session.transmit(fromHex('00A4040000'), signal())).toEqual({
      ok: false,
      error: { kind: 'malformedResponse', length: 1 },
    });
    expect(manager.status('chip')).toMatchObject({ state: 'card_error', reason: 'unknown_state' });
  });

  it('reports a wrong status word as the card said it, for the application to judge', async () => {
    const { pcsc, manager } = setUp();
    pcsc.insert(READER, faulty({ kind: 'wrongSw', sw: 0x6a82 }));
    const session = await openSession(manager);
    const card = await readSsseCard(session, signal());
    expect(card).toEqual({ ok: false, error: { kind: 'notSsse' } });
  });
});
