// MySQL/MariaDB failures classified where they enter (src/errors.ts), by errno or by the driver's
// connection codes. The lists were made from the errors the poison suite provoked (issue 11) and
// the server manuals; an errno not listed stays unclassified, i.e. a bug, which the consumer
// handles with a bounded number of retries (see src/pipeline/consumer.ts).
import { InfrastructureError, KdsError, PermanentError } from '../errors';

/** The statement's data does not fit the schema: the same data will fail the same way forever. */
const DATA_ERRNOS = new Map<number, string>([
  [1048, 'column cannot be null'],
  [1062, 'duplicate key'],
  [1118, 'row size too large'],
  [1153, 'packet larger than max_allowed_packet'],
  [1264, 'value out of range for its column'],
  [1265, 'data truncated'],
  [1292, 'incorrect date/time value'],
  [1364, 'field has no default'],
  [1366, 'incorrect value for its column'],
  [1406, 'data too long for its column'],
  [1416, 'cannot get geometry object'],
  [1451, 'row is referenced by a foreign key'],
  [1452, 'foreign key has no parent row'],
  [1690, 'value out of range'],
  [3140, 'invalid JSON'],
  [3819, 'check constraint violated'], // MySQL 8
  [4025, 'check constraint violated'], // MariaDB
  [4078, 'illegal value for a type'],
]);

/** The server cannot serve anyone right now; the statement itself is fine. */
const INFRA_ERRNOS = new Map<number, string>([
  [1040, 'too many connections'],
  [1053, 'server shutting down'],
  [1205, 'lock wait timeout'],
  [1213, 'deadlock'],
  [1290, 'server is read-only'],
  [1836, 'server is read-only'],
  [1927, 'connection was killed'],
  [2002, 'cannot connect'],
  [2003, 'cannot connect'],
  [2006, 'server has gone away'],
  [2013, 'lost connection during query'],
  [1158, 'network read error'],
  [1159, 'network read timeout'],
  [1160, 'network write error'],
  [1161, 'network write timeout'],
  [4031, 'disconnected by the server (idle)'],
]);

const INFRA_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'POOL_CLOSED', 'POOL_ENQUEUELIMIT',
  'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN',
]);

interface DriverError {
  errno?: unknown;
  code?: unknown;
  message?: unknown;
}

/**
 * The KdsError for a database failure, or the value itself when it is not a recognised one (then
 * it is a bug: bad SQL, a TypeError in a row mapper). Already-classified errors pass through.
 */
export function classifyDbError(err: unknown): unknown {
  if (err instanceof KdsError || typeof err !== 'object' || err === null) return err;
  const e = err as DriverError;
  const errno = typeof e.errno === 'number' ? e.errno : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : 'database error';
  if (errno !== undefined) {
    const data = DATA_ERRNOS.get(errno);
    if (data !== undefined) return new PermanentError(`mysql_${errno}`, `${data}: ${message}`, { cause: err });
    const infra = INFRA_ERRNOS.get(errno);
    if (infra !== undefined) return new InfrastructureError(`mysql_${errno}`, `${infra}: ${message}`, { cause: err });
  }
  if (code !== undefined && INFRA_CODES.has(code)) {
    return new InfrastructureError(code.toLowerCase(), `database unreachable: ${message}`, { cause: err });
  }
  return err;
}

export function isKdsCode(err: unknown, code: string): boolean {
  return err instanceof KdsError && err.code === code;
}

/** Runs a database call and rethrows its failure classified (the pool's calls already are). */
export async function classified<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw classifyDbError(err);
  }
}

type Executor<T> = (resolve: (value: T | PromiseLike<T>) => void, reject: (reason?: unknown) => void) => void;

/**
 * The promise the driver makes for each of its calls, given to mysql2 as its `Promise` option
 * (src/db/pool.ts): pool.query/execute, getConnection, a connection's query, execute,
 * beginTransaction, commit and rollback all reject with the failure already classified. So every
 * query path of every module is classified where it enters, with no wrapper at each call site to
 * forget: before this, a plain `pool.query` in a route or a job let an outage through as a bug.
 */
export class ClassifyingPromise<T> extends Promise<T> {
  // what then/catch/finally derive is a plain promise: only the driver's own are wrapped
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  constructor(executor: Executor<T>) {
    super((resolve, reject) => executor(resolve, (err: unknown) => reject(classifyDbError(err))));
  }
}
