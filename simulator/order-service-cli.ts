// `npm run simulate:orders`: the order-service simulator as a standalone process.
//   SIMULATOR_PORT (8090), SIMULATOR_HOST (127.0.0.1)
//   SIM_LATENCY_MS ("20" or "10-50"), SIM_ERROR_RATE (0..1), SIM_REPLICA_LAG_MS: initial switches.
import { createOrderServiceSimulator } from './order-service';
import { parseSwitches, type Switches } from './switches';

function fail(message: string): never {
  process.stderr.write(`simulate:orders: ${message}\n`);
  process.exit(2);
}

function num(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) fail(`${name} must be a number, got "${raw}"`);
  return n;
}

function initialSwitches(): Partial<Switches> {
  const raw: Record<string, unknown> = {};
  const latency = process.env.SIM_LATENCY_MS?.trim();
  if (latency !== undefined && latency !== '') {
    const range = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(latency);
    raw.latencyMs = range ? { min: Number(range[1]), max: Number(range[2]) } : num('SIM_LATENCY_MS');
  }
  const errorRate = num('SIM_ERROR_RATE');
  if (errorRate !== undefined) raw.errorRate = errorRate;
  const lag = num('SIM_REPLICA_LAG_MS');
  if (lag !== undefined) raw.replicaLagMs = lag;
  const parsed = parseSwitches(raw);
  if (!parsed.ok) fail(parsed.error);
  return parsed.value;
}

async function main(): Promise<void> {
  const port = num('SIMULATOR_PORT') ?? 8090;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`SIMULATOR_PORT must be a port, got ${port}`);
  const host = process.env.SIMULATOR_HOST?.trim() || '127.0.0.1';
  const switches = initialSwitches();
  const sim = await createOrderServiceSimulator({ port, host });
  sim.setGlobal(switches);
  process.stdout.write(`order-service simulator listening on ${sim.url} switches=${JSON.stringify(switches)}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    // A second signal while closing forces the exit.
    if (stopping) process.exit(1);
    stopping = true;
    process.stdout.write(`order-service simulator stopping (${signal})\n`);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => fail(`close failed: ${String(err)}`),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
