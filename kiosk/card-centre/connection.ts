/**
 * How the host reaches its card centre, from the configuration:
 * - a URL: the HTTP client, signing with this kiosk's key from the secrets file;
 * - `embedded`: the embedded card centre started in this process on 127.0.0.1, with its own
 *   records in its own data directory, and the very same HTTP client talking to it — so the
 *   embedded default exercises the real wire, signatures and schemas.
 */
import path from 'node:path';
import { ConfigError } from '../config/load.ts';
import type { KioskConfig } from '../config/schema.ts';
import { loadSecrets } from '../config/secrets.ts';
import type { CardCentre } from './card-centre.ts';
import { EmbeddedCardCentre } from './embedded.ts';
import { HttpCardCentre } from './http-client.ts';
import { CardCentreServer, type CentreLogger } from './server.ts';

export interface CardCentreLink {
  readonly centre: CardCentre;
  /** The embedded centre's base URL once started; null for a remote centre or before start. */
  readonly embeddedUrl: string | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Problems are ConfigErrors naming the field, like every other configuration problem. */
const CONFIG_LABEL = 'kiosk configuration';

export function cardCentreLink(
  config: KioskConfig,
  options: { configDir: string; logger?: CentreLogger },
): CardCentreLink {
  const secrets = loadKioskSecrets(
    path.resolve(options.configDir, config.secretsFile),
    config.mode,
  );
  const key = new Uint8Array(Buffer.from(secrets.cardCentreKey, 'hex'));
  const settings = config.cardCentre;

  if (!isEmbedded(settings)) {
    const client = new HttpCardCentre({
      baseUrl: settings.endpoint,
      kioskId: config.kiosk.id,
      key,
      timeoutMs: settings.timeoutMs,
      attempts: settings.retries + 1,
    });
    return {
      centre: client,
      embeddedUrl: null,
      start: async () => {},
      stop: async () => client.close(),
    };
  }

  const dataDir = path.resolve(options.configDir, settings.dataDir);
  const kioskDataDir = path.resolve(options.configDir, config.dataDir);
  const relative = path.relative(kioskDataDir, dataDir);
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
    throw new ConfigError(CONFIG_LABEL, [
      {
        path: 'cardCentre.dataDir',
        message: `expected a folder outside dataDir (the card centre is another system; the kiosk's data directory holds no resident data), found "${settings.dataDir}"`,
      },
    ]);
  }
  let url: string | null = null;
  let running: { centre: EmbeddedCardCentre; server: CardCentreServer } | null = null;
  const client = new HttpCardCentre({ baseUrl: () => url, kioskId: config.kiosk.id, key });
  return {
    centre: client,
    get embeddedUrl() {
      return url;
    },
    async start() {
      if (running) return;
      let centre: EmbeddedCardCentre;
      try {
        centre = new EmbeddedCardCentre({ dataDir });
      } catch (error) {
        throw new ConfigError(CONFIG_LABEL, [
          {
            path: 'cardCentre.dataDir',
            message: `a folder the embedded card centre can keep its records in, found "${dataDir}" (${(error as Error).message})`,
          },
        ]);
      }
      const server = new CardCentreServer({
        centre,
        kiosks: new Map([[config.kiosk.id, key]]),
        logger: options.logger,
      });
      try {
        url = await server.listen(settings.port);
      } catch (error) {
        centre.close();
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        throw new ConfigError(CONFIG_LABEL, [
          {
            path: 'cardCentre.port',
            message: `a free port on 127.0.0.1 for the embedded card centre, found ${settings.port} (${code})`,
          },
        ]);
      }
      running = { centre, server };
    },
    async stop() {
      client.close();
      const current = running;
      running = null;
      url = null;
      if (!current) return;
      await current.server.close();
      current.centre.close();
    },
  };
}

type CentreSettings = KioskConfig['cardCentre'];
/** The URL variant's endpoint is any string to TypeScript, so the union narrows by its own fields. */
export function isEmbedded(
  settings: CentreSettings,
): settings is Extract<CentreSettings, { dataDir: string }> {
  return 'dataDir' in settings;
}

/**
 * The secrets file, tolerating a development race: when it is missing, two kiosk processes
 * starting together (parallel tests) may both create it; the loser finds it made (EEXIST), or
 * half written, and reads it again a moment later.
 */
function loadKioskSecrets(file: string, mode: 'development' | 'production') {
  for (let attempt = 1; ; attempt++) {
    try {
      return loadSecrets(file, { mode });
    } catch (error) {
      const racing =
        (error as NodeJS.ErrnoException).code === 'EEXIST' || error instanceof ConfigError;
      if (mode === 'production' || !racing || attempt >= 3) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
}
