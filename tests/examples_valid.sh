#!/bin/sh
# examples_valid.sh: the held-out faulty programs (examples/faults/heldout/)
# and the healthy programs (examples/healthy/) stay valid as the language
# evolves (TAP).  Every program passes `dnnc --check`; a faulty one carries
# its '# fault:', '# fix:' and '# measured:' header lines, every place of its
# ground truth names a layer of its model (or train./data.), and its
# reference fix still applies (examples/faults/heldout/apply-fix.sh) and gives
# a program that passes --check; a healthy one carries a '# healthy:' line and
# no ground truth.  Nothing is trained: the figures are re-measured with
# examples/faults/heldout/measure.sh.
set -u
. "${srcdir:-.}/tests/tap.sh"
SRC=$(cd "$SRC" && pwd)
heldout="$SRC/examples/faults/heldout"
healthy="$SRC/examples/healthy"
# Fixed programs are written under $tmp (the source tree may be read-only),
# in a folder whose relative data paths lead where the originals' do.
mkdir -p "$tmp/examples/faults/heldout"
ln -s "$SRC/examples/data" "$tmp/examples/data"
ln -s "$SRC/examples/faults/data" "$tmp/examples/faults/data"

# check_valid FILE: dnnc --check accepts FILE.
check_valid() {
    if "$DNNC" --check "$1" > "$tmp/out" 2>&1; then ok "$2 passes --check"
    else not_ok "$2 passes --check"; show "$tmp/out"; fi
}

# header FILE KEY: the text after '# KEY:' in FILE's header, if any.
header() { sed -n "s/^# $2: *//p" "$1" | head -n 1; }

faults=0
for f in "$heldout"/*.dnn; do
    [ -f "$f" ] || continue
    name="heldout/$(basename "$f")"
    faults=$((faults + 1))
    check_valid "$f" "$name"
    check "$name has fault, fix and measured lines" \
        '[ -n "$(header "$f" fault)" ] && [ -n "$(header "$f" fix)" ] && [ -n "$(header "$f" measured)" ]'
    # Every ground-truth place is train.X, data.X or LABEL.X for a layer LABEL.
    "$DNNC" --emit-ir "$f" > "$tmp/ir" 2> "$tmp/err"
    missing=""
    for place in $(header "$f" fault | tr ',|' '  '); do
        node=${place%%.*}
        case "$node" in
            train|data) ;;
            *) grep -q "^  %$node = " "$tmp/ir" || missing="$missing $place" ;;
        esac
    done
    check "$name: its fault places name layers of the model (missing:${missing:- none})" '[ -z "$missing" ]'
    fixed="$tmp/examples/faults/heldout/$(basename "$f")"
    if DNNC="$DNNC" sh "$heldout/apply-fix.sh" "$f" "$fixed" > "$tmp/err" 2>&1 &&
        "$DNNC" --check "$fixed" >> "$tmp/err" 2>&1 && ! cmp -s "$f" "$fixed"; then
        ok "$name: its fix applies and passes --check"
    else
        not_ok "$name: its fix applies and passes --check"; show "$tmp/err"
    fi
    rm -f "$fixed"
done

programs=0
for f in "$healthy"/*.dnn; do
    [ -f "$f" ] || continue
    name="healthy/$(basename "$f")"
    programs=$((programs + 1))
    check_valid "$f" "$name"
    check "$name has a healthy line and no fault line" \
        '[ -n "$(header "$f" healthy)" ] && [ -z "$(header "$f" fault)" ]'
done

# The folders' READMEs and doc/ give figures for these sets: they must not
# shrink unnoticed.
check "at least 14 held-out faulty programs (found $faults)" '[ "$faults" -ge 14 ]'
check "at least 10 healthy programs (found $programs)" '[ "$programs" -ge 10 ]'
tap_done
