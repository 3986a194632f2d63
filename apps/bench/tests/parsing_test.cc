// SPDX-License-Identifier: MIT
// Parsing of what bench reads from users and nodes: URLs, body templates, 201 bodies,
// /status bodies, id files; and the open loop's schedule.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>

#include "apps/bench/http_endpoint.h"
#include "apps/bench/node_probe.h"
#include "apps/bench/open_loop.h"
#include "apps/bench/progress.h"
#include "apps/bench/request_target.h"

using namespace raftlink::bench;

TEST_CASE("http_endpoint: plain http URLs only") {
    const auto local = parse_http_url("http://127.0.0.1:8001");
    REQUIRE(local);
    CHECK(local->host == "127.0.0.1");
    CHECK(local->port == 8001);
    CHECK(local->url() == "http://127.0.0.1:8001");
    CHECK(parse_http_url("http://localhost/")->port == 80);
    CHECK(parse_http_url("http://[::1]:9000")->host == "[::1]");
    CHECK_FALSE(parse_http_url("https://127.0.0.1:8001"));
    CHECK_FALSE(parse_http_url("http://127.0.0.1:8001/path"));
    CHECK_FALSE(parse_http_url("http://127.0.0.1:0"));
    CHECK_FALSE(parse_http_url("http://127.0.0.1:70000"));
    CHECK_FALSE(parse_http_url("http://:8001"));
    CHECK_FALSE(parse_http_url("127.0.0.1:8001"));
}

TEST_CASE("request_target: bodies from the template, reads cycle through ids") {
    CHECK(expand_body_template("https://example.com/{seq}", 42) == "https://example.com/42");
    CHECK(expand_body_template("{seq}-{seq}", 7) == "7-7");
    CHECK(expand_body_template("no placeholder", 7) == "no placeholder");
    const CreateTarget creates("https://example.com/{seq}", 100);
    const PreparedRequest first = creates.make(0);
    CHECK(first.method == HttpMethod::Post);
    CHECK(first.path == "/");
    CHECK(first.body == "https://example.com/100");
    const CreateTarget puts(R"({"key":"a2V5{seq}A","value":"dg=="})", 1000000, "/v3/kv/put");
    CHECK(puts.make(1).path == "/v3/kv/put");
    CHECK(puts.make(1).body == R"({"key":"a2V51000001A","value":"dg=="})");
    const ReadTarget reads({"abc", "def"});
    CHECK(reads.make(0).path == "/abc");
    CHECK(reads.make(3).path == "/def");
    CHECK(reads.make(3).method == HttpMethod::Get);
}

TEST_CASE("request_target: the short id of a 201 body") {
    CHECK(short_id_from_created(R"({"url":"http://127.0.0.1:8001/DkyQWRp","redirectsTo":"x"})") ==
          "DkyQWRp");
    CHECK_FALSE(short_id_from_created(R"({"message":"Not a leader node"})"));
    CHECK_FALSE(short_id_from_created("not json"));
    CHECK_FALSE(short_id_from_created(R"({"url":"http://host/"})"));
}

TEST_CASE("request_target: ids files round-trip, blank lines ignored") {
    const std::string path =
        (std::filesystem::temp_directory_path() / "bench-ids-test.txt").string();
    REQUIRE(save_ids(path, {"a1", "b2"}));
    {
        FILE* file = std::fopen(path.c_str(), "a");
        std::fputs("\n  c3 \r\n", file);
        std::fclose(file);
    }
    CHECK(load_ids(path) == std::vector<std::string>{"a1", "b2", "c3"});
    std::filesystem::remove(path);
    CHECK_FALSE(load_ids(path));
}

TEST_CASE("node_probe: /status bodies") {
    const auto status = parse_status(
        R"({"id":2,"role":"follower","term":3,"leader":1,"leaderUrl":"http://127.0.0.1:8001",)"
        R"("commitIndex":10,"appliedIndex":9,"lastIndex":10,"urls":5,"peers":[]})");
    REQUIRE(status);
    CHECK(status->id == 2);
    CHECK(status->role == "follower");
    CHECK(status->leader == 1);
    CHECK(status->leader_url == "http://127.0.0.1:8001");
    CHECK(status->commit_index == 10);
    CHECK(status->applied_index == 9);
    CHECK_FALSE(parse_status("{}"));
    CHECK_FALSE(parse_status("<html>"));
}

TEST_CASE("open_loop: request counts and the schedule") {
    CHECK(open_loop_request_count({200, 2 * second, 0, 1}) == 400);
    CHECK(open_loop_request_count({100, 60 * second, 0, 1}) == 6000);
    CHECK(open_loop_request_count({1000, 10 * second, 500, 1}) == 500);
    CHECK(open_loop_request_count({3, 500 * millisecond, 0, 1}) == 1);
    CHECK(open_loop_schedule(1000, 0) == 0);
    CHECK(open_loop_schedule(1000, 1) == millisecond);
    CHECK(open_loop_schedule(3, 1) == 333333333);
    CHECK(open_loop_schedule(100, 5999) == 59990 * millisecond);
}

TEST_CASE("progress: the histogram's buckets bracket the latency within 1/8") {
    for (const DurationNs latency :
         {DurationNs{900}, 250 * microsecond, 3 * millisecond, DurationNs{123456789}}) {
        CAPTURE(latency);
        const DurationNs middle =
            ProgressCounters::bucket_middle(ProgressCounters::bucket_of(latency));
        CHECK(static_cast<double>(middle) ==
              doctest::Approx(static_cast<double>(latency)).epsilon(0.07));
    }
    ProgressCounters counters;
    CHECK_FALSE(counters.take_window_median());
    for (int i = 0; i < 9; ++i) counters.on_done(true, 1 * millisecond);
    counters.on_done(false, 1 * second);
    const auto median = counters.take_window_median();
    REQUIRE(median);
    CHECK(static_cast<double>(*median) == doctest::Approx(1e6).epsilon(0.07));
    CHECK_FALSE(counters.take_window_median());  // the window was drained
    CHECK(counters.succeeded() == 9);
    CHECK(counters.failed() == 1);
}
