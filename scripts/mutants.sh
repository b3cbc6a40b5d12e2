#!/usr/bin/env bash
# Mutation testing (cargo-mutants, https://mutants.rs): do the tests notice when a
# rule is broken? Slow, so not part of .ci/run's test step; see docs/quality.md.
#
#   scripts/mutants.sh            the full scope, two runs:
#                                 1. the whole domain crate, tested by its own tests
#                                    (unit and integration, no doctests);
#                                 2. the engine's rights (rights.rs: the table;
#                                    admission.rs and context.rs: the guard and
#                                    its parts), lockout
#                                    (admin.rs: lockout_duration and the password
#                                    check) and the code that applies grading and
#                                    the review schedule (quiz.rs, review.rs),
#                                    tested by the engine's unit tests and its
#                                    admin_security, pipeline, quiz_rules and
#                                    rights suites.
#   scripts/mutants.sh --short    CI's version, a few minutes: the grading and
#                                 review-schedule rules of the domain crate
#                                 (grade, percent, passed, review_after), always.
#   scripts/mutants.sh --changed  the full scope, but only the mutants on lines
#                                 changed since the merge base with MUTANTS_BASE
#                                 (origin/main, else main), or in the diff
#                                 MUTANTS_DIFF names.
#
# `--only=domain` or `--only=engine` runs one of the two parts.
# Other arguments go to every cargo-mutants run, e.g. `--in-place` (mutate this
# checkout instead of a copy: no second build of the dependencies, but leave the
# tree alone while it runs) or `-j 2`.
#
# Prints the counts and exits non-zero when fewer than MUTANTS_MIN_PERCENT (85)
# of the viable mutants are caught. Viable = caught + missed + timeouts; a timeout
# counts as caught: the mutant made the tests run far longer than they do (an
# endless loop), and a suite that never finishes never passes. Unviable mutants
# (they do not build) are left out. Results: mutants.out/<part>/ (missed.txt lists
# the survivors) and mutants.out/summary.md (MUTANTS_OUT=<dir> to write elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."

min_percent=${MUTANTS_MIN_PERCENT:-85}
short=0
changed=0
only=
extra=()
for arg in "$@"; do
  case "$arg" in
    --short) short=1 ;;
    --changed) changed=1 ;;
    --only=*) only=${arg#--only=} ;;
    *) extra+=("$arg") ;;
  esac
done

cargo mutants --version >/dev/null 2>&1 || {
  echo "mutants: cargo-mutants is missing: cargo install --locked cargo-mutants" >&2
  exit 2
}

# The engine functions in scope, matched against cargo-mutants' names ("file:line:
# col: replace ... in Turn<'_>::method", or "... in function" for a slice's
# free functions); the --file globs keep the rest of the
# engine out. Screens, texts and everything else stay out. (cargo-mutants 27.1
# applies no name filter to "delete field" mutants, so the few of those in
# admin.rs come along whatever the regexes say.)
engine_scope=(
  --file crates/engine/src/rights.rs --file crates/engine/src/admission.rs
  --file crates/engine/src/context.rs --file crates/engine/src/admin.rs
  --file crates/engine/src/quiz.rs --file crates/engine/src/review.rs
  --re 'rights\.rs:.*(Rights::allow|Rights::of|\brule\b|_need\b|_rule\b|\bneed\b|\bsubject\b|\bpark_named\b)'
  --re 'admission\.rs:.*(is_power_of_ten|::current_rights|::admit|::audit_refusal| may_act_on$)'
  --re 'context\.rs:.*(Cx::scope|Cx::within_rights)'
  --re 'admin\.rs:.*(lockout_duration|::check_password)'
  --re 'quiz\.rs:.* in (quiz_answer|finish|out_of_time|review_change)$'
  --re 'review\.rs:.* in review_start$'
)
# The engine's tests that guard those rules (not the exports and content-sync
# suites): as cargo arguments, so that each mutant also builds only these.
engine_tests=(
  --cargo-arg=--lib --cargo-arg=--test=admin_security --cargo-arg=--test=pipeline
  --cargo-arg=--test=quiz_rules --cargo-arg=--test=rights
)

