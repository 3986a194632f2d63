#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The etcd column of README "Performance", measured with our own generator: starts a 3-member
# etcd cluster on loopback (Debian's etcd-server; fsync on, as always in etcd), finds its
# leader, and runs `bench cluster`'s profile against it with `bench attack`:
#   writes at 100/s and 1000/s  PUT through the JSON gateway (POST /v3/kv/put), new key each
#   follower reads at 1000/s    serializable range reads of keys written before, on a follower
#   max writes                  closed loop, 64 connections
# Every member is started here, in a temporary directory, and stopped by PID at the end.
#
# Usage: scripts/bench-etcd.sh [--bench PATH] [--duration 10s] [--keep]
#   needs etcd: apt-get install etcd-server (not part of `make deps`: only this script uses it)
set -euo pipefail

bench=build/apps/bench/bench
duration=10s
keep=0
while [ $# -gt 0 ]; do
    case $1 in
        --bench) bench=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '3,13p' "$0"; exit 0 ;;
        *) echo "bench-etcd: unknown argument $1" >&2; exit 2 ;;
    esac
done
command -v etcd >/dev/null || { echo "bench-etcd: no etcd; apt-get install etcd-server" >&2; exit 2; }
[ -x "$bench" ] || { echo "bench-etcd: no bench at $bench (make build)" >&2; exit 2; }

dir=$(mktemp -d /tmp/raftlink-etcd.XXXXXX)
pids=()
stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    echo "stopped etcd members: pids ${pids[*]}"
    if [ $keep = 0 ]; then rm -rf "$dir"; else echo "kept $dir"; fi
}
trap stop EXIT

# Ports: a free-looking range above raftlink's defaults; client 2n+22377, peer 2n+22378.
client_port() { echo $((22377 + 2 * $1)); }
peer_port() { echo $((22378 + 2 * $1)); }
cluster=""
for i in 1 2 3; do cluster+="${cluster:+,}e$i=http://127.0.0.1:$(peer_port $i)"; done
for i in 1 2 3; do
    etcd --name "e$i" --data-dir "$dir/e$i" \
        --listen-client-urls "http://127.0.0.1:$(client_port $i)" \
        --advertise-client-urls "http://127.0.0.1:$(client_port $i)" \
        --listen-peer-urls "http://127.0.0.1:$(peer_port $i)" \
        --initial-advertise-peer-urls "http://127.0.0.1:$(peer_port $i)" \
        --initial-cluster "$cluster" --initial-cluster-state new \
        --initial-cluster-token raftlink-bench --log-level warn >"$dir/e$i.log" 2>&1 &
    pids+=($!)
done
echo "started etcd $(etcd --version | head -1 | awk '{print $3}') members: pids ${pids[*]} (logs in $dir)"

# The leader: the member whose own id is the leader its status names.
leader="" follower=""
for attempt in $(seq 1 100); do
    for i in 1 2 3; do
        status=$(curl -s -X POST "http://127.0.0.1:$(client_port $i)/v3/maintenance/status" -d '{}' || true)
        self=$(sed -n 's/.*"member_id":"\([0-9]*\)".*/\1/p' <<<"$status")
        lead=$(sed -n 's/.*"leader":"\([0-9]*\)".*/\1/p' <<<"$status")
        if [ -n "$self" ] && [ "$self" = "$lead" ]; then leader=$i; fi
    done
    [ -n "$leader" ] && break
    sleep 0.1
done
[ -n "$leader" ] || { echo "bench-etcd: no leader after 10 s" >&2; exit 1; }
follower=$(( leader % 3 + 1 ))
echo "leader: member $leader (port $(client_port "$leader")); follower for reads: member $follower"

# Keys are base64 text, so {seq} is put inside the base64 itself: "a2V5" is "key", seven
# digits and an "A" make 12 characters, a valid encoding, distinct for every seq below 10^7.
put='{"key":"a2V5{seq}A","value":"aHR0cHM6Ly9leGFtcGxlLmNvbS9wYWdl"}'
range='{"key":"a2V5{seq}A","serializable":true}'
url() { echo "http://127.0.0.1:$(client_port "$1")"; }
phase() {
    echo; echo "== $1"; shift
    "$bench" attack --progress never "$@"
}
phase "writes at 100/s on the leader" --url "$(url "$leader")" --path /v3/kv/put \
    --body "$put" --seq-start 1000000 --rate 100 --duration "$duration"
phase "writes at 1000/s on the leader" --url "$(url "$leader")" --path /v3/kv/put \
    --body "$put" --seq-start 2000000 --rate 1000 --duration "$duration"
phase "serializable reads at 1000/s on a follower" --url "$(url "$follower")" \
    --path /v3/kv/range --body "$range" --seq-start 2000000 --rate 1000 --duration "$duration"
phase "max writes, closed loop, 64 connections" --url "$(url "$leader")" --path /v3/kv/put \
    --body "$put" --seq-start 3000000 --mode closed --connections 64 --duration "$duration"
