// SPDX-License-Identifier: MIT
// raft::Log: terms and matching at the boundaries, copied ranges and byte bounds, a leader's append, and the
// AppendEntries receiver's skip/truncate/append rule with how far the log is durable.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/prng.h"
#include "core/raft/log.h"
#include "tests/core/raft_test_support.h"

namespace raftlink::raft {
namespace {

using test_support::entries_with_terms;
using test_support::entry;

/// The terms of the whole log, first entry first.
std::vector<std::uint64_t> terms_of(const Log& log) {
    std::vector<std::uint64_t> terms;
    for (std::uint64_t i = 1; i <= log.last_index().value; ++i) {
        terms.push_back(log.term_at(LogIndex(i)).value);
    }
    return terms;
}

TEST_SUITE("raft") {

TEST_CASE("log: an empty log has last index 0, term 0 and matches only index 0 [§5.3]") {
    const Log log({});
    CHECK_EQ(log.last_index(), LogIndex(0));
    CHECK_EQ(log.last_term(), Term(0));
    CHECK_EQ(log.stable_index(), LogIndex(0));
    CHECK_EQ(log.term_at(LogIndex(0)), Term(0));
    CHECK(log.matches(LogIndex(0), Term(0)));
    CHECK_FALSE(log.matches(LogIndex(0), Term(1)));
    CHECK_FALSE(log.matches(LogIndex(1), Term(0)));
    CHECK_FALSE(log.matches(LogIndex(1), Term(1)));
    CHECK_EQ(log.truncation_count(), 0U);
}

TEST_CASE("log: recovered entries are stable and answer term_at and matches [§5.3]") {
    const Log log(entries_with_terms({1, 1, 2, 3}));
    CHECK_EQ(log.last_index(), LogIndex(4));
    CHECK_EQ(log.last_term(), Term(3));
    CHECK_EQ(log.stable_index(), LogIndex(4));
    CHECK_EQ(terms_of(log), std::vector<std::uint64_t>{1, 1, 2, 3});
    CHECK_EQ(log.at(LogIndex(3)), entry(2, 3, 3));

    struct Case {
        std::string name;
        std::uint64_t index;
        std::uint64_t term;
        bool want;
    };
    const Case cases[] = {
        {"index 0 with term 0", 0, 0, true},
        {"first entry", 1, 1, true},
        {"first entry, wrong term", 1, 2, false},
        {"middle entry", 3, 2, true},
        {"middle entry, newer term", 3, 3, false},
        {"middle entry, older term", 3, 1, false},
        {"last entry", 4, 3, true},
        {"past the end", 5, 3, false},
        {"far past the end", 100, 3, false},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        CHECK_EQ(log.matches(LogIndex(c.index), Term(c.term)), c.want);
    }
}

TEST_CASE("log: entries returns copies of [first, last] and is empty when last < first") {
    const Log log(entries_with_terms({1, 1, 2, 3, 3}));
    const std::vector<Entry> middle = log.entries(LogIndex(2), LogIndex(4));
    REQUIRE_EQ(middle.size(), 3U);
    CHECK_EQ(middle[0].index, LogIndex(2));
    CHECK_EQ(middle[2].index, LogIndex(4));
    CHECK_EQ(middle[2].term, Term(3));
    CHECK_EQ(middle[1], log.at(LogIndex(3)));
    CHECK_EQ(log.entries(LogIndex(1), LogIndex(5)).size(), 5U);
    CHECK_EQ(log.entries(LogIndex(5), LogIndex(5)).size(), 1U);
    CHECK(log.entries(LogIndex(4), LogIndex(3)).empty());
    CHECK(log.entries(LogIndex(6), LogIndex(5)).empty());
}

TEST_CASE("log: last_within_bytes bounds a batch by payload bytes, but takes at least one entry") {
    Log log({});
    // Payload sizes 10, 0, 30, 5, 100 at indexes 1..5.
    for (const std::size_t size : {10U, 0U, 30U, 5U, 100U}) {
        log.append(Entry{Term(1), log.last_index() + 1, Bytes(size, 7)});
    }
    CHECK_EQ(log.payload_size(LogIndex(1)), 10U);
    CHECK_EQ(log.payload_size(LogIndex(2)), 0U);
    CHECK_EQ(log.payload_size(LogIndex(5)), 100U);
    struct Case {
        std::uint64_t first;
        std::uint64_t last;
        std::size_t bytes_max;
        std::uint64_t want;
    };
    const Case cases[] = {
        {1, 5, 1000, 5},  // everything fits
        {1, 5, 45, 4},    // 10 + 0 + 30 + 5 = 45 exactly
        {1, 5, 44, 3},    // one byte short of the fourth
        {1, 5, 10, 2},    // the empty entry rides along
        {1, 5, 0, 1},     // larger than the bound: alone
        {5, 5, 1, 5},     // larger than the bound: alone
        {3, 4, 1000, 4},  // bounded by `last`
        {2, 5, 30, 3},
    };
    for (const Case& c : cases) {
        CAPTURE(c.first);
        CAPTURE(c.bytes_max);
        CHECK_EQ(log.last_within_bytes(LogIndex(c.first), LogIndex(c.last), c.bytes_max),
                 LogIndex(c.want));
    }
}

TEST_CASE("log: append adds an unstable entry at last_index + 1 and stable_to makes it durable") {
    Log log(entries_with_terms({1, 1}));
    log.append(entry(2, 3));
    log.append(Entry{Term(2), LogIndex(4), Bytes{}});
    CHECK_EQ(log.last_index(), LogIndex(4));
    CHECK_EQ(log.last_term(), Term(2));
    CHECK_EQ(log.stable_index(), LogIndex(2));
    CHECK(log.at(LogIndex(4)).data.empty());

    log.stable_to(LogIndex(3), Term(2));
    CHECK_EQ(log.stable_index(), LogIndex(3));
    log.stable_to(LogIndex(4), Term(2));
    CHECK_EQ(log.stable_index(), LogIndex(4));
    // An older acknowledgement never moves the stable index back.
    log.stable_to(LogIndex(2), Term(1));
    CHECK_EQ(log.stable_index(), LogIndex(4));
    // Nor does one for an index or term the log does not have.
    log.stable_to(LogIndex(9), Term(2));
    CHECK_EQ(log.stable_index(), LogIndex(4));
}

TEST_CASE("log: append_from_leader skips, truncates and appends as Figure 2 says [§5.3]") {
    struct Case {
        std::string name;
        std::vector<Entry> initial;
        std::vector<Entry> from_leader;
        std::vector<std::uint64_t> want_terms;
        std::uint64_t want_truncated_from;
        std::uint64_t want_stable;
    };
    const Case cases[] = {
        {"append to an empty log", {}, {entry(1, 1), entry(1, 2)}, {1, 1}, 0, 0},
        {"append after the last entry", entries_with_terms({1, 1}), {entry(2, 3)}, {1, 1, 2}, 0, 2},
        {"all entries already present", entries_with_terms({1, 1, 2}),
         {entry(1, 2), entry(2, 3)}, {1, 1, 2}, 0, 3},
        {"older prefix of a longer log is not truncated", entries_with_terms({1, 1, 2, 2}),
         {entry(1, 2)}, {1, 1, 2, 2}, 0, 4},
        {"present prefix then new entries", entries_with_terms({1, 1}),
         {entry(1, 2), entry(1, 3), entry(3, 4)}, {1, 1, 1, 3}, 0, 2},
        {"conflict at the last entry", entries_with_terms({1, 1, 2}), {entry(3, 3)}, {1, 1, 3}, 3,
         2},
        {"conflict in the middle drops the whole suffix", entries_with_terms({1, 2, 2, 2, 2}),
         {entry(3, 3)}, {1, 2, 3}, 3, 2},
        {"present entry then a conflict", entries_with_terms({1, 2, 2, 2}),
         {entry(2, 2), entry(4, 3), entry(4, 4), entry(4, 5)}, {1, 2, 4, 4, 4}, 3, 2},
        {"conflict at the first entry", entries_with_terms({1, 1}), {entry(2, 1)}, {2}, 1, 0},
        {"no entries (heartbeat)", entries_with_terms({1, 1}), {}, {1, 1}, 0, 2},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        Log log(c.initial);
        const LogIndex truncated_from = log.append_from_leader(c.from_leader);
        CHECK_EQ(terms_of(log), c.want_terms);
        CHECK_EQ(truncated_from, LogIndex(c.want_truncated_from));
        CHECK_EQ(log.truncation_count(), c.want_truncated_from == 0 ? 0U : 1U);
        if (c.want_truncated_from != 0) {
            CHECK_EQ(log.last_truncated_from(), LogIndex(c.want_truncated_from));
        }
        CHECK_EQ(log.stable_index(), LogIndex(c.want_stable));
    }
}

TEST_CASE("log: a duplicated AppendEntries after a truncation neither truncates nor counts [§5.3]") {
    Log log(entries_with_terms({1, 1, 1}));
    const std::vector<Entry> batch = {entry(2, 2), entry(2, 3)};
    CHECK_EQ(log.append_from_leader(batch), LogIndex(2));
    CHECK_EQ(log.append_from_leader(batch), LogIndex(0));
    CHECK_EQ(log.append_from_leader({entry(2, 2)}), LogIndex(0));
    CHECK_EQ(terms_of(log), std::vector<std::uint64_t>{1, 2, 2});
    CHECK_EQ(log.truncation_count(), 1U);

    CHECK_EQ(log.append_from_leader({entry(3, 3)}), LogIndex(3));
    CHECK_EQ(log.truncation_count(), 2U);
    CHECK_EQ(log.last_truncated_from(), LogIndex(3));
    CHECK_EQ(terms_of(log), std::vector<std::uint64_t>{1, 2, 3});
}

TEST_CASE("log: stable_to ignores a write whose entries were truncated meanwhile [§5.3]") {
    // Entries 2 and 3 of term 1 are handed out for persisting; before the write completes, a
    // new leader replaces them with entry 2 of term 2.
    Log log(entries_with_terms({1}));
    CHECK_EQ(log.append_from_leader({entry(1, 2), entry(1, 3)}), LogIndex(0));
    CHECK_EQ(log.stable_index(), LogIndex(1));
    CHECK_EQ(log.append_from_leader({entry(2, 2)}), LogIndex(2));
    CHECK_EQ(log.last_index(), LogIndex(2));

    log.stable_to(LogIndex(3), Term(1));  // past the end now
    CHECK_EQ(log.stable_index(), LogIndex(1));
    log.stable_to(LogIndex(2), Term(1));  // the replaced entry
    CHECK_EQ(log.stable_index(), LogIndex(1));
    log.stable_to(LogIndex(2), Term(2));  // the replacement, once written
    CHECK_EQ(log.stable_index(), LogIndex(2));
}

TEST_CASE("log: a truncation below the stable index moves the stable index back [§5.3]") {
    Log log(entries_with_terms({1, 1, 1, 1}));
    CHECK_EQ(log.stable_index(), LogIndex(4));
    CHECK_EQ(log.append_from_leader({entry(2, 3)}), LogIndex(3));
    CHECK_EQ(log.stable_index(), LogIndex(2));
    CHECK_EQ(log.last_index(), LogIndex(3));
    log.stable_to(LogIndex(3), Term(2));
    CHECK_EQ(log.stable_index(), LogIndex(3));
}

TEST_CASE("log: compact storage matches a vector of entries across blocks and truncations") {
    // The log packs payloads into 1 MiB blocks; payloads of up to 100 KiB cross block
    // boundaries often, and truncations cut inside blocks. A plain vector is the model.
    Prng prng(7);
    std::vector<Entry> model;
    Log log({});
    Log::TermWalk walk;
    Prng probes(8);
    std::uint64_t term = 1;
    for (int step = 0; step < 400; ++step) {
        std::vector<Entry> batch;
        LogIndex index(model.size() + 1);
        if (!model.empty() && prng.chance(0.1)) {
            // A new leader's entries replace a suffix (§5.3).
            index = LogIndex(1 + prng.below(model.size()));
            ++term;
        }
        const std::size_t count = 1 + prng.below(4);
        for (std::size_t i = 0; i < count; ++i) {
            Bytes data(prng.chance(0.2) ? 0 : prng.below(100 * 1024));
            for (auto& byte : data) byte = static_cast<std::uint8_t>(prng.below(256));
            batch.push_back(Entry{Term(term), index + i, std::move(data)});
        }
        log.append_from_leader(batch);
        model.resize(index.value - 1);
        model.insert(model.end(), batch.begin(), batch.end());
        REQUIRE_EQ(log.last_index(), LogIndex(model.size()));
        // A walk kept across truncations and appends, at any index, forwards or back.
        const LogIndex probe(probes.below(model.size() + 1));
        CHECK_EQ(log.term_at(probe, walk), log.term_at(probe));
    }
    for (std::size_t i = 0; i < model.size(); ++i) {
        CHECK_EQ(log.at(LogIndex(i + 1)), model[i]);
        CHECK_EQ(log.term_at(LogIndex(i + 1)), model[i].term);
        CHECK_EQ(log.term_at(LogIndex(i + 1), walk), model[i].term);
        const ByteView payload = log.payload(LogIndex(i + 1));
        CHECK(Bytes(payload.begin(), payload.end()) == model[i].data);
    }
    for (const LogIndex first : {LogIndex(1), LogIndex(1 + model.size() / 2)}) {
        std::vector<Entry> visited;
        log.visit_entries(first, log.last_index(), [&](Term t, LogIndex i, ByteView data) {
            visited.push_back(Entry{t, i, Bytes(data.begin(), data.end())});
        });
        CHECK(visited == std::vector<Entry>(model.begin() + static_cast<std::ptrdiff_t>(
                                                                 first.value - 1),
                                            model.end()));
    }
    CHECK(log.entries(LogIndex(1), log.last_index()) == model);
    // A log rebuilt from the entries (recovery) holds the same.
    Log recovered(model);
    CHECK(recovered.entries(LogIndex(1), recovered.last_index()) == model);
}

TEST_CASE("log: from_packed holds what the log of the same entries holds, in and across blocks") {
    // Payloads of up to 100 KiB: 40 of them stay within one block, 400 fill several.
    for (const int count : {0, 1, 40, 400}) {
        CAPTURE(count);
        Prng prng(static_cast<std::uint64_t>(count) + 1);
        std::vector<Entry> model;
        PackedEntries packed;
        std::uint64_t term = 1;
        for (int i = 0; i < count; ++i) {
            if (prng.chance(0.1)) term += 1 + prng.below(3);
            Bytes data(prng.chance(0.2) ? 0 : prng.below(100 * 1024));
            for (auto& byte : data) byte = static_cast<std::uint8_t>(prng.below(256));
            const LogIndex index(model.size() + 1);
            if (packed.term_starts.empty() || packed.term_starts.back().second != Term(term)) {
                packed.term_starts.emplace_back(index, Term(term));
            }
            packed.payloads.insert(packed.payloads.end(), data.begin(), data.end());
            packed.ends.push_back(packed.payloads.size());
            model.push_back(Entry{Term(term), index, std::move(data)});
        }
        const Log log = Log::from_packed(packed);
        REQUIRE_EQ(log.last_index(), LogIndex(model.size()));
        CHECK_EQ(log.stable_index(), log.last_index());
        CHECK(log.entries(LogIndex(1), log.last_index()) == model);
        const Log reference(model);
        CHECK_EQ(terms_of(log), terms_of(reference));
        for (std::size_t i = 0; i < model.size(); ++i) {
            const ByteView payload = log.payload(LogIndex(i + 1));
            CHECK(Bytes(payload.begin(), payload.end()) == model[i].data);
        }
    }
}

TEST_CASE("log: packed payloads with room to grow take the next appends without moving") {
    CHECK_EQ(Log::packed_payload_capacity(0), 0U);
    CHECK_EQ(Log::packed_payload_capacity(10), 4096U);
    CHECK_EQ(Log::packed_payload_capacity(300'000), 600'000U);
    CHECK_EQ(Log::packed_payload_capacity(600'000), std::size_t{1} << 20);
    CHECK_EQ(Log::packed_payload_capacity(3'000'000), 3'000'000U);

    PackedEntries packed;
    packed.payloads.reserve(Log::packed_payload_capacity(10 * 100));
    packed.term_starts.emplace_back(LogIndex(1), Term(1));
    for (std::uint8_t i = 0; i < 10; ++i) {
        packed.payloads.insert(packed.payloads.end(), 100, i);
        packed.ends.push_back(packed.payloads.size());
    }
    Log log = Log::from_packed(std::move(packed));
    const std::uint8_t* const first = log.payload(LogIndex(1)).data();
    log.append(Entry{Term(2), LogIndex(11), Bytes(1000, 0xab)});
    CHECK_EQ(log.payload(LogIndex(1)).data(), first);
    CHECK_EQ(log.at(LogIndex(10)), Entry{Term(1), LogIndex(10), Bytes(100, 9)});
    CHECK_EQ(log.at(LogIndex(11)), Entry{Term(2), LogIndex(11), Bytes(1000, 0xab)});
}

}  // TEST_SUITE

}  // namespace
}  // namespace raftlink::raft
