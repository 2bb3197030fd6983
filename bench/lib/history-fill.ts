// Fills a database with a chain's past days, generated inside MariaDB (INSERT … SELECT over the
// SEQUENCE engine's seq_0_to_N tables: no rows travel through the client), so a week takes
// minutes. MariaDB-only SQL on purpose: it runs on the benchmark's own server, never in the
// service. Shapes follow what the pipeline and the screens write:
//   orders      `ordersPerDay` a day over 10:00–22:00 UTC, merchants M0001..M<merchants> in turn,
//               COMPLETED, ticket numbers per merchant and day;
//   dishes      2–4 per order (3 on average), SERVED (1 in 50 orders CANCELLED);
//   change_log  per order: the order, each dish placed, ready and served (1 + 3 per dish), with a
//               ~250-byte payload, created over the order's first minutes;
//   dish_marks  ready and serve per dish; stats_marks per order and dish; the stats day, hour and
//               bucket rows (added per chunk); order_guards per order; a DONE retry entry for 1 order in 200;
//   merchant_seq / merchant_day_tickets above everything generated, so live traffic continues them.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { dayStart, partitionBound, partitionClause } from '../../src/archive/log-days';

export interface HistoryShape {
  merchants: number;
  ordersPerDay: number;
  /** Days before today (day 1 = yesterday … day `days`). */
  days: number;
  /** The most recent day filled (default 1): the archive scenario fills only days older than its horizon. */
  firstDay?: number;
}

/** Rows per INSERT … SELECT (one statement, one transaction each). */
const CHUNK = 25_000;
/** The most change-log rows one order gets (1 + 3 × 4 dishes): seqs are spaced by it. */
const SEQ_STRIDE = 13;

const ORDER_ID = "CONCAT('H', d.day, '_', LPAD(s.seq + ?, 7, '0'))";

/** Orders of day `day`, index range [from, from+n): the derived table every fill statement starts from. */
function ordersOf(day: number, shape: HistoryShape): string {
  const perDay = shape.ordersPerDay;
  return `(SELECT ${day} AS day, s.seq + ? AS i, ${ORDER_ID} AS order_id,
            CONCAT('M', LPAD((${(day - 1) * perDay} + s.seq + ?) % ${shape.merchants} + 1, 4, '0')) AS merchant_id,
            (${(day - 1) * perDay} + s.seq + ?) DIV ${shape.merchants} AS k,
            (s.seq + ?) DIV ${shape.merchants} + 1 AS ticket_no,
            TIMESTAMP(UTC_DATE() - INTERVAL ${day} DAY, '10:00:00') + INTERVAL ((s.seq + ?) * 43200000 DIV ${perDay}) * 1000 MICROSECOND AS placed_at
       FROM seq_0_to_${CHUNK - 1} s CROSS JOIN (SELECT ${day} AS day) d
      WHERE s.seq + ? < ${perDay})`;
}

const DISHES_OF = (o: string): string => `${o} o JOIN seq_1_to_4 k ON k.seq <= 2 + o.k % 3`;

