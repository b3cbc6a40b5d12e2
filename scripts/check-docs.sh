#!/usr/bin/env bash
# Documentation that must not drift: every architecture decision record is listed
# in docs/adr/README.md. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=0
for record in docs/adr/[0-9]*.md; do
  name=$(basename "$record")
  if ! grep -q "($name)" docs/adr/README.md; then
    echo "docs/adr/README.md does not list $name" >&2
    missing=1
  fi
done
[ "$missing" -eq 0 ] && echo "every ADR is listed in docs/adr/README.md"
exit "$missing"
