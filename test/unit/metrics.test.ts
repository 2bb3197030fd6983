// The metrics registry: outcomes and latencies recorded through the observer ports, gauges read
// from stub sources on scrape, DB-derived gauges cached between scrapes, lag computed per partition,
// and the alert rules and dashboard refer only to metrics that exist.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createPartitionAssignment } from '../../src/metrics/assignment';
import { createMetrics, type Metrics } from '../../src/metrics/metrics';
import { computeLag, type PartitionLag } from '../../src/metrics/lag';
import { registerLateMerchantsGauge } from '../../src/stats/late-gauge';
import { registerPrintQueueGauges } from '../../src/printing/gauge';

const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test('events, latencies and order-service calls are counted', async () => {
  const now = Date.parse('2026-11-22T12:00:01.000Z');
  const m = createMetrics({ processMetrics: false, now: () => now });
  m.consumer.record('applied', { partition: 0, occurredAt: '2026-11-22T12:00:00.800Z' });
  m.consumer.record('applied', { partition: 1, occurredAt: 'not a date' });
  m.consumer.record('parked', { partition: 0 });
  m.consumer.record('dead_lettered', { partition: 2, reason: 'not_json' });
  m.consumer.infraError(new Error('db down'));
  m.orderService.observe('ok', 0.02);
  m.orderService.observe('throttled', 0.001);
  m.observePushLatency(0.03);
  m.retryAttempt('failed');
  m.writeGroups.group(1, 0.004);
  m.writeGroups.group(57, 0.04);
  const text = await m.metricsText();
  assert.equal(value(text, 'kds_events_total{outcome="applied"}'), 2);
  assert.equal(value(text, 'kds_events_total{outcome="duplicate"}'), 0, 'every outcome is exported from the start');
  assert.equal(value(text, 'kds_events_total{outcome="parked"}'), 1);
  assert.equal(value(text, 'kds_events_total{outcome="dead_lettered"}'), 1);
  assert.equal(value(text, 'kds_consumer_infra_errors_total'), 1);
  assert.equal(value(text, 'kds_event_apply_latency_seconds_count'), 1);
  assert.equal(value(text, 'kds_event_apply_latency_seconds_bucket{le="0.25"}'), 1);
  assert.equal(value(text, 'kds_event_apply_latency_seconds_bucket{le="0.1"}'), 0);
  assert.equal(value(text, 'kds_order_service_calls_total{outcome="throttled"}'), 1);
  assert.equal(value(text, 'kds_order_service_call_seconds_count{result="ok"}'), 1);
  assert.equal(value(text, 'kds_push_latency_seconds_count'), 1);
  assert.equal(value(text, 'kds_retry_attempts_total{outcome="failed"}'), 1);
  assert.equal(value(text, 'kds_write_group_events_count'), 2);
  assert.equal(value(text, 'kds_write_group_events_sum'), 58);
  assert.equal(value(text, 'kds_write_group_events_bucket{le="50"}'), 1);
  assert.equal(value(text, 'kds_write_group_seconds_bucket{le="0.005"}'), 1);
  assert.equal(text.includes('process_resident_memory_bytes'), false);
});

test('gauges read their sources on scrape', async () => {
  const m = createMetrics({ processMetrics: false });
  let throttled = 3;
  m.track({
    scheduler: { active: () => 5, pending: () => 40, limit: () => 64 },
    gate: { inFlight: () => 7, queued: () => 9, throttled: () => throttled, limits: () => ({ maxConcurrent: 16, maxPerSecond: 200 }) },
    clientCount: () => 2,
    settings: {
      current: () => ({ processingConcurrency: 64, orderServiceMaxConcurrent: 16, orderServiceMaxPerSecond: 200, retryBatchSize: 100 }),
      isConnected: () => false,
      refusals: () => ({ processingConcurrency: 0, orderServiceMaxConcurrent: 2, orderServiceMaxPerSecond: 0, retryBatchSize: 0 }),
    },
    lag: { snapshot: () => ({ at: Date.now(), partitions: [{ topic: 't', partition: 1, high: 10, committed: 4, lag: 6 }] }) },
    assignment: { owned: () => new Set([1]), count: () => 1 },
  });
  let text = await m.metricsText();
  assert.equal(value(text, 'kds_work_active'), 5);
  assert.equal(value(text, 'kds_work_pending'), 40);
  assert.equal(value(text, 'kds_order_service_in_flight'), 7);
  assert.equal(value(text, 'kds_order_service_queued'), 9);
  assert.equal(value(text, 'kds_order_service_limit{kind="per_second"}'), 200);
  assert.equal(value(text, 'kds_order_service_throttled_total'), 3);
  assert.equal(value(text, 'kds_websocket_clients'), 2);
  assert.equal(value(text, 'kds_zookeeper_connected'), 0);
  assert.equal(value(text, 'kds_setting{name="order-service.max-rps"}'), 200);
  assert.equal(value(text, 'kds_settings_refused{name="order-service.max-concurrency"}'), 2);
  assert.equal(value(text, 'kds_consumer_lag{topic="t",partition="1"}'), 6);
  assert.equal(value(text, 'kds_consumer_partitions_assigned'), 1);
  throttled = 10;
  text = await m.metricsText();
  assert.equal(value(text, 'kds_order_service_throttled_total'), 10);
});

