// `npm run simulate:traffic`: publish generated order traffic to Kafka, writing each order body
// to the order-service simulator (admin API) before its event.
//   --burst N                        N events as fast as possible, or
//   --rate N [--duration S]          N events/s (for S seconds, else until --orders are done)
//   --orders N --merchants N --seed N --window N --id-prefix P
//   --brokers h:p,.. (KAFKA_BROKERS) --env dev (KDS_ENV) --topic (<env>_order)
//   --simulator-url (SIMULATOR_URL, http://127.0.0.1:8090) --gzip --batch N
//   --malformed N --wrong-env N      mix in contract-breaking records (demo of the quarantine)
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { createSimulatorAdminClient } from './admin-client';
import { generateTraffic } from './scenario';
import { runTraffic, type TrafficMode } from './traffic';

function fail(message: string): never {
  process.stderr.write(`simulate:traffic: ${message}\n`);
  process.exit(2);
}

const OPTIONS = {
  brokers: { type: 'string' }, env: { type: 'string' }, topic: { type: 'string' },
  'simulator-url': { type: 'string' }, rate: { type: 'string' }, duration: { type: 'string' },
  burst: { type: 'string' }, orders: { type: 'string' }, merchants: { type: 'string' },
  gzip: { type: 'boolean' }, seed: { type: 'string' }, window: { type: 'string' },
  'id-prefix': { type: 'string' }, batch: { type: 'string' },
  malformed: { type: 'string' }, 'wrong-env': { type: 'string' },
} as const;

// Inside main() so an unknown flag ends in fail()'s one line, not a stack trace.
const args = () => parseArgs({ options: OPTIONS, strict: true }).values;

function int(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min) fail(`--${name} must be an integer >= ${min}, got "${raw}"`);
  return Number(raw);
}

async function main(): Promise<void> {
  const a = args();
  const env = a.env ?? process.env.KDS_ENV ?? 'dev';
  if (!/^[a-z0-9]+$/.test(env)) fail(`--env must match [a-z0-9]+, got "${env}"`);
  const topic = a.topic ?? `${env}_order`;
  const brokers = (a.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((s) => s.trim()).filter(Boolean);
  const simulatorUrl = a['simulator-url'] ?? process.env.SIMULATOR_URL ?? 'http://127.0.0.1:8090';
  const burstN = int('burst', a.burst, 1);
  const rate = int('rate', a.rate, 1);
  const durationS = int('duration', a.duration, 1);
  if ((burstN === undefined) === (rate === undefined)) fail('give exactly one of --burst N or --rate N');
  const wanted = burstN ?? (durationS !== undefined ? (rate as number) * durationS : undefined);
  // ~4.3 events per order on average; /3 leaves headroom so the stream never runs short.
  const orders = int('orders', a.orders, 1) ?? (wanted !== undefined ? Math.ceil(wanted / 3) + 1 : 100);
  const idPrefix = a['id-prefix'] ?? `R${randomBytes(3).toString('hex')}-`;
  const window = int('window', a.window, 1) ?? (rate !== undefined ? 50 : undefined);
  let steps = generateTraffic({
    orders, seed: int('seed', a.seed, 0) ?? 1, merchants: int('merchants', a.merchants, 1) ?? 5,
    idPrefix, startMs: Date.now(), ...(window === undefined ? {} : { window }),
  });
  if (burstN !== undefined) steps = steps.slice(0, burstN);
  const mode: TrafficMode = burstN !== undefined
    ? { kind: 'burst' }
    : { kind: 'rate', perSecond: rate as number, ...(durationS === undefined ? {} : { durationMs: durationS * 1000 }) };

  const kafka = new Kafka({ clientId: 'kds-traffic', brokers, logLevel: logLevel.WARN });
  // The Java-compatible murmur2 partitioner: same key → same partition as the order system's producers.
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const abort = new AbortController();
  const stop = (): void => {
    if (abort.signal.aborted) process.exit(1);
    abort.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const r = await runTraffic({
      producer, writer: createSimulatorAdminClient(simulatorUrl), topic, env, steps, mode,
      gzip: a.gzip === true, batchSize: int('batch', a.batch, 1) ?? 500,
      malformed: int('malformed', a.malformed, 0) ?? 0, wrongEnv: int('wrong-env', a['wrong-env'], 0) ?? 0,
      faultIdPrefix: `${idPrefix}BAD-`, signal: abort.signal,
    });
    const byStatus: Record<string, number> = {};
    for (const o of r.orders.values()) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
    process.stdout.write(
      `published ${r.events} events + ${r.injected.length} injected to ${topic} in ${(r.durationMs / 1000).toFixed(1)}s ` +
        `(${Math.round(r.recordsPerSecond)} rec/s); orders=${r.orders.size} ${JSON.stringify(byStatus)} prefix=${idPrefix}\n`,
    );
  } finally {
    await producer.disconnect();
  }
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
