// Installs the dependencies when node_modules is missing or out of date with package-lock.json,
// so that a fresh clone (or a pull that changed the lock) needs nothing before `npm test` or
// `npm run demo`. Plain Node, no dependencies: it runs before there are any.
//
// "Out of date": npm writes node_modules/.package-lock.json at the end of every install; a package
// of package-lock.json missing from it, or at another version, means the tree is not what the
// lock says (an interrupted install has no such file at all). Optional packages are skipped: the
// lock lists esbuild's binaries for every platform and only this one's is installed.
//
//   node scripts/ensure-deps.mjs          check, and `npm ci` when needed
//   node scripts/ensure-deps.mjs --check  only say; exit 1 when an install is needed
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function readJson(file) {
  try {
    return JSON.parse(readFileSync(path.join(root, file), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Why node_modules needs an install, or undefined when it matches the lock. */
function staleReason(lock, installed) {
  if (!installed) return 'node_modules is missing (or its last install did not finish)';
  const have = installed.packages ?? {};
  for (const [at, want] of Object.entries(lock.packages ?? {})) {
    if (at === '' || want.optional || want.link) continue;
    const got = have[at];
    if (!got) return `${at} is not installed`;
    if (got.version !== want.version) return `${at} is ${got.version}, the lock says ${want.version}`;
  }
  return undefined;
}

const lock = readJson('package-lock.json');
if (!lock) {
  console.error('ensure-deps: package-lock.json is missing or unreadable');
  process.exit(1);
}
const reason = staleReason(lock, readJson('node_modules/.package-lock.json'));
if (reason === undefined) process.exit(0);
if (process.argv.includes('--check')) {
  console.error(`ensure-deps: ${reason}`);
  process.exit(1);
}

console.error(`ensure-deps: ${reason}; running npm ci`);
const env = { ...process.env };
// node-gyp builds the zookeeper addon; with Debian's Node it finds the headers there instead of
// downloading them (this machine reaches no such host). The Docker image sets its own.
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, env, stdio: 'inherit' });
if (r.status !== 0) {
  console.error('ensure-deps: npm ci failed (the zookeeper addon needs python3, make and g++)');
  process.exit(r.status ?? 1);
}
