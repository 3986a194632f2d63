#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The simulate command line's failure paths: a broken scenario file gets a message naming the
# file and field and exit code 2; a run whose check fails prints the property, the time and
# event, the last trace lines and a replay command, exits 128 (liveness), and the replay
# command reproduces the same failure. Usage: check_simulate_cli.sh SIMULATE
set -uo pipefail
simulate=$1
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

expect_usage_error() {  # name, file contents, text the message must contain
    printf '%s' "$2" > "$work/$1.json"
    "$simulate" run "$work/$1.json" > /dev/null 2> "$work/err"
    code=$?
    [ "$code" -eq 2 ] || fail "$1: exit code $code, want 2"
    grep -qF "$work/$1.json" "$work/err" || fail "$1: message does not name the file: $(cat "$work/err")"
    grep -qF "$3" "$work/err" || fail "$1: message lacks '$3': $(cat "$work/err")"
    echo "ok: $1 -> exit 2: $(cat "$work/err")"
}
expect_usage_error bad-json '{"name": "x",' 'invalid JSON'
expect_usage_error unknown-field '{"name": "x", "nodez": 3}' 'unknown field "nodez"'
expect_usage_error out-of-range '{"name": "x", "nodes": 0}' 'field "nodes"'
expect_usage_error bad-latency '{"name": "x", "network": {"latency": {"distribution": "uniform", "min_ms": 5, "max_ms": 1}}}' 'network.latency'
"$simulate" run "$work/missing.json" > /dev/null 2> "$work/err"
[ $? -eq 2 ] && grep -qF "missing.json" "$work/err" || fail "missing file: $(cat "$work/err")"
echo "ok: missing file -> exit 2"
"$simulate" run > /dev/null 2>&1; [ $? -eq 2 ] || fail "no scenario argument should exit 2"
"$simulate" sweep "$repo/sim/scenarios/leader-crash.json" --seeds 9..1 > /dev/null 2>&1
[ $? -eq 2 ] || fail "an empty seed range should exit 2"
echo "ok: bad command lines -> exit 2"

"$simulate" run "$repo/tests/testdata/quorum-loss.json" > "$work/trace" 2> "$work/err"
code=$?
[ "$code" -eq 128 ] || fail "quorum loss: exit code $code, want 128 (liveness)"
for want in "FAILED: leader elected after healing" "virtual time" "after event" "last " "replay: "; do
    grep -qF "$want" "$work/err" || fail "quorum loss report lacks '$want'"
done
replay=$(sed -n 's/^  replay: //p' "$work/err")
[ -n "$replay" ] || fail "no replay command"
$replay > "$work/trace2" 2> "$work/err2"
[ $? -eq 128 ] || fail "the replay command did not fail the same way"
cmp -s "$work/trace" "$work/trace2" || fail "the replay's trace differs from the original run's"
echo "ok: a failing check exits 128 with its report, and '$replay' reproduces it"
