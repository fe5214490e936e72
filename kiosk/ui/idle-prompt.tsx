/**
 * "Are you still there?" — shown from `idle.warnAt` until the host moves on at `deadlineAt`
 * (both host epoch ms; host and UI share the machine's clock). The UI only shows the prompt and
 * sends STILL_HERE; what a timeout does is the host's decision.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { ViewModel } from '../bridge/protocol.ts';
import type { Translate } from './i18n/messages.ts';

export type Idle = NonNullable<ViewModel['idle']>;

export function isIdlePromptDue(idle: Idle | null, now: number): idle is Idle {
  return idle !== null && now >= idle.warnAt;
}

/** The collect screen's countdown to the card being taken back, in the idle prompt's shape. */
export function collectCountdown(view: ViewModel | null): Idle | null {
  const collect = view?.collect ?? null;
  return collect ? { warnAt: collect.warnAt, deadlineAt: collect.retainAt } : null;
}

export function secondsLeft(idle: Idle, now: number): number {
  return Math.max(0, Math.ceil((idle.deadlineAt - now) / 1000));
}

/**
 * The current time, re-rendering only when the prompt could change: once at `warnAt`, then
 * four times a second for the countdown until `deadlineAt`. Idle while `idle` is null.
 */
export function useIdleClock(idle: Idle | null, clock: () => number = Date.now): number {
  const [now, setNow] = useState(clock);
  const warnAt = idle?.warnAt ?? null;
  const deadlineAt = idle?.deadlineAt ?? null;
  useEffect(() => {
    if (warnAt === null || deadlineAt === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = () => {
      const current = clock();
      setNow(current);
      if (current < warnAt) timer = setTimeout(tick, Math.min(warnAt - current, 60_000));
      else if (current < deadlineAt) timer = setTimeout(tick, 250);
    };
    tick();
    return () => clearTimeout(timer);
  }, [warnAt, deadlineAt, clock]);
  return now;
}

export function IdlePrompt(props: {
  idle: Idle;
  now: number;
  t: Translate;
  onStillHere: () => void;
  /** "Hear it again" for the prompt's own voice clip (null without voice). */
  voiceButton?: ReactNode;
}) {
  const { idle, now, t, onStillHere, voiceButton = null } = props;
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    button.current?.focus();
  }, []);
  return (
    <div className="overlay">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="idle-title"
        aria-describedby="idle-instruction"
      >
        <h2 id="idle-title" className="dialog-title">
          {t('idle.title')}
        </h2>
        <p id="idle-instruction" className="instruction">
          {t('idle.instruction')}
        </p>
        <p className="countdown" aria-live="polite" aria-atomic="true">
          {t('idle.countdown', { seconds: secondsLeft(idle, now) })}
        </p>
        <button
          ref={button}
          type="button"
          className="btn btn--primary btn--hero"
          onClick={onStillHere}
        >
          {t('idle.continue')}
        </button>
        {voiceButton}
      </div>
    </div>
  );
}
