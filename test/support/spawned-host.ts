/**
 * Starts the kiosk as a separate process exactly as an operator does (`mashang host`, which
 * `mashang start` runs in-process when Electron is absent), on a temporary data directory and a
 * free port, and connects to its bridge like the UI does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import {
  BRIDGE_SUBPROTOCOL,
  ServerMessage,
  TOKEN_SUBPROTOCOL_PREFIX,
  type ClientMessage,
  type ScreenId,
  type ViewModel,
} from '../../kiosk/bridge/protocol.ts';
import { REPO_ROOT } from './host-harness.ts';

export interface SpawnedHost {
  child: ChildProcess;
  origin: string;
  token: string;
  dataDir: string;
  /** The Node inspector's WebSocket URL when started with `inspect: true`. */
  inspectorUrl: string | null;
  output: () => string;
  stop: () => Promise<void>;
}

export async function spawnHost(
  options: { inspect?: boolean; configure?: (config: Record<string, any>) => void; args?: string[] } = {},
): Promise<SpawnedHost> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mashang-host-'));
  const config = JSON.parse(readFileSync(path.join(REPO_ROOT, 'kiosk.config.json'), 'utf8'));
  config.dataDir = path.join(dir, 'data');
  config.http.port = 0;
  options.configure?.(config);
  const configFile = path.join(dir, 'kiosk.config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const token = randomBytes(32).toString('hex');
  const child = spawn(
    process.execPath,
    [
      ...(options.inspect ? ['--inspect=127.0.0.1:0'] : []),
      path.join(REPO_ROOT, 'kiosk/cli/mashang.mjs'),
      'host',
      '--config',
      configFile,
      ...(options.args ?? []),
    ],
    { env: { ...process.env, MASHANG_BRIDGE_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const ready = await new Promise<{ url: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host not ready in time:\n${output}`)), 60_000);
    const check = () => {
      const line = /MASHANG_READY (\{.*\})/.exec(output);
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line[1]!));
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code}:\n${output}`));
    });
  });
  const inspectorUrl = options.inspect ? (/Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1] ?? null) : null;
  return {
    child,
    origin: ready.url.replace(/\/$/, ''),
    token,
    dataDir: config.dataDir,
    inspectorUrl,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A bridge client as the UI is one: sends events, waits for screens. */
export async function connectBridge(host: SpawnedHost) {
  const socket = new WebSocket(`${host.origin.replace('http', 'ws')}/bridge`, [
    BRIDGE_SUBPROTOCOL,
    `${TOKEN_SUBPROTOCOL_PREFIX}${host.token}`,
  ]);
  let latest: ViewModel | null = null;
  socket.on('message', (data) => {
    const message = ServerMessage.parse(JSON.parse(data.toString()));
    if (message.type === 'view') latest = message.view;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    send: (message: ClientMessage) => socket.send(JSON.stringify(message)),
    view: () => latest,
    waitForScreen: async (screen: ScreenId, timeoutMs = 20_000) => {
      const until = Date.now() + timeoutMs;
      while ((latest as ViewModel | null)?.screen !== screen) {
        if (Date.now() > until) throw new Error(`expected "${screen}", on "${(latest as ViewModel | null)?.screen}"`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return latest as unknown as ViewModel;
    },
    close: () => socket.close(),
  };
}
