#!/usr/bin/env bash
# The command line end to end (docs/manual.md §1): exit codes 0/1/2/3, where messages and
# reports go, --out written whole or not at all and never over a FIFO or a device, write
# errors on stdout, `check` over folders (resource files skipped, symlink loops, errors),
# JUnit, the default rate, standard input, and determinism of the JSON bytes.  Scenarios:
#   tests/cli/check/pass.yaml     every expectation holds, for any seed
#   tests/cli/check/fail.yaml     one expectation fails with exact numbers (0% vs 50%)
#   tests/cli/invalid.yaml        a weight that is not a number
#   tests/cli/tree/               a scenario with an included resource file, and a broken one
#   tests/cli/resolve-only.yaml   a flow with only from and to
#   tests/cli/default-rate.yaml   from, to and connections: nothing else
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
out_lacks() { ! grep -qF -- "$1" "$tmp/out"; }
out_empty() { [[ ! -s $tmp/out ]]; }
err_empty() { [[ ! -s $tmp/err ]]; }
last_line() { [[ $(tail -n 1 "$tmp/out") == "$1" ]]; }

# --- run ------------------------------------------------------------------------------
run run check/pass.yaml
check "run: passing scenario exits 0" status 0
check "run: passing scenario prints PASS lines" out_has "  PASS w: route MeshTCPRoute (expected MeshTCPRoute); api{version=v1} "
check "run: passing scenario says all passed" out_has "all 2 expectations passed"
check "run: the flow header says how traffic was made" out_has "  traffic: 20000 connections, rate 1000/s, Poisson arrivals, held 500ms on average (exponential)"
check "run: policies listed as resolve lists them" out_has "  policies (merge order, the last wins): canary"
check "run: nothing on stderr" err_empty

run run check/fail.yaml
check "run: failing expectation exits 1" status 1
check "run: FAIL line with the numbers" out_has "  FAIL w: failed 0.000% (expected 50.000% +- 1.000)"
check "run: the other expectation passes" out_has "  PASS w: failed 0 of 1000 (expected none)"
check "run: 1 of 2 failed" out_has "1 of 2 expectations failed"

run run invalid.yaml
check "run: invalid input exits 2" status 2
check "run: message with file:line:col" err_has 'invalid.yaml:21:87: MeshTCPRoute '\''canary'\'' spec.to[0].rules[0].default.backendRefs[1].weight: expected an integer 0..4294967295, got "ten"'
check "run: no report for invalid input" out_empty

run run no-such-file.yaml
check "run: missing file exits 2" status 2
check "run: missing file is named" err_has "no-such-file.yaml: cannot read no-such-file.yaml: No such file or directory"

# A newcomer writes from, to and connections only: the rate defaults and says so.
run run default-rate.yaml
check "run: no rate: exits 0" status 0
check "run: no rate: the default is shown" out_has "rate 1000/s (default), Poisson arrivals, closed at once"
check "run: one expectation: 'the expectation passed'" last_line "the expectation passed"

# resolve needs only from and to; run and validate say what is missing.
run resolve resolve-only.yaml
check "resolve: a flow with only from and to resolves" status 0
check "resolve: ... and shows its routing" out_has "web-1 -> api (tcp)"
run run resolve-only.yaml
check "run: a flow without connections or stop exits 2" status 2
check "run: ... saying what to add, at the flow" err_has "resolve-only.yaml:8:5: traffic[0]: give connections, or stop (generate until then), or both"
run validate resolve-only.yaml
check "validate: refuses what run refuses" status 2
check "validate: ... with the same message" err_has "resolve-only.yaml:8:5: traffic[0]: give connections, or stop (generate until then), or both"

# Standard input as the scenario file.
"$splitsim" run - <default-rate.yaml >"$tmp/out" 2>"$tmp/err"
rc=$?
check "run -: reads the scenario from standard input" status 0
check "run -: ... and reports it" out_has "scenario cli-default-rate"

