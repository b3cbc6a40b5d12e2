#!/usr/bin/env bash
# The topology run (issue 12, ADR 0036): three replicas of trainbot on PostgreSQL
# and Redis with Sentinel, behind nginx in webhook mode (then polling), a crowd
# browsing while a broadcast goes out, one replica killed with SIGKILL and
# restarted, and the Redis master killed so Sentinel fails over. Prints, per
# mode, updates sent / taken / lost, presses answered twice, unanswered presses,
# broadcast duplicates and latency per phase (figures in docs/benchmarks.md).
#
#   scripts/topology.sh          release build, 1000 people, 20 s phases, webhook and polling
#   scripts/topology.sh --short  CI's version: the debug build, 30 people, 8 s phases,
#                                webhook only, failing if a promise is broken
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
if $short; then
  cargo build -q -p server -p loadgen
  target=$(realpath "${CARGO_TARGET_DIR:-target}")
  "$target/debug/loadgen" "${common[@]}" --bot "$target/debug/trainbot" \
    --database-url "$(fresh_database)" --users 30 --phase-secs 8 --check
else
  cargo build -q --release -p server -p loadgen
  target=$(realpath "${CARGO_TARGET_DIR:-target}")
  for mode in webhook polling; do
    extra=()
    [ "$mode" = polling ] && extra=(--polling)
    "$target/release/loadgen" "${common[@]}" "${extra[@]}" --bot "$target/release/trainbot" \
      --database-url "$(fresh_database)" --users "${USERS:-1000}" --phase-secs 20 --check
  done
fi
