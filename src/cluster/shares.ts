// Pure arithmetic of the cluster-wide caps: each live setting is a total for the environment
// (contract "Several instances"); instance `rank` (0 = oldest member) of `members` takes
// floor(total / members), plus one if its rank is below the remainder, so the shares of all
// ranks sum to the total exactly.
//
// More members than the total (say 20 instances and a cap of 16 in flight): the sum must still
// not exceed the cap, so ranks >= total get 0 and their calls wait at the gate until a member
// leaves. Every instance with a share gets at least 1. Do not run more instances than the
// smallest cap: an instance with 0 holds its partitions' events back (see docs/scaling.md).

export interface MemberView {
  /** Live members, this instance included. */
  members: number;
  /** This instance's position among them, oldest first (0-based). */
  rank: number;
}

export interface CallLimits {
  maxConcurrent: number;
  maxPerSecond: number;
}

/** This rank's share of `total` among `members`. */
export function shareOf(total: number, view: MemberView): number {
  const members = Math.max(1, Math.floor(view.members));
  const rank = Math.min(Math.max(0, Math.floor(view.rank)), members - 1);
  const t = Math.max(0, Math.floor(total));
  return Math.floor(t / members) + (rank < t % members ? 1 : 0);
}

/**
 * The gate limits of one instance. `view` undefined means the membership is not known (not yet
 * joined, or still inside the join grace): the instance takes nothing, so that a newcomer never
 * adds its share before the others have given theirs up.
 */
export function instanceLimits(caps: CallLimits, view: MemberView | undefined): CallLimits {
  if (view === undefined) return { maxConcurrent: 0, maxPerSecond: 0 };
  return { maxConcurrent: shareOf(caps.maxConcurrent, view), maxPerSecond: shareOf(caps.maxPerSecond, view) };
}
