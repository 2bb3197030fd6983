// Which dish rows an order-service answer changes, and how. Pure.
// Kitchen state is the KDS's own: upstream may only move an unserved dish to CANCELLED
// (item cancelled, or the whole order cancelled); it never moves a dish backwards.
//
// Added portions: when the order system raises the quantity of an item the kitchen already cooked
// (READY or SERVED), the cooked row keeps the portions that were cooked and the extra portions
// become a dish row of their own, `WAITING`, with `added_to` naming the item (id from
// addedItemId). So the pass keeps what is there, the kitchen gets exactly the portions to cook, and
// each row's state stays true. The order system's quantity of an item is therefore the item's row
// plus its added rows; a lowered quantity is taken from the item's own row (cooked portions that
// are no longer wanted are the kitchen's to throw away, rows are not deleted).
//
// The plan says which rows to write, never what screens are told: the unit of work reads the
// written rows back (src/changes/read-back.ts).
import { createHash } from 'node:crypto';
import type { DishTouch } from '../changes/unit-of-work';
import { byCourse, NO_TARGETS, planFire, type PrepTargets } from '../firing/fire-plan';
import { alreadyApplied } from '../order-queue/decide';
import type { OrderDetails } from '../order-service/details';

export interface ExistingDish {
  item_id: string;
  name: string;
  quantity: number;
  station: string | null;
  note: string | null;
  upstream_status: string;
  upstream_version: number;
  state: string;
  /** set on added-portion rows: the item they were added to */
  added_to?: string | null;
  dish_id?: string | null;
  course?: number;
  upstream_hold?: number;
  held?: number;
  fired_at?: Date | null;
  due_at?: Date | null;
}

export interface DishWrite {
  itemId: string;
  dishId: string | null;
  name: string;
  quantity: number;
  station: string | null;
  note: string | null;
  upstreamStatus: string;
  state: string;
  addedTo: string | null;
  /** the row's kitchen state before this write; null for a new row */
  from: string | null;
  course: number;
  upstreamHold: boolean;
  /** kitchen columns: as stored, unless this answer creates the dish or fires it */
  held: boolean;
  firedAt: Date | null;
  dueAt: Date | null;
  /** fire by prep time: the dish stays held and fires by itself then (src/firing/scheduled.ts) */
  scheduleAt: Date | null;
}

/** The waiters' call of a write: a READY dish cancelled is pulled off the pass. */
export function touchOf(w: DishWrite): DishTouch {
  return w.from === 'READY' && w.state === 'CANCELLED' ? 'pull' : 'dish';
}

export function kitchenStateAfter(current: string | undefined, cancelled: boolean): string {
  if (current === undefined) return cancelled ? 'CANCELLED' : 'WAITING';
  if (cancelled && current !== 'SERVED') return 'CANCELLED';
  return current;
}

const COOKED = new Set(['READY', 'SERVED']);

/**
 * The id of the n-th added-portion row of an item: `<itemId>_add<n>`, within the 64 characters
 * ids may have (a long item id is shortened and made unique by a hash of it).
 */
export function addedItemId(itemId: string, n: number): string {
  const suffix = `_add${n}`;
  if (itemId.length + suffix.length <= 64) return itemId + suffix;
  const hash = createHash('sha1').update(itemId).digest('hex').slice(0, 10);
  return `${itemId.slice(0, 64 - suffix.length - hash.length - 1)}_${hash}${suffix}`;
}

/**
 * Hold and fire from upstream (contract "Kitchen workflows"): a new dish is held when its `hold` is
 * true, else fired when the order was placed; a held dish is fired when a newer version turns its
 * `hold` from true to false (the till fired it), at that version's `updatedAt`; nothing else moves
 * `held`, so a dish fired never goes back to held, and a waiter's hold is not undone by a version
 * that merely still says false. Dishes fired together are planned per course (fire-plan.ts).
 */
