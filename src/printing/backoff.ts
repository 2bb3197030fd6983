// How long a slip waits after its printer failed (pure): 2 s, 4 s, 8 s … up to `maxS`, so a
// printer switched back on gets its slips within `maxS`, and a dead one costs a connect per
// slip that often, not in a loop.
export function printRetryDelayMs(attempts: number, maxS: number): number {
  const n = Math.max(1, Math.min(attempts, 20));
  return Math.min(maxS * 1000, 1000 * 2 ** n);
}
