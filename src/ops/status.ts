// What the on-call console shows besides the two tables (GET /api/ops/status): consumer lag per
// partition, the order service as this instance and the cluster see it (caps, calls in flight, an
// outage and since when), the live settings in force, and the cluster's members with their shares.
// Each part is read from the object that owns it, through the narrow ports below; a part that
// cannot be read now is null, never a guess.
import type { RowDataPacket } from 'mysql2/promise';
import { readJobState, parseJsonObject } from '../alerts/job-state';
import { parseShared } from '../alerts/outage-state';
import type { MemberEntry } from '../cluster/members-list';
import { shareOf, type MemberView } from '../cluster/shares';
import type { Pool } from '../db/pool';
import type { LagSnapshot } from '../metrics/lag';
import { OPEN_SQL } from '../order-queue/states';
import { SETTING_DEFS, SETTING_NAMES, type Settings } from '../settings/definitions';

export interface OpsSources {
  pool: Pool;
  /** KDS_ENV, the topic and the group, for the header. */
  env: string;
  topic: string;
  groupId: string;
  /** The lag monitor's last read; undefined until it runs (it starts after the consumer). */
  lag: () => LagSnapshot | undefined;
  gate: { inFlight(): number; queued(): number; limits(): { maxConcurrent: number; maxPerSecond: number } };
  breaker: {
    snapshot(): { open: boolean; outage: { since: Date; until: Date | null; cause: string; lastError: string; calls: number; failures: number } | null };
  };
  settings: { current(): Readonly<Settings>; isConnected(): boolean };
  cluster: { id: string; view(): MemberView | undefined; members(): Promise<MemberEntry[] | undefined> };
  clock?: () => Date;
}

const OUTAGE_ROW = 'order_service_outage'; // src/alerts/outage-alerts.ts

async function counts(pool: Pool, sql: string): Promise<Record<string, number>> {
  const [rows] = await pool.query<RowDataPacket[]>(sql);
  return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
}

export async function readOpsStatus(s: OpsSources) {
  const now = (s.clock ?? (() => new Date()))();
  const caps = s.settings.current();
  const lag = s.lag();
  const b = s.breaker.snapshot();
  const [shared, members, retries, deadLetters] = await Promise.all([
    readJobState(s.pool, OUTAGE_ROW).then((raw) => parseShared(raw === undefined ? undefined : parseJsonObject(raw))),
    s.cluster.members().catch(() => undefined),
    counts(s.pool, `SELECT status, COUNT(*) AS n FROM retry_entries WHERE status IN ${OPEN_SQL} GROUP BY status`),
    counts(s.pool, "SELECT status, COUNT(*) AS n FROM dead_letters WHERE status = 'KEPT' GROUP BY status"),
  ]);
  const partitions = lag?.partitions ?? [];
  return {
    at: now.toISOString(),
    env: s.env,
    topic: s.topic,
    groupId: s.groupId,
    instance: s.cluster.id,
    counts: { failed: retries.FAILED ?? 0, pending: retries.PENDING ?? 0, deadLetters: deadLetters.KEPT ?? 0 },
    lag: lag?.at === undefined ? null : {
      readAt: new Date(lag.at).toISOString(),
      total: partitions.reduce((n, p) => n + p.lag, 0),
      partitions: partitions.map((p) => ({ partition: p.partition, high: p.high, committed: p.committed, lag: p.lag })),
    },
    orderService: {
      caps: { maxConcurrent: caps.orderServiceMaxConcurrent, maxPerSecond: caps.orderServiceMaxPerSecond },
      /** this instance's share of them, in force at its gate */
      share: s.gate.limits(),
      inFlight: s.gate.inFlight(),
      queued: s.gate.queued(),
      breakerOpen: b.open,
      lastOutage: b.outage === null ? null : {
        since: b.outage.since.toISOString(), until: b.outage.until?.toISOString() ?? null, cause: b.outage.cause,
        lastError: b.outage.lastError, calls: b.outage.calls, failures: b.outage.failures,
      },
      /** the cluster's one view (job_state), null when no instance reports it down */
      outageSince: shared.since,
      downInstances: Object.keys(shared.down),
    },
    settings: SETTING_NAMES.map((n) => ({ name: SETTING_DEFS[n].znode, value: caps[n], min: SETTING_DEFS[n].min, max: SETTING_DEFS[n].max, what: SETTING_DEFS[n].what })),
    zookeeperConnected: s.settings.isConnected(),
    cluster: members === undefined ? null : members.map((m, rank) => {
      const view = { members: members.length, rank };
      return {
        id: m.id ?? m.znode, rank, self: m.id === s.cluster.id,
        share: { maxConcurrent: shareOf(caps.orderServiceMaxConcurrent, view), maxPerSecond: shareOf(caps.orderServiceMaxPerSecond, view) },
      };
    }),
  };
}

export type OpsStatus = Awaited<ReturnType<typeof readOpsStatus>>;
