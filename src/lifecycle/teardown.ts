// Whoever opens a resource registers how to close it; close runs them in reverse order and runs
// every step even if one fails (graphile-worker's withReleasers).
import type { Logger } from '../log';

export interface Teardown {
  add(name: string, close: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export function createTeardown(log: Logger): Teardown {
  const steps: { name: string; close: () => Promise<void> | void }[] = [];
  let closing: Promise<void> | undefined;
  return {
    add(name, close) {
      steps.push({ name, close });
    },
    close() {
      closing ??= (async () => {
        for (const step of steps.reverse()) {
          try {
            await step.close();
          } catch (err) {
            log.error('teardown step failed', { step: step.name, err });
          }
        }
      })();
      return closing;
    },
  };
}
