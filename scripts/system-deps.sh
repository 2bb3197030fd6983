#!/usr/bin/env bash
# What the tests and CI need from the system besides Node and npm, checked in one place for
# `npm test` (scripts/test.sh) and CI (.ci/run). Missing Debian packages are installed when we are
# root with apt-get; otherwise this stops at once with ONE line naming what is missing and the
# command that installs it (never a run of red tests that only say "chromium not found").
#
#   scripts/system-deps.sh GROUP...     groups: tests (default), build
#     tests   chromium (e2e screens), prometheus + promtool (alert rules), fonts-noto-cjk (Chinese
#             text in screenshots)
#     build   a JDK and Maven (the local Kafka/ZooKeeper from Maven jars), g++, make, python3 (the
#             `zookeeper` addon)
#   KDS_NO_INSTALL=1   only check and say (never apt-get), even as root
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }
cjk_fonts() {
  if have fc-list && fc-list ':lang=zh' family 2>/dev/null | grep -q .; then return 0; fi
  dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed'
}

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(tests)
missing=()
for g in "${groups[@]}"; do
  case "$g" in
    tests)
      { [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; } || have chromium || missing+=(chromium)
      { have prometheus && have promtool; } || missing+=(prometheus)
      cjk_fonts || missing+=(fonts-noto-cjk)
      ;;
    build)
      have java || missing+=(openjdk-17-jre-headless)
      have mvn || missing+=(maven)
      have g++ || missing+=(g++)
      have make || missing+=(make)
      have python3 || missing+=(python3)
      ;;
    *) echo "system-deps: unknown group '$g' (tests, build)" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -gt 0 ] || exit 0

install_cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "${KDS_NO_INSTALL:-}" != 1 ] && have apt-get && [ "$(id -u)" = 0 ]; then
  printf '== installing %s (Debian packages the tests need)\n' "${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    exit 0
  fi
  echo "missing ${missing[*]}: '$install_cmd' failed (see above)" >&2
  exit 1
fi
if have apt-get; then
  echo "missing ${missing[*]}: install with: sudo apt-get update && sudo $install_cmd" >&2
else
  echo "missing ${missing[*]} (Debian package names); install them with your system's package manager" >&2
fi
exit 1
