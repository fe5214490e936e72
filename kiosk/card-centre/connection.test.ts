import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../config/load.ts';
import type { KioskConfig } from '../config/schema.ts';
import { cardCentreLink } from './connection.ts';
import { EmbeddedCardCentre } from './embedded.ts';
import { seededResident } from './seeds.ts';
import { CardCentreServer } from './server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const signal = new AbortController().signal;

function config(change: (c: Record<string, any>) => void = () => {}): KioskConfig {
  const json = JSON.parse(readFileSync(path.join(ROOT, 'kiosk.config.json'), 'utf8'));
  change(json);
  return parseConfigText(JSON.stringify(json), 'kiosk.config.json');
}

describe('how the host reaches its card centre', () => {
  it('runs the embedded centre on 127.0.0.1 at start, speaks signed HTTP to it, and lets it go at stop', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mashang-link-'));
    const link = cardCentreLink(config(), { configDir: dir });
    expect(await link.centre.centreTime(signal)).toMatchObject({
      ok: false,
      error: { kind: 'unreachable', detail: 'the card centre is not started' },
    });
    await link.start();
    expect(link.embeddedUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const lookup = await link.centre.lookupPerson(
      seededResident('already-lost').card.idNumber,
      signal,
    );
    expect(lookup).toMatchObject({
      ok: true,
      value: { cards: [{ cardNo: 'A10000002', status: '2' }] },
    });
    await link.stop();
    expect(await link.centre.centreTime(signal)).toMatchObject({
      ok: false,
      error: { kind: 'unreachable' },
    });
    // Its records are its own, beside the config — not in the kiosk's data directory.
    expect(
      readFileSync(path.join(dir, 'card-centre-data', 'card-centre.db')).length,
    ).toBeGreaterThan(0);
  });

  it("refuses to keep the embedded centre's records inside the kiosk's data directory", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mashang-link-'));
    const inside = config(
      (c) => (c.cardCentre = { endpoint: 'embedded', dataDir: './data/centre' }),
    );
    expect(() => cardCentreLink(inside, { configDir: dir })).toThrow(ConfigError);
    expect(() => cardCentreLink(inside, { configDir: dir })).toThrow(
      /cardCentre\.dataDir: expected a folder outside dataDir/,
    );
  });

  it("talks to a province's centre by its URL, signing with the key from the kiosk's secrets file", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mashang-link-'));
    const centre = new EmbeddedCardCentre();
    const server = new CardCentreServer({ centre });
    const url = await server.listen(0);
    const remote = config((c) => (c.cardCentre = { endpoint: url, timeoutMs: 2_000, retries: 0 }));
    const link = cardCentreLink(remote, { configDir: dir });
    // Not yet enrolled at the centre: refused.
    expect(await link.centre.centreTime(signal)).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'UNAUTHENTICATED' },
    });
    const secrets = JSON.parse(readFileSync(path.join(dir, 'data', 'secrets.json'), 'utf8'));
    server.addKiosk(remote.kiosk.id, new Uint8Array(Buffer.from(secrets.cardCentreKey, 'hex')));
    expect(await link.centre.centreTime(signal)).toMatchObject({
      ok: true,
      value: { timeZone: 'Asia/Shanghai' },
    });
    await link.stop();
    await server.close();
    centre.close();
  });
});
