#!/bin/sh
# extern_roles.sh: user functions in every role through the driver (TAP).
# The example library of examples/extern/ (built by make into
# $DNNC_EXTERN_DIR) provides an activation in scalar and vector form, with
# and without derivative and with a parameter, a loss and a metric.  Every
# example that declares a function trains, diagnoses and repairs with
# --allow-extern (repair's forked workers inherit the permission); the metric
# is reported under its name in text and --json; central differences are
# announced once per function; and each way a function can be wrong is a
# located diagnostic or a runtime error naming the function.
set -u
. "${srcdir:-.}/tests/tap.sh"

command -v jq > /dev/null || { echo "not ok 1 - jq is not installed (./bootstrap installs it)"; echo "1..1"; exit 1; }
lib="${DNNC_EXTERN_DIR:-}/libdnnc_extern.so"
[ -n "${DNNC_EXTERN_DIR:-}" ] && [ -f "$lib" ] \
    || { echo "not ok 1 - the example library is built (DNNC_EXTERN_DIR=${DNNC_EXTERN_DIR:-unset})"; echo "1..1"; exit 1; }
LD_LIBRARY_PATH="$DNNC_EXTERN_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; export LD_LIBRARY_PATH
unset DNNC_ALLOW_EXTERN
ex="$SRC/examples/extern"

