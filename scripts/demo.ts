// `npm run demo`: the whole system on one machine with one command — local Kafka/ZooKeeper/MariaDB,
// the order-service simulator, an SMTP catcher, the KDS itself, endless order traffic and a
// kitchen robot — then it prints where to look. Ctrl-C (or DEMO_DURATION_S) stops it cleanly.
// Knobs and what to look at: docs/demo.md.
import { dirname, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../src/config';
import { signToken } from '../src/auth/token';
import { PREP_TARGETS } from '../simulator/catalogue';
import { createKafka } from '../src/kafka/client';
import { startService, type Service } from '../src/service';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../simulator/order-service';
import { ensureInfra } from './infra';
import { banner, mailLine, statusLine } from './demo/banner';
import { ensureTopic, waitForGroup } from './demo/kafka';
import { resetDemoDatabase } from './demo/fresh-db';
import { openFileLog } from './demo/log-file';
import { startDemoPrinter } from './demo/printer';
import { startRobot } from './demo/robot';
import { DEMO_MERCHANT, demoSettings, DemoSettingsError, isAddrInUse, kdsEnvironment, portFree } from './demo/settings';
import { startInbox, startSmtpCatcher, type SmtpCatcher } from './demo/smtp';
import { startTrafficLoop } from './demo/traffic-loop';

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

// Closers run last-registered first; registration order below is chosen so that shutdown goes
// traffic → robot → service → inbox/SMTP → simulator (nothing is left talking to a closed part).
const closers: Array<{ name: string; close: () => Promise<void> }> = [];
let stopping: Promise<void> | undefined;

async function shutdown(reason: string): Promise<void> {
  say(`\ndemo: stopping (${reason})…`);
  while (closers.length > 0) {
    const c = closers.pop() as { name: string; close: () => Promise<void> };
    try {
      await c.close();
      say(`  stopped ${c.name}`);
    } catch (err) {
      say(`  ${c.name} did not stop cleanly: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  say('demo: stopped. Kafka and ZooKeeper are still running (npm run infra:down stops them).');
}

function register(name: string, close: () => Promise<void>): void {
  closers.push({ name, close });
}

function stop(reason: string, code: number): void {
  if (stopping !== undefined) return;
  stopping = shutdown(reason).then(() => process.exit(code));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping !== undefined) {
      say('demo: second signal, exiting now');
      process.exit(130);
    }
    stop(signal, 0);
  });
}

async function startSimulator(port: number): Promise<OrderServiceSimulator> {
  try {
    return await createOrderServiceSimulator({ port });
  } catch (err) {
    if (!isAddrInUse(err) || port === 0) throw err;
    say(`sim      port ${port} is taken; using a free port instead`);
    return createOrderServiceSimulator({ port: 0 });
  }
}

interface MailSide {
  /** Where the KDS sends mail: the catcher's bound port, or the taken port someone else serves. */
  port: number;
  smtp: string;
  inboxUrl: string | undefined;
  mails: () => number;
}

async function startMail(smtpPort: number, inboxPort: number): Promise<MailSide> {
  let catcher: SmtpCatcher;
  try {
    catcher = await startSmtpCatcher(smtpPort, (m) => say(mailLine(m)));
  } catch (err) {
    if (!isAddrInUse(err)) throw err;
    say(`smtp     127.0.0.1:${smtpPort} is taken by another SMTP server (mailpit?); the KDS mails go there, the demo catches none`);
    return { port: smtpPort, smtp: `smtp://127.0.0.1:${smtpPort} (not the demo's)`, inboxUrl: undefined, mails: () => 0 };
  }
  register('SMTP catcher', () => catcher.close());
  let inboxUrl: string | undefined;
  try {
    const inbox = await startInbox(inboxPort, catcher.mails);
    register('inbox page', () => inbox.close());
    inboxUrl = inbox.url;
  } catch (err) {
    if (!isAddrInUse(err)) throw err;
    say(`smtp     inbox page port ${inboxPort} is taken; mail subjects still show here (DEMO_INBOX_PORT moves it)`);
  }
  return { port: catcher.port, smtp: `smtp://127.0.0.1:${catcher.port} (caught in memory, subjects printed here)`, inboxUrl, mails: () => catcher.mails.length };
}

/** Polls until `path` answers 200 or timeoutMs passes. */
/**
 * Prep targets for the demo menu and fire by prep time for the demo merchant (issue 19), so the
 * kitchen page shows due times and short dishes of a course start later to finish together.
 */
async function loadDemoMenu(kdsUrl: string, adminToken: string, say: (line: string) => void): Promise<void> {
  const put = (path: string, body: unknown) => fetch(`${kdsUrl}${path}`, {
    method: 'PUT', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  }).then((r) => r.ok, () => false);
  let ok = 0;
  for (const [dishId, target] of Object.entries(PREP_TARGETS)) if (await put(`/api/merchants/${DEMO_MERCHANT}/menu/${dishId}`, target)) ok += 1;
  const fire = await put(`/api/merchants/${DEMO_MERCHANT}/settings`, { fireByPrepTime: true });
  say(`kds      demo menu: ${ok} prep targets${fire ? ', fire by prep time on' : ''} for ${DEMO_MERCHANT}`);
}

async function answers(url: string, token: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && stopping === undefined) {
    const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(2_000) })
      .then(async (r) => {
        await r.arrayBuffer();
        return r.status === 200;
      })
      .catch(() => false);
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '..');
  const s = demoSettings(process.env, root);
  const file = openFileLog(s.logFile);
  const log = file.log.child({ component: 'demo' });
  register('log file', () => file.close());

  say('infra    checking Kafka, ZooKeeper and MariaDB (starting what is missing)…');
  const infra = await ensureInfra({ say: (l) => say(`infra    ${l}`) });
  if (stopping !== undefined) return;

  const sim = await startSimulator(s.simulatorPort);
  register('order-service simulator', () => sim.close());
  // mild realism: a little latency and the odd 5xx; the lagging replica (events that find no
  // order yet and are parked for the retry job) is set per order by the traffic loop
  sim.setGlobal({ latencyMs: { min: 5, max: 40 }, errorRate: s.errorRate });
  say(
    `sim      order service on ${sim.url} (latency 5–40 ms, error rate ${s.errorRate}, ` +
      `replica lag ${s.replicaLagMs} ms on ${Math.round(s.laggyShare * 100)} % of orders)`,
  );

  const mail = await startMail(s.smtpPort, s.inboxPort);
  const env = kdsEnvironment(infra, sim.url, mail.port, process.env);
  const config = loadConfig(env);
  if (config.http.port !== 0 && !(await portFree(config.http.port))) {
    throw new Error(`HTTP port ${config.http.port} is taken (an earlier demo or npm start?); stop it or set HTTP_PORT`);
  }

  if (!s.keepDb && (await resetDemoDatabase(config.mysqlUrl)) === 'dropped') {
    say(`mysql    previous demo data dropped (DEMO_KEEP_DB=1 keeps it)`);
  }
  const kafka = createKafka('kds-demo', config.kafka.brokers, log);
  say(`kafka    topic ${config.kafka.topic}: ${await ensureTopic(kafka, config.kafka.topic)}`);
  say(`kds      starting (database ${config.mysqlUrl.replace(/^.*\//, '')}, log ${s.logFile})…`);
  const service: Service = await startService(config, file.log);
  register('KDS service', () => service.close());
  if (stopping !== undefined) return;
  // the port the service really bound (HTTP_PORT=0 picks a free one)
  const kdsUrl = `http://127.0.0.1:${service.httpPort}`;
  const slow = (): void =>
    say('kafka    waiting for the KDS consumer group to settle (a run killed hard leaves its member for ~30 s)…');
  if (!(await waitForGroup(kafka, config.kafka.groupId, 45_000, slow))) {
    say('kafka    the KDS consumer group is not stable yet; traffic starts anyway');
  }

  const tokenKey = { secret: config.authSecret, env: config.env };
  const token = (role: 'kitchen' | 'waiter' | 'admin', merchantId?: string): string =>
    signToken({ role, ...(merchantId === undefined ? {} : { merchantId }), ttlSeconds: 24 * 3600 }, tokenKey);
  const kitchenToken = token('kitchen', DEMO_MERCHANT);
  const waiterToken = token('waiter', DEMO_MERCHANT);
  await loadDemoMenu(kdsUrl, token('admin'), say);
  // a kitchen printer that takes over the wok station while no kitchen screen shows it (docs/screens.md)
  const printer = await startDemoPrinter({
    kdsUrl, merchantId: DEMO_MERCHANT, adminToken: token('admin'), say,
    slipsFile: resolve(dirname(s.logFile), 'printer-slips.txt'),
  });
  register('printer simulator', () => printer.close());

  const robot = s.robot
    ? startRobot({
        baseUrl: kdsUrl, merchantId: DEMO_MERCHANT, kitchenToken, waiterToken, minAgeMs: s.robotMinAgeMs,
        log: log.child({ component: 'demo-robot' }), onTrouble: say,
      })
    : undefined;
  if (robot !== undefined) register('kitchen robot', () => robot.stop());
  const traffic = await startTrafficLoop({
    kafka, sim, topic: config.kafka.topic, env: config.env, rate: s.rate, merchants: s.merchants,
    laggyShare: s.laggyShare, replicaLagMs: s.replicaLagMs, log: log.child({ component: 'demo-traffic' }),
  });
  register('traffic', () => traffic.stop());

  const guestOrder = traffic.sampleOrder(DEMO_MERCHANT);
  const guest = guestOrder === undefined
    ? undefined
    : { orderId: guestOrder, token: signToken({ role: 'guest', merchantId: DEMO_MERCHANT, orderId: guestOrder, ttlSeconds: 24 * 3600 }, tokenKey) };
  if (guest !== undefined && !(await answers(`${kdsUrl}/api/orders/${guest.orderId}`, guest.token, 20_000))) {
    say(`kds      order ${guest.orderId} is not visible over HTTP yet (is the HTTP API up? see the log)`);
  }
  if (stopping !== undefined) return;

  say(banner({
    kdsUrl, merchantId: DEMO_MERCHANT, kitchenToken, waiterToken, adminToken: token('admin'), guest,
    simulatorUrl: sim.url, smtp: mail.smtp, inboxUrl: mail.inboxUrl, logFile: s.logFile, robot: s.robot,
    rate: s.rate, authSecret: config.authSecret, envName: config.env, durationMs: s.durationMs,
  }));
  const status = setInterval(() => {
    const r = robot?.counts() ?? { ready: 0, served: 0 };
    say(statusLine({ ...traffic.counts(), ...r, mails: mail.mails() }));
  }, 30_000);
  register('status line', () => Promise.resolve(clearInterval(status)));
  const duration = s.durationMs;
  if (duration !== undefined) setTimeout(() => stop(`DEMO_DURATION_S=${duration / 1000}`, 0), duration);
}

main().catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof DemoSettingsError;
  say(`demo: ${known ? '' : 'failed: '}${err instanceof Error ? err.message : String(err)}`);
  if (!known && err instanceof Error && err.stack !== undefined) process.stderr.write(`${err.stack}\n`);
  stop('start-up failed', 1);
});
