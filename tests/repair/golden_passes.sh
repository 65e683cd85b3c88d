#!/bin/sh
# golden_passes.sh: golden tests of the repair passes and the source patcher,
# as TAP.  Each tests/golden/passes/NAME.dnn (or NAME.ir) names the passes to
# run on it in a '# passes: P1 P2 ...' line; for each, golden_passes prints
# every edit the pass proposes with its IR diff and (for .dnn) the source
# diff the patcher writes, which must equal tests/golden/passes/NAME.P.expected.
#
# Regenerate the expected files with `tests/repair/golden_passes.sh --update`
# (or `make update-golden`) and review them as a git diff.
set -u
. "${srcdir:-.}/tests/tap.sh"
TOOL=${GOLDEN_PASSES:-$(dirname "$DNNC")/tests/repair/golden_passes}
[ -x "$TOOL" ] || { echo "not ok 1 - $TOOL is not built"; echo "1..1"; exit 1; }
update=0
[ "${1:-}" = "--update" ] && update=1
dir="$SRC/tests/golden/passes"
for f in "$dir"/*.dnn "$dir"/*.ir; do
    [ -f "$f" ] || continue
    file=$(basename "$f")
    name=${file%.*}
    passes=$(sed -n 's/^# passes: *//p' "$f")
    [ -n "$passes" ] || { not_ok "$file names no passes"; continue; }
    for pass in $passes; do
        expected="$dir/$name.$pass.expected"
        if ! (cd "$dir" && "$TOOL" "$file" "$pass") > "$tmp/out" 2> "$tmp/err"; then
            not_ok "$file $pass"
            show "$tmp/err"
        elif [ $update = 1 ]; then
            cp "$tmp/out" "$expected"
            ok "$file $pass (updated)"
        elif [ -f "$expected" ] && diff -u "$expected" "$tmp/out" > "$tmp/diff"; then
            ok "$file $pass"
        else
            not_ok "$file $pass"
            if [ -f "$expected" ]; then show "$tmp/diff"; else echo "# missing $expected"; fi
        fi
    done
done
tap_done
