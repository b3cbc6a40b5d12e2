#!/usr/bin/env bash
# Fuzzes trainbot's parsers and writers with cargo-fuzz (libFuzzer).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Default: 180 seconds for each target in fuzz/fuzz_targets/. Each target starts
# from its committed seeds (fuzz/seeds/<target>/, never written to) and grows a
# scratch corpus in fuzz/corpus/<target>/ (git-ignored; kept between runs). A crash
# is saved under fuzz/artifacts/<target>/ and fails the run; minimise it, save it
# under fuzz/regressions/<target>/ (replayed by `cargo test -p fuzzing`), then fix
# the code. Needs the nightly toolchain and cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-180}
shift || true
case "$seconds" in
  '' | *[!0-9]*)
    echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
    exit 2
    ;;
esac

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz.sh: the nightly toolchain is missing: rustup toolchain install nightly" >&2
  exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: cargo-fuzz is missing: cargo install cargo-fuzz" >&2
  exit 2
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in fuzz/fuzz_targets/*.rs; do
    targets+=("$(basename "$f" .rs)")
  done
fi
for t in "${targets[@]}"; do
  if [ ! -f "fuzz/fuzz_targets/$t.rs" ]; then
    echo "fuzz.sh: no target $t (see fuzz/fuzz_targets/)" >&2
    exit 2
  fi
done

# cargo-fuzz's default: optimised code with AddressSanitizer. FUZZ_FLAGS adds
# build options, e.g. FUZZ_FLAGS=--debug-assertions for overflow checks (a
# separate, full build).
read -r -a flags <<<"--release ${FUZZ_FLAGS:-}"
cd fuzz
echo "building ${#targets[@]} fuzz targets..."
build_start=$(date +%s)
cargo +nightly fuzz build "${flags[@]}"
echo "built in $(($(date +%s) - build_start)) s"

# The content pack target writes a small folder per input: keep that in memory.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export TMPDIR=/dev/shm
fi

failed=()
summary=()
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t" "seeds/$t"
  log="artifacts/$t/last-run.log"
  dict=()
  [ -f "dicts/$t.dict" ] && dict=("-dict=dicts/$t.dict")
  echo "fuzzing $t for ${seconds} s (log: fuzz/$log)"
  status=0
  cargo +nightly fuzz run "${flags[@]}" "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/" "${dict[@]}" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(find "corpus/$t" -type f | wc -l)
  line=$(printf '%-13s %s  execs %s (%s/s)  cov %s  ft %s  corpus %s' \
    "$t" "$([ "$status" -eq 0 ] && echo ok || echo CRASH)" \
    "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$corpus")
  summary+=("$line")
  echo "$line"
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    grep -E 'panicked at|^SUMMARY|Test unit written to' "$log" | head -5 >&2 || true
  fi
done

echo
echo "summary (${seconds} s per target):"
printf '  %s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "crashes in: ${failed[*]}" >&2
  echo "minimise:  cd fuzz && cargo +nightly fuzz tmin ${flags[*]} <target> artifacts/<target>/crash-..." >&2
  echo "then save the minimised input under fuzz/regressions/<target>/ and fix the code" >&2
  exit 1
fi
