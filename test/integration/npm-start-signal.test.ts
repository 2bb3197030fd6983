// `npm start` stopped the way a process manager stops it (issue 11 item 2): SIGTERM to the npm
// process only (systemd's main pid, `docker stop` with CMD npm start, a supervisor). Before, npm's
// `sh -c` died of the signal, npm exited 143 at once, and the service kept consuming as an orphan.
// Now the script execs node, so the signal reaches the service: it drains, exits 0, npm exits 0
// after it, and no process of the tree is left.
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

describe('npm start under a process manager', () => {
  let db: TestDb;
  let sim: OrderServiceSimulator;
  let prod: Producer;
  let npm: ChildProcess | undefined;
  const topic = randomTopic('test_order');

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
    if (npm?.pid !== undefined && exists(-npm.pid)) process.kill(-npm.pid, 'SIGKILL');
    await prod?.disconnect();
    await sim?.close();
    await db?.drop();
  });

  it('SIGTERM to the npm process drains the service; npm exits 0 after it; nothing is left running', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...testEnv({ dbUrl: db.url, topic, orderServiceUrl: sim.url }), LOG_LEVEL: 'info' };
    delete env.NODE_TEST_CONTEXT; // set by node --test for its own children
    // detached: npm leads a process group of its own, so "nothing left" can be asked of the group
    const child = spawn('npm', ['start'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    npm = child;
    const npmPid = child.pid as number;
    const lines: Line[] = [];
    const text: string[] = [];
    let buf = '';
    child.stderr?.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, i);
        buf = buf.slice(i + 1);
        text.push(l);
        if (l.startsWith('{')) lines.push(JSON.parse(l) as Line);
      }
    });
    child.stdout?.on('data', (d: Buffer) => text.push(d.toString('utf8')));
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        exit = { code, signal };
        resolve();
      }),
    );
    // 'close' comes once every holder of npm's stdout/stderr is gone: an orphaned service never lets it
    let closed = false;
    child.once('close', () => (closed = true));
    const line = (msg: string): Line | undefined => lines.find((l) => l.msg === msg);
    const alive = (): void => assert.equal(exit, undefined, `npm start exited early:\n${text.join('\n').slice(-3000)}`);

    await waitFor('"service started" from npm start', () => (alive(), line('service started')), 90_000);
    const pid = Number(line('starting')?.pid);
    assert.ok(pid > 0, 'the service logs its pid at start');
    assert.equal(exists(pid), true);

    // it really works: an order event becomes an order
    const v1 = body('O-sigterm', 1);
    sim.putOrder(v1);
    await publish(prod, topic, [record(eventFor(v1, 'ORDER_PLACED'))]);
    await waitFor('the order stored by the npm-started service', () => orderRow(db.pool, 'O-sigterm'), 60_000);

    process.kill(npmPid, 'SIGTERM'); // to npm only, as a process manager does
    await exited;
    // the rest of the output: read until the pipes close (or the check below says who holds them)
    await waitFor('npm start\'s output to end', () => closed || !exists(-npmPid), 10_000).catch(() => undefined);

    assert.deepEqual({ code: exit?.code, signal: exit?.signal }, { code: 0, signal: null }, `npm start output:\n${text.join('\n').slice(-3000)}`);
    const stopping = lines.findIndex((l) => l.msg === 'stopping: draining');
    const stopped = lines.findIndex((l) => l.msg === 'stopped');
    assert.ok(stopping >= 0, 'the service got the SIGTERM and logged its drain');
    assert.equal(lines[stopping]?.signal, 'SIGTERM');
    assert.ok(stopped > stopping, 'the drain finished before the exit');
    assert.equal(lines[stopped]?.signal, 'SIGTERM');
    assert.equal(stopped, lines.length - 1, 'nothing was logged after the drain finished');
    assert.equal(exists(pid), false, 'the service process is gone');
    assert.equal(exists(-npmPid), false, 'no process of npm start\'s group is left (no orphaned node)');
  });
});
