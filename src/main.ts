// `npm start` (which execs `node dist/main.js`, so this process is the one a process manager
// signals): read the environment, start the service, stop cleanly on SIGTERM/SIGINT. The first
// signal drains (in-flight events finish and are committed, the rest go back to Kafka
// uncommitted) and exits 0; a second one forces the exit. See docs/operations.md, "Signals".
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger, type Logger } from './log';
import { startService, type Service } from './service';

/**
 * A drain that takes longer than this is stuck (a broker that never answers the commit): exit 1
 * rather than hang until the process manager's SIGKILL, which would say nothing. Docker and
 * systemd wait 10 s / 90 s by default; docker-compose.yml gives the KDS 40 s.
 */
const DRAIN_DEADLINE_MS = 30_000;

/**
 * Ctrl-C on `npm start` delivers SIGINT twice within milliseconds: the terminal signals the whole
 * foreground group, and npm forwards the one it got to its child, this process (so does
 * `kill -TERM -<pgid>`). A repeat inside this window is that echo, not an operator insisting.
 */
const ECHO_WINDOW_MS = 1000;

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kds: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

function handleSignals(log: Logger, started: Promise<Service>): void {
  let firstAt: number | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < ECHO_WINDOW_MS) return;
      log.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    const t0 = Date.now();
    firstAt = t0;
    log.info('stopping: draining', { signal });
    setTimeout(() => {
      log.error('drain did not finish in time: exiting', { signal, deadlineMs: DRAIN_DEADLINE_MS });
      process.exit(1);
    }, DRAIN_DEADLINE_MS).unref();
    // A signal during start-up waits for the start to finish (or fail), then drains.
    started
      .then((service) => service.close())
      .then(
        () => {
          log.info('stopped', { signal, drainMs: Date.now() - t0 });
          process.exit(0);
        },
        (err: unknown) => {
          log.error('stop failed', { err });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function main(): void {
  const config = configOrExit();
  const log = createLogger({ service: 'kds', env: config.env }, config.logLevel);
  // The log is written synchronously, so these lines are out before the process ends.
  process.on('unhandledRejection', (err) => log.error('unhandled rejection', { err }));
  process.on('uncaughtException', (err) => {
    log.error('uncaught exception: exiting', { err });
    process.exit(1);
  });
  log.info('starting', { pid: process.pid, node: process.version });
  const started = startService(config, log);
  // Handlers go in before the start finishes: a process manager may stop us while we connect.
  handleSignals(log, started);
  started.catch((err: unknown) => {
    log.error('failed to start', { err });
    process.exit(1);
  });
}

main();
