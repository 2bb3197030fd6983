import type { Settings } from '../../src/settings/definitions';

export interface BenchOptions {
  /** Overrides the scenario's event count (for a quick run). */
  events?: number;
  /** Events per second of the latency scenario (default 500). */
  rate?: number;
  merchants: number;
  /** history: share of the full chain's 500,000 orders a day (default 1). */
  scale?: number;
  /** history: days of history (default 7). */
  days?: number;
  /** archive: seconds of live traffic measured without the job (default 30). */
  baseSeconds?: number;
  /** Live settings written to ZooKeeper before the KDS starts. */
  settings: Partial<Settings>;
  /** Extra environment for the KDS process. */
  kdsEnv: NodeJS.ProcessEnv;
  /** Extra node flags for the KDS process (e.g. --cpu-prof). */
  kdsNodeArgs?: string[];
  /** Extra options for the benchmark's own MariaDB (e.g. --innodb-buffer-pool-size=2G). */
  mariadbArgs?: string[];
}

export type ScenarioResult = Record<string, unknown> & { scenario: string };
