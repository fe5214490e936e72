#!/usr/bin/env node
/**
 * First-run (and every-run) set-up, so that `npm start` and `npm test` work on a fresh clone:
 *
 *   1. Debian packages the native modules and the tests need (apt-get; sudo -n if not root);
 *   2. npm packages (`npm ci`) when node_modules is missing or does not match package-lock.json,
 *      then the Electron binary if it can be fetched (it cannot offline: the kiosk then serves its
 *      UI on 127.0.0.1 for any Chromium);
 *   3. the build (scripts/build.mjs) when any of its inputs changed.
 *
 * Usage: node scripts/setup.mjs start|test      (run by npm as prestart / pretest)
 *        node scripts/setup.mjs electron        (retry fetching the Electron binary)
 * Environment: MASHANG_SKIP_APT=1 (do not check or install system packages: not Debian, or you
 * manage them yourself), MASHANG_SETUP_VERBOSE=1 (show apt/npm output; on by default in CI).
 *
 * Plain Node with no dependencies: it runs before node_modules exists. Quick when there is
 * nothing to do (one dpkg-query, one hash, a few stat calls).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleReason } from './lib/build-manifest.mjs';

/** Needed to build and run the kiosk: pcsclite compiles against libpcsclite; node-hid loads
 *  libusb and libudev; better-sqlite3 and pcsclite compile with node-gyp (python3, make, g++);
 *  espeak-ng and sox make the voice prompts at build time — a kiosk for residents who read
 *  poorly must not start silent. */
const START_PACKAGES = [
  'libpcsclite-dev',
  'libusb-1.0-0',
  'libudev1',
  'python3',
  'make',
  'g++',
  'fonts-noto-cjk',
  'espeak-ng',
  'sox',
];

/** Needed by the tests on top of those: Chromium for end-to-end tests (works headless without its
 *  Recommends, checked on a minimal Debian 12), CJK fonts, pcscd with the virtual reader driver
 *  (test machines only: vpcd listens on all interfaces), socat for serial pseudo-terminals, udev
 *  for SerialPort.list(), poppler-utils for PDF checks. */
const TEST_PACKAGES = [
  ...START_PACKAGES,
  'chromium',
  'fonts-noto-cjk',
  'pcscd',
  'vsmartcard-vpcd',
  'pcsc-tools',
  'socat',
  'udev',
  'poppler-utils',
];

const ELECTRON_TIMEOUT_MS = 120_000;
const ELECTRON_UNAVAILABLE =
  'Electron binary not available (offline?) — the kiosk will serve its UI on 127.0.0.1 instead.';
const STAMP = 'node_modules/.mashang-setup-stamp';
/** Set for our children (npm ci and its lifecycle scripts): a nested setup has nothing to do. */
const RUNNING_FLAG = 'MASHANG_SETUP_RUNNING';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const verbose = Boolean(process.env.MASHANG_SETUP_VERBOSE || process.env.CI);
const startedAt = Date.now();
let didWork = false;

class SetupError extends Error {}

function say(message) {
  console.log(`mashang setup: ${message}`);
}

/** Runs a command to completion. Output is shown in verbose mode, else kept in a log file whose
 *  tail is printed if the command fails. Returns true on success. */
function run(command, args, { env = process.env, label, timeout } = {}) {
  const result = spawnSync(command, args, {
    cwd: root,
    env,
    timeout,
    killSignal: 'SIGKILL',
    stdio: verbose ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error?.code === 'ENOENT') throw new SetupError(`${command} not found`);
  if (result.status === 0) return true;
  if (!verbose) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    const tail = output.trimEnd().split('\n').slice(-25).join('\n');
    if (tail) console.error(tail.replace(/^/gm, '  | '));
    const logFile = path.join(os.tmpdir(), `mashang-setup-${label}-${process.pid}.log`);
    try {
      writeFileSync(logFile, output);
      console.error(`mashang setup: full output of ${label}: ${logFile}`);
    } catch {
      // The tail above is what matters.
    }
  }
  if (result.error?.code === 'ETIMEDOUT') console.error(`mashang setup: ${label} timed out.`);
  return false;
}

function onPath(command) {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir && existsSync(path.join(dir, command)));
}

// ---- 0. Node itself -------------------------------------------------------------------------

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if ((major === 20 && minor >= 19) || major >= 22) return;
  throw new SetupError(`Node.js 20.19+ or 22+ is required; this is ${process.version}.`);
}

