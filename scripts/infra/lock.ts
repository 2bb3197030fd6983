// Two `infra:up` at once (two terminals, a test run and the demo) must not both start a broker:
// the second waits for the first, then finds everything answering and reuses it.
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError, isAlive } from './proc';

export async function withLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'infra.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(file, 'utf8').trim() || 'NaN');
      // a holder that died (or a file being written this instant with no pid yet: retry)
      if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) rmSync(file, { force: true });
      else if (Date.now() > deadline) throw new InfraError(`${file} is held by pid ${holder}`);
      else await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
