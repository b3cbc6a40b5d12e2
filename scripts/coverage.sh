#!/usr/bin/env bash
# Line coverage of the workspace with cargo-llvm-cov (ADR 0024).
#
#   eval "$(scripts/coverage.sh env)"   instrument what cargo builds from here on
#                                       (workspace crates only) and clear old data
#   cargo test --workspace              ...the README's test command, unchanged...
#   scripts/check-first-run.sh          ...and anything else that runs our binaries
#   scripts/coverage.sh report          per-crate table; fails below the gate
#
#   scripts/coverage.sh                 all of the above in one go
#
# The gate is COVERAGE_MIN_LINES percent of lines (default 85), over every crate
# of the workspace, tests' own code excluded. The report also writes
# target/coverage/summary.txt and target/coverage/lcov.info.
# Needs cargo-llvm-cov and rustup's llvm-tools component (.ci/run installs both).
set -euo pipefail
cd "$(dirname "$0")/.."

min_lines=${COVERAGE_MIN_LINES:-85}
# Test code and test-only helpers are not what the gate measures.
ignore='(/tests/|/benches/|/testing\.rs$|/tests\.rs$)'

need_tools() {
  command -v cargo-llvm-cov >/dev/null \
    || { echo "coverage: cargo-llvm-cov is missing: cargo install --locked cargo-llvm-cov" >&2; exit 1; }
  rustup component list --installed 2>/dev/null | grep -q '^llvm-tools' \
    || { echo "coverage: rustup's llvm-tools are missing: rustup component add llvm-tools" >&2; exit 1; }
}

env_for_tests() {
  need_tools
  cargo llvm-cov clean --workspace >&2
  cargo llvm-cov show-env --sh 2>/dev/null
}

report() {
  need_tools
  mkdir -p target/coverage
  cargo llvm-cov report --ignore-filename-regex "$ignore" --lcov --output-path target/coverage/lcov.info
  cargo llvm-cov report --ignore-filename-regex "$ignore" --summary-only | tee target/coverage/summary.txt
  per_crate target/coverage/lcov.info | tee target/coverage/crates.md
  cargo llvm-cov report --ignore-filename-regex "$ignore" --summary-only --fail-under-lines "$min_lines" >/dev/null \
    || { echo "coverage: lines covered are below the gate of ${min_lines}%" >&2; exit 1; }
  echo "coverage: at or above the gate of ${min_lines}% of lines"
}

# Lines found and hit per crate, from the lcov file, as a Markdown table.
per_crate() {
  echo "| crate | lines | covered | % |"
  echo "|---|---:|---:|---:|"
  awk -v root="$PWD/" '
    /^SF:/ { file = substr($0, 4); sub(root, "", file); split(file, p, "/"); crate = (p[1] == "crates") ? p[2] : p[1] }
    /^LF:/ { found[crate] += substr($0, 4) }
    /^LH:/ { hit[crate] += substr($0, 4) }
    END { for (c in found) printf "%s %d %d\n", c, found[c], hit[c] }' "$1" \
    | sort \
    | awk '{ f += $2; h += $3; printf "| `%s` | %d | %d | %.1f |\n", $1, $2, $3, 100 * $3 / $2 }
           END { printf "| **workspace** | %d | %d | %.1f |\n", f, h, 100 * h / f }'
}

case "${1:-all}" in
  env) env_for_tests ;;
  report) report ;;
  all)
    eval "$(env_for_tests)"
    cargo test --workspace
    scripts/check-first-run.sh
    report
    ;;
  *) echo "usage: $0 [env|report|all]" >&2; exit 2 ;;
esac