export function planDishes(
  existing: ReadonlyMap<string, ExistingDish>,
  details: OrderDetails,
  targets: PrepTargets = NO_TARGETS,
): DishWrite[] {
  const orderCancelled = details.status === 'CANCELLED';
  const writes: DishWrite[] = [];
  const added = new Map<string, ExistingDish[]>();
  for (const d of existing.values()) {
    if (d.added_to === null || d.added_to === undefined) continue;
    added.set(d.added_to, [...(added.get(d.added_to) ?? []), d]);
  }
  /** fired by this answer, at a moment: the order's placedAt for new dishes, updatedAt for a turn */
  const fires: Array<{ w: DishWrite; at: Date }> = [];
  // every write is built field by field, not by spreading: object spreads here were a measurable
  // share of the pipeline's CPU per dish (V8 clones through a slow path; issue 19 profile)
  const push = (w: DishWrite): DishWrite => {
    writes.push(w);
    return w;
  };

  for (const item of details.items) {
    const prev = existing.get(item.itemId);
    if (prev !== undefined && alreadyApplied(Number(prev.upstream_version), details.version)) continue;
    const cancelled = orderCancelled || item.status === 'CANCELLED';
    const state = kitchenStateAfter(prev?.state, cancelled);
    const course = item.course ?? 1;
    const hold = item.hold ?? false;
    const extras = added.get(item.itemId) ?? [];
    const addedQty = extras.reduce((n, d) => n + Number(d.quantity), 0);
    let quantity = item.quantity;
    let more = 0;
    if (prev !== undefined) {
      const owed = Number(prev.quantity) + addedQty;
      if (!cancelled && COOKED.has(prev.state) && item.quantity > owed) {
        quantity = Number(prev.quantity);
        more = item.quantity - owed;
      } else {
        quantity = Math.max(0, item.quantity - addedQty);
      }
    }
    const turned = prev !== undefined && Number(prev.upstream_hold ?? 0) === 1 && !hold &&
      Number(prev.held ?? 0) === 1 && state === 'WAITING';
    const changed =
      prev === undefined ||
      prev.name !== item.name ||
      Number(prev.quantity) !== quantity ||
      prev.station !== item.station ||
      prev.note !== item.note ||
      prev.upstream_status !== item.status ||
      prev.state !== state ||
      Number(prev.course ?? 1) !== course ||
      (Number(prev.upstream_hold ?? 0) === 1) !== hold ||
      (prev.dish_id ?? null) !== item.dishId;
    if (changed) {
      const w = push({
        itemId: item.itemId, dishId: item.dishId, name: item.name, quantity, station: item.station,
        note: item.note, upstreamStatus: item.status, state, addedTo: null, from: prev?.state ?? null, course, upstreamHold: hold,
        // kitchen columns as stored; a new dish is held as upstream says, fired below
        held: prev !== undefined ? Number(prev.held ?? 0) === 1 : hold,
        firedAt: prev !== undefined ? prev.fired_at ?? null : null,
        dueAt: prev !== undefined ? prev.due_at ?? null : null,
        scheduleAt: null,
      });
      if (prev === undefined && !hold) fires.push({ w, at: details.placedAt });
      else if (turned) fires.push({ w, at: details.updatedAt });
    }
    if (more > 0) {
      let n = extras.length + 1;
      while (existing.has(addedItemId(item.itemId, n))) n += 1;
      const w = push({
        itemId: addedItemId(item.itemId, n), dishId: item.dishId, name: item.name, quantity: more,
        station: item.station, note: item.note, upstreamStatus: item.status, state: 'WAITING', addedTo: item.itemId, from: null,
        course, upstreamHold: false, held: false, firedAt: null, dueAt: null, scheduleAt: null,
      });
      fires.push({ w, at: details.updatedAt }); // added portions are to cook now
    }
    // added portions follow their item's cancellation (a served one stays served)
    if (cancelled) {
      for (const x of extras) {
        const to = kitchenStateAfter(x.state, true);
        if (to === x.state || alreadyApplied(Number(x.upstream_version), details.version)) continue;
        push({
          itemId: x.item_id, dishId: item.dishId, name: x.name, quantity: Number(x.quantity), station: x.station,
          note: x.note, upstreamStatus: item.status, state: to, addedTo: item.itemId, from: x.state,
          course, upstreamHold: false, held: Number(x.held ?? 0) === 1, firedAt: x.fired_at ?? null, dueAt: x.due_at ?? null, scheduleAt: null,
        });
      }
    }
  }

  const byMoment = new Map<number, Array<{ w: DishWrite; course: number }>>();
  for (const f of fires) {
    const t = f.at.getTime();
    const list = byMoment.get(t);
    if (list === undefined) byMoment.set(t, [{ w: f.w, course: f.w.course }]);
    else list.push({ w: f.w, course: f.w.course });
  }
  for (const [t, list] of byMoment) {
    for (const group of byCourse(list)) {
      const decisions = planFire(group.map(({ w }) => ({ itemId: w.itemId, prepSeconds: targets.prepSeconds(w.dishId) })), new Date(t), targets.byPrepTime);
      decisions.forEach((d, i) => {
        const w = group[i]?.w;
        if (w === undefined) return;
        if (d.kind === 'fire') {
          w.held = false;
          w.firedAt = d.firedAt;
          w.dueAt = d.dueAt;
        } else {
          w.held = true;
          w.scheduleAt = d.fireAt;
        }
      });
    }
  }
  return writes;
}
