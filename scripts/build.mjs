#!/usr/bin/env node
/**
 * Builds what the kiosk runs from dist/:
 *   - the resident UI: Vite with kiosk/ui/vite.config.ts → dist/ui (skipped while that config is absent);
 *   - its voice guidance clips → dist/ui/voice (scripts/voice-clips.mjs: recorded clips, else espeak-ng);
 *   - the Electron shell: esbuild bundles kiosk/shell/main.ts and preload.ts → dist/shell/*.cjs
 *     (CommonJS, `electron` left external: Electron provides it at run time).
 *
 * Records every input the bundlers resolved in dist/.mashang-build.json, so that scripts/setup.mjs
 * rebuilds only when one of them changed. Usage: `npm run build` (or `node scripts/build.mjs`).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRelative, writeManifest } from './lib/build-manifest.mjs';
import { buildVoiceClips } from './voice-clips.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const UI_CONFIG = 'kiosk/ui/vite.config.ts';
const SHELL_ENTRIES = { main: 'kiosk/shell/main.ts', preload: 'kiosk/shell/preload.ts' };
const SHELL_OUT_DIR = 'dist/shell';
/** Electron 39 runs Node 22 in the main process and Chromium 142 in the (sandboxed) preload. */
const SHELL_TARGET = ['node22', 'chrome142'];

function fail(message) {
  console.error(`mashang build: ${message}`);
  process.exit(1);
}

async function importTool(name) {
  try {
    return await import(name);
  } catch {
    return fail(`cannot load ${name}; install dependencies first (node scripts/setup.mjs).`);
  }
}

/** Every file under dir (Vite's public/ folder is copied as is, so each file is an input). */
function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

/** Collects the files Vite/Rolldown loaded, and where the build went. */
function inputCollector() {
  const seen = { ids: new Set(), extra: [], outDir: null };
  const plugin = {
    name: 'mashang-input-collector',
    apply: 'build',
    configResolved(config) {
      seen.outDir = config.build.outDir;
      seen.extra.push(...(config.configFileDependencies ?? []));
      if (config.publicDir) seen.extra.push(...walk(config.publicDir));
      seen.extra.push(path.join(config.root, 'index.html'));
    },
    buildEnd() {
      for (const id of this.getModuleIds()) seen.ids.add(id);
    },
  };
  return { plugin, seen };
}

/** Absolute paths of real files among bundler module ids (drops virtual ids and ?query suffixes). */
function realFiles(ids) {
  const files = [];
  for (const id of ids) {
    if (id.startsWith('\0')) continue;
    const file = path.resolve(root, id.split('?')[0]);
    if (existsSync(file) && statSync(file).isFile()) files.push(file);
  }
  return files;
}

async function buildUi(manifest) {
  if (!existsSync(path.join(root, UI_CONFIG))) {
    console.log(`mashang build: ${UI_CONFIG} not found, skipping the UI.`);
    manifest.absent.push(UI_CONFIG);
    return;
  }
  const vite = await importTool('vite');
  // The kiosk always runs the production bundle (React's production build, no dev warnings),
  // also when the build is started from a test runner that sets NODE_ENV=test.
  process.env.NODE_ENV = 'production';
  const { plugin, seen } = inputCollector();
  try {
    await vite.build({
      configFile: path.join(root, UI_CONFIG),
      plugins: [plugin],
      logLevel: process.env.MASHANG_BUILD_VERBOSE ? 'info' : 'warn',
    });
  } catch (error) {
    fail(`UI build failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const file of [...realFiles([...seen.ids, ...seen.extra]), UI_CONFIG]) {
    const relative = repoRelative(root, file);
    if (relative) manifest.inputs.push(relative);
  }
  const outDir = repoRelative(root, seen.outDir ?? 'dist/ui');
  if (outDir) manifest.outputs.push(`${outDir}/index.html`);
  console.log(`mashang build: UI → ${outDir ?? seen.outDir}`);
  return seen.outDir ?? path.join(root, 'dist/ui');
}

/** The voice clips go into the UI's output (after Vite, which empties it). */
async function buildVoice(manifest, uiOutDir) {
  let voice;
  try {
    voice = await buildVoiceClips({ root, outDir: uiOutDir });
  } catch (error) {
    fail(`voice clips failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const [list, files] of [
    [manifest.inputs, [...voice.inputs, 'scripts/voice-clips.mjs']],
    [manifest.absent, voice.absent],
    [manifest.outputs, voice.outputs],
  ]) {
    for (const file of files) {
      const relative = repoRelative(root, file);
      if (relative) list.push(relative);
    }
  }
}

async function buildShell(manifest) {
  const missing = Object.values(SHELL_ENTRIES).filter((f) => !existsSync(path.join(root, f)));
  if (missing.length > 0) fail(`shell sources missing: ${missing.join(', ')}`);
  const esbuild = await importTool('esbuild');
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  let result;
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: SHELL_ENTRIES,
      outdir: SHELL_OUT_DIR,
      outExtension: { '.js': '.cjs' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: SHELL_TARGET,
      external: ['electron'],
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'warning',
      define: { MASHANG_VERSION: JSON.stringify(version) },
    });
  } catch {
    // esbuild has already printed its diagnostics.
    fail('shell build failed.');
  }
  for (const input of Object.keys(result.metafile.inputs)) {
    const relative = repoRelative(root, input);
    if (relative) manifest.inputs.push(relative);
  }
  for (const output of Object.keys(result.metafile.outputs)) {
    const relative = repoRelative(root, output);
    if (relative) manifest.outputs.push(relative);
  }
  console.log(`mashang build: shell → ${SHELL_OUT_DIR}/main.cjs, preload.cjs`);
}

const manifest = {
  startedAt: Date.now(),
  inputs: [
    'package.json',
    'package-lock.json',
    'scripts/build.mjs',
    'scripts/lib/build-manifest.mjs',
  ],
  absent: [],
  outputs: [],
};
const uiOutDir = await buildUi(manifest);
if (uiOutDir) await buildVoice(manifest, uiOutDir);
await buildShell(manifest);
writeManifest(root, manifest);
