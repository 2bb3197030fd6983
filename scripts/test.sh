#!/usr/bin/env bash
# `npm test`: dependencies (`npm ci` when node_modules is missing or out of date with the lock;
# Chromium, Prometheus and CJK fonts through scripts/system-deps.sh), type check, lint, import cycles, the local servers (started if absent: tests always run against
# real Kafka, ZooKeeper and MySQL), then every test/**/*.test.ts with node's runner.
#
#   scripts/test.sh                      everything, fail-fast
#   scripts/test.sh test/unit/x.test.ts  only those files (no type check, lint or cycle check);
#                                        arguments starting with '-' go to `node --test`
#
# Prints node's spec report, then the TAP summary lines (`# pass N`, `# fail N`) and one
# `tests: N passed, N failed` line for CI; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

# a fresh clone has no node_modules: nothing else is needed before `npm test`
node scripts/ensure-deps.mjs

files=()
node_args=()
for arg in "$@"; do
  if [[ $arg == -* ]]; then node_args+=("$arg"); else files+=("$arg"); fi
done

# Chromium, Prometheus and CJK fonts: installed here when root with apt-get, else one line saying
# what is missing and how to install it, and stop (scripts/system-deps.sh, shared with .ci/run).
# Only when a test that needs them runs.
needs_system=0
[ ${#files[@]} -eq 0 ] && needs_system=1
for f in ${files[@]+"${files[@]}"}; do
  case "$f" in *e2e*|*prometheus*) needs_system=1 ;; esac
done
[ "$needs_system" = 0 ] || bash scripts/system-deps.sh tests

if [ ${#files[@]} -eq 0 ]; then
  step "typecheck (tsc --noEmit -p .)"
  tsc --noEmit -p .
  step "lint"
  npm run -s lint
  step "import cycles"
  npm run -s cycles
  mapfile -t files < <(find test -type f -name '*.test.ts' | LC_ALL=C sort)
  if [ ${#files[@]} -eq 0 ]; then
    echo "no test files found under test/" >&2
    exit 1
  fi
fi

step "local servers (npm run infra:up)"
npm run -s infra:up

step "tests (${#files[@]} files)"
tap="$(mktemp -t kds-tests.XXXXXX.tap)"
trap 'rm -f "$tap"' EXIT
rc=0
node --import tsx --test --test-concurrency=2 --test-timeout=600000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  ${node_args[@]+"${node_args[@]}"} "${files[@]}" || rc=$?

echo
grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "$tap" || true
count() { grep -E "^# $1 [0-9]+$" "$tap" | awk '{print $3}' | tail -1; }
pass="$(count pass)"; fail="$(count fail)"; cancelled="$(count cancelled)"; skipped="$(count skipped)"
echo "tests: ${pass:-0} passed, $(( ${fail:-0} + ${cancelled:-0} )) failed, ${skipped:-0} skipped"
if [ "$rc" -eq 0 ] && [ -z "$pass" ]; then
  echo "node's test runner printed no summary" >&2
  rc=1
fi
exit "$rc"
