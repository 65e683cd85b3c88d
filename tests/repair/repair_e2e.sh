#!/bin/sh
# repair_e2e.sh: dnnc --repair end to end on a tiny generated-data fault (TAP).
#
# The fault: adam at a learning rate of 1e-6 cannot move the weights in five
# epochs, so the model stays at chance on three well-separated blobs.  With a
# small --trials budget repair must find a significant fix, print both diffs,
# write a source with -o that passes --check and keeps the file's comments,
# and give the JSON keys of the contract.  A healthy program gets "no
# significant improvement found" (exit 0); bad options exit 1; every
# strategy runs on the same budget.  The budget's clock is the modelled cost
# of the trainings, so a 20x repair run twice takes the same decisions and
# reports the same fixes, and never spends more than its budget.  With
# --reference (the repaired source), each fix has an improvement rate.
set -u
. "${srcdir:-.}/tests/tap.sh"

cat > "$tmp/slow.dnn" <<'DNN'
# slow.dnn: a classifier that cannot learn (test fixture)
dataset blobs {
    source = blobs(samples = 600, features = 4, classes = 3, spread = 1.0)
    test   = 0.25   # a quarter for testing
}

model net {
    input [4]
    hidden: dense 16, activation = relu   # the hidden layer
    out: dense 3, activation = softmax
}

train {
    model     = net
    data      = blobs
    loss      = categorical_crossentropy
    optimizer = adam(learning_rate = 0.000001)
    batch     = 32
    epochs    = 5
    seed      = 2
}
DNN

"$DNNC" --repair --quiet --trials 40 -o "$tmp/fixed.dnn" "$tmp/slow.dnn" > "$tmp/out" 2> "$tmp/err"
check "repair exits 0" "[ $? -eq 0 ]"
check "a fix is reported" "grep -q '^fix 1: accuracy' '$tmp/out'"
check "with p and A12" "grep -q 'p = [0-9.e-]*, A12 = ' '$tmp/out'"
check "with an IR diff" "grep -q '^    @@ ' '$tmp/out' && grep -q 'IR diff:' '$tmp/out'"
check "with a source diff" "grep -q 'source diff:' '$tmp/out' && grep -q '^    +++ b/slow.dnn' '$tmp/out'"
check "and the budget used" "grep -q '^budget used: ' '$tmp/out' && grep -q '^wall-clock: .* trainings' '$tmp/out'"
check "-o writes the repaired source" "[ -s '$tmp/fixed.dnn' ]"
check "which passes --check" "'$DNNC' --check '$tmp/fixed.dnn' 2> '$tmp/err'"
check "and keeps the comments" "grep -q '# the hidden layer' '$tmp/fixed.dnn' && grep -q '# a quarter for testing' '$tmp/fixed.dnn'"
check "and differs from the faulty source" "! cmp -s '$tmp/slow.dnn' '$tmp/fixed.dnn'"
lines=$(diff "$tmp/slow.dnn" "$tmp/fixed.dnn" | grep -c '^<')
check "the patch is small ($lines lines changed)" "[ $lines -le 3 ]"

"$DNNC" --repair --quiet --json --trials 40 "$tmp/slow.dnn" > "$tmp/json" 2> "$tmp/err"
check "--json exits 0" "[ $? -eq 0 ]"
for key in baseline fixes budget_used trainings metric_mean metric_sd p a12 changes line node attribute \
           before after reason ir_diff source_diff; do
    check "--json has \"$key\"" "grep -q '\"$key\":' '$tmp/json'"
done

cat > "$tmp/healthy.dnn" <<'DNN'
dataset blobs {
    source = blobs(samples = 400, features = 2, classes = 2, spread = 0.5)
    test   = 0.25
}
model net {
    input [2]
    out: dense 2, activation = softmax
}
train {
    model     = net
    data      = blobs
    loss      = categorical_crossentropy
    optimizer = adam(learning_rate = 0.01)
    epochs    = 10
}
DNN
"$DNNC" --repair --quiet --trials 12 "$tmp/healthy.dnn" > "$tmp/out" 2> "$tmp/err"
check "a healthy program exits 0" "[ $? -eq 0 ]"
check "with no significant improvement found" "grep -q 'no significant improvement found' '$tmp/out'"

# A program that cannot train at all (2 output units for 3 classes): the
# report says why, and the fix gives the output its units.
sed 's/out: dense 3/out: dense 2/; s/categorical_crossentropy/sparse_categorical_crossentropy/' \
    "$tmp/slow.dnn" > "$tmp/untrainable.dnn"
"$DNNC" --repair --quiet --trials 20 "$tmp/untrainable.dnn" > "$tmp/out" 2> "$tmp/err"
check "a program that does not train exits 0" "[ $? -eq 0 ]"
check "the report says why it does not train" "grep -q '^faulty program: does not train.*output units' '$tmp/out'"
check "and its fix sets the output units" "grep -q 'out.units: 2 -> 3' '$tmp/out'"

"$DNNC" --repair --strategy nonesuch "$tmp/slow.dnn" > "$tmp/out" 2> "$tmp/err"
check "an unknown strategy exits 1" "[ $? -eq 1 ] && grep -q 'valid choices' '$tmp/err'"
"$DNNC" --repair --budget 20y "$tmp/slow.dnn" > "$tmp/out" 2> "$tmp/err"
check "a bad budget exits 1" "[ $? -eq 1 ]"
"$DNNC" --repair --runs 100 "$tmp/slow.dnn" > "$tmp/out" 2> "$tmp/err"
check "more runs than repair keeps exits 1, not capped in silence" "[ $? -eq 1 ] && grep -q 'from 2 to 64' '$tmp/err'"

for s in guided random bohb autotrainer; do
    "$DNNC" --repair --quiet --strategy $s --trials 12 "$tmp/slow.dnn" > "$tmp/out" 2> "$tmp/err"
    check "strategy $s runs" "[ $? -eq 0 ] && grep -q '^budget used' '$tmp/out'"
done
# The same repair twice: the same fixes, the same budget spent (JSON lines
# that do not depend on the wall clock).
same_keys='"(budget_used|budget|node|attribute|after|metric_mean|p|validated_at)":'
for k in 1 2; do
    "$DNNC" --repair --quiet --json --budget 30x "$tmp/slow.dnn" > "$tmp/run$k" 2> "$tmp/err"
done
check "a time budget (30x) is kept" \
    "awk -F'[:,]' '/\"budget_used\"/ { u = \$2 } /\"budget\"/ { b = \$2 } END { exit !(u > 0 && u <= b) }' '$tmp/run1'"
grep -E "$same_keys" "$tmp/run1" > "$tmp/keys1"
grep -E "$same_keys" "$tmp/run2" > "$tmp/keys2"
check "a repair run twice takes the same decisions" "[ -s '$tmp/keys1' ] && cmp -s '$tmp/keys1' '$tmp/keys2'"

"$DNNC" --repair --quiet --json --trials 40 --reference "$tmp/fixed.dnn" "$tmp/slow.dnn" > "$tmp/json" 2> "$tmp/err"
check "--reference exits 0" "[ $? -eq 0 ]"
check "the reference's runs are reported" "grep -q '\"reference\": *{' '$tmp/json'"
check "each fix has an improvement rate" "grep -q '\"improvement_rate\": *[-0-9]' '$tmp/json'"
"$DNNC" --repair --quiet --trials 12 --reference "$tmp/healthy.dnn" "$tmp/slow.dnn" > "$tmp/out" 2> "$tmp/err"
check "a reference on other data exits 1" "[ $? -eq 1 ] && grep -q 'same data' '$tmp/err'"

tap_done
