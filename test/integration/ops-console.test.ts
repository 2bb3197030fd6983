// The on-call console's API on the real stack (issue 22): dead letters listed with their reason and
// bytes, replayed through the consumer's own path (one dead letter per record whatever happens,
// the version guard kept), discarded for audit, paged; a retry entry with the queue behind it; the
// live panels.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeadLetterView } from '../../src/dead-letters/views';
import type { OpsStatus } from '../../src/ops/status';
import type { EntryView } from '../../src/retry/admin-sql';
import { body, eventFor, record } from '../support/events';
import { failedOrder, NOT_UTF8, startOpsStack, type OpsStack } from '../support/ops-stack';
import { count, orderRow } from '../support/orders';
import { waitFor } from '../support/wait';

const valueOf = (d: DeadLetterView | undefined): { orderId?: string; version?: number } =>
  JSON.parse(String(d?.valueText)) as { orderId?: string; version?: number };

type Replay = { outcome: string; reason?: string; detail?: string; deadLetter: DeadLetterView };

describe('on-call console API', () => {
  let s: OpsStack;
  const list = async (q = ''): Promise<DeadLetterView[]> => (await s.call('GET', `/api/dead-letters${q}`)).body as DeadLetterView[];
  const byKey = async (key: string, q = ''): Promise<DeadLetterView | undefined> => (await list(q)).find((d) => d.key === key);

  before(async () => {
    s = await startOpsStack('opsconsole');
    await s.refuseParking('STUCK-', 'parking refused (first)');
    // STUCK-1: version 1 then 2, both unparkable (the order service has no answer: park → refused)
    await s.send(
      { key: 'BAD-1', value: NOT_UTF8, headers: { env: 'test', trace: 'abc' }, partition: 0 },
      ...[1, 2].map((v) => ({ ...record(eventFor(body('STUCK-1', v), v === 1 ? 'ORDER_PLACED' : 'ORDER_PAID')), partition: 1 })),
    );
    await waitFor('three dead letters', async () => (await list()).length === 3, 30_000);
  });

  after(async () => {
    await s?.close();
  });

  it('lists a malformed record and a record that cannot be parked with their reason and bytes', async () => {
    const bad = await byKey('BAD-1');
    assert.equal(bad?.reason, 'not_json');
    assert.equal(bad?.status, 'KEPT');
    assert.equal(bad?.valueText, null, 'not UTF-8: no text');
    assert.equal(bad?.valueBase64, NOT_UTF8.toString('base64'));
    assert.deepEqual(bad?.headers, { env: 'test', trace: 'abc' });
    assert.equal(bad?.partition, 0);
    assert.ok(typeof bad?.offset === 'number' && Date.parse(bad.receivedAt) > 0);

    const stuck = (await list()).filter((d) => d.key === 'STUCK-1');
    assert.equal(stuck.length, 2);
    for (const d of stuck) {
      assert.equal(d.reason, 'unprocessable');
      assert.match(String(d.detail), /parking refused \(first\)/);
      assert.equal(valueOf(d).orderId, 'STUCK-1', 'UTF-8: the value as text');
      assert.equal(Buffer.from(String(d.valueBase64), 'base64').toString('utf8'), d.valueText);
    }
    assert.ok((stuck[0]?.id ?? 0) > (stuck[1]?.id ?? 0), 'newest first');
  });

  it('a replay that fails again leaves exactly one dead letter, with the new reason', async () => {
    await s.refuseParking('STUCK-', 'parking refused (second)');
    const v1 = (await list()).find((d) => d.key === 'STUCK-1' && valueOf(d).version === 1);
    const r = await s.call('POST', `/api/dead-letters/${v1?.id}/replay`);
    assert.equal(r.status, 200);
    const answer = r.body as Replay;
    assert.equal(answer.outcome, 'dead_lettered');
    assert.equal(answer.reason, 'unprocessable');
    assert.match(String(answer.detail), /parking refused \(second\)/);
    assert.equal(answer.deadLetter.id, v1?.id);
    assert.equal(answer.deadLetter.status, 'KEPT');
    assert.equal(answer.deadLetter.replays, 1);
    assert.match(String(answer.deadLetter.detail), /second/);
    assert.equal(await count(s.db.pool, "SELECT COUNT(*) AS n FROM dead_letters WHERE record_key = 'STUCK-1'"), 2, 'still one row per record');
    assert.equal(await count(s.db.pool, "SELECT COUNT(*) AS n FROM retry_entries WHERE order_id = 'STUCK-1'"), 0);
  });

  it('a replay that now succeeds applies it (its order appears); an older one replayed after it is a duplicate', async () => {
    await s.allowParking(); // the fix
    s.answers.set('STUCK-1', body('STUCK-1', 2));
    const stuck = (await list()).filter((d) => d.key === 'STUCK-1');
    const [v2, v1] = [2, 1].map((v) => stuck.find((d) => valueOf(d).version === v));
    const first = (await s.call('POST', `/api/dead-letters/${v2?.id}/replay`)).body as Replay;
    assert.equal(first.outcome, 'applied');
    assert.equal((await orderRow(s.db.pool, 'STUCK-1'))?.version, 2);
    assert.equal(first.deadLetter.status, 'DISCARDED', 'settled: it leaves the default list');
    assert.equal(first.deadLetter.lastOutcome, 'applied');

    const older = (await s.call('POST', `/api/dead-letters/${v1?.id}/replay`)).body as Replay;
    assert.equal(older.outcome, 'duplicate', 'the version guard holds for replays');
    assert.equal((await orderRow(s.db.pool, 'STUCK-1'))?.version, 2);
    assert.deepEqual((await list()).map((d) => d.key), ['BAD-1']);
  });

  it('discard hides it from the default list, keeps it for audit, and is harmless to repeat', async () => {
    const bad = await byKey('BAD-1');
    const r = await s.call('POST', `/api/dead-letters/${bad?.id}/discard`);
    assert.equal(r.status, 200);
    assert.equal((r.body as DeadLetterView).status, 'DISCARDED');
    assert.equal(await byKey('BAD-1'), undefined);
    assert.equal((await byKey('BAD-1', '?status=DISCARDED'))?.status, 'DISCARDED');
    const again = await s.call('POST', `/api/dead-letters/${bad?.id}/discard`);
    assert.equal(again.status, 200);
    assert.equal((again.body as DeadLetterView).discardedAt, (r.body as DeadLetterView).discardedAt);
    assert.equal((await s.call('POST', '/api/dead-letters/999999/discard')).status, 404);
    assert.equal((await s.call('POST', '/api/dead-letters/999999/replay')).status, 404);
  });

  it('pages newest first with limit and before', async () => {
    const keys = Array.from({ length: 5 }, (_, i) => `PAGE-${i}`);
    await s.send(...keys.map((k) => ({ key: k, value: '{not json', headers: { env: 'test' }, partition: 0 })));
    await waitFor('five more', async () => (await list()).length === 5, 30_000);
    const seen: number[] = [];
    let before: string | null = null;
    for (let page = 0; page < 4; page++) {
      const r = await s.call('GET', `/api/dead-letters?limit=2${before === null ? '' : `&before=${before}`}`);
      const rows = r.body as DeadLetterView[];
      seen.push(...rows.map((d) => d.id));
      before = r.headers.get('x-next-before');
      if (before === null) break;
      assert.equal(rows.length, 2);
    }
    assert.equal(seen.length, 5);
    assert.deepEqual(seen, [...seen].sort((a, b) => b - a), 'ids strictly newest first across pages');
    assert.equal(new Set(seen).size, 5);
    assert.equal((await s.call('GET', '/api/dead-letters?limit=501')).status, 400);
    assert.equal((await s.call('GET', '/api/dead-letters?status=GONE')).status, 400);
  });

  it('GET /api/retries/{id} shows the entry with its order queue behind it, oldest first', async () => {
    await failedOrder(s, 'FAILQ-1', 2);
    const failed = await waitFor('a FAILED head with two behind', async () => {
      const e = ((await s.call('GET', '/api/retries?status=FAILED')).body as EntryView[]).find((x) => x.orderId === 'FAILQ-1');
      return e?.waitingBehind === 2 ? e : undefined;
    }, 30_000);
    const r = await s.call('GET', `/api/retries/${failed.id}`);
    assert.equal(r.status, 200);
    const entry = r.body as EntryView & { queue: EntryView[] };
    assert.equal(entry.status, 'FAILED');
    assert.match(String(entry.lastError), /items/);
    assert.deepEqual(entry.queue.map((q) => q.eventVersion), [2, 3]);
    assert.ok(entry.queue.every((q) => q.status === 'PENDING' && !q.head));
    assert.equal((await s.call('GET', '/api/retries/999999')).status, 404);
  });

  it('GET /api/ops/status has lag per partition, the order service, the settings and this instance', async () => {
    const st = await waitFor('a lag read', async () => {
      const b = (await s.call('GET', '/api/ops/status')).body as OpsStatus;
      return b.lag !== null ? b : undefined;
    }, 30_000);
    assert.deepEqual(st.lag?.partitions.map((p) => p.partition), [0, 1]);
    assert.equal(st.orderService.breakerOpen, false);
    assert.ok(st.orderService.caps.maxConcurrent >= 1);
    assert.ok(st.settings.some((x) => x.name === 'order-service.max-concurrency'));
    assert.equal(st.cluster?.filter((m) => m.self).length, 1);
    assert.equal(st.counts.failed, 1);
    const kitchen = await fetch(`${s.base}/api/ops/status`);
    assert.equal(kitchen.status, 401);
  });
});
