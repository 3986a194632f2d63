#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of apps/bench against real node processes on 127.0.0.1.

Usage: test_bench.py BENCH_BINARY NODE_BINARY [TEST_NAME...]
Prints one line per test and a closing "N passed, N failed" line; exits 1 on any failure.

Only counts, formats and process hygiene are asserted, never a latency or a rate: the
machine running the tests may be busy.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Cluster, run_tests  # noqa: E402

BENCH = None
NODE = None
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"

# vegeta's seven lines: the label and bracket columns are fixed by the layout.
TABLE_PREFIXES = [
    "Requests      [total, rate, throughput]         ",
    "Duration      [total, attack, wait]             ",
    "Latencies     [min, mean, 50, 90, 95, 99, max]  ",
    "Bytes In      [total, mean]                     ",
    "Bytes Out     [total, mean]                     ",
    "Success       [ratio]                           ",
    "Status Codes  [code:count]                      ",
]
GO_DURATION = r"(?:\d+h)?(?:\d+m)?\d+(?:\.\d+)?(?:ns|µs|ms|s)"


def parse_table(text):
    """The figures of the first vegeta table in text, checking its layout line by line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(TABLE_PREFIXES[0]))
    table = lines[start:start + len(TABLE_PREFIXES)]
    for line, prefix in zip(table, TABLE_PREFIXES):
        assert line.startswith(prefix), (line, prefix)
    values = [line[len(TABLE_PREFIXES[0]):] for line in table]
    total, rate, throughput = values[0].split(", ")
    durations = values[1].split(", ")
    latencies = values[2].split(", ")
    for duration in durations + latencies:
        assert re.fullmatch(GO_DURATION, duration), (duration, values)
    assert len(latencies) == 7, values[2]
    assert re.fullmatch(r"\d+, \d+\.\d\d", values[3]), values[3]
    assert re.fullmatch(r"\d+, \d+\.\d\d", values[4]), values[4]
    assert re.fullmatch(r"\d+\.\d\d%", values[5]), values[5]
    codes = {}
    for item in values[6].split("  "):
        code, count = item.split(":")
        codes[code] = int(count)
    float(rate), float(throughput)
    return {"total": int(total), "codes": codes, "success": float(values[5][:-1])}


def run_bench(*args, timeout=120):
    return subprocess.run([BENCH] + [str(a) for a in args], capture_output=True, text=True,
                          timeout=timeout)


def check_svg(path):
    root = ElementTree.parse(path).getroot()
    assert root.tag == SVG_NAMESPACE + "svg", root.tag
    texts = " ".join(t.text or "" for t in root.iter(SVG_NAMESPACE + "text"))
    assert "Latency over time" in texts, texts
    assert "Latency distribution" in texts, texts
    assert any(True for _ in root.iter(SVG_NAMESPACE + "circle")), "no dots"
    assert any(True for _ in root.iter(SVG_NAMESPACE + "polyline")), "no percentile curve"


def assert_processes_gone(pids):
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        # The pid exists again: it must at least not be one of our nodes (pid reuse).
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            assert NODE.encode() not in f.read(), "node pid %d still running" % pid


def started_pids(output):
    return [int(pid) for pid in re.findall(r"^started node \d+: pid (\d+)$", output, re.M)]


def test_attack_open_loop_creates():
    """attack: 200/s for 2 s gives 400 creates; report, --save-ids, --json and --svg agree."""
    cluster = Cluster(NODE)
    scratch = tempfile.mkdtemp(prefix="raftlink-bench-e2e-")
    try:
        cluster.start_all()
        leader = cluster.wait_for_leader()
        term = cluster.status(leader)["term"]
        ids, report, plot = (os.path.join(scratch, name) for name in ("ids", "r.json", "r.svg"))
        result = run_bench("attack", "--url", "http://127.0.0.1:%d" % cluster.http_ports[leader],
                           "--rate", 200, "--duration", "2s", "--save-ids", ids, "--json", report,
                           "--json-results", "--svg", plot, "--quiet")
        assert result.returncode == 0, (result.returncode, result.stderr)
        table = parse_table(result.stdout)
        assert table["total"] == 400, result.stdout
        assert sum(table["codes"].values()) == 400, table
        if cluster.status(leader)["term"] == term:  # no election disturbed the run
            assert table["codes"] == {"201": 400}, table
        assert re.search(r"^Late launches: \d+ of 400 ", result.stdout, re.M), result.stdout
        with open(ids) as f:
            saved = f.read().split()
        assert len(saved) == table["codes"].get("201", 0), (len(saved), table)
        assert all(re.fullmatch(r"[0-9A-Za-z]{7}", i) for i in saved), saved[:5]
        assert len(set(saved)) == len(saved), "an id was acknowledged twice"
        with open(report) as f:
            figures = json.load(f)
        assert figures["requests"] == 400, figures["requests"]
        assert sum(figures["status_codes"].values()) == 400, figures["status_codes"]
        assert figures["parameters"]["rate"] == 200, figures["parameters"]
        assert len(figures["results"]) == 400
        assert [r["seq"] for r in figures["results"]] == list(range(400))
        for key in ("total", "mean", "50th", "90th", "95th", "99th", "max", "min"):
            assert isinstance(figures["latencies"][key], int), (key, figures["latencies"])
        check_svg(plot)
        print("    400 requests; %d ids saved; JSON and SVG valid" % len(saved))
    finally:
        cluster.stop_all()
        shutil.rmtree(scratch, ignore_errors=True)


def test_attack_reads_and_closed_loop():
    """attack: reads of saved ids on a follower, --prefill, and a closed loop of N requests."""
    cluster = Cluster(NODE)
    scratch = tempfile.mkdtemp(prefix="raftlink-bench-e2e-")
    try:
        cluster.start_all()
        leader = cluster.wait_for_leader()
        follower = next(n for n in cluster.http_ports if n != leader)
        leader_url = "http://127.0.0.1:%d" % cluster.http_ports[leader]
        follower_url = "http://127.0.0.1:%d" % cluster.http_ports[follower]
        ids = os.path.join(scratch, "ids")
        created = run_bench("attack", "--url", leader_url, "--mode", "closed", "--connections", 8,
                            "--requests", 300, "--save-ids", ids, "-q")
        assert created.returncode == 0, created.stderr
        table = parse_table(created.stdout)
        assert table["total"] == 300, created.stdout
        assert "Late launches" not in created.stdout, "a closed loop has no schedule"
        cluster.wait_applied(follower, cluster.status(leader)["commitIndex"])
        reads = run_bench("attack", "--url", follower_url, "--target", "read", "--ids", ids,
                          "--rate", 100, "--duration", "1s", "-q")
        assert reads.returncode == 0, reads.stderr
        table = parse_table(reads.stdout)
        assert table["total"] == 100 and table["codes"] == {"302": 100}, reads.stdout
        prefilled = run_bench("attack", "--url", follower_url, "--target", "read", "--prefill",
                              50, "--rate", 50, "--duration", "1s", "-q")
        assert prefilled.returncode == 0, prefilled.stderr
        table = parse_table(prefilled.stdout)
        assert table["total"] == 50 and table["codes"] == {"302": 50}, prefilled.stdout
        print("    300 closed-loop creates; 100 + 50 reads answered 302 on node %d" % follower)
    finally:
        cluster.stop_all()
        shutil.rmtree(scratch, ignore_errors=True)


def test_attack_failures_are_reported():
    """attack: a dead endpoint gives code 0 and the error set; bad command lines exit 2."""
    cluster = Cluster(NODE, size=1)  # only for a free port nobody listens on
    dead = "http://127.0.0.1:%d" % cluster.http_ports[1]
    result = run_bench("attack", "--url", dead, "--rate", 20, "--duration", "1s", "-q")
    assert result.returncode == 0, result.stderr
    table = parse_table(result.stdout)
    assert table["codes"] == {"0": 20}, table
    assert "Error Set:\nconnect: Connection refused" in result.stdout, result.stdout
    for args, want in [
        (["attack", "--target", "read"], "needs ids"),
        (["attack", "--url", "https://127.0.0.1:1"], "http://HOST:PORT"),
        (["attack", "--rate", "0"], "--rate"),
        (["attack", "--duration", "ten"], "not a duration"),
        (["cluster", "--nodes", "12"], "--nodes"),
    ]:
        refused = run_bench(*args)
        assert refused.returncode == 2, (args, refused.returncode, refused.stderr)
        assert want in refused.stderr, (args, refused.stderr)
    shutil.rmtree(cluster.dir, ignore_errors=True)
    print("    20 refused connections reported; 5 bad command lines exit 2")


def test_cluster_profile():
    """cluster: every phase, fill and restart, 2 failovers, summary, JSON, SVGs; nodes stopped."""
    scratch = tempfile.mkdtemp(prefix="raftlink-bench-e2e-")
    try:
        report, svgs = os.path.join(scratch, "cluster.json"), os.path.join(scratch, "svg")
        result = run_bench("cluster", "--nodes", 3, "--node-binary", NODE, "--duration", "1s",
                           "--failover-runs", 2, "--fill", 2000, "--election-timeout-ms",
                           "150-300", "--heartbeat-ms", 50, "--json", report, "--svg-dir", svgs,
                           "--work-dir", scratch, "-q", timeout=400)
        output = result.stdout
        assert result.returncode == 0, (result.returncode, output[-3000:], result.stderr)
        for header in [r"=== write: creates on the leader \(node \d\) at 100/s for 1s ===",
                       r"=== write: creates on the leader \(node \d\) at 1000/s for 1s ===",
                       r"=== read: GET of \d+ created ids on a follower \(node \d\) at 1000/s",
                       r"=== write: maximum rate on the leader \(node \d\), closed loop, 64 "
                       r"connections",
                       r"=== fill: 2000 URLs created on the leader"]:
            assert re.search(header, output), (header, output)
        assert len(re.findall(r"^Requests      \[", output, re.M)) == 5, output
        tables = [parse_table(chunk) for chunk in output.split("=== ")[1:]]
        totals = [table["total"] for table in tables]
        assert totals[0] == 100 and totals[1] == 1000 and totals[2] == 1000, totals
        # The fill follows the leader until exactly 2000 creates succeeded.
        assert tables[4]["codes"]["201"] == 2000, tables[4]
        assert re.search(r"^fill: restart of node \d: stopped in " + GO_DURATION, output, re.M)
        assert len(re.findall(r"^failover \d/2: killed leader node \d \(pid \d+\); node \d "
                              r"answered 201 after " + GO_DURATION, output, re.M)) == 2, output
        for row in ["write p50 at 1000/s", "write p99 at 1000/s", "write p99 at 100/s",
                    "max writes/s (closed loop, 64 connections)", "follower read p99 at 1000/s",
                    "failover (leader SIGKILL to next 201)", "RSS per node at the end",
                    "RSS per node with"]:
            assert re.search(r"^\| " + re.escape(row) + r".* \| .+ \|$", output, re.M), row
        pids = started_pids(output)
        assert len(pids) == 3 + 1 + 2, pids  # 3 nodes, the fill restart, 2 failover restarts
        stopped = re.search(r"^stopped nodes: pids ([\d ]+)$", output, re.M)
        assert stopped and [int(p) for p in stopped.group(1).split()] == pids, output
        assert_processes_gone(pids)
        directory = re.search(r"data and logs in (\S+)", output).group(1)
        assert not os.path.exists(directory), directory + " was not removed"
        with open(report) as f:
            figures = json.load(f)
        assert [p["key"] for p in figures["phases"]] == [
            "write-100", "write-1000", "read-follower-1000", "write-max"], figures["phases"]
        assert figures["node_arguments"] == ["--election-timeout-ms", "150-300",
                                             "--heartbeat-ms", "50"], figures["node_arguments"]
        assert len(figures["failovers"]) == 2 and len(figures["memory_at_end"]) == 3
        assert figures["fill"]["phase"]["run"]["status_codes"]["201"] == 2000
        for name in ["write-100", "write-1000", "read-follower-1000", "write-max"]:
            check_svg(os.path.join(svgs, name + ".svg"))
        print("    5 phases, fill, 2 failovers, summary; %d node pids gone" % len(pids))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_cluster_node_that_cannot_start():
    """cluster: a node that exits at once is reported with its status and log; exit 1."""
    scratch = tempfile.mkdtemp(prefix="raftlink-bench-e2e-")
    try:
        fake = os.path.join(scratch, "fake-node")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\necho \"cannot start: the fake node refuses\" >&2\nexit 3\n")
        os.chmod(fake, 0o755)
        result = run_bench("cluster", "--node-binary", fake, "--work-dir", scratch, "-q",
                           timeout=60)
        assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
        assert "exited with status 3" in result.stderr, result.stderr
        assert "cannot start: the fake node refuses" in result.stderr, result.stderr
        missing = run_bench("cluster", "--node-binary", os.path.join(scratch, "nothing"),
                            "--work-dir", scratch, "-q", timeout=60)
        assert missing.returncode == 1, (missing.returncode, missing.stderr)
        assert "cannot execute" in missing.stderr, missing.stderr
        assert_processes_gone(started_pids(result.stdout))
        leftovers = [n for n in os.listdir(scratch) if n.startswith("raftlink-bench-")]
        assert leftovers == [], leftovers
        print("    exit status and log tail reported; nothing left behind")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_cluster_interrupted():
    """cluster: Ctrl-C (SIGINT) in the middle stops every node and removes the directory."""
    scratch = tempfile.mkdtemp(prefix="raftlink-bench-e2e-")
    try:
        bench = subprocess.Popen([BENCH, "cluster", "--node-binary", NODE, "--duration", "30s",
                                  "--work-dir", scratch, "-q"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(iter(bench.stdout.readline, "")))
        reader.start()
        deadline = time.monotonic() + 30
        while not any(line.startswith("leader:") for line in list(lines)):
            assert time.monotonic() < deadline and bench.poll() is None, lines
            time.sleep(0.05)
        os.kill(bench.pid, signal.SIGINT)
        code = bench.wait(timeout=60)
        reader.join(timeout=10)
        output = "".join(lines)
        assert code == 130, (code, output, bench.stderr.read())
        pids = started_pids(output)
        assert len(pids) == 3, output
        assert_processes_gone(pids)
        leftovers = [n for n in os.listdir(scratch) if n.startswith("raftlink-bench-")]
        assert leftovers == [], leftovers
        print("    3 node pids gone after SIGINT; directory removed")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv):
    global BENCH, NODE
    BENCH = os.path.abspath(argv[1])
    NODE = os.path.abspath(argv[2])
    wanted = argv[3:]
    return run_tests(globals(), wanted)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
