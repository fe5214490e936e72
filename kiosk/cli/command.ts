/** One `mashang` subcommand: its help and what it does. Returns the process exit code. */
export interface Command {
  summary: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string; description: string; multiple?: boolean }>;
  /** Accept positional arguments (e.g. `mashang sim card blank-ssse`). */
  positionals?: boolean;
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

/** An error a person can fix: printed as one line, without a stack trace. */
export class UsageError extends Error {}
