// When a dish counts as fired (the kitchen may start it), for the print queue: the ONE place that
// says it. A held dish (叫起, contract "Kitchen workflows") has `held` = 1 and no `fired_at`; a fire
// (the waiter's call, the till, a scheduled fire) sets `fired_at`, and each firing is printed once:
// `fired_at` is the print key, so a dish held again and fired again prints again.

/** SQL condition on a `dishes d` row: the dish is fired. */
export const FIRED_SQL = 'd.held = 0 AND d.fired_at IS NOT NULL';
/** SQL expression on a `dishes d` row: the moment of its current firing (the print key). */
export const FIRED_AT_SQL = 'd.fired_at';
