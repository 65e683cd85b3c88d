#!/bin/sh
# fault_localisation.sh: how well `dnnc --diagnose` localises the faults of
# examples/faults/: recall, precision and F3 at top-1, top-3 and over the
# whole suspect list, and the time per program.
#
# Usage: bench/fault_localisation.sh [--static] [--no-probe] [--fixed | --healthy] [DNNC [DIR]]
#   --static   evaluate the static rules alone (dnnc --diagnose --static)
#   --no-probe without the probing stage (--probe-budget 0): the difference
#              in seconds is what probing costs
#   --fixed    diagnose each fault's reference fix instead (its header's
#              '# fix:' applied) and count the suspects there: false alarms
#              on programs that train well
#   --healthy  diagnose every program of DIR (default examples/healthy), all
#              healthy, no header needed: the false-alarm rate is the share
#              of them with any suspect
#   DNNC       the dnnc binary (default ./dnnc), DIR (default examples/faults)
# A dnnc without --probe-budget (before probing existed) is run without it.
#
# Ground truth: each fault file's header line
#     # fault: ITEM, ITEM, ...      ITEM = PLACE or PLACE|PLACE|...
#     PLACE  = LAYER.ATTRIBUTE | train.ATTRIBUTE | data.ATTRIBUTE
# lists the faulty attributes; an item with alternatives (|) is one fault that
# shows in several places (any of them counts).  A suspect's place is
# NODE.ATTRIBUTE for a layer suspect, train.ATTRIBUTE for a training one,
# data.ATTRIBUTE for a data one (the JSON's target, node and attribute).  A
# suspect MATCHES an item when its place equals one of the item's places,
# exactly.  At cut-off k (1, 3, or the whole list) for one fault, with S the
# first min(k, n) suspects:
#     recall    = items matched by some suspect of S / items
#     precision = suspects of S that match some item / |S|   (0 when S is empty)
# Both are averaged over the faults (macro average); F3 = 10 P R / (9 P + R)
# weighs recall nine times as much as precision, as Humbatova et al. do.
# hit@k is the share of faults with at least one item matched in the top k.
set -eu
static=""
fixed=0
healthy=0
noprobe=0
while [ $# -gt 0 ]; do
    case "$1" in
        --static) static="--static"; shift ;;
        --fixed) fixed=1; shift ;;
        --healthy) healthy=1; shift ;;
        --no-probe) noprobe=1; shift ;;
        *) break ;;
    esac
done
DNNC=${1:-./dnnc}
if [ $healthy = 1 ]; then DIR=${2:-examples/healthy}; else DIR=${2:-examples/faults}; fi
if [ $noprobe = 1 ]; then
    if "$DNNC" --help 2>&1 | grep -q -- --probe-budget; then static="$static --probe-budget 0"; fi
