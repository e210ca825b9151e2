#!/usr/bin/env bash
# Golden outputs: each scenario's report must match its stored output byte for byte.
#   tests/kuma/<case>.yaml       -> tests/kuma/<case>.expected.json   (resolve --format json)
#   scenarios/<name>.yaml        -> tests/golden/<name>.resolve.json  (resolve --format json)
#                                -> tests/golden/<name>.run.json      (run --format json)
#                                -> tests/golden/<name>.run.csv       (run --format csv)
#                                -> tests/golden/<name>.explain.txt   (resolve --explain)
# Run from anywhere; paths in outputs are relative to the repository root.
# UPDATE=1 rewrites the stored outputs of scenarios/ (then review the diff before
# committing); never the tests/kuma expectations, which are derived by hand from Kuma.
set -uo pipefail
splitsim=$(realpath "${1:?usage: run_golden.sh SPLITSIM}")
cd "$(dirname "$0")/.."
pass=0 fail=0
check() { # yaml expected command...
    local yaml=$1 expected=$2; shift 2
    local got
    got=$("$splitsim" "$@" "$yaml" 2>&1)
    if [[ ${UPDATE:-0} == 1 && $expected == tests/golden/* ]]; then
        printf '%s\n' "$got" >"$expected"
    fi
    if [[ -f $expected ]] && diff -u "$expected" <(printf '%s\n' "$got") >/tmp/golden.diff.$$; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $yaml ($*)"
        if [[ -f $expected ]]; then head -40 /tmp/golden.diff.$$; else echo "  missing $expected"; fi
    fi
    rm -f /tmp/golden.diff.$$
}
for y in tests/kuma/*.yaml; do
    check "$y" "${y%.yaml}.expected.json" resolve --format json --quiet
done
for y in scenarios/*.yaml; do
    name=$(basename "${y%.yaml}")
    check "$y" "tests/golden/$name.resolve.json" resolve --format json --quiet
    check "$y" "tests/golden/$name.run.json" run --format json --quiet
    check "$y" "tests/golden/$name.run.csv" run --format csv --quiet
    check "$y" "tests/golden/$name.explain.txt" resolve --explain --quiet
done
echo "golden: $pass passed, $fail failed"
((fail == 0))
