/**
 * A private pcscd for the real-stack tests and the benchmark: the real daemon with the real vpcd
 * driver, on its own control socket and its own two vpcd ports, so test files run side by side and
 * never touch a system pcscd. Started with our LD_PRELOAD shim (shim/pcscd-shim.c: TCP_NODELAY and
 * the private socket), stopped with SIGTERM (PROTOCOLS.md §5).
 *
 * The PC/SC client library reads PCSCLITE_CSOCK_NAME once per process, so the socket path is fixed
 * per process (`/tmp/mashang-pcsc-<pid>/pcscd.comm`) and set when this module is imported: import it
 * before anything opens a PC/SC context.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PCSC_INSTALL_HINT =
  'sudo apt-get install pcscd vsmartcard-vpcd libpcsclite-dev pcsc-tools';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SHIM_SOURCE = path.join(HERE, 'shim/pcscd-shim.c');
const VPCD_DEFAULT_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
const SYSTEM_VPCD_CONF = '/etc/reader.conf.d/vpcd';

/** How long pcscd may take to say "daemon ready"; it takes ~20 ms here. */
const START_TIMEOUT_MS = 10_000;
/** SIGTERM normally ends pcscd within a second (PROTOCOLS.md §5); after this, SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;

const SOCKET_DIR = path.join(os.tmpdir(), `mashang-pcsc-${process.pid}`);
export const PCSC_SOCKET = path.join(SOCKET_DIR, 'pcscd.comm');
process.env.PCSCLITE_CSOCK_NAME = PCSC_SOCKET;

/** The readers a vpcd configuration entry makes: one per slot, on `port` and `port + 1`. */
export const VPCD_READERS = ['Virtual PCD 00 00', 'Virtual PCD 00 01'] as const;

function findPcscd(): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin']) {
    if (dir && existsSync(path.join(dir, 'pcscd'))) return path.join(dir, 'pcscd');
  }
  return null;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir && existsSync(path.join(dir, command)));
}

export function vpcdDriver(): string {
  try {
    const line = readFileSync(SYSTEM_VPCD_CONF, 'utf8').match(/^\s*LIBPATH\s+(\S+)/m);
    if (line?.[1] && existsSync(line[1])) return line[1];
  } catch {
    // No system entry: the package's default path.
  }
  return VPCD_DEFAULT_DRIVER;
}

/** What is missing for the real-stack tests; empty when all is there. */
export function pcscStackProblems(): string[] {
  const problems: string[] = [];
  if (!findPcscd()) problems.push('pcscd');
  if (!existsSync(vpcdDriver())) problems.push('vsmartcard-vpcd (libifdvpcd.so)');
  if (!existsSync('/usr/include/PCSC/winscard.h')) problems.push('libpcsclite-dev');
  try {
    createRequire(import.meta.url)('pcsclite');
  } catch (error) {
    problems.push(`the pcsclite binding (${(error as Error).message.split('\n')[0]})`);
  }
  if (!onPath('cc')) problems.push('a C compiler (cc)');
  if (!onPath('scriptor')) problems.push('pcsc-tools (scriptor)');
  return problems;
}

/** Compiles the shim once per source version (cached in the temp directory). */
export function buildShim(): string {
  const source = readFileSync(SHIM_SOURCE);
  const digest = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const out = path.join(os.tmpdir(), `mashang-pcscd-shim-${digest}.so`);
  if (existsSync(out)) return out;
  const partial = `${out}.${process.pid}.tmp`;
  const result = spawnSync(
    'cc',
    ['-shared', '-fPIC', '-O2', '-Wall', '-o', partial, SHIM_SOURCE, '-ldl'],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`cannot build the pcscd shim:\n${result.stderr}`);
  renameSync(partial, out);
  return out;
}

/** Two consecutive free TCP ports (vpcd listens on `base` and `base + 1`, on all interfaces). */
async function freePortPair(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 2 * Math.floor(Math.random() * 15_000);
    if ((await free(base)) && (await free(base + 1))) return base;
  }
  throw new Error('no two consecutive free TCP ports for vpcd');
}

