#!/usr/bin/env bash
# The command line end to end (SPEC §1): exit codes 0/1/2/3, where messages and reports go,
# --out written whole or not at all, `check` over a folder with --junit, and determinism
# of the JSON bytes.  Scenarios:
#   tests/cli/check/pass.yaml   every expectation holds, for any seed
#   tests/cli/check/fail.yaml   one expectation fails with exact numbers (100% vs 50%)
#   tests/cli/invalid.yaml      a weight that is not a number
# Usage: run_cli.sh [SPLITSIM]   (default build/splitsim); run from anywhere.
set -uo pipefail
splitsim=$(realpath "${1:-build/splitsim}")
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# run ARGS...: runs splitsim, keeping stdout in $tmp/out, stderr in $tmp/err, status in $rc.
run() {
    "$splitsim" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

# check DESCRIPTION CONDITION...: counts CONDITION (a command) as a pass or a failure.
check() {
    local what=$1
    shift
    if "$@"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $what"
        echo "  exit status $rc; stdout:"
        head -20 "$tmp/out" | sed 's/^/    /'
        echo "  stderr:"
        head -20 "$tmp/err" | sed 's/^/    /'
    fi
}

status() { [[ $rc == "$1" ]]; }
out_has() { grep -qF -- "$1" "$tmp/out"; }
err_has() { grep -qF -- "$1" "$tmp/err"; }
out_empty() { [[ ! -s $tmp/out ]]; }
err_empty() { [[ ! -s $tmp/err ]]; }

# --- run ------------------------------------------------------------------------------
run run check/pass.yaml
check "run: passing scenario exits 0" status 0
check "run: passing scenario prints PASS lines" out_has "  PASS w: route MeshTCPRoute (expected MeshTCPRoute); api{version=v1} "
check "run: passing scenario says all passed" out_has "all 2 expectations passed"
check "run: nothing on stderr" err_empty

run run check/fail.yaml
check "run: failing expectation exits 1" status 1
check "run: FAIL line with the numbers" out_has "  FAIL w: 'api{version=v2}' is not among this flow's outcomes; api{version=v1} 100.000% (expected 50.000% +- 1.000) OUT; api{version=v2} 0.000% (expected 50.000% +- 1.000) OUT"
check "run: the other expectation passes" out_has "  PASS w: failed 0 of 1000 (expected none)"
check "run: 1 of 2 failed" out_has "1 of 2 expectations failed"

run run invalid.yaml
check "run: invalid input exits 2" status 2
check "run: message with file:line:col" err_has 'invalid.yaml:21:87: MeshTCPRoute '\''canary'\'' spec.to[0].rules[0].default.backendRefs[1].weight: expected an integer 0..4294967295, got "ten"'
check "run: no report for invalid input" out_empty

run run no-such-file.yaml
check "run: missing file exits 2" status 2
check "run: missing file is named" err_has "no-such-file.yaml"

# --- --out ----------------------------------------------------------------------------
run run check/pass.yaml --out "$tmp/missing/report.txt"
check "--out in a missing directory exits 3" status 3
check "--out in a missing directory says why" err_has "cannot write $tmp/missing/report.txt"
check "--out in a missing directory: no report on stdout" out_empty
check "--out in a missing directory: nothing written" test ! -e "$tmp/missing"

: >"$tmp/plain-file"
run run check/pass.yaml --out "$tmp/plain-file/report.txt"
check "--out under a regular file exits 3" status 3
check "--out under a regular file: nothing written" test ! -s "$tmp/plain-file"

if [[ $(id -u) != 0 ]]; then # root writes into read-only directories anyway
    mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
    run run check/pass.yaml --out "$tmp/ro/report.txt"
    check "--out in a read-only directory exits 3" status 3
    check "--out in a read-only directory: nothing written" test -z "$(ls -A "$tmp/ro")"
    chmod 755 "$tmp/ro"
fi

run run check/pass.yaml --format json --out "$tmp/report.json"
check "--out: exit 0" status 0
check "--out: nothing on stdout" out_empty
check "--out: the report is in the file" grep -qF '"scenario": "cli-pass"' "$tmp/report.json"
check "--out: no temporary file left" test "$(ls -A "$tmp" | grep -c '^report\.json')" = 1

printf 'previous\n' >"$tmp/kept.txt"
run run invalid.yaml --out "$tmp/kept.txt"
check "--out with invalid input exits 2" status 2
check "--out with invalid input keeps the old file" grep -qx previous "$tmp/kept.txt"

run run check/fail.yaml --out "$tmp/failed.txt"
check "--out with a failed expectation exits 1" status 1
check "--out with a failed expectation still writes the report" grep -qF "  FAIL w: " "$tmp/failed.txt"

# --- usage ----------------------------------------------------------------------------
for cmd in run check validate resolve; do
    run "$cmd" --help
    check "$cmd --help exits 0" status 0
    check "$cmd --help prints its usage on stdout" out_has "usage: splitsim $cmd "
done
run --help
check "--help exits 0" status 0
check "--help lists the commands" out_has "splitsim check PATH..."
run --version
check "--version exits 0" status 0
check "--version names the program" out_has "splitsim "

run run check/pass.yaml --frobnicate
check "unknown option exits 2" status 2
check "unknown option is named" err_has "splitsim run: unknown option '--frobnicate'"
check "unknown option: no report" out_empty
run check check --format json
check "an option the command does not take exits 2" status 2
run run check/pass.yaml --format yaml
check "unknown format exits 2" status 2
run run check/pass.yaml --seed -3
check "negative seed exits 2" status 2
run frobnicate
check "unknown command exits 2" status 2
run
check "no command exits 2" status 2
run run
check "run without a file exits 2" status 2

# --- check ----------------------------------------------------------------------------
run check check --junit "$tmp/junit.xml"
check "check: one failing scenario exits 1" status 1
check "check: one line per scenario" test "$(grep -cE '^(PASS|FAIL|ERROR) ' "$tmp/out")" = 2
check "check: the passing scenario" out_has "PASS  check/pass.yaml (cli-pass): 2 expectations"
check "check: the failing scenario" out_has "FAIL  check/fail.yaml (cli-fail): 1 of 2 expectations failed"
check "check: the failing numbers" out_has "      w: 'api{version=v2}' is not among this flow's outcomes; api{version=v1} 100.000% (expected 50.000% +- 1.000) OUT"
check "check: closing line" test "$(tail -n 1 "$tmp/out")" = "1 passed, 1 failed"
check "--junit: file written" test -s "$tmp/junit.xml"
check "--junit: totals" grep -qF '<testsuites name="splitsim" tests="4" failures="1" errors="0">' "$tmp/junit.xml"
check "--junit: one testsuite per scenario" test "$(grep -c '<testsuite ' "$tmp/junit.xml")" = 2
check "--junit: one testcase per expectation" test "$(grep -c '<testcase ' "$tmp/junit.xml")" = 4
check "--junit: one failure" test "$(grep -c '<failure ' "$tmp/junit.xml")" = 1
check "--junit: the failure carries the numbers" grep -qF '100.000% (expected 50.000% +- 1.000) OUT' "$tmp/junit.xml"
check "--junit: every element closed" test "$(grep -c '</testsuite>' "$tmp/junit.xml")" = 2
if command -v xmllint >/dev/null; then
    check "--junit: well-formed XML (xmllint)" xmllint --noout "$tmp/junit.xml"
fi

run check check/pass.yaml
check "check: all passing exits 0" status 0
check "check: closing line when all pass" test "$(tail -n 1 "$tmp/out")" = "1 passed, 0 failed"

run check check invalid.yaml
check "check: an invalid scenario exits 2" status 2
check "check: an invalid scenario is an ERROR line" out_has "ERROR invalid.yaml"
check "check: its message names file:line:col" err_has "invalid.yaml:21:87: "
check "check: closing line counts it as failed" test "$(tail -n 1 "$tmp/out")" = "1 passed, 2 failed"

run check check --junit "$tmp/missing/junit.xml"
check "check: unwritable --junit exits 3" status 3
check "check: unwritable --junit: nothing written" test ! -e "$tmp/missing"

# --- determinism and formats ----------------------------------------------------------
"$splitsim" run check/pass.yaml --format json >"$tmp/a.json"
"$splitsim" run check/pass.yaml --format json >"$tmp/b.json"
rc=0
check "same seed twice: identical JSON bytes" cmp -s "$tmp/a.json" "$tmp/b.json"
"$splitsim" run check/pass.yaml --format json --seed 1 >"$tmp/c.json"
check "--seed equal to the scenario's: identical bytes" cmp -s "$tmp/a.json" "$tmp/c.json"
"$splitsim" run check/pass.yaml --format json --seed 2 >"$tmp/d.json"
check "--seed changes the counts" test "$(grep '"count"' "$tmp/a.json")" != "$(grep '"count"' "$tmp/d.json")"
check "--seed is reported" grep -qF '"seed": 2,' "$tmp/d.json"

run run check/pass.yaml --format csv
check "--format csv exits 0" status 0
check "--format csv header" test "$(head -n 1 "$tmp/out")" = "scenario,seed,flow,from,to,protocol,window_start_ns,window_end_ns,route,policies,window_total,backend,weight,expected,count,share,ci_low,ci_high,active_share,peak_active,chi2,df,p_value"
check "--format csv: one row per (window, backend)" test "$(wc -l <"$tmp/out")" = 3
check "--format csv: integer counts" grep -qE '^cli-pass,1,w,web,api,tcp,0,[0-9]+,MeshTCPRoute,canary,20000,api\{version=v1\},90,0.9,[0-9]+,' "$tmp/out"

# --- resolve: selecting pairs, semantics versions ----------------------------------------
split=../../scenarios/seed-traffic-split.yaml
run resolve "$split" --from frontend_kuma-demo_svc_8080-2
check "resolve --from DP: one pair" test "$(grep -c ' -> ' "$tmp/out")" = 1
check "resolve --from DP: that dataplane" out_has "frontend_kuma-demo_svc_8080-2 -> backend_kuma-demo_svc_3001 (http)"
run resolve "$split" --from frontend_kuma-demo_svc_8080
check "resolve --from SERVICE: each of its dataplanes" test "$(grep -c ' -> ' "$tmp/out")" = 2
run resolve "$split" --all --to frontend_kuma-demo_svc_8080 --format json
check "resolve --all --to: every sidecar to that service" test "$(grep -c '"from"' "$tmp/out")" = 6
run resolve "$split" --from nobody
check "resolve --from nothing: exits 2" status 2
check "resolve --from nothing: says so" err_has "no flow matches --from nobody"
check "resolve --from nothing: no report" out_empty

tie=../../scenarios/kuma-2.5-tiebreak.yaml
run resolve "$tie" --format json
check "kuma: 2.5 in the scenario: the largest name (route-b, replica) wins" out_has '"role": "replica"'
run resolve "$tie" --format json --kuma-version 2.14
check "--kuma-version 2.14 overrides it: the smallest name (route-a, primary) wins" out_has '"role": "primary"'
run run "$tie" --kuma-version 2.14
check "--kuma-version 2.14: the 2.5 expectation fails" status 1
run resolve "$tie" --kuma-version 3.0
check "--kuma-version outside 2.3..2.14 exits 2" status 2

# --- routing splitsim does not simulate yet: refused with the flow's place, exit 2 --------
http=../kuma/http/extra-http-destination-empty-http-conf.yaml
run run "$http"
check "run: MeshHTTPRoute rules are refused with exit 2" status 2
check "run: ... naming the flow at file:line:col" err_has "extra-http-destination-empty-http-conf.yaml:58:5: flow 'web-to-backend' (web-1 -> backend) needs MeshHTTPRoute routing"
check "run: ... and writing no report" out_empty
run resolve "$http"
check "resolve: the same refusal, exit 2" status 2
check "resolve: ... at the flow's place" err_has "extra-http-destination-empty-http-conf.yaml:58:5: web-1 -> backend needs MeshHTTPRoute routing"

echo "cli: $pass passed, $fail failed"
((fail == 0))