# Every example that declares a function: train, diagnose, repair.
for dnn in "$SRC"/examples/*.dnn "$SRC"/examples/*/*.dnn; do
    grep -q '^function ' "$dnn" || continue
    rel=${dnn#"$SRC"/}
    "$DNNC" --train --allow-extern --quiet "$dnn" > "$tmp/out" 2> "$tmp/err"; st=$?
    check "$rel trains (exit $st)" '[ $st -eq 0 ] && grep -q "^test: loss [0-9]" "$tmp/out"'
    "$DNNC" --diagnose --allow-extern --quiet "$dnn" > "$tmp/out" 2> "$tmp/err"; st=$?
    check "$rel diagnoses, training included (exit $st)" '[ $st -eq 0 ] && grep -q "^training run: " "$tmp/out"'
    "$DNNC" --repair --allow-extern --quiet --trials 3 --runs 2 "$dnn" > "$tmp/out" 2> "$tmp/err"; st=$?
    check "$rel repairs, its workers loading the library (exit $st)" \
        '[ $st -eq 0 ] && grep -q "^faulty program: [a-z0-9_ ]* [0-9.]* +- " "$tmp/out" && ! grep -q "allow-extern" "$tmp/out" "$tmp/err"'
done

# The metric: beside accuracy, under its name, in text and JSON; the objective.
"$DNNC" --train --allow-extern "$ex/f1.dnn" > "$tmp/out" 2> "$tmp/err"
check "the text output reports f1 per epoch (validation) and on the test split" \
    'grep -q "val_accuracy [0-9.]* val_f1 [0-9.]*" "$tmp/out" && grep -q "^test: loss [0-9.]* accuracy [0-9.]* f1 [0-9.]* (" "$tmp/out"'
"$DNNC" --train --allow-extern --json --quiet "$ex/f1.dnn" > "$tmp/f1.json" 2> "$tmp/err"
check "--json test metrics hold f1 beside accuracy" \
    'jq -e ".test.f1 >= 0 and .test.f1 <= 1 and .test.accuracy >= 0" "$tmp/f1.json" > /dev/null'
check "--json epochs hold val_f1" 'jq -e ".epochs[-1].val_f1 >= 0" "$tmp/f1.json" > /dev/null'
# A slow learner: repair must raise the objective, f1, and say it does.
sed 's/learning_rate = 0.01/learning_rate = 0.00001/' "$ex/f1.dnn" > "$tmp/f1_slow.dnn"
"$DNNC" --repair --allow-extern --quiet --json "$tmp/f1_slow.dnn" > "$tmp/rep.json" 2> "$tmp/err"; st=$?
check "repair scores by the objective f1 and finds a fix that raises it (exit $st)" \
    '[ $st -eq 0 ] && jq -e ".metric == \"f1\" and (.fixes | length) > 0 and .fixes[0].metric_mean > .baseline.mean" "$tmp/rep.json" > /dev/null'

# Central differences: one warning for the function without a derivative.
"$DNNC" --train --allow-extern --quiet "$ex/swish_beta.dnn" > /dev/null 2> "$tmp/err"
check "one warning for the function without a derivative, none for the one with it" \
    '[ "$(grep -c "warning: function .swish_beta. declares no derivative" "$tmp/err")" -eq 1 ] && ! grep -q "swish_vec. declares" "$tmp/err"'
"$DNNC" --check "$ex/swish_beta.dnn" > /dev/null 2> "$tmp/err"
check "--check, which never calls it, does not warn" '[ ! -s "$tmp/err" ]'

# located FILE PATTERN DESCRIPTION: --check FILE exits 1 with a located error matching PATTERN.
located() {
    pat=$2
    "$DNNC" --check "$1" > /dev/null 2> "$tmp/err"; st=$?
    check "$3 (exit $st)" '[ $st -eq 1 ] && grep -q "^[^:]*\.dnn:[0-9]*:[0-9]*: error: $pat" "$tmp/err"'
}
# edit SED FROM: a copy of example FROM with the sed script applied, as $tmp/bad.dnn.
edit() { sed "$1" "$ex/$2" > "$tmp/bad.dnn"; }
edit 's/type     = float/type     = int/' huber.dnn
located "$tmp/bad.dnn" "unknown C type 'int'; valid choices: float, double" "a type libffi is not given is a located error"
edit 's/swish_beta(beta = 1.5)/swish_beta/' swish_beta.dnn
located "$tmp/bad.dnn" "function 'swish_beta' takes 1 parameter \[beta\], got 0 arguments" "a missing parameter is a located error"
edit 's/swish_vec(2)/swish_vec(2, 3)/' swish_beta.dnn
located "$tmp/bad.dnn" "function 'swish_vec' takes 1 parameter \[beta\], got 2 arguments" "an extra argument is a located error"
edit 's/swish_beta(beta = 1.5)/swish_beta(gamma = 1.5)/' swish_beta.dnn
located "$tmp/bad.dnn" "function 'swish_beta' has no parameter 'gamma'" "an unknown parameter is a located error"
edit 's/activation = relu/activation = relu(2)/' huber.dnn
located "$tmp/bad.dnn" "built-in activation 'relu' takes no arguments" "arguments to a built-in are a located error"
edit 's/loss      = huber_loss/loss      = huber_loss(2)/' huber.dnn
located "$tmp/bad.dnn" "'huber_loss' takes no arguments" "arguments to a user loss are a located error"
edit 's/activation = relu/activation = huber_loss/' huber.dnn
located "$tmp/bad.dnn" "function 'huber_loss' is a loss function, not an activation function" "a loss used as an activation is a located error"
edit 's/objective = f1/objective = f2/' f1.dnn
located "$tmp/bad.dnn" "unknown objective 'f2'; valid choices: auto, or a declared metric function" "an unknown objective is a located error"
edit 's/metrics   = \[accuracy, f1\]/metrics   = [accuracy, f2]/' f1.dnn
located "$tmp/bad.dnn" "unknown metric 'f2'" "an unknown metric is a located error"
edit 's/role     = loss/role     = loss\n    params   = [delta]/' huber.dnn
located "$tmp/bad.dnn" "'params' does not apply to loss functions" "parameters of a loss are a located error"
edit 's/^function mish {/function relu {/; s/activation = mish/activation = relu/' mish.dnn
located "$tmp/bad.dnn" "function 'relu' has the name of a built-in activation" "a function named like a built-in is a located error"

# runtime NAME SED FROM PATTERN: --train fails (exit 1) with an error naming the function.
runtime() {
    pat=$4
    edit "$2" "$3"
    "$DNNC" --train --allow-extern --quiet "$tmp/bad.dnn" > /dev/null 2> "$tmp/err"; st=$?
    check "$1 (exit $st)" '[ $st -eq 1 ] && grep -q "$pat" "$tmp/err"'
}
runtime "a missing library of a loss names the function" 's/"libdnnc_extern.so"/"libnosuch_extern.so"/' huber.dnn \
    "function huber_loss: cannot load library 'libnosuch_extern.so'"
runtime "a missing symbol of a metric names the function" 's/symbol  = "f1"/symbol  = "f1_nosuch"/' f1.dnn \
    "function f1: no symbol 'f1_nosuch'"
runtime "a missing gradient symbol names the function" 's/"huber_grad"/"huber_nosuch"/' huber.dnn \
    "function huber_loss: no gradient symbol 'huber_nosuch'"
runtime "a missing derivative symbol names the function" 's/"mish_vector_grad"/"mish_nosuch"/' mish_vector.dnn \
    "function mish: no derivative symbol 'mish_nosuch'"
# libm's log is NaN below 0, which a hidden layer's pre-activations reach at once.
runtime "a function returning NaN for finite input stops training, naming it" \
    's/"libdnnc_extern.so"/"libm.so.6"/; s/"mish"$/"log"/; s/gradient = "mish_grad"//' mish.dnn \
    "function mish returned NaN for the finite input -"
tap_done
