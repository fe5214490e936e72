/**
 * The OpenAPI 3.1 document of the card-centre API — what a province's integrator implements —
 * generated from the one definition in `api.ts`. The committed copy is `openapi.yaml` beside this
 * file; regenerate it with `mashang card-centre --openapi kiosk/card-centre/openapi.yaml` (a test
 * fails when it is stale).
 */
import { z } from 'zod';
import { stringify } from 'yaml';
import {
  API_ERRORS,
  COMMON_ERRORS,
  COMPONENTS,
  OPERATION_IDS,
  OPERATIONS,
  type ApiErrorCode,
} from './api.ts';
import { SIGNING_DESCRIPTION } from './signing.ts';

export const API_VERSION = '1.0.0';

const INTRODUCTION = `What a Mashang self-service kiosk needs from the province's social-security card management system (社会保障卡管理系统), the system of record: who holds which card, loss reports (挂失), reissue applications and their fee, payment by payment code, identity verification against the archive, the HSM that personalises chips, and the result of every card made or spoiled (回盘).

Each province integrates differently; this document is the contract. The kiosk ships an implementation of it (the embedded card centre, \`mashang card-centre\`) for development and its tests.

## Conventions

- JSON bodies in UTF-8. Money in fen (分), integers. Dates \`YYYYMMDD\` in China time; date-times RFC 3339 with offset.
- Personal data (ID numbers, names) never travels in a URL, which proxies and servers log: operations that need an ID number are \`POST\` with the number in the body.
- An answer may carry fields this document does not list; a kiosk ignores them.
- A refusal is an HTTP 4xx with an \`ApiError\` body whose \`code\` is one of those listed under the operation. 5xx (and 408, 429) mean nothing was committed: the kiosk tries again.

## Idempotency

Every operation that changes the centre's records takes an \`Idempotency-Key\` header (1–128 visible ASCII characters, chosen by the kiosk, unique per logical request). The centre remembers the key with the first answer and returns that same answer, status and body, to every repeat — after a timeout, a dropped connection or a kiosk restart — and refuses the same key for a different request (409 IDEMPOTENCY_KEY_REUSED). Keys are scoped to the kiosk that sent them. The kiosk retries a call only because of this.

## Payment

\`pay\` may end \`paid\`, \`declined\`, or not yet known: \`paying\` while the resident confirms on their phone, or no answer at all (timeout, dropped connection). An unknown outcome is settled by querying with the same order number until it is final; if it does not become final in time, the kiosk reverses the order. A reversal of an order the centre has not seen reserves the order number, so a payment request that arrives late is never charged. The kiosk's order number is the payment's idempotency key.

## Personalisation

The kiosk holds no keys. For each blank it reads the chip's 识别码, ATR and a challenge, and asks for the plan in one round trip (rural links have ~300 ms of latency); the centre's HSM answers every APDU in order — external authentication with its cryptogram, the writes of EF06 (cardholder) and EF05 (card data), and a read-back of each record with the bytes expected. The kiosk relays them without a card reset and stops at the first answer that differs; the card then goes to the reject bin and is reported spoiled with its 识别码, so the centre cancels the chip.

## Authentication

${SIGNING_DESCRIPTION}`;

const TAGS = [
  { name: 'persons', description: 'Who the resident is and what they hold' },
  { name: 'losses', description: 'Loss reports (挂失)' },
  { name: 'applications', description: 'Reissue applications (补换卡申请) and their fee' },
  {
    name: 'personalisation',
    description: "The HSM's personalisation and the result of each card (回盘)",
  },
  { name: 'payments', description: 'The fee, paid with a payment code (付款码)' },
  { name: 'centre', description: "The centre's clock and the staff-card revocation list" },
];

