/**
 * The Linux packaging recipe (packaging/), checked without running electron-builder (it cannot
 * run here: it downloads Electron): electron-builder's own configuration schema, the files the
 * recipe names, the .deb's scripts and the systemd unit.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import config from '../../packaging/electron-builder.config.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PACKAGING = path.join(ROOT, 'packaging');
const schema = JSON.parse(
  readFileSync(path.join(PACKAGING, 'vendor/electron-builder-26.17.0.scheme.json'), 'utf8'),
) as object;

describe('the electron-builder recipe', () => {
  it('is valid for electron-builder 26 (its own JSON schema)', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const valid = validate(JSON.parse(JSON.stringify(config)));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is caught by that schema when it is wrong (the check is real)', () => {
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ ...config, asar: 'no' })).toBe(false);
    expect(validate({ ...config, linux: { ...config.linux, targte: 'deb' } })).toBe(false);
  });

  it('packs the shell as the app and the built UI, and rebuilds native modules for Electron', () => {
    expect(config.extraMetadata).toEqual({ main: 'dist/shell/main.cjs' });
    expect(config.files).toEqual(
      expect.arrayContaining(['dist/shell/**', 'dist/ui/**', '!**/*.test.{ts,tsx}']),
    );
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(true);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
    });
    expect(config.publish).toBeNull();
  });

  it('names only files that exist', () => {
    for (const script of [config.deb?.afterInstall, config.deb?.afterRemove]) {
      expect(script).toBeDefined();
      expect(existsSync(path.join(ROOT, script!)), script).toBe(true);
    }
    for (const file of ['mashang-kiosk.service', '60-mashang-devices.rules']) {
      expect(existsSync(path.join(PACKAGING, 'linux', file)), file).toBe(true);
    }
    // The unit starts what the package installs.
    const unit = readFileSync(path.join(PACKAGING, 'linux/mashang-kiosk.service'), 'utf8');
    expect(unit).toContain(`/opt/${config.productName}/${config.executableName}`);
    expect(readFileSync(path.join(ROOT, config.deb!.afterInstall!), 'utf8')).toContain(
      `/opt/${config.productName}`,
    );
  });
});

describe('the kiosk unit and the .deb scripts', () => {
  const unit = readFileSync(path.join(PACKAGING, 'linux/mashang-kiosk.service'), 'utf8');

  it('start the kiosk at boot under a kiosk compositor, as its own user, and restart it', () => {
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/cage -d -- /m);
    expect(unit).toMatch(/^User=mashang$/m);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^Environment=MASHANG_CONFIG=\/etc\/mashang\/kiosk\.config\.json$/m);
    expect(unit).toMatch(/^WantedBy=graphical\.target$/m);
    expect(unit).toMatch(/^Conflicts=getty@tty1\.service$/m);
  });

  it('are well-formed (sh -n; systemd-analyze verify where systemd is installed)', () => {
    for (const script of ['after-install.sh', 'after-remove.sh']) {
      const result = spawnSync('sh', ['-n', path.join(PACKAGING, 'linux', script)], {
        encoding: 'utf8',
      });
      expect(result.stderr, script).toBe('');
      expect(result.status, script).toBe(0);
    }
    const verify = spawnSync(
      'systemd-analyze',
      ['verify', path.join(PACKAGING, 'linux/mashang-kiosk.service')],
      {
        encoding: 'utf8',
      },
    );
    if (verify.error) return; // no systemd here: the syntax checks above still ran
    // cage and the kiosk binary are on the kiosk, not on this machine: the only tolerated complaint.
    const complaints = verify.stderr
      .split('\n')
      .filter((line) => line.trim() !== '' && !/Command \S+ is not executable/.test(line));
    expect(complaints).toEqual([]);
  });
});
