/**
 * Child processes for the recovery rig, each started by this test and stopped by its own pid —
 * never by name. Output is collected line by line so a test can wait for a line and show the
 * tail of it when something goes wrong.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../support/host-harness.ts';

export const MASHANG = path.join(REPO_ROOT, 'kiosk/cli/mashang.mjs');

/** Every child this test process started and has not seen exit: killed (by pid) if the test dies. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #output = '';
  #lines: string[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
    this.name = name;
    this.child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(this.child);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        live.delete(this.child);
        this.#wake();
        resolve({ code, signal });
      }),
    );
    let partial = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.#append(text);
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      this.#lines.push(...lines);
      this.#wake();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => this.#append(chunk.toString()));
    // A child that dies must not take the test down with EPIPE.
    this.child.stdin!.on('error', () => {});
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last part of what it wrote (stdout and stderr together), for a failure message. */
  tail(chars = 4_000): string {
    return this.#output.slice(-chars);
  }

  get output(): string {
    return this.#output;
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Waits for a stdout line matching `pattern` (counting from line `from`); returns its match. */
  async waitForLine(pattern: RegExp, options: { timeoutMs?: number; from?: number } = {}): Promise<{ match: RegExpExecArray; index: number }> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    let index = options.from ?? 0;
    for (;;) {
      for (; index < this.#lines.length; index++) {
        const match = pattern.exec(this.#lines[index]!);
        if (match) return { match, index };
      }
      if (!this.running) throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before printing ${pattern}:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no ${pattern} within ${timeoutMs} ms:\n${this.tail()}`);
      await this.#next(deadline - Date.now());
    }
  }

  get lineCount(): number {
    return this.#lines.length;
  }

  /** SIGKILL by pid: the power cut. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM and wait (SIGKILL after `graceMs`). */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  #append(text: string): void {
    this.#output = (this.#output + text).slice(-200_000);
  }

  #wake(): void {
    for (const waiter of this.#waiters) waiter();
    this.#waiters.clear();
  }

  #next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(1, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.add(done);
    });
  }
}

/** A `mashang sim-serial` simulator: control lines in, one reply line out. */
export class SerialSim {
  readonly proc: Proc;
  readonly path: string;

  private constructor(proc: Proc, devicePath: string) {
    this.proc = proc;
    this.path = devicePath;
  }

  static async start(device: 'id-reader' | 'receipt-printer', settings: Record<string, string> = {}): Promise<SerialSim> {
    const args = [MASHANG, 'sim-serial', device, ...Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
    const proc = new Proc(`sim-serial ${device}`, process.execPath, args);
    const { match } = await proc.waitForLine(new RegExp(`^${device} simulator on (\\S+)`));
    return new SerialSim(proc, match[1]!);
  }

  /** One control line; resolves with its reply (the next line it prints). */
  async control(line: string): Promise<string> {
    const from = this.proc.lineCount;
    this.proc.send(line);
    const { match } = await this.proc.waitForLine(/^(.*)$/, { from, timeoutMs: 10_000 });
    return match[1]!;
  }
}

/** The card printer with its chip link (printer-station.ts): JSON commands, JSON answers. */
export class PrinterStation {
  readonly proc: Proc;
  readonly path: string;
  #nextId = 1;

  private constructor(proc: Proc, devicePath: string) {
    this.proc = proc;
    this.path = devicePath;
  }

  static async start(options: { vpcdPort: number; moveMs: number; blanks: number }): Promise<PrinterStation> {
    const proc = new Proc('printer station', process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'printer-station.ts'), JSON.stringify(options)], {
      ...process.env,
    });
    const { match } = await proc.waitForLine(/^PRINTER_STATION_READY (.*)$/);
    return new PrinterStation(proc, (JSON.parse(match[1]!) as { path: string }).path);
  }

  async command<T = Record<string, unknown>>(cmd: string, extra: object = {}): Promise<T> {
    const id = this.#nextId++;
    const from = this.proc.lineCount;
    this.proc.send(JSON.stringify({ id, cmd, ...extra }));
    const { match } = await this.proc.waitForLine(new RegExp(`^\\{"id":${id},`), { from, timeoutMs: 10_000 });
    const answer = JSON.parse(match[0].length ? this.#lineOf(match) : '{}') as { ok: boolean; error?: string } & T;
    if (!answer.ok) throw new Error(`printer station ${cmd}: ${answer.error}`);
    return answer;
  }

  #lineOf(match: RegExpExecArray): string {
    return match.input;
  }

  async state(): Promise<StationState> {
    return this.command<StationState>('state');
  }
}

export interface StationState {
  state: {
    blanks: number;
    position: 'none' | 'contactStation' | 'printHead' | 'exit' | 'jammed';
    printed: number;
    fed: number;
    rejected: number;
    rejectBox: number;
    removedByHand: number;
    latchedError: string | null;
  };
  arrivals: { contactStation: number; exit: number; rejectBox: number };
  chipInserted: boolean;
  chipsInserted: number;
  chipErrors: string[];
  recent: string[];
}
