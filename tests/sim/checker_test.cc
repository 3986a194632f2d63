// SPDX-License-Identifier: MIT
// The checker's property logic on plain data, with the violating inputs a correct cluster
// never produces: leader append-only and leader completeness [§5.3, §5.4.1, Figure 3], values
// that must never decrease, and liveness after healing. Then whole runs with linearizable
// reads, where every check is on.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/fsm/commands.h"
#include "core/fsm/short_code.h"
#include "core/text.h"
#include "io/sim/cluster.h"
#include "io/sim/event_loop.h"
#include "io/sim/liveness.h"
#include "io/sim/raft_properties.h"
#include "io/sim/simulator.h"
#include "io/sim/text_index.h"
#include "io/sim/trace_printer.h"

namespace raftlink::sim {
namespace {

std::vector<EntryStamp> log_of(
    std::initializer_list<std::pair<std::uint64_t, std::uint64_t>> entries) {
    std::vector<EntryStamp> log;
    for (const auto& [term, hash] : entries) log.push_back(EntryStamp{Term(term), hash});
    return log;
}

struct KeptCase {
    const char* name;
    std::vector<EntryStamp> before;
    std::vector<EntryStamp> now;
    std::optional<std::uint64_t> want;  // the first index not kept
};

TEST_SUITE("sim") {
    TEST_CASE(
        "checker: first_entry_not_kept, the core of append-only and completeness "
        "[§5.3, §5.4.1]") {
        const KeptCase cases[] = {
            {"both empty", {}, {}, std::nullopt},
            {"appended", log_of({{1, 10}}), log_of({{1, 10}, {2, 20}}), std::nullopt},
            {"unchanged", log_of({{1, 10}, {2, 20}}), log_of({{1, 10}, {2, 20}}), std::nullopt},
            {"tail deleted", log_of({{1, 10}, {2, 20}}), log_of({{1, 10}}), 2},
            {"everything deleted", log_of({{1, 10}}), {}, 1},
            {"overwritten with another term", log_of({{1, 10}, {2, 20}, {2, 30}}),
             log_of({{1, 10}, {3, 20}, {3, 30}}), 2},
            {"overwritten with other data, same term", log_of({{1, 10}, {2, 20}}),
             log_of({{1, 10}, {2, 21}, {2, 30}}), 2},
        };
        for (const KeptCase& c : cases) {
            CAPTURE(std::string(c.name));
            const auto got = first_entry_not_kept(c.before, c.now);
            REQUIRE(got.has_value() == c.want.has_value());
            if (got) CHECK(got->value == *c.want);
        }
    }

    TEST_CASE("checker: leader completeness: a new leader without a committed entry [§5.4.1]") {
        // Entries 1..2 committed in terms 1 and 2; a leader of term 3 whose log has a
        // different entry at 2 (from a term-2 leader that never committed it) violates it.
        const auto committed = log_of({{1, 10}, {2, 20}});
        CHECK_FALSE(first_entry_not_kept(committed, log_of({{1, 10}, {2, 20}, {3, 0}})));
        CHECK(first_entry_not_kept(committed, log_of({{1, 10}, {2, 99}, {3, 0}}))->value == 2);
        CHECK(first_entry_not_kept(committed, log_of({{1, 10}}))->value == 2);
    }

    TEST_CASE("checker: went_backwards for the term and the commit index [Figure 2]") {
        std::uint64_t seen = 0;
        CHECK_FALSE(went_backwards("term", seen, 3));
        CHECK(seen == 3);
        CHECK_FALSE(went_backwards("term", seen, 3));
        const auto decrease = went_backwards("term", seen, 2);
        REQUIRE(decrease.has_value());
        CHECK(*decrease == "term went back from 3 to 2");
        CHECK(seen == 3);
    }

    TEST_CASE("checker: acknowledged creates must be in every store that applied past them") {
        fsm::UrlStore store(42);
        store.apply(LogIndex(1), fsm::Command{fsm::CreateUrl{"https://e/1", "k1", 0}});
        store.apply_noop(LogIndex(2));
        store.apply(LogIndex(3), fsm::Command{fsm::CreateUrl{"https://e/3", "k3", 0}});
        const auto record = [&store](std::uint64_t index, const std::string& url) {
            return acknowledged_create(
                fsm::UrlRecord{fsm::short_code_for(LogIndex(index), store.code_key()), url,
                               LogIndex(index), 0},
                store.code_key());
        };
        const AcknowledgedCreate create_1 = record(1, "https://e/1");
        const AcknowledgedCreate create_2 = record(2, "https://e/2");
        const AcknowledgedCreate create_3 = record(3, "https://e/3");
        const AcknowledgedCreate other_3 = record(3, "https://e/other");
        const AcknowledgedCreate create_9 = record(9, "https://e/9");  // not applied yet
        // By index: the create acknowledged at index i at position i - 1.
        std::vector<const AcknowledgedCreate*> acknowledged(9, nullptr);
        acknowledged[0] = &create_1;
        acknowledged[2] = &create_3;
        acknowledged[8] = &create_9;
        CHECK_FALSE(first_acknowledged_missing(store, acknowledged, LogIndex(0)));
        // A store that lost the create at index 2 (or holds another URL there) is caught.
        acknowledged[1] = &create_2;
        const fsm::UrlRecord* lost = first_acknowledged_missing(store, acknowledged, LogIndex(0));
        REQUIRE(lost != nullptr);
        CHECK(lost->index == LogIndex(2));
        CHECK_FALSE(first_acknowledged_missing(store, acknowledged, LogIndex(2)));  // checked
        acknowledged[2] = &other_3;
        CHECK(first_acknowledged_missing(store, acknowledged, LogIndex(2))->index == LogIndex(3));
        // Creates past the end of the list, or a list shorter than the store: none demanded.
        acknowledged.resize(1);
        CHECK_FALSE(first_acknowledged_missing(store, acknowledged, LogIndex(0)));
    }

    TEST_CASE("checker: an acknowledged id that is not its index's code is looked up by id") {
        fsm::UrlStore store(7);
        store.apply(LogIndex(1), fsm::Command{fsm::CreateUrl{"https://e/1", "", 0}});
        store.apply(LogIndex(2), fsm::Command{fsm::CreateUrl{"https://e/2", "", 0}});
        const std::string code_1 = fsm::short_code_for(LogIndex(1), store.code_key());
        // A store that handed out index 1's id for the create at index 2: the id resolves to
        // index 1's URL, so the create is not held, although index 2 holds its URL.
        const AcknowledgedCreate lying =
            acknowledged_create(fsm::UrlRecord{code_1, "https://e/2", LogIndex(2), 0}, 7);
        CHECK_FALSE(lying.code_of_index);
        CHECK_FALSE(store_holds(store, lying));
        CHECK(store_knows(store, lying));
        const AcknowledgedCreate honest =
            acknowledged_create(fsm::UrlRecord{code_1, "https://e/1", LogIndex(1), 0}, 7);
        CHECK(honest.code_of_index);
        CHECK(store_holds(store, honest));
        // Under another key the index is not trusted: the id is decoded.
        fsm::UrlStore other(8);
        other.apply(LogIndex(1), fsm::Command{fsm::CreateUrl{"https://e/1", "", 0}});
        CHECK_FALSE(store_holds(other, honest));
    }

    TEST_CASE("checker: a URL stored under two short ids is a failed deduplication") {
        fsm::UrlStore store(42);
        const auto create = [&store](std::uint64_t index, const std::string& url,
                                     const std::string& key) {
            store.apply(LogIndex(index), fsm::Command{fsm::CreateUrl{url, key, 0}});
        };
        create(1, "https://e/a", "ka");
        create(2, "https://e/b", "kb");
        create(3, "https://e/a", "ka");  // a retry: deduplicated by its key, no new id
        CHECK_FALSE(first_duplicate_url(store));
        create(4, "https://e/b", "kb-lost");  // the same URL under another key: a second id
        create(5, "https://e/a", "ka-lost");
        create(6, "https://e/b", "kb-lost-again");
        const auto duplicate = first_duplicate_url(store);
        REQUIRE(duplicate.has_value());
        // The walk in index order meets index 4 first, a repeat of index 2.
        CHECK(duplicate->url == "https://e/b");
        CHECK(duplicate->first_code == fsm::short_code_for(LogIndex(2), store.code_key()));
        CHECK(duplicate->second_code == fsm::short_code_for(LogIndex(4), store.code_key()));
    }

    TEST_CASE("checker: the first repeated URL among many distinct ones") {
        // Enough URLs that the walk's table grows and its probes collide.
        fsm::UrlStore store(42);
        std::uint64_t index = 0;
        const auto create = [&](const std::string& url) {
            ++index;
            store.apply(LogIndex(index),
                        fsm::Command{fsm::CreateUrl{url, concat("k", index), 0}});
        };
        for (int i = 0; i < 1000; ++i) create(concat("https://e/", i));
        CHECK_FALSE(first_duplicate_url(store));
        create("https://e/737");
        create("https://e/12");
        const auto duplicate = first_duplicate_url(store);
        REQUIRE(duplicate.has_value());
        CHECK(duplicate->url == "https://e/737");
        CHECK(duplicate->first_code == fsm::short_code_for(LogIndex(738), store.code_key()));
        CHECK(duplicate->second_code == fsm::short_code_for(LogIndex(1001), store.code_key()));
    }

    TEST_CASE("checker: a TextIndex keeps the first number given for each text") {
        std::vector<std::string> texts;
        for (int i = 0; i < 500; ++i) texts.push_back(concat("https://e/", i));
        texts.push_back("");
        texts.push_back("short");
        texts.push_back(std::string("short\0", 6));  // the same word loaded, another length
        for (const std::size_t expected : {texts.size(), std::size_t{0}}) {  // 0: it grows
            CAPTURE(expected);
            TextIndex index(expected);
            for (std::size_t i = 0; i < texts.size(); ++i) {
                CHECK(index.find(texts[i]) == TextIndex::none);
                CHECK(index.emplace(texts[i], i) == i);
            }
            for (std::size_t i = 0; i < texts.size(); ++i) {
                CAPTURE(texts[i]);
                CHECK(index.emplace(texts[i], 10'000 + i) == i);
                CHECK(index.find(texts[i]) == i);
            }
            CHECK(index.find("https://e/500") == TextIndex::none);
        }
    }

    TEST_CASE("checker: liveness deadlines after healing") {
        CHECK(liveness_deadline(100, 500, 1000) == 1500);  // outstanding at the heal
        CHECK(liveness_deadline(700, 500, 1000) == 1700);  // invoked after it
    }

    TEST_CASE("liveness: a leader must exist within the bound of the heal") {
        History history;
        LivenessMonitor monitor(ms(1000), ms(500), ms(5000));
        REQUIRE(monitor.active());
        monitor.observe(ms(900), false);
        CHECK_FALSE(monitor.check_before(ms(1500), history));  // the deadline itself is in time
        const auto late = monitor.check_before(ms(1500) + 1, history);
        REQUIRE(late.has_value());
        CHECK(late->kind == Violation::Kind::Liveness);
        CHECK(late->property == "leader elected after healing");
        CHECK(monitor.violated_at() == ms(1500));
        CHECK_FALSE(monitor.check_before(ms(2000), history));  // reported once
    }

    TEST_CASE("liveness: a leader elected before the heal and still there counts") {
        History history;
        LivenessMonitor monitor(ms(1000), ms(500), ms(5000));
        monitor.observe(ms(200), true);
        CHECK_FALSE(monitor.check_before(ms(3000), history));
    }

    TEST_CASE("liveness: an operation outstanding past its deadline is named") {
        History history;
        LivenessMonitor monitor(ms(1000), ms(500), ms(5000));
        monitor.observe(ms(1100), true);
        const OperationId early = history.invoke_create(1, "client-1-op-1", "https://e/1", ms(800));
        history.invoke_create(2, "client-2-op-1", "https://e/2", ms(1200));
        CHECK_FALSE(monitor.check_before(ms(1400), history));
        history.complete_create(early, fsm::UrlRecord{"aaaaaaa", "https://e/1", LogIndex(1), 0},
                                ms(1400));
        // The second is due at 1200 + 500 ms.
        CHECK_FALSE(monitor.check_before(ms(1700), history));
        const auto late = monitor.check_before(ms(1701), history);
        REQUIRE(late.has_value());
        CHECK(late->property == "requests complete after healing");
        CHECK(late->detail.find("client 2 create of https://e/2") == 0);
        CHECK(late->detail.find("deadline 1700.000 ms") != std::string::npos);
        CHECK(monitor.violated_at() == ms(1700));
    }

    TEST_CASE("liveness: an operation invoked after a check with none open is still due") {
        History history;
        LivenessMonitor monitor(ms(1000), ms(500), ms(5000));
        monitor.observe(ms(1100), true);
        CHECK_FALSE(monitor.check_before(ms(1200), history));  // nothing open
        history.invoke_create(1, "client-1-op-1", "https://e/1", ms(1200));
        CHECK_FALSE(monitor.check_before(ms(1700), history));
        const auto late = monitor.check_before(ms(1700) + 1, history);
        REQUIRE(late.has_value());
        CHECK(late->property == "requests complete after healing");
        CHECK(monitor.violated_at() == ms(1700));
    }

    TEST_CASE("liveness: nothing is demanded when the bound does not fit before the end") {
        History history;
        history.invoke_create(1, "k", "https://e/1", 0);
        LivenessMonitor late_heal(ms(4800), ms(500), ms(5000));
        CHECK_FALSE(late_heal.active());
        CHECK_FALSE(late_heal.check_before(ms(6000), history));
        LivenessMonitor never(std::numeric_limits<Nanos>::max(), ms(500), ms(5000));
        CHECK_FALSE(never.active());
        never.observe(ms(10), false);
        CHECK_FALSE(never.check_before(ms(6000), history));
    }

    TEST_CASE("liveness at the end: a leader lost within the bound of the end is no failure") {
        // No node has booted, so the cluster has no leader: what the end demands then depends
        // on how long it has been without one.
        auto loaded = load_scenario(std::string(RAFTLINK_SCENARIO_DIR) + "/leader-crash.json");
        REQUIRE(loaded.ok());
        const Scenario& scenario = loaded.value();
        EventLoop loop;
        TracePrinter printer(loop, 0, false, Prng(1), nullptr, false);
        Cluster cluster(scenario, 1, loop, printer);
        Checker checker(cluster.size(), cluster.code_key());
        REQUIRE_FALSE(cluster.leader().has_value());
        // CheckQuorum deposed the leader 300 ms before the end: no deadline missed yet.
        CHECK_FALSE(checker.at_end(cluster, true, ms(300), ms(1200)));
        CHECK_FALSE(checker.at_end(cluster, true, ms(1200), ms(1200)));
        const auto late = checker.at_end(cluster, true, ms(1200) + 1, ms(1200));
        REQUIRE(late.has_value());
        CHECK(late->kind == Violation::Kind::Liveness);
        CHECK(late->property == "leader elected after healing");
        CHECK(late->detail.find("no leader at the end of the run") == 0);
        CHECK_FALSE(checker.at_end(cluster, false, ms(5000), ms(1200)));  // faults not healed
    }

    TEST_CASE("liveness at the end: unreliable-network seed 1572 lost its leader 245 ms before "
              "the end") {
        // CheckQuorum deposed the leader at 5.755 s of 6 s on the lossy network: the run used
        // to fail with "no leader at the end of the run" although no deadline had passed.
        auto loaded =
            load_scenario(std::string(RAFTLINK_SCENARIO_DIR) + "/unreliable-network.json");
        REQUIRE(loaded.ok());
        RunOptions options;
        options.seed = 1572;
        const Outcome outcome = run_scenario(loaded.value(), options);
        CHECK(outcome.liveness_checked);
        CHECK_MESSAGE(outcome.ok(), (outcome.ok() ? "" : outcome.violation->detail));
    }

    TEST_CASE("checker: runs with linearizable reads pass every check") {
        auto loaded = load_scenario(std::string(RAFTLINK_SCENARIO_DIR) + "/leader-crash.json");
        REQUIRE(loaded.ok());
        Scenario scenario = loaded.value();
        scenario.workload.linearizable_ratio = 0.5;
        std::uint64_t linearizable_reads = 0;
        for (std::uint64_t seed = 1; seed <= 20; ++seed) {
            RunOptions options;
            options.seed = seed;
            const Outcome outcome = run_scenario(scenario, options);
            linearizable_reads += outcome.linearizable_reads_checked;
            CHECK(outcome.linearizability_keys_inconclusive == 0);
            if (!outcome.ok()) {
                FAIL_CHECK(concat("seed ", seed, ": ", outcome.violation->property, ": ",
                                  outcome.violation->detail));
            }
        }
        CHECK(linearizable_reads > 200);
    }
}

}  // namespace
}  // namespace raftlink::sim
