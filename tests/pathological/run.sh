#!/usr/bin/env bash
# Pathological inputs (cmark's pathological_tests.py is the model): hostile or absurd
# scenarios, generated here, each run under a time and memory box (box.c).  Every one must
# be answered (refused, or run) quickly and cheaply, with the message that says why.
#
# Usage: run.sh SPLITSIM BOX [FACTOR]   FACTOR multiplies every limit (sanitizer builds)
set -uo pipefail
splitsim=$(realpath "${1:?usage: run.sh SPLITSIM BOX [FACTOR]}")
box=$(realpath "${2:?usage: run.sh SPLITSIM BOX [FACTOR]}")
factor=${3:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
pass=0 fail=0

# case NAME SECONDS MIB WANT_EXIT MESSAGE COMMAND...: MESSAGE must be in stderr ("" = any).
case_() {
    local name=$1 secs=$2 mib=$3 want=$4 msg=$5
    shift 5
    local s m
    s=$(awk "BEGIN{print $secs * $factor}")
    m=$(awk "BEGIN{print int($mib * $factor)}")
    "$box" "$s" "$m" "$@" >out 2>err
    local rc=$?
    if [[ $rc == "$want" ]] && { [[ -z $msg ]] || grep -qF -- "$msg" err; }; then
        pass=$((pass + 1))
        echo "ok   $name: $(grep '^box:' err)"
    else
        fail=$((fail + 1))
        echo "FAIL $name (exit $rc, want $want; limits ${s}s ${m} MiB; message '$msg'):"
        grep -v '^box:' err | head -5 | sed 's/^/    /'
        grep '^box:' err | sed 's/^/    /'
    fi
}

web_api='services:
  - {name: web, instances: [{tags: {app: web}}]}
  - {name: api, instances: [{tags: {app: api}}]}'

# 60 MB of empty lists: refused as it is read, not after building 20 million nodes.
{ printf 'scenario: flood\nresources: ['; yes '[],' | tr -d '\n' | head -c 60000000; printf ']\n'; } >flood-lists.yaml
case_ "60 MB of [] is refused in a second and 100 MiB" 1 100 2 \
    "document too large: more than 1000000 values" "$splitsim" validate flood-lists.yaml
if grep -qF "alias bomb" err; then
    echo "FAIL the flood is not called an alias bomb"; fail=$((fail + 1))
fi
{ printf 'scenario: flood\nresources: ['; yes '{},' | tr -d '\n' | head -c 60000000; printf ']\n'; } >flood-maps.yaml
case_ "60 MB of {} likewise" 1 100 2 "document too large" "$splitsim" validate flood-maps.yaml

# The billion laughs: nine levels of ten aliases.
{
    echo 'scenario: laughs'
    echo 'a0: &a0 [lol]'
    for i in 1 2 3 4 5 6 7 8 9; do
        p=$((i - 1))
        printf 'a%d: &a%d [*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d]\n' $i $i $p $p $p $p $p $p $p $p $p $p
    done
} >laughs.yaml
case_ "an alias bomb is refused at once" 1 50 2 "once aliases are expanded (an alias bomb?)" \
    "$splitsim" validate laughs.yaml

# 100000 nested lists.
{ printf 'scenario: deep\nx: '; head -c 100000 /dev/zero | tr '\0' '['; echo; } >deep.yaml
case_ "100000 nested lists are refused at the 201st" 1 50 2 "nesting deeper than 200 levels" \
    "$splitsim" validate deep.yaml

# Ten lines asking for eight million dataplanes: each count is refused before anything is
# built; and eight counts of 60000, whose sum passes the limit after the first.
cat >many-dataplanes.yaml <<YAML
scenario: many
services:
  - name: a
    instances: [{count: 1000000}, {count: 1000000}, {count: 1000000}, {count: 1000000}]
  - name: b
    instances: [{count: 1000000}, {count: 1000000}, {count: 1000000}, {count: 1000000}]
YAML
case_ "ten lines asking for eight million dataplanes: refused in milliseconds" 0.5 20 2 \
    "count: expected an integer 1..100000, got \"1000000\"" "$splitsim" validate many-dataplanes.yaml
sed 's/1000000/60000/g' many-dataplanes.yaml >sum-dataplanes.yaml
case_ "counts whose sum passes the limit: refused at the one that passes it" 1 60 2 \
    "60000 dataplanes, after the 60000 before, pass the limit: a scenario may have at most 100000" \
    "$splitsim" validate sum-dataplanes.yaml

# One include of 400000 values, named ten times: the budget over all files stops it.
{ echo 'resources:'; for i in $(seq 1 50000); do echo "  - {type: Mesh, name: m$i}"; done; } >big-include.yaml
{ echo 'scenario: includes'; echo 'include:'; for i in $(seq 1 10); do echo "  - big-include.yaml"; done; } >includes.yaml
case_ "the same big include ten times: stopped by the budget over all files" 5 600 2 \
    "too much YAML: the scenario and its includes hold more than 2000000 values in all" \
    "$splitsim" validate includes.yaml

# A mapping of 200000 keys with a repeat at the end: duplicates found in O(n log n).
{ echo 'scenario: keys'; echo 'description: x'; echo 'resources: []'; echo 'x:';
  for i in $(seq 1 200000); do echo "  k$i: 1"; done; echo "  k7: 2"; } >keys.yaml
case_ "200000 keys with one repeat: found quickly" 3 200 2 "duplicate key 'k7' in this mapping (first at line 11)" \
    "$splitsim" validate keys.yaml

# A FIFO as the scenario and as an include: refused without waiting for a writer.
mkfifo fifo.yaml
case_ "a FIFO scenario does not hang" 2 30 2 "it is a FIFO (named pipe), not a regular file" \
    "$splitsim" validate fifo.yaml
printf 'scenario: inc\ninclude: [fifo.yaml]\n' >inc-fifo.yaml
case_ "a FIFO include does not hang" 2 30 2 "it is a FIFO (named pipe), not a regular file" \
    "$splitsim" validate inc-fifo.yaml

# 50000 flows and 50000 expectations naming them: linear, not pairwise.
{ echo 'scenario: flows'; echo "$web_api"; echo 'traffic:';
  for i in $(seq 1 50000); do echo "  - {name: f$i, from: web, to: api, connections: 1}"; done
  echo 'expect:'
  for i in $(seq 1 50000); do echo "  - {flow: f$i, failed: 0}"; done; } >flows.yaml
case_ "50000 flows and 50000 expectations validate in seconds" 10 400 0 "" \
    "$splitsim" validate --quiet flows.yaml

# A 30 MB string: read once (libyaml's buffer and the copy), nothing more.
{ printf 'scenario: long\ndescription: '; head -c 30000000 /dev/zero | tr '\0' 'x'; echo; } >long.yaml
case_ "a 30 MB string costs about twice its size" 3 150 0 "" "$splitsim" validate --quiet long.yaml

# A hold of a million hours: the connection-time sums do not wrap.
{ echo 'scenario: holds'; echo "$web_api"; echo 'traffic:';
  echo '  - {name: w, from: web, to: api, connections: 100000, rate: 1000000/s, hold: {constant: 1000000h}}'; } >holds.yaml
case_ "million-hour holds run and report" 10 200 0 "" "$splitsim" run --format csv holds.yaml
# Constant holds: every connection is open as long as the others, so the active share
# (column 19) equals the count share (column 16).
if ! awk -F, 'NR > 1 && $16 != $19 { bad = 1 } END { exit bad }' out; then
    echo "FAIL million-hour holds: the active share is not the count share"
    fail=$((fail + 1))
fi

# HTTP routes by the hundred thousand: sorted, merged and planned in n log n, not
# pairwise; and regular expressions past splitsim's limit, refused once, cheaply.
http_head='scenario: routes
services:
  - {name: web, instances: [{}]}
  - {name: api, protocol: http, instances: [{}]}
resources:
  - type: MeshHTTPRoute
    name: h
    mesh: default
    spec:
      targetRef: {kind: Mesh}
      to:
        - targetRef: {kind: MeshService, name: api}
          rules:
            - default: {backendRefs: [{kind: MeshService, name: api}]}
              matches:'
{ echo "$http_head"; seq 1 100000 | sed 's|.*|                - {path: {type: PathPrefix, value: /p&}}|'
  echo 'traffic:'; echo '  - {from: web, to: api, connections: 1000, requests: [{path: /p100000/x}]}'; } >routes.yaml
case_ "100000 HTTP routes plan and run in seconds" 5 300 0 "" "$splitsim" run routes.yaml
{ echo "$http_head"; seq 1 20000 | sed 's|.*|                - {path: {type: RegularExpression, value: "/r&[0-9]+"}}|'
  echo 'traffic:'; echo '  - {from: web, to: api, connections: 10}'; } >regexes.yaml
case_ "20000 distinct regular expressions are refused, said once" 5 300 2 \
    "more than 10000 distinct regular expressions" "$splitsim" validate regexes.yaml
if [[ $(grep -c "distinct regular expressions" err) != 1 ]]; then
    echo "FAIL the regular expression limit is said more than once"; fail=$((fail + 1))
fi

# A MeshGateway with listeners by the ten thousand: its per-port checks, the virtual hosts
# of one HTTP port (listener hostnames covering each other) and a missing port's message
# cost n log n, not n squared.
gw_head='scenario: listeners
services:
  - {name: api, protocol: http, instances: [{}]}
resources:
  - {type: Dataplane, name: edge-1, mesh: default, networking: {address: 10.0.0.1, gateway: {type: BUILTIN, tags: {kuma.io/service: edge}}}}
  - type: MeshHTTPRoute
    name: r
    mesh: default
    spec:
      targetRef: {kind: MeshGateway, name: edge}
      to:
        - targetRef: {kind: Mesh}
          rules:
            - matches: [{path: {type: PathPrefix, value: /}}]
              default: {backendRefs: [{kind: MeshService, name: api}]}
  - type: MeshGateway
    name: edge
    mesh: default
    selectors: [{match: {kuma.io/service: edge}}]
    conf:
      listeners:'
{ echo "$gw_head"; seq 1 50000 | sed 's|.*|        - {port: 8080, protocol: HTTP, hostname: "*.h&.example.com"}|'
  seq 1 50000 | sed 's|.*|        - {port: 8080, protocol: HTTP, hostname: "a.h&.example.com"}|'
  echo 'traffic:'; echo '  - {from: {gateway: edge, listener: 8080, host: a.h7.example.com}, connections: 10}'; } >listeners.yaml
case_ "100000 listener hostnames on one port validate in seconds" 5 400 0 "" "$splitsim" validate listeners.yaml
case_ "... and resolve (hostnames isolated, Kuma 2.14)" 5 400 0 "" "$splitsim" resolve listeners.yaml
case_ "... and resolve (not isolated, Kuma 2.8)" 5 400 0 "" "$splitsim" resolve listeners.yaml --kuma-version 2.8
sed 's/listener: 8080, host/listener: 9090, host/' listeners.yaml >listeners-port.yaml
case_ "... and a missing port names 10 listeners and the count of the rest" 5 400 2 \
    "and 99990 more)" "$splitsim" validate listeners-port.yaml

echo "pathological: $pass passed, $fail failed"
((fail == 0))
