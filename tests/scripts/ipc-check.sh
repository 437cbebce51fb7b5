#!/usr/bin/env bash
# Solves instances of the International Planning Competition's total-order HTN track with
# `astra hddl solve` and verifies every plan with the competition's verifier (pandaPIparser),
# optionally beside HyperTensioN in the same run; prints solved, invalid, agile score,
# quality and median time per planner and per domain. See docs/planning.md, "Measured on the
# planning competition".
#
#   IPC_DOMAINS=DIR IPC_VERIFIER=FILE tests/scripts/ipc-check.sh [options] [DOMAIN...]
#
# IPC_DOMAINS   a checkout of the competition's domains (the folder holding total-order/)
# IPC_VERIFIER  the pandaPIparser program, built from source
# HYPERTENSION  optional: a checkout of HyperTensioN, run with Debian's ruby for comparison
# ASTRA         the astra program (default: build/qt6/app/cli/astra of this checkout)
#
# Options:
#   --every N      every Nth instance of each domain, in `sort -V` order, from the first (3)
#   --timeout S    seconds per instance and planner (30)
#   --out DIR      keep plans, logs and results.tsv there (default: a temporary folder)
#   --lenient-other  verify HyperTensioN's plans leniently (it lower-cases every name; astra's
#                  plans are always verified strictly, names exactly as declared)
#   --planners LIST  astra, hypertension or both, comma-separated (both when HYPERTENSION is
#                  set): two runs with one planner each can go side by side, one core each
#   --score FILE...  print the scores of earlier runs' results.tsv files together, and exit
# DOMAINs are folder names under total-order/ (default: all of them).
#
# Without IPC_DOMAINS or IPC_VERIFIER it says what is missing and exits 0: the check needs
# the competition's files, which the project does not ship.
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
every=3
timeout=30
out=""
lenient_other=0
planner_list=""
score_only=()
domains=()
while [ $# -gt 0 ]; do
    case "$1" in
    --every) every="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --lenient-other) lenient_other=1; shift ;;
    --planners) planner_list="$2"; shift 2 ;;
    --score) shift; score_only=("$@"); break ;;
    -h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "ipc-check: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) domains+=("$1"); shift ;;
    esac
done

# Scores as the competition counts them. Agile: 1 within a second, 0 at the time limit or
# without a valid plan, 1 - log(t)/log(T) between. Quality: the shortest valid plan any
# planner of this run found, over this planner's length.
score() {
awk -F'\t' -v limit="$timeout" '
FNR == 1 { next }
{
    key = $2 "/" $3; planners[$1] = 1; domains[$2] = 1; instances[key] = $2
    verdict[$1, key] = $4; seconds[$1, key] = $5; length_[$1, key] = $6
    if ($4 == "valid" && (!(key in best) || $6 + 0 < best[key])) best[key] = $6 + 0
}
function median(list, n,    i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && list[j - 1] > list[j]; j--) { t = list[j]; list[j] = list[j - 1]; list[j - 1] = t }
    if (n == 0) return "-"
    return n % 2 ? list[(n + 1) / 2] : (list[n / 2] + list[n / 2 + 1]) / 2
}
function score(p, only,    k, n, valid, invalid, agile, quality, times, t) {
    n = valid = invalid = agile = quality = 0; delete times
    for (k in instances) {
        if (only != "" && instances[k] != only) continue
        n++
        if (verdict[p, k] == "invalid") invalid++
        if (verdict[p, k] != "valid") continue
        valid++; t = seconds[p, k] + 0; times[valid] = t
        agile += t <= 1 ? 1 : (t >= limit ? 0 : 1 - log(t) / log(limit))
        quality += length_[p, k] + 0 == 0 ? 1 : best[k] / (length_[p, k] + 0)
    }
    printf "%-14s %-30s %5d / %-4d %7d %9.1f %9.1f %9s\n", p, only == "" ? "all" : only, valid, n, invalid, agile, quality, median(times, valid)
}
END {
    printf "%-14s %-30s %12s %7s %9s %9s %9s\n", "planner", "domain", "valid", "invalid", "agile", "quality", "median s"
    for (p in planners) { for (d in domains) score(p, d); score(p, "") }
}' "$@" | { IFS= read -r header; echo "$header"; sort -k1,1 -k2,2; }
}

