/**
 * The `mashang` command as an operator meets it: broken configurations stop it with one clear
 * line per problem and a non-zero exit, never a stack trace.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/host-harness.ts';

const run = promisify(execFile);
const MASHANG = path.join(REPO_ROOT, 'kiosk/cli/mashang.mjs');

async function mashang(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [MASHANG, ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function writeConfig(mutate: (config: Record<string, any>) => void | string): string {
  const config = JSON.parse(readFileSync(path.join(REPO_ROOT, 'kiosk.config.json'), 'utf8'));
  const replaced = mutate(config);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mashang-cli-')), 'kiosk.config.json');
  writeFileSync(file, typeof replaced === 'string' ? replaced : JSON.stringify(config, null, 2));
  return file;
}

describe('mashang start with a broken kiosk.config.json', () => {
  const cases: [string, (c: Record<string, any>) => void | string, RegExp][] = [
    ['bad JSON', () => '{ "kiosk": ', /kiosk\.config\.json: \(root\): not valid JSON/],
    ['a wrong type', (c) => void (c.http.port = 'eighty'), /kiosk\.config\.json: http\.port: expected number, found "eighty"/],
    ['an unknown device kind', (c) => void (c.devices[1].kind = 'fax'), /devices\[1\]\.kind: expected one of "id-reader".*found "fax"/],
    ['a missing field', (c) => void delete c.dataDir, /kiosk\.config\.json: dataDir: missing \(expected string\)/],
  ];
  for (const [what, mutate, expected] of cases) {
    it(`names the problem for ${what} and exits non-zero`, async () => {
      const file = writeConfig(mutate);
      const result = await mashang('start', '--headless', '--config', file);
      expect(result.code).toBe(78);
      expect(result.stderr).toMatch(expected);
      expect(result.stderr).toContain(file);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }

  it('names a config file that does not exist', async () => {
    const result = await mashang('start', '--headless', '--config', '/nonexistent/kiosk.config.json');
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('/nonexistent/kiosk.config.json: (root): file not found');
  });

  it('answers --help for every subcommand', async () => {
    const general = await mashang('--help');
    expect(general.code).toBe(0);
    const commands = [...general.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
    expect(commands).toEqual(expect.arrayContaining(['start', 'host', 'config-check', 'config-schema']));
    for (const command of commands) {
      const help = await mashang(command, '--help');
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`Usage: mashang ${command}`);
    }
  });

  it('refuses an unknown option with the command\'s usage', async () => {
    const result = await mashang('start', '--colour', 'red');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--colour'");
    expect(result.stderr).toContain('Usage: mashang start');
  });
});
