// One error model (after kafkajs `src/errors.js`, where each error knows if it is retriable): every failure is classified where it
// enters (order-service client, MySQL errors by errno, record decoding) into one of three kinds,
// and callers decide from the kind alone:
//   retriable      this event, later: park it in the retry table, spend an attempt (or, for
//                  'outage', none) and try again on the backoff schedule;
//   permanent      this event, never: retrying cannot help (a contract break upstream, data that
//                  does not fit a column). The retry entry goes FAILED at once and is mailed; a
//                  record that cannot even be parked becomes a dead letter;
//   infrastructure everyone, now: the database is unreachable or overloaded. Nothing about the
//                  event is wrong, so it is retried in place (the partition waits) with a bounded
//                  backoff, a metric and an alert.
// Anything else (a TypeError, an SQL syntax error) is a bug: see `errorKind`.

export type ErrorKind = 'retriable' | 'permanent' | 'infrastructure';

export class KdsError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type RetriableCode =
  | 'not_found' // 404: usually replica lag right after the order was placed
  | 'throttled' // 429
  | 'server_error' // 5xx
  | 'timeout'
  | 'connection'
  | 'stale' // replica answered an older version, or no items
  | 'outage'; // the circuit is open: the order service is failing for everyone

export class RetriableError extends KdsError {
  override readonly name = 'RetriableError';
  constructor(
    override readonly code: RetriableCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('retriable', code, message, options);
  }
}

export class PermanentError extends KdsError {
  override readonly name = 'PermanentError';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('permanent', code, message, options);
  }
}

export class InfrastructureError extends KdsError {
  override readonly name = 'InfrastructureError';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('infrastructure', code, message, options);
  }
}

/** The kind of any thrown value; 'bug' for what nobody classified (a programming error). */
export function errorKind(err: unknown): ErrorKind | 'bug' {
  return err instanceof KdsError ? err.kind : 'bug';
}

export function describeError(err: unknown): string {
  if (err instanceof KdsError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
