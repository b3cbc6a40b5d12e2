#!/usr/bin/env bash
# Times the content generation poll and the current-edits read on PostgreSQL with
# N stored versions (a scratch schema, dropped afterwards).
set -euo pipefail
PG="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
MIG="$(cd "$(dirname "$0")/.." && pwd)/crates/storage/migrations/postgres/0009_content_overrides.sql"
for n in 1000 10000 100000; do
  psql "$PG" -qc "drop schema if exists bench_content cascade; create schema bench_content;"
  psql "$PG" -q -c "set search_path=bench_content;" -f <(echo "set search_path=bench_content;"; cat $MIG)
  psql "$PG" -qc "set search_path=bench_content; insert into content_overrides (path, field, value, body, author, created_at)
     select 'section/page-' || (i % 60) || '.md', (array['text:ru','text:en'])[1 + i % 2], 'text', repeat('x', 800), 1, now()
     from generate_series(1, $n) i; analyze content_overrides;"
  for q in "SELECT (SELECT COUNT(*) FROM content_overrides), (SELECT COUNT(*) FROM content_reloads)" \
           "SELECT id, path, field, value, body, media_kind, author, created_at FROM content_overrides WHERE id IN (SELECT MAX(id) FROM content_overrides GROUP BY path, field) ORDER BY id"; do
    t=$( { echo "set search_path=bench_content;"; echo '\timing on'; for _ in $(seq 1 20); do echo "$q;"; done; } | psql "$PG" -q -o /dev/null 2>&1 | grep -o 'Time: [0-9.]*' | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int(NR/2)+1]}')
    echo "n=$n median_ms=$t query=${q:0:40}"
  done
done
psql "$PG" -qc "drop schema bench_content cascade;" 2>/dev/null
