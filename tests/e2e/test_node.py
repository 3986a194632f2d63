#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of the production node: real processes on 127.0.0.1.

Usage: test_node.py NODE_BINARY [TEST_NAME...]
Prints one line per test and a closing "N passed, N failed" line; exits 1 on any failure.
"""
import glob
import hashlib
import hmac
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Cluster, request, run_tests  # noqa: E402

NODE = None


def code_of(response):
    return response.json()["url"].rsplit("/", 1)[1]


def test_cluster_forms_and_serves():
    """A 3-node cluster forms; 201 on the leader, 409 naming it on a follower, 302 everywhere."""
    cluster = Cluster(NODE)
    try:
        cluster.start_all()
        leader = cluster.wait_for_leader()
        created = cluster.create(leader, "https://example.com/e2e")
        assert created.status == 201, (created.status, created.body)
        body = created.json()
        assert body["redirectsTo"] == "https://example.com/e2e", body
        assert created.headers.get("Location") == body["url"], created.headers
        follower = next(n for n in cluster.http_ports if n != leader)
        refused = cluster.create(follower, "https://example.com/e2e")
        assert refused.status == 409, (refused.status, refused.body)
        assert refused.json()["leaderId"] == leader, refused.body
        assert refused.json()["message"] == "Not a leader node", refused.body
        assert refused.json()["leaderUrl"].endswith(":%d" % cluster.http_ports[leader]), refused.body
        index = cluster.status(leader)["commitIndex"]
        for node in cluster.http_ports:
            cluster.wait_applied(node, index)
            found = request(cluster.http_ports[node], "GET", "/" + code_of(created))
            assert found.status == 302, (node, found.status)
            assert found.headers["Location"] == "https://example.com/e2e"
        linearizable = request(cluster.http_ports[leader], "GET",
                               "/" + code_of(created) + "?consistency=linearizable")
        assert linearizable.status == 302, linearizable.status
    finally:
        cluster.stop_all()


class Writer(threading.Thread):
    """Creates URLs in a loop against whoever leads, following 409s; records every 201."""

    def __init__(self, cluster, leader):
        super().__init__(daemon=True)
        self.cluster, self.target = cluster, leader
        self.acknowledged = {}
        self.successes = []  # monotonic times of 201s
        self.stop_flag = threading.Event()

    def run(self):
        sequence = 0
        while not self.stop_flag.is_set():
            sequence += 1
            url = "https://example.com/stream/%d" % sequence
            try:
                response = self.cluster.create(self.target, url, key="stream-%d" % sequence)
            except OSError:
                self.target = self.target % self.cluster.size + 1
                time.sleep(0.005)
                continue
            if response.status == 201:
                self.acknowledged[code_of(response)] = url
                self.successes.append(time.monotonic())
            elif response.status == 409 and response.json().get("leaderId"):
                self.target = response.json()["leaderId"]
            else:
                self.target = self.target % self.cluster.size + 1
                time.sleep(0.005)


def test_leader_kill_loses_no_acknowledged_write():
    """kill -9 of the leader under writes: a new leader serves within 1 s; nothing acked is lost."""
    cluster = Cluster(NODE)
    try:
        cluster.start_all()
        leader = cluster.wait_for_leader()
        writer = Writer(cluster, leader)
        writer.start()
        time.sleep(0.5)
        killed_at = time.monotonic()
        cluster.kill(leader)
        deadline = killed_at + 5
        while time.monotonic() < deadline and not any(t > killed_at for t in writer.successes):
            time.sleep(0.01)
        after = [t for t in writer.successes if t > killed_at]
        assert after, "no create succeeded within 5 s of the kill"
        failover = after[0] - killed_at
        print("    failover: first 201 %.0f ms after SIGKILL of the leader" % (failover * 1000))
        assert failover <= 1.0, "failover took %.3f s" % failover
        time.sleep(0.3)
        writer.stop_flag.set()
        writer.join(timeout=10)
        cluster.start(leader)
        new_leader = cluster.wait_for_leader()
        index = cluster.status(new_leader)["commitIndex"]
        for node in cluster.http_ports:
            cluster.wait_applied(node, index, deadline_s=15)
        for code, url in writer.acknowledged.items():
            for node in cluster.http_ports:
                found = request(cluster.http_ports[node], "GET", "/" + code)
                assert found.status == 302 and found.headers["Location"] == url, \
                    (node, code, found.status)
        print("    %d acknowledged creates resolve on all 3 nodes" % len(writer.acknowledged))
        assert len(writer.acknowledged) > 50
    finally:
        cluster.stop_all()


def wal_files(cluster, node):
    return sorted(glob.glob(os.path.join(cluster.data_dir(node), "wal", "*")))


def test_torn_tail_recovers_and_corruption_refuses_to_start():
    """A WAL tail cut by a few bytes is repaired at start; a flipped byte mid-WAL stops the node."""
    cluster = Cluster(NODE)
    try:
        cluster.start_all()
        leader = cluster.wait_for_leader()
        for i in range(30):
            assert cluster.create(leader, "https://example.com/wal/%d" % i).status == 201
        victim = next(n for n in cluster.http_ports if n != leader)
        cluster.wait_applied(victim, cluster.status(leader)["commitIndex"])
        cluster.kill(victim, signal.SIGTERM)
        files = wal_files(cluster, victim)
        assert files, "no WAL files under " + cluster.data_dir(victim)
        last = files[-1]
        saved = cluster.dir + "/saved-wal"
        shutil.copytree(os.path.join(cluster.data_dir(victim), "wal"), saved)
        size = os.path.getsize(last)
        with open(last, "r+b") as f:
            f.truncate(size - 3)
        cluster.start(victim)
        index = cluster.status(leader)["commitIndex"]
        cluster.wait_applied(victim, index)
        print("    node %d restarted from a WAL cut by 3 bytes and caught up to %d" % (victim, index))
        cluster.kill(victim, signal.SIGTERM)
        shutil.rmtree(os.path.join(cluster.data_dir(victim), "wal"))
        shutil.copytree(saved, os.path.join(cluster.data_dir(victim), "wal"))
        target = wal_files(cluster, victim)[0]
        middle = os.path.getsize(target) // 2
        with open(target, "r+b") as f:
            f.seek(middle)
            byte = f.read(1)
            f.seek(middle)
            f.write(bytes([byte[0] ^ 0xFF]))
        before = len(cluster.log(victim))
        cluster.start(victim)
        process = cluster.processes[victim]
        code = process.wait(timeout=10)
        cluster.processes.pop(victim)
        cluster.logs.pop(victim).close()
        log = cluster.log(victim)[before:]
        assert code != 0, "the node started on a corrupt WAL"
        name = os.path.basename(target)
        refusal = [l for l in log.splitlines() if name in l and "corrupt" in l and "offset" in l]
        assert refusal, log[-2000:]
        print("    corrupt WAL refused (exit %d): %s" % (code, refusal[0].strip()))
    finally:
        cluster.stop_all()


def raw_exchange(port, payload, read_timeout=5.0):
    """Sends `payload` on a fresh connection; returns what came back before the close."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as s:
        if payload:
            s.sendall(payload)
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except socket.timeout:
            return b"".join(chunks), "timeout"
        except ConnectionResetError:
            return b"".join(chunks), "reset"
        return b"".join(chunks), "closed"


