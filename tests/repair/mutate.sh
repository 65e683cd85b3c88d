#!/bin/sh
# mutate.sh: dnnc --mutate (TAP).  Each operator writes a mutant that passes
# --check and differs from the source by one small edit that keeps the
# comments; bad operators and arguments exit 1; --json names the change.
set -u
. "${srcdir:-.}/tests/tap.sh"

cat > "$tmp/ok.dnn" <<'DNN'
# ok.dnn: a healthy program (test fixture)
dataset blobs {
    source = blobs(samples = 300, features = 4, classes = 3)
    scale  = 0.5     # halve the inputs
}

model net {
    input [4]
    fc1: dense 16, activation = relu   # hidden
    drop: dropout 0.2
    out: dense 3, activation = softmax
}

train {
    model     = net
    data      = blobs
    loss      = categorical_crossentropy
    optimizer = adam(learning_rate = 0.01)
    epochs    = 10
}
DNN

mutant() {   # mutant OPERATOR ARGS
    "$DNNC" --mutate "$1" --mutate-args "$2" --quiet -o "$tmp/m.dnn" "$tmp/ok.dnn" > "$tmp/out" 2> "$tmp/err"
    check "$1 $2 exits 0" "[ $? -eq 0 ]"
    check "$1 $2 passes --check" "'$DNNC' --check '$tmp/m.dnn' 2> '$tmp/err'"
    changed=$(diff "$tmp/ok.dnn" "$tmp/m.dnn" | grep -c '^>')
    check "$1 $2 changes one line" "[ $changed -eq 1 ]"
    check "$1 $2 keeps the comments" "grep -q '# hidden' '$tmp/m.dnn' && grep -q '# halve the inputs' '$tmp/m.dnn'"
}
mutant change_activation "layer=fc1,to=sigmoid"
mutant remove_activation ""
mutant change_output_activation "to=linear"
mutant change_loss "to=mse"
mutant change_optimizer "to=sgd"
mutant change_learning_rate "factor=100"
mutant change_batch "to=512"
mutant change_epochs "to=1"
mutant change_kernel_init "to=ones"
mutant change_bias_init "layer=out,to=constant(1)"
mutant change_units "factor=0.25"
mutant change_dropout "to=0.9"
mutant add_regularizer "to=l1(0.1)"
mutant remove_scaling ""
mutant set "place=fc1.activation,to=tanh"
mutant set "place=train.epochs,to=3"
mutant set "place=data.standardize,to=true"
mutant set "place=drop.rate,to=0.5"
mutant set "place=data.scale,to=1/255"
"$DNNC" --mutate remove_layer --quiet -o "$tmp/m.dnn" "$tmp/ok.dnn" > "$tmp/out" 2> "$tmp/err"
check "remove_layer passes --check" "'$DNNC' --check '$tmp/m.dnn' 2> '$tmp/err' && ! grep -q 'fc1:' '$tmp/m.dnn'"

"$DNNC" --mutate change_loss --mutate-args to=mse --json "$tmp/ok.dnn" > "$tmp/out" 2> "$tmp/err"
check "--json names the change" "grep -q '\"attribute\":\"loss\"' '$tmp/out' && grep -q '\"after\":\"mse\"' '$tmp/out'"
"$DNNC" --mutate nonesuch "$tmp/ok.dnn" > "$tmp/out" 2> "$tmp/err"
check "an unknown operator exits 1" "[ $? -eq 1 ] && grep -q 'valid choices' '$tmp/err'"
"$DNNC" --mutate change_activation --mutate-args to=relux "$tmp/ok.dnn" > "$tmp/out" 2> "$tmp/err"
check "a bad value exits 1" "[ $? -eq 1 ]"
"$DNNC" --mutate change_activation --mutate-args layer=nope,to=tanh "$tmp/ok.dnn" > "$tmp/out" 2> "$tmp/err"
check "an unknown layer exits 1" "[ $? -eq 1 ] && grep -q nope '$tmp/err'"
"$DNNC" --mutate set --mutate-args place=train.nope,to=1 "$tmp/ok.dnn" > "$tmp/out" 2> "$tmp/err"
check "set with an unknown attribute exits 1" "[ $? -eq 1 ] && grep -q nope '$tmp/err'"
"$DNNC" --mutate set --mutate-args to=1 "$tmp/ok.dnn" > "$tmp/out" 2> "$tmp/err"
check "set without a place exits 1" "[ $? -eq 1 ] && grep -q place= '$tmp/err'"
"$DNNC" --mutate change_learning_rate --mutate-args factor=abc "$tmp/ok.dnn" > "$tmp/out" 2> "$tmp/err"
check "a factor that is not a number exits 1" "[ \$? -eq 1 ] && grep -q \"factor 'abc'\" '$tmp/err'"
"$DNNC" --mutate change_learning_rate --mutate-args factor=0.1 --quiet "$tmp/ok.dnn" > "$tmp/out" 2> "$tmp/err"
check "a scaled rate reads as written (0.001, not floating-point noise)" "grep -q 'learning_rate = 0.001)' '$tmp/out'"

tap_done
