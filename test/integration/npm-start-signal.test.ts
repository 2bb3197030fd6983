// `npm start` stopped the way a process manager stops it (issue 11 item 2): SIGTERM to the npm
// process only (systemd's main pid, `docker stop` with CMD npm start, a supervisor). Before, npm's
// `sh -c` died of the signal, npm exited 143 at once, and the service kept consuming as an orphan.
// Now the script execs node, so the signal reaches the service: it drains, exits 0, npm exits 0
// after it, and no process of the tree is left. Ctrl-C (SIGINT to the whole group, which npm
// forwards again) is one stop, not a "second signal".
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Producer } from 'kafkajs';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import { freshDatabase, type TestDb } from '../support/db';
import { body, eventFor, publish, record } from '../support/events';
import { createTopic, producer, randomTopic } from '../support/kafka';
import { orderRow } from '../support/orders';
import { testEnv } from '../support/service';
import { waitFor } from '../support/wait';

const REPO = path.resolve(__dirname, '..', '..');

type Line = Record<string, unknown>;

/** True while a process (pid > 0) or any member of a process group (pid < 0) exists. */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** `npm start` as a child process, leading its own process group, with its log lines parsed. */
class NpmStart {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly lines: Line[] = [];
  readonly text: string[] = [];
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<void>;
  /** 'close' comes once every holder of npm's stdout/stderr is gone: an orphaned node never lets it. */
  closed = false;

  constructor(env: NodeJS.ProcessEnv) {
    // detached: npm leads a process group of its own, so "nothing left" can be asked of the group
    this.child = spawn('npm', ['start'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.pid = this.child.pid as number;
    let buf = '';
    this.child.stderr?.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, i);
        buf = buf.slice(i + 1);
        this.text.push(l);
        if (l.startsWith('{')) this.lines.push(JSON.parse(l) as Line);
      }
    });
    this.child.stdout?.on('data', (d: Buffer) => this.text.push(d.toString('utf8')));
    this.exited = new Promise<void>((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve();
      }),
    );
    this.child.once('close', () => (this.closed = true));
  }

  line(msg: string): Line | undefined {
    return this.lines.find((l) => l.msg === msg);
  }

  output(): string {
    return `npm start output:\n${this.text.join('\n').slice(-3000)}`;
  }

  /** Waits until the service consumes; returns the service's (node's) pid from its first line. */
  async started(): Promise<number> {
    await waitFor('"service started" from npm start', () => {
      assert.equal(this.exit, undefined, `npm start exited early. ${this.output()}`);
      return this.line('service started');
    }, 90_000);
    const pid = Number(this.line('starting')?.pid);
    assert.ok(pid > 0, 'the service logs its pid at start');
    assert.equal(exists(pid), true);
    return pid;
  }

  /** After the signal: npm's exit, then the rest of the output (until the pipes close). */
  async ended(): Promise<void> {
    await this.exited;
    await waitFor('npm start\'s output to end', () => this.closed || !exists(-this.pid), 10_000).catch(() => undefined);
  }

  kill(): void {
    if (exists(-this.pid)) process.kill(-this.pid, 'SIGKILL');
  }
}

describe('npm start under a process manager', () => {
  let db: TestDb;
  let sim: OrderServiceSimulator;
  let prod: Producer;
  const started: NpmStart[] = [];
  const topic = randomTopic('test_order');

  const npmStart = (): NpmStart => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...testEnv({ dbUrl: db.url, topic, orderServiceUrl: sim.url, groupId: `test_kds_npmstart_${started.length}` }),
      LOG_LEVEL: 'info',
    };
    delete env.NODE_TEST_CONTEXT; // set by node --test for its own children
    const n = new NpmStart(env);
    started.push(n);
    return n;
  };

  /** The drain was logged once, finished, and was the last thing the service did. */
  const assertDrained = (n: NpmStart, signal: string): void => {
    assert.deepEqual({ code: n.exit?.code, signal: n.exit?.signal }, { code: 0, signal: null }, n.output());
    const stopping = n.lines.filter((l) => l.msg === 'stopping: draining');
    assert.equal(stopping.length, 1, `the service got the signal and logged its drain once. ${n.output()}`);
    assert.equal(stopping[0]?.signal, signal);
    assert.equal(n.line('second signal: exiting now'), undefined, 'no forced exit');
    const stopped = n.lines.findIndex((l) => l.msg === 'stopped');
    assert.ok(stopped > n.lines.findIndex((l) => l.msg === 'stopping: draining'), 'the drain finished before the exit');
    assert.equal(stopped, n.lines.length - 1, 'nothing was logged after the drain finished');
  };

  before(async () => {
    // `npm start` runs dist/ as built; build it from this tree so the test runs this code.
    await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: REPO });
    db = await freshDatabase('npmstart');
    sim = await createOrderServiceSimulator();
    await createTopic(topic, 2);
    prod = await producer();
  });

  after(async () => {
    // a failed run must not leave the service consuming: its whole process group goes
    for (const n of started) n.kill();
    await prod?.disconnect();
    await sim?.close();
    await db?.drop();
  });

  it('SIGTERM to the npm process drains the service; npm exits 0 after it; nothing is left running', async () => {
    const n = npmStart();
    const pid = await n.started();

    // it really works: an order event becomes an order
    const v1 = body('O-sigterm', 1);
    sim.putOrder(v1);
    await publish(prod, topic, [record(eventFor(v1, 'ORDER_PLACED'))]);
    await waitFor('the order stored by the npm-started service', () => orderRow(db.pool, 'O-sigterm'), 60_000);

    process.kill(n.pid, 'SIGTERM'); // to npm only, as a process manager does
    await n.ended();

    assertDrained(n, 'SIGTERM');
    assert.equal(exists(pid), false, 'the service process is gone');
    assert.equal(exists(-n.pid), false, 'no process of npm start\'s group is left (no orphaned node)');
  });

  it('Ctrl-C (SIGINT to the whole group, forwarded again by npm) is one drain, not a forced exit', async () => {
    const n = npmStart();
    const pid = await n.started();
    process.kill(-n.pid, 'SIGINT'); // what a terminal does: every process of the foreground group
    await n.ended();

    assertDrained(n, 'SIGINT');
    assert.equal(exists(pid), false, 'the service process is gone');
    assert.equal(exists(-n.pid), false, 'no process of npm start\'s group is left');
  });
});
