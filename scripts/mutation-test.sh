#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Proves that the simulator finds bugs: applies each patch of tests/mutations/ (a classic Raft
# bug) to a copy of this tree (built once, rebuilt incrementally per mutation), sweeps the
# scenario library, and reports for each mutation the first failing seed and the property that
# caught it.
#
# Usage: scripts/mutation-test.sh [--seeds-max N] [--jobs J] [PATCH...]
#   --seeds-max N   give up on a mutation after seeds 1..N of every scenario (default 1000)
#   --jobs J        sweep workers and build jobs (default: the number of cores)
#   PATCH...        default: every tests/mutations/*.patch
# Seeds are swept in growing chunks (1..25, 26..100, ...), so the smallest failing seed of the
# first failing chunk is the first failing seed overall. Exit 0 when every mutation was caught.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
seeds_max=1000
jobs=$(nproc)
patches=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seeds-max) seeds_max=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) patches+=("$1"); shift ;;
    esac
done
[ ${#patches[@]} -gt 0 ] || patches=("$repo"/tests/mutations/*.patch)
scenarios=()
for file in "$repo"/sim/scenarios/*.json; do
    [ "$(basename "$file")" = seed-startup.json ] || scenarios+=("sim/scenarios/$(basename "$file")")
done
work=$(mktemp -d /tmp/raftlink-mutations.XXXXXX)
trap 'rm -rf "$work"' EXIT
report="$work/report"
printf '%-40s %-8s %-6s %-28s %s\n' mutation caught seed scenario property > "$report"
# One copy of the tree, built once; each mutation is applied, rebuilt incrementally (only the
# files it touches recompile), swept, and reverted, so ten mutations cost one full build.
tree="$work/tree"
mkdir -p "$tree"
(cd "$repo" && tar --exclude='./build*' --exclude=./data --exclude=./.git -cf - .) | tar -C "$tree" -xf -
echo "== building the unmutated tree in $tree/build" >&2
# Without link-time optimisation: it changes no result, and every mutation relinks simulate.
if ! cmake -S "$tree" -B "$tree/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DRAFTLINK_LTO=OFF -DRAFTLINK_SHARED_DIR="$repo/../shared" > "$tree/build.log" 2>&1 \
    || ! ninja -C "$tree/build" -j "$jobs" simulate >> "$tree/build.log" 2>&1; then
    echo "the unmutated tree does not build (see $tree/build.log)" >&2
    tail -5 "$tree/build.log" >&2
    trap - EXIT
    exit 2
fi
missed=0
for patch in "${patches[@]}"; do
    name=$(basename "$patch" .patch)
    if ! (cd "$tree" && patch -p1 -s --dry-run < "$patch" > /dev/null 2>&1); then
        echo "$name: the patch does not apply to this tree" >&2
        printf '%-40s %-8s\n' "$name" "NO-APPLY" >> "$report"
        missed=$((missed + 1))
        continue
    fi
    (cd "$tree" && patch -p1 -s < "$patch")
    echo "== $name: $(head -1 "$patch" | sed 's/^# [^:]*: //')" >&2
    if ! ninja -C "$tree/build" -j "$jobs" simulate > "$work/$name.build.log" 2>&1; then
        echo "$name: build failed (see $work/$name.build.log)" >&2
        tail -5 "$work/$name.build.log" >&2
        printf '%-40s %-8s\n' "$name" "NO-BUILD" >> "$report"
        missed=$((missed + 1))
        (cd "$tree" && patch -p1 -R -s < "$patch")
        continue
    fi
    caught=""
    first=1
    for last in 25 100 300 1000 3000 10000; do
        [ "$first" -le "$seeds_max" ] || break
        [ "$last" -le "$seeds_max" ] || last=$seeds_max
        (cd "$tree" && ./build/apps/simulate/simulate sweep "${scenarios[@]}" \
            --seeds "$first..$last" --jobs "$jobs") > "$work/$name.sweep.out" 2> /dev/null
        # Failure lines: "<scenario> seed N: <property>: <detail>"; take the smallest seed.
        caught=$(grep -E '^[^ ]+ seed [0-9]+: ' "$work/$name.sweep.out" | sort -t' ' -k3,3n | head -1)
        [ -z "$caught" ] || break
        echo "   seeds $first..$last: nothing caught" >&2
        first=$((last + 1))
    done
    if [ -n "$caught" ]; then
        scenario=$(echo "$caught" | cut -d' ' -f1)
        seed=$(echo "$caught" | sed -E 's/^[^ ]+ seed ([0-9]+): .*/\1/')
        property=$(echo "$caught" | sed -E 's/^[^ ]+ seed [0-9]+: ([^:]*):.*/\1/')
        echo "   caught: $caught" >&2
        printf '%-40s %-8s %-6s %-28s %s\n' "$name" yes "$seed" "$scenario" "$property" >> "$report"
    else
        printf '%-40s %-8s %-6s\n' "$name" NO "-" >> "$report"
        missed=$((missed + 1))
    fi
    (cd "$tree" && patch -p1 -R -s < "$patch")
done
echo
cat "$report"
[ "$missed" -eq 0 ]
