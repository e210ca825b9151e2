#!/usr/bin/env bash
# `make demo`: runs every bundled scenario (check mode), then shows one in full: its
# resolved routing with the reasons, and its simulation report.
set -uo pipefail
splitsim=${1:-build/splitsim}
cd "$(dirname "$0")/.."
echo "==> splitsim check scenarios/"
"$splitsim" check --quiet scenarios/
status=$?
echo
echo "==> splitsim resolve --explain scenarios/seed-traffic-split.yaml --from frontend_kuma-demo_svc_8080-1"
"$splitsim" resolve --explain scenarios/seed-traffic-split.yaml --from frontend_kuma-demo_svc_8080-1 || status=$?
echo
echo "==> splitsim run scenarios/seed-traffic-split.yaml"
"$splitsim" run scenarios/seed-traffic-split.yaml || status=$?
exit "$status"
