// Group membership for the cluster-wide caps (DESIGN-NOTES 7): each instance owns one ephemeral
// sequential znode `<root>/members/m-<seq>`; its rank is its position among the children, oldest
// first, re-read on every children watch. A member that dies loses its znode when its session
// expires (ZK_SESSION_TIMEOUT_MS), so the survivors' shares grow that many seconds later; a member
// that shuts down deletes its znode itself, after its last call, so they grow at once.
//
// Reacts to the session's states (./zk-session):
//   CONNECTED (new session)  delete our znode of the old session if it lingers, create a new one,
//                            read the children and watch them
//   RECONNECTED              read again (a change while we were away must not be missed)
//   SUSPENDED / LOST         keep the last view: an instance that cannot reach ZooKeeper keeps its
//                            last share, never the whole cap (docs/scaling.md says what that risks)
//
// The first view is held back for `joinGraceMs` after our znode exists: the others need a moment
// to see us and shrink, and the calls they started under their larger share to finish and leave
// the rate window. Until then this instance has no share (src/cluster/shares.ts). Alone in the
// group it needs no grace: nobody has a share to give up.
import type { Logger } from '../log';
import type { MemberView } from './shares';
import { bySequence, createEphemeralSequential, deleteIfThere, mkdirp, ZK_SESSION_EVENT } from './zk-ops';
import type { Zk, ZkSession, ZkState } from './zk-session';

export interface MembershipDeps {
  session: ZkSession;
  /** ZOOKEEPER_ROOT */
  root: string;
  /** Stored in the znode for operators (host, pid). */
  id: string;
  log: Logger;
  /** Default 2500 ms: ORDER_SERVICE_TIMEOUT_MS (a call's longest life) plus a little. */
  joinGraceMs?: number;
}

export interface Membership {
  /** Undefined until joined (and the join grace is over). */
  view(): MemberView | undefined;
  onChange(listener: (view: MemberView | undefined) => void): () => void;
  /** Leaves the group (deletes our znode) and stops reacting to the session. */
  close(): Promise<void>;
}

export function membersPath(root: string): string {
  return `${root}/members`;
}

export function startMembership(deps: MembershipDeps): Membership {
  const dir = membersPath(deps.root);
  const log = deps.log;
  const listeners = new Set<(view: MemberView | undefined) => void>();
  let current: Zk | undefined; // the client of the session our znode belongs to
  let mine: string | undefined; // full path of our znode
  let armed = false; // a children watch is set in the current session
  let latest: MemberView | undefined; // from the last read
  let shown: MemberView | undefined; // what view() answers
  let graceOver = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const publish = (): void => {
    const next = graceOver ? latest : undefined;
    if (next?.members === shown?.members && next?.rank === shown?.rank) return;
    shown = next;
    if (next !== undefined) log.info('cluster membership', { members: next.members, rank: next.rank });
    for (const l of listeners) l(next);
  };

  const join = async (zk: Zk): Promise<void> => {
    if (mine !== undefined) await deleteIfThere(zk, mine); // lingers until the old session expires
    await mkdirp(zk, dir);
    const path = await createEphemeralSequential(zk, dir, 'm-', deps.id);
    if (zk !== current || closed) return;
    mine = path;
    if (!graceOver && graceTimer === undefined) {
      graceTimer = setTimeout(() => {
        graceOver = true;
        publish();
      }, deps.joinGraceMs ?? 2500);
    }
  };

  const read = async (zk: Zk): Promise<void> => {
    const watch = !armed;
    if (watch) armed = true;
    let children: string[];
    try {
      children = watch ? await zk.w_get_children(dir, (type: number) => onWatch(zk, type)) : await zk.get_children(dir, false);
    } catch (err) {
      if (watch) armed = false;
      throw err;
    }
    if (zk !== current || closed) return;
    const ordered = bySequence(children);
    const name = mine?.slice(dir.length + 1);
    const rank = name === undefined ? -1 : ordered.indexOf(name);
    if (rank < 0) {
      // Our znode is gone while the session lives (deleted by hand): take a new place.
      log.warn('cluster membership znode missing; joining again', { path: mine });
      await join(zk);
      return read(zk);
    }
    latest = { members: ordered.length, rank };
    if (!graceOver && ordered.length === 1) {
      // alone: nobody has a share to give up first
      graceOver = true;
      if (graceTimer !== undefined) clearTimeout(graceTimer);
    }
    publish();
  };

  const readLogged = (zk: Zk): void => {
    read(zk).catch((err: unknown) => {
      if (zk === current && !closed) log.warn('cluster membership read failed; will retry on reconnect', { err });
    });
  };

  function onWatch(zk: Zk, type: number): void {
    if (type === ZK_SESSION_EVENT || zk !== current || closed) return;
    armed = false;
    readLogged(zk);
  }

  const onState = (state: ZkState, zk: Zk | undefined): void => {
    if (closed || zk === undefined) return; // SUSPENDED, LOST: keep the last view
    if (state === 'CONNECTED') {
      current = zk;
      armed = false;
      join(zk)
        .then(() => read(zk))
        .catch((err: unknown) => {
          if (zk === current && !closed) log.warn('cluster membership: could not join; will retry on reconnect', { err });
        });
    } else if (state === 'RECONNECTED' && zk === current) {
      if (mine === undefined) onState('CONNECTED', zk);
      else readLogged(zk);
    }
  };
  const unsubscribe = deps.session.onState(onState);
  const now = deps.session.client();
  if (now !== undefined) onState('CONNECTED', now);

  return {
    view: () => shown,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      unsubscribe();
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      const zk = deps.session.client();
      if (zk !== undefined && zk === current && mine !== undefined) {
        await deleteIfThere(zk, mine).catch((err: unknown) => log.warn('cluster membership: could not leave', { err }));
      }
      listeners.clear();
    },
  };
}