test('database gauges are cached between scrapes and report failures', async () => {
  const m = createMetrics({ processMetrics: false });
  let reads = 0;
  let fail = false;
  m.trackDatabase(
    {
      read: () => {
        reads++;
        if (fail) return Promise.reject(new Error('db down'));
        return Promise.resolve({ retryByStatus: { PENDING: 4, FAILED: 1 }, blockedOrders: 3, oldestBlockedSeconds: 42.5 });
      },
    },
    { reporter: { isLeader: () => true }, cacheMs: 60_000 },
  );
  const text = await m.metricsText();
  await m.metricsText();
  assert.equal(reads, 1, 'one query for several scrapes inside the cache time');
  assert.equal(value(text, 'kds_retry_entries{status="FAILED"}'), 1);
  assert.equal(value(text, 'kds_retry_entries{status="PENDING"}'), 4);
  assert.equal(value(text, 'kds_blocked_orders'), 3);
  assert.equal(value(text, 'kds_blocked_oldest_age_seconds'), 42.5);
  assert.equal(value(text, 'kds_db_stats_up'), 1);

  const failing = createMetrics({ processMetrics: false });
  fail = true;
  failing.trackDatabase({ read: () => Promise.reject(new Error('db down')) }, { reporter: { isLeader: () => true }, cacheMs: 0 });
  assert.equal(value(await failing.metricsText(), 'kds_db_stats_up'), 0);
});

test('lag per partition: high watermark minus committed, from low when nothing is committed', () => {
  const lag = computeLag(
    't',
    [
      { partition: 1, high: '100', low: '0' },
      { partition: 0, high: '50', low: '20' },
      { partition: 2, high: '7', low: '0' },
    ],
    [
      { partition: 0, offset: '-1' },
      { partition: 1, offset: '90' },
    ],
  );
  assert.deepEqual(lag.map((p) => [p.partition, p.lag]), [[0, 30], [1, 10], [2, 7]]);
});

test('every metric the alert rules and the Grafana dashboard use is exported', async () => {
  const root = path.resolve(__dirname, '..', '..');
  const m = createMetrics();
  m.track({
    scheduler: { active: () => 0, pending: () => 0, limit: () => 1 },
    gate: { inFlight: () => 0, queued: () => 0, throttled: () => 0, limits: () => ({ maxConcurrent: 1, maxPerSecond: 1 }) },
    clientCount: () => 0,
    settings: {
      current: () => ({ processingConcurrency: 1, orderServiceMaxConcurrent: 1, orderServiceMaxPerSecond: 1, retryBatchSize: 1 }),
      isConnected: () => true,
      refusals: () => ({ processingConcurrency: 0, orderServiceMaxConcurrent: 0, orderServiceMaxPerSecond: 0, retryBatchSize: 0 }),
    },
    lag: { snapshot: () => ({ at: Date.now(), partitions: [] }) },
  });
  m.trackDatabase(
    { read: () => Promise.resolve({ retryByStatus: { PENDING: 0, FAILED: 0 }, blockedOrders: 0, oldestBlockedSeconds: 0 }) },
    { reporter: { isLeader: () => true } },
  );
  // the stats builder's gauge (src/stats/build.ts registers it on the cluster registry)
  registerLateMerchantsGauge(m.clusterRegistry, { read: () => Promise.resolve({ merchants: 0, oldestWaitingSeconds: 0 }) });
  // the printers' builder's gauges (src/printing/build.ts, on the cluster registry too)
  registerPrintQueueGauges(m.clusterRegistry, { read: () => Promise.resolve({ queued: 0, oldestSeconds: 0 }) });
  const exported = new Set(
    [...(await m.registry.getMetricsAsJSON()), ...(await m.clusterRegistry.getMetricsAsJSON())].map((x) => x.name),
  );
  const used = new Set<string>();
  for (const file of ['infra/prometheus/alerts.yml', 'infra/grafana/dashboards/kds.json']) {
    for (const hit of readFileSync(path.join(root, file), 'utf8').matchAll(/\b((?:kds|process|nodejs)_[a-z0-9_]+)/g)) {
      used.add((hit[1] as string).replace(/_(bucket|count|sum)$/, ''));
    }
  }
  assert.ok(used.size > 15);
  assert.deepEqual([...used].filter((n) => !exported.has(n)), []);
});