out=${MUTANTS_OUT:-mutants.out}
mkdir -p "$out"
rm -f "$out/summary.md"
started=$(date +%s)
parts=()

# run <part> <cargo-mutants arguments...>: one run into mutants.out/<part>.
# cargo-mutants exits 2 when mutants were missed and 3 on timeouts: counted below.
run() {
  local part=$1
  shift
  if [ -n "$only" ] && [ "$only" != "$part" ]; then return; fi
  parts+=("$part")
  rm -rf "${out:?}/$part"
  echo "==> mutants: $part"
  local rc=0
  cargo mutants --output "$out/$part" "$@" || rc=$?
  case "$rc" in
    0 | 2 | 3) ;;
    *) echo "mutants: the $part run failed (cargo-mutants exit $rc; baseline broken?)" >&2; exit 1 ;;
  esac
}

if [ "$short" -eq 1 ]; then
  run domain --package domain --test-package domain --file crates/domain/src/learning.rs \
    --re 'learning\.rs:[0-9:]+: .*\b(grade|percent|passed|review_after)\b' --cargo-arg=--lib "${extra[@]}"
elif [ "$changed" -eq 1 ]; then
  # Only the mutants on lines this branch changed (against MUTANTS_BASE, default
  # origin/main or main): seconds when no rule changed, a few minutes per rule.
  # MUTANTS_DIFF=<file> uses that diff instead.
  if [ -n "${MUTANTS_DIFF:-}" ]; then
    cp "$MUTANTS_DIFF" "$out/changes.diff"
    echo "mutants: --changed, lines changed by $MUTANTS_DIFF"
  else
    base=${MUTANTS_BASE:-$(git rev-parse -q --verify origin/main >/dev/null && echo origin/main || echo main)}
    git diff "$(git merge-base "$base" HEAD)" >"$out/changes.diff"
    echo "mutants: --changed, lines changed since $base"
  fi
  run domain --package domain --test-package domain --in-diff "$out/changes.diff" \
    --cargo-arg=--lib "${extra[@]}"
  run engine --package engine --test-package engine "${engine_scope[@]}" \
    --in-diff "$out/changes.diff" "${engine_tests[@]}" "${extra[@]}"
else
  run domain --package domain --test-package domain --cargo-arg=--tests "${extra[@]}"
  run engine --package engine --test-package engine "${engine_scope[@]}" \
    "${engine_tests[@]}" "${extra[@]}"
fi

count() { # count <outcome>: lines of <outcome>.txt of the parts run
  local part
  for part in "${parts[@]}"; do cat "$out/$part/mutants.out/$1.txt" 2>/dev/null || true; done | grep -c . || true
}
caught=$(count caught)
missed=$(count missed)
timeout=$(count timeout)
unviable=$(count unviable)
viable=$((caught + missed + timeout))
total=$((viable + unviable))
seconds=$(($(date +%s) - started))
if [ "$viable" -gt 0 ]; then
  tenths=$(((caught + timeout) * 1000 / viable))
else
  tenths=1000
fi
ratio="$((tenths / 10)).$((tenths % 10))%"

{
  mode=full
  if [ "$short" -eq 1 ]; then mode=short; elif [ "$changed" -eq 1 ]; then mode=changed; fi
  echo "mutants ($mode), $(date -u '+%Y-%m-%d %H:%M UTC'), $((seconds / 60)) min $((seconds % 60)) s"
  echo
  echo "| total | caught | missed | timeouts | unviable | caught of viable |"
  echo "|---|---|---|---|---|---|"
  echo "| $total | $caught | $missed | $timeout | $unviable | $ratio |"
  if [ "$missed" -gt 0 ]; then
    echo
    echo "Missed:"
    echo
    for part in "${parts[@]}"; do cat "$out/$part/mutants.out/missed.txt"; done | sed 's/^/- /'
  fi
} | tee "$out/summary.md"

if [ "$((tenths))" -lt "$((min_percent * 10))" ]; then
  echo "mutants: $ratio of viable mutants caught, below ${min_percent}%" >&2
  exit 1
fi
echo "mutants: $ratio of viable mutants caught (at least ${min_percent}% required)"