"$splitsim" validate - <default-rate.yaml >"$tmp/out" 2>"$tmp/err"
rc=$?
check "validate -: names standard input as its messages do" out_has "<stdin>: ok: scenario cli-default-rate"
"$splitsim" check - <default-rate.yaml >"$tmp/out" 2>"$tmp/err"
rc=$?
check "check -: runs the scenario on standard input" out_has "PASS  - (cli-default-rate): 1 expectation"
cp default-rate.yaml "$tmp/-dash.yaml"
(cd "$tmp" && "$splitsim" validate -- -dash.yaml >out 2>err)
rc=$?
check "-- ends the options: a file named -dash.yaml" status 0

# --- --out ----------------------------------------------------------------------------
run run check/pass.yaml --out "$tmp/missing/report.txt"
check "--out in a missing directory exits 3" status 3
check "--out in a missing directory says why" err_has "cannot write the report to $tmp/missing/report.txt: No such file or directory"
check "--out in a missing directory: no report on stdout" out_empty
check "--out in a missing directory: nothing written" test ! -e "$tmp/missing"

: >"$tmp/plain-file"
run run check/pass.yaml --out "$tmp/plain-file/report.txt"
check "--out under a regular file exits 3" status 3
check "--out under a regular file: nothing written" test ! -s "$tmp/plain-file"

mkdir "$tmp/adir"
run run check/pass.yaml --out "$tmp/adir"
check "--out to a directory exits 3" status 3
check "--out to a directory says why" err_has "cannot write the report to $tmp/adir: Is a directory"
check "--out to a directory: it stays an empty directory" test -d "$tmp/adir" -a -z "$(ls -A "$tmp/adir")"

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
check "--out: no temporary file left" test "$(ls -A "$tmp" | grep -c 'report\.json')" = 1

printf 'previous\n' >"$tmp/kept.txt"
run run invalid.yaml --out "$tmp/kept.txt"
check "--out with invalid input exits 2" status 2
check "--out with invalid input keeps the old file" grep -qx previous "$tmp/kept.txt"

run run check/fail.yaml --out "$tmp/failed.txt"
check "--out with a failed expectation exits 1" status 1
check "--out with a failed expectation still writes the report" grep -qF "  FAIL w: " "$tmp/failed.txt"

# A symlink is followed: the file it points to is replaced, the link stays a link.
mkdir "$tmp/real" && printf 'old\n' >"$tmp/real/r.txt" && ln -s real/r.txt "$tmp/link"
run run check/pass.yaml --out "$tmp/link"
check "--out to a symlink: exit 0" status 0
check "--out to a symlink: the link stays a link" test -L "$tmp/link"
check "--out to a symlink: its target holds the report" grep -qF "scenario cli-pass" "$tmp/real/r.txt"
check "--out to a symlink: no temporary file left" test "$(ls -A "$tmp/real")" = "r.txt"

# A FIFO is written as shell redirection would, never replaced.
mkfifo "$tmp/pipe"
cat "$tmp/pipe" >"$tmp/from-pipe" &
reader=$!
run run check/pass.yaml --out "$tmp/pipe"
wait "$reader"
check "--out to a FIFO: exit 0" status 0
check "--out to a FIFO: the reader got the report" grep -qF "scenario cli-pass" "$tmp/from-pipe"
check "--out to a FIFO: it is still a FIFO" test -p "$tmp/pipe"

# A device: /dev/null stays the character device it is (as root, a rename would replace it).
run run check/pass.yaml --out /dev/null
check "--out /dev/null: exit 0" status 0
check "--out /dev/null: still a character device" test -c /dev/null
run run check/pass.yaml --out /dev/stdout
check "--out /dev/stdout: the report on stdout" out_has "scenario cli-pass"

# --- write errors on stdout: exit 3, naming the file and the error ----------------------
if [[ -w /dev/full ]]; then
    for cmd in "run check/pass.yaml" "resolve check/pass.yaml" "validate check/pass.yaml" \
        "check check/pass.yaml"; do
        "$splitsim" $cmd >/dev/full 2>"$tmp/err"
        rc=$?
        check "$cmd > /dev/full exits 3" status 3
        check "$cmd > /dev/full says why" err_has "cannot write the report to stdout: No space left on device"
    done