def test_bad_http_inputs_get_documented_answers():
    """Bad inputs get 4xx JSON errors or a closed connection, and others are served meanwhile."""
    cluster = Cluster(NODE, extra_args=["--http-header-timeout-ms", "500"])
    try:
        cluster.start_all()
        leader = cluster.wait_for_leader()
        port = cluster.http_ports[leader]
        cases = [
            ("non-http URL", "POST", "/", "ftp://example.com/x", {}, 400),
            ("javascript: URL", "POST", "/", "javascript:alert(1)", {}, 400),
            ("empty body", "POST", "/", "", {}, 400),
            ("100 KB URL", "POST", "/", "https://example.com/" + "a" * 100_000, {}, 413),
            ("10 MB body", "POST", "/", "x" * 10_000_000, {}, 413),
            ("malformed JSON", "POST", "/", '{"url": ', {"Content-Type": "application/json"}, 400),
            ("JSON without url", "POST", "/", '{"link": "https://x.org"}',
             {"Content-Type": "application/json"}, 400),
            ("unknown method", "PUT", "/abc", "x", {}, 405),
            ("DELETE", "DELETE", "/abc", None, {}, 405),
            ("unknown id", "GET", "/zzzzzzz", None, {}, 404),
        ]
        for name, method, path, body, headers, want in cases:
            try:
                response = request(port, method, path, body=body, headers=headers, timeout=10)
                status = response.status
                if status != want:
                    raise AssertionError("%s: got %d, want %d: %r" % (name, status, want, response.body[:200]))
                if status >= 400:
                    assert "message" in response.json(), (name, response.body)
                if status == 405:
                    assert "Allow" in response.headers, name
                print("    %-18s -> %d" % (name, status))
            except (ConnectionResetError, BrokenPipeError) as error:
                # A server may close after answering 413 before the client finished sending.
                if want != 413:
                    raise AssertionError("%s: connection error %r" % (name, error))
                print("    %-18s -> connection closed while sending (413 path)" % name)
        flood = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Flood: " + b"a" * 100_000 + b"\r\n\r\n"
        reply, how = raw_exchange(port, flood)
        assert how in ("closed", "reset"), how
        assert not reply.startswith(b"HTTP/1.1 2"), reply[:100]
        print("    header flood       -> connection %s (%s)" % (how, reply[:12].decode(errors="replace") or "no reply"))
        # A silent connection is closed after the header timeout; others are served meanwhile.
        silent = socket.create_connection(("127.0.0.1", port), timeout=5)
        started = time.monotonic()
        assert cluster.create(leader, "https://example.com/during").status == 201
        silent.settimeout(5)
        data = silent.recv(100)
        waited = time.monotonic() - started
        silent.close()
        assert data == b"" or data.startswith(b"HTTP/1.1 408"), data
        print("    silent connection  -> closed after %.2f s; others served meanwhile" % waited)
        assert waited < 4
    finally:
        cluster.stop_all()


