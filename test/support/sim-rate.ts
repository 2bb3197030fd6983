// How far the simulator's "peak calls in a sliding second" may be trusted on a loaded machine.
// It stamps an arrival when its event loop gets to it: a stall of d ms stamps the arrivals of d ms
// at its end, so one stamped second may hold what truly arrived over 1 s + d. The gate's window
// (RATE_WINDOW_MS, 1.1 s) already covers 100 ms of that; a longer stall may add the calls of the
// rest at the cap's pace. On a quiet machine the allowance is 0 and the cap holds exactly; it never
// covers a gate that lets twice the cap through (a cap of 150 would need a 1.1 s stall).
import { RATE_WINDOW_MS } from '../../src/order-service/limiter';

export function rateAllowance(cap: number, maxLoopDelayMs: number): number {
  const uncovered = Math.max(0, maxLoopDelayMs - (RATE_WINDOW_MS - 1000));
  return Math.ceil((cap * uncovered) / 1000);
}

/** The assertion message and bound for `peakRps` against `cap`. */
export function rateBound(cap: number, s: { peakRps: number; maxLoopDelayMs: number }): { ok: boolean; message: string } {
  const allowance = rateAllowance(cap, s.maxLoopDelayMs);
  return {
    ok: s.peakRps <= cap + allowance,
    message: `peak calls in a sliding second ${s.peakRps} <= ${cap}` +
      (allowance > 0 ? ` + ${allowance} (the simulator's loop stalled ${s.maxLoopDelayMs} ms)` : ''),
  };
}