fi
"$splitsim" run check/pass.yaml >&- 2>"$tmp/err"
rc=$?
check "run with stdout closed exits 3" status 3
check "run with stdout closed says so" err_has "cannot write the report to stdout: Bad file descriptor"
# A pipe whose reader has gone: the reader opens, then closes before anything is written.
mkfifo "$tmp/gone"
(exec 3<"$tmp/gone") &
exec 4>"$tmp/gone"
wait $!
"$splitsim" run check/pass.yaml >&4 2>"$tmp/err"
rc=$?
exec 4>&-
check "run into a pipe without a reader exits 3, not killed by SIGPIPE" status 3
check "... saying why" err_has "cannot write the report to stdout: Broken pipe"

# --- scenario files that are not regular files -------------------------------------------
mkfifo "$tmp/scenario-fifo.yaml"
timeout 5 "$splitsim" validate "$tmp/scenario-fifo.yaml" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "a FIFO as the scenario is refused at once, exit 2" status 2
check "... saying what it is" err_has "cannot read $tmp/scenario-fifo.yaml: it is a FIFO (named pipe), not a regular file"
printf 'scenario: x\ninclude: [%s]\n' "$tmp/scenario-fifo.yaml" >"$tmp/inc-fifo.yaml"
timeout 5 "$splitsim" validate "$tmp/inc-fifo.yaml" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "a FIFO include is refused at once, exit 2" status 2
check "... at the include" err_has "inc-fifo.yaml:2:11: cannot read $tmp/scenario-fifo.yaml: it is a FIFO (named pipe), not a regular file"
run validate /dev/null
check "a device as the scenario is refused" err_has "cannot read /dev/null: it is a character device, not a regular file"

# --- usage ----------------------------------------------------------------------------
for cmd in run check validate resolve plot merge; do
    run "$cmd" --help
    check "$cmd --help exits 0" status 0
    check "$cmd --help prints its usage on stdout" out_has "usage: splitsim $cmd "
done
run --help
check "--help exits 0" status 0
check "--help lists the commands" out_has "splitsim check PATH..."
check "--help says what is not simulated" out_has "not simulated by this version: plot merge"
run --version
check "--version exits 0" status 0
check "--version names the program" out_has "splitsim "

run plot check/pass.yaml --out "$tmp/plots"
check "plot is refused, exit 2" status 2
check "plot is refused as not simulated, not as unknown" err_has "splitsim plot: not simulated by this version of splitsim: plots (splitsim plot)"
run merge a.json b.json
check "merge is refused as not simulated" err_has "splitsim merge: not simulated by this version of splitsim: merging sharded runs (splitsim merge)"
run run check/pass.yaml --replications 10
check "--replications is refused as not simulated" err_has "splitsim run: --replications: not simulated by this version of splitsim: replications (--replications, --shard)"

run run check/pass.yaml --frobnicate
check "unknown option exits 2" status 2
check "unknown option is named" err_has "splitsim run: unknown option '--frobnicate'"
check "unknown option: no report" out_empty
run validate check/pass.yaml --format json
check "an option the command does not take exits 2" status 2
run run check/pass.yaml --format yaml
check "unknown format exits 2" status 2
run resolve check/pass.yaml --format csv
check "resolve refuses csv" err_has "splitsim resolve: unknown format 'csv' (use text or json)"
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
check "check: the failing numbers" out_has "      w: failed 0.000% (expected 50.000% +- 1.000)"
check "check: closing line" last_line "1 passed, 1 failed, 0 errors, 0 skipped"
check "--junit: file written" test -s "$tmp/junit.xml"
check "--junit: totals" grep -qF '<testsuites name="splitsim" tests="4" failures="1" errors="0">' "$tmp/junit.xml"
check "--junit: one testsuite per scenario" test "$(grep -c '<testsuite ' "$tmp/junit.xml")" = 2
check "--junit: one testcase per expectation" test "$(grep -c '<testcase ' "$tmp/junit.xml")" = 4
check "--junit: one failure" test "$(grep -c '<failure ' "$tmp/junit.xml")" = 1
check "--junit: the failure carries the numbers" grep -qF 'failed 0.000% (expected 50.000% +- 1.000)' "$tmp/junit.xml"
check "--junit: every element closed" test "$(grep -c '</testsuite>' "$tmp/junit.xml")" = 2
if command -v xmllint >/dev/null; then
    check "--junit: well-formed XML (xmllint)" xmllint --noout "$tmp/junit.xml"
