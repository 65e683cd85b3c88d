#!/bin/sh
# bench/repair_strategies.sh: every repair strategy on every faulty program of
# examples/faults/, on the same budget; prints, per strategy, how many faults
# it repairs (a significant fix, dnnc --repair's own test), how fast, and the
# study's improvement rate of each repair.
#
#   bench/repair_strategies.sh [BUDGET] [STRATEGIES...]
#       BUDGET      default 20x (the study's: 20 times the faulty training time)
#       STRATEGIES  default: guided random bohb autotrainer
# Environment: DNNC (the dnnc binary, default ./dnnc), FAULTS (folder,
# default examples/faults), OUT (where the JSON reports go, default a
# temporary folder that is kept and named at the end).
#
# The reference fix of each fault is its `# fix:` line applied to it by
# `dnnc --mutate set` (one call per PLACE = VALUE), written next to the fault
# (relative data paths stay valid) for the run and removed afterwards; repair
# trains it outside the budget (--reference) and reports each fix's
# improvement rate, (fixed - faulty) / (reference - faulty).  As in the
# study, a fault a strategy does not repair counts with rate 0; a fault whose
# faulty program has no test metric (it diverges) has none (n/a).
#
# Cells: "yes 5.2x 0.97": repaired, the first fix validated after 5.2 times
# the budget's unit (the modelled cost of one faulty training: the same on
# any load), improvement rate 0.97; "no 19.8x": no significant fix, budget
# used.  The last rows give the rates' mean and median and the measured
# wall-clock time of the whole column (the reference's trainings left out).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
DNNC=${DNNC:-$here/dnnc}
FAULTS=${FAULTS:-$here/examples/faults}
budget=${1:-20x}
[ $# -gt 0 ] && shift
strategies=${*:-guided random bohb autotrainer}
OUT=${OUT:-$(mktemp -d /tmp/dnnc-repair-bench.XXXXXX)}
mkdir -p "$OUT"
: > "$OUT/summary.txt"
ref=""
trap 'rm -f "$ref" "$ref.tmp"' EXIT
trap 'exit 1' INT TERM

# A number after "key": in a JSON report (the first one; "" for null).
field() { sed -n "s/^ *\"$2\": *\([-0-9.e+]*\).*/\1/p" "$1" | head -n 1; }
# The smallest number after "key": in a JSON report.
least() { sed -n "s/^ *\"$2\": *\([-0-9.e+][-0-9.e+]*\).*/\1/p" "$1" | sort -g | head -n 1; }

# reference FAULT OUT: FAULT with each PLACE = VALUE of its `# fix:` line set.
reference() {
    cp "$1" "$2" || return 1
    sed -n 's/^# fix: *//p' "$1" | tr ';' '\n' | while IFS='=' read -r place value; do
        place=$(echo "$place" | tr -d ' ')
        value=$(echo "$value" | sed 's/^ *//; s/ *$//')
        [ -n "$place" ] || continue
        "$DNNC" --mutate set --mutate-args "place=$place,to=$value" --quiet -o "$2.tmp" "$2" &&
            mv "$2.tmp" "$2" || { echo "cannot apply $place = $value to $1" >&2; return 1; }
    done
}

printf '%-24s' fault
for s in $strategies; do printf ' %19s' "$s"; done
printf '\n'
for f in "$FAULTS"/*.dnn; do
    name=$(basename "$f" .dnn)
    ref="$FAULTS/.$name.reference.dnn"
    refopt=""
    if grep -q '^# fix:' "$f" && reference "$f" "$ref"; then refopt="--reference $ref"; fi
    printf '%-24s' "$name"
    for s in $strategies; do
        json="$OUT/$name.$s.json"
        # shellcheck disable=SC2086
        "$DNNC" --repair "$f" --strategy "$s" --budget "$budget" $refopt --json --quiet >"$json" 2>"$OUT/$name.$s.err"
        fixes=$(grep -c '"metric_mean"' "$json")
        used=$(field "$json" budget_used)
        unit=$(field "$json" budget_unit)
        wall=$(field "$json" wall_seconds)
        rate=$(field "$json" improvement_rate)
        if [ "$fixes" -gt 0 ]; then
            # No rate when the faulty program's test metric is undefined (diverged).
            [ -n "$rate" ] || rate=na
            at=$(least "$json" validated_at)
            cell=$(awk -v a="$at" -v u="$unit" -v r="$rate" \
                'BEGIN { if (r == "na") printf "yes %5.1fx   n/a", a / u; else printf "yes %5.1fx %5.2f", a / u, r }')
        else
            rate=0
            cell=$(awk -v a="$used" -v u="$unit" 'BEGIN { printf " no %5.1fx      ", a / u }')
        fi
        printf ' %19s' "$cell"
        echo "$name $s $fixes $used $unit ${wall:-0} ${rate:-0}" >>"$OUT/summary.txt"
    done
    printf '\n'
    rm -f "$ref"
done
printf '%-24s' repaired
for s in $strategies; do
    n=$(awk -v s="$s" '$2 == s && $3 > 0' "$OUT/summary.txt" | wc -l)
    t=$(awk -v s="$s" '$2 == s' "$OUT/summary.txt" | wc -l)
    printf ' %19s' "$n of $t"
done
printf '\n%-24s' "rate mean / median"
for s in $strategies; do
    cell=$(awk -v s="$s" '$2 == s && $7 != "na" { print $7 }' "$OUT/summary.txt" | sort -g |
        awk '{ v[NR] = $1; sum += $1 } END { if (NR) printf "%.2f / %.2f", sum / NR, NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    printf ' %19s' "$cell"
done
printf '\n%-24s' "wall-clock"
for s in $strategies; do
    cell=$(awk -v s="$s" '$2 == s { w += $6 } END { printf "%.0fs", w }' "$OUT/summary.txt")
    printf ' %19s' "$cell"
done
printf '\n'
echo "(yes Nx R: repaired, first fix validated after N units of the budget (the modelled cost of one"
echo " faulty training), improvement rate R against the # fix: line (n/a: the faulty program has no"
echo " test metric); no Nx: no significant fix, budget used.  Reports in $OUT)"
