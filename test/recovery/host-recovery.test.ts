/**
 * The host runs recovery at start, before the flow accepts a resident: out of service (and saying
 * why on /healthz) while it runs, then back in service — and `mashang host` does not wait for a long
 * recovery to say it is up (the shell would give up on it).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSimPerson } from '../../drivers/id-reader/simulator.ts';
import { EmbeddedCardCentre } from '../../kiosk/card-centre/embedded.ts';
import { Host } from '../../kiosk/host/host.ts';
import { createLogger } from '../../kiosk/log/logger.ts';
import { KioskStore } from '../../kiosk/store/store.ts';
import { defaultConfig } from '../support/host-harness.ts';

let host: Host | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

describe('recovery as the host runs it', () => {
  it('keeps residents out while it settles an earlier session, then serves again', { timeout: 30_000 }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mashang-host-recovery-'));
    const journalKey = randomBytes(32).toString('hex');
    const centre = new EmbeddedCardCentre();
    const resident = makeSimPerson();
    const person = await centre.lookupPerson(resident.idNumber);
    const cardNo = person.ok ? person.value.cards[0]!.cardNo : '';
    // A session the power cut interrupted right after "about to report the loss".
    const store = KioskStore.open({ dataDir, journalKey });
    const session = randomBytes(8).toString('hex');
    store.write(() => {
      store.journal.openSession(session, { idNumber: resident.idNumber, cardNo });
      store.journal.intent(session, 'lossReported', `${session}:loss`, {});
    });
    store.close();

    // The card centre answers the repeated loss report only when the test lets it.
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const reportLoss = centre.reportLoss.bind(centre);
    centre.reportLoss = async (request, signal) => {
      await gate;
      return reportLoss(request, signal);
    };

    host = new Host({
      config: defaultConfig(),
      dataDir,
      secrets: { journalKey },
      logger: createLogger({ dataDir, stderr: false }),
      port: 0,
      cardCentre: centre,
      simulation: { moveMs: 0 },
    });
    const started = Date.now();
    await host.start();
    // Up and serving its page after a bounded wait, recovery still running behind it.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(host.recovery.state).toBe('running');
    expect(host.view().screen).toBe('outOfService');
    const health = (await (await fetch(`${host.origin}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'down', outOfService: { reason: 'recovering' }, recovery: { state: 'running' } });
    host.send({ type: 'event', event: { type: 'START' } });
    expect(host.view().screen).toBe('outOfService');

    release();
    await host.whenRecovered();
    expect(host.view().screen).toBe('attract');
    expect(host.recovery).toMatchObject({ state: 'done', report: { open: 0, sessions: [{ sessionId: session, settled: true, outcome: 'notIssued' }] } });
    expect(centre.records().lossReports).toHaveLength(1);
    const after = (await (await fetch(`${host.origin}/healthz`)).json()) as Record<string, unknown>;
    expect(after).toMatchObject({ status: 'ready', staff: { notices: 1, kinds: ['leftWithoutCard'] } });
    expect(after.outOfService).toBeUndefined();
    host.send({ type: 'event', event: { type: 'START' } });
    expect(host.view().screen).toBe('identify');
  });
});
