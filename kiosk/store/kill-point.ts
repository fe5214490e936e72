/**
 * A test hook for the fault-injection test (test/recovery): the host kills itself with SIGKILL
 * right after committing a chosen journal record, as a power cut would stop it there.
 *
 *   MASHANG_KILL_AT="<step>:<intent|outcome>[:n]"   e.g. "blankTaken:outcome", "cardRejected:intent:2"
 *
 * n (default 1) is the n-th such record this process commits. The record is durable when the
 * process dies (the commit fsynced it); what the record announced may or may not have happened —
 * that is what recovery must find out.
 *
 * A production kiosk refuses the hook: it is ignored and the refusal is logged, so a stray
 * variable in a kiosk's environment can never make it kill itself.
 */
import type { Logger } from '../log/logger.ts';
import { JOURNAL_STEPS, type JournalStep } from './journal.ts';

export const KILL_AT_ENV = 'MASHANG_KILL_AT';

export interface KillPoint {
  step: JournalStep;
  kind: 'intent' | 'outcome';
  occurrence: number;
}

export function parseKillPoint(text: string): KillPoint {
  const [step, kind, n, ...rest] = text.split(':');
  if (!step || !(JOURNAL_STEPS as readonly string[]).includes(step)) {
    throw new Error(`${KILL_AT_ENV}=${text}: the step must be one of ${JOURNAL_STEPS.join(', ')}`);
  }
  if (kind !== 'intent' && kind !== 'outcome') throw new Error(`${KILL_AT_ENV}=${text}: expected <step>:<intent|outcome>[:n]`);
  const occurrence = n === undefined ? 1 : Number(n);
  if (!Number.isInteger(occurrence) || occurrence < 1 || rest.length > 0) {
    throw new Error(`${KILL_AT_ENV}=${text}: n must be a whole number from 1`);
  }
  return { step: step as JournalStep, kind, occurrence };
}

export class KillSwitch {
  readonly point: KillPoint;
  #seen = 0;
  readonly #kill: () => void;

  constructor(point: KillPoint, kill: () => void = () => process.kill(process.pid, 'SIGKILL')) {
    this.point = point;
    this.#kill = kill;
  }

  /** Called after a journal record of a resident session was committed. */
  committed(step: JournalStep, kind: 'intent' | 'outcome'): void {
    if (step !== this.point.step || kind !== this.point.kind) return;
    if (++this.#seen !== this.point.occurrence) return;
    // Synchronous on a pipe or a file, so the test reads which point was reached before the kill.
    process.stderr.write(`MASHANG_KILL_POINT ${step}:${kind}:${this.point.occurrence}\n`);
    this.#kill();
  }
}

/** The hook from the environment, or null; refused (null, logged) when the kiosk runs in production. */
export function killSwitchFromEnv(env: NodeJS.ProcessEnv, mode: 'development' | 'production', logger: Logger): KillSwitch | null {
  const text = env[KILL_AT_ENV];
  if (!text) return null;
  if (mode === 'production') {
    logger.error({ event: 'kill_point.refused', value: text }, `${KILL_AT_ENV} is a test hook: refused on a production kiosk`);
    return null;
  }
  const point = parseKillPoint(text);
  logger.warn({ event: 'kill_point.armed', ...point }, `test hook: the host kills itself after the ${point.step} ${point.kind} record #${point.occurrence}`);
  return new KillSwitch(point);
}
