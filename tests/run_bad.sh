#!/usr/bin/env bash
# The bad-input corpus: every tests/bad/<case>.yaml must be refused by `splitsim validate`
# with exit status 2 and exactly the messages in tests/bad/<case>.err (stderr).
# UPDATE=1 rewrites the .err files (then review the diff before committing).  The good
# corpus (tests/good) is checked after it.
set -uo pipefail
splitsim=$(realpath "${1:?usage: run_bad.sh SPLITSIM}")
cd "$(dirname "$0")/.."
pass=0 fail=0
for y in tests/bad/*.yaml; do
    err=${y%.yaml}.err
    got=$("$splitsim" validate "$y" 2>&1 >/dev/null)
    rc=$?
    [[ ${UPDATE:-0} == 1 ]] && printf '%s\n' "$got" >"$err"
    if [[ $rc -eq 2 && -f $err ]] && diff -u "$err" <(printf '%s\n' "$got") >/tmp/bad.diff.$$; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $y (exit $rc, expected 2)"
        if [[ ! -f $err ]]; then
            echo "  missing $err"
        elif [[ -s /tmp/bad.diff.$$ ]]; then
            head -20 /tmp/bad.diff.$$
        else
            printf '  stderr was:\n%s\n' "$got" | head -20
        fi
    fi
    rm -f /tmp/bad.diff.$$
done
# The good-input corpus: every tests/good/<case>.yaml (valid resources from Kuma's own
# validator tables) must validate with exit status 0 and exactly tests/good/<case>.err on
# stderr (usually empty; warnings are allowed where pinned).
good=0
for y in tests/good/*.yaml; do
    [[ -e $y ]] || continue
    err=${y%.yaml}.err
    got=$("$splitsim" validate "$y" 2>&1 >/dev/null)
    rc=$?
    [[ ${UPDATE:-0} == 1 ]] && printf '%s' "$got" >"$err"
    if [[ $rc -eq 0 && -f $err ]] && diff -u "$err" <(printf '%s' "$got") >/tmp/good.diff.$$; then
        good=$((good + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $y (exit $rc, expected 0)"
        if [[ -s /tmp/good.diff.$$ ]]; then head -20 /tmp/good.diff.$$; else printf '  stderr was:\n%s\n' "$got" | head -20; fi
    fi
    rm -f /tmp/good.diff.$$
done
echo "bad input: $pass passed, $fail failed; good input: $good passed"
((fail == 0 && pass >= 1))
