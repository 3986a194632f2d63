#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The seed-trace story: the seed-startup scenario's trace must tell the seed document's
# story (shared/tools/trace-match). Usage: check_seed_trace.sh SIMULATE TRACE_MATCH SEED_DOC
set -euo pipefail
simulate=$1 trace_match=$2 seed_doc=$3
repo="$(cd "$(dirname "$0")/../.." && pwd)"
trace=$(mktemp)
trap 'rm -f "$trace"' EXIT
"$simulate" run "$repo/sim/scenarios/seed-startup.json" > "$trace"
python3 "$trace_match" "$seed_doc" "$trace"
