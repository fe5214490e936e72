/**
 * The fault-injection hook (kiosk/store/kill-point.ts): where it fires, and that a production
 * kiosk refuses it.
 */
import { describe, expect, it } from 'vitest';
import { KillSwitch, killSwitchFromEnv, parseKillPoint } from '../../kiosk/store/kill-point.ts';
import { memoryLogger } from '../store/store-fixture.ts';

describe('the kill-point test hook', () => {
  it('fires right after the n-th record of its step and kind, and only then', () => {
    let kills = 0;
    const hook = new KillSwitch(parseKillPoint('cardRejected:intent:2'), () => kills++);
    hook.committed('cardRejected', 'outcome');
    hook.committed('blankTaken', 'intent');
    hook.committed('cardRejected', 'intent');
    expect(kills).toBe(0);
    hook.committed('cardRejected', 'intent');
    expect(kills).toBe(1);
    hook.committed('cardRejected', 'intent');
    expect(kills).toBe(1);
  });

  it('names what is wrong with a malformed point', () => {
    expect(() => parseKillPoint('toaster:intent')).toThrow(/the step must be one of/);
    expect(() => parseKillPoint('blankTaken:during')).toThrow(/<step>:<intent\|outcome>/);
    expect(() => parseKillPoint('blankTaken:outcome:0')).toThrow(/whole number from 1/);
    expect(parseKillPoint('blankTaken:outcome')).toEqual({ step: 'blankTaken', kind: 'outcome', occurrence: 1 });
  });

  it('is refused, and the refusal logged, on a production kiosk', () => {
    const logs = memoryLogger();
    expect(killSwitchFromEnv({ MASHANG_KILL_AT: 'blankTaken:intent' }, 'production', logs.logger)).toBeNull();
    expect(logs.lines).toContainEqual(expect.objectContaining({ event: 'kill_point.refused', level: 50 }));
    expect(killSwitchFromEnv({ MASHANG_KILL_AT: 'blankTaken:intent' }, 'development', logs.logger)?.point).toEqual({
      step: 'blankTaken',
      kind: 'intent',
      occurrence: 1,
    });
    expect(killSwitchFromEnv({}, 'development', logs.logger)).toBeNull();
  });
});
