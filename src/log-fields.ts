// How a log line's fields become JSON: an Error anywhere at the top level of the fields becomes a
// plain object that keeps what an operator needs to tell one failure from another: name, message,
// stack, the classification (`kind`, `code`, mysql2's `errno`/`sqlState`, kafkajs' `retriable`...)
// and the whole `cause` chain (issue 10: the old logger dropped `cause`, so "stale answer" hid the
// socket reset behind it). Pure: no I/O, table-tested in test/unit/log-fields.test.ts.
//
// Only scalar own properties are copied, and long strings are cut: a mysql2 error carries the
// statement it ran in `sql`, which for a group write is hundreds of rows; an object property may be
// a socket or a connection (pino's std serializer copies every enumerable property, hence our own).

export const MAX_STRING = 2000;
/** A cause chain deeper than this is cut (with a marker): a cycle-safe bound, not a real depth. */
export const MAX_DEPTH = 8;

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  cause?: unknown;
  errors?: unknown[];
  [prop: string]: unknown;
}

function cut(s: string): string {
  return s.length <= MAX_STRING ? s : `${s.slice(0, MAX_STRING)}…(${s.length} chars)`;
}

function isErrorLike(v: unknown): v is Error {
  return (
    v instanceof Error ||
    (typeof v === 'object' && v !== null && typeof (v as Error).message === 'string' && typeof (v as Error).stack === 'string')
  );
}

// name/message/stack are handled first; cause and errors recurse.
const OWN = new Set(['name', 'message', 'stack', 'cause', 'errors']);

// `ancestors`: the errors on the path from the top to this one. A cycle (a cause that is its own
// ancestor) gets a marker; the same error twice side by side (an AggregateError whose cause is also
// one of its errors) is shown twice.
function serialize(err: Error, depth: number, ancestors: Set<unknown>): SerializedError {
  ancestors.add(err);
  const out: SerializedError = { name: String(err.name || err.constructor?.name || 'Error'), message: cut(String(err.message)) };
  if (typeof err.stack === 'string') out.stack = cut(err.stack);
  for (const key of Object.keys(err)) {
    if (OWN.has(key)) continue;
    const v: unknown = (err as unknown as Record<string, unknown>)[key];
    if (typeof v === 'string') out[key] = cut(v);
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    else if (isErrorLike(v)) out[key] = nested(v, depth, ancestors);
  }
  // `cause` is usually an own non-enumerable property (new Error(m, { cause })): read it directly.
  if ('cause' in err && err.cause !== undefined) out.cause = nested(err.cause, depth, ancestors);
  if (Array.isArray((err as { errors?: unknown }).errors)) {
    out.errors = (err as AggregateError).errors.slice(0, 20).map((e: unknown) => nested(e, depth, ancestors));
  }
  ancestors.delete(err);
  return out;
}

function nested(v: unknown, depth: number, ancestors: Set<unknown>): unknown {
  if (!isErrorLike(v)) return typeof v === 'string' ? cut(v) : v;
  if (ancestors.has(v)) return '[circular]';
  if (depth + 1 >= MAX_DEPTH) return `[cause chain cut at depth ${MAX_DEPTH}]`;
  return serialize(v, depth + 1, ancestors);
}

/** An Error (or error-like object) as a plain JSON-able object with its cause chain. */
export function serializeError(err: Error): SerializedError {
  return serialize(err, 0, new Set());
}

/** The fields of a log line with every top-level Error serialized; other values as given. */
export function logFields(fields: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    const v = fields[key];
    if (isErrorLike(v)) {
      out ??= { ...fields };
      out[key] = serializeError(v);
    }
  }
  return out ?? fields;
}
