/**
 * The kiosk's secrets, in a file of their own that only the kiosk user may read (never inside
 * kiosk.config.json): the key that encrypts what the journal must keep of a resident for recovery,
 * and this kiosk's credential towards the card centre.
 *
 * In development mode a missing file is created with fresh random secrets (mode 0600), so the
 * embedded default starts on a fresh clone; in production a missing or readable-by-others file
 * stops the kiosk.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './load.ts';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/, '32 bytes as 64 lowercase hex digits');

export const KioskSecrets = z
  .object({
    /** AES-256-GCM key for personal data the journal keeps until a session is settled. */
    journalKey: hex32,
    /** This kiosk's request-signing key towards the card centre (HMAC-SHA256). */
    cardCentreKey: hex32,
  })
  .strict();
export type KioskSecrets = z.infer<typeof KioskSecrets>;

export function loadSecrets(file: string, options: { mode: 'development' | 'production' }): KioskSecrets {
  if (!existsSync(file)) {
    if (options.mode === 'production') {
      throw new ConfigError(file, [{ path: '(root)', message: 'secrets file not found (production kiosks are provisioned with one)' }]);
    }
    mkdirSync(path.dirname(file), { recursive: true });
    const fresh: KioskSecrets = {
      journalKey: randomBytes(32).toString('hex'),
      cardCentreKey: randomBytes(32).toString('hex'),
    };
    writeFileSync(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return fresh;
  }
  if (options.mode === 'production' && (statSync(file).mode & 0o077) !== 0) {
    throw new ConfigError(file, [{ path: '(root)', message: 'readable by other users: chmod 600 it' }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, [{ path: '(root)', message: `not valid JSON (${(error as Error).message})` }]);
  }
  const result = KioskSecrets.safeParse(json);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message })),
    );
  }
  return result.data;
}
