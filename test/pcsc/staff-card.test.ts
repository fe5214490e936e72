/**
 * Staff and technician cards on the real stack, the virtual card run as an operator would run it:
 * `mashang sim-card staff --state FILE`, in its own process, killed and restarted between tries.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describePcsc } from './describe-pcsc.ts';
import { Pcscd } from './pcscd-fixture.ts';
import { DEVELOPMENT_DISTRICT_PUBLIC_KEY_PEM } from '../../drivers/staff-card/development-district-key.ts';
import { issueStaffCard, SimulatedStaffCard } from '../../drivers/staff-card/sim-staff-card.ts';
import {
  createPcscStaffCardReader,
  STAFF_CARD_ROLE,
  type StaffCardReader,
} from '../../drivers/staff-card/staff-card-reader.ts';
import { CardBehaviour } from '../../drivers/virtual-card/card-behaviour.ts';
import { VpcdCard } from '../../drivers/virtual-card/vpcd-card.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const STAFF_READER = 'Virtual PCD 00 01';

describePcsc('staff cards on pcscd + vpcd', () => {
  let pcscd: Pcscd;
  let reader: StaffCardReader;
  const children: ChildProcess[] = [];
  const signal = () => new AbortController().signal;

  beforeAll(async () => {
    pcscd = await Pcscd.start();
    reader = createPcscStaffCardReader({
      readerPattern: `^${STAFF_READER}$`,
      allowVirtualReaders: true,
      districtPublicKey: DEVELOPMENT_DISTRICT_PUBLIC_KEY_PEM,
      revocationList: () => ({ revoked: [] }),
      exchangeTimeoutMs: 2_000,
    });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await stop(child);
    await cardGone();
  });
  afterAll(async () => {
    await reader?.close();
    await pcscd?.dispose();
  });

  /** pcscd notices a card at its next poll of vpcd (every 400 ms). */
  const cardReady = () =>
    reader.manager.waitFor(
      STAFF_CARD_ROLE,
      (s) => s.state === 'ready',
      AbortSignal.timeout(10_000),
    );
  const cardGone = () =>
    reader.manager.waitFor(
      STAFF_CARD_ROLE,
      (s) => s.state === 'no_card',
      AbortSignal.timeout(10_000),
    );

  /** `mashang sim-card <role> …` in the staff reader's slot; resolves once the card is in vpcd. */
  async function simCard(role: 'staff' | 'technician', ...args: string[]): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, 'kiosk/cli/mashang.mjs'),
        'sim-card',
        role,
        '--port',
        String(pcscd.port + 1),
        ...args,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => /inserted/.test(chunk.toString()) && resolve());
      child.once('exit', (code) => reject(new Error(`sim-card exited with ${code}`)));
    });
    await cardReady();
    return child;
  }

  async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  it('lets the holder in with the right PIN, and counts wrong ones down to blocked — across restarts of the card', async () => {
    const state = path.join(mkdtempSync(path.join(tmpdir(), 'staff-card-')), 'card.json');
    let card = await simCard(
      'technician',
      '--state',
      state,
      '--pin',
      '4321',
      '--staff-id',
      'T-0815',
    );
    expect(await reader.identify(signal())).toMatchObject({
      ok: true,
      value: { identity: { role: 'technician', staffId: 'T-0815' }, triesLeft: 3 },
    });
    expect(await reader.authenticate('4321', signal())).toMatchObject({
      ok: true,
      value: { role: 'technician', staffId: 'T-0815' },
    });
    expect(await reader.authenticate('1111', signal())).toEqual({
      ok: false,
      error: { kind: 'wrongPin', triesLeft: 2 },
    });

    // The card is pulled and the simulator restarted: the counter is where it was.
    await stop(card);
    await cardGone();
    card = await simCard('technician', '--state', state);
    expect(await reader.identify(signal())).toMatchObject({ ok: true, value: { triesLeft: 2 } });
    expect(await reader.authenticate('2222', signal())).toEqual({
      ok: false,
      error: { kind: 'wrongPin', triesLeft: 1 },
    });
    expect(JSON.parse(readFileSync(state, 'utf8'))).toMatchObject({ triesLeft: 1 });

    await stop(card);
    await cardGone();
    await simCard('technician', '--state', state);
    expect(await reader.authenticate('3333', signal())).toEqual({
      ok: false,
      error: { kind: 'blocked' },
    });
    expect(await reader.authenticate('4321', signal())).toEqual({
      ok: false,
      error: { kind: 'blocked' },
    });
    expect(await reader.identify(signal())).toMatchObject({
      ok: true,
      value: { triesLeft: 'blocked' },
    });
  });

  it('authenticates a card that answers the T=0 way (61xx, GET RESPONSE)', async () => {
    const state = issueStaffCard({ role: 'staff', staffId: 'S-1', pin: '8642' });
    const card = new VpcdCard(
      new CardBehaviour(new SimulatedStaffCard(state), { kind: 't0Chaining' }),
      { port: pcscd.port + 1 },
    );
    await card.insert();
    await cardReady();
    try {
      expect(await reader.authenticate('8642', signal())).toMatchObject({
        ok: true,
        value: { role: 'staff', staffId: 'S-1' },
      });
    } finally {
      await card.remove();
    }
  });
});
