/**
 * `mashang`: the kiosk's command line. Every subcommand answers `--help`. Errors a person can fix
 * (a bad config, a busy port) are one clear message and a non-zero exit, never a stack trace.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.ts';
import { kioskConfigJsonSchema } from '../config/schema.ts';
import { loadSecrets } from '../config/secrets.ts';
import { Host, HostStartError } from '../host/host.ts';
import { createLogger } from '../log/logger.ts';
import { UsageError, type Command } from './command.ts';
import { extraCommands } from './commands/index.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_CONFIG = path.join(REPO_ROOT, 'kiosk.config.json');

const configOption = { type: 'string' as const, short: 'c', description: `the kiosk configuration (default: ${path.relative(process.cwd(), DEFAULT_CONFIG) || 'kiosk.config.json'})` };

const COMMANDS: Record<string, Command> = {
  start: {
    summary: 'start the kiosk: the Electron kiosk window when Electron is installed, else the UI on 127.0.0.1',
    usage: 'mashang start [--config FILE] [--port N] [--headless]',
    options: {
      config: configOption,
      port: { type: 'string', short: 'p', description: 'HTTP port on 127.0.0.1 (overrides http.port; 0 = any free port)' },
      headless: { type: 'boolean', description: 'do not open the Electron window even if Electron is installed' },
    },
    async run(values) {
      const electron = values.headless ? null : electronBinary();
      if (electron) return runShell(electron, values.config as string | undefined);
      return runHost(values, { announce: 'human' });
    },
  },
  host: {
    summary: 'run the host alone (the Electron shell starts it this way); prints MASHANG_READY when ready',
    usage: 'mashang host [--config FILE] [--port N]',
    options: {
      config: configOption,
      port: { type: 'string', short: 'p', description: 'HTTP port on 127.0.0.1 (overrides http.port)' },
    },
    run: (values) => runHost(values, { announce: 'machine' }),
  },
  'config-check': {
    summary: 'validate a kiosk configuration and print what is wrong with it',
    usage: 'mashang config-check [--config FILE]',
    options: { config: configOption },
    async run(values) {
      const file = (values.config as string | undefined) ?? DEFAULT_CONFIG;
      await loadConfig(file);
      console.log(`${file}: valid`);
      return 0;
    },
  },
  'config-schema': {
    summary: 'write the JSON Schema of kiosk.config.json (for editors)',
    usage: 'mashang config-schema [--out FILE]',
    options: { out: { type: 'string', short: 'o', description: 'write to FILE instead of standard output' } },
    async run(values) {
      const text = `${JSON.stringify(kioskConfigJsonSchema(), null, 2)}\n`;
      if (values.out) await writeFile(values.out as string, text);
      else process.stdout.write(text);
      return 0;
    },
  },
  ...extraCommands,
};

function generalHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'mashang — self-service kiosk for social-security card reissue (社会保障卡自助补办)',
    '',
    'Usage: mashang <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `mashang <command> --help` for a command\'s options.',
  ].join('\n');
}

function commandHelp(name: string, command: Command): string {
  return [
    `mashang ${name} — ${command.summary}`,
    '',
    `Usage: ${command.usage}`,
    '',
    'Options:',
    ...Object.entries(command.options).map(([option, o]) => `  ${o.short ? `-${o.short}, ` : '    '}--${option}${o.type === 'string' ? ' VALUE' : ''}\n        ${o.description}`),
    '  -h, --help\n        show this help',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(generalHelp());
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`mashang: unknown command "${name}"\n\n${generalHelp()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: command.positionals ?? false, strict: true });
  } catch (error) {
    console.error(`mashang ${name}: ${(error as Error).message}\n\n${commandHelp(name, command)}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(commandHelp(name, command));
    return 0;
  }
  try {
    return await command.run(parsed.values, parsed.positionals);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`mashang: the configuration is not valid:\n${error.message}`);
      return 78; // EX_CONFIG
    }
    if (error instanceof UsageError) {
      console.error(`mashang ${name}: ${error.message}`);
      return 2;
    }
    if (error instanceof HostStartError) {
      console.error(`mashang: cannot start: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

function parsePort(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HostStartError(`--port must be a whole number from 0 to 65535, got "${String(value)}"`);
  return port;
}

async function runHost(values: Record<string, unknown>, how: { announce: 'human' | 'machine' }): Promise<number> {
  const loaded = await loadConfig((values.config as string | undefined) ?? DEFAULT_CONFIG);
  const logger = createLogger({ dataDir: loaded.dataDir });
  const secrets = loadSecrets(loaded.secretsFile, { mode: loaded.config.mode });
  const host = new Host({
    config: loaded.config,
    dataDir: loaded.dataDir,
    secrets: { journalKey: secrets.journalKey },
    configDir: path.dirname(loaded.file),
    logger,
    token: process.env.MASHANG_BRIDGE_TOKEN || undefined,
    port: parsePort(values.port),
  });
  await host.start();
  if (how.announce === 'machine') {
    process.stdout.write(`MASHANG_READY ${JSON.stringify({ url: `${host.origin}/` })}\n`);
  } else {
    console.log(
      [
        `Mashang kiosk "${loaded.config.kiosk.id}" (${loaded.config.kiosk.siteName}) is running.`,
        'Electron is not installed here, so the kiosk UI is served on 127.0.0.1. Open this address in Chromium:',
        '',
        `  ${host.uiUrl}`,
        '',
        `Health: ${host.origin}/healthz   Metrics: ${host.origin}/metrics   Logs: ${path.join(loaded.dataDir, 'logs')}`,
        'Press Ctrl+C to stop.',
      ].join('\n'),
    );
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ event: 'host.stopping', signal }, 'host stopping');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await host.stop();
  logger.flush();
  return 0;
}

/** The Electron binary's path when Electron is installed with its binary and a display exists. */
function electronBinary(): string | null {
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return null;
  try {
    const binary = createRequire(import.meta.url)('electron') as unknown;
    if (typeof binary === 'string' && existsSync(binary) && existsSync(path.join(REPO_ROOT, 'dist/shell/main.cjs'))) return binary;
  } catch {
    // electron's index.js throws when its binary was never downloaded.
  }
  return null;
}

function runShell(electron: string, config: string | undefined): Promise<number> {
  const child = spawn(electron, [path.join(REPO_ROOT, 'dist/shell/main.cjs')], {
    stdio: 'inherit',
    // The shell runs the host with this same Node (native addons are built for its ABI).
    env: { ...process.env, MASHANG_NODE: process.execPath, ...(config ? { MASHANG_CONFIG: path.resolve(config) } : {}) },
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}
