// A standalone ZooKeeper server from the same Maven jars. Readiness and version come from the
// four-letter words `ruok` and `srvr`, which 3.8 disables unless whitelisted in zoo.cfg.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { log4jProperties } from './log4j';
import { InfraError, livePid, logMark, portOpen, spawnDetached, stopPid, tcpAsk, waitReady } from './proc';
import { instanceDir, ZOOKEEPER_VERSION, type InfraSettings } from './settings';
import type { Component, ComponentState } from './types';

function files(s: InfraSettings) {
  const dir = instanceDir(s, 'zookeeper');
  return {
    dir,
    data: path.join(dir, 'data'),
    cfg: path.join(dir, 'zoo.cfg'),
    log4j: path.join(dir, 'log4j.properties'),
    log: path.join(dir, 'zookeeper.log'),
    stdout: path.join(dir, 'stdout.log'),
    pid: path.join(dir, 'zookeeper.pid'),
  };
}

function zooCfg(s: InfraSettings, dataDir: string): string {
  return [
    'tickTime=2000',
    `dataDir=${dataDir}`,
    `clientPort=${s.zookeeperPort}`,
    `clientPortAddress=${s.host}`,
    // the Jetty admin server would take port 8080, which is the KDS's own HTTP port
    'admin.enableServer=false',
    '4lw.commands.whitelist=ruok,srvr,stat,mntr',
    // tests open many sessions from one address
    'maxClientCnxns=0',
    'autopurge.snapRetainCount=3',
    'autopurge.purgeInterval=1',
    '',
  ].join('\n');
}

/** The server's version from `srvr`, or undefined when nothing (or not ZooKeeper) answers. */
async function srvrVersion(s: InfraSettings): Promise<string | undefined> {
  const out = await tcpAsk(s.host, s.zookeeperPort, 'srvr').catch(() => '');
  return /Zookeeper version: ([^\s,-]+)/.exec(out)?.[1];
}

export async function zookeeperAnswers(s: InfraSettings): Promise<boolean> {
  if (!(await portOpen(s.host, s.zookeeperPort))) return false;
  return (await tcpAsk(s.host, s.zookeeperPort, 'ruok').catch(() => '')) === 'imok';
}

export const zookeeper: Component = {
  name: 'zookeeper',
  version: ZOOKEEPER_VERSION,
  address: (s) => `${s.host}:${s.zookeeperPort}`,
  logFile: (s) => files(s).log,

  async state(s): Promise<ComponentState> {
    const pid = livePid(files(s).pid);
    const answers = await zookeeperAnswers(s);
    return { answers, pid, version: answers ? await srvrVersion(s) : undefined };
  },

  async start(s, say) {
    const f = files(s);
    const log = { file: f.log, mark: logMark(f.log), stdout: { file: f.stdout, mark: logMark(f.stdout) } };
    const running = livePid(f.pid);
    if (running !== undefined) {
      say(`ZooKeeper (pid ${running}) is still starting, waiting for it`);
      return waitReady('ZooKeeper', () => zookeeperAnswers(s), { pid: running, log, timeoutMs: 60_000 });
    }
    if (await portOpen(s.host, s.zookeeperPort)) {
      throw new InfraError(`port ${s.zookeeperPort} is taken by a program that is not ZooKeeper (set ZOOKEEPER_PORT)`);
    }
    mkdirSync(f.data, { recursive: true });
    writeFileSync(f.cfg, zooCfg(s, f.data));
    writeFileSync(f.log4j, log4jProperties(f.log));
    const args = [
      '-Xmx128m',
      '-Xms64m',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${f.log4j}`,
      '-Dzookeeper.admin.enableServer=false',
      '-cp',
      path.join(s.libsDir, '*'),
      'org.apache.zookeeper.server.ZooKeeperServerMain',
      f.cfg,
    ];
    const pid = spawnDetached('java', args, f.stdout, f.pid, f.dir);
    say(`started ZooKeeper ${ZOOKEEPER_VERSION} (pid ${pid}), waiting for it on ${s.host}:${s.zookeeperPort}`);
    await waitReady('ZooKeeper', () => zookeeperAnswers(s), { pid, log, timeoutMs: 60_000 });
  },

  async stop(s) {
    const pid = livePid(files(s).pid);
    if (pid === undefined) return 'not started by infra';
    const how = await stopPid(pid, 10_000);
    return how === 'stopped' ? `stopped (pid ${pid})` : `killed after 10 s (pid ${pid})`;
  },
};
