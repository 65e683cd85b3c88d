#!/bin/sh
# golden.sh: golden tests of the front end, as TAP.
#
#   tests/golden/ok/NAME.dnn      must compile; `dnnc --emit-ir` must print NAME.ir
#   tests/golden/errors/NAME.dnn  must fail; `dnnc --check` must exit 1 and print NAME.err
#   examples/NAME.dnn             IR must equal tests/golden/examples/NAME.ir
# and every IR printed must read back to the same bytes (the round trip).
#
# Regenerate the expected files with `tests/golden.sh --update` (or
# `make update-golden`) and review them as a git diff.
set -u
. "${srcdir:-.}/tests/tap.sh"
update=0
[ "${1:-}" = "--update" ] && update=1

# compare NAME EXPECTED ACTUAL: pass if equal (or update EXPECTED).
compare() {
    if [ $update = 1 ]; then
        cp "$3" "$2"
        ok "$1 (updated)"
    elif [ -f "$2" ] && diff -u "$2" "$3" > "$tmp/diff"; then
        ok "$1"
    else
        not_ok "$1"
        if [ -f "$2" ]; then show "$tmp/diff"; else echo "# missing $2"; fi
    fi
}

# roundtrip NAME IRFILE: the IR must print back byte for byte.
roundtrip() {
    if "$DNNC" --emit-ir "$2" > "$tmp/again.ir" 2> "$tmp/again.err" && cmp -s "$2" "$tmp/again.ir"; then
        ok "$1 round trip"
    else
        not_ok "$1 round trip"
        diff -u "$2" "$tmp/again.ir" | sed 's/^/# /'
        sed 's/^/# /' "$tmp/again.err"
    fi
}

for dnn in "$SRC"/tests/golden/ok/*.dnn; do
    dir=$(dirname "$dnn"); base=$(basename "$dnn" .dnn)
    (cd "$dir" && "$DNNC" --emit-ir "$base.dnn") > "$tmp/out.ir" 2> "$tmp/out.err"
    status=$?
    if [ $status -ne 0 ] || [ -s "$tmp/out.err" ]; then
        not_ok "ok/$base compiles (exit $status)"
        sed 's/^/# /' "$tmp/out.err"
        continue
    fi
    compare "ok/$base IR" "$dir/$base.ir" "$tmp/out.ir"
    roundtrip "ok/$base" "$tmp/out.ir"
done

for dnn in "$SRC"/tests/golden/errors/*.dnn; do
    dir=$(dirname "$dnn"); base=$(basename "$dnn" .dnn)
    (cd "$dir" && "$DNNC" --check "$base.dnn") > "$tmp/out" 2> "$tmp/out.err"
    status=$?
    if [ $status -ne 1 ]; then
        not_ok "errors/$base exits 1 (got $status)"
        sed 's/^/# /' "$tmp/out.err"
        continue
    fi
    compare "errors/$base diagnostics" "$dir/$base.err" "$tmp/out.err"
done

for dnn in "$SRC"/examples/*.dnn "$SRC"/examples/*/*.dnn; do
    [ -f "$dnn" ] || continue
    rel=${dnn#"$SRC"/}
    if ! "$DNNC" --emit-ir "$dnn" > "$tmp/ex.ir" 2> "$tmp/ex.err"; then
        not_ok "$rel compiles"
        sed 's/^/# /' "$tmp/ex.err"
        continue
    fi
    case "$rel" in
    examples/*/*) ok "$rel compiles" ;;
    *) compare "$rel IR" "$SRC/tests/golden/examples/$(basename "$dnn" .dnn).ir" "$tmp/ex.ir" ;;
    esac
    roundtrip "$rel" "$tmp/ex.ir"
done

tap_done
