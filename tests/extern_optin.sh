#!/bin/sh
# extern_optin.sh: a program's function blocks load no library unless the user
# allows it (TAP).  The library here has a constructor that writes a file, so
# the test sees whether any of its code ran: without --allow-extern every mode
# that runs the program must refuse it at the function block and leave no
# file; --check, --emit-ir, --mutate and a static diagnosis never load it; with
# --allow-extern or DNNC_ALLOW_EXTERN=1 it loads (which shows that the file
# would have appeared).
set -u
. "${srcdir:-.}/tests/tap.sh"

cat > "$tmp/evil.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
__attribute__((constructor)) static void touch(void)
{
    const char *f = getenv("EXTERN_MARK");
    FILE *out = f ? fopen(f, "w") : NULL;
    if (out)
        fclose(out);
}
double evil_act(double x) { return x > 0 ? x : 0; }
C
${CC:-cc} -shared -fPIC -o "$tmp/libevil.so" "$tmp/evil.c" 2> "$tmp/err" \
    || { not_ok "builds the test library"; show "$tmp/err"; tap_done; exit 1; }
cat > "$tmp/prog.dnn" <<'DNN'
function evil {
    library = "./libevil.so"
    symbol  = "evil_act"
    type    = double
}
dataset d { source = blobs(samples = 200, classes = 2) }
model m {
    input [2]
    h: dense 8, activation = evil
    out: dense 2, activation = softmax
}
train {
    model  = m
    data   = d
    loss   = categorical_crossentropy
    optimizer = adam(learning_rate = 0.01)
    epochs = 1
    seed   = 1
}
DNN
mark="$tmp/mark"
export EXTERN_MARK="$mark"
unset DNNC_ALLOW_EXTERN

# refused MODE...: the mode exits 1 with a located error naming the function,
# its library and the flag, and no code of the library ran.
refused() {
    rm -f "$mark"
    "$DNNC" "$@" --quiet "$tmp/prog.dnn" > /dev/null 2> "$tmp/err"
    st=$?
    check "$* is refused without --allow-extern (exit $st)" '[ $st -eq 1 ]'
    check "$* says where, what and how to allow it" \
        'grep -q "prog.dnn:1:1: error: function .evil. would load library .\./libevil\.so.; refused without --allow-extern" "$tmp/err" && grep -q "DNNC_ALLOW_EXTERN=1" "$tmp/err"'
    check "$* ran no code of the library" '[ ! -e "$mark" ]'
}
refused --train
refused --eval --load "$tmp/weights.safetensors"
refused --diagnose
refused --repair --trials 2

# never_loads MODE...: succeeds and runs no code of the library.
never_loads() {
    rm -f "$mark"
    "$DNNC" "$@" "$tmp/prog.dnn" > "$tmp/out" 2> "$tmp/err"
    st=$?
    check "$* works on the program (exit $st)" '[ $st -eq 0 ]'
    check "$* ran no code of the library" '[ ! -e "$mark" ]'
}
never_loads --check
never_loads --emit-ir
never_loads --diagnose --static
never_loads --mutate change_epochs --mutate-args factor=2 -o "$tmp/mutant.dnn"

rm -f "$mark"
"$DNNC" --train --quiet --allow-extern "$tmp/prog.dnn" > /dev/null 2> "$tmp/err"
st=$?
check "--allow-extern trains it (exit $st)" '[ $st -eq 0 ]'
check "--allow-extern loaded the library (its constructor ran)" '[ -e "$mark" ]'
rm -f "$mark"
DNNC_ALLOW_EXTERN=1 "$DNNC" --train --quiet "$tmp/prog.dnn" > /dev/null 2> "$tmp/err"
st=$?
check "DNNC_ALLOW_EXTERN=1 allows it too (exit $st)" '[ $st -eq 0 ] && [ -e "$mark" ]'
rm -f "$mark"
DNNC_ALLOW_EXTERN=0 "$DNNC" --train --quiet "$tmp/prog.dnn" > /dev/null 2> "$tmp/err"
st=$?
check "DNNC_ALLOW_EXTERN=0 refuses (exit $st)" '[ $st -eq 1 ] && [ ! -e "$mark" ]'
DNNC_ALLOW_EXTERN=yes "$DNNC" --train --quiet "$tmp/prog.dnn" > /dev/null 2> "$tmp/err"
st=$?
check "DNNC_ALLOW_EXTERN=yes is a usage error naming the values (exit $st)" \
    '[ $st -eq 1 ] && grep -q "DNNC_ALLOW_EXTERN is 1 (allow) or 0 (refuse)" "$tmp/err" && [ ! -e "$mark" ]'

# The IR form of the program is refused the same way, located in the IR.
"$DNNC" --emit-ir "$tmp/prog.dnn" > "$tmp/prog.ir" 2> "$tmp/err"
"$DNNC" --train --quiet "$tmp/prog.ir" > /dev/null 2> "$tmp/err"
st=$?
check "an IR file is refused too, located in the IR (exit $st)" \
    '[ $st -eq 1 ] && grep -q "prog.ir:[0-9]*:[0-9]*: error: function .evil." "$tmp/err" && [ ! -e "$mark" ]'
tap_done
