// The members of the cluster as ZooKeeper holds them (`<root>/members`, ./membership.ts), oldest
// first, for the on-call console: who is in the group and, with ./shares.ts, what share of each cap
// each one takes. A read, not a watch: the console asks every few seconds.
import { membersPath } from './membership';
import { bySequence } from './zk-ops';
import ZooKeeper from 'zookeeper';
import { dataText, zkCode, type ZkSession } from './zk-session';

export interface MemberEntry {
  /** The znode's name, m-<sequence>. */
  znode: string;
  /** host:pid:random of the instance (as it wrote it), null if unreadable. */
  id: string | null;
}

/** Undefined while the session is not connected. */
export async function listMembers(session: ZkSession, root: string): Promise<MemberEntry[] | undefined> {
  const zk = session.client();
  if (zk === undefined) return undefined;
  const dir = membersPath(root);
  let children: string[];
  try {
    children = await zk.get_children(dir, false);
  } catch (err) {
    if (zkCode(err) === ZooKeeper.constants.ZNONODE) return []; // no member has joined yet
    return undefined; // the session dropped meanwhile: unknown, not empty
  }
  return Promise.all(
    bySequence(children).map(async (znode) => {
      const raw = await zk.get(`${dir}/${znode}`, false).then((a) => dataText(a as unknown[]), () => null);
      let id: string | null = null;
      try {
        const v = JSON.parse(raw ?? '') as { id?: unknown } | null;
        if (typeof v?.id === 'string') id = v.id;
      } catch {
        id = null;
      }
      return { znode, id };
    }),
  );
}