fi

run check check/pass.yaml
check "check: all passing exits 0" status 0
check "check: closing line when all pass" last_line "1 passed, 0 failed, 0 errors, 0 skipped"

run check check invalid.yaml --junit "$tmp/junit-error.xml"
check "check: an invalid scenario exits 2" status 2
check "check: an invalid scenario is an ERROR line" out_has "ERROR invalid.yaml"
check "check: its message names file:line:col" out_has "      invalid.yaml:21:87: "
check "check: closing line counts it as an error" last_line "1 passed, 1 failed, 1 errors, 0 skipped"
check "--junit: the errored scenario is counted" grep -qF 'tests="5" failures="1" errors="1"' "$tmp/junit-error.xml"
check "--junit: its <error> carries the file:line:col message" grep -qF '<error message="invalid.yaml:21:87: MeshTCPRoute &apos;canary&apos;' "$tmp/junit-error.xml"

run check check/pass.yaml missing.yaml --junit "$tmp/junit-missing.xml"
check "check: a missing file exits 2" status 2
check "check: a missing file is an error" out_has "ERROR missing.yaml"
check "--junit: a missing file is an error testcase" grep -qF 'tests="3" failures="0" errors="1"' "$tmp/junit-missing.xml"
check "--junit: ... saying why" grep -qF 'missing.yaml: cannot read missing.yaml: No such file or directory' "$tmp/junit-missing.xml"

# A folder with an included resource file, a broken scenario and a symbolic link loop.
cp -r tree "$tmp/tree"
ln -s .. "$tmp/tree/nested/loop"
timeout 10 "$splitsim" check "$tmp/tree" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "check tree: the broken scenario makes it exit 2" status 2
check "check tree: the scenario with an include passes" out_has "PASS  $tmp/tree/canary.yaml (cli-tree-canary): 1 expectation"
check "check tree: the resource file is skipped" out_has "SKIP  $tmp/tree/mesh/routes.yaml: no top-level \`scenario:\` key (a resource file)"
check "check tree: the broken scenario is an error" out_has "ERROR $tmp/tree/nested/broken.yaml"
check "check tree: the loop is said and skipped" err_has "splitsim check: skipping $tmp/tree/nested/loop: a directory already searched (a symbolic link loop?)"
check "check tree: closing line" last_line "1 passed, 0 failed, 1 errors, 1 skipped"

run check "$tmp/tree" --format json --quiet
check "check --format json: totals" out_has '"skipped": 1,'
check "check --format json: a file's status" out_has '"status": "skipped"'
check "check --quiet: no note on stderr" err_empty
run check check --format csv
check "check --format csv: header" test "$(head -n 1 "$tmp/out")" = "file,scenario,status,expectation,flow,passed,detail"
check "check --format csv: one row per expectation" test "$(wc -l <"$tmp/out")" = 5
run check check --out "$tmp/check.txt"
check "check --out: the summary is in the file" grep -qx "1 passed, 1 failed, 0 errors, 0 skipped" "$tmp/check.txt"
check "check --out: nothing on stdout" out_empty

