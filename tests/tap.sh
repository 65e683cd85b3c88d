# tap.sh: what every TAP test script shares.  Sourced, it sets DNNC (the
# binary under test), SRC (the source tree), a scratch folder $tmp removed on
# exit, and the TAP helpers: ok, not_ok, show (a file as TAP comments),
# check NAME EXPR (ok when the shell expression EXPR holds, else not ok and
# the end of $tmp/err) and tap_done (the plan line; the exit status says
# whether all passed).
DNNC=${DNNC:-$(pwd)/dnnc}
SRC=${srcdir:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tap_n=0
tap_failed=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $1"; }
show() { [ -f "$1" ] && sed 's/^/# /' "$1"; return 0; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; [ -f "$tmp/err" ] && tail -n 20 "$tmp/err" | sed 's/^/# /'; fi; return 0; }
tap_done() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }
