#!/usr/bin/env bash
# The topology run (issue 12, ADR 0036): three replicas of trainbot on PostgreSQL
# and Redis with Sentinel, behind nginx in webhook mode (then polling), a crowd
# browsing while a broadcast goes out, one replica killed with SIGKILL and
# restarted, the Redis master killed so Sentinel fails over, and a rolling
# upgrade replacing every replica in turn with a new build (ADR 0037). Prints,
# per mode, updates sent / taken / lost, presses answered twice or never, chats
# answered out of order, broadcast duplicates, the build of each replica before
# and after the upgrade, and latency per phase (figures in docs/benchmarks.md).
#
# The new build is this tree built again with another commit label
# (TRAINBOT_COMMIT), so the run can tell which replicas run it; to rehearse a
# real upgrade, pass the new release's binary as UPGRADE_TO=path.
#
#   scripts/topology.sh          release build, 1000 people, 20 s phases, webhook and polling
#   scripts/topology.sh --short  CI's version: the debug build, 30 people, 8 s phases,
#                                webhook only, failing if a promise is broken
#   KEEP_LOGS=dir scripts/topology.sh   keeps every replica's log in dir, to read
#                                what became of a person's press
#
# Needs PostgreSQL at PG_URL (default postgres://postgres@127.0.0.1:5432/test; a
# database trainbot_topology is made anew there), redis-server and nginx
# (Debian packages redis-server and nginx-light).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
short=false
[ "${1:-}" = "--short" ] && short=true

for tool in redis-server nginx psql; do
  command -v "$tool" >/dev/null || { echo "topology: $tool is missing" >&2; exit 1; }
done

fresh_database() {
  PGOPTIONS='--client-min-messages=warning' psql "$PG_URL" -qAt \
    -c 'drop database if exists trainbot_topology' >/dev/null
  psql "$PG_URL" -qAt -c 'create database trainbot_topology' >/dev/null
  echo "${PG_URL%/*}/trainbot_topology"
}

common=(--scenario topology --redis-server "$(command -v redis-server)"
        --nginx "$(command -v nginx)" --nginx-conf deploy/nginx/trainbot.conf
        --scenario-timeout-secs 900)
# The build the replicas start on, and the new one the rolling upgrade brings in.
builds=$(mktemp -d)
trap 'rm -rf "$builds"' EXIT
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
two_builds() { # profile-flag profile-dir
  TRAINBOT_COMMIT="$commit" cargo build -q $1 -p server -p loadgen
  target=$(realpath "${CARGO_TARGET_DIR:-target}")
  cp "$target/$2/trainbot" "$builds/trainbot-old"
  if [ -n "${UPGRADE_TO:-}" ]; then
    cp "$UPGRADE_TO" "$builds/trainbot-new"
  else
    TRAINBOT_COMMIT="$commit-upgraded" cargo build -q $1 -p server
    cp "$target/$2/trainbot" "$builds/trainbot-new"
  fi
  loadgen="$target/$2/loadgen"
}
common+=(--bot "$builds/trainbot-old" --upgrade-to "$builds/trainbot-new")
if [ -n "${KEEP_LOGS:-}" ]; then
  mkdir -p "$KEEP_LOGS"
  common+=(--keep-logs "$KEEP_LOGS")
fi

if $short; then
  two_builds "" debug
  "$loadgen" "${common[@]}" \
    --database-url "$(fresh_database)" --users 30 --phase-secs 8 --check
else
  two_builds --release release
  for mode in webhook polling; do
    extra=()
    [ "$mode" = polling ] && extra=(--polling)
    "$loadgen" "${common[@]}" "${extra[@]}" \
      --database-url "$(fresh_database)" --users "${USERS:-1000}" --phase-secs 20 --check
  done
fi
