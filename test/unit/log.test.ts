// The log line's shape (what dashboards, tests and grep read) and the error serialisation with its
// cause chain, through the real pino logger writing into a captured line list.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger, type Level } from '../../src/log';
import { MAX_DEPTH, MAX_STRING, logFields, serializeError } from '../../src/log-fields';

function capture(base: Record<string, unknown> = {}, min: Level = 'debug') {
  const raw: string[] = [];
  const log = createLogger(base, min, (l) => raw.push(l));
  const lines = (): Array<Record<string, unknown>> => raw.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, raw, lines };
}

describe('log line', () => {
  test('t, level as a word, msg, the logger fields and the call fields; no pid or hostname', () => {
    const { log, raw, lines } = capture({ service: 'kds', env: 'dev' });
    const before = Date.now();
    log.info('service started', { topic: 'dev_order', partitions: 4 });
    assert.equal(raw.length, 1);
    assert.ok(!raw[0]?.endsWith('\n'), 'the write callback gets the line without its newline');
    assert.match(raw[0] ?? '', /"level":"info"/); // what `grep '"level":"warn"'` relies on
    const [line] = lines();
    assert.deepEqual(Object.keys(line ?? {}).sort(), ['env', 'level', 'msg', 'partitions', 'service', 't', 'topic']);
    assert.equal(line?.msg, 'service started');
    assert.equal(line?.service, 'kds');
    assert.equal(line?.partitions, 4);
    assert.match(String(line?.t), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Date.parse(String(line?.t)) >= before && Date.parse(String(line?.t)) <= Date.now(), 'stamped when written');
  });

  test('levels below the minimum are dropped; each level is written by its own name', () => {
    const { log, lines } = capture({}, 'warn');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e', { n: 1 });
    assert.deepEqual(lines().map((l) => [l.level, l.msg]), [['warn', 'w'], ['error', 'e']]);
  });

  test('a child adds its fields; a call field of the same name wins when parsed', () => {
    const { log, lines } = capture({ service: 'kds' });
    const child = log.child({ component: 'retry' });
    child.info('a');
    child.info('b', { component: 'override' });
    log.info('c');
    const [a, b, c] = lines();
    assert.equal(a?.component, 'retry');
    assert.equal(a?.service, 'kds');
    assert.equal(b?.component, 'override');
    assert.equal(c?.component, undefined);
  });

  test('fields JSON.stringify refuses (a cycle, a BigInt) still give a line instead of a throw', () => {
    const { log, lines } = capture();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    log.warn('odd fields', { cyclic, big: 10n });
    const [line] = lines();
    assert.equal(line?.msg, 'odd fields');
    assert.equal((line?.cyclic as Record<string, unknown>).a, 1);
    assert.equal(line?.big, 10);
  });

  test('an error field keeps name, message, stack, code, kind and its cause chain in the line', () => {
    const { log, lines } = capture();
    const socket = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', errno: -104 });
    const sql = Object.assign(new Error("Data too long for column 'headers'"), {
      code: 'ER_DATA_TOO_LONG', errno: 1406, sqlState: '22001', sql: 'INSERT '.repeat(1000),
    });
    class KindError extends Error {
      override readonly name = 'PermanentError';
      constructor(readonly kind: string, readonly code: string, message: string, options?: { cause?: unknown }) {
        super(message, options);
      }
    }
    const top = new KindError('permanent', 'db_data', 'dead letter refused', { cause: new AggregateError([sql, socket], 'both', { cause: socket }) });
    log.error('event failed', { err: top, orderId: 'o-1' });
    const line = lines()[0] ?? {};
    assert.equal(line.orderId, 'o-1');
    const err = line.err as Record<string, unknown>;
    assert.equal(err.name, 'PermanentError');
    assert.equal(err.message, 'dead letter refused');
    assert.equal(err.kind, 'permanent');
    assert.equal(err.code, 'db_data');
    assert.match(String(err.stack), /^PermanentError: dead letter refused\n\s+at /);
    const agg = err.cause as Record<string, unknown>;
    assert.equal(agg.name, 'AggregateError');
    assert.equal(agg.message, 'both');
    const [first, second] = agg.errors as Array<Record<string, unknown>>;
    assert.equal(first?.errno, 1406);
    assert.equal(first?.sqlState, '22001');
    assert.equal(first?.code, 'ER_DATA_TOO_LONG');
    assert.ok(String(first?.sql).length < MAX_STRING + 50, 'a long statement is cut');
    assert.match(String(first?.sql), /…\(7000 chars\)$/);
    assert.equal(second?.code, 'ECONNRESET');
    // the same socket error is both an aggregated error and the cause: not a cycle, shown in both
    assert.equal((agg.cause as Record<string, unknown>).code, 'ECONNRESET');
  });
});

describe('serializeError', () => {
  test('an error with no cause, no extra properties', () => {
    const e = new TypeError('x is not a function');
    assert.deepEqual(Object.keys(serializeError(e)).sort(), ['message', 'name', 'stack']);
    assert.equal(serializeError(e).name, 'TypeError');
  });

  test('non-error causes are kept as given; object properties that are not errors are skipped', () => {
    const e = Object.assign(new Error('outer', { cause: 'a plain string' }), { socket: { fd: 3 }, retriable: true });
    const s = serializeError(e);
    assert.equal(s.cause, 'a plain string');
    assert.equal(s.retriable, true);
    assert.equal(s.socket, undefined);
  });

  test('an error-valued property (kafkajs originalError) is serialized too', () => {
    const e = Object.assign(new Error('outer'), { originalError: new RangeError('inner') });
    assert.equal((serializeError(e).originalError as Record<string, unknown>).name, 'RangeError');
  });

  test('a cyclic cause chain ends with a marker', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const s = serializeError(a);
    assert.equal((s.cause as Record<string, unknown>).message, 'b');
    assert.equal((s.cause as Record<string, unknown>).cause, '[circular]');
  });

  test('a chain deeper than MAX_DEPTH is cut with a marker', () => {
    let e = new Error('e0');
    for (let i = 1; i <= MAX_DEPTH + 3; i++) e = new Error(`e${i}`, { cause: e });
    let node: unknown = serializeError(e);
    let depth = 0;
    while (typeof node === 'object' && node !== null) {
      node = (node as Record<string, unknown>).cause;
      depth++;
    }
    assert.equal(depth, MAX_DEPTH);
    assert.equal(node, `[cause chain cut at depth ${MAX_DEPTH}]`);
  });
});

describe('logFields', () => {
  test('returns the same object when no field is an error, a copy otherwise', () => {
    const plain = { a: 1, b: 'x' };
    assert.equal(logFields(plain), plain);
    const withErr = { a: 1, err: new Error('boom') };
    const out = logFields(withErr);
    assert.notEqual(out, withErr);
    assert.ok(withErr.err instanceof Error, 'the caller’s object is not changed');
    assert.equal((out.err as Record<string, unknown>).message, 'boom');
    assert.equal(out.a, 1);
  });
});
