/**
 * The UI build (dist/ui) the Chromium benchmark serves, made fresh when an input changed — by the
 * rule scripts/setup.mjs uses, under the same lock the end-to-end tests take (test/e2e/build-once.ts),
 * so a benchmark and a test never empty dist/ui under each other.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from './bench-kiosk.ts';

export async function ensureUiBuilt(): Promise<void> {
  const lock = path.join(tmpdir(), 'mashang-e2e-build.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 600_000)
          rmSync(lock, { recursive: true, force: true });
      } catch {
        // Gone in the meantime.
      }
      await sleep(250);
    }
  }
  try {
    const check = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { staleReason } from './scripts/lib/build-manifest.mjs'; process.stdout.write(staleReason('.') ?? '')",
      ],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    if (check.status !== 0) throw new Error(`cannot check the build: ${check.stderr}`);
    if (check.stdout === '') return;
    console.log(`building the UI first (${check.stdout})…`);
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
