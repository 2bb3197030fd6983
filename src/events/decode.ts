// Decoding and validation of one Kafka record against the order-events contract (the fields,
// types and limits checked below are its rules). Pure.
export interface OrderEvent {
  eventId: string;
  type: string;
  orderId: string;
  merchantId: string;
  version: number;
  occurredAt: string;
}

export const KNOWN_TYPES = [
  'ORDER_PLACED',
  'ORDER_ITEMS_CHANGED',
  'ORDER_PAID',
  'ORDER_COMPLETED',
  'ORDER_CANCELLED',
] as const;

export type RejectReason =
  | 'wrong_env'
  | 'missing_env_header'
  | 'too_large'
  | 'no_value'
  | 'not_json'
  | 'invalid_field'
  | 'key_mismatch';

export type Decoded = { ok: true; event: OrderEvent } | { ok: false; reason: RejectReason; detail: string };

export interface RawRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
}

/** An event is ids and status only (~250 bytes); anything this big is a producer bug. */
export const MAX_VALUE_BYTES = 64 * 1024;

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function header(h: RawRecord['headers'], name: string): string | undefined {
  const v = h[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
}

function fail(reason: RejectReason, detail: string): Decoded {
  return { ok: false, reason, detail };
}

export function decodeRecord(rec: RawRecord, env: string): Decoded {
  const recEnv = header(rec.headers, 'env');
  if (recEnv === undefined) return fail('missing_env_header', 'record has no env header');
  if (recEnv !== env) return fail('wrong_env', `env header "${recEnv.slice(0, 64)}" is not "${env}"`);
  if (rec.value === null || rec.value.length === 0) return fail('no_value', 'record has no value');
  if (rec.value.length > MAX_VALUE_BYTES) {
    return fail('too_large', `value is ${rec.value.length} bytes, limit ${MAX_VALUE_BYTES}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(rec.value.toString('utf8'));
  } catch (err) {
    return fail('not_json', `value is not JSON: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('invalid_field', 'value is not a JSON object');
  }
  const o = body as Record<string, unknown>;
  const problems: string[] = [];
  const str = (k: string, ok: (s: string) => boolean, rule: string): string => {
    const v = o[k];
    if (typeof v !== 'string' || !ok(v)) problems.push(`${k} ${rule}`);
    return typeof v === 'string' ? v : '';
  };
  const eventId = str('eventId', (s) => s.length >= 1 && s.length <= 64, 'must be a string of 1-64 chars');
  const type = str('type', (s) => /^[A-Z][A-Z0-9_]{0,63}$/.test(s), 'must be an upper-case event type');
  const orderId = str('orderId', (s) => ID.test(s), 'must be 1-64 chars of [A-Za-z0-9_-]');
  const merchantId = str('merchantId', (s) => ID.test(s), 'must be 1-64 chars of [A-Za-z0-9_-]');
  const occurredAt = str(
    'occurredAt',
    (s) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)),
    'must be an RFC 3339 timestamp',
  );
  const version = o.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    problems.push('version must be an integer >= 1');
  }
  if (problems.length > 0) return fail('invalid_field', problems.join('; '));

  const key = rec.key?.toString('utf8');
  if (key !== orderId) return fail('key_mismatch', `key "${(key ?? '<null>').slice(0, 64)}" is not orderId "${orderId}"`);

  return { ok: true, event: { eventId, type, orderId, merchantId, version: version as number, occurredAt } };
}