export function openApiDocument(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  const names = new Map<z.ZodType, string>();
  for (const [name, schema] of Object.entries(COMPONENTS)) {
    registry.add(schema, { id: name });
    names.set(schema, name);
  }
  const generated = z.toJSONSchema(registry, {
    uri: (id) => `#/components/schemas/${id}`,
    io: 'input',
  }).schemas;
  const schemas = Object.fromEntries(
    Object.entries(generated).map(([name, schema]) => {
      const { $schema: _schema, $id: _id, ...rest } = schema as Record<string, unknown>;
      return [name, rest];
    }),
  );
  const ref = (schema: z.ZodType) => {
    const name = names.get(schema);
    if (!name)
      throw new Error(
        'every request and answer schema must be a named component (api.ts COMPONENTS)',
      );
    return { $ref: `#/components/schemas/${name}` };
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const id of OPERATION_IDS) {
    const spec = OPERATIONS[id];
    const errors = [
      ...new Set<ApiErrorCode>([
        ...spec.errors,
        ...COMMON_ERRORS,
        ...(spec.keyed ? (['MISSING_IDEMPOTENCY_KEY'] as const) : []),
      ]),
    ];
    const byStatus = new Map<number, ApiErrorCode[]>();
    for (const code of errors)
      byStatus.set(API_ERRORS[code].status, [
        ...(byStatus.get(API_ERRORS[code].status) ?? []),
        code,
      ]);
    const responses: Record<string, unknown> = {
      '200': {
        description: 'The answer.',
        headers: { 'X-Mashang-Signature': { $ref: '#/components/headers/AnswerSignature' } },
        content: { 'application/json': { schema: ref(spec.answer) } },
      },
    };
    for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
      responses[String(status)] = {
        description: byStatus
          .get(status)!
          .map((code) => `\`${code}\`: ${API_ERRORS[code].description}`)
          .join('\n\n'),
        headers: { 'X-Mashang-Signature': { $ref: '#/components/headers/AnswerSignature' } },
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } },
      };
    }
    const parameters: unknown[] = Object.entries(spec.params).map(([name, schema]) => {
      const { $schema: _schema, ...json } = z.toJSONSchema(schema) as Record<string, unknown>;
      return { name, in: 'path', required: true, description: schema.description, schema: json };
    });
    if (spec.keyed) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
    const operation: Record<string, unknown> = {
      operationId: id,
      tags: [spec.tag],
      summary: spec.summary,
      description: spec.keyed
        ? `${spec.description}\n\nIdempotent by its \`Idempotency-Key\`: a repeat returns the first answer.`
        : spec.description,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(spec.request
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: ref(spec.request) } },
            },
          }
        : {}),
      responses,
    };
    paths[spec.path] = { ...paths[spec.path], [spec.method.toLowerCase()]: operation };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Mashang kiosk — card-centre API (社会保障卡自助补卡接口)',
      version: API_VERSION,
      description: INTRODUCTION,
    },
    servers: [
      {
        url: 'http://127.0.0.1:8090',
        description: 'the embedded card centre (`mashang card-centre --port 8090`)',
      },
    ],
    security: [{ kioskSignature: [] }],
    tags: TAGS,
    paths,
    components: {
      securitySchemes: {
        kioskSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Mashang-Signature',
          description:
            "HMAC-SHA256 request signature with the kiosk's own key, with `X-Mashang-Kiosk`, `X-Mashang-Timestamp` and `X-Mashang-Nonce` (see Authentication above).",
        },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: true,
          description:
            'Chosen by the kiosk, unique per logical request; a repeat returns the first answer.',
          schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,128}$' },
        },
      },
      headers: {
        AnswerSignature: {
          description:
            "The centre's signature of this answer: `v1=` + hex HMAC-SHA256 (see Authentication).",
          schema: { type: 'string', pattern: '^v1=[0-9a-f]{64}$' },
        },
      },
      schemas,
    },
  };
}

export function openApiYaml(): string {
  return (
    '# The card-centre API of the Mashang kiosk. Generated from kiosk/card-centre/api.ts — do not edit by hand:\n' +
    '# regenerate with `mashang card-centre --openapi kiosk/card-centre/openapi.yaml`.\n' +
    stringify(openApiDocument(), { lineWidth: 0 })
  );
}
