/**
 * The shape of `kiosk.config.json`. Validated at start; an invalid file stops the kiosk with one
 * message per problem (see load.ts). The JSON Schema for editors is generated from this schema
 * (`mashang config schema`), so the two never disagree.
 *
 * The fee is deliberately absent: it is the card centre's to say, per application.
 */
import { z } from 'zod';
import { DEVELOPMENT_DISTRICT_PUBLIC_KEY_PEM } from '../../drivers/staff-card/development-district-key.ts';

const Simulated = z.object({ type: z.literal('simulated') }).strict();
const Serial = z
  .object({
    type: z.literal('serial'),
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(115200),
  })
  .strict();
const Hid = z
  .object({
    type: z.literal('hid'),
    vendorId: z.number().int().min(0).max(0xffff),
    productId: z.number().int().min(0).max(0xffff),
  })
  .strict();
const Pcsc = z
  .object({
    type: z.literal('pcsc'),
    /** A regular expression matched against PC/SC reader names. */
    readerPattern: z.string().min(1),
  })
  .strict();

export const DeviceConfig = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('id-reader'),
      driver: z.literal('gat467'),
      transport: z.discriminatedUnion('type', [Simulated, Serial, Hid]),
    })
    .strict(),
  z
    .object({
      kind: z.literal('card-printer'),
      driver: z.literal('evolis'),
      transport: z.discriminatedUnion('type', [Simulated, Serial]),
    })
    .strict(),
  z
    .object({
      kind: z.literal('chip-encoder'),
      driver: z.literal('pcsc'),
      transport: z.discriminatedUnion('type', [Simulated, Pcsc]),
    })
    .strict(),
  z
    .object({
      kind: z.literal('receipt-printer'),
      driver: z.literal('escpos'),
      transport: z.discriminatedUnion('type', [Simulated, Serial]),
      paperWidthMm: z.union([z.literal(80), z.literal(58)]).default(80),
    })
    .strict(),
  z
    .object({
      kind: z.literal('qr-scanner'),
      driver: z.literal('hid-pos'),
      transport: z.discriminatedUnion('type', [Simulated, Hid]),
    })
    .strict(),
  z
    .object({
      kind: z.literal('staff-card-reader'),
      driver: z.literal('pcsc'),
      transport: z.discriminatedUnion('type', [Simulated, Pcsc]),
    })
    .strict(),
]);
export type DeviceConfig = z.infer<typeof DeviceConfig>;
export type DeviceKind = DeviceConfig['kind'];

/** Every kind a kiosk must have exactly one of. */
export const requiredDeviceKinds: readonly DeviceKind[] = [
  'id-reader',
  'card-printer',
  'chip-encoder',
  'receipt-printer',
  'qr-scanner',
  'staff-card-reader',
];

const seconds = z.number().int().min(1).max(3600);

