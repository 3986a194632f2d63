#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Same scenario and seed in two processes -> byte-identical output (trace and summary line);
# another seed -> a different trace. Usage: check_determinism.sh SIMULATE
set -euo pipefail
simulate=$1
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for scenario in seed-startup leader-crash; do
    file="$repo/sim/scenarios/$scenario.json"
    "$simulate" run "$file" --seed 11 > "$work/a" 2> "$work/a.err"
    "$simulate" run "$file" --seed 11 > "$work/b" 2> "$work/b.err"
    "$simulate" run "$file" --seed 12 > "$work/c" 2> /dev/null
    cmp "$work/a" "$work/b" || { echo "$scenario: seed 11 gave two different traces"; exit 1; }
    # The summary ends with wall-clock speed figures, which may differ; the rest may not.
    diff <(sed 's/; [0-9]* events\/s.*//' "$work/a.err") <(sed 's/; [0-9]* events\/s.*//' "$work/b.err") \
        || { echo "$scenario: seed 11 gave two different summaries"; exit 1; }
    if cmp -s "$work/a" "$work/c"; then echo "$scenario: seeds 11 and 12 gave the same trace"; exit 1; fi
    echo "$scenario: seed 11 twice -> identical $(wc -l < "$work/a")-line traces; seed 12 differs"
done
