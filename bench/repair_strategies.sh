#!/bin/sh
# bench/repair_strategies.sh: every repair strategy on every faulty program of
# examples/faults/, on the same budget; prints, per strategy, how many faults
# it repairs (a significant fix, dnnc --repair's own test) and how fast.
#
#   bench/repair_strategies.sh [BUDGET] [STRATEGIES...]
#       BUDGET      default 20x (the study's: 20 times the faulty training time)
#       STRATEGIES  default: guided random bohb autotrainer
# Environment: DNNC (the dnnc binary, default ./dnnc), FAULTS (folder,
# default examples/faults), OUT (where the JSON reports go, default a
# temporary folder that is kept and named at the end).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
DNNC=${DNNC:-$here/dnnc}
FAULTS=${FAULTS:-$here/examples/faults}
budget=${1:-20x}
[ $# -gt 0 ] && shift
strategies=${*:-guided random bohb autotrainer}
OUT=${OUT:-$(mktemp -d /tmp/dnnc-repair-bench.XXXXXX)}
mkdir -p "$OUT"

# A number after "key": in a JSON report (the first one).
field() { sed -n "s/^ *\"$2\": *\([-0-9.e+]*\).*/\1/p" "$1" | head -n 1; }

printf '%-26s' fault
for s in $strategies; do printf ' %22s' "$s"; done
printf '\n'
for f in "$FAULTS"/*.dnn; do
    name=$(basename "$f" .dnn)
    printf '%-26s' "$name"
    for s in $strategies; do
        json="$OUT/$name.$s.json"
        "$DNNC" --repair "$f" --strategy "$s" --budget "$budget" --json --quiet >"$json" 2>"$OUT/$name.$s.err"
        fixes=$(grep -c '"metric_mean"' "$json")
        used=$(field "$json" budget_used)
        unit=$(field "$json" budget_unit)
        if [ "$fixes" -gt 0 ]; then
            at=$(field "$json" validated_at)
            cell=$(awk -v a="$at" -v u="$unit" 'BEGIN { printf "yes %5.1fx", a / u }')
        else
            cell=$(awk -v a="$used" -v u="$unit" 'BEGIN { printf " no %5.1fx", a / u }')
        fi
        printf ' %22s' "$cell"
        echo "$name $s $fixes $used $unit" >>"$OUT/summary.txt"
    done
    printf '\n'
done
printf '%-26s' repaired
for s in $strategies; do
    n=$(awk -v s="$s" '$2 == s && $3 > 0' "$OUT/summary.txt" | wc -l)
    t=$(awk -v s="$s" '$2 == s' "$OUT/summary.txt" | wc -l)
    printf ' %22s' "$n of $t"
done
printf '\n'
echo "(yes Nx: repaired, first fix validated after N times the faulty training time;"
echo " no Nx: no significant fix, budget used. Reports in $OUT)"
