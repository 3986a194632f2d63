#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Trains the profile for simulate's profile-guided optimisation (CMakeLists.txt, RAFTLINK_PGO):
# runs an instrumented simulate on the scenario library and leaves the counts it writes in
# PROFILE_DIR, with PROFILE_DIR/trained.stamp to mark them complete. Skipped when the stamp is
# newer than the instrumented binary (nothing to retrain). Runs are deterministic, so the
# same binary always trains the same profile.
# Usage: pgo-train.sh INSTRUMENTED_SIMULATE PROFILE_DIR
set -euo pipefail
simulate=$1
profile=$2
scenarios="$(cd "$(dirname "$0")/.." && pwd)/sim/scenarios"
stamp="$profile/trained.stamp"
if [ -e "$stamp" ] && [ "$stamp" -nt "$simulate" ]; then
    exit 0
fi
rm -rf "$profile"
mkdir -p "$profile"
started_ms=$(($(date +%s%N) / 1000000))
# Every scenario of the library once, as a sweep runs them (no trace is formatted), then the
# speed benchmark's mix of faults and clients twice more, and one run that prints its trace,
# so that `simulate run`'s trace formatting is trained as well. A run that fails a check
# still trains; the tests report the failure.
runs=0
train() {
    runs=$((runs + 1))
    "$simulate" run "$@" > /dev/null 2>&1 || echo "pgo-train: '$*' exited with $? (training goes on)" >&2
}
for file in "$scenarios"/*.json; do
    train "$file" --seed 1 --quiet
done
train "$scenarios/speed-5.json" --seed 2 --quiet
train "$scenarios/speed-5.json" --seed 3 --quiet
train "$scenarios/seed-startup.json"
count=$(find "$profile" -name '*.gcda' | wc -l)
if [ "$count" -eq 0 ]; then
    echo "pgo-train: $simulate wrote no profile into $profile (not an instrumented build?)" >&2
    exit 1
fi
touch "$stamp"
elapsed_ms=$(($(date +%s%N) / 1000000 - started_ms))
echo "pgo-train: $runs runs, $count profiles in $profile ($elapsed_ms ms)"