function statements(day: number, shape: HistoryShape): string[] {
  const o = ordersOf(day, shape);
  return [
    `INSERT INTO orders (order_id, merchant_id, table_no, status, version, placed_at, upstream_updated_at, created_at, updated_at,
                         ticket_no, local_date, local_hour, hour_start)
     SELECT o.order_id, o.merchant_id, IF(o.k % 4 = 0, NULL, CONCAT('T', o.k % 30)), 'COMPLETED', 3, o.placed_at,
            o.placed_at + INTERVAL 40 MINUTE, o.placed_at, o.placed_at + INTERVAL 40 MINUTE,
            o.ticket_no, DATE(o.placed_at), HOUR(o.placed_at), DATE_FORMAT(o.placed_at, '%Y-%m-%d %H:00:00')
       FROM ${o} o`,
    `INSERT INTO order_guards (order_id, merchant_id, open_entries, tail_pos) SELECT o.order_id, o.merchant_id, 0, IF(o.k % 200 = 0, 1, 0) FROM ${o} o`,
    `INSERT INTO dishes (item_id, order_id, merchant_id, dish_id, name, quantity, station, note, upstream_status, upstream_version,
                         state, ready_at, served_at, placed_at, updated_at)
     SELECT CONCAT(o.order_id, '-', k.seq), o.order_id, o.merchant_id, CONCAT('D', (o.k + k.seq) % 60), CONCAT('Dish ', (o.k + k.seq) % 60),
            1 + k.seq % 2, ELT(1 + (o.k + k.seq) % 3, 'wok', 'grill', 'cold'), IF(k.seq = 2, 'no onion', NULL),
            IF(o.k % 50 = 0, 'CANCELLED', 'ACTIVE'), 3, IF(o.k % 50 = 0, 'CANCELLED', 'SERVED'),
            o.placed_at + INTERVAL 10 MINUTE, o.placed_at + INTERVAL 12 MINUTE, o.placed_at, o.placed_at + INTERVAL 12 MINUTE
       FROM ${DISHES_OF(o)}`,
    `INSERT INTO change_log (merchant_id, seq, kind, order_id, item_id, serve, payload, created_at)
     SELECT o.merchant_id, o.k * ${SEQ_STRIDE} + 1, 'order', o.order_id, NULL, 0,
            CONCAT('{"orderId":"', o.order_id, '","merchantId":"', o.merchant_id, '","tableNo":null,"status":"PLACED","version":1,',
                   '"placedAt":"', DATE_FORMAT(o.placed_at, '%Y-%m-%dT%H:%i:%s.000Z'), '","ticketNo":', o.ticket_no, ',"rush":false}'),
            o.placed_at
       FROM ${o} o`,
    `INSERT INTO change_log (merchant_id, seq, kind, order_id, item_id, serve, payload, created_at)
     SELECT o.merchant_id, o.k * ${SEQ_STRIDE} + 1 + (k.seq - 1) * 3 + st.seq, 'dish', o.order_id, CONCAT(o.order_id, '-', k.seq), st.seq = 2,
            CONCAT('{"itemId":"', o.order_id, '-', k.seq, '","orderId":"', o.order_id, '","dishId":"D', (o.k + k.seq) % 60,
                   '","name":"Dish ', (o.k + k.seq) % 60, '","quantity":1,"station":"wok","note":null,"state":"',
                   ELT(st.seq, 'WAITING', 'READY', 'SERVED'), '","placedAt":"', DATE_FORMAT(o.placed_at, '%Y-%m-%dT%H:%i:%s.000Z'), '","addedTo":null}'),
            o.placed_at + INTERVAL (st.seq - 1) * 10 MINUTE
       FROM ${DISHES_OF(o)} JOIN seq_1_to_3 st`,
    `INSERT INTO dish_marks (merchant_id, order_id, item_id, action, from_state, to_state, role, device_id, at)
     SELECT o.merchant_id, o.order_id, CONCAT(o.order_id, '-', k.seq), ELT(a.seq, 'ready', 'serve'), ELT(a.seq, 'WAITING', 'READY'),
            ELT(a.seq, 'READY', 'SERVED'), ELT(a.seq, 'kitchen', 'waiter'), NULL, o.placed_at + INTERVAL (8 + a.seq * 2) MINUTE
       FROM ${DISHES_OF(o)} JOIN seq_1_to_2 a`,
    `INSERT INTO stats_marks (kind, id, merchant_id, local_date, hour_start, local_hour, station, served, cancelled, late, ticket_s, serve_s)
     SELECT 'O', o.order_id, o.merchant_id, DATE(o.placed_at), DATE_FORMAT(o.placed_at, '%Y-%m-%d %H:00:00'), HOUR(o.placed_at), '', 0, 0, 0, NULL, NULL
       FROM ${o} o`,
    `INSERT INTO stats_marks (kind, id, merchant_id, local_date, hour_start, local_hour, station, served, cancelled, late, ticket_s, serve_s)
     SELECT 'D', CONCAT(o.order_id, '-', k.seq), o.merchant_id, DATE(o.placed_at), DATE_FORMAT(o.placed_at, '%Y-%m-%d %H:00:00'), HOUR(o.placed_at),
            ELT(1 + (o.k + k.seq) % 3, 'wok', 'grill', 'cold'), o.k % 50 <> 0, o.k % 50 = 0, 0, 600, 120
       FROM ${DISHES_OF(o)}`,
    `INSERT INTO retry_entries (order_id, merchant_id, queue_pos, event_id, event_type, event_version, occurred_at, raw_event, source, status,
                                attempts, last_error, created_at, updated_at)
     SELECT o.order_id, o.merchant_id, 1, CONCAT(o.order_id, '-e1'), 'ORDER_PLACED', 1, o.placed_at,
            CONCAT('{"orderId":"', o.order_id, '","merchantId":"', o.merchant_id, '","type":"ORDER_PLACED","version":1}'), 'bench', 'DONE',
            2, 'server_error: 503', o.placed_at, o.placed_at + INTERVAL 1 MINUTE
       FROM ${o} o WHERE o.k % 200 = 0`,
    // the day figures, added chunk by chunk (the live tables have no index on placed_at to read them back by)
    `INSERT INTO stats_station_days (merchant_id, local_date, station, dishes, served, cancelled, late)
     SELECT o.merchant_id, DATE(o.placed_at), ELT(1 + (o.k + k.seq) % 3, 'wok', 'grill', 'cold') AS st, COUNT(*),
            SUM(o.k % 50 <> 0), SUM(o.k % 50 = 0), 0
       FROM ${DISHES_OF(o)} GROUP BY o.merchant_id, DATE(o.placed_at), st
     ON DUPLICATE KEY UPDATE dishes = dishes + VALUES(dishes), served = served + VALUES(served), cancelled = cancelled + VALUES(cancelled)`,
    `INSERT INTO stats_hours (merchant_id, local_date, hour_start, local_hour, orders, dishes)
     SELECT o.merchant_id, DATE(o.placed_at), DATE_FORMAT(o.placed_at, '%Y-%m-%d %H:00:00') AS h, HOUR(o.placed_at), COUNT(*), SUM(2 + o.k % 3)
       FROM ${o} o GROUP BY o.merchant_id, DATE(o.placed_at), h, HOUR(o.placed_at)
     ON DUPLICATE KEY UPDATE orders = orders + VALUES(orders), dishes = dishes + VALUES(dishes)`,
    `INSERT INTO stats_time_buckets (merchant_id, local_date, station, metric, bucket, n)
     SELECT o.merchant_id, DATE(o.placed_at), ELT(1 + (o.k + k.seq) % 3, 'wok', 'grill', 'cold') AS st, m.metric, IF(m.metric = 'T', 40, 8), COUNT(*)
       FROM ${DISHES_OF(o)} JOIN (SELECT 'T' AS metric UNION ALL SELECT 'S') m WHERE o.k % 50 <> 0
      GROUP BY o.merchant_id, DATE(o.placed_at), st, m.metric
     ON DUPLICATE KEY UPDATE n = n + VALUES(n)`,
    `INSERT INTO merchant_day_tickets (merchant_id, local_date, last_no)
     SELECT o.merchant_id, DATE(o.placed_at), MAX(o.ticket_no) FROM ${o} o GROUP BY o.merchant_id, DATE(o.placed_at)
     ON DUPLICATE KEY UPDATE last_no = GREATEST(last_no, VALUES(last_no))`,
  ];
}

