#!/bin/sh
# diagnose.sh: end-to-end tests of `dnnc --diagnose`, as TAP.
#
# Each tests/diagnose/cases/NAME.dnn says what its diagnosis must contain in
# header lines:
#   # args: ARGS              extra dnnc arguments (--static for rule-only cases)
#   # expect-at: RULE PLACE   a suspect at PLACE (node.attribute, train.X or
#                             data.X) found by RULE (its rule or one merged in)
#   # reject: RULE            no suspect found by RULE
#   # expect-before: A B      a suspect at place A ranks above any at place B
#                             (B may be absent)
#   # expect-kind: KIND       some suspect rests on a finding of KIND (rule,
#                             symptom, probe)
#   # expect-symptom: NAME    the training run showed symptom NAME
#   # expect-note: TEXT       the report's note contains TEXT
#   # clean                   no suspects and no symptoms at all
# Then: the healthy examples (examples/*.dnn) have no suspects, the JSON has
# the documented keys and order, the text output is in diagnostic form, and
# the output does not depend on the machine's speed or load.
set -u
DNNC=${DNNC:-$(pwd)/dnnc}
SRC=${srcdir:-.}
command -v jq >/dev/null || { echo "not ok 1 - jq is not installed (./bootstrap installs it)"; echo "1..1"; exit 1; }
tmp=$(mktemp -d)
busy1="" busy2=""
trap 'for b in $busy1 $busy2; do kill "$b" 2>/dev/null; done; rm -rf "$tmp"' EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { if [ "$1" = true ]; then ok "$2"; else not_ok "$2"; sed 's/^/# /' "$tmp/out.json" | head -40; fi; }

# Place of a suspect, as the fault headers write it.
PLACE='(if .target == "node" then .node else .target end) + "." + .attribute'

