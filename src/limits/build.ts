// The limits feature's builder: one set of rate limiters shared by the API and the WebSocket
// upgrades (docs/screens.md, limits), each refusal counted in kds_rate_limited_total{limit}.
import { createLimiters, type LimitName, type Limiters, type RateLimits } from './limits';

export function buildLimits(o: { limits: RateLimits; onRefused: (limit: LimitName) => void }): Limiters {
  return createLimiters(o.limits, o.onRefused);
}
