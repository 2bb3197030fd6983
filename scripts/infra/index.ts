// The local stack for development and tests: Kafka (KRaft) and ZooKeeper run from Maven jars,
// MySQL/MariaDB checked (and started when it is the machine's own MariaDB). Used by the CLI
// (`npm run infra:up|down|status`), scripts/test.sh and scripts/demo.ts.
import { ensureJars } from './fetch';
import { kafka } from './kafka';
import { withLock } from './lock';
import { mysqlServer } from './mysql';
import { InfraError } from './proc';
import { infraSettings, type InfraSettings } from './settings';
import type { Component } from './types';
import { zookeeper } from './zookeeper';

export { InfraError } from './proc';
export { infraSettings, KAFKA_VERSION, ZOOKEEPER_VERSION, type InfraSettings } from './settings';

export const COMPONENTS: readonly Component[] = [zookeeper, kafka, mysqlServer];

export interface InfraEndpoints {
  kafkaBrokers: string;
  zookeeperConnect: string;
  mysqlUrl: string;
}

export interface InfraOptions {
  settings?: InfraSettings;
  /** progress lines; silent by default */
  say?: (line: string) => void;
}

function endpoints(s: InfraSettings): InfraEndpoints {
  return {
    kafkaBrokers: `${s.host}:${s.kafkaPort}`,
    zookeeperConnect: `${s.host}:${s.zookeeperPort}`,
    mysqlUrl: s.mysqlUrl,
  };
}

/**
 * Starts whatever of the stack does not answer yet and resolves when all of it answers. A
 * component already answering on its port is reused, whoever started it. Rejects with an
 * InfraError naming every component that failed, with the tail of its log.
 */
export async function ensureInfra(opts: InfraOptions = {}): Promise<InfraEndpoints> {
  const s = opts.settings ?? infraSettings();
  const say = opts.say ?? (() => undefined);
  return withLock(s.dir, async () => {
    const states = await Promise.all(COMPONENTS.map((c) => c.state(s)));
    const missing = COMPONENTS.filter((_, i) => !states[i]?.answers);
    for (const c of COMPONENTS) {
      if (!missing.includes(c)) say(`${c.name}: already answering on ${c.address(s)}, reusing it`);
    }
    if (missing.some((c) => c !== mysqlServer)) await ensureJars(s, say);
    // the JVMs start in parallel: on 2 cores that is ~8 s instead of ~13 s one after the other
    const results = await Promise.allSettled(missing.map((c) => c.start(s, say)));
    const failures = results.flatMap((r, i) =>
      r.status === 'rejected' ? [`${missing[i]?.name ?? '?'} failed: ${errorText(r.reason)}`] : [],
    );
    if (failures.length > 0) throw new InfraError(failures.join('\n\n'));
    for (const c of missing) say(`${c.name}: up on ${c.address(s)}`);
    return endpoints(s);
  });
}

/** Stops the servers infra:up started (by pid file); MySQL/MariaDB is left alone. */
export async function stopInfra(opts: InfraOptions = {}): Promise<void> {
  const s = opts.settings ?? infraSettings();
  const say = opts.say ?? (() => undefined);
  // Kafka first: it has no dependency on ZooKeeper (KRaft), but stop the bigger one first anyway
  for (const c of [kafka, zookeeper, mysqlServer]) say(`${c.name}: ${await c.stop(s)}`);
}

export interface ComponentStatus {
  name: string;
  version: string;
  address: string;
  answers: boolean;
  pid?: number | undefined;
  logFile: string;
}

export async function infraStatus(settings: InfraSettings = infraSettings()): Promise<ComponentStatus[]> {
  return Promise.all(
    COMPONENTS.map(async (c) => {
      const st = await c.state(settings);
      return {
        name: c.name,
        version: st.version ?? c.version,
        address: c.address(settings),
        answers: st.answers,
        pid: st.pid,
        logFile: c.logFile(settings),
      };
    }),
  );
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