fi
command -v jq >/dev/null || { echo "fault_localisation.sh: needs jq" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$DIR"/.fixed.*.dnn' EXIT

# apply_fix FILE: prints FILE with its '# fix:' applied (PLACE = VALUE, each
# set where the source writes it, or added to its layer line or block; an
# optimiser that changes kind takes its defaults, as with dnnc --mutate set).
apply_fix() {
    python3 - "$1" <<'PY'
import re, sys
OPT = {"learning_rate", "momentum", "nesterov", "rho", "beta_1", "beta_2", "epsilon",
       "initial_accumulator_value", "clipnorm", "clipvalue"}
def block(lines, word):
    s = next(i for i, l in enumerate(lines) if re.match(r"\s*%s\b" % word, l))
    return s, next(i for i in range(s, len(lines)) if lines[i].strip().startswith("}"))
def apply(text, place, value):
    lines = text.splitlines(True)
    obj, attr = place.split(".", 1)
    if obj not in ("train", "data"):
        for i, l in enumerate(lines):
            if re.match(r"\s*%s\s*:" % re.escape(obj), l):
                m = re.search(r"(\b%s\s*=\s*)([^,#\n]*?(\([^)]*\))?)(\s*(,|#|$))" % attr, l)
                if not m and attr in ("units", "filters"):   # written positionally: dense 64, conv2d 32
                    m = re.search(r"(\b(%s)\s+)(\d+)()" % ("dense" if attr == "units" else "conv2d"), l)
                    if m:
                        return "".join(lines[:i]) + l[:m.start(3)] + value + l[m.end(3):] + "".join(lines[i + 1:])
                if m:
                    lines[i] = l[:m.start(2)] + value + l[m.end(2):]
                else:
                    code, sep, comment = l.rstrip("\n").partition("#")
                    lines[i] = code.rstrip() + ", %s = %s" % (attr, value) + ("  #" + comment if sep else "") + "\n"
                return "".join(lines)
        sys.exit("no layer " + obj)
    s, e = block(lines, "train" if obj == "train" else "dataset")
    for i in range(s, e):
        if obj == "train" and attr in OPT and re.match(r"\s*optimizer\s*=", lines[i]):
            l = lines[i]
            if "(" in l:
                inner = [a.strip() for a in l[l.index("(") + 1:l.rindex(")")].split(",") if a.strip()]
                inner = [a for a in inner if not re.match(r"%s\s*=" % attr, a)] + ["%s = %s" % (attr, value)]
                lines[i] = l[:l.index("(") + 1] + ", ".join(inner) + l[l.rindex(")"):]
            else:
                lines[i] = l.rstrip("\n").rstrip() + "(%s = %s)\n" % (attr, value)
            return "".join(lines)
        if re.match(r"\s*%s\s*=" % attr, lines[i]):
            lines[i] = re.sub(r"=\s*(\w+)?(\([^)]*\))?[^#\n]*", "= " + value, lines[i], count=1) \
                if not (obj == "train" and attr == "optimizer") \
                else re.sub(r"=\s*\w+(\([^)]*\))?", "= " + value, lines[i], count=1)
            return "".join(lines)
    lines.insert(e, "    %s = %s\n" % (attr, value))
    return "".join(lines)
text = open(sys.argv[1]).read()
for line in text.splitlines():
    if line.startswith("# fix:"):
        for item in line[len("# fix:"):].split(";"):
            place, value = [x.strip() for x in item.split("=", 1)]
            text = apply(text, place, value)
sys.stdout.write(text)
PY
}

if [ $healthy = 1 ]; then
    alarms=0
    total=0
    suspects=0
    trainings=0
    t=0
    for f in "$DIR"/*.dnn; do
        name=$(basename "$f" .dnn)
        start=$(date +%s.%N)
        "$DNNC" --diagnose --json $static "$f" > "$tmp/out.json" 2> "$tmp/err" || {
            echo "$name: dnnc failed:" >&2; cat "$tmp/err" >&2; continue; }
        end=$(date +%s.%N)
        t=$(echo "$t $start $end" | awk '{ printf "%.2f", $1 + $3 - $2 }')
        places=$(jq -r '[.suspects[] | .rule + ":" + (if .target == "node" then .node else .target end)
                          + "." + .attribute] | join(" ")' "$tmp/out.json")
        n=$(jq '.suspects | length' "$tmp/out.json")
        pt=$(jq '.probing.trainings // 0' "$tmp/out.json")
        total=$((total + 1))
        suspects=$((suspects + n))
        trainings=$((trainings + pt))
        if [ -n "$places" ]; then alarms=$((alarms + 1)); echo "$name: $places"; fi
    done
    [ "$total" -gt 0 ] || { echo "no programs in $DIR" >&2; exit 1; }
    echo "$alarms of $total healthy programs have suspects (false-alarm rate $(echo "$alarms $total" |
        awk '{ printf "%.3f", $1 / $2 }')); $suspects suspects in all; $trainings probe trainings; $t s in all"
    exit 0
fi

if [ $fixed = 1 ]; then
    command -v python3 >/dev/null || { echo "fault_localisation.sh: --fixed needs python3" >&2; exit 2; }
    clean=0
    total=0
    for f in "$DIR"/*.dnn; do
        name=$(basename "$f" .dnn)
        fx="$DIR/.fixed.$name.dnn"
        apply_fix "$f" > "$fx"
        "$DNNC" --diagnose --json $static "$fx" > "$tmp/out.json"
        places=$(jq -r '[.suspects[] | .rule + ":" + (if .target == "node" then .node else .target end)
                          + "." + .attribute] | join(" ")' "$tmp/out.json")
        rm -f "$fx"
        total=$((total + 1))
        if [ -z "$places" ]; then clean=$((clean + 1)); else echo "$name (fixed): $places"; fi
    done
    echo "$clean of $total reference-fixed programs have no suspects"
    exit 0
fi

printf '%-28s %5s %6s  %-s\n' "fault" "items" "secs" "top-3 suspects (* = matches)"
: > "$tmp/rows"
for f in "$DIR"/*.dnn; do
    name=$(basename "$f" .dnn)
    truth=$(sed -n 's/^# fault: *//p' "$f" | head -1)
    [ -n "$truth" ] || { echo "$name: no '# fault:' line" >&2; continue; }
    start=$(date +%s.%N)
    "$DNNC" --diagnose --json $static "$f" > "$tmp/out.json" 2> "$tmp/err" || {
        echo "$name: dnnc failed:" >&2; cat "$tmp/err" >&2; continue; }
    end=$(date +%s.%N)
    secs=$(echo "$start $end" | awk '{ printf "%.2f", $2 - $1 }')
    # One line per fault: name, seconds, then per cut-off k in 1 3 all:
    # recall precision hit.  jq does the matching.
    jq -r --arg truth "$truth" --arg name "$name" --arg secs "$secs" '
        ($truth | split(",") | map(gsub("^ +| +$"; "") | split("|"))) as $items
        | [.suspects[] | (if .target == "node" then .node else .target end) + "." + .attribute] as $places
        | def score($k):
            ($places[0:$k]) as $s
            | ([$items[] | select(any(.[]; . as $p | $s | index([$p]) != null))] | length) as $found
            | ([$s[] | select(. as $p | any($items[]; index([$p]) != null))] | length) as $good
            | [($found / ($items | length)), (if ($s | length) > 0 then $good / ($s | length) else 0 end),
               (if $found > 0 then 1 else 0 end)];
          [$name, $secs, ($items | length)] + score(1) + score(3) + score(100000)
            + [($places[0:3] | map(. as $p | if any($items[]; index([$p]) != null) then "*" + $p else $p end)
                | join(" "))]
            + [(.probing.trainings // 0)]
        | @tsv' "$tmp/out.json" >> "$tmp/rows"
    tail -1 "$tmp/rows" | awk -F'\t' '{ printf "%-28s %5d %6s  %s\n", $1, $3, $2, $13 }'
done

awk -F'\t' '
    { n++; t += $2
      pt += $14
      for (c = 0; c < 3; c++) { r[c] += $(4 + 3 * c); p[c] += $(5 + 3 * c); h[c] += $(6 + 3 * c) } }
    END {
        if (n == 0) { print "no faults evaluated"; exit 1 }
        split("top-1 top-3 all", label, " ")
        printf "\n%-6s %7s %10s %7s %7s\n", "cut", "recall", "precision", "F3", "hit"
        for (c = 0; c < 3; c++) {
            R = r[c] / n; P = p[c] / n
            F = (9 * P + R) > 0 ? 10 * P * R / (9 * P + R) : 0
            printf "%-6s %7.3f %10.3f %7.3f %7.3f\n", label[c + 1], R, P, F, h[c] / n
        }
        printf "\n%d faults, %.2f s per program on average (%.1f s in all); %d probe trainings (%.1f per program)\n",
               n, t / n, t, pt, pt / n
    }' "$tmp/rows"
