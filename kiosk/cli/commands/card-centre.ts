/**
 * `mashang card-centre`: the embedded card centre as a process of its own, on 127.0.0.1, so a
 * test (or a developer) can kill and restart a kiosk while the centre — and its records — live on.
 * Point a kiosk at it with `"cardCentre": {"endpoint": "http://127.0.0.1:8090"}`.
 */
import { writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATION_IDS, type OperationId } from '../../card-centre/api.ts';
import { EmbeddedCardCentre } from '../../card-centre/embedded.ts';
import { openApiYaml } from '../../card-centre/openapi.ts';
import { isEmbedded } from '../../card-centre/connection.ts';
import { CardCentreServer } from '../../card-centre/server.ts';
import { CARD_CENTRE_DB_FILE } from '../../card-centre/store.ts';
import { loadConfig } from '../../config/load.ts';
import { loadSecrets } from '../../config/secrets.ts';
import { createLogger } from '../../log/logger.ts';
import { UsageError, type Command } from '../command.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DEFAULT_PORT = 8090;

function wholeNumber(name: string, value: unknown, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new UsageError(
      `--${name} must be a whole number from 0 to ${max}, got "${String(value)}"`,
    );
  return n;
}

function operations(value: unknown): OperationId[] {
  if (value === undefined) return [];
  const names = String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.includes('all')) return [...OPERATION_IDS];
  for (const name of names) {
    if (!OPERATION_IDS.includes(name as OperationId))
      throw new UsageError(`unknown operation "${name}"; known: all, ${OPERATION_IDS.join(', ')}`);
  }
  return names as OperationId[];
}

export const cardCentreCommand: Command = {
  summary:
    'run the embedded card centre alone on 127.0.0.1 (HTTP), with its own records; prints MASHANG_CARD_CENTRE_READY',
  usage:
    'mashang card-centre [--data DIR] [--port N] [--kiosk-config FILE]... [--slow-ms N] [--drop-after-commit OPS] [--paying-ms N] [--reset]\n' +
    '       mashang card-centre --openapi FILE',
  options: {
    data: {
      type: 'string',
      short: 'd',
      description:
        "its data directory (default: card-centre-data beside the first kiosk configuration); never a kiosk's data directory",
    },
    port: {
      type: 'string',
      short: 'p',
      description: `port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 = any free port)`,
    },
    'kiosk-config': {
      type: 'string',
      multiple: true,
      description:
        'trust the kiosk of this configuration (its id, and the card-centre key from its secrets file); repeatable (default: kiosk.config.json)',
    },
    'slow-ms': {
      type: 'string',
      description: 'answer every request this many milliseconds after committing it',
    },
    'drop-after-commit': {
      type: 'string',
      description: `commit, then drop the connection without answering, on the first attempt of each request to these operations (comma-separated, or "all"): ${OPERATION_IDS.join(', ')}`,
    },
    'paying-ms': {
      type: 'string',
      description: 'how long a payment with a confirm-on-phone code stays "paying" (default 8000)',
    },
    reset: {
      type: 'boolean',
      description: 'delete its records first: the seeded residents start afresh',
    },
    openapi: {
      type: 'string',
      description: 'write the OpenAPI document of the card-centre API to FILE and exit',
    },
  },
  async run(values) {
    if (values.openapi !== undefined) {
      await writeFile(values.openapi as string, openApiYaml());
      console.log(`${values.openapi as string}: written`);
      return 0;
    }
    const configs = (values['kiosk-config'] as string[] | undefined) ?? [
      path.join(REPO_ROOT, 'kiosk.config.json'),
    ];
    const kiosks = new Map<string, Uint8Array>();
    let defaultData: string | null = null;
    for (const file of configs) {
      const loaded = await loadConfig(file);
      const secrets = loadSecrets(loaded.secretsFile, { mode: loaded.config.mode });
      kiosks.set(loaded.config.kiosk.id, new Uint8Array(Buffer.from(secrets.cardCentreKey, 'hex')));
      const cc = loaded.config.cardCentre;
      defaultData ??= path.resolve(
        path.dirname(loaded.file),
        isEmbedded(cc) ? cc.dataDir : './card-centre-data',
      );
    }
    const dataDir = values.data !== undefined ? path.resolve(values.data as string) : defaultData!;
    const port = wholeNumber('port', values.port, 65535) ?? DEFAULT_PORT;
    const slowMs = wholeNumber('slow-ms', values['slow-ms'], 600_000) ?? 0;
    const payingMs = wholeNumber('paying-ms', values['paying-ms'], 3_600_000);
    const drop = operations(values['drop-after-commit']);
    if (values.reset) {
      for (const suffix of ['', '-wal', '-shm'])
        rmSync(path.join(dataDir, CARD_CENTRE_DB_FILE + suffix), { force: true });
    }

    const logger = createLogger({ dataDir: null });
    const centre = new EmbeddedCardCentre({
      dataDir,
      ...(payingMs !== undefined ? { userPayingMs: payingMs } : {}),
    });
    const server = new CardCentreServer({ centre, kiosks, logger });
    server.faults.slowMs = slowMs;
    for (const operation of drop) server.faults.dropAfterCommit.set(operation, 'first');
    let url: string;
    try {
      url = await server.listen(port);
    } catch (error) {
      centre.close();
      throw new UsageError(
        `cannot listen on 127.0.0.1:${port} (${(error as NodeJS.ErrnoException).code ?? String(error)}); pass --port`,
      );
    }
    process.stdout.write(
      `MASHANG_CARD_CENTRE_READY ${JSON.stringify({ url, dataDir, kiosks: [...kiosks.keys()] })}\n`,
    );
    console.log(
      [
        `Embedded card centre on ${url} (records in ${dataDir}), trusting kiosk${kiosks.size > 1 ? 's' : ''} ${[...kiosks.keys()].join(', ')}.`,
        `API document: ${url}/openapi.yaml`,
        'Press Ctrl+C to stop.',
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await server.close();
    centre.close();
    logger.flush();
    return 0;
  },
};
