// /readyz under a flood: 64 request loops from one address must not delay a cook's tap. The
// service's readiness (src/readiness/build.ts: its own MySQL connection, answers at most ~1 s old,
// one check in flight) and the per-address limit of /readyz, on a real server and database.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { createTeardown } from '../../src/lifecycle/teardown';
import { silentLogger } from '../../src/log';
import { READYZ_PER_ADDRESS } from '../../src/http/ops-routes';
import { buildReadiness } from '../../src/readiness/build';
import { freshDatabase, type TestDb } from '../support/db';
import { api, seedOrder, startServer, token, type Running } from '../support/screens';

const OFF = { perMinute: 0, burst: 0 };
let db: TestDb;
let srv: Running;
const teardown = createTeardown(silentLogger);
let mysqlChecks = 0;

before(async () => {
  db = await freshDatabase('readyz');
  const readiness = buildReadiness({
    mysqlUrl: db.url, teardown, probes: { kafka: () => true, zookeeper: () => true },
    onMysqlCheck: () => mysqlChecks++,
  });
  srv = await startServer(db.pool, { readiness, limits: { apiPerToken: OFF, apiPerAddress: OFF, wsPerToken: OFF, wsPerAddress: OFF } });
  await seedOrder(db.pool, { orderId: 'RZ1', merchantId: 'RZ', dishes: [{ itemId: 'RZ1a' }] }, srv.hub);
});

after(async () => {
  await srv?.close();
  await teardown.close();
  await db?.drop();
});

/** `n` taps (ready, then recall to make the next tap possible); the ready call's latency each. */
async function taps(n: number): Promise<number[]> {
  const kitchen = token('kitchen', 'RZ');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await api(srv.base, 'POST', '/api/dishes/RZ1a/ready', kitchen);
    out.push(performance.now() - t0);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal((await api(srv.base, 'POST', '/api/dishes/RZ1a/recall', kitchen)).status, 200);
  }
  return out;
}

/** argv: url, loops. Prints one line after 200 answers, and the status counts when stdin ends. */
const FLOOD = `
const [url, loops] = process.argv.slice(1);
const counts = {};
let n = 0, going = true;
process.stdin.on('data', () => {}).on('end', () => { going = false; });
const loop = async () => {
  while (going) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      counts[r.status] = (counts[r.status] ?? 0) + 1;
    } catch { counts.error = (counts.error ?? 0) + 1; }
    if (++n === 200) process.stdout.write('going\\n');
  }
};
Promise.all(Array.from({ length: Number(loops) }, loop)).then(() => process.stdout.write(JSON.stringify(counts) + '\\n'));
`;

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;

describe('/readyz', () => {
  it('answers ready from its own connection', async () => {
    const r = await api(srv.base, 'GET', '/readyz');
    assert.deepEqual([r.status, r.json.status], [200, 'ready']);
  });

  it('a flood of 64 loops: a tap answered within 2 s, MySQL asked about once a second, the loops limited', async () => {
    const quiet = await taps(15);
    const before = mysqlChecks;
    // the flood comes from another process, as it would: in this one its fetch loops would
    // compete with the server for the event loop and measure themselves
    const flood = spawn(process.execPath, ['-e', FLOOD, `${srv.base}/readyz`, '64'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    flood.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise((r) => flood.once('exit', r));
    const started = performance.now();
    let loud: number[];
    try {
      // let the flood get going (its first line says 200 calls were answered), then tap through it
      while (!out.includes('\n')) await new Promise((r) => setTimeout(r, 20));
      loud = await taps(15);
    } finally {
      flood.stdin.end();
      await exited;
    }
    const seconds = (performance.now() - started) / 1000;
    const statuses = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number>;
    const calls = Object.values(statuses).reduce((a, b) => a + b, 0);
    const checks = mysqlChecks - before;
    process.stderr.write(
      `readyz flood: ${calls} calls in ${seconds.toFixed(1)} s (${JSON.stringify(statuses)}), ` +
      `${checks} MySQL checks; tap p50/max quiet ${pct(quiet, 0.5).toFixed(1)}/${Math.max(...quiet).toFixed(1)} ms, ` +
      `under flood ${pct(loud, 0.5).toFixed(1)}/${Math.max(...loud).toFixed(1)} ms\n`,
    );
    assert.ok(Math.max(...loud) < 2000, `a tap took ${Math.max(...loud).toFixed(0)} ms under the flood`);
    // one address gets the burst, then about 2 a second
    assert.ok((statuses['200'] ?? 0) <= READYZ_PER_ADDRESS.burst + Math.ceil(seconds * 2) + 2, JSON.stringify(statuses));
    assert.ok((statuses['429'] ?? 0) > 0);
    // whatever got through was answered from a result at most ~1 s old
    assert.ok(checks <= Math.ceil(seconds) + 2, `${checks} MySQL checks in ${seconds.toFixed(1)} s`);
  });

  it('a 429 carries Retry-After', async () => {
    let r: Response | undefined;
    for (let i = 0; i < READYZ_PER_ADDRESS.burst + 5; i++) {
      r = await fetch(`${srv.base}/readyz`);
      await r.arrayBuffer();
      if (r.status === 429) break;
    }
    assert.equal(r?.status, 429);
    assert.match(r?.headers.get('retry-after') ?? '', /^\d+$/);
  });
});
