#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Proves the purity check can fail: each banned construct, alone in a scratch core/, must be
# reported; a clean file must pass.
set -euo pipefail
check="$(dirname "$0")/check_core_purity.sh"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo 'int answer() { return 42; }  // time (in a comment) is fine' > "$scratch/clean.cc"
"$check" "$scratch" > /dev/null || { echo "a clean file was rejected"; exit 1; }
failures=0
while IFS= read -r line; do
    rm -f "$scratch"/*.cc
    printf '%s\n' "$line" > "$scratch/bad.cc"
    if "$check" "$scratch" > /dev/null; then
        echo "not caught: $line"
        failures=$((failures + 1))
    fi
done <<'CASES'
#include <boost/asio.hpp>
#include <spdlog/spdlog.h>
#include <rapidjson/document.h>
#include <thread>
#include <mutex>
#include <atomic>
#include <random>
#include <chrono>
auto t = std::chrono::steady_clock::now();
auto t = std::chrono::system_clock::now();
int r = rand();
long t = time(nullptr);
const char* home = getenv("HOME");
const char* home = std::getenv("HOME");
std::random_device device;
CASES
[ "$failures" -eq 0 ] || exit 1
echo "purity self-test: every banned construct was caught"
