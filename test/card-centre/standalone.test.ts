/**
 * The embedded card centre as a process of its own (`mashang card-centre`): a kiosk can die and
 * come back, the centre can die and come back, and the records — and the first answer to every
 * idempotency key — are still there. And a kiosk configured with the centre's URL goes through a
 * whole journey against it.
 */
import { TEST_FACE_PHOTO } from '../support/host-harness.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CARD_STATUS } from '../../kiosk/card-centre/card-centre.ts';
import { HttpCardCentre } from '../../kiosk/card-centre/http-client.ts';
import { seededResident } from '../../kiosk/card-centre/seeds.ts';
import { REPO_ROOT } from '../support/host-harness.ts';
import { connectBridge, spawnHost, type SpawnedHost } from '../support/spawned-host.ts';
import { instantSleep } from './harness.ts';

const MASHANG = path.join(REPO_ROOT, 'kiosk/cli/mashang.mjs');
const signal = new AbortController().signal;
const running: ChildProcess[] = [];
let host: SpawnedHost | undefined;

afterEach(async () => {
  await host?.stop();
  host = undefined;
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
});

/** A kiosk's configuration and secrets file, as a province would provision them. */
function provisionKiosk(kioskId: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'mashang-standalone-'));
  const secrets = {
    journalKey: randomBytes(32).toString('hex'),
    cardCentreKey: randomBytes(32).toString('hex'),
  };
  const secretsFile = path.join(dir, 'secrets.json');
  writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
  const config = JSON.parse(readFileSync(path.join(REPO_ROOT, 'kiosk.config.json'), 'utf8'));
  config.kiosk.id = kioskId;
  config.secretsFile = secretsFile;
  config.dataDir = path.join(dir, 'kiosk-data');
  const configFile = path.join(dir, 'kiosk.config.json');
  writeFileSync(configFile, JSON.stringify(config));
  return {
    dir,
    configFile,
    secretsFile,
    key: new Uint8Array(Buffer.from(secrets.cardCentreKey, 'hex')),
  };
}

async function spawnCentre(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MASHANG, 'card-centre', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const ready = await new Promise<{ url: string }>((resolve, reject) => {
    const check = () => {
      const line = /MASHANG_CARD_CENTRE_READY (\{.*\})/.exec(output);
      if (line) resolve(JSON.parse(line[1]!));
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`card centre exited with ${code}:\n${output}`)));
  });
  return { child, url: ready.url };
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('mashang card-centre', () => {
  it('keeps its records and its first answers when the kiosk goes away and when the centre itself is killed', async () => {
    const kiosk = provisionKiosk('standalone-01');
    const data = path.join(kiosk.dir, 'centre-data');
    const person = seededResident('normal').card;
    const first = await spawnCentre([
      '--data',
      data,
      '--port',
      '0',
      '--kiosk-config',
      kiosk.configFile,
      '--drop-after-commit',
      'reportLoss,openApplication',
    ]);
    const kioskBefore = new HttpCardCentre({
      baseUrl: first.url,
      kioskId: 'standalone-01',
      key: kiosk.key,
      sleep: instantSleep,
    });
    // Each first answer is lost after the centre committed; the client's retry gets it.
    const loss = await kioskBefore.reportLoss(
      { key: 'S1:loss', idNumber: person.idNumber, cardNo: 'A10000001' },
      signal,
    );
    expect(loss).toEqual({ ok: true, value: { alreadyReported: false } });
    const opened = await kioskBefore.openApplication(
      { key: 'S1:application', idNumber: person.idNumber, reason: '11' },
      signal,
    );
    expect(opened.ok).toBe(true);
    kioskBefore.close(); // the kiosk goes away
    await kill(first.child); // and so does the centre, without a chance to tidy up

    const second = await spawnCentre([
      '--data',
      data,
      '--port',
      '0',
      '--kiosk-config',
      kiosk.configFile,
    ]);
    const kioskAfter = new HttpCardCentre({
      baseUrl: second.url,
      kioskId: 'standalone-01',
      key: kiosk.key,
      sleep: instantSleep,
    });
    expect(
      await kioskAfter.reportLoss(
        { key: 'S1:loss', idNumber: person.idNumber, cardNo: 'A10000001' },
        signal,
      ),
    ).toEqual(loss);
    expect(
      await kioskAfter.openApplication(
        { key: 'S1:application', idNumber: person.idNumber, reason: '11' },
        signal,
      ),
    ).toEqual(opened);
    expect(await kioskAfter.lookupPerson(person.idNumber, signal)).toMatchObject({
      ok: true,
      value: { cards: [{ cardNo: 'A10000001', status: CARD_STATUS.reportedLost }] },
    });
    const status = await kioskAfter.applicationStatus(
      opened.ok ? opened.value.applicationNo : '',
      signal,
    );
    expect(status).toMatchObject({ ok: true, value: { status: 'ready', feeFen: 0 } });
    // A kiosk it was not told to trust is refused.
    const stranger = new HttpCardCentre({
      baseUrl: second.url,
      kioskId: 'standalone-99',
      key: kiosk.key,
      sleep: instantSleep,
    });
    expect(await stranger.centreTime(signal)).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'UNAUTHENTICATED' },
    });
    kioskAfter.close();
    stranger.close();
  });

  it('serves a kiosk configured with its URL through a whole journey, and knows the new card after the kiosk is gone', async () => {
    const kiosk = provisionKiosk('standalone-02');
    const centre = await spawnCentre([
      '--data',
      path.join(kiosk.dir, 'centre-data'),
      '--port',
      '0',
      '--kiosk-config',
      kiosk.configFile,
    ]);
    host = await spawnHost({
      configure: (c) => {
        c.kiosk.id = 'standalone-02';
        c.secretsFile = kiosk.secretsFile;
        c.cardCentre = { endpoint: centre.url, timeoutMs: 5_000 };
      },
    });
    const person = seededResident('normal').card;
    const bridge = await connectBridge(host);
    await bridge.waitForScreen('attract');
    bridge.send({ type: 'event', event: { type: 'START' } });
    await bridge.waitForScreen('identify');
    bridge.send({
      type: 'sim',
      sim: { action: 'placeIdCard', person: { name: person.name, idNumber: person.idNumber } },
    });
    await bridge.waitForScreen('verifying');
    bridge.send({ type: 'event', event: { type: 'PHOTO', photo: TEST_FACE_PHOTO } });
    const confirm = await bridge.waitForScreen('confirm');
    expect(confirm.resident?.cardStatus).toBe('normal');
    bridge.send({ type: 'event', event: { type: 'CONFIRM' } });
    await bridge.waitForScreen('collect', 60_000);
    bridge.send({ type: 'sim', sim: { action: 'takeCard' } });
    await bridge.waitForScreen('receipt', 30_000);
    bridge.close();
    // The kiosk reports the card made through its outbox, in the background: wait until the centre has heard.
    const client = new HttpCardCentre({
      baseUrl: centre.url,
      kioskId: 'standalone-02',
      key: kiosk.key,
      sleep: instantSleep,
    });
    for (let i = 0; i < 600; i++) {
      const seen = await client.lookupPerson(person.idNumber, signal);
      if (seen.ok && seen.value.cards[0]?.status === CARD_STATUS.normal) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await kill(host.child); // the kiosk dies; the centre does not
    host = undefined;

    const after = await client.lookupPerson(person.idNumber, signal);
    expect(after).toMatchObject({
      ok: true,
      value: {
        cards: [
          { status: CARD_STATUS.normal },
          { cardNo: 'A10000001', status: CARD_STATUS.cancelled },
        ],
      },
    });
    client.close();
  });
});
