#!/bin/sh
# train_cli.sh: dnnc --train / --eval from the command line, as TAP.
#
# Small generated datasets only (no files needed): text and --json output,
# --save / --load / --eval, the --epochs and --seed overrides, and the user
# errors (mismatched output, missing or damaged weights file) that must give
# "dnnc: error:" and exit status 1, never a crash.
set -u
. "${srcdir:-.}/tests/tap.sh"

# program FILE UNITS LOSS SOURCE: a small classifier (or regressor).
program() {
    cat > "$1" <<EOF2
dataset d {
    source = $4
    test = 0.25
    validation = 0.2
}
model net {
    input [2]
    h: dense 16, activation = tanh
    out: dense $2, activation = ${5:-softmax}
}
train {
    model = net
    data = d
    loss = $3
    optimizer = adam(learning_rate = 0.01)
    batch = 32
    epochs = 8
    seed = 4
}
EOF2
}

program "$tmp/blobs.dnn" 3 categorical_crossentropy "blobs(samples = 400, features = 2, classes = 3)"
"$DNNC" --train --quiet "$tmp/blobs.dnn" > "$tmp/out.txt" 2> "$tmp/err.txt"
check "--train exits 0" "[ $? = 0 ]"
check "--train prints one line per epoch" "[ \$(grep -c '^epoch [0-9]*/8: loss .* accuracy .* val_loss .* val_accuracy' '$tmp/out.txt') = 8 ]"
check "--train prints the test metrics" "grep -q '^test: loss [0-9.]* accuracy [0-9.]*' '$tmp/out.txt'"
check "--quiet keeps stderr empty" "[ ! -s '$tmp/err.txt' ]"

"$DNNC" --train --json --quiet --save "$tmp/w.safetensors" "$tmp/blobs.dnn" > "$tmp/out.json"
check "--json exits 0" "[ $? = 0 ]"
check "--json gives epochs with loss, accuracy and their val_ twins" \
    "jq -e '(.epochs | length) == 8 and all(.epochs[]; has(\"loss\") and has(\"accuracy\") and has(\"val_loss\") and has(\"val_accuracy\"))' '$tmp/out.json' > /dev/null"
check "--json gives test loss and accuracy, train_seconds, samples_per_second" \
    "jq -e '(.test.loss | type) == \"number\" and (.test.accuracy | type) == \"number\" and .train_seconds > 0 and .samples_per_second > 0' '$tmp/out.json' > /dev/null"
check "blobs are learnt (test accuracy > 0.9)" "jq -e '.test.accuracy > 0.9' '$tmp/out.json' > /dev/null"
check "--save writes a safetensors file" "[ -s '$tmp/w.safetensors' ]"

"$DNNC" --eval --json --load "$tmp/w.safetensors" "$tmp/blobs.dnn" > "$tmp/eval.json"
check "--eval --load exits 0" "[ $? = 0 ]"
check "--eval reproduces the trained test metrics" \
    "jq -n --slurpfile a '$tmp/out.json' --slurpfile b '$tmp/eval.json' '((\$a[0].test.loss - \$b[0].test.loss) | fabs) < 1e-6 and \$a[0].test.accuracy == \$b[0].test.accuracy and (\$b[0].epochs | length) == 0' > /dev/null"

"$DNNC" --train --json --quiet --epochs 2 --seed 9 --threads 1 "$tmp/blobs.dnn" > "$tmp/o2.json"
check "--epochs 2 trains two epochs" "jq -e '(.epochs | length) == 2 and .seed == 9' '$tmp/o2.json' > /dev/null"
"$DNNC" --train --json --quiet --epochs 2 --seed 9 --threads 1 "$tmp/blobs.dnn" > "$tmp/o3.json"
check "same seed, same losses" "jq -n --slurpfile a '$tmp/o2.json' --slurpfile b '$tmp/o3.json' '\$a[0].epochs[1].loss == \$b[0].epochs[1].loss' > /dev/null"

program "$tmp/reg.dnn" 1 mse "regression(samples = 300, features = 2, noise = 0.1)" linear
"$DNNC" --train --json --quiet "$tmp/reg.dnn" > "$tmp/reg.json"
check "regression reports mae" "jq -e '(.test.mae | type) == \"number\" and has(\"epochs\") and (.epochs[0] | has(\"val_mae\"))' '$tmp/reg.json' > /dev/null"

# User errors: status 1 and a message, never a crash.
expect_error() {  # NAME PATTERN COMMAND...
    name=$1 pattern=$2
    shift 2
    "$@" > "$tmp/e.out" 2> "$tmp/e.err"
    status=$?
    if [ $status = 1 ] && grep -q "^dnnc: error: .*$pattern" "$tmp/e.err"; then
        ok "$name"
    else
        not_ok "$name (status $status: $(head -c 300 "$tmp/e.err"))"
    fi
}
program "$tmp/mismatch.dnn" 2 categorical_crossentropy "blobs(samples = 100, features = 2, classes = 3)"
expect_error "2 outputs for 3 classes is a user error" "3 classes" "$DNNC" --train "$tmp/mismatch.dnn"
expect_error "--eval without --load" "--load" "$DNNC" --eval "$tmp/blobs.dnn"
expect_error "--load of a missing file" "cannot open" "$DNNC" --eval --load "$tmp/none.safetensors" "$tmp/blobs.dnn"
printf 'garbage' > "$tmp/bad.safetensors"
expect_error "--load of a damaged file" "bad.safetensors: not a safetensors file" "$DNNC" --eval --load "$tmp/bad.safetensors" "$tmp/blobs.dnn"
program "$tmp/other.dnn" 3 categorical_crossentropy "blobs(samples = 100, features = 2, classes = 3)"
sed -i 's/dense 16/dense 12/' "$tmp/other.dnn"
expect_error "--load of another model's weights" "shape" "$DNNC" --eval --load "$tmp/w.safetensors" "$tmp/other.dnn"
expect_error "--save into a missing folder" "cannot create" "$DNNC" --train --quiet --save "$tmp/no/such/w.safetensors" "$tmp/blobs.dnn"

tap_done
