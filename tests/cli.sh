#!/bin/sh
# cli.sh: the command-line contract of dnnc (TAP): options, exit codes,
# located errors for bad files, JSON output, stdin and IR input.
set -u
. "${srcdir:-.}/tests/tap.sh"
fail() { not_ok "$1"; show "$tmp/err"; }

# expect STATUS DESCRIPTION COMMAND...: the command exits with STATUS.
expect() {
    want=$1; what=$2; shift 2
    "$@" > "$tmp/out" 2> "$tmp/err"
    got=$?
    if [ "$got" = "$want" ]; then ok "$what"; else echo "# exit $got, wanted $want"; fail "$what"; fi
}

# located DESCRIPTION FILE: dnnc --check FILE exits 1 with a file:line:col: error line.
located() {
    expect 1 "$1 exits 1" "$DNNC" --check "$2"
    if grep -q "^$2:[0-9][0-9]*:[0-9][0-9]*: error: " "$tmp/err"; then ok "$1 has a located error"
    else fail "$1 has a located error"; fi
}

expect 0 "--help" "$DNNC" --help
grep -q "usage: dnnc" "$tmp/out" && ok "--help prints usage" || fail "--help prints usage"
expect 0 "--version" "$DNNC" --version
expect 1 "no arguments" "$DNNC"
expect 1 "unknown option" "$DNNC" --frobnicate "$SRC/examples/blobs.dnn"
expect 1 "two modes" "$DNNC" --check --emit-ir "$SRC/examples/blobs.dnn"
expect 1 "missing option value" "$DNNC" --check --epochs
expect 1 "bad number" "$DNNC" --train --epochs ten "$SRC/examples/blobs.dnn"
expect 1 "missing file" "$DNNC" --check "$tmp/nonexistent.dnn"
grep -q "nonexistent.dnn" "$tmp/err" && ok "missing file is named" || fail "missing file is named"
expect 1 "a folder" "$DNNC" --check "$tmp"
expect 0 "stdin" sh -c "'$DNNC' --check - < '$SRC/examples/blobs.dnn'"

head -c 4096 /dev/urandom > "$tmp/garbage.dnn"
located "binary garbage" "$tmp/garbage.dnn"
printf 'model m {\n  input [2]\n' > "$tmp/truncated.dnn"
located "truncated file" "$tmp/truncated.dnn"
: > "$tmp/empty.dnn"
located "empty file" "$tmp/empty.dnn"
{ printf 'dataset d { source = blobs(samples = '; head -c 100000 /dev/zero | tr '\0' '('; } > "$tmp/deep.dnn"
located "deep nesting" "$tmp/deep.dnn"
{ printf 'model m {\n  input [2]\n  '; head -c 104857600 /dev/zero | tr '\0' 'x'; printf '\n}\n'; } > "$tmp/long.dnn"
located "a 100 MB line" "$tmp/long.dnn"
[ "$(wc -c < "$tmp/err")" -lt 10000 ] && ok "a 100 MB line gives a short message" || fail "a 100 MB line gives a short message"
rm -f "$tmp/long.dnn"

# --json for --check: an array of diagnostic objects.
printf 'model m {\n  input [2]\n  h: dense 2, activation = relux\n}\n' > "$tmp/bad.dnn"
expect 1 "--check --json on a bad file" "$DNNC" --check --json "$tmp/bad.dnn"
if jq -e '.[0] | .file and .line == 3 and .column == 28 and .severity == "error" and (.message | test("relux"))' \
    "$tmp/out" > /dev/null; then ok "--json diagnostics carry file, line, column, severity, message"
else cp "$tmp/out" "$tmp/err"; fail "--json diagnostics carry file, line, column, severity, message"; fi
expect 0 "--check --json on a good file" "$DNNC" --check --json "$SRC/examples/blobs.dnn"
[ "$(tr -d ' \n' < "$tmp/out")" = "[]" ] && ok "no diagnostics is []" || fail "no diagnostics is []"

expect 0 "--emit-ir --json" "$DNNC" --emit-ir --json "$SRC/examples/blobs.dnn"
jq -j .ir "$tmp/out" > "$tmp/from_json.ir"
"$DNNC" --emit-ir "$SRC/examples/blobs.dnn" > "$tmp/plain.ir"
cmp -s "$tmp/from_json.ir" "$tmp/plain.ir" && ok "--emit-ir --json carries the IR text" \
    || fail "--emit-ir --json carries the IR text"

# IR input anywhere a .dnn is accepted; -o writes the output file.
expect 0 "--emit-ir -o" "$DNNC" --emit-ir "$SRC/examples/fashion_lenet.dnn" -o "$tmp/lenet.ir"
expect 0 "--check on IR" "$DNNC" --check "$tmp/lenet.ir"
sed 's/units=120/units=0/' "$tmp/lenet.ir" > "$tmp/bad.ir"
expect 1 "bad IR exits 1" "$DNNC" --check "$tmp/bad.ir"
grep -q "^$tmp/bad.ir:[0-9]*:[0-9]*: error: 'units'" "$tmp/err" && ok "bad IR error is located in the IR" \
    || fail "bad IR error is located in the IR"
sed 's/^dnnc-ir 1/dnnc-ir 9/' "$tmp/lenet.ir" > "$tmp/v9.ir"
expect 1 "unsupported IR version" "$DNNC" --check "$tmp/v9.ir"

tap_done
