#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# simulate sweep: the same seeds give the same table and failure lines whatever the number of
# worker processes (only the timing columns differ); failing seeds are listed in seed order,
# each with a replay command that reproduces it; the exit code is the worst class seen; bad
# seed sets and job counts exit 2. Usage: check_sweep_cli.sh SIMULATE
#
# A crashing worker (an assertion abort) is covered by simulate_cli_tests (worker_pool_test.cc),
# which runs workers that really abort: no scenario can make the core assert on purpose.
set -uo pipefail
simulate=$1
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
leader_crash="$repo/sim/scenarios/leader-crash.json"
quorum_loss="$repo/tests/testdata/quorum-loss.json"

# The deterministic part of a sweep's output: table rows without their three timing columns,
# and the failure and replay lines. The totals line and its note are all timing.
stable() {
    awk '/^sweep: |^\(per scenario/ {next}
         /: / {print; next}
         {NF -= 3; print}' "$1"
}

sweep() {  # name, expected exit code, arguments...
    local name=$1 want=$2
    shift 2
    "$simulate" sweep "$@" > "$work/$name.out" 2> "$work/$name.err"
    local code=$?
    [ "$code" -eq "$want" ] || fail "$name: exit code $code, want $want; $(cat "$work/$name.err")"
}

# 1. Worker count does not change the results or their order.
sweep pass1 0 "$leader_crash" --seeds 1..24 --jobs 1
sweep pass2 0 "$leader_crash" --seeds 1..24 --jobs 2
sweep pass5 0 "$leader_crash" --seeds 1..24 --jobs 5
grep -qE '^leader-crash +24 +24 +0 +0 +0 +0 ' "$work/pass1.out" \
    || fail "leader-crash 1..24 should pass 24 of 24: $(cat "$work/pass1.out")"
grep -qE '^sweep: 24 seeds, 0 failed, .* with 2 workers: .* events/s, .* simulated s per wall s$' \
    "$work/pass2.out" || fail "no totals line with speeds: $(cat "$work/pass2.out")"
grep -q $'\r' "$work/pass2.err" && fail "progress was drawn with \\r although stderr is no terminal"
for jobs in 2 5; do
    diff <(stable "$work/pass1.out") <(stable "$work/pass$jobs.out") \
        || fail "--jobs 1 and --jobs $jobs gave different summaries"
done
echo "ok: leader-crash 1..24 -> the same summary with 1, 2 and 5 workers"

# On a terminal (a pseudo-terminal from script(1), where available) the progress line is
# redrawn in place: it starts with \r and erases the rest of the line.
if command -v script > /dev/null; then
    script -qec "'$simulate' sweep '$leader_crash' --seeds 1..4 --jobs 2 > /dev/null" /dev/null \
        > "$work/tty" 2>&1 || fail "sweep on a terminal: $(cat "$work/tty")"
    grep -qF $'\rsweep: 0/4 seeds, 0 failed, 0.0 seeds/s, estimating\e[K' "$work/tty" \
        || fail "no progress line drawn in place on a terminal: $(od -c "$work/tty" | head)"
    echo "ok: on a terminal the progress line is redrawn in place"
fi

# 2. A scenario that loses its quorum fails liveness on every seed; with a passing scenario in
# the same sweep, and seeds given as a comma list.
seeds=1..20,31,40..45
sweep lost1 128 "$quorum_loss" "$leader_crash" --seeds "$seeds" --jobs 1
sweep lost2 128 "$quorum_loss" "$leader_crash" --seeds "$seeds" --jobs 2
diff <(stable "$work/lost1.out") <(stable "$work/lost2.out") \
    || fail "quorum-loss: --jobs 1 and --jobs 2 gave different summaries or failure lists"
row=$(grep -E '^quorum-loss ' "$work/lost1.out")
read -r _ count passed failed safety liveness crash _ <<< "$row"
[ "$count" -eq 27 ] && [ "$passed" -eq 0 ] && [ "$failed" -eq 27 ] && [ "$safety" -eq 0 ] \
    && [ "$liveness" -eq 27 ] && [ "$crash" -eq 0 ] || fail "quorum-loss row: $row"
grep -qE '^leader-crash +27 +27 +0 ' "$work/lost1.out" || fail "leader-crash row missing"
failures=$(grep -cE '^quorum-loss seed [0-9]+: [a-z ]+ after healing: ' "$work/lost1.out")
[ "$failures" -eq "$failed" ] || fail "$failures failure lines for $failed failed seeds"
listed=$(grep -oE '^quorum-loss seed [0-9]+' "$work/lost1.out" | awk '{print $3}')
[ "$(echo $listed)" = "$(echo {1..20} 31 {40..45})" ] || fail "failures not in seed order: $listed"
for seed in $listed; do
    grep -A1 -E "^quorum-loss seed $seed: " "$work/lost1.out" | tail -1 \
        | grep -qxF "  replay: $simulate run $quorum_loss --seed $seed" \
        || fail "seed $seed has no replay line"
done
first=$(head -1 <<< "$listed")
"$simulate" run "$quorum_loss" --seed "$first" > /dev/null 2> "$work/replay.err"
[ $? -eq 128 ] || fail "replaying seed $first did not fail liveness"
grep -q "^FAILED: .* after healing: " "$work/replay.err" || fail "replay: $(cat "$work/replay.err")"
echo "ok: quorum-loss fails 27 of 27 seeds -> exit 128, listed in seed order with replays"

# 3. Bad seed sets, job counts and scenarios exit 2 and say what was expected.
for bad in '9..1' '' '1..' 'x' '1,,2' '1..5,3' '-3' '1..100000000000'; do
    sweep bad 2 "$leader_crash" --seeds "$bad"
    grep -qF -- "--seeds: " "$work/bad.err" && grep -qF "expected A..B" "$work/bad.err" \
        || fail "--seeds '$bad': $(cat "$work/bad.err")"
    [ -s "$work/bad.out" ] && fail "--seeds '$bad' printed a summary"
done
for jobs in 0 -1 x 100000; do sweep jobs 2 "$leader_crash" --seeds 1 --jobs "$jobs"; done
sweep missing 2 "$leader_crash" "$work/missing.json" --seeds 1
grep -qF "$work/missing.json" "$work/missing.err" || fail "missing scenario not named"
"$simulate" sweep --seeds 1..2 > /dev/null 2>&1; [ $? -eq 2 ] || fail "sweep without scenario"
echo "ok: bad seed sets, job counts and scenario files -> exit 2"
