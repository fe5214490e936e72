/**
 * The `staff` section of kiosk.config.json: development trusts the published development key;
 * production must name its district's key, and never the development one.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_DISTRICT_PUBLIC_KEY_PEM } from '../../drivers/staff-card/development-district-key.ts';
import { ConfigError, parseConfigText } from '../../kiosk/config/load.ts';
import { staffDistrictKey } from '../../kiosk/config/schema.ts';
import { REPO_ROOT } from '../support/host-harness.ts';

const base = () =>
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'kiosk.config.json'), 'utf8')) as Record<
    string,
    any
  >;

function staffProblems(json: Record<string, any>): string[] {
  try {
    parseConfigText(JSON.stringify(json), 'kiosk.config.json');
    return [];
  } catch (error) {
    return (error as ConfigError).problems
      .filter((p) => p.path.startsWith('staff'))
      .map((p) => `${p.path}: ${p.message}`);
  }
}

const districtKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .publicKey.export({ format: 'pem', type: 'spki' })
  .toString();

describe('the staff section of the configuration', () => {
  it('defaults to a five-minute mode timeout, a 100-card hopper, and the development key in development', () => {
    const config = parseConfigText(JSON.stringify(base()), 'kiosk.config.json');
    expect(config.staff).toEqual({
      modeTimeoutSeconds: 300,
      hopperCapacity: 100,
      revocationRefreshSeconds: 600,
    });
    expect(staffDistrictKey(config)).toBe(DEVELOPMENT_DISTRICT_PUBLIC_KEY_PEM);
  });

  it("requires the district's key in production, and refuses the published development key there", () => {
    const production = { ...base(), mode: 'production' };
    expect(staffProblems(production)).toEqual([
      "staff.districtPublicKeyPem: expected the district's staff-card public key in production (development trusts the development key)",
    ]);
    expect(
      staffProblems({
        ...production,
        staff: { districtPublicKeyPem: DEVELOPMENT_DISTRICT_PUBLIC_KEY_PEM },
      }),
    ).toEqual([
      'staff.districtPublicKeyPem: expected a real district key in production (this is the published development key: anyone can sign with it)',
    ]);
    expect(staffProblems({ ...production, staff: { districtPublicKeyPem: districtKey } })).toEqual(
      [],
    );
    expect(staffProblems({ ...base(), staff: { districtPublicKeyPem: 'not a key' } })).toEqual([
      'staff.districtPublicKeyPem: a PEM public key, found "not a key"',
    ]);
  });
});
