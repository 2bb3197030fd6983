// Group membership for the cluster-wide caps (docs/scaling.md): each instance owns one ephemeral
// sequential znode `<root>/members/m-<seq>`; its rank is its position among the children, oldest
// first, re-read on every children watch. A member that dies loses its znode when its session
// expires (ZK_SESSION_TIMEOUT_MS), so the survivors' shares grow that many seconds later; a member
// that shuts down deletes its znode itself once its last call has left the rate window (the
// composition root awaits the gate's `settled()` first), so they grow at once.
//
// Reacts to the session's states (./zk-session):
//   CONNECTED (new session)  delete our znode of the old session if it lingers, create a new one,
//                            read the children and watch them
//   RECONNECTED              read again (a change while we were away must not be missed)
//   SUSPENDED / LOST         keep the last view: an instance that cannot reach ZooKeeper keeps its
//                            last share, never the whole cap (docs/scaling.md says what that risks)
//
// Joining without a moment over the cap. Shares only shrink when a member joins (the newcomer is
// the youngest rank; a member leaving never lowers anyone's share: see shares.test.ts), so the
// newcomer alone waits: every member writes into its own znode the newest sequence number it has
// applied (`{"seen": n}`, written after its gate took the new share); the newcomer takes its share
// only once every other member has seen it, plus `settleMs` for the calls they started under the
// larger share to finish and leave the rate window (RATE_WINDOW_MS, 1.1 s). A member that never
// answers (an older version, or one cut off from ZooKeeper whose znode has not expired yet) holds
// the newcomer back for at most `joinMaxWaitMs`. Until then this instance has no share
// (src/cluster/shares.ts); alone in the group it needs no wait.
import type { Logger } from '../log';
import type { MemberView } from './shares';
import { bySequence, createEphemeralSequential, deleteIfThere, mkdirp, sequenceOf, ZK_SESSION_EVENT } from './zk-ops';
import { dataText, type Zk, type ZkSession, type ZkState } from './zk-session';

export interface MembershipDeps {
  session: ZkSession;
  /** ZOOKEEPER_ROOT */
  root: string;
  /** Stored in the znode for operators (host, pid). */
  id: string;
  log: Logger;
  /** After every other member has seen us; default 1500 ms (the 1.1 s rate window, calls in flight). */
  settleMs?: number;
  /** The longest a newcomer waits for the others; default 20 s (three session timeouts). */
  joinMaxWaitMs?: number;
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

interface MemberData {
  id?: string;
  /** The newest member sequence number this member has applied. */
  seen?: number;
}

function parseData(raw: string | null): MemberData {
  try {
    return (JSON.parse(raw ?? '') as MemberData | null) ?? {};
  } catch {
    return {};
  }
}

export function startMembership(deps: MembershipDeps): Membership {
  const dir = membersPath(deps.root);
  const log = deps.log;
  const settleMs = deps.settleMs ?? 1500;
  const listeners = new Set<(view: MemberView | undefined) => void>();
  let current: Zk | undefined; // the client of the session our znode belongs to
  let mine: string | undefined; // full path of our znode
  let armed = false; // a children watch is set in the current session
  let latest: MemberView | undefined; // from the last read
  let shown: MemberView | undefined; // what view() answers
  let joined = false; // the others have made room (or we were alone): our share counts
  let joinStarted: number | undefined;
  let joinTimer: NodeJS.Timeout | undefined;
  let acked = -1; // the newest sequence we told the others we have applied
  let closed = false;

  const publish = (): void => {
    const next = joined ? latest : undefined;
    if (next?.members === shown?.members && next?.rank === shown?.rank) return;
    shown = next;
    if (next !== undefined) log.info('cluster membership', { members: next.members, rank: next.rank });
    for (const l of listeners) l(next);
  };

  const data = (seen: number): string => JSON.stringify({ id: deps.id, seen });

  const join = async (zk: Zk): Promise<void> => {
    if (mine !== undefined) await deleteIfThere(zk, mine); // lingers until the old session expires
    await mkdirp(zk, dir);
    const path = await createEphemeralSequential(zk, dir, 'm-', data(-1));
    if (zk !== current || closed) return;
    mine = path;
    acked = -1;
    joinStarted ??= Date.now();
  };

  /** Tells the others which members we have applied, so a newcomer knows we made room. */
  const ack = async (zk: Zk, newest: number): Promise<void> => {
    if (newest <= acked || mine === undefined) return;
    await zk.set(mine, data(newest), -1);
    acked = Math.max(acked, newest);
  };

  /** Newcomer: have all the others seen us? Checked after each read until it holds. */
  const checkJoined = async (zk: Zk, others: readonly string[], mySeq: number): Promise<void> => {
    const answers = await Promise.all(others.map((n) => zk.get(`${dir}/${n}`, false).then((a) => dataText(a as unknown[]), () => null)));
    if (zk !== current || closed || joined) return;
    const waiting = answers.filter((raw) => (parseData(raw).seen ?? -1) < mySeq).length;
    const waited = Date.now() - (joinStarted ?? Date.now());
    if (waiting > 0 && waited < (deps.joinMaxWaitMs ?? 20_000)) {
      // their acks set no watch of ours: look again soon
      joinTimer = setTimeout(() => {
        joinTimer = undefined;
        readLogged(zk);
      }, 100);
      return;
    }
    if (waiting > 0) log.warn('cluster membership: joining although some members never acknowledged us', { waiting, waitedMs: waited });
    joinTimer = setTimeout(() => {
      joinTimer = undefined;
      joined = true;
      readLogged(zk); // publishes, with whatever changed meanwhile, and watches again
    }, settleMs);
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
    if (!joined && ordered.length === 1) joined = true; // alone: nobody has to make room
    publish(); // the gate takes the new share here, synchronously (bindSettings)
    await ack(zk, sequenceOf(ordered.at(-1) as string));
    if (!joined && joinTimer === undefined) {
      await checkJoined(zk, ordered.filter((n) => n !== name), sequenceOf(name as string));
    }
  };

  const readLogged = (zk: Zk): void => {
    read(zk).catch((err: unknown) => {
      if (zk === current && !closed) log.warn('cluster membership read failed; will retry on reconnect', { err });
    });
  };

  function onWatch(zk: Zk, type: number): void {
    if (type === ZK_SESSION_EVENT || zk !== current || closed) return;
    armed = false;
    if (joinTimer !== undefined && !joined) return; // a re-read is already due
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
      if (joinTimer !== undefined) clearTimeout(joinTimer);
      const zk = deps.session.client();
      if (zk !== undefined && zk === current && mine !== undefined) {
        await deleteIfThere(zk, mine).catch((err: unknown) => log.warn('cluster membership: could not leave', { err }));
      }
      listeners.clear();
    },
  };
}