/** Parameters of one statement: every `?` of ordersOf (7) and ORDER_ID (1) is the chunk's start. */
function params(sql: string, from: number): number[] {
  return Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => from);
}

/**
 * Generates the history; `say` reports progress. Bulk-load settings (no flush at commit) are
 * applied to the benchmark's own server for the fill and put back after it.
 */
export async function fillHistory(conn: Connection, shape: HistoryShape, say: (msg: string) => void): Promise<void> {
  await conn.query('SET GLOBAL innodb_flush_log_at_trx_commit = 0');
  try {
    for (let day = shape.firstDay ?? 1; day <= shape.days; day++) {
      const t0 = Date.now();
      const ms: number[] = [];
      for (let from = 0; from < shape.ordersPerDay; from += CHUNK) {
        for (const [i, sql] of statements(day, shape).entries()) {
          const s0 = Date.now();
          await conn.query(sql, params(sql, from));
          ms[i] = (ms[i] ?? 0) + Date.now() - s0;
        }
      }
      say(`history: day ${day}/${shape.days} (${shape.ordersPerDay} orders) in ${Math.round((Date.now() - t0) / 1000)} s; ms per statement ${ms.join(' ')}`);
    }
    const perMerchant = Math.ceil((shape.days * shape.ordersPerDay) / shape.merchants) + 1;
    await conn.query(`INSERT INTO merchant_seq (merchant_id, seq)
      SELECT CONCAT('M', LPAD(seq + 1, 4, '0')), ${perMerchant * SEQ_STRIDE} FROM seq_0_to_${shape.merchants - 1}`);
    await conn.query("INSERT INTO job_state (name, value) VALUES ('bench.history', ?)", [JSON.stringify(shape)]);
  } finally {
    await conn.query('SET GLOBAL innodb_flush_log_at_trx_commit = 1');
  }
}

