// When held dishes start (contract "Kitchen workflows": fire by prep time). Pure.
//
// Dishes fired together — one order's course, by one action: the order arriving unheld, the till
// turning `hold` to false, a waiter's or cook's fire — finish together when the merchant fires by
// prep time: the dish with the longest target starts now, each shorter one `longest − its own`
// seconds later (it stays held until then, through a scheduled fire: src/firing/scheduled.ts).
// A dish without a target has nothing to finish with: it starts now.

export interface FireCandidate {
  itemId: string;
  /** the merchant's prep target for the dish (menu_dishes), null without one */
  prepSeconds: number | null;
}

export type FireDecision =
  | { itemId: string; kind: 'fire'; firedAt: Date; dueAt: Date | null }
  | { itemId: string; kind: 'schedule'; fireAt: Date };

/** firedAt plus the prep target; null without a target (lateness then uses LATE_AFTER_S). */
export function dueAtOf(firedAt: Date, prepSeconds: number | null): Date | null {
  return prepSeconds === null ? null : new Date(firedAt.getTime() + prepSeconds * 1000);
}

/** One group fired together at `at`. */
export function planFire(group: readonly FireCandidate[], at: Date, byPrepTime: boolean): FireDecision[] {
  const longest = Math.max(0, ...group.map((d) => d.prepSeconds ?? 0));
  return group.map((d): FireDecision => {
    const wait = byPrepTime && d.prepSeconds !== null ? longest - d.prepSeconds : 0;
    if (wait > 0) return { itemId: d.itemId, kind: 'schedule', fireAt: new Date(at.getTime() + wait * 1000) };
    return { itemId: d.itemId, kind: 'fire', firedAt: at, dueAt: dueAtOf(at, d.prepSeconds) };
  });
}

/** Groups by course, in course order (a fire of a whole order fires each course together). */
export function byCourse<T extends { course: number }>(dishes: readonly T[]): T[][] {
  const m = new Map<number, T[]>();
  for (const d of dishes) {
    const list = m.get(d.course);
    if (list === undefined) m.set(d.course, [d]);
    else list.push(d);
  }
  return [...m].sort(([a], [b]) => a - b).map(([, list]) => list);
}

/** What the fire plan needs to know of a merchant's menu and settings. */
export interface PrepTargets {
  prepSeconds(dishId: string | null): number | null;
  readonly byPrepTime: boolean;
}

export const NO_TARGETS: PrepTargets = { prepSeconds: () => null, byPrepTime: false };
