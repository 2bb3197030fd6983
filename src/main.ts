// `npm start`: read the environment, start the service, stop cleanly on SIGTERM/SIGINT (first
// signal drains and commits; a second one forces the exit).
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './log';
import { startService } from './service';

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

async function main(): Promise<void> {
  const config = configOrExit();
  const log = createLogger({ service: 'kds', env: config.env }, config.logLevel);
  process.on('unhandledRejection', (err) => log.error('unhandled rejection', { err }));
  const service = await startService(config, log);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('stopping', { signal });
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('stop failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`kds: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
