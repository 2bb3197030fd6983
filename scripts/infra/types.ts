import type { InfraSettings } from './settings';

export interface ComponentState {
  answers: boolean;
  /** pid of the process infra:up started, if it still runs */
  pid?: number | undefined;
  /** version the running server reports, when it tells */
  version?: string | undefined;
}

/** One server of the local stack: how to see it, start it and stop it. */
export interface Component {
  name: string;
  version: string;
  address(s: InfraSettings): string;
  logFile(s: InfraSettings): string;
  state(s: InfraSettings): Promise<ComponentState>;
  /** Starts it and resolves once it answers; rejects with the log tail otherwise. */
  start(s: InfraSettings, say: (line: string) => void): Promise<void>;
  /** Stops what infra:up started; returns what it did. */
  stop(s: InfraSettings): Promise<string>;
}
