/**
 * A simulated serial device's fault as typed on the command line (`mashang sim-serial … --fault`,
 * or a `fault` line on its control socket): a name from the device's list, and for `slow` an
 * optional delay in milliseconds — `jam`, `paperOut`, `slow:1500`.
 */
export function parseSimFault<F extends string>(
  text: string,
  faults: readonly F[],
): { fault: F; delayMs?: number } {
  const [name, argument] = text.split(':', 2);
  if (!(faults as readonly string[]).includes(name!)) {
    throw new RangeError(`unknown fault "${text}" (one of: ${faults.join(', ')})`);
  }
  if (argument === undefined) return { fault: name as F };
  const delayMs = Number(argument);
  if (name !== 'slow' || !Number.isFinite(delayMs) || delayMs < 0)
    throw new RangeError(`${text}: only slow takes a delay, in milliseconds`);
  return { fault: 'slow' as F, delayMs };
}
