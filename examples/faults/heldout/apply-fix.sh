#!/bin/sh
# apply-fix.sh: writes a faulty example program with the reference fix of its
# '# fix:' header line applied, so that measure.sh can train the fix and the
# examples test can check that the fix still applies and gives a valid
# program.
#
# Usage: examples/faults/heldout/apply-fix.sh FILE OUT
#   FILE   a .dnn program with a '# fix: PLACE = VALUE; PLACE = VALUE ...' line
#   OUT    where the fixed program goes; put it in FILE's folder, since a
#          program's data paths are relative to its own folder
#   DNNC   the dnnc binary (default ./dnnc)
#
# Each 'PLACE = VALUE' is applied with dnnc's own source patcher,
# `dnnc --mutate set --mutate-args place=PLACE,to=VALUE` (so an optimiser
# that changes kind takes its defaults, and an attribute the source does not
# write is added).  dnnc's set refuses some attributes (kernel, stride, pool);
# for those, the value is replaced as text where the layer's line writes
# 'ATTR = VALUE'.  Fails, saying which item, when an item applies neither way.
set -eu
DNNC=${DNNC:-./dnnc}
[ $# -eq 2 ] || { echo "usage: $0 FILE OUT" >&2; exit 2; }
file=$1
out=$2
fix=$(sed -n 's/^# fix: *//p' "$file" | head -n 1)
[ -n "$fix" ] || { echo "$0: $file has no '# fix:' line" >&2; exit 1; }
err=$(mktemp)
trap 'rm -f "$err" "$out.new"' EXIT
cp "$file" "$out"
echo "$fix" | tr ';' '\n' | while IFS= read -r item; do
    [ -n "$(echo "$item" | tr -d ' ')" ] || continue
    place=$(echo "$item" | sed 's/^ *//; s/ *=.*//')
    value=$(echo "$item" | sed 's/^[^=]*= *//; s/ *$//')
    if "$DNNC" --mutate set --mutate-args "place=$place,to=$value" "$out" -o "$out.new" 2> "$err"; then
        mv "$out.new" "$out"
        continue
    fi
    layer=${place%%.*}
    attr=${place#*.}
    pattern="^\\( *$layer *:.*[ ,]$attr *= *\\)[^,#]*"
    if grep -q "$pattern" "$out"; then
        sed "s|$pattern|\\1$value|" "$out" > "$out.new" && mv "$out.new" "$out"
    else
        echo "$0: $file: cannot apply '$item':" >&2; cat "$err" >&2; exit 1
    fi
done