if [ ${#score_only[@]} -gt 0 ]; then
    score "${score_only[@]}"
    exit 0
fi

missing=()
[ -n "${IPC_DOMAINS:-}" ] && [ -d "${IPC_DOMAINS}/total-order" ] ||
    missing+=("IPC_DOMAINS (a checkout of the competition's domains with a total-order/ folder)")
[ -n "${IPC_VERIFIER:-}" ] && [ -x "${IPC_VERIFIER}" ] ||
    missing+=("IPC_VERIFIER (the pandaPIparser program)")
if [ ${#missing[@]} -gt 0 ]; then
    echo "ipc-check: skipped: set ${missing[*]}." >&2
    exit 0
fi
astra="${ASTRA:-$root/build/qt6/app/cli/astra}"
if [ ! -x "$astra" ]; then
    echo "ipc-check: $astra is not built; build it (cmake --preset qt6 && ninja -C build/qt6 astra) or set ASTRA." >&2
    exit 2
fi
hype="${HYPERTENSION:-}"
if [ -n "$hype" ] && { [ ! -f "$hype/Hype.rb" ] || ! command -v ruby > /dev/null; }; then
    echo "ipc-check: HYPERTENSION=$hype needs Hype.rb there and ruby on the PATH." >&2
    exit 2
fi
if [ -z "$out" ]; then
    out="$(mktemp -d "${TMPDIR:-/tmp}/ipc-check.XXXXXX")"
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"
results="$out/results.tsv"
printf 'planner\tdomain\tproblem\tverdict\tseconds\tlength\n' > "$results"

if [ ${#domains[@]} -eq 0 ]; then
    for d in "$IPC_DOMAINS"/total-order/*/; do
        domains+=("$(basename "$d")")
    done
fi

# The problems of a domain folder: its .hddl and .pddl files but the domain files.
problems_of() {
    find "$1" -maxdepth 1 -type f \( -name '*.hddl' -o -name '*.pddl' \) ! -name 'domain.hddl' \
        ! -name '*-domain.hddl' -printf '%f\n' | sort -V
}

# A problem's domain: NAME-domain.hddl beside it (Monroe), else the folder's domain.hddl.
domain_of() {
    local dir="$1" problem="$2"
    local own="$dir/${problem%.*}-domain.hddl"
    if [ -f "$own" ]; then echo "$own"; else echo "$dir/domain.hddl"; fi
}

# verify DOMAIN PROBLEM PLAN LOG [lenient] -> valid | invalid
verify() {
    local flags=(-C -v)
    [ "${5:-}" = lenient ] && flags=(-C -l)
    (ulimit -s unlimited 2> /dev/null; exec timeout -k 5 600 "$IPC_VERIFIER" "${flags[@]}" "$1" "$2" "$3") > "$4" 2>&1
    if [ $? -eq 0 ] && grep -qx 'Plan verification result: true' "$4"; then echo valid; else echo invalid; fi
}

# The plan block of a planner's output, and its number of actions.
plan_block() { awk '/^==>$/ {p=1} p {print} /^<==$/ && p {exit}' "$1"; }
plan_length() { awk '/^==>$/ {p=1; next} /^root( |$)/ {exit} p && /^[0-9]+ / {n++} END {print n+0}' "$1"; }

# run PLANNER DOMAIN PROBLEM DIR: runs one planner on one instance, appends to results.
run() {
    local planner="$1" domain="$2" problem="$3" dir="$4"
    mkdir -p "$dir"
    local start end rc
    start=$(date +%s.%N)
    if [ "$planner" = astra ]; then
        timeout -k 5 "$((timeout + 10))" "$astra" hddl solve "$domain" "$problem" --timeout "$timeout" \
            > "$dir/stdout" 2> "$dir/stderr"
        rc=$?
    else
        local work
        work="$(mktemp -d)"
        local hype_problem="$problem"
        if [ "${domain##*.}" != "${problem##*.}" ]; then
            hype_problem="$work/$(basename "${problem%.*}").${domain##*.}"
            cp "$problem" "$hype_problem"
        fi
        # Ruby's own stack is 1 MiB unless told otherwise: deep decompositions need more.
        (cd "$work" && ulimit -s unlimited 2> /dev/null && export RUBY_THREAD_VM_STACK_SIZE=4294967296 &&
            exec timeout -k 5 "$timeout" ruby -s "$hype/Hype.rb" -IPC "$domain" "$hype_problem" \
                typredicate pullup dejavu run) > "$dir/stdout" 2> "$dir/stderr"
        rc=$?
        rm -rf "$work"
    fi
    end=$(date +%s.%N)
    local seconds verdict="none" length="NA"
    seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')
    plan_block "$dir/stdout" > "$dir/plan.txt"
    if [ "$rc" -eq 0 ] && grep -qx '<==' "$dir/plan.txt"; then
        length=$(plan_length "$dir/plan.txt")
        local mode=strict
        [ "$planner" != astra ] && [ "$lenient_other" -eq 1 ] && mode=lenient
        verdict=$(verify "$domain" "$problem" "$dir/plan.txt" "$dir/verify.log" "$mode")
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$planner" "$(basename "$(dirname "$problem")")" "$(basename "$problem")" \
        "$verdict" "$seconds" "$length" >> "$results"
    printf '  %-12s %-8s %8ss  %s\n' "$planner" "$verdict" "$seconds" "$([ "$length" = NA ] || echo "$length actions")"
}

planners=(astra)
[ -n "$hype" ] && planners+=(hypertension)
if [ -n "$planner_list" ]; then
    IFS=, read -r -a planners <<< "$planner_list"
fi
for planner in "${planners[@]}"; do
    case "$planner" in
    astra) ;;
    hypertension) [ -n "$hype" ] || { echo "ipc-check: --planners hypertension needs HYPERTENSION." >&2; exit 2; } ;;
    *) echo "ipc-check: unknown planner $planner (astra, hypertension)." >&2; exit 2 ;;
    esac
done
for name in "${domains[@]}"; do
    dir="$IPC_DOMAINS/total-order/$name"
    if [ ! -d "$dir" ]; then
        echo "ipc-check: no domain folder $dir" >&2
        exit 2
    fi
    index=0
    while read -r problem; do
        if [ $((index % every)) -eq 0 ]; then
            domain="$(domain_of "$dir" "$problem")"
            echo "$name/$problem"
            for planner in "${planners[@]}"; do
                run "$planner" "$domain" "$dir/$problem" "$out/$planner/$name/${problem%.*}"
            done
        fi
        index=$((index + 1))
    done < <(problems_of "$dir")
done

score "$results"
echo "Plans, logs and results.tsv: $out"