/** Row counts of the tables the history fills (information_schema estimates would be too rough). */
export async function historyCounts(conn: Pick<Connection, 'query'>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['orders', 'dishes', 'change_log', 'dish_marks', 'stats_marks', 'retry_entries']) {
    const [rows] = await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${t}`);
    out[t] = Number(rows[0]?.n ?? 0);
  }
  return out;
}

/**
 * Waits until InnoDB has written back what a fill left behind: the dirty pages (flushed at full
 * speed meanwhile) and the undo history purge still has to remove. A baseline measured while the
 * server flushes gigabytes of a fill measures the flush: on 2026-12-03 an `archive` baseline taken
 * right after the fill had p99 252 ms against ~35 ms settled. Returns the seconds it took.
 */
export async function settle(conn: Pick<Connection, 'query'>, maxSeconds = 600): Promise<number> {
  const t0 = performance.now();
  const value = async (name: string): Promise<number> => {
    const [rows] = await conn.query<RowDataPacket[]>('SHOW GLOBAL STATUS LIKE ?', [name]);
    return Number(rows[0]?.Value ?? 0);
  };
  const [was] = await conn.query<RowDataPacket[]>('SELECT @@GLOBAL.innodb_max_dirty_pages_pct AS pct');
  await conn.query('SET GLOBAL innodb_max_dirty_pages_pct = 0');
  try {
    while ((performance.now() - t0) / 1000 < maxSeconds) {
      const dirty = await value('Innodb_buffer_pool_pages_dirty');
      const history = await value('Innodb_history_list_length');
      if (dirty < 200 && history < 1000) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await conn.query('SET GLOBAL innodb_max_dirty_pages_pct = ?', [Number(was[0]?.pct ?? 90)]);
  }
  return Math.round((performance.now() - t0) / 100) / 10;
}

/**
 * Splits the change log's first partition (migration 150: everything up to the end of today) into
 * one per UTC day from `days` days ago, as a service running through those days would have left
 * it (src/archive/log-days.ts: the job makes each day ahead of time). Run on the empty table,
 * before the fill, so nothing is copied.
 */
export async function partitionPastDays(conn: Pick<Connection, 'query'>, days: number): Promise<void> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT PARTITION_NAME AS name FROM information_schema.PARTITIONS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'change_log' ORDER BY PARTITION_ORDINAL_POSITION LIMIT 1`,
  );
  const first = String(rows[0]?.name);
  const end = partitionBound(first);
  if (end === undefined) throw new Error(`the change log's first partition is ${first}, not a day's (migration 150)`);
  const bounds: Date[] = [];
  for (let b = dayStart(new Date(Date.now() - (days - 1) * 86_400_000)); b <= end; b = new Date(b.getTime() + 86_400_000)) bounds.push(b);
  await conn.query(`ALTER TABLE change_log REORGANIZE PARTITION ${first} INTO (${bounds.map(partitionClause).join(', ')})`);
}
