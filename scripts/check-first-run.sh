#!/usr/bin/env bash
# The README's first command on a fresh machine: make a fresh `git clone` of this
# repository in an empty temporary directory (nothing beside it, no ../shared), run
# the bot there on its embedded defaults (./content, ./trainbot.db, in-memory state)
# with only PATH and HOME in its environment plus the README's BOT_TOKEN and
# ADMIN_IDS, against fake-telegram, and check that:
#   - the admin named in ADMIN_IDS is greeted by /start, not shown "for park staff";
#   - a stranger gets the staff-only screen (the default ACCESS_MODE=invite holds);
#   - fake-telegram, on the Bot API spec built into it, saw no request Telegram
#     would refuse.
#
# Building inside the clone would cost many minutes, so the binaries come from this
# checkout's target directory: `cargo build` here first (a no-op or a link after the
# tests). The clone is of HEAD, so commit first when trying it on a changed tree.
# Usage: scripts/check-first-run.sh [--release]   (debug binaries by default)
# Needs git and curl.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
profile=debug
build_args=(build -q -p server -p fake-telegram --bins)
if [ "${1:-}" = "--release" ]; then
  profile=release
  build_args+=(--release)
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--release]" >&2
  exit 2
fi

say() { printf '==> %s\n' "$*"; }
fail() {
  printf '\ncheck-first-run: %s\n' "$*" >&2
  for log in "$logs"/*.log; do
    [ -f "$log" ] && { printf -- '--- %s ---\n' "$(basename "$log")" >&2; tail -n 40 "$log" >&2; }
  done
  exit 1
}

say "building the bot and fake-telegram ($profile) in $repo"
(cd "$repo" && cargo "${build_args[@]}")
target=${CARGO_TARGET_DIR:-$repo/target}
case "$target" in /*) ;; *) target="$repo/$target" ;; esac
trainbot="$target/$profile/trainbot"
fake="$target/$profile/fake-telegram"
[ -x "$trainbot" ] && [ -x "$fake" ] || { echo "no $trainbot or $fake" >&2; exit 1; }

home=$(mktemp -d)   # the clone, alone in it
logs=$(mktemp -d)
fake_pid=""
bot_pid=""
cleanup() {
  for pid in $bot_pid $fake_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $bot_pid $fake_pid; do
    # Bounded: a process that ignores SIGTERM for 10 s is killed.
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$home" "$logs"
}
trap cleanup EXIT

say "cloning into an empty directory"
git clone -q "$repo" "$home/trainbot"
clone="$home/trainbot"

# Only what a fresh container has: no TELEGRAM_API_SPEC, CERTIFICATE_FONT,
# trainbot.toml or database of this machine.
clean_env=(env -i "PATH=$PATH" "HOME=$home" "RUST_LOG=info")
# Under coverage (scripts/coverage.sh env) the binaries' counts go with the tests'.
if [ -n "${LLVM_PROFILE_FILE:-}" ]; then clean_env+=("LLVM_PROFILE_FILE=$LLVM_PROFILE_FILE"); fi

say "starting fake-telegram"
(cd "$clone" && exec "${clean_env[@]}" "$fake" --port 0) >"$logs/fake-url" 2>"$logs/fake-telegram.log" &
fake_pid=$!
api=""
for _ in $(seq 1 300); do
  api=$(head -n 1 "$logs/fake-url" 2>/dev/null || true)
  [ -n "$api" ] && break
  kill -0 "$fake_pid" 2>/dev/null || fail "fake-telegram exited"
  sleep 0.1
done
[ -n "$api" ] || fail "fake-telegram printed no URL"

# The README's first command, with the fake as Telegram, person 42 as the admin, and
# a free port for /healthz (8080 may be taken on a CI machine).
say "running the README's first command in the clone against $api"
(cd "$clone" && exec "${clean_env[@]}" \
  BOT_TOKEN=123456:TEST-TOKEN TELEGRAM_API_URL="$api" ADMIN_IDS=42 LISTEN=127.0.0.1:0 \
  "$trainbot" run) >"$logs/trainbot.log" 2>&1 &
bot_pid=$!

post_text() {
  curl -fsS -XPOST "$api/_fake/chats/$1/text" -H 'content-type: application/json' \
    -d "{\"text\":\"$2\"}" >/dev/null || fail "cannot send $2 as person $1"
}

# Waits until the bot has answered person $1 and prints what they see (JSON).
answer_to() {
  local seen
  for _ in $(seq 1 600); do
    seen=$(curl -fsS "$api/_fake/chats/$1/messages" || true)
    if [[ $seen == *'"from_bot":true'* ]]; then
      printf '%s' "$seen"
      return
    fi
    kill -0 "$bot_pid" 2>/dev/null || fail "the bot exited"
    sleep 0.1
  done
  fail "the bot did not answer person $1"
}

post_text 42 /start
admin=$(answer_to 42)
[[ $admin == *🔒* ]] && fail "the admin in ADMIN_IDS got the staff-only screen: $admin"
[[ $admin == *'Hello, '* || $admin == *'Здравствуйте, '* ]] \
  || fail "the admin was not greeted: $admin"
say "person 42 (ADMIN_IDS) is greeted"

post_text 43 /start
stranger=$(answer_to 43)
[[ $stranger == *🔒* ]] \
  || fail "a stranger was let in though ACCESS_MODE defaults to invite: $stranger"
say "person 43 (a stranger) sees the staff-only screen"

violations=$(curl -fsS "$api/_fake/violations") || fail "cannot read the violations"
[ "$violations" = "[]" ] || fail "requests Telegram would refuse: $violations"
if grep -q "ACCESS_MODE is invite" "$logs/trainbot.log"; then
  fail "the bot warned about a missing admin though ADMIN_IDS is set"
fi
[ -f "$clone/trainbot.db" ] || fail "no ./trainbot.db in the clone"

say "first run ok"
