#!/bin/sh
# measure.sh: re-measures the figures of one example program's header, so
# that the '# measured:' lines of examples/faults/heldout/ and the
# '# healthy:' lines of examples/healthy/ can be reproduced.
#
# Usage: examples/faults/heldout/measure.sh FILE [SEEDS]
#   FILE   a .dnn program.  With a '# fix:' header line it is trained as it is
#          (faulty) and with its fix applied; without one, only as it is.
#   SEEDS  how many seeds, 1..SEEDS (default 5).
#   DNNC   the dnnc binary (default ./dnnc).
#
# Each training is `dnnc --train FILE --seed S --threads 1`; the metric is the
# one on its 'test:' line (accuracy, or mae for a regression).  The fix is
# applied by apply-fix.sh (dnnc's own source patcher).  Prints each run, then
# a header line in the form the example files carry, and for a fault whether
# the runs separate: every fixed run better than every faulty run.  A run whose loss becomes NaN counts as
# diverged (worst possible).
set -eu
DNNC=${DNNC:-./dnnc}
[ $# -ge 1 ] || { echo "usage: $0 FILE [SEEDS]" >&2; exit 2; }
file=$1
seeds=${2:-5}
[ -f "$file" ] || { echo "$0: no file $file" >&2; exit 2; }
dir=$(dirname "$file")
fixed="$dir/.measure.$$.$(basename "$file")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$fixed"' EXIT

# run PROGRAM LABEL: trains PROGRAM for each seed, appends "seed metric value
# seconds" lines to $tmp/LABEL.
run() {
    s=1
    while [ "$s" -le "$seeds" ]; do
        start=$(date +%s.%N)
        "$DNNC" --train "$1" --seed "$s" --threads 1 > "$tmp/out" 2>&1 || true
        end=$(date +%s.%N)
        line=$(grep '^test:' "$tmp/out" | tail -n 1)
        [ -n "$line" ] || { echo "$0: $1 seed $s: no test line" >&2; cat "$tmp/out" >&2; exit 1; }
        echo "$line" | awk -v s="$s" -v t0="$start" -v t1="$end" '
            { sub(/ *\(.*/, ""); for (i = 2; i < NF; i += 2) if ($i != "loss") { m = $i; v = $(i + 1) } }
            END { if (v ~ /nan|inf/) v = "nan"; printf "%d %s %s %.2f\n", s, m, v, t1 - t0 }' >> "$tmp/$2"
        s=$((s + 1))
    done
}

# stats LABEL: "MEAN +- SD" of the runs (the sample standard deviation, n - 1), or "diverged" when a
# run diverged.
stats() {
    awk '{ if ($3 == "nan") bad = 1; n++; x[n] = $3; sum += $3 }
         END { if (bad) { print "diverged"; exit }
               m = sum / n; for (i = 1; i <= n; i++) ss += (x[i] - m) ^ 2
               printf "%.3f +- %.3f\n", m, (n > 1 ? sqrt(ss / (n - 1)) : 0) }' "$tmp/$1"
}
seconds() { awk '{ t += $4 } END { printf "%.1f", t / NR }' "$tmp/$1"; }

fix=$(sed -n 's/^# fix: *//p' "$file" | head -n 1)
run "$file" faulty
metric=$(awk 'NR == 1 { print $2 }' "$tmp/faulty")
how="$seeds seeds, dnnc --train --seed 1..$seeds --threads 1"
if [ -z "$fix" ]; then
    sed 's/^/run /' "$tmp/faulty"
    echo "# healthy: test $metric $(stats faulty); $(seconds faulty) s per run ($how)"
    exit 0
fi

DNNC="$DNNC" sh "$(dirname "$0")/apply-fix.sh" "$file" "$fixed"
run "$fixed" fixed
sed 's/^/faulty /' "$tmp/faulty"
sed 's/^/fixed  /' "$tmp/fixed"
echo "# measured: test $metric faulty $(stats faulty), fixed $(stats fixed); $(seconds faulty) s per faulty run ($how)"
# Separation: lower is better for an error metric, higher for a score; a
# diverged run is the worst.
awk -v metric="$metric" '
    FNR == 1 { f++ }
    { v = ($3 == "nan") ? (metric ~ /^(mae|mse|loss)$/ ? 1e300 : -1e300) : $3 + 0
      if (metric ~ /^(mae|mse|loss)$/) v = -v
      if (f == 1) { if (!nf++ || v > worst_faulty) worst_faulty = v }
      else        { if (!nx++ || v < worst_fixed) worst_fixed = v } }
    END { print (worst_fixed > worst_faulty ? "separated: every fixed run is better than every faulty run" \
                                            : "NOT separated: some faulty run is as good as a fixed run") }' \
    "$tmp/faulty" "$tmp/fixed"
