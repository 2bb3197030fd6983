// Apache Kafka as one KRaft node (broker and controller in one JVM), run from the Maven jars.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { log4jProperties } from './log4j';
import { InfraError, livePid, logMark, portOpen, run, spawnDetached, stopPid, waitReady } from './proc';
import { instanceDir, KAFKA_VERSION, type InfraSettings } from './settings';
import type { Component, ComponentState } from './types';

function files(s: InfraSettings) {
  const dir = instanceDir(s, 'kafka');
  return {
    dir,
    data: path.join(dir, 'data'),
    props: path.join(dir, 'server.properties'),
    log4j: path.join(dir, 'log4j.properties'),
    log: path.join(dir, 'server.log'),
    stdout: path.join(dir, 'stdout.log'),
    pid: path.join(dir, 'kafka.pid'),
  };
}

function serverProperties(s: InfraSettings, dataDir: string): string {
  const h = s.host;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${h}:${s.kafkaControllerPort}`,
    `listeners=PLAINTEXT://${h}:${s.kafkaPort},CONTROLLER://${h}:${s.kafkaControllerPort}`,
    `advertised.listeners=PLAINTEXT://${h}:${s.kafkaPort}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=4',
    'auto.create.topics.enable=true',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    // a consumer group in a test joins at once instead of waiting 3 s for more members
    'group.initial.rebalance.delay.ms=0',
    // tests create and delete many topics; keep the 2-core machine's disk and threads light
    'num.network.threads=2',
    'num.io.threads=4',
    'log.retention.hours=24',
    'log.segment.bytes=67108864',
    '',
  ].join('\n');
}

/** A cluster id as Kafka's Uuid.randomUuid makes it: 16 random bytes, base64url, no padding. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id; // Kafka avoids ids that a CLI would read as an option
  }
}

function javaArgs(s: InfraSettings, log4j: string, mainClass: string, ...rest: string[]): string[] {
  return [
    '-Xmx512m',
    '-Xms256m',
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${log4j}`,
    '-cp',
    path.join(s.libsDir, '*'),
    mainClass,
    ...rest,
  ];
}

/** True when a Kafka broker answers a metadata request on the port. */
export async function kafkaAnswers(s: InfraSettings, timeoutMs = 3000): Promise<boolean> {
  if (!(await portOpen(s.host, s.kafkaPort))) return false;
  const admin = new Kafka({
    clientId: 'kds-infra',
    brokers: [`${s.host}:${s.kafkaPort}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export const kafka: Component = {
  name: 'kafka',
  version: KAFKA_VERSION,
  address: (s) => `${s.host}:${s.kafkaPort}`,
  logFile: (s) => files(s).log,

  async state(s): Promise<ComponentState> {
    const pid = livePid(files(s).pid);
    return { answers: await kafkaAnswers(s), pid };
  },

  async start(s, say) {
    const f = files(s);
    const log = { file: f.log, mark: logMark(f.log), stdout: { file: f.stdout, mark: logMark(f.stdout) } };
    const running = livePid(f.pid);
    if (running !== undefined) {
      say(`Kafka (pid ${running}) is still starting, waiting for it`);
      return waitReady('Kafka', () => kafkaAnswers(s, 1500), { pid: running, log, timeoutMs: 90_000 });
    }
    for (const p of [s.kafkaPort, s.kafkaControllerPort]) {
      if (await portOpen(s.host, p)) {
        throw new InfraError(`port ${p} is taken by a program that is not this Kafka (set KAFKA_PORT / KAFKA_CONTROLLER_PORT)`);
      }
    }
    mkdirSync(f.data, { recursive: true });
    writeFileSync(f.props, serverProperties(s, f.data));
    writeFileSync(f.log4j, log4jProperties(f.log));
    if (!existsSync(path.join(f.data, 'meta.properties'))) {
      const id = clusterId();
      say(`formatting Kafka storage in ${f.data} (cluster id ${id})`);
      await run('java', javaArgs(s, f.log4j, 'kafka.tools.StorageTool', 'format', '-t', id, '-c', f.props), f.dir);
    }
    const pid = spawnDetached('java', javaArgs(s, f.log4j, 'kafka.Kafka', f.props), f.stdout, f.pid, f.dir);
    say(`started Kafka ${KAFKA_VERSION} (pid ${pid}), waiting for it on ${s.host}:${s.kafkaPort}`);
    // first start on 2 cores: ~8 s; later starts replay the metadata log, still well under 90 s
    await waitReady('Kafka', () => kafkaAnswers(s, 1500), { pid, log, timeoutMs: 90_000 });
  },

  async stop(s) {
    const pid = livePid(files(s).pid);
    if (pid === undefined) return 'not started by infra';
    // a controlled shutdown of a combined node takes a few seconds
    const how = await stopPid(pid, 30_000);
    return how === 'stopped' ? `stopped (pid ${pid})` : `killed after 30 s (pid ${pid})`;
  },
};
