#!/bin/sh
# fault_localisation.sh: how well `dnnc --diagnose` localises the faults of
# examples/faults/: recall, precision and F3 at top-1, top-3 and over the
# whole suspect list, and the time per program.
#
# Usage: bench/fault_localisation.sh [--static] [DNNC [FAULTS_DIR]]
#   --static   evaluate the static rules alone (dnnc --diagnose --static)
#   DNNC       the dnnc binary (default ./dnnc), FAULTS_DIR (default examples/faults)
#
# Ground truth: each fault file's header line
#     # fault: ITEM, ITEM, ...      ITEM = PLACE or PLACE|PLACE|...
#     PLACE  = LAYER.ATTRIBUTE | train.ATTRIBUTE | data.ATTRIBUTE
# lists the faulty attributes; an item with alternatives (|) is one fault that
# shows in several places (any of them counts).  A suspect's place is
# NODE.ATTRIBUTE for a layer suspect, train.ATTRIBUTE for a training one,
# data.ATTRIBUTE for a data one (the JSON's target, node and attribute).  A
# suspect MATCHES an item when its place equals one of the item's places,
# exactly.  At cut-off k (1, 3, or the whole list) for one fault, with S the
# first min(k, n) suspects:
#     recall    = items matched by some suspect of S / items
#     precision = suspects of S that match some item / |S|   (0 when S is empty)
# Both are averaged over the faults (macro average); F3 = 10 P R / (9 P + R)
# weighs recall nine times as much as precision, as Humbatova et al. do.
# hit@k is the share of faults with at least one item matched in the top k.
set -eu
static=""
if [ "${1:-}" = "--static" ]; then
    static="--static"
    shift
fi
DNNC=${1:-./dnnc}
DIR=${2:-examples/faults}
command -v jq >/dev/null || { echo "fault_localisation.sh: needs jq" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%-28s %5s %6s  %-s\n' "fault" "items" "secs" "top-3 suspects (* = matches)"
: > "$tmp/rows"
for f in "$DIR"/*.dnn; do
    name=$(basename "$f" .dnn)
    truth=$(sed -n 's/^# fault: *//p' "$f" | head -1)
    [ -n "$truth" ] || { echo "$name: no '# fault:' line" >&2; continue; }
    start=$(date +%s.%N)
    "$DNNC" --diagnose --json $static "$f" > "$tmp/out.json" 2> "$tmp/err" || {
        echo "$name: dnnc failed:" >&2; cat "$tmp/err" >&2; continue; }
    end=$(date +%s.%N)
    secs=$(echo "$start $end" | awk '{ printf "%.2f", $2 - $1 }')
    # One line per fault: name, seconds, then per cut-off k in 1 3 all:
    # recall precision hit.  jq does the matching.
    jq -r --arg truth "$truth" --arg name "$name" --arg secs "$secs" '
        ($truth | split(",") | map(gsub("^ +| +$"; "") | split("|"))) as $items
        | [.suspects[] | (if .target == "node" then .node else .target end) + "." + .attribute] as $places
        | def score($k):
            ($places[0:$k]) as $s
            | ([$items[] | select(any(.[]; . as $p | $s | index([$p]) != null))] | length) as $found
            | ([$s[] | select(. as $p | any($items[]; index([$p]) != null))] | length) as $good
            | [($found / ($items | length)), (if ($s | length) > 0 then $good / ($s | length) else 0 end),
               (if $found > 0 then 1 else 0 end)];
          [$name, $secs, ($items | length)] + score(1) + score(3) + score(100000)
            + [($places[0:3] | map(. as $p | if any($items[]; index([$p]) != null) then "*" + $p else $p end)
                | join(" "))]
        | @tsv' "$tmp/out.json" >> "$tmp/rows"
    tail -1 "$tmp/rows" | awk -F'\t' '{ printf "%-28s %5d %6s  %s\n", $1, $3, $2, $13 }'
done

awk -F'\t' '
    { n++; t += $2
      for (c = 0; c < 3; c++) { r[c] += $(4 + 3 * c); p[c] += $(5 + 3 * c); h[c] += $(6 + 3 * c) } }
    END {
        if (n == 0) { print "no faults evaluated"; exit 1 }
        split("top-1 top-3 all", label, " ")
        printf "\n%-6s %7s %10s %7s %7s\n", "cut", "recall", "precision", "F3", "hit"
        for (c = 0; c < 3; c++) {
            R = r[c] / n; P = p[c] / n
            F = (9 * P + R) > 0 ? 10 * P * R / (9 * P + R) : 0
            printf "%-6s %7.3f %10.3f %7.3f %7.3f\n", label[c + 1], R, P, F, h[c] / n
        }
        printf "\n%d faults, %.2f s per program on average (%.1f s in all)\n", n, t / n, t
    }' "$tmp/rows"
