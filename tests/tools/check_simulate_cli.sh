#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The simulate run command line: a broken scenario file gets a message naming the file and
# field and exit code 2; a run whose check fails prints the property, the time and event, the
# last trace lines and a replay command, exits 128 (liveness), and the replay command
# reproduces the same failure; --trace and --history write their files; --check-determinism
# says "deterministic" and exits 0; --quiet prints no trace, and a failure the same report.
# (Sweeps: check_sweep_cli.sh.)
# Usage: check_simulate_cli.sh SIMULATE
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
for want in "FAILED: " " after healing: " "virtual time" "after event" "last " "replay: "; do
    grep -qF "$want" "$work/err" || fail "quorum loss report lacks '$want'"
done
replay=$(sed -n 's/^  replay: //p' "$work/err")
[ -n "$replay" ] || fail "no replay command"
$replay > "$work/trace2" 2> "$work/err2"
[ $? -eq 128 ] || fail "the replay command did not fail the same way"
cmp -s "$work/trace" "$work/trace2" || fail "the replay's trace differs from the original run's"
echo "ok: a failing check exits 128 with its report, and '$replay' reproduces it"

# --trace FILE holds exactly what stdout would; --history FILE is written (JSON lines).
leader_crash="$repo/sim/scenarios/leader-crash.json"
"$simulate" run "$leader_crash" --seed 5 > "$work/stdout.trace" 2> /dev/null || fail "seed 5 failed"
"$simulate" run "$leader_crash" --seed 5 --trace "$work/file.trace" --history "$work/history" \
    > "$work/stdout" 2> /dev/null || fail "seed 5 with --trace and --history failed"
[ -s "$work/stdout" ] && fail "--trace FILE still printed the trace to stdout"
cmp -s "$work/stdout.trace" "$work/file.trace" || fail "--trace FILE differs from stdout's trace"
[ -f "$work/history" ] || fail "--history did not create its file"
if [ -s "$work/history" ]; then
    grep -qv '^{.*}$' "$work/history" && fail "--history wrote a line that is not a JSON object"
    echo "ok: --trace FILE equals stdout's trace; --history wrote $(wc -l < "$work/history") lines"
else
    echo "ok: --trace FILE equals stdout's trace; --history created its file (empty)"
fi
"$simulate" run "$leader_crash" --history "$work/no/such/dir/history" > /dev/null 2> "$work/err"
[ $? -eq 2 ] && grep -qF "$work/no/such/dir/history" "$work/err" || fail "unwritable --history"
"$simulate" run "$leader_crash" --trace "$work/no/such/dir/trace" > /dev/null 2> "$work/err"
[ $? -eq 2 ] && grep -qF "$work/no/such/dir/trace" "$work/err" || fail "unwritable --trace"
echo "ok: an unwritable --trace or --history file -> exit 2, named"

# --check-determinism: two runs in one process, no trace, both hashes shown.
"$simulate" run "$leader_crash" --seed 5 --check-determinism > "$work/out" 2> "$work/err"
code=$?
[ "$code" -eq 0 ] || fail "--check-determinism: exit $code, want 0: $(cat "$work/out" "$work/err")"
[ "$(tail -1 "$work/out")" = deterministic ] || fail "--check-determinism: $(cat "$work/out")"
[ "$(grep -c 'trace hash [0-9a-f]*, history hash ' "$work/out")" -eq 2 ] \
    || fail "--check-determinism should print both runs' hashes: $(cat "$work/out")"
[ "$(sed -n 's/.* run 1: //p' "$work/out")" = "$(sed -n 's/.* run 2: //p' "$work/out")" ] \
    || fail "--check-determinism: the two runs' lines differ: $(cat "$work/out")"
first_run=$(head -1 "$work/out" | sed 's/^.*run 1: //')
"$simulate" run "$repo/tests/testdata/quorum-loss.json" --check-determinism > "$work/out" 2>&1
[ $? -eq 0 ] && grep -qx deterministic "$work/out" || fail "a failing seed is deterministic too"
for other in "--trace $work/t" "--history $work/h"; do
    "$simulate" run "$leader_crash" --check-determinism $other > /dev/null 2>&1
    [ $? -eq 2 ] || fail "--check-determinism with $other should exit 2"
done
echo "ok: --check-determinism -> $first_run, twice: deterministic, exit 0"

# --quiet: no trace on stdout; a failure still prints its report, from a replay with tracing
# on, so the report (the last trace lines included) equals the traced run's.
"$simulate" run "$leader_crash" --seed 5 --quiet > "$work/out" 2> "$work/err" || fail "--quiet seed 5"
[ -s "$work/out" ] && fail "--quiet printed a trace"
grep -qF "no trace (--quiet)" "$work/err" || fail "--quiet summary: $(cat "$work/err")"
"$simulate" run "$repo/tests/testdata/quorum-loss.json" > /dev/null 2> "$work/terr"
"$simulate" run "$repo/tests/testdata/quorum-loss.json" --quiet > "$work/out" 2> "$work/qerr"
[ $? -eq 128 ] || fail "--quiet quorum loss should exit 128"
[ -s "$work/out" ] && fail "--quiet printed a trace on a failure"
diff <(sed '$d' "$work/terr") <(sed '$d' "$work/qerr") > /dev/null \
    || fail "--quiet failure report differs from the traced run's: $(cat "$work/qerr")"
"$simulate" run "$leader_crash" --quiet --trace "$work/t" > /dev/null 2>&1
[ $? -eq 2 ] || fail "--quiet with --trace should exit 2"
echo "ok: --quiet prints no trace; its failure report equals the traced run's"
