#!/usr/bin/env bash
# Runs every bundled scenario: validates it, then shows its resolved routing.
set -euo pipefail
splitsim=${1:-build/splitsim}
cd "$(dirname "$0")/.."
status=0
for f in scenarios/*.yaml; do
    echo "==> $f"
    "$splitsim" validate --quiet "$f" || status=$?
    "$splitsim" resolve "$f" || status=$?
    echo
done
exit "$status"