test('database gauges are exported by the elected instance only: absent elsewhere, not 0', async () => {
  let leader = false;
  let reads = 0;
  const m = createMetrics({ processMetrics: false });
  m.trackDatabase(
    { read: () => (reads++, Promise.resolve({ retryByStatus: { PENDING: 4, FAILED: 1 }, blockedOrders: 3, oldestBlockedSeconds: 9 })) },
    { reporter: { isLeader: () => leader }, cacheMs: 60_000 },
  );
  let text = await m.metricsText();
  for (const name of ['kds_retry_entries', 'kds_blocked_orders', 'kds_blocked_oldest_age_seconds', 'kds_db_stats_up']) {
    assert.equal(sumOver([text], name).samples, 0, `${name} is not exported by a follower`);
  }
  assert.equal(value(text, 'kds_db_gauges_reporter'), 0);
  assert.equal(reads, 0, 'a follower does not query the database');

  leader = true;
  text = await m.metricsText();
  assert.equal(value(text, 'kds_retry_entries{status="PENDING"}'), 4);
  assert.equal(value(text, 'kds_blocked_orders'), 3);
  assert.equal(value(text, 'kds_db_gauges_reporter'), 1);
  assert.equal(reads, 1);

  leader = false;
  assert.equal(sumOver([await m.metricsText()], 'kds_retry_entries').samples, 0, 'leadership lost: the series go away');
});

test('partition assignment follows joins and losses', () => {
  const a = createPartitionAssignment();
  assert.deepEqual([...a.owned('t')], []);
  a.joined({ t: [0, 2], other: [1] });
  assert.deepEqual([...a.owned('t')].sort(), [0, 2]);
  assert.equal(a.count(), 3);
  a.joined({ t: [1] });
  assert.deepEqual([...a.owned('t')], [1], 'a new generation replaces the old assignment');
  assert.deepEqual([...a.owned('other')], []);
  a.lost();
  assert.equal(a.count(), 0);
  assert.deepEqual([...a.owned('t')], []);
});

/** Sums each series name's samples over several instances' /metrics texts, as sum() would. */
function sumOver(texts: string[], name: string): { sum: number; samples: number } {
  let sum = 0;
  let samples = 0;
  for (const t of texts) {
    for (const line of t.split('\n')) {
      const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
      if (m?.[1] === name) {
        sum += Number(m[3]);
        samples += 1;
      }
    }
  }
  return { sum, samples };
}

test('summed over three instances, the cluster-wide gauges equal the truth once', async () => {
  // the lag monitor of every instance reads all four partitions (one admin call either way)
  const partitions: PartitionLag[] = [0, 1, 2, 3].map((p) => ({ topic: 't', partition: p, high: 100, committed: 100 - 10 * (p + 1), lag: 10 * (p + 1) }));
  const owners = [[0, 3], [1], [2]];
  const stats = { retryByStatus: { PENDING: 7, FAILED: 2 }, blockedOrders: 5, oldestBlockedSeconds: 30 };
  const instances: Metrics[] = owners.map((own, i) => {
    const m = createMetrics({ processMetrics: false });
    const assignment = createPartitionAssignment();
    assignment.joined({ t: own });
    m.track({ lag: { snapshot: () => ({ at: Date.now(), partitions }) }, assignment });
    m.trackDatabase({ read: () => Promise.resolve(stats) }, { reporter: { isLeader: () => i === 1 } });
    return m;
  });
  const texts = await Promise.all(instances.map((m) => m.metricsText()));
  assert.deepEqual(sumOver(texts, 'kds_consumer_lag'), { sum: 100, samples: 4 }, 'each partition once');
  assert.deepEqual(sumOver(texts, 'kds_consumer_partitions_assigned'), { sum: 4, samples: 3 });
  assert.deepEqual(sumOver(texts, 'kds_retry_entries'), { sum: 9, samples: 2 });
  assert.deepEqual(sumOver(texts, 'kds_blocked_orders'), { sum: 5, samples: 1 });
  assert.deepEqual(sumOver(texts, 'kds_db_gauges_reporter'), { sum: 1, samples: 3 });
});

test('no lag is exported without an assignment (between a rebalance and the next join)', async () => {
  const m = createMetrics({ processMetrics: false });
  const assignment = createPartitionAssignment();
  m.track({ lag: { snapshot: () => ({ at: Date.now(), partitions: [{ topic: 't', partition: 0, high: 5, committed: 0, lag: 5 }] }) }, assignment });
  assert.equal(sumOver([await m.metricsText()], 'kds_consumer_lag').samples, 0);
  assignment.joined({ t: [0] });
  assert.equal(value(await m.metricsText(), 'kds_consumer_lag{topic="t",partition="0"}'), 5);
  assignment.lost();
  assert.equal(sumOver([await m.metricsText()], 'kds_consumer_lag').samples, 0);
});
