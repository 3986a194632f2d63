// SPDX-License-Identifier: MIT
// The client history: one operation across retries, info for what is outstanding at the end,
// and its JSON lines (Jepsen's fields, escaped strings, null for "not found").
#include "io/sim/history.h"

#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "core/text.h"
#include "io/sim/simulator.h"

namespace raftlink::sim {
namespace {

std::vector<std::string> lines_of(const History& history) {
    std::ostringstream out;
    history.write_jsonl(out);
    std::vector<std::string> lines;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

TEST_SUITE("sim") {
    TEST_CASE("history: invoke and completion events as JSON lines") {
        History history;
        const OperationId create =
            history.invoke_create(3, "client-3-op-7", "https://example.com/x", 100);
        const OperationId read =
            history.invoke_read(1, "aZ3k9Qx", service::ReadConsistency::Linearizable, 200);
        const OperationId missing =
            history.invoke_read(2, "bbbbbbb", service::ReadConsistency::Stale, 300);
        const OperationId pending = history.invoke_create(4, "client-4-op-1", "https://e/p", 400);
        history.complete_create(
            create, fsm::UrlRecord{"aZ3k9Qx", "https://example.com/x", LogIndex(17), 0}, 500);
        history.complete_read(read, std::string("https://example.com/x"), 600);
        history.complete_read(missing, std::nullopt, 700);
        CHECK(history.oldest_open() == pending);
        history.finish(800);
        CHECK_FALSE(history.oldest_open().has_value());
        CHECK(history.operation(pending).outcome == OperationType::Info);

        const std::vector<std::string> want = {
            R"({"process":3,"type":"invoke","f":"create","key":"client-3-op-7","value":"https://example.com/x","time":100})",
            R"({"process":1,"type":"invoke","f":"read","key":"aZ3k9Qx","value":null,"consistency":"linearizable","time":200})",
            R"({"process":2,"type":"invoke","f":"read","key":"bbbbbbb","value":null,"consistency":"stale","time":300})",
            R"({"process":4,"type":"invoke","f":"create","key":"client-4-op-1","value":"https://e/p","time":400})",
            R"({"process":3,"type":"ok","f":"create","key":"client-3-op-7","value":"https://example.com/x","code":"aZ3k9Qx","index":17,"time":500})",
            R"({"process":1,"type":"ok","f":"read","key":"aZ3k9Qx","value":"https://example.com/x","consistency":"linearizable","time":600})",
            R"({"process":2,"type":"ok","f":"read","key":"bbbbbbb","value":null,"consistency":"stale","time":700})",
            R"({"process":4,"type":"info","f":"create","key":"client-4-op-1","value":"https://e/p","time":800})",
        };
        CHECK(lines_of(history) == want);
    }

    TEST_CASE("history: a failed operation and a pending read") {
        History history;
        const OperationId create = history.invoke_create(1, "k", "ftp://nope", 10);
        history.invoke_read(2, "ccccccc", service::ReadConsistency::Stale, 20);
        history.fail(create, 30);
        history.finish(40);
        const auto lines = lines_of(history);
        REQUIRE(lines.size() == 4);
        CHECK(
            lines[2] ==
            R"({"process":1,"type":"fail","f":"create","key":"k","value":"ftp://nope","time":30})");
        CHECK(
            lines[3] ==
            R"({"process":2,"type":"info","f":"read","key":"ccccccc","value":null,"consistency":"stale","time":40})");
    }

    TEST_CASE("history: JSON strings are escaped") {
        std::string out;
        append_json_string(out, "a\"b\\c\n\t\x01\x7f/é");
        CHECK(out == "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f/é\"");
    }

    TEST_CASE("history: a run writes one line per event, an invoke before each completion") {
        auto scenario = load_scenario(std::string(RAFTLINK_SCENARIO_DIR) + "/leader-crash.json");
        REQUIRE(scenario.ok());
        Scenario s = scenario.value();
        s.workload.linearizable_ratio = 0.5;
        std::ostringstream jsonl;
        RunOptions options;
        options.seed = 3;
        options.history = &jsonl;
        const Outcome outcome = run_scenario(s, options);
        CHECK(outcome.operations > 100);
        CHECK(outcome.linearizable_reads_checked > 10);
        std::istringstream in(jsonl.str());
        std::uint64_t invokes = 0;
        std::uint64_t completions = 0;
        for (std::string line; std::getline(in, line);) {
            REQUIRE(line.front() == '{');
            REQUIRE(line.back() == '}');
            if (line.find("\"type\":\"invoke\"") != std::string::npos) {
                ++invokes;
            } else {
                ++completions;
                CHECK(completions <= invokes);
            }
        }
        CHECK(invokes == outcome.operations);
        CHECK(completions == outcome.operations);
    }

    TEST_CASE("history: latency of acknowledged operations, nearest-rank percentiles") {
        History history;
        // Creates that took 1..100 ms; one that failed and one left open do not count, nor
        // do reads in the creates' figures.
        for (Nanos i = 1; i <= 100; ++i) {
            const OperationId id = history.invoke_create(1, concat("k", i), "https://e/x", 0);
            history.complete_create(id, fsm::UrlRecord{"c", "https://e/x", LogIndex(1), 0},
                                    ms(101 - i));
        }
        history.fail(history.invoke_create(2, "failed", "https://e/f", 0), ms(5000));
        history.invoke_create(3, "open", "https://e/o", 0);
        const OperationId read =
            history.invoke_read(4, "c", service::ReadConsistency::Stale, ms(10));
        history.complete_read(read, std::nullopt, ms(13));
        history.finish(ms(9000));

        const LatencySummary creates = latency_of(history, OperationFunction::Create);
        CHECK(creates.count == 100);
        CHECK(creates.total == ms(5050));
        CHECK(creates.mean == 50'500'000);
        CHECK(creates.p50 == ms(50));
        CHECK(creates.p99 == ms(99));
        CHECK(creates.max == ms(100));
        const LatencySummary reads = latency_of(history, OperationFunction::Read);
        CHECK(reads.count == 1);
        CHECK(reads.mean == ms(3));
        CHECK(reads.p50 == ms(3));
        CHECK(reads.p99 == ms(3));
        CHECK(latency_of(History(), OperationFunction::Read).count == 0);
    }
}

}  // namespace
}  // namespace raftlink::sim
