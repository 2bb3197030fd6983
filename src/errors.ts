// Failures are classified where they enter (STYLE.md habit 5). The pipeline decides from the
// class alone: RetriableError → park in the retry table and try later; PermanentError → park too
// (it will exhaust its attempts and mail the developers: a contract break upstream needs a human);
// anything else (database down, bug) → let Kafka redeliver.

export type RetriableCode =
  | 'not_found' // 404: usually replica lag right after the order was placed
  | 'throttled' // 429
  | 'server_error' // 5xx
  | 'timeout'
  | 'connection'
  | 'stale' // replica answered an older version, or no items
  | 'outage'; // the circuit is open: the order service is failing for everyone

export class RetriableError extends Error {
  override readonly name = 'RetriableError';
  constructor(
    readonly code: RetriableCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function describeError(err: unknown): string {
  if (err instanceof RetriableError || err instanceof PermanentError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
