/**
 * The reader manager on the real stack: pcsclite → pcscd → vpcd → our virtual cards. pcscd is
 * started once for this file (private socket and ports, TCP_NODELAY shim) and stopped, killed and
 * restarted by the tests that are about that.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describePcsc } from './describe-pcsc.ts';
import { Pcscd } from './pcscd-fixture.ts';
import { SimulatedSsseCard } from '../../drivers/chip-encoder/sim-ssse-card.ts';
import { fromHex } from '../../drivers/pcsc/apdu.ts';
import type { PcscLogger } from '../../drivers/pcsc/log-events.ts';
import {
  createPcscReaderManager,
  type ReaderManager,
  type ReaderStatus,
} from '../../drivers/pcsc/reader-manager.ts';
import { CardBehaviour, type CardFaultMode } from '../../drivers/virtual-card/card-behaviour.ts';
import { VpcdCard } from '../../drivers/virtual-card/vpcd-card.ts';

const SELECT_SSSE = fromHex('00A404000F7378312E73682EC9E7BBE1B1A3D5CF');
const signal = () => new AbortController().signal;
const debugLogger = {
  debug() {},
  info: (o: object, m?: string) => console.log('INFO', m, JSON.stringify(o)),
  warn: (o: object, m?: string) => console.log('WARN', m, JSON.stringify(o)),
  error: (o: object, m?: string) => console.log('ERROR', m),
};

describePcsc('PC/SC readers on pcscd + vpcd', () => {
  let pcscd: Pcscd;
  const managers: ReaderManager[] = [];
  const cards: VpcdCard[] = [];

  beforeAll(async () => {
    pcscd = await Pcscd.start();
  });
  afterEach(async () => {
    for (const card of cards.splice(0)) await card.remove();
    // Leave the readers empty for the next test: pcscd notices a removal at its next poll.
    for (const manager of managers.splice(0)) {
      if (pcscd.running)
        for (const role of ['chip', 'staff'])
          await manager.waitFor(
            role,
            (s) => s.state === 'no_card' || s.state === 'no_reader',
            AbortSignal.timeout(10_000),
          );
      await manager.close();
    }
    if (!pcscd.running) await pcscd.start();
  });
  afterAll(async () => {
    await pcscd?.dispose();
  });

  function manager(
    options: {
      allowVirtualReaders?: boolean;
      exchangeTimeoutMs?: number;
      logger?: PcscLogger;
    } = {},
  ) {
    const m = createPcscReaderManager({
      allowVirtualReaders: options.allowVirtualReaders ?? true,
      exchangeTimeoutMs: options.exchangeTimeoutMs ?? 2_000,
      reconnectDelaysMs: [50, 200],
      logger: options.logger ?? (process.env.DEBUG_PCSC ? debugLogger : undefined),
    });
    m.addRole('chip', /^Virtual PCD 00 00$/);
    m.addRole('staff', /^Virtual PCD 00 01$/);
    m.start();
    managers.push(m);
    return m;
  }

  function card(
    fault: CardFaultMode | null = null,
    options: { slot?: 0 | 1; reconnectMs?: number } = {},
  ) {
    const c = new VpcdCard(new CardBehaviour(new SimulatedSsseCard(), fault), {
      port: pcscd.port + (options.slot ?? 0),
      reconnectMs: options.reconnectMs,
    });
    cards.push(c);
    return c;
  }

  const until = (m: ReaderManager, state: ReaderStatus['state'], role = 'chip') =>
    m.waitFor(role, (s) => s.state === state, AbortSignal.timeout(20_000));

  it("lists vpcd's two readers, one per role", async () => {
    const m = manager();
    await until(m, 'no_card');
    await until(m, 'no_card', 'staff');
    expect(m.readers().map((r) => [r.name, r.role])).toEqual([
      ['Virtual PCD 00 00', 'chip'],
      ['Virtual PCD 00 01', 'staff'],
    ]);
  });

  it('sees cards inserted and removed, in the right reader', async () => {
    const m = manager();
    await until(m, 'no_card');
    const staffCard = card(null, { slot: 1 });
    await staffCard.insert();
    expect(await until(m, 'ready', 'staff')).toMatchObject({ reader: 'Virtual PCD 00 01' });
    expect(m.status('chip').state).toBe('no_card');
    await staffCard.remove();
    await until(m, 'no_card', 'staff');
  });

  it("refuses vpcd's readers unless the kiosk is configured as simulated", async () => {
    const m = manager({ allowVirtualReaders: false });
    const status = await m.waitFor(
      'chip',
      (s) => s.state === 'no_reader' && s.refused.length > 0,
      AbortSignal.timeout(20_000),
    );
    expect(status).toEqual({ state: 'no_reader', refused: ['Virtual PCD 00 00'] });
  });

  it('waits for pcscd when it is absent at start, follows it being stopped and killed, and recovers by itself', async () => {
    if (process.env.DEBUG_PCSC) console.log('stopping');
    await pcscd.stop();
    if (process.env.DEBUG_PCSC) console.log('stopped');
    const m = manager();
    expect(m.status('chip').state).toBe('no_service');
    await pcscd.start();
    // A card that stays in the reader: it reconnects whenever pcscd is back.
    await card(null, { reconnectMs: 100 }).insert();
    await until(m, 'ready');

    await pcscd.stop();
    if (process.env.DEBUG_PCSC) console.log('stopped 2');
    await until(m, 'no_service');
    await pcscd.start();
    if (process.env.DEBUG_PCSC) console.log('started 2');
    const back = await until(m, 'ready');
    if (process.env.DEBUG_PCSC) console.log('ready 2');
    if (back.state !== 'ready') throw new Error();
    const session = await back.card.open(signal());
    expect(session.ok && (await session.value.transmit(SELECT_SSSE, signal()))).toMatchObject({
      ok: true,
      value: { sw: 0x9000 },
    });
    if (session.ok) await session.value.close();

    await pcscd.kill();
    await until(m, 'no_service');
    await pcscd.start();
    await until(m, 'ready');
  });

  it('times out a mute card without blocking the event loop; the card is rejected, the next one works', async () => {
    const m = manager({ exchangeTimeoutMs: 500 });
    const mute = card({ kind: 'mute' });
    await mute.insert();
    const status = await until(m, 'ready');
    if (status.state !== 'ready') throw new Error();
    const session = await status.card.open(signal());
    if (!session.ok) throw new Error(session.error.kind);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    const answer = await session.value.transmit(SELECT_SSSE, signal());
    clearInterval(ticker);
    expect(answer).toEqual({ ok: false, error: { kind: 'timeout', afterMs: 500 } });
    expect(ticks).toBeGreaterThan(0);
    await session.value.close();
    expect(m.status('chip')).toMatchObject({ state: 'card_error', reason: 'unknown_state' });

    await mute.remove(); // the printer moves it to the reject bin: the stuck exchange ends
    await until(m, 'no_card');
    await card().insert();
    const next = await until(m, 'ready');
    if (next.state !== 'ready') throw new Error();
    const nextSession = await next.card.open(signal());
    expect(
      nextSession.ok && (await nextSession.value.transmit(SELECT_SSSE, signal())),
    ).toMatchObject({ ok: true, value: { sw: 0x9000 } });
    if (nextSession.ok) await nextSession.value.close();
  });

  it('turns garbage and a card pulled mid-command into typed faults', async () => {
    const m = manager();
    const garbage = card({ kind: 'garbage' });
    await garbage.insert();
    let status = await until(m, 'ready');
    if (status.state !== 'ready') throw new Error();
    let session = await status.card.open(signal());
    if (!session.ok) throw new Error(session.error.kind);
    expect(await session.value.transmit(SELECT_SSSE, signal())).toMatchObject({
      ok: false,
      error: { kind: 'malformedResponse' },
    });
    await session.value.close();
    await garbage.remove();
    await until(m, 'no_card');

    await card({ kind: 'removedMidApdu', afterApdus: 1 }).insert();
    status = await until(m, 'ready');
    if (status.state !== 'ready') throw new Error();
    session = await status.card.open(signal());
    if (!session.ok) throw new Error(session.error.kind);
    expect(await session.value.transmit(SELECT_SSSE, signal())).toMatchObject({
      ok: true,
      value: { sw: 0x9000 },
    });
    const torn = await session.value.transmit(SELECT_SSSE, signal());
    expect(torn.ok).toBe(false);
    expect(['malformedResponse', 'removed']).toContain(!torn.ok && torn.error.kind);
    await session.value.close();
    await until(m, 'no_card');
  });
});
