// Second-by-second series a scenario records beside its JSON line (too long for the line itself):
// .cache/bench/series/<scenario>-<time>.json; the line names the file.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../../test/support/processes';

export function writeSeries(scenario: string, data: unknown): string {
  const dir = path.join(REPO, '.cache', 'bench', 'series');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(data));
  process.stderr.write(`${scenario}: series in ${path.relative(REPO, file)}\n`);
  return file;
}