export const KioskConfig = z
  .object({
    $schema: z.string().optional(),
    kiosk: z
      .object({
        id: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'letters, digits and "-" (1–32)'),
        siteName: z.string().min(1).max(40),
        /** Administrative division code (GB/T 2260), 6 digits. */
        district: z.string().regex(/^\d{6}$/, 'a 6-digit administrative division code'),
      })
      .strict(),
    devices: z.array(DeviceConfig).min(1),
    /**
     * The province's card-centre system: its URL, or the embedded card centre, which the host
     * then runs in-process on 127.0.0.1 and talks to over HTTP like any other.
     */
    cardCentre: z.union([
      z
        .object({
          endpoint: z.literal('embedded'),
          /**
           * The embedded centre's own records, relative to the config file's folder. It is another
           * system than the kiosk, so never inside dataDir (which must hold no resident data).
           */
          dataDir: z.string().min(1).default('./card-centre-data'),
          /** Its port on 127.0.0.1; 0 = any free port. */
          port: z.number().int().min(0).max(65535).default(0),
        })
        .strict(),
      z
        .object({
          endpoint: z.url({ protocol: /^https?$/ }),
          /** Per-attempt timeout of ordinary calls (face checks and payments get at least 30 s). */
          timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
          /** Further attempts after a timeout or a lost connection, for calls that are safe to repeat. */
          retries: z.number().int().min(0).max(5).default(2),
        })
        .strict(),
    ]),
    timeouts: z
      .object({
        /** Inactivity on a screen that waits for the resident, before the session is ended. */
        idleSeconds: seconds.default(60),
        /** How long before that the "are you still there?" prompt appears. */
        idleWarningSeconds: seconds.default(15),
        /** A new card not taken from the slot in this time is retained into the bin. */
        cardCollectSeconds: seconds.default(60),
        /**
         * At the end, while the ID card stays on the reader, "take your ID card" is said again
         * this often (the kiosk waits for it however long: nobody else may be served meanwhile).
         */
        idCardRemovalSeconds: seconds.default(30),
      })
      .strict()
      .refine((t) => t.idleWarningSeconds < t.idleSeconds, {
        message: 'a number less than idleSeconds',
        path: ['idleWarningSeconds'],
      }),
    language: z.enum(['zh-CN', 'en']).default('zh-CN'),
    /** The resident UI. */
    ui: z
      .object({
        /** Spoken instructions on every screen (shipped clips). Staff may turn them off. */
        voice: z.boolean().default(true),
      })
      .strict()
      .default({ voice: true }),
    /** Relative paths are resolved against the config file's folder. */
    dataDir: z.string().min(1),
    /**
     * The secrets file (journal key, card-centre credential), readable by the kiosk user only;
     * relative to the config file's folder. Development creates it when missing.
     */
    secretsFile: z.string().min(1).default('./data/secrets.json'),
    http: z
      .object({
        /** Loopback only: the bridge must never listen on a network a stranger can reach. */
        host: z.literal('127.0.0.1').default('127.0.0.1'),
        /** 0 picks a free port. */
        port: z.number().int().min(0).max(65535).default(8080),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080 }),
    /** Production refuses simulated devices and the embedded card centre. */
    mode: z.enum(['development', 'production']).default('development'),
    /** Staff and technician modes (staff cards on the PC/SC staff card reader). */
    staff: z
      .object({
        /**
         * The district's public key (PEM, P-256) that signs staff and technician card certificates.
         * Development trusts the published development key when absent; production requires it.
         */
        districtPublicKeyPem: z
          .string()
          .regex(/^-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\s]+-----END PUBLIC KEY-----\s*$/, 'a PEM public key')
          .optional(),
        /** Inactivity in a staff or technician mode (the PIN screen included) before it ends. */
        modeTimeoutSeconds: z.number().int().min(30).max(3600).default(300),
        /** Blanks the card printer's hopper holds: a load that would overfill it is refused. */
        hopperCapacity: z.number().int().min(1).max(10_000).default(100),
        /** How often the card centre's staff-card revocation list is fetched again. */
        revocationRefreshSeconds: z.number().int().min(60).max(86_400).default(600),
      })
      .strict()
      .default({ modeTimeoutSeconds: 300, hopperCapacity: 100, revocationRefreshSeconds: 600 }),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const kind of requiredDeviceKinds) {
      const count = config.devices.filter((d) => d.kind === kind).length;
      if (count !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['devices'],
          message: `exactly one "${kind}" device, found ${count}`,
        });
      }
    }
    if (config.mode === 'production') {
      config.devices.forEach((d, i) => {
        if (d.transport.type === 'simulated') {
          ctx.addIssue({
            code: 'custom',
            path: ['devices', i, 'transport', 'type'],
            message: 'a real transport in production (simulated devices are for development)',
          });
        }
      });
      if (!config.staff.districtPublicKeyPem) {
        ctx.addIssue({
          code: 'custom',
          path: ['staff', 'districtPublicKeyPem'],
          message: "the district's staff-card public key in production (development trusts the development key)",
        });
      } else if (normalisePem(config.staff.districtPublicKeyPem) === normalisePem(DEVELOPMENT_DISTRICT_PUBLIC_KEY_PEM)) {
        ctx.addIssue({
          code: 'custom',
          path: ['staff', 'districtPublicKeyPem'],
          message: 'a real district key in production (this is the published development key: anyone can sign with it)',
        });
      }
      if (config.cardCentre.endpoint === 'embedded') {
        ctx.addIssue({
          code: 'custom',
          path: ['cardCentre', 'endpoint'],
          message: "the province's card-centre URL in production (the embedded one is for development)",
        });
      }
    }
  });
export type KioskConfig = z.infer<typeof KioskConfig>;

const normalisePem = (pem: string) => pem.replace(/\s+/g, '');

/** The district key staff cards are checked against: the configured one, or in development the development key. */
export function staffDistrictKey(config: KioskConfig): string {
  return config.staff.districtPublicKeyPem ?? DEVELOPMENT_DISTRICT_PUBLIC_KEY_PEM;
}

export function deviceOf<K extends DeviceKind>(
  config: KioskConfig,
  kind: K,
): Extract<DeviceConfig, { kind: K }> {
  const device = config.devices.find((d) => d.kind === kind);
  // The schema guarantees exactly one device of each required kind.
  if (!device) throw new Error(`config has no ${kind}`);
  return device as Extract<DeviceConfig, { kind: K }>;
}

export function kioskConfigJsonSchema(): object {
  return z.toJSONSchema(KioskConfig, { io: 'input', unrepresentable: 'any' });
}
