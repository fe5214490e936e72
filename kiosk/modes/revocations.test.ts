import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { CardCentre, RevocationList } from '../card-centre/card-centre.ts';
import { REVOCATIONS_FILE, RevocationCache } from './revocations.ts';

const LIST: RevocationList = {
  version: 3,
  issuedAt: '2026-01-05T09:00:00+08:00',
  revoked: [{ serial: '0A1B2C3D4E5F0001', revokedAt: '2026-01-01T09:00:00+08:00', reason: 'lost' }],
};
const logger = pino({ level: 'silent' });
const caches: RevocationCache[] = [];
afterEach(() => {
  for (const cache of caches.splice(0)) cache.stop();
});

function centre(
  answer: () => Awaited<ReturnType<CardCentre['staffRevocations']>>,
): Pick<CardCentre, 'staffRevocations'> {
  return { staffRevocations: async () => answer() };
}

function cache(dataDir: string, source: Pick<CardCentre, 'staffRevocations'>) {
  const c = new RevocationCache();
  caches.push(c);
  c.start({ centre: source, dataDir, refreshMs: 3_600_000, logger });
  return c;
}

describe('the staff-card revocation list at the kiosk', () => {
  it("is the card centre's, kept in the data directory", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'revocations-'));
    const c = cache(
      dir,
      centre(() => ({ ok: true, value: LIST })),
    );
    expect(await c.list()).toEqual(LIST);
    expect(JSON.parse(readFileSync(path.join(dir, REVOCATIONS_FILE), 'utf8')).list).toEqual(LIST);
  });

  it('is the one kept when the card centre cannot be reached, also after a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'revocations-'));
    await cache(
      dir,
      centre(() => ({ ok: true, value: LIST })),
    ).list();
    const offline = cache(
      dir,
      centre(() => ({ ok: false, error: { kind: 'unreachable', detail: 'no route' } })),
    );
    expect(await offline.refresh()).toBe(false);
    expect(await offline.list()).toEqual(LIST);
  });

  it('is unavailable — and every card refused — when none was ever had', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'revocations-'));
    const offline = cache(
      dir,
      centre(() => ({ ok: false, error: { kind: 'unreachable', detail: 'no route' } })),
    );
    await expect(offline.list()).rejects.toThrow(/no staff-card revocation list/);
  });
});
