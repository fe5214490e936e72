import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { abortableSleep } from './abortable-sleep.ts';

const listeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;

describe('abortableSleep', () => {
  it('waits, then says the time passed', async () => {
    const started = performance.now();
    expect(await abortableSleep(20)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
  });

  it('ends early, without throwing, when the signal aborts, and at once when it already had', async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    controller.abort();
    expect(await sleeping).toBe(false);
    expect(await abortableSleep(60_000, controller.signal)).toBe(false);
  });

  it('leaves no abort listener behind on a signal it slept on many times', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 30; i++) await abortableSleep(1, controller.signal);
    expect(listeners(controller.signal)).toBe(0);
  });
});
