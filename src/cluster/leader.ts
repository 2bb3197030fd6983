// A leader latch (Curator's LeaderLatch) for the jobs that must run on one instance at a time:
// each candidate owns an ephemeral sequential znode `<root>/leader/latch-<seq>`; the oldest is
// the leader; every other watches only its predecessor (no herd when the leader goes: one
// watcher wakes up and checks). Why ZooKeeper and not a database lock: docs/scaling.md.
//
//   LATENT ──start──▶ STARTED ──close──▶ CLOSED
//
// Leadership inside STARTED follows the session (./zk-session):
//   CONNECTED (new session)  delete our znode of the old session if it lingers, create a new one, check
//   RECONNECTED              check again (our znode lives on with the session)
//   SUSPENDED, LOST          not leader at once: while we cannot see ZooKeeper we cannot know that
//                            our znode still exists, and a singleton run twice is the worse mistake
// When the leader dies its znode goes with its session (ZK_SESSION_TIMEOUT_MS), so the next
// candidate takes over within that and one watch event: seconds, well inside 30 s.
import type { Logger } from '../log';
import { bySequence, createEphemeralSequential, deleteIfThere, mkdirp, ZK_SESSION_EVENT } from './zk-ops';
import type { Zk, ZkSession, ZkState } from './zk-session';

export type LatchState = 'LATENT' | 'STARTED' | 'CLOSED';

/** The port the singleton jobs take. */
export interface LeaderCheck {
  isLeader(): boolean;
}

export interface LeaderLatch extends LeaderCheck {
  state(): LatchState;
  /** Called with every change of isLeader(); returns an unsubscribe. */
  onChange(listener: (leader: boolean) => void): () => void;
  /** Gives leadership up (deletes our znode) and stops. */
  close(): Promise<void>;
}

export interface LeaderLatchDeps {
  session: ZkSession;
  /** ZOOKEEPER_ROOT */
  root: string;
  /** Stored in the znode for operators (host, pid). */
  id: string;
  log: Logger;
}

export function leaderPath(root: string): string {
  return `${root}/leader`;
}

export function startLeaderLatch(deps: LeaderLatchDeps): LeaderLatch {
  const dir = leaderPath(deps.root);
  const log = deps.log;
  const listeners = new Set<(leader: boolean) => void>();
  let state: LatchState = 'LATENT';
  let leader = false;
  let current: Zk | undefined;
  let mine: string | undefined;
  let sessionNo = 0;
  let watching: string | undefined; // `${sessionNo}:${predecessor}` while a watch is set

  const setLeader = (next: boolean): void => {
    if (next === leader) return;
    leader = next;
    log.info(next ? 'leadership taken' : 'leadership lost', { path: mine });
    for (const l of listeners) {
      try {
        l(next);
      } catch (err) {
        log.error('leadership listener failed', { err });
      }
    }
  };

  const create = async (zk: Zk): Promise<void> => {
    if (mine !== undefined) await deleteIfThere(zk, mine);
    await mkdirp(zk, dir);
    const path = await createEphemeralSequential(zk, dir, 'latch-', deps.id);
    if (zk === current && state === 'STARTED') mine = path;
    else await deleteIfThere(zk, path); // closed or a new session meanwhile: not ours to keep
  };

  const check = async (zk: Zk): Promise<void> => {
    if (zk !== current || state !== 'STARTED') return;
    const ordered = bySequence(await zk.get_children(dir, false));
    if (zk !== current || state !== 'STARTED') return;
    const name = mine?.slice(dir.length + 1);
    const at = name === undefined ? -1 : ordered.indexOf(name);
    if (at < 0) {
      // our znode is gone while the session lives (deleted by hand): stand again
      setLeader(false);
      await create(zk);
      return check(zk);
    }
    if (at === 0) {
      setLeader(true);
      return;
    }
    setLeader(false);
    const predecessor = `${dir}/${ordered[at - 1] as string}`;
    // one watch per predecessor and session (watches are one-shot; a re-check on reconnect
    // must not stack a second callback on the same znode)
    if (watching === `${sessionNo}:${predecessor}`) return;
    watching = `${sessionNo}:${predecessor}`;
    try {
      await zk.w_exists(predecessor, (type: number) => {
        if (type === ZK_SESSION_EVENT) return;
        watching = undefined;
        checkLogged(zk);
      });
    } catch {
      watching = undefined;
      // gone between the two reads: look again
      return check(zk);
    }
  };

  function checkLogged(zk: Zk): void {
    check(zk).catch((err: unknown) => {
      if (zk === current && state === 'STARTED') log.warn('leader latch check failed; will retry on reconnect', { err });
    });
  }

  const onState = (st: ZkState, zk: Zk | undefined): void => {
    if (state !== 'STARTED') return;
    if (zk === undefined) {
      setLeader(false); // SUSPENDED or LOST
      return;
    }
    if (st === 'CONNECTED' || mine === undefined) {
      current = zk;
      sessionNo += 1;
      create(zk)
        .then(() => check(zk))
        .catch((err: unknown) => {
          if (zk === current && state === 'STARTED') log.warn('leader latch: could not stand; will retry on reconnect', { err });
        });
    } else if (zk === current) {
      checkLogged(zk);
    }
  };

  state = 'STARTED';
  const unsubscribe = deps.session.onState(onState);
  const now = deps.session.client();
  if (now !== undefined) onState('CONNECTED', now);

  return {
    state: () => state,
    isLeader: () => state === 'STARTED' && leader,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (state === 'CLOSED') return;
      setLeader(false);
      state = 'CLOSED';
      unsubscribe();
      listeners.clear();
      const zk = deps.session.client();
      if (zk !== undefined && zk === current && mine !== undefined) {
        await deleteIfThere(zk, mine).catch((err: unknown) => log.warn('leader latch: could not resign', { err }));
      }
    },
  };
}