// ---- 1. Debian packages ---------------------------------------------------------------------

function missingDebianPackages(packages) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...packages], {
    encoding: 'utf8',
  });
  const installed = new Set();
  for (const line of (result.stdout ?? '').split('\n')) {
    const [name, , , state] = line.split(' ');
    if (name && state === 'installed') installed.add(name);
  }
  return packages.filter((name) => !installed.has(name));
}

/** Whether apt's package lists know every package (a fresh image has no lists at all). */
function aptKnows(packages) {
  const result = spawnSync('apt-cache', ['show', '--no-all-versions', ...packages], {
    stdio: 'ignore',
  });
  return result.status === 0;
}

function canSudo() {
  if (!onPath('sudo')) return false;
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
}

function ensureDebianPackages(mode) {
  const wanted = mode === 'test' ? TEST_PACKAGES : START_PACKAGES;
  const skip = process.env.MASHANG_SKIP_APT === '1';
  if (!onPath('dpkg-query') || !onPath('apt-get')) {
    const list = wanted.join(' ');
    if (skip) {
      say(`no apt here; make sure the equivalents of these Debian packages are installed: ${list}`);
      return;
    }
    throw new SetupError(
      `this system has no apt/dpkg. Install the equivalents of these Debian packages:\n  ${list}\n` +
        'then run again with MASHANG_SKIP_APT=1.',
    );
  }
  const missing = missingDebianPackages(wanted);
  if (missing.length === 0) return;
  if (skip) {
    say(`MASHANG_SKIP_APT=1: not installing missing Debian packages: ${missing.join(' ')}`);
    return;
  }

  const needsUpdate = !aptKnows(missing);
  const installArgs = [
    'install',
    '-y',
    '--no-install-recommends',
    '-o',
    'DPkg::Lock::Timeout=300',
    ...missing,
  ];
  const isRoot = process.getuid?.() === 0;
  if (!isRoot && !canSudo()) {
    const update = needsUpdate ? 'sudo apt-get update && ' : '';
    throw new SetupError(
      `missing Debian packages: ${missing.join(' ')}\nInstall them with:\n\n` +
        `  ${update}sudo apt-get install -y --no-install-recommends ${missing.join(' ')}\n\n` +
        `then run npm ${mode} again.`,
    );
  }
  const prefix = isRoot ? [] : ['sudo', '-n'];
  const apt = (args, label) => {
    const [command, ...rest] = [
      ...prefix,
      'env',
      'DEBIAN_FRONTEND=noninteractive',
      'apt-get',
      ...args,
    ];
    return run(command, rest, { label });
  };

  didWork = true;
  if (missing.includes('vsmartcard-vpcd')) {
    say('note: vsmartcard-vpcd is for test machines only; never install it on a real kiosk.');
  }
  let updated = false;
  if (needsUpdate) {
    say('updating apt package lists…');
    if (!apt(['update', '-q'], 'apt-update')) throw new SetupError('apt-get update failed.');
    updated = true;
  }
  say(`installing Debian packages: ${missing.join(' ')}…`);
  if (apt([...installArgs, '-q'], 'apt-install')) return;
  if (!updated) {
    // Stale package lists name versions the mirror no longer has: refresh once and retry.
    say('install failed; updating package lists and retrying…');
    if (apt(['update', '-q'], 'apt-update') && apt([...installArgs, '-q'], 'apt-install')) return;
  }
  throw new SetupError(`could not install: ${missing.join(' ')} (see above).`);
}

// ---- 2. npm packages ------------------------------------------------------------------------

function readJson(file) {
  try {
    return JSON.parse(readFileSync(path.join(root, file), 'utf8'));
  } catch {
    return null;
  }
}

/** What node_modules was installed for: the lockfile, and the Node ABI native addons target. */
function currentStamp() {
  const lock = readFileSync(path.join(root, 'package-lock.json'));
  return {
    lockfile: createHash('sha256').update(lock).digest('hex'),
    nodeAbi: process.versions.modules,
    platform: `${process.platform}-${process.arch}`,
  };
}

function sameStamp(a, b) {
  return a?.lockfile === b.lockfile && a?.nodeAbi === b.nodeAbi && a?.platform === b.platform;
}

