// Screens: one KDS instance, traffic of 1,000 merchants at 500 events/s, publication → screen
// latency of `order` frames with 20 screens (20 merchants) and then with 2,000 screens (2 per
// merchant), in the same run; the KDS's RSS with 2,000; then a deploy: the KDS is stopped and a
// new one started, and all 2,000 screens reconnect spread over 10 s while traffic goes on:
// connect → snapshot p99, MySQL connections (Threads_connected of the run's own MariaDB),
// the new process's CPU, and any screen the server refused or closed.
import type { RowDataPacket } from 'mysql2/promise';
import mysql from 'mysql2/promise';
import { createOrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic } from '../../simulator/scenario';
import { producer } from '../../test/support/kafka';
import { writeSettings } from '../../test/support/zk';
import { LatencyBook, openScreen, publishFor, summary, type Screen } from '../lib/live';
import { load1 } from '../lib/offsets';
import { startPrivateMariadb } from '../lib/private-mariadb';
import { cpuMeter } from '../lib/processes';
import { prepareStage, startKds, type Kds } from '../lib/stack';
import { round } from './ceiling';
import type { BenchOptions, ScenarioResult } from './types';

const RATE = 500;
const MERCHANTS = 1000;
const PHASE_S = 20;
/**
 * A bench of 2,000 screens on one address: the per-address and per-token connect limits off, and
 * the cap of open sockets per address (LIMIT_WS_ADDRESS_OPEN) above the bench's count (each
 * merchant's token holds 2, under the contract's 20 per token). The per-address API limit is off
 * too: the history scenario's probes call boards and stats from one address as fast as they are
 * answered, which on a quiet machine is more than a till's share (it was refused with 429).
 */
export const NO_CONNECT_LIMITS = {
  LIMIT_WS_ADDRESS_PER_MIN: '0', LIMIT_WS_ADDRESS_BURST: '0', LIMIT_WS_TOKEN_PER_MIN: '0', LIMIT_WS_TOKEN_BURST: '0',
  LIMIT_WS_ADDRESS_OPEN: '1000000', LIMIT_API_ADDRESS_PER_MIN: '0', LIMIT_API_ADDRESS_BURST: '0',
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function screens(opts: BenchOptions): Promise<ScenarioResult> {
  const rate = opts.rate ?? RATE;
  const total = opts.events === undefined ? 2000 : Math.max(20, opts.events);
  const db = await startPrivateMariadb('screens', opts.mariadbArgs);
  const stage = await prepareStage('screens', 4, db.url);
  const sim = await createOrderServiceSimulator();
  const prod = await producer();
  const admin = await mysql.createConnection({ uri: db.url });
  const all: Screen[] = [];
  let kds: Kds | undefined;
  try {
    await writeSettings(stage.zkRoot, opts.settings);
    const steps = generateTraffic({ orders: Math.ceil((rate * PHASE_S * 5) / 3), seed: 71, merchants: MERCHANTS, window: 300 });
    const merchants = [...new Set(steps.map((s) => s.event.merchantId))].sort();
    let cursor = 0;
    const book = new LatencyBook();
    const phase = async (seconds: number): Promise<number[]> => {
      book.take();
      cursor += await publishFor(prod, stage.topic, sim, steps.slice(cursor), rate, book, seconds).done;
      await sleep(2000); // the tail
      return book.take();
    };
    const env = { ...opts.kdsEnv, ...NO_CONNECT_LIMITS };
    kds = await startKds(stage, sim.url, env, opts.kdsNodeArgs);
    const onOrder = (o: string, v: number): void => book.seen(o, v);

    // 20 screens: warm-up, then the baseline
    for (const m of merchants.slice(0, 20)) all.push(await openScreen(kds.port, m, onOrder));
    await phase(10);
    const load20 = load1();
    const few = summary(await phase(PHASE_S));

    // 2,000 screens over every merchant (2 each), 50 connecting at a time
    const targets = Array.from({ length: total - 20 }, (_, i) => merchants[(i + 20) % merchants.length] as string);
    for (let i = 0; i < targets.length; i += 50) {
      all.push(...(await Promise.all(targets.slice(i, i + 50).map((m) => openScreen(kds!.port, m, onOrder)))));
    }
    const cpuMany = cpuMeter({ kds: kds.pid, mariadb: db.pid() });
    const loadMany = load1();
    const many = summary(await phase(PHASE_S));
    const usedMany = cpuMany();
    const memMany = kds.memory();

    // a deploy: a new process, every screen reconnecting within 10 s while traffic goes on
    const screenMerchants = all.map((s, i) => (i < 20 ? merchants[i] : targets[i - 20]) as string);
    for (const s of all) s.ws.terminate();
    all.length = 0;
    await kds.stop();
    kds = await startKds(stage, sim.url, env, opts.kdsNodeArgs);
    let maxConnections = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const [rows] = await admin.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Threads_connected'");
        maxConnections = Math.max(maxConnections, Number(rows[0]?.Value ?? 0) - 1); // minus this poller
        await sleep(100);
      }
    })();
    const cpuStorm = cpuMeter({ kds: kds.pid, mariadb: db.pid() });
    const loadStorm = load1();
    const traffic = publishFor(prod, stage.topic, sim, steps.slice(cursor), rate, book, 15);
    const refused: string[] = [];
    const port = kds.port;
    const storm = await Promise.all(screenMerchants.map(async (m, i) => {
      await sleep((10_000 * i) / screenMerchants.length);
      try {
        const s = await openScreen(port, m, onOrder);
        all.push(s);
        return s.snapshotMs;
      } catch (err) {
        refused.push(err instanceof Error ? err.message : String(err));
        return NaN;
      }
    }));
    cursor += await traffic.done;
    await sleep(2000);
    const usedStorm = cpuStorm();
    polling = false;
    await poller;
    const cutOff = all.filter((s) => s.closedWith !== undefined).map((s) => s.closedWith);
    const snap = summary(storm.filter((x) => !Number.isNaN(x)));
    const ratio = many.p99Ms / few.p99Ms;
    return {
      scenario: 'screens',
      merchants: MERCHANTS,
      ratePerSec: rate,
      screens20: { ...few, load1: load20 },
      screens2000: { ...many, load1: loadMany, screens: total, rssMb: round(memMany.rssMb), peakRssMb: round(memMany.peakRssMb), cpu: usedMany },
      p99Ratio: round(ratio, 2),
      storm: {
        screens: screenMerchants.length, overSeconds: 10, snapshot: snap, refused: refused.length, refusedSample: refused.slice(0, 3),
        closedByServer: cutOff.length, maxMysqlConnections: maxConnections, cpu: usedStorm, load1: loadStorm,
      },
      target: 'RSS < 300 MB, push p99 <= 2x the 20-screen p99; storm: every snapshot within 2 s, none cut off',
      met: memMany.rssMb < 300 && ratio <= 2 && snap.maxMs <= 2000 && refused.length === 0 && cutOff.length === 0,
    };
  } finally {
    for (const s of all) s.ws.terminate();
    await kds?.stop();
    await admin.end();
    await prod.disconnect();
    await sim.close();
    await stage.cleanup();
    await db.stop();
  }
}
