import { describe, expect, it } from 'vitest';
import { parseSimFault } from './sim-fault.ts';

const FAULTS = ['jam', 'paperOut', 'slow'] as const;

describe('parseSimFault', () => {
  it('takes a fault of the list, and a delay for slow only', () => {
    expect(parseSimFault('jam', FAULTS)).toEqual({ fault: 'jam' });
    expect(parseSimFault('slow:1500', FAULTS)).toEqual({ fault: 'slow', delayMs: 1500 });
  });

  it('names the faults it knows when given another, and refuses a delay where none belongs', () => {
    expect(() => parseSimFault('fire', FAULTS)).toThrow('unknown fault "fire" (one of: jam, paperOut, slow)');
    expect(() => parseSimFault('jam:10', FAULTS)).toThrow('only slow takes a delay');
    expect(() => parseSimFault('slow:-1', FAULTS)).toThrow('only slow takes a delay');
  });
});
