#!/bin/sh
# kernel_sets.sh: the runtime's tests under every kernel set this CPU runs, as TAP.
#
# Reads the sets from `dnnc --version`, checks that an x86-64 CPU with AVX2
# and FMA (or AVX-512) is offered the avx2 (avx512) set, then runs the
# gradient checks, the optimiser tests and the training tests with
# DNNC_KERNELS forcing each set, and checks that --version and --train --json
# name the forced set.  An unknown set must be refused with a message and
# exit status 1.  (test_kernels checks that the sets' results agree.)
set -u
. "${srcdir:-.}/tests/tap.sh"

"$DNNC" --version > "$tmp/version" 2> "$tmp/err"
check "--version names the kernel set in use" "grep -q '^kernels: [a-z0-9]* (this CPU runs: ' '$tmp/version'"
sets=$(sed -n 's/^kernels: .*(this CPU runs: \([a-z0-9 ]*\);.*/\1/p' "$tmp/version")
echo "# kernel sets this CPU runs: $sets"
check "the baseline set is always there" "echo ' $sets ' | grep -q ' baseline '"
check "the set in use is the best one" "grep -q '^kernels: ${sets%% *} ' '$tmp/version'"
if [ "$(uname -m)" = x86_64 ] && [ -r /proc/cpuinfo ]; then
    flags=$(grep -m1 '^flags' /proc/cpuinfo)
    has() { echo " $flags " | grep -q " $1 "; }
    if has avx2 && has fma && has bmi2 && has f16c && has movbe; then
        check "an AVX2 CPU is offered the avx2 set" "echo ' $sets ' | grep -q ' avx2 '"
    fi
    if has avx512f && has avx512vl && has avx512bw && has avx512dq && has avx512cd; then
        check "an AVX-512 CPU is offered the avx512 set" "echo ' $sets ' | grep -q ' avx512 '"
    fi
fi

cat > "$tmp/net.dnn" <<EOF2
dataset d {
    source = blobs(samples = 200, features = 2, classes = 3)
    test = 0.25
}
model net {
    input [2]
    h: dense 16, activation = relu
    drop: dropout 0.2
    out: dense 3, activation = softmax
}
train {
    model = net
    data = d
    loss = categorical_crossentropy
    optimizer = adam(learning_rate = 0.01)
    batch = 32
    epochs = 3
    seed = 4
}
EOF2
for set in $sets; do
    DNNC_KERNELS=$set "$DNNC" --version > "$tmp/v" 2> "$tmp/err"
    check "DNNC_KERNELS=$set: --version says $set" "grep -q '^kernels: $set ' '$tmp/v'"
    DNNC_KERNELS=$set "$DNNC" --train --json --quiet "$tmp/net.dnn" > "$tmp/out.json" 2> "$tmp/err"
    check "DNNC_KERNELS=$set: --train --json says \"kernels\": \"$set\"" \
        "jq -e '.kernels == \"$set\"' '$tmp/out.json' > /dev/null"
    for t in test_gradients test_optim test_train; do
        DNNC_KERNELS=$set "tests/runtime/$t" > "$tmp/err" 2>&1
        check "DNNC_KERNELS=$set: $t passes" "[ $? = 0 ]"
    done
done

DNNC_KERNELS=sse9 "$DNNC" --version > "$tmp/out" 2> "$tmp/err"
check "an unknown set exits 1" "[ $? = 1 ]"
check "an unknown set is named in the error" \
    "grep -q \"^dnnc: error: DNNC_KERNELS: unknown kernel set 'sse9' (this build has: .*baseline)\" '$tmp/err'"
check "an unknown set prints nothing else" "[ ! -s '$tmp/out' ]"
DNNC_KERNELS=sse9 tests/runtime/test_optim > "$tmp/out" 2> "$tmp/err"
check "the runtime's own programs refuse it too" "[ $? = 1 ] && grep -q 'unknown kernel set' '$tmp/err'"
tap_done
