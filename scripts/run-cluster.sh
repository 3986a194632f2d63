#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Starts a 3-node cluster on loopback (HTTP 8001-8003, Raft 7001-7003, data under ./data/),
# prints a curl line to try, streams the three nodes' logs, and stops all three on Ctrl-C.
# Usage: run-cluster.sh NODE_BINARY [extra node flags...]
set -euo pipefail
node=$1
shift
mkdir -p data
secret=data/cluster.secret
if [ ! -s "$secret" ]; then
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$secret"
    echo >> "$secret"
    chmod 600 "$secret"
fi
members="1=127.0.0.1:7001/127.0.0.1:8001,2=127.0.0.1:7002/127.0.0.1:8002,3=127.0.0.1:7003/127.0.0.1:8003"
for port in 7001 7002 7003 8001 8002 8003; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "run-cluster: port $port is already in use on 127.0.0.1; stop what uses it first" >&2
        exit 1
    fi
done
pids=()
stop() {
    trap - INT TERM EXIT
    echo
    echo "run-cluster: stopping nodes ${pids[*]}"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT
for id in 1 2 3; do
    "$node" --id "$id" --members "$members" --data-dir "data/node-$id" \
        --cluster-secret-file "$secret" "$@" 2>&1 &
    pids+=($!)
done
cat <<TXT
run-cluster: nodes started (pids ${pids[*]}); logs follow. Try, on any node (a follower
answers 409 with the leader's URL):

  curl -i -X POST -d 'https://example.com/hello' http://127.0.0.1:8001/
  curl -i http://127.0.0.1:8001/status

Ctrl-C stops all three.
TXT
wait
