#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The one dependency rule (DESIGN.md): nothing under core/ includes Boost, spdlog, fmt,
# RapidJSON, CLI11, <thread>, <mutex>, <atomic>, <random>, <chrono> or <condition_variable>,
# nor reads a clock, rand(), time() or getenv(). Usage: check_core_purity.sh [DIR] (default:
# the core/ next to this script's repository). Exit 1 and the offending lines if any.
set -euo pipefail
dir=${1:-"$(cd "$(dirname "$0")/../.." && pwd)/core"}
[ -d "$dir" ] || { echo "check_core_purity: no such directory: $dir" >&2; exit 2; }
includes='#[[:space:]]*include[[:space:]]*[<"](boost/|spdlog/|fmt/|rapidjson/|CLI/|thread>|mutex>|atomic>|random>|chrono>|condition_variable>|future>|ctime>|time\.h>)'
calls='(system_clock|steady_clock|high_resolution_clock|random_device|clock_gettime|gettimeofday|(^|[^_[:alnum:]])(std::)?(rand|srand|time|getenv|secure_getenv)[[:space:]]*\()'
# Comments may mention anything: strip them before matching.
bad=$(find "$dir" -type f \( -name '*.h' -o -name '*.cc' \) | sort | while IFS= read -r file; do
    sed 's://.*$::' "$file" | grep -nE "$includes|$calls" | sed "s|^|$file:|" || true
done)
if [ -n "$bad" ]; then
    echo "core/ must stay pure (DESIGN.md, the one dependency rule); these lines break it:"
    echo "$bad"
    exit 1
fi
echo "core purity: $(find "$dir" -name '*.h' -o -name '*.cc' | wc -l) files checked, none includes a banned header or reads a clock, rand(), time() or getenv()"
