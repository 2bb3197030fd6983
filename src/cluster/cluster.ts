// This instance in the cluster: its membership (its share of the order-service caps) and its
// candidacy for the singleton jobs, both on the live-settings ZooKeeper session.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../log';
import { startLeaderLatch, type LeaderLatch } from './leader';
import { startMembership, type Membership } from './membership';
import type { ZkSession } from './zk-session';

export interface Cluster {
  /** This instance's id in the members' znodes (host:pid:random). */
  id: string;
  membership: Membership;
  leader: LeaderLatch;
  close(): Promise<void>;
}

export function startCluster(deps: { session: ZkSession; root: string; log: Logger; settleMs?: number }): Cluster {
  // for operators reading the znodes; several in-process instances (tests) share a pid
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const log = deps.log.child({ component: 'cluster', member: id });
  const membership = startMembership({ session: deps.session, root: deps.root, id, log, settleMs: deps.settleMs });
  const leader = startLeaderLatch({ session: deps.session, root: deps.root, id, log });
  return {
    id,
    membership,
    leader,
    async close() {
      await leader.close();
      await membership.close();
    },
  };
}
