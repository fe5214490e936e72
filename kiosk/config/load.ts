/**
 * Reading `kiosk.config.json`: every problem becomes one line naming the file, the JSON path,
 * what was expected and what was found — never a stack trace.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { KioskConfig } from './schema.ts';

export interface ConfigProblem {
  /** JSON path, e.g. `devices[2].kind`; `(root)` for the file as a whole. */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(problems.map((p) => `${file}: ${p.path}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: KioskConfig;
  file: string;
  /** dataDir resolved against the config file's folder. */
  dataDir: string;
  /** secretsFile resolved against the config file's folder. */
  secretsFile: string;
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(error)})`;
    throw new ConfigError(file, [{ path: '(root)', message: why }]);
  }
  const config = parseConfigText(text, file);
  const folder = path.dirname(absolute);
  return {
    config,
    file: absolute,
    dataDir: path.resolve(folder, config.dataDir),
    secretsFile: path.resolve(folder, config.secretsFile),
  };
}

export function parseConfigText(text: string, file: string): KioskConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, [{ path: '(root)', message: describeJsonSyntaxError(text, error) }]);
  }
  const result = KioskConfig.safeParse(json, { reportInput: true });
  if (!result.success) throw new ConfigError(file, result.error.issues.map(describeIssue));
  return result.data;
}

function describeJsonSyntaxError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return `not valid JSON (${message})`;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return `not valid JSON at line ${line}, column ${column} (${message.replace(/ in JSON at position.*$/, '')})`;
}

export function formatJsonPath(segments: readonly PropertyKey[]): string {
  if (segments.length === 0) return '(root)';
  return segments
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`))
    .join('');
}

function found(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'object') return 'an object';
  return JSON.stringify(input);
}

function describeIssue(issue: z.core.$ZodIssue): ConfigProblem {
  const where = formatJsonPath(issue.path);
  const input = 'input' in issue ? issue.input : undefined;
  switch (issue.code) {
    case 'invalid_type':
      return {
        path: where,
        message:
          input === undefined
            ? `missing (expected ${issue.expected})`
            : `expected ${issue.expected}, found ${found(input)}`,
      };
    case 'invalid_union': {
      // A discriminated union with an unknown discriminator: name the allowed values and the one
      // found (the issue's input is the whole object, so read the discriminator out of it).
      const { discriminator, options } = issue as { discriminator?: string; options?: unknown[] };
      if (discriminator && options) {
        const value =
          typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[discriminator] : input;
        return {
          path: where,
          message: `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, found ${found(value)}`,
        };
      }
      return { path: where, message: `${issue.message}, found ${found(input)}` };
    }
    case 'invalid_value':
      return {
        path: where,
        message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${found(input)}`,
      };
    case 'unrecognized_keys':
      return {
        path: where,
        message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
      };
    case 'custom':
      return { path: where, message: `expected ${issue.message}` };
    default:
      return { path: where, message: `${issue.message}${input === undefined ? '' : `, found ${found(input)}`}` };
  }
}
