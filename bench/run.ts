// `npm run bench [-- baseline ceiling burst latency idle instances cost screens history archive shards] [--events N] [--rate N]
// [--scale F] [--days N] [--base-seconds N] [--kds-node-args=...] [--mariadb-args=...] [--profile]`:
// runs the scenarios on the real
// local stack (Kafka, MariaDB, ZooKeeper; `npm run infra:up`) and prints one JSON line each.
// docs/throughput.md explains each scenario and records the results.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO } from '../test/support/processes';
import { archive } from './scenarios/archive';
import { baseline } from './scenarios/baseline';
import { burst } from './scenarios/burst';
import { ceiling } from './scenarios/ceiling';
import { history } from './scenarios/history';
import { cost } from './scenarios/cost';
import { idle } from './scenarios/idle';
import { instances } from './scenarios/instances';
import { latency } from './scenarios/latency';
import { screens } from './scenarios/screens';
import { shards } from './scenarios/shards';
import type { BenchOptions, ScenarioResult } from './scenarios/types';

const SCENARIOS: Record<string, (o: BenchOptions) => Promise<ScenarioResult>> = {
  baseline,
  ceiling,
  burst,
  latency,
  idle,
  instances,
  cost,
  screens,
  history,
  archive,
  shards,
};

/** Live settings of the benchmark: the order-service caps are raised to the sane maximum for the
 * throughput scenarios (the burst scenario sets its own); see docs/throughput.md. */
const THROUGHPUT_SETTINGS = { processingConcurrency: 256, orderServiceMaxConcurrent: 64, orderServiceMaxPerSecond: 5000 };

/**
 * Node flags of the KDS process. V8 sizes its heap from the machine's memory and, under a steady
 * allocation rate, keeps ~230 MB of heap for ~50 MB of live data: the 100,000-event burst peaked
 * at 334 MB RSS with default flags and 186 MB with a 384 MB old-space limit, at the same
 * throughput (docs/throughput.md). A 32 MB semi-space (V8's default is 16) halves the scavenges of
 * the pipeline's short-lived garbage: main-thread GC 15.4 → 7.7 % of the `cost` profile, KDS CPU
 * per event −16 %, RSS +28 MB with 2,000 screens (docs/throughput.md, "Memory").
 * `--kds-node-args=` (empty) measures the defaults.
 */
const KDS_NODE_ARGS = ['--max-old-space-size=384', '--max-semi-space-size=32'];
const PROFILE_DIR = path.join(REPO, '.cache', 'bench', 'prof');

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: {
      events: { type: 'string' },
      merchants: { type: 'string' },
      rate: { type: 'string' },
      scale: { type: 'string' },
      days: { type: 'string' },
      // archive: how long live latency is measured without the job (default 30)
      'base-seconds': { type: 'string' },
      // node flags for the KDS process, e.g. --kds-node-args=--max-old-space-size=384
      'kds-node-args': { type: 'string' },
      // the KDS process writes a V8 CPU profile into .cache/bench/prof/ when it stops;
      // `npx tsx bench/profile-top.ts <file>` lists where its time went
      profile: { type: 'boolean' },
      // extra options for the benchmark's own MariaDB (scenarios that start one), e.g.
      // --mariadb-args=--innodb-buffer-pool-size=2G
      'mariadb-args': { type: 'string' },
    },
    allowPositionals: true,
  });
  const names = positionals.length > 0 ? positionals : Object.keys(SCENARIOS);
  const unknown = names.filter((n) => !(n in SCENARIOS));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  for (const name of names) {
    const run = SCENARIOS[name] as (o: BenchOptions) => Promise<ScenarioResult>;
    const started = Date.now();
    const result = await run({
      ...(values.events ? { events: Number(values.events) } : {}),
      ...(values.rate ? { rate: Number(values.rate) } : {}),
      ...(values.scale ? { scale: Number(values.scale) } : {}),
      ...(values.days ? { days: Number(values.days) } : {}),
      ...(values['base-seconds'] ? { baseSeconds: Number(values['base-seconds']) } : {}),
      kdsNodeArgs: [
        ...(values['kds-node-args'] === undefined ? KDS_NODE_ARGS : values['kds-node-args'].split(/\s+/).filter(Boolean)),
        ...(values.profile === true ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
      ],
      mariadbArgs: (values['mariadb-args'] ?? '').split(/\s+/).filter(Boolean),
      merchants: values.merchants ? Number(values.merchants) : 20,
      settings: THROUGHPUT_SETTINGS,
      kdsEnv: {},
    });
    process.stdout.write(`${JSON.stringify({ ...result, wallSeconds: Math.round((Date.now() - started) / 1000), at: new Date().toISOString() })}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
