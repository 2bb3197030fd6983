// Validation of order bodies written through the admin API. The simulator must only ever serve
// bodies that follow order-service.md, otherwise a KDS test failure could be the simulator's bug.
import type { OrderBody, OrderItem } from './types';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const ORDER_STATUSES = new Set(['PLACED', 'PAID', 'COMPLETED', 'CANCELLED']);
const ITEM_STATUSES = new Set(['ACTIVE', 'CANCELLED']);

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isValidId(v: unknown): v is string {
  return typeof v === 'string' && ID_PATTERN.test(v);
}

function isTimestamp(v: unknown): v is string {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v));
}

const CHANNELS = new Set(['DINE_IN', 'TAKEAWAY', 'DELIVERY']);

function nullableString(v: unknown): v is string | null {
  return v === null || typeof v === 'string';
}

function parseItem(v: unknown, at: string): Parsed<OrderItem> {
  if (!isRecord(v)) return { ok: false, error: `${at} must be an object` };
  if (typeof v.itemId !== 'string' || v.itemId === '') return { ok: false, error: `${at}.itemId must be a non-empty string` };
  if (typeof v.dishId !== 'string') return { ok: false, error: `${at}.dishId must be a string` };
  if (typeof v.name !== 'string') return { ok: false, error: `${at}.name must be a string` };
  if (!Number.isInteger(v.quantity) || (v.quantity as number) < 1) {
    return { ok: false, error: `${at}.quantity must be an integer >= 1` };
  }
  if (!nullableString(v.station)) return { ok: false, error: `${at}.station must be a string or null` };
  if (!nullableString(v.note)) return { ok: false, error: `${at}.note must be a string or null` };
  if (typeof v.status !== 'string' || !ITEM_STATUSES.has(v.status)) {
    return { ok: false, error: `${at}.status must be ACTIVE or CANCELLED` };
  }
  // the optional fields of newer releases are kept when given (an older release omits them)
  if (v.course !== undefined && (!Number.isInteger(v.course) || (v.course as number) < 1 || (v.course as number) > 9)) {
    return { ok: false, error: `${at}.course must be an integer 1-9` };
  }
  if (v.hold !== undefined && typeof v.hold !== 'boolean') return { ok: false, error: `${at}.hold must be a boolean` };
  return {
    ok: true,
    value: {
      itemId: v.itemId,
      dishId: v.dishId,
      name: v.name,
      quantity: v.quantity as number,
      station: v.station,
      note: v.note,
      status: v.status as OrderItem['status'],
      ...(v.course !== undefined ? { course: v.course as number } : {}),
      ...(v.hold !== undefined ? { hold: v.hold } : {}),
    },
  };
}

export function parseOrderBody(v: unknown, at = 'order'): Parsed<OrderBody> {
  if (!isRecord(v)) return { ok: false, error: `${at} must be an object` };
  if (!isValidId(v.orderId)) return { ok: false, error: `${at}.orderId must be 1-64 chars of [A-Za-z0-9_-]` };
  if (!isValidId(v.merchantId)) return { ok: false, error: `${at}.merchantId must be 1-64 chars of [A-Za-z0-9_-]` };
  if (!nullableString(v.tableNo)) return { ok: false, error: `${at}.tableNo must be a string or null` };
  if (typeof v.status !== 'string' || !ORDER_STATUSES.has(v.status)) {
    return { ok: false, error: `${at}.status must be one of PLACED, PAID, COMPLETED, CANCELLED` };
  }
  if (!Number.isInteger(v.version) || (v.version as number) < 1) {
    return { ok: false, error: `${at}.version must be an integer >= 1` };
  }
  if (!isTimestamp(v.placedAt)) return { ok: false, error: `${at}.placedAt must be a timestamp` };
  if (!isTimestamp(v.updatedAt)) return { ok: false, error: `${at}.updatedAt must be a timestamp` };
  if (!Array.isArray(v.items)) return { ok: false, error: `${at}.items must be an array` };
  if (v.channel !== undefined && (typeof v.channel !== 'string' || !CHANNELS.has(v.channel))) {
    return { ok: false, error: `${at}.channel must be one of DINE_IN, TAKEAWAY, DELIVERY` };
  }
  if (v.platform !== undefined && !nullableString(v.platform)) return { ok: false, error: `${at}.platform must be a string or null` };
  if (v.pickupAt !== undefined && v.pickupAt !== null && !isTimestamp(v.pickupAt)) {
    return { ok: false, error: `${at}.pickupAt must be a timestamp or null` };
  }
  const items: OrderItem[] = [];
  for (const [i, raw] of v.items.entries()) {
    const item = parseItem(raw, `${at}.items[${i}]`);
    if (!item.ok) return item;
    items.push(item.value);
  }
  return {
    ok: true,
    value: {
      orderId: v.orderId,
      merchantId: v.merchantId,
      tableNo: v.tableNo,
      status: v.status as OrderBody['status'],
      version: v.version as number,
      placedAt: v.placedAt,
      updatedAt: v.updatedAt,
      ...(v.channel !== undefined ? { channel: v.channel as NonNullable<OrderBody['channel']> } : {}),
      ...(v.platform !== undefined ? { platform: v.platform } : {}),
      ...(v.pickupAt !== undefined ? { pickupAt: v.pickupAt } : {}),
      items,
    },
  };
}
