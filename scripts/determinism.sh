#!/usr/bin/env bash
# Same scenario and seed, same bytes: builds splitsim with gcc and clang at -O0 and -O2 and
# requires every bundled scenario's JSON and CSV reports (and its resolved routing) to be
# byte-identical across the four builds.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for cc in gcc clang; do
    cxx=g++
    [[ $cc == clang ]] && cxx=clang++    # the RE2 wrapper (model/regex.cc) is C++
    for opt in O0 O2; do
        dir=build-det-$cc-$opt
        CC=$cc CXX=$cxx cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="-$opt" \
            -DCMAKE_CXX_FLAGS="-$opt" -DBUILD_TESTING=OFF >/dev/null
        cmake --build "$dir" -j "$jobs" --target splitsim >/dev/null
        mkdir -p "$out/$cc-$opt"
        for f in scenarios/*.yaml; do
            name=$(basename "${f%.yaml}")
            # Exit 1 (an expectation failed) still writes a report; 2 and 3 do not.
            "$dir/splitsim" run --quiet --format json "$f" >"$out/$cc-$opt/$name.json" || [[ $? == 1 ]]
            "$dir/splitsim" run --quiet --format csv "$f" >"$out/$cc-$opt/$name.csv" || [[ $? == 1 ]]
            "$dir/splitsim" resolve --quiet --format json "$f" >"$out/$cc-$opt/$name.resolve.json"
        done
    done
done

status=0
for variant in gcc-O2 clang-O0 clang-O2; do
    if ! diff -r "$out/gcc-O0" "$out/$variant" >/dev/null; then
        echo "determinism: reports of $variant differ from gcc-O0:"
        diff -r "$out/gcc-O0" "$out/$variant" | head -20
        status=1
    fi
done
count=$(ls "$out/gcc-O0" | wc -l)
if ((status == 0)); then
    echo "determinism: $count reports byte-identical across gcc/clang at -O0/-O2"
fi
exit $status
