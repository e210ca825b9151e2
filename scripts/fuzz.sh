#!/usr/bin/env bash
# Fuzzes the scenario loader:  scripts/fuzz.sh FUZZER SECONDS   (`make fuzz` builds FUZZER).
#
# The fuzzer starts from a copy of every scenario and Kuma case the repository has
# (scenarios/, tests/kuma/, tests/bad/, fuzz/regressions/), in a temporary directory that
# is also its working directory, so `include:` in an input reads only copies: the include
# helpers of tests/bad/ under ./include and the shared mesh files under ../mesh.
# It runs for SECONDS (each input at most 64 KiB, 10 s and 2 GiB) and fails on the first
# crash, sanitizer report, leak, timeout or out-of-memory, which it keeps in
# fuzz/regressions/ (replayed by the `fuzz_regressions` ctest) and names on stderr.
set -euo pipefail
usage="usage: scripts/fuzz.sh FUZZER SECONDS"
fuzzer=$(realpath "${1:?$usage}")
seconds=${2:?$usage}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "$usage (SECONDS: a whole number)" >&2; exit 2; }
[[ -x $fuzzer ]] || { echo "fuzz.sh: $fuzzer is not an executable (make fuzz builds it)" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/splitsim-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/corpus" "$tmp/artifacts" "$tmp/run"

# The seed corpus: a copy, so what the fuzzer adds never lands in the repository.  Files
# are named after their directory too (scenarios/x.yaml and tests/kuma/x.yaml both exist).
shopt -s nullglob
seeds=0
for f in "$root"/scenarios/*.yaml "$root"/tests/kuma/*.yaml "$root"/tests/kuma/*/*.yaml \
         "$root"/tests/bad/*.yaml "$root"/fuzz/regressions/*; do
    [[ -f $f ]] || continue
    rel=${f#"$root"/}
    cp "$f" "$tmp/corpus/${rel//\//_}"
    seeds=$((seeds + 1))
done
[[ -d $root/tests/bad/include ]] && cp -r "$root/tests/bad/include" "$tmp/run/include"
[[ -d $root/mesh ]] && cp -r "$root/mesh" "$tmp/mesh"

dict=()
[[ -f $root/fuzz/load.dict ]] && dict=(-dict="$root/fuzz/load.dict")

echo "fuzz.sh: fuzzing $(basename "$fuzzer") for ${seconds}s from $seeds seeds"
status=0
# stdin is /dev/null: an input that includes /dev/stdin must not wait for a terminal.
(cd "$tmp/run" && "$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$tmp/artifacts/" \
    "${dict[@]}" "$tmp/corpus" </dev/null >"$tmp/fuzz.log" 2>&1) || status=$?

artifacts=("$tmp"/artifacts/*)
if ((status == 0 && ${#artifacts[@]} == 0)); then
    # libFuzzer's closing lines: coverage, corpus size, executions and their rate.
    grep -E '^(#[0-9]+[[:space:]]+DONE|Done [0-9]+ runs|stat::)' "$tmp/fuzz.log" || true
    echo "fuzz.sh: no crash, leak or timeout in ${seconds}s"
    exit 0
fi

# Something went wrong: show libFuzzer's report, keep the input that did it.
tail -n 80 "$tmp/fuzz.log" >&2
mkdir -p "$root/fuzz/regressions"
for a in "${artifacts[@]}"; do
    name=$(basename "$a")  # crash-, leak-, timeout-, oom- + SHA-1 of the input
    cp "$a" "$root/fuzz/regressions/$name"
    echo "fuzz.sh: FOUND ${name%%-*}: input kept as fuzz/regressions/$name" >&2
    echo "fuzz.sh:   reproduce: $fuzzer $root/fuzz/regressions/$name" >&2
    echo "fuzz.sh:   (or build/tests/fuzz_replay on it; ctest runs it as fuzz_regressions)" >&2
done
if ((${#artifacts[@]} == 0)); then
    echo "fuzz.sh: the fuzzer exited with status $status and left no input (log above)" >&2
fi
exit 1
