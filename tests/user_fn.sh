#!/bin/sh
# user_fn.sh: user functions called through libffi (TAP).  libm's tanh and
# tanhf stand in for a user's library: trained through the libffi path they
# must give what the built-in tanh gives; a missing library or symbol is a
# clear error.
set -u
. "${srcdir:-.}/tests/tap.sh"
fail() { not_ok "$1"; show "$tmp/err"; }

test_loss() { jq -r .test.loss "$1"; }

# Every training here loads a library on purpose (tests/extern_optin.sh checks
# the refusal without it).
DNNC_ALLOW_EXTERN=1; export DNNC_ALLOW_EXTERN
command -v jq > /dev/null || { echo "not ok 1 - jq is not installed (./bootstrap installs it)"; echo "1..1"; exit 1; }
ex="$SRC/examples/user_function.dnn"
"$DNNC" --train --json --quiet "$ex" > "$tmp/ffi.json" 2> "$tmp/err" && ok "trains with libm's tanh through libffi" \
    || fail "trains with libm's tanh through libffi"
sed 's/activation = c_tanh/activation = tanh/' "$ex" > "$tmp/builtin.dnn"
"$DNNC" --train --json --quiet "$tmp/builtin.dnn" > "$tmp/builtin.json" 2> "$tmp/err"
sed 's/symbol  = "tanh"/symbol  = "tanhf"/; s/type    = double/type    = float/' "$ex" > "$tmp/float.dnn"
"$DNNC" --train --json --quiet "$tmp/float.dnn" > "$tmp/float.json" 2> "$tmp/err" \
    && ok "trains with tanhf (float) through libffi" || fail "trains with tanhf (float) through libffi"
a=$(test_loss "$tmp/ffi.json"); b=$(test_loss "$tmp/builtin.json"); c=$(test_loss "$tmp/float.json")
# Central differences of a smooth function match the exact derivative closely.
if awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 0.01 * (b > 0.01 ? b : 0.01) + 1e-3) }'; then
    ok "double path matches built-in tanh (test loss $a vs $b)"
else echo "loss $a vs $b" > "$tmp/err"; fail "double path matches built-in tanh"; fi
if awk -v a="$c" -v b="$b" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 0.05 * (b > 0.01 ? b : 0.01) + 5e-3) }'; then
    ok "float path matches built-in tanh (test loss $c vs $b)"
else echo "loss $c vs $b" > "$tmp/err"; fail "float path matches built-in tanh"; fi

sed 's/libm.so.6/libnosuch.so/' "$ex" > "$tmp/nolib.dnn"
"$DNNC" --train --quiet "$tmp/nolib.dnn" > /dev/null 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "libnosuch.so" "$tmp/err" && ok "a missing library is a clear error" \
    || fail "a missing library is a clear error"
sed 's/symbol  = "tanh"/symbol  = "no_such_symbol"/' "$ex" > "$tmp/nosym.dnn"
"$DNNC" --train --quiet "$tmp/nosym.dnn" > /dev/null 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "no_such_symbol" "$tmp/err" && ok "a missing symbol is a clear error" \
    || fail "a missing symbol is a clear error"
tap_done
