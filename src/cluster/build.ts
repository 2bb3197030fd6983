// The cluster feature's builders. `openZooKeeper` opens this instance's one ZooKeeper session; the
// composition root opens it with the other shared connections and hands it to the live settings
// (src/settings/build.ts) and to `buildCluster`, which runs this instance's membership (its share
// of the order-service caps) and its candidacy for the singleton jobs on it (docs/scaling.md).
import type { Teardown } from '../lifecycle/teardown';
import type { Logger } from '../log';
import { startCluster, type Cluster } from './cluster';
import { openZkSession, ZK_SESSION_TIMEOUT_MS, type ZkSession } from './zk-session';

export function openZooKeeper(o: { connect: string; log: Logger; teardown: Teardown; timeoutMs?: number }): ZkSession {
  const session = openZkSession({
    connect: o.connect,
    timeoutMs: o.timeoutMs ?? ZK_SESSION_TIMEOUT_MS,
    log: o.log.child({ component: 'zookeeper' }),
  });
  // registered before its users, so it closes after them
  o.teardown.add('zookeeper session', () => session.close());
  return session;
}

export function buildCluster(o: { session: ZkSession; root: string; log: Logger; teardown: Teardown }): Cluster {
  const cluster = startCluster({ session: o.session, root: o.root, log: o.log });
  // closed after the consumer and the retry job (built later, so torn down earlier): our share of
  // the caps is given back only after our last call
  o.teardown.add('cluster membership', () => cluster.close());
  return cluster;
}