for dnn in "$SRC"/tests/diagnose/cases/*.dnn; do
    name=$(basename "$dnn" .dnn)
    args=$(sed -n 's/^# args: *//p' "$dnn")
    # shellcheck disable=SC2086
    if ! "$DNNC" --diagnose --json $args "$dnn" > "$tmp/out.json" 2> "$tmp/err"; then
        not_ok "$name: dnnc --diagnose exits 0"
        sed 's/^/# /' "$tmp/err"
        continue
    fi
    sed -n 's/^# expect-at: *//p' "$dnn" > "$tmp/at"
    while read -r rule place; do
        r=$(jq --arg r "$rule" --arg p "$place" \
            "any(.suspects[]; ($PLACE) == \$p and (.rule == \$r or any(.also[]; . == \$r)))" "$tmp/out.json")
        check "$r" "$name: $rule at $place"
    done < "$tmp/at"
    sed -n 's/^# reject: *//p' "$dnn" > "$tmp/reject"
    while read -r rule; do
        r=$(jq --arg r "$rule" 'all(.suspects[]; .rule != $r and all(.also[]; . != $r))' "$tmp/out.json")
        check "$r" "$name: no $rule"
    done < "$tmp/reject"
    sed -n 's/^# expect-before: *//p' "$dnn" > "$tmp/before"
    while read -r first second; do
        r=$(jq --arg a "$first" --arg b "$second" \
            "([.suspects[] | select(($PLACE) == \$a) | .rank] | first) as \$ra
             | ([.suspects[] | select(($PLACE) == \$b) | .rank] | first) as \$rb
             | \$ra != null and (\$rb == null or \$ra < \$rb)" "$tmp/out.json")
        check "$r" "$name: $first ranks above $second"
    done < "$tmp/before"
    sed -n 's/^# expect-kind: *//p' "$dnn" > "$tmp/kinds"
    while read -r kind; do
        r=$(jq --arg k "$kind" 'any(.suspects[]; any(.kinds[]; . == $k))' "$tmp/out.json")
        check "$r" "$name: a suspect rests on a $kind"
    done < "$tmp/kinds"
    sed -n 's/^# expect-symptom: *//p' "$dnn" > "$tmp/symptoms"
    while read -r sym; do
        r=$(jq --arg s "$sym" 'any(.training.symptoms[]?; .symptom == $s)' "$tmp/out.json")
        check "$r" "$name: symptom $sym"
    done < "$tmp/symptoms"
    sed -n 's/^# expect-note: *//p' "$dnn" > "$tmp/notes"
    while read -r text; do
        r=$(jq --arg t "$text" '.note | contains($t)' "$tmp/out.json")
        check "$r" "$name: note says '$text'"
    done < "$tmp/notes"
    if grep -q '^# clean' "$dnn"; then
        r=$(jq '(.suspects | length) == 0 and (.training != null) and (.training.symptoms | length) == 0' "$tmp/out.json")
        check "$r" "$name: clean"
    fi
done

# The healthy examples: nothing suspicious.  The Fashion-MNIST ones train at
# most one epoch and 2e10 multiply-adds (about 120 LeNet batches, 200 MLP
# ones: seconds under the sanitizers); the small ones train to their end.
# They are ours, so their function blocks may load their libraries.
for dnn in "$SRC"/examples/*.dnn; do
    name=$(basename "$dnn" .dnn)
    if "$DNNC" --diagnose --json --allow-extern --epochs 1 --budget 2e10 "$dnn" > "$tmp/out.json" 2> "$tmp/err"; then
        r=$(jq '(.suspects | length) == 0' "$tmp/out.json")
        check "$r" "examples/$name: no suspects"
    else
        not_ok "examples/$name: dnnc --diagnose exits 0"
        sed 's/^/# /' "$tmp/err"
    fi
done

# JSON: every suspect has the documented keys, ranks count from 1, scores fall.
"$DNNC" --diagnose --json "$SRC/tests/diagnose/cases/batchnorm_order.dnn" > "$tmp/out.json"
r=$(jq '(.suspects | length) > 0 and all(.suspects[]; has("rank") and has("line") and has("column")
        and has("node") and has("attribute") and has("rule") and has("evidence") and has("score")
        and has("target") and has("also") and has("repairs") and has("message") and has("kind") and has("kinds"))' "$tmp/out.json")
check "$r" "json: every suspect has rank, line, column, node, attribute, rule, evidence, score, ..."
r=$(jq '[.suspects[].rank] == [range(1; (.suspects | length) + 1)]
        and ([.suspects[].score] == ([.suspects[].score] | sort | reverse))
        and all(.suspects[]; .line > 0 and .column > 0)' "$tmp/out.json")
check "$r" "json: ranks 1..n, scores in decreasing order, located"
r=$(jq 'has("file") and has("suspects") and has("training") and has("probing") and has("note")' "$tmp/out.json")
check "$r" "json: top-level file, suspects, training, probing, note"
"$DNNC" --diagnose --json "$SRC/tests/diagnose/cases/probe_width.dnn" > "$tmp/out.json"
r=$(jq '.probing.probed > 0 and .probing.trainings == .probing.probed + 2 and .probing.work > 0
        and .probing.fraction > 0 and .probing.fraction <= 1 and .probing.helped >= 1' "$tmp/out.json")
check "$r" "json: probing says what it trained (the faulty program twice, each place once)"

# Text: one finding per line in diagnostic form, then its evidence.
case_file="$SRC/tests/diagnose/cases/softmax_one_unit.dnn"
"$DNNC" --diagnose --static "$case_file" > "$tmp/out.txt"
if head -1 "$tmp/out.txt" | grep -Eq "^.*softmax_one_unit\.dnn:[0-9]+:[0-9]+: warning: softmax on a 1-unit output always outputs 1\.0 \[output-activation\]$" &&
   sed -n 2p "$tmp/out.txt" | grep -q '^    evidence: '; then
    ok "text: diagnostic line, then the evidence"
else
    not_ok "text: diagnostic line, then the evidence"
    sed 's/^/# /' "$tmp/out.txt"
fi
"$DNNC" --diagnose "$SRC/tests/diagnose/cases/clean_binary.dnn" > "$tmp/out.txt"
if head -1 "$tmp/out.txt" | grep -qx 'no suspects'; then ok "text: a healthy program says 'no suspects'"
else not_ok "text: a healthy program says 'no suspects'"; sed 's/^/# /' "$tmp/out.txt"; fi

# Reproducible whatever the speed: the training run's length comes from the
# work budget, not the clock, so a run slowed down by two busy loops prints the
# same bytes as one that is not (the JSON has every number at full precision).
# The fault's run is cut by the budget, so the cut itself is exercised.
fault="$SRC/examples/faults/m2_zero_kernel.dnn"
"$DNNC" --diagnose --json --budget 5e9 --probe-budget 1e10 "$fault" > "$tmp/alone.json" 2>&1
busy() { while :; do :; done; }
busy & busy1=$!
busy & busy2=$!
"$DNNC" --diagnose --json --budget 5e9 --probe-budget 1e10 "$fault" > "$tmp/loaded.json" 2>&1
kill "$busy1" "$busy2"
wait "$busy1" "$busy2" 2>/dev/null
busy1="" busy2=""
cp "$tmp/alone.json" "$tmp/out.json"
r=$(jq '.training.limit == "work" and .training.cut_short and (.suspects | length) > 0' "$tmp/out.json")
check "$r" "budget: m2_zero_kernel's run is cut by the work budget, with suspects"
if cmp -s "$tmp/alone.json" "$tmp/loaded.json"; then ok "budget: the same output under load"
else not_ok "budget: the same output under load"; diff "$tmp/alone.json" "$tmp/loaded.json" | sed 's/^/# /' | head -20; fi
"$DNNC" --diagnose --budget 5e9 --probe-budget 0 "$fault" > "$tmp/out.txt"
if grep -q '^training run: .* (cut by the work budget), ' "$tmp/out.txt"; then ok "text: the run says it was cut by the work budget"
else not_ok "text: the run says it was cut by the work budget"; sed 's/^/# /' "$tmp/out.txt"; fi
if "$DNNC" --diagnose --budget 10s "$fault" > /dev/null 2> "$tmp/err"; then
    not_ok "budget: --budget 10s is refused (a budget is work, not time)"
else
    status=$?
    if [ "$status" = 1 ] && grep -q "multiply-adds" "$tmp/err"; then ok "budget: --budget 10s is refused (a budget is work, not time)"
    else not_ok "budget: --budget 10s is refused (a budget is work, not time)"; sed 's/^/# /' "$tmp/err"; fi
fi
if "$DNNC" --diagnose --probe-budget -1 "$fault" > /dev/null 2> "$tmp/err"; then
    not_ok "probing: a negative --probe-budget is refused"
else
    status=$?
    if [ "$status" = 1 ] && grep -q "probe-budget" "$tmp/err"; then ok "probing: a negative --probe-budget is refused"
    else not_ok "probing: a negative --probe-budget is refused"; sed 's/^/# /' "$tmp/err"; fi
fi

echo "1..$n"
[ "$failed" -eq 0 ]
