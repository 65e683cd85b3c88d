#!/bin/sh
# make-data.sh: writes the small CSV datasets of the faults that re-express the
# study's generated data (STUDY.md section 4).  Deterministic: the Park-Miller
# generator (x = 16807 x mod 2^31 - 1, exact in awk's doubles, so the same
# numbers with any awk), seeded per file.
#   threshold.csv  D3: 999 integers x in [15000, 25000), label 1 when x < 20000
#   squares.csv    D6: 100 points per class, class 0 uniform on [.2, .4)^2,
#                  class 1 on (.5, .7]^2
#   line.csv       D7: 100 evenly spaced x on [1, 2], y = 5x
# Usage: sh make-data.sh [DIR]   (default: the folder of this script)
set -eu
dir=${1:-$(dirname "$0")}

lcg='function rnd() { state = (state * 16807) % 2147483647; return state / 2147483647 }'

awk -v state=45442843 "$lcg"'
BEGIN { print "x,label"; for (i = 0; i < 999; i++) { x = 15000 + int(rnd() * 10000); print x "," (x < 20000 ? 1 : 0) } }' \
    > "$dir/threshold.csv"

awk -v state=50306988 "$lcg"'
BEGIN { print "x1,x2,label"
        for (i = 0; i < 100; i++) printf "%.4f,%.4f,0\n", 0.2 + 0.2 * rnd(), 0.2 + 0.2 * rnd()
        for (i = 0; i < 100; i++) printf "%.4f,%.4f,1\n", 0.7 - 0.2 * rnd(), 0.7 - 0.2 * rnd() }' \
    > "$dir/squares.csv"

awk 'BEGIN { print "x,y"; for (i = 0; i < 100; i++) { x = 1 + i / 99; printf "%.6f,%.6f\n", x, 5 * x } }' \
    > "$dir/line.csv"