mkdir -p "$tmp/only-resources" && cp tree/mesh/routes.yaml "$tmp/only-resources/"
run check "$tmp/only-resources"
check "check over resource files only: exit 2, not a silent pass" status 2
check "... saying nothing was run" err_has "splitsim check: no scenario to run (1 YAML file skipped)"

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
check "--format csv header" test "$(head -n 1 "$tmp/out")" = "scenario,seed,flow,from,to,protocol,window_start_ns,window_end_ns,route,policies,window_total,backend,weight,expected,count,share,ci_low,ci_high,active_share,peak_active,chi2,df,p_value,kind,http_route,route_total"
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
run resolve ../../scenarios/priority-and-merge.yaml --from frontend_kuma-demo_svc_8080
check "resolve --from SERVICE: dataplanes from Dataplane resources too" out_has "frontend-1 -> redis_kuma-demo_svc_6379"
run resolve "$split" --from nobody
check "resolve --from nothing: exits 2" status 2
check "resolve --from nothing: says so" err_has "no flow matches --from nobody"
check "resolve --from nothing: no report" out_empty
run resolve "$split" --explain
check "resolve --explain cites no document the user lacks" out_lacks "§"

tie=../../scenarios/kuma-2.5-tiebreak.yaml
run resolve "$tie" --format json
check "kuma: 2.5 in the scenario: the largest name (route-b, replica) wins" out_has '"role": "replica"'
run resolve "$tie" --explain
check "--explain says why the name order decided" out_has "merged after 'route-a': same targetRef kind; Kuma 2.5 orders equal policies by name ascending, so the larger name ('route-b') merges last and wins"
run resolve "$tie" --format json --kuma-version 2.14
check "--kuma-version 2.14 overrides it: the smallest name (route-a, primary) wins" out_has '"role": "primary"'
run run "$tie" --kuma-version 2.14
check "--kuma-version 2.14: the 2.5 expectation fails" status 1
check "... warning that the flow no longer reaches the backend it names" err_has "warning: expect[0].split[\"db{role=replica}\"]: flow 'web-to-db' does not reach db{role=replica} (its outcomes are: db{role=primary}); the expectation will see 0% of it"
run resolve "$tie" --kuma-version 3.0
check "--kuma-version outside 2.3..2.14 exits 2" status 2

# --- traffic through a builtin gateway: the virtual host the Host reaches ---------------
run run gateway-traffic.yaml
check "run: a gateway's HTTP listener is simulated" status 0
check "run: ... the flow goes to its listener G:P, with its host" out_has "flow api: edge -> edge:8080 (http, host api.example.com, 1 source)"
check "run: ... a host no virtual host takes is answered 404" out_has "every request is answered 404"
run resolve gateway-traffic.yaml --format json
check "resolve: a gateway flow's JSON names its host" out_has '"host": "www.example.com"'

# --- a TrafficRoute decides for a proxy no new route policy selects ----------------------
run resolve trafficroute.yaml --format json
check "resolve: the TrafficRoute routes web-1 to api" out_has '"route": "TrafficRoute"'
check "... and is the contributing policy" out_has '"legacy"'

# --- requests on a destination routed as TCP: a warning, and validate still passes --------
run validate requests-over-tcp.yaml
check "validate: requests over a TCP route pass" status 0
check "... with a warning that they follow their connection" err_has "requests-over-tcp.yaml:21:16: warning: traffic[0].requests: web-1 reaches api through MeshTCPRoute as TCP, so every request goes where its connection went"

# Every refusal of what is not simulated comes from one list, which the README repeats.
readme=../../README.md
while IFS= read -r what; do
    check "README lists \"$what\" as not simulated" grep -qF -- "$what" "$readme"
done < <(sed -n '/define MODEL_UNSIMULATED(X)/,/^$/ s/^ *X([A-Z_]*, "\(.*\)").*/\1/p' \
    ../../model/include/model/scenario.h)
n_unsim=$(sed -n '/define MODEL_UNSIMULATED(X)/,/^$/p' ../../model/include/model/scenario.h | grep -c '^ *X(')
check "the list of what is not simulated was read ($n_unsim entries)" test "$n_unsim" -ge 1

echo "cli: $pass passed, $fail failed"
((fail == 0))
