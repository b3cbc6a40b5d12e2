#!/usr/bin/env bash
# The backup and restore procedures of docs/operations.md ("Backups"), run for real
# against fake-telegram:
#   - SQLite: an online backup of a running bot's database (SQLite's backup API,
#     what `sqlite3 trainbot.db ".backup backup.db"` does), taken while the bot
#     answers; the bot stopped, its database replaced by the backup, the bot started
#     on it.
#   - PostgreSQL: `pg_dump --format=custom` while the bot runs, `pg_restore` into a
#     new, empty database, the bot started on that one.
# Each time, the person the bot knew before the backup is still known after the
# restore, and the restored bot answers them. (Telegram's rules are checked by the
# test suite and check-first-run.sh; here four bots start and stop one after the
# other, and a stop during a long poll can meet fake-telegram's one-poller rule.)
#
# The binaries come from this checkout's target directory (`cargo build` first).
# Needs curl, python3 and PostgreSQL's client tools; PostgreSQL at PG_URL
# (default postgres://postgres@127.0.0.1:5432/test: its server gets two scratch
# databases, dropped at the end). Usage: scripts/check-backup.sh
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
pg_url=${PG_URL:-${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}}
target=${CARGO_TARGET_DIR:-$repo/target}
case "$target" in /*) ;; *) target="$repo/$target" ;; esac

say() { printf '==> %s\n' "$*"; }
fail() {
  printf '\ncheck-backup: %s\n' "$*" >&2
  for log in "$work"/*.log; do
    [ -f "$log" ] && { printf -- '--- %s ---\n' "$(basename "$log")" >&2; tail -n 30 "$log" >&2; }
  done
  exit 1
}

for tool in curl python3 psql pg_dump pg_restore; do
  command -v "$tool" >/dev/null || { echo "check-backup: $tool is missing" >&2; exit 1; }
done
(cd "$repo" && cargo build -q -p server -p fake-telegram --bins)
trainbot="$target/debug/trainbot"
fake="$target/debug/fake-telegram"

work=$(mktemp -d)
suffix=$$
src_db="trainbot_backup_src_$suffix"
dst_db="trainbot_backup_dst_$suffix"
fake_pid=""
bot_pid=""
stop() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop "$bot_pid"
  stop "$fake_pid"
  psql "$pg_url" -qc "DROP DATABASE IF EXISTS $src_db" >/dev/null 2>&1 || true
  psql "$pg_url" -qc "DROP DATABASE IF EXISTS $dst_db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

run_env=(env -i "PATH=$PATH" "HOME=$work" "RUST_LOG=info")
if [ -n "${LLVM_PROFILE_FILE:-}" ]; then run_env+=("LLVM_PROFILE_FILE=$LLVM_PROFILE_FILE"); fi

"${run_env[@]}" "$fake" --port 0 >"$work/fake-url" 2>"$work/fake-telegram.log" &
fake_pid=$!
api=""
for _ in $(seq 1 300); do
  api=$(head -n 1 "$work/fake-url" 2>/dev/null || true)
  [ -n "$api" ] && break
  sleep 0.1
done
[ -n "$api" ] || fail "fake-telegram printed no URL"

# Starts the bot on database $1 (logging to $2.log) and waits until it is ready.
start_bot() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  (cd "$work" && exec "${run_env[@]}" BOT_TOKEN=123456:TEST-TOKEN TELEGRAM_API_URL="$api" \
    DATABASE_URL="$1" CONTENT_DIR="$repo/content" ACCESS_MODE=open LISTEN="127.0.0.1:$port" \
    POLL_TIMEOUT_SECS=1 "$trainbot" run) >"$work/$2.log" 2>&1 &
  bot_pid=$!
  for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return
    kill -0 "$bot_pid" 2>/dev/null || fail "the bot on $2 exited"
    sleep 0.1
  done
  fail "the bot on $2 never became ready"
}

stop_bot() {
  stop "$bot_pid"
  bot_pid=""
}

post_text() {
  curl -fsS -XPOST "$api/_fake/chats/$1/text" -H 'content-type: application/json' \
    -d "{\"text\":\"$2\"}" >/dev/null || fail "cannot send $2 as person $1"
}

# Waits until person $1 has $2 answers from the bot.
answers() {
  for _ in $(seq 1 600); do
    local seen
    seen=$(curl -fsS "$api/_fake/chats/$1/messages" || true)
    [ "$(grep -o '"from_bot":true' <<<"$seen" | wc -l)" -ge "$2" ] && return
    sleep 0.1
  done
  fail "person $1 did not get answer $2"
}

# --- SQLite ---------------------------------------------------------------------
say "SQLite: a person talks to the bot"
start_bot "sqlite://$work/trainbot.db" sqlite
post_text 5001 /start
answers 5001 1

say "SQLite: online backup while the bot runs"
python3 - "$work/trainbot.db" "$work/backup.db" <<'PY'
import sqlite3, sys
source = sqlite3.connect(sys.argv[1])
target = sqlite3.connect(sys.argv[2])
source.backup(target)
target.close()
source.close()
PY
stop_bot
rm -f "$work"/trainbot.db "$work"/trainbot.db-wal "$work"/trainbot.db-shm

say "SQLite: restore and start on the backup"
cp "$work/backup.db" "$work/trainbot.db"
known=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM users WHERE id = 5001").fetchone()[0])' "$work/trainbot.db")
[ "$known" = 1 ] || fail "the backup does not know person 5001"
start_bot "sqlite://$work/trainbot.db" sqlite-restored
post_text 5001 /menu
answers 5001 2
stop_bot

# --- PostgreSQL -----------------------------------------------------------------
base=${pg_url%/*}
psql "$pg_url" -qc "CREATE DATABASE $src_db" >/dev/null || fail "cannot create $src_db at $base"
psql "$pg_url" -qc "CREATE DATABASE $dst_db" >/dev/null || fail "cannot create $dst_db at $base"

say "PostgreSQL: a person talks to the bot"
start_bot "$base/$src_db" postgres
post_text 5002 /start
answers 5002 1

say "PostgreSQL: pg_dump while the bot runs"
pg_dump --format=custom --file="$work/trainbot.dump" "$base/$src_db" || fail "pg_dump failed"
stop_bot

say "PostgreSQL: pg_restore into an empty database and start on it"
pg_restore --no-owner --dbname="$base/$dst_db" "$work/trainbot.dump" || fail "pg_restore failed"
known=$(psql "$base/$dst_db" -qAtc "SELECT count(*) FROM users WHERE id = 5002")
[ "$known" = 1 ] || fail "the restored database does not know person 5002"
start_bot "$base/$dst_db" postgres-restored
post_text 5002 /menu
answers 5002 2
stop_bot

say "backups restore: SQLite (online backup) and PostgreSQL (pg_dump / pg_restore)"
