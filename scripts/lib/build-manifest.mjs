/**
 * The build manifest: what `scripts/build.mjs` read and wrote, so that `scripts/setup.mjs` can tell
 * in a few milliseconds whether dist/ is stale, without knowing how the UI or the shell is built.
 *
 * build.mjs records every input file the bundlers actually resolved (plus the build scripts, the
 * lockfile and package.json), the optional inputs that were absent (a UI config not written yet),
 * and the outputs. The build is stale when an output is missing, an input changed after the build
 * started, or an absent input appeared.
 *
 * Plain Node, no dependencies: setup.mjs imports this before node_modules exists.
 */
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const MANIFEST_PATH = 'dist/.mashang-build.json';
const MANIFEST_VERSION = 1;

/**
 * @typedef {{ version: number, startedAt: number, inputs: string[], absent: string[], outputs: string[] }} Manifest
 * Paths are relative to the repository root, with forward slashes.
 */

/** @param {string} root @returns {Manifest | null} */
export function readManifest(root) {
  try {
    const manifest = JSON.parse(readFileSync(path.join(root, MANIFEST_PATH), 'utf8'));
    return manifest && manifest.version === MANIFEST_VERSION ? manifest : null;
  } catch {
    return null;
  }
}

/** @param {string} root @param {Omit<Manifest, 'version'>} manifest */
export function writeManifest(root, manifest) {
  const file = path.join(root, MANIFEST_PATH);
  mkdirSync(path.dirname(file), { recursive: true });
  const sorted = {
    version: MANIFEST_VERSION,
    startedAt: manifest.startedAt,
    inputs: [...new Set(manifest.inputs)].sort(),
    absent: [...new Set(manifest.absent)].sort(),
    outputs: [...new Set(manifest.outputs)].sort(),
  };
  writeFileSync(file, JSON.stringify(sorted, null, 1) + '\n');
}

/**
 * Why the build must run again, or null when dist/ is up to date.
 * @param {string} root
 * @returns {string | null}
 */
export function staleReason(root) {
  const manifest = readManifest(root);
  if (!manifest) return 'no previous build';
  for (const output of manifest.outputs) {
    if (!existsSync(path.join(root, output))) return `${output} is missing`;
  }
  for (const absent of manifest.absent) {
    if (existsSync(path.join(root, absent))) return `${absent} appeared`;
  }
  for (const input of manifest.inputs) {
    let mtime;
    try {
      mtime = statSync(path.join(root, input)).mtimeMs;
    } catch {
      return `${input} was removed`;
    }
    if (mtime > manifest.startedAt) return `${input} changed`;
  }
  return null;
}

/**
 * A repository-relative, forward-slash path for an absolute or relative file name, or null when
 * the file is outside the repository or inside node_modules (covered by the lockfile).
 * @param {string} root @param {string} file
 */
export function repoRelative(root, file) {
  const relative = path.relative(root, path.resolve(root, file)).split(path.sep).join('/');
  if (relative.startsWith('../') || path.isAbsolute(relative)) return null;
  if (relative.split('/').includes('node_modules')) return null;
  return relative;
}
