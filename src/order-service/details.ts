// The order service's answer to GET /orders/{id}: parsing and the staleness rule.
// Pure: the HTTP client classifies, this decides.
import { PermanentError, RetriableError } from '../errors';

export interface OrderItem {
  itemId: string;
  dishId: string | null;
  name: string;
  quantity: number;
  station: string | null;
  note: string | null;
  status: 'ACTIVE' | 'CANCELLED';
  // Optional upstream fields: parseOrderDetails always sets them (absent → the default); optional
  // in the type so an answer built by hand (tests, the simulator) reads like an older release.
  /** 1–9, default 1 */
  course?: number;
  /** the waiter took it "to be called" (叫起); default false */
  hold?: boolean;
}

export type Channel = 'DINE_IN' | 'TAKEAWAY' | 'DELIVERY';

export interface OrderDetails {
  orderId: string;
  merchantId: string;
  tableNo: string | null;
  status: string;
  version: number;
  placedAt: Date;
  updatedAt: Date;
  /** optional upstream fields (contract "Optional fields of the 200 answer"); see orderChannel */
  channel?: Channel;
  platform?: string | null;
  pickupAt?: Date | null;
  items: OrderItem[];
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function bad(msg: string): PermanentError {
  return new PermanentError('contract', `order service answer ${msg}`);
}

function optStr(v: unknown, field: string, max: number): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string' || v.length > max) throw bad(`has an invalid ${field}`);
  return v;
}

function date(v: unknown, field: string): Date {
  const d = typeof v === 'string' ? new Date(v) : undefined;
  if (d === undefined || Number.isNaN(d.getTime())) throw bad(`has an invalid ${field}`);
  return d;
}

// Column limits (migrations/001_init.sql): a value beyond them would make the database refuse
// the write, which the pipeline can only retry forever; refused here it is a contract violation
// (parked, retried, mailed) with a clear reason instead.
/** dishes.quantity is INT UNSIGNED */
const MAX_QUANTITY = 4_294_967_295;
/** dishes.note is TEXT: 65,535 bytes, not characters (a CJK character takes 3, an emoji 4) */
const MAX_NOTE_BYTES = 65_535;

function noteOf(v: unknown, itemId: unknown): string | null {
  const note = optStr(v, 'note', MAX_NOTE_BYTES);
  if (note !== null && Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) {
    throw bad(`item ${String(itemId)} has a note over ${MAX_NOTE_BYTES} bytes of UTF-8`);
  }
  return note;
}

const CHANNELS: ReadonlySet<string> = new Set(['DINE_IN', 'TAKEAWAY', 'DELIVERY']);

/**
 * The contract's defaults: absent → DINE_IN with a table, else TAKEAWAY; a value the contract may
 * add later (any other string) → TAKEAWAY, so a new kind of off-premises order still reaches the
 * pickup board. A non-string is a contract break.
 */
export function channelOf(v: unknown, tableNo: string | null): Channel {
  if (v === undefined || v === null) return tableNo === null ? 'TAKEAWAY' : 'DINE_IN';
  if (typeof v !== 'string') throw bad('has an invalid channel');
  return CHANNELS.has(v) ? (v as Channel) : 'TAKEAWAY';
}

/** The order's channel, platform and pickup time with the contract's defaults for absent fields. */
export function orderChannel(d: OrderDetails): { channel: Channel; platform: string | null; pickupAt: Date | null } {
  return { channel: d.channel ?? channelOf(undefined, d.tableNo), platform: d.platform ?? null, pickupAt: d.pickupAt ?? null };
}

function platformOf(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length < 1 || v.length > 32) throw bad('has an invalid platform');
  return v;
}

function courseOf(v: unknown, itemId: string): number {
  if (v === undefined || v === null) return 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 9) throw bad(`item ${itemId} has an invalid course`);
  return v;
}

function holdOf(v: unknown, itemId: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw bad(`item ${itemId} has an invalid hold`);
  return v;
}

/** Throws PermanentError when the body breaks the contract. */
export function parseOrderDetails(body: unknown, expectedOrderId: string): OrderDetails {
  if (typeof body !== 'object' || body === null) throw bad('is not an object');
  const o = body as Record<string, unknown>;
  if (o.orderId !== expectedOrderId) throw bad(`is for order "${String(o.orderId)}", not "${expectedOrderId}"`);
  if (typeof o.merchantId !== 'string' || !ID.test(o.merchantId)) throw bad('has an invalid merchantId');
  if (typeof o.status !== 'string' || !/^[A-Z_]{1,16}$/.test(o.status)) throw bad('has an invalid status');
  if (typeof o.version !== 'number' || !Number.isSafeInteger(o.version) || o.version < 1) {
    throw bad('has an invalid version');
  }
  if (!Array.isArray(o.items)) throw bad('has no items array');
  const items = o.items.map((raw: unknown, i): OrderItem => {
    if (typeof raw !== 'object' || raw === null) throw bad(`item ${i} is not an object`);
    const it = raw as Record<string, unknown>;
    if (typeof it.itemId !== 'string' || !ID.test(it.itemId)) throw bad(`item ${i} has an invalid itemId`);
    if (typeof it.name !== 'string' || it.name.length === 0 || it.name.length > 255) {
      throw bad(`item ${it.itemId} has an invalid name`);
    }
    if (typeof it.quantity !== 'number' || !Number.isSafeInteger(it.quantity) || it.quantity < 1 || it.quantity > MAX_QUANTITY) {
      throw bad(`item ${it.itemId} has an invalid quantity`);
    }
    if (it.status !== 'ACTIVE' && it.status !== 'CANCELLED') throw bad(`item ${it.itemId} has an invalid status`);
    return {
      itemId: it.itemId,
      dishId: optStr(it.dishId, 'dishId', 64),
      name: it.name,
      quantity: it.quantity,
      station: optStr(it.station, 'station', 64),
      note: noteOf(it.note, it.itemId),
      status: it.status,
      course: courseOf(it.course, it.itemId),
      hold: holdOf(it.hold, it.itemId),
    };
  });
  const tableNo = optStr(o.tableNo, 'tableNo', 64);
  return {
    orderId: expectedOrderId,
    merchantId: o.merchantId,
    tableNo,
    status: o.status,
    version: o.version,
    placedAt: date(o.placedAt, 'placedAt'),
    updatedAt: date(o.updatedAt, 'updatedAt'),
    channel: channelOf(o.channel, tableNo),
    platform: platformOf(o.platform),
    pickupAt: o.pickupAt === undefined || o.pickupAt === null ? null : date(o.pickupAt, 'pickupAt'),
    items,
  };
}

/**
 * Read replicas lag: an answer older than the event, or without items while not cancelled
 * (half-replicated), must not be applied. It is retried like a 5xx.
 */
export function assertFresh(details: OrderDetails, eventVersion: number): void {
  if (details.version < eventVersion) {
    throw new RetriableError('stale', `replica answered version ${details.version}, event is version ${eventVersion}`);
  }
  if (details.items.length === 0 && details.status !== 'CANCELLED') {
    throw new RetriableError('stale', `replica answered version ${details.version} with no items`);
  }
}