/** An install made without this script (plain `npm ci`) matches when npm's own record of what
 *  it installed (node_modules/.package-lock.json) agrees with the lockfile, package by package. */
function installMatchesLockfile() {
  const lock = readJson('package-lock.json');
  const installed = readJson('node_modules/.package-lock.json');
  if (!lock?.packages || !installed?.packages) return false;
  for (const [name, entry] of Object.entries(lock.packages)) {
    if (name === '') continue;
    const have = installed.packages[name];
    if (!have) {
      if (entry.optional) continue; // another platform's binary package
      return false;
    }
    if (have.version !== entry.version) return false;
  }
  return Object.keys(installed.packages).every((name) => name in lock.packages);
}

/** How to call npm: the one running us when npm started us, else the one on PATH. */
function npmCommand() {
  const cli = process.env.npm_execpath;
  if (cli && /npm-cli\.c?js$/.test(cli) && existsSync(cli)) return [process.execPath, [cli]];
  return ['npm', []];
}

/** node-gyp downloads Node's headers unless told where they are; offline that fails. Use the
 *  headers installed with this Node (Debian/NodeSource packages and nvm ship them). */
function localNodeHeaders() {
  if (process.env.npm_config_nodedir) return null;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : null;
}

function fetchElectronBinary() {
  const installer = path.join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) {
    say('electron is not installed; the kiosk will serve its UI on 127.0.0.1.');
    return;
  }
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  say('fetching the Electron binary…');
  const result = spawnSync(process.execPath, [installer], {
    cwd: root,
    env,
    stdio: 'ignore',
    timeout: ELECTRON_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  say(result.status === 0 ? 'Electron binary installed.' : ELECTRON_UNAVAILABLE);
}

function ensureNodeModules() {
  const stamp = currentStamp();
  const stampFile = path.join(root, STAMP);
  const previous = readJson(STAMP);
  if (sameStamp(previous, stamp)) return;

  let reason;
  if (!existsSync(path.join(root, 'node_modules'))) reason = 'node_modules is missing';
  else if (previous && previous.nodeAbi !== stamp.nodeAbi) reason = 'Node.js version changed';
  else if (installMatchesLockfile()) {
    // Brought up to date by hand (`npm ci`, `npm install x`): adopt it rather than reinstall.
    writeFileSync(stampFile, JSON.stringify(stamp) + '\n');
    return;
  } else reason = 'package-lock.json changed';

  didWork = true;
  say(`installing npm packages (${reason})…`);
  const [npm, npmArgs] = npmCommand();
  const userSkipsElectron = Boolean(process.env.ELECTRON_SKIP_BINARY_DOWNLOAD);
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', [RUNNING_FLAG]: '1' };
  const headers = localNodeHeaders();
  if (headers) env.npm_config_nodedir = headers;
  if (!run(npm, [...npmArgs, 'ci', '--no-audit', '--no-fund'], { env, label: 'npm-ci' })) {
    throw new SetupError('npm ci failed (see above).');
  }
  if (userSkipsElectron) say(ELECTRON_UNAVAILABLE.replace('(offline?)', '(skipped)'));
  else fetchElectronBinary();
  writeFileSync(stampFile, JSON.stringify(stamp) + '\n');
}

// ---- 3. Build -------------------------------------------------------------------------------

function ensureBuild() {
  const reason = staleReason(root);
  if (reason === null) return;
  didWork = true;
  say(`building (${reason})…`);
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new SetupError('build failed (see above).');
}

// ---- main -----------------------------------------------------------------------------------

function main() {
  const mode = process.argv[2] ?? 'start';
  if (process.env[RUNNING_FLAG]) return;
  if (mode === 'electron') {
    fetchElectronBinary();
    return;
  }
  if (mode !== 'start' && mode !== 'test') {
    throw new SetupError(`unknown mode "${mode}" (expected start, test or electron).`);
  }
  checkNode();
  ensureDebianPackages(mode);
  ensureNodeModules();
  ensureBuild();
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  say(didWork ? `ready (${seconds} s).` : 'up to date.');
}

try {
  main();
} catch (error) {
  if (error instanceof SetupError) {
    console.error(`mashang setup: ${error.message}`);
  } else {
    console.error(`mashang setup: unexpected error: ${error?.message ?? error}`);
  }
  process.exitCode = 1;
}