/** The pcscds this process started and has not disposed of. */
const live = new Set<Pcscd>();

export class Pcscd {
  readonly port: number;
  readonly readers = VPCD_READERS;
  readonly #configDir: string;
  readonly #shim: string;
  #child: ChildProcess | null = null;
  #output = '';

  private constructor(port: number, shim: string) {
    this.port = port;
    this.#shim = shim;
    this.#configDir = path.join(SOCKET_DIR, `conf-${port}`);
  }

  /** A pcscd with two vpcd readers on fresh ports, running. */
  static async start(): Promise<Pcscd> {
    mkdirSync(SOCKET_DIR, { recursive: true });
    const pcscd = new Pcscd(await freePortPair(), buildShim());
    live.add(pcscd);
    mkdirSync(pcscd.#configDir, { recursive: true });
    // reader.conf format (pcscd(8)); DEVICENAME `/dev/null:<port>` makes vpcd listen on <port>.
    writeFileSync(
      path.join(pcscd.#configDir, 'vpcd'),
      `FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:${pcscd.port}\nLIBPATH      ${vpcdDriver()}\nCHANNELID    ${pcscd.port}\n`,
    );
    await pcscd.start();
    return pcscd;
  }

  /** Environment for another PC/SC client (scriptor, the C benchmark loop) to reach this pcscd. */
  get clientEnv(): NodeJS.ProcessEnv {
    return { ...process.env, PCSCLITE_CSOCK_NAME: PCSC_SOCKET };
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** pcscd's own output (info level), for a failing test's message. */
  get output(): string {
    return this.#output.slice(-4_000);
  }

  async start(): Promise<void> {
    if (this.#child) return;
    const binary = findPcscd();
    if (!binary) throw new Error(`pcscd not found: ${PCSC_INSTALL_HINT}`);
    const child = spawn(binary, ['--foreground', '--info', '--config', this.#configDir], {
      env: { ...process.env, LD_PRELOAD: this.#shim, MASHANG_PCSCD_SOCKET: PCSC_SOCKET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#output = '';
    killOnExit.add(child);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`pcscd did not start:\n${this.output}`)),
        START_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        this.#output = (this.#output + chunk.toString()).slice(-64_000);
        if (/daemon ready/.test(this.#output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`pcscd exited (${code ?? signal}):\n${this.output}`));
      });
    });
    child.once('exit', () => {
      killOnExit.delete(child);
      if (this.#child === child) this.#child = null;
    });
    await ready;
  }

  /** SIGTERM, as an operator or systemd would stop it. */
  async stop(): Promise<void> {
    await this.#end('SIGTERM');
  }

  /** SIGKILL: pcscd dies without cleaning up. */
  async kill(): Promise<void> {
    await this.#end('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops pcscd and removes its configuration (and the socket directory, once the last is gone). */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.#configDir, { recursive: true, force: true });
    live.delete(this);
    if (live.size === 0) rmSync(SOCKET_DIR, { recursive: true, force: true });
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}

/** A test that dies must not leave pcscd running. */
const killOnExit = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of killOnExit) child.kill('SIGKILL');
  rmSync(SOCKET_DIR, { recursive: true, force: true });
});

/** Runs scriptor (pcsc-tools) on `reader` with `apdus`, returning each response's bytes as hex. */
export async function scriptor(
  pcscd: Pcscd,
  reader: string,
  apdus: readonly string[],
): Promise<string[]> {
  // Asynchronously: the virtual card answering it runs on this process's event loop.
  const child = spawn('scriptor', ['-r', reader], { env: pcscd.clientEnv });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin!.end(apdus.map((a) => `${a}\n`).join(''));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`scriptor failed (${code}):\n${output}`);
  // "< 01 10 33 … (wrapped every 16 bytes) 90 00 : Normal processing."
  return [...output.matchAll(/^< ([0-9A-F \n]+?) :/gm)].map((m) => m[1]!.replace(/\s+/g, ''));
}
