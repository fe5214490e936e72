/**
 * The UI build (dist/ui with its voice clips, dist/shell), made fresh once for the test files that
 * need it — by the rule scripts/setup.mjs uses — and never by two of them at the same time.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Builds dist/ (UI, voice clips, shell) if any input changed, once for all test files at a time:
 * two files building at once would empty dist/ui under each other.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = path.join(tmpdir(), 'mashang-e2e-build.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than 10 minutes is a crashed run's.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 600_000)
          rmSync(lock, { recursive: true, force: true });
      } catch {
        // Gone in the meantime: try again.
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
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
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    if (build.status !== 0)
      throw new Error(`build failed (${check.stdout}):\n${build.stdout}${build.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
