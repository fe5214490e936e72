/**
 * Expected failures are values, bugs are exceptions: a driver returns `Result` for what the
 * device can legitimately answer (no card, cover open) and throws only on programming errors.
 */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
