#!/bin/sh
# jobs.sh: the same seed gives the same repair with any --jobs (TAP).
#
# The budget's clock plans and charges every batch on RP_VIRTUAL_WORKERS
# virtual workers and the search sizes its batches for them, and every
# worker trains single-threaded, so 1, 2 and 3 workers take the same
# decisions: the reports are equal but for measured times and the worker
# count.  Needs jq (./bootstrap installs it).
set -u
. "${srcdir:-.}/tests/tap.sh"

if ! command -v jq >/dev/null; then
    not_ok "jq is installed (./bootstrap installs it)"
    tap_done
    exit 1
fi
stable() {
    jq -S 'del(.wall_seconds, .load_seconds, .unit_measured_seconds, .journal, .workers)
           | .fixes |= map(del(.validated_wall_seconds))' "$1"
}
prog="$SRC/examples/faults/d6_two_squares.dnn"
for j in 1 2 3; do
    "$DNNC" --repair --quiet --json --budget 20x --jobs $j "$prog" > "$tmp/j$j.json" 2> "$tmp/err"
    check "--jobs $j exits 0" "[ $? -eq 0 ]"
    check "--jobs $j reports $j workers" "jq -e '.workers == $j' '$tmp/j$j.json' > /dev/null"
    stable "$tmp/j$j.json" > "$tmp/j$j.stable"
done
check "a fix is found" "jq -e '.fixes | length >= 1' '$tmp/j1.json' > /dev/null"
check "--jobs 2 gives the report --jobs 1 gives" "[ -s '$tmp/j1.stable' ] && cmp -s '$tmp/j1.stable' '$tmp/j2.stable'"
check "--jobs 3 too" "cmp -s '$tmp/j1.stable' '$tmp/j3.stable'"
"$DNNC" --repair --quiet --jobs 0 "$prog" > /dev/null 2> "$tmp/err"
check "--jobs 0 is refused" "[ $? -eq 1 ] && grep -q -- '--jobs takes a number from 1 to 1024' '$tmp/err'"
tap_done
