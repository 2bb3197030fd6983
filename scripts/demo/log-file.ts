// The service's JSON log goes to a file, not the console: at demo rates it writes several lines a
// second, which would bury the banner. One file per run; the previous run's is kept beside it.
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { createLogger, type Logger } from '../../src/log';

export interface FileLog {
  readonly log: Logger;
  close(): Promise<void>;
}

export function openFileLog(path: string): FileLog {
  mkdirSync(dirname(path), { recursive: true });
  if (existsSync(path)) renameSync(path, path.replace(/\.log$/, '') + '.prev.log');
  const out = createWriteStream(path, { flags: 'w' });
  let open = true;
  // a full disk must not take the demo down: the log is a convenience here
  out.on('error', () => {
    open = false;
  });
  const log = createLogger({}, 'info', (line) => {
    if (open) out.write(line + '\n');
  });
  return {
    log,
    close: () =>
      new Promise<void>((resolve) => {
        open = false;
        out.end(() => resolve());
      }),
  };
}
