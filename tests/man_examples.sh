#!/bin/sh
# man_examples.sh: every example in the man pages works as shown (TAP).
#
# Markers (roff comments) before an .EX block say how it is checked:
#   .\" check             a complete program: dnnc --check accepts it
#   .\" check-fail FILE   a program saved as FILE: dnnc --check rejects it (exit 1)
#   .\" expect-stderr     the exact diagnostics of the last check-fail program
#   .\" run               shell commands, run in order from a scratch folder
#                         that sees the source tree's examples/; each exits 0
set -u
. "${srcdir:-.}/tests/tap.sh"
SRC=$(cd "$SRC" && pwd)
ln -s "$SRC/examples" "$tmp/examples"

# Writes each marked block of PAGE as $tmp/blockK with its marker in $tmp/blockK.kind.
extract() {
    awk -v dir="$tmp" '
        /^\.\\" (check|check-fail|expect-stderr|run)/ { kind = substr($0, 5); next }
        /^\.EX/ { if (kind != "") { k++; file = dir "/block" k; print kind > (file ".kind"); close(file ".kind"); inside = 1 } ; next }
        /^\.EE/ { if (inside) close(file); inside = 0; kind = ""; next }
        inside { line = $0; gsub(/\\-/, "-", line); gsub(/\\e/, "\\", line); print line > file }
    ' "$1"
}

for page in "$SRC"/man/dnnc.1 "$SRC"/man/dnn.5; do
    rm -f "$tmp"/block*
    extract "$page"
    name=$(basename "$page")
    k=1
    last=""
    while [ -f "$tmp/block$k" ]; do
        kind=$(cat "$tmp/block$k.kind")
        block="$tmp/block$k"
        case "$kind" in
        check)
            cp "$block" "$tmp/example.dnn"
            if (cd "$tmp" && "$DNNC" --check example.dnn) > "$tmp/out" 2>&1; then
                ok "$name example $k is a valid program"
            else
                not_ok "$name example $k is a valid program"; show "$tmp/out"
            fi ;;
        check-fail*)
            last=${kind#check-fail }
            cp "$block" "$tmp/$last"
            (cd "$tmp" && "$DNNC" --check "$last") > /dev/null 2> "$tmp/last.err"
            if [ $? -eq 1 ]; then ok "$name example $k is rejected"; else not_ok "$name example $k is rejected"; fi ;;
        expect-stderr)
            if diff -u "$block" "$tmp/last.err" > "$tmp/diff"; then
                ok "$name example $k shows the real diagnostics"
            else
                not_ok "$name example $k shows the real diagnostics"; show "$tmp/diff"
            fi ;;
        run)
            while IFS= read -r cmd; do
                [ -n "$cmd" ] || continue
                # shellcheck disable=SC2086
                set -- $cmd
                shift
                if (cd "$tmp" && "$DNNC" "$@") > "$tmp/out" 2>&1; then
                    ok "$name: $cmd"
                else
                    not_ok "$name: $cmd"; show "$tmp/out"
                fi
            done < "$block" ;;
        esac
        k=$((k + 1))
    done
    if man --warnings -l "$page" > /dev/null 2> "$tmp/man.err" || ! command -v man > /dev/null; then
        if [ -s "$tmp/man.err" ]; then not_ok "$name renders without warnings"; show "$tmp/man.err"
        else ok "$name renders"; fi
    else
        not_ok "$name renders"
    fi
done
# The man page's lists of strategies and mutation operators are the
# registries' (RP_STRATEGIES, MU_OPERATORS), which dnnc --help prints.
help_list() {
    "$DNNC" --help | awk -v t="$1" 'index($0, t) == 1 { on = 1; sub(/^[^:]*:/, "") } on && /^$/ { exit } on { print }' |
        tr ',' '\n' | tr -d ' ' | grep -v '^$'
}
man_list() {
    sed -n "/$1/,/$2/p" "$SRC/man/dnnc.1" | sed -n 's/^\.BR* \([a-z_0-9]*\).*/\1/p' | grep -v '^$'
}
help_list "Strategies" > "$tmp/help.list"
man_list '^\.BI \\-\\-strategy' '^\.TP' > "$tmp/man.list"
[ -s "$tmp/help.list" ] && cmp -s "$tmp/help.list" "$tmp/man.list" && ok "dnnc.1 lists the strategies of --help, in order" ||
    { not_ok "dnnc.1 lists the strategies of --help, in order"; diff "$tmp/help.list" "$tmp/man.list" > "$tmp/err"; show "$tmp/err"; }
help_list "Mutation operators" > "$tmp/help.list"
man_list '^\.SH MUTATION' '^\.SH DIAGNOSTICS' > "$tmp/man.list"
[ -s "$tmp/help.list" ] && cmp -s "$tmp/help.list" "$tmp/man.list" && ok "dnnc.1 lists the mutation operators of --help, in order" ||
    { not_ok "dnnc.1 lists the mutation operators of --help, in order"; diff "$tmp/help.list" "$tmp/man.list" > "$tmp/err"; show "$tmp/err"; }

tap_done
