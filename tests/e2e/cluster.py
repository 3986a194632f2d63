# SPDX-License-Identifier: MIT
"""A local cluster of real `node` processes on 127.0.0.1 for end-to-end tests.

Processes are started with subprocess and stopped by PID (never by name). Ports are taken
from a random base and checked free first. Every wait has a deadline; nothing sleeps blindly
longer than a poll interval.
"""
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import tempfile
import time
import traceback


def ephemeral_port_low():
    """The start of the kernel's ephemeral port range (outgoing connections take ports there)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_base_port(count):
    """A base port such that base .. base+count-1 are free on 127.0.0.1, below the ephemeral
    range: otherwise an outgoing connection (a peer's, or a concurrent test's) can take a port
    between this probe and the node's bind, and the node cannot listen (seen in CI)."""
    high = ephemeral_port_low() - count
    for _ in range(200):
        base = random.randint(min(20000, high - 1), high)
        sockets = []
        try:
            for port in range(base, base + count):
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", port))
                sockets.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free port range found")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


def request(port, method, path, body=None, headers=None, timeout=5.0):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Response(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


class Cluster:
    def __init__(self, node_binary, size=3, extra_args=()):
        self.node_binary = node_binary
        self.size = size
        self.extra_args = list(extra_args)
        self.dir = tempfile.mkdtemp(prefix="raftlink-e2e-")
        base = free_base_port(2 * size)
        self.http_ports = {i: base + i - 1 for i in range(1, size + 1)}
        self.raft_ports = {i: base + size + i - 1 for i in range(1, size + 1)}
        self.secret = os.path.join(self.dir, "cluster.secret")
        with open(self.secret, "w") as f:
            f.write("e2e-secret-%d\n" % random.randint(0, 1 << 60))
        self.members = ",".join(
            "%d=127.0.0.1:%d/127.0.0.1:%d" % (i, self.raft_ports[i], self.http_ports[i])
            for i in range(1, size + 1))
        self.processes = {}
        self.logs = {}

    def data_dir(self, node):
        return os.path.join(self.dir, "node-%d" % node)

    def log_path(self, node):
        return os.path.join(self.dir, "node-%d.log" % node)

    def start(self, node):
        log = open(self.log_path(node), "a")
        args = [self.node_binary, "--id", str(node), "--members", self.members,
                "--data-dir", self.data_dir(node), "--cluster-secret-file", self.secret,
                "--log-level", "debug"] + self.extra_args
        self.processes[node] = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        self.logs[node] = log

    def start_all(self):
        for node in range(1, self.size + 1):
            self.start(node)

    def kill(self, node, sig=signal.SIGKILL):
        process = self.processes.pop(node)
        os.kill(process.pid, sig)
        code = process.wait(timeout=10)
        self.logs.pop(node).close()
        return code

    def stop_all(self):
        for node in list(self.processes):
            try:
                self.kill(node, signal.SIGKILL)
            except Exception:
                pass

    def log(self, node):
        with open(self.log_path(node)) as f:
            return f.read()

    def status(self, node, timeout=2.0):
        try:
            response = request(self.http_ports[node], "GET", "/status", timeout=timeout)
            return response.json() if response.status == 200 else None
        except (OSError, ValueError, http.client.HTTPException):
            return None

    def wait_for_leader(self, deadline_s=10.0, among=None):
        """The id of the node every live node agrees leads."""
        among = among or list(self.processes)
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            statuses = {n: self.status(n) for n in among}
            leaders = {s["leader"] for s in statuses.values() if s}
            if all(statuses.values()) and len(leaders) == 1:
                leader = leaders.pop()
                if leader and statuses.get(leader, {}) and statuses[leader]["role"] == "leader":
                    return leader
            time.sleep(0.02)
        silent = "".join("\n--- node %d's log (no /status answer), last lines:\n%s"
                         % (n, "".join(self.log(n).splitlines(True)[-5:]))
                         for n, s in statuses.items() if not s)
        raise AssertionError("no agreed leader within %.1f s: %r%s" % (deadline_s, statuses, silent))

    def wait_applied(self, node, index, deadline_s=10.0):
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            status = self.status(node)
            if status and status["appliedIndex"] >= index:
                return status
            time.sleep(0.02)
        raise AssertionError("node %d did not apply index %d in %.1f s" % (node, index, deadline_s))

    def create(self, node, url, key=None):
        headers = {"Content-Type": "text/plain"}
        if key:
            headers["Idempotency-Key"] = key
        return request(self.http_ports[node], "POST", "/", body=url, headers=headers)


def run_tests(namespace, wanted):
    """Runs every test_* function of `namespace` (or those named in `wanted`), in name order,
    printing each one's first doc line and outcome. Returns the process exit code."""
    tests = [(name, fn) for name, fn in sorted(namespace.items())
             if name.startswith("test_") and callable(fn) and (not wanted or name in wanted)]
    passed = failed = 0
    for name, fn in tests:
        started = time.monotonic()
        print("%s: %s" % (name, fn.__doc__.strip().splitlines()[0]), flush=True)
        try:
            fn()
            passed += 1
            print("  ok (%.1f s)" % (time.monotonic() - started), flush=True)
        except Exception:
            failed += 1
            print("  FAILED\n" + traceback.format_exc(), flush=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