def test_peer_without_secret_is_refused():
    """A Raft connection that cannot prove the cluster secret is refused and logged."""
    cluster = Cluster(NODE)
    try:
        cluster.start_all()
        cluster.wait_for_leader()
        port = cluster.raft_ports[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.settimeout(5)
            challenge = s.recv(4096)
            assert len(challenge) == 32, "no 32-byte challenge from the acceptor"
            # A well-formed hello from node 2 whose MAC was not made with the cluster secret.
            hello = b"RLNK" + struct.pack("<IQ", 1, 2) + hmac.new(
                b"not the secret", challenge + struct.pack("<Q", 2), hashlib.sha256).digest()
            s.sendall(hello)
            try:
                while s.recv(4096):
                    pass
            except (socket.timeout, ConnectionResetError):
                pass
        deadline = time.monotonic() + 5
        wanted = "bad cluster secret"
        while time.monotonic() < deadline and wanted not in cluster.log(1):
            time.sleep(0.05)
        line = next((l for l in cluster.log(1).splitlines() if wanted in l), None)
        assert line, cluster.log(1)[-2000:]
        print("    " + line.strip())
        assert cluster.wait_for_leader()  # the cluster is unaffected
    finally:
        cluster.stop_all()


def test_graceful_shutdown_hands_over_leadership():
    """SIGTERM on the leader hands leadership over before it stops; no write is lost."""
    cluster = Cluster(NODE)
    try:
        cluster.start_all()
        leader = cluster.wait_for_leader()
        created = cluster.create(leader, "https://example.com/handover")
        assert created.status == 201
        stopped_at = time.monotonic()
        code = cluster.kill(leader, signal.SIGTERM)
        assert code == 0, "exit code %d" % code
        others = [n for n in cluster.http_ports if n != leader]
        new_leader = cluster.wait_for_leader(among=others)
        print("    leader %d stopped cleanly; node %d led %.0f ms after SIGTERM" %
              (leader, new_leader, (time.monotonic() - stopped_at) * 1000))
        assert "Handing leadership to node" in cluster.log(leader), cluster.log(leader)[-2000:]
        found = request(cluster.http_ports[new_leader], "GET",
                        "/" + code_of(created) + "?consistency=linearizable")
        assert found.status == 302
    finally:
        cluster.stop_all()


def test_seed_style_environment_start():
    """NODE_ID, CLUSTER_SIZE and USE_PORTS_FROM start a node the seed's way."""
    cluster = Cluster(NODE, size=1)
    env = dict(os.environ, NODE_ID="1", CLUSTER_SIZE="1",
               USE_PORTS_FROM=str(cluster.http_ports[1]))
    log_path = cluster.log_path(1)
    with open(log_path, "w") as log:
        process = subprocess.Popen([NODE, "--data-dir", cluster.data_dir(1),
                                    "--cluster-secret-file", cluster.secret],
                                   stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        cluster.processes[1] = process
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            status = cluster.status(1)
            if status and status["role"] == "leader":
                break
            time.sleep(0.02)
        assert cluster.create(1, "https://example.com/seed").status == 201
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_bad_flags_are_refused():
    """Bad flags exit 2 with a message naming the setting."""
    for args, want in [
        (["--id", "1", "--members", "1=nonsense"], "member"),
        (["--id", "4", "--members", "1=127.0.0.1:1/127.0.0.1:2"], "not one of the members"),
        (["--election-timeout-ms", "300-100", "--id", "1", "--members",
          "1=127.0.0.1:7001/127.0.0.1:8001"], "MIN-MAX"),
        (["--log-level", "loud"], "log-level"),
    ] + PIPELINE_REFUSALS:
        scratch = tempfile.mkdtemp(prefix="raftlink-flags-")
        result = subprocess.run([NODE] + args, capture_output=True, text=True, timeout=10,
                                cwd=scratch)
        assert os.listdir(scratch) == [], "a refused command line created " + repr(os.listdir(scratch))
        shutil.rmtree(scratch)
        assert result.returncode == 2, (args, result.returncode, result.stderr)
        assert want in result.stderr, (args, result.stderr)
    print("    %d bad command lines exit 2 with their reason" % (4 + len(PIPELINE_REFUSALS)))


ONE_MEMBER = ["--id", "1", "--members", "1=127.0.0.1:7001/127.0.0.1:8001"]
# The pipeline flags: each bound, and the limit it comes from, named in the refusal.
PIPELINE_REFUSALS = [
    (ONE_MEMBER + ["--storage-writes-inflight-max", "0"], "--storage-writes-inflight-max must be 1..4095"),
    (ONE_MEMBER + ["--storage-writes-inflight-max", "4096"], "storage queue holds 4096"),
    (ONE_MEMBER + ["--entries-bytes-per-append-max", "0"], "--entries-bytes-per-append-max must be 1.."),
    (ONE_MEMBER + ["--entries-bytes-per-append-max", "8388608"], "transport's frame limit"),
    (ONE_MEMBER + ["--inflight-appends-max", "0"], "--inflight-appends-max must be 1..4096"),
    (ONE_MEMBER + ["--inflight-appends-max", "64", "--entries-bytes-per-append-max", "2097152"],
     "a peer's send queue"),
    (ONE_MEMBER + ["--inflight-appends-max", "many"], "--inflight-appends-max"),
]


def test_pipeline_flags_take_effect():
    """A cluster with the narrowest pipeline (one write, one append, tiny batches) still replicates."""
    narrow = ["--storage-writes-inflight-max", "1", "--inflight-appends-max", "1",
              "--entries-bytes-per-append-max", "1"]
    cluster = Cluster(NODE, extra_args=narrow)
    try:
        cluster.start_all()
        leader = cluster.wait_for_leader()
        created = {}
        for i in range(40):
            answer = cluster.create(leader, "https://example.com/narrow/%d" % i)
            assert answer.status == 201, (answer.status, answer.body)
            created[answer.json()["url"].rsplit("/", 1)[1]] = "https://example.com/narrow/%d" % i
        index = cluster.status(leader)["commitIndex"]
        for node in cluster.http_ports:
            cluster.wait_applied(node, index)
            for code, url in created.items():
                found = request(cluster.http_ports[node], "GET", "/" + code)
                assert found.status == 302 and found.headers["Location"] == url, (node, code)
        print("    40 creates through a window of 1 append and 1 write resolve on all 3 nodes")
    finally:
        cluster.stop_all()


def main(argv):
    global NODE
    NODE = os.path.abspath(argv[1])
    wanted = argv[2:]
    return run_tests(globals(), wanted)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
