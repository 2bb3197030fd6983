// The last good settings, kept in MySQL (job_state) so that a restart during a ZooKeeper outage
// runs on what operators last chose, not on the compiled-in defaults.
import type { RowDataPacket } from 'mysql2/promise';
import type { Pool } from '../db/pool';

/** Where live settings keep their last good snapshot (declared here, by its user). */
export interface LastGoodStore {
  load(): Promise<string | undefined>;
  save(snapshot: string): Promise<void>;
}

const NAME = 'settings.last_good';

interface JobStateRow extends RowDataPacket {
  value: string;
}

export function jobStateLastGood(pool: Pool, name: string = NAME): LastGoodStore {
  return {
    async load() {
      const [rows] = await pool.query<JobStateRow[]>('SELECT value FROM job_state WHERE name = ?', [name]);
      return rows[0]?.value;
    },
    async save(snapshot) {
      await pool.query(
        `INSERT INTO job_state (name, value, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP(3))
         ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)`,
        [name, snapshot],
      );
    },
  };
}
