// SPDX-License-Identifier: MIT
// raft::SpareBuffers: copies of log entries reuse the buffers given back, which are kept only
// up to the caps.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "core/raft/log.h"
#include "core/raft/spare_buffers.h"
#include "tests/core/raft_test_support.h"

namespace raftlink::raft {
namespace {

using test_support::entries_with_terms;

namespace {

std::vector<Entry> copy_entries(SpareBuffers& spares, const Log& log, LogIndex first,
                                LogIndex last) {
    std::vector<Entry> out;
    spares.copy_entries_into(log, first, last, out);
    return out;
}

}  // namespace

TEST_SUITE("raft") {

TEST_CASE("spare buffers: copies are the log's entries, with or without spares") {
    const Log log(entries_with_terms({1, 1, 2, 3}));
    SpareBuffers spares;
    CHECK(copy_entries(spares, log, LogIndex(2), LogIndex(4)) ==
          log.entries(LogIndex(2), LogIndex(4)));
    CHECK(copy_entries(spares, log, LogIndex(3), LogIndex(2)).empty());
    std::vector<Entry> given{Entry{Term(9), LogIndex(7), Bytes(100, 0x55)},
                             Entry{Term(9), LogIndex(8), Bytes(3, 0x66)}};
    spares.give(std::move(given));
    CHECK(copy_entries(spares, log, LogIndex(1), LogIndex(4)) ==
          log.entries(LogIndex(1), LogIndex(4)));
}

TEST_CASE("spare buffers: a copy takes the vector and payload buffers given back, in order") {
    const Log log(entries_with_terms({1, 1, 1}));
    SpareBuffers spares;
    std::vector<Entry> given{Entry{Term(1), LogIndex(1), Bytes(64, 0x11)},
                             Entry{Term(1), LogIndex(2), Bytes(32, 0x22)}};
    given.reserve(10);
    const Entry* const vector_buffer = given.data();
    const std::uint8_t* const first_payload = given[0].data.data();
    const std::uint8_t* const second_payload = given[1].data.data();
    spares.give(std::move(given));
    CHECK_EQ(spares.entry_vector_count(), 1U);
    CHECK_EQ(spares.payload_count(), 2U);

    const std::vector<Entry> copy = copy_entries(spares, log, LogIndex(1), LogIndex(3));
    CHECK(copy == log.entries(LogIndex(1), LogIndex(3)));
    CHECK_EQ(copy.data(), vector_buffer);
    // The first entry copied gets the first entry's buffer back (a follower writes what it
    // received in its own buffers); the third has none left and allocates.
    CHECK_EQ(copy[0].data.data(), first_payload);
    CHECK_EQ(copy[1].data.data(), second_payload);
    CHECK_EQ(spares.entry_vector_count(), 0U);
    CHECK_EQ(spares.payload_count(), 0U);
}

TEST_CASE("spare buffers: empty payloads and oversized vectors are not kept; the caps hold") {
    SpareBuffers spares;
    std::vector<Entry> noops{Entry{Term(1), LogIndex(1), {}}, Entry{Term(1), LogIndex(2), {}}};
    spares.give(std::move(noops));
    CHECK_EQ(spares.payload_count(), 0U);
    CHECK_EQ(spares.entry_vector_count(), 1U);

    std::vector<Entry> long_write(SpareBuffers::entry_vector_capacity_max + 1);
    spares.give(std::move(long_write));
    CHECK_EQ(spares.entry_vector_count(), 1U);

    for (std::size_t i = 0; i < SpareBuffers::default_entry_vectors_max + 4; ++i) {
        std::vector<Entry> entries;
        for (std::uint64_t j = 1; j <= 40; ++j) {
            entries.push_back(Entry{Term(1), LogIndex(j), Bytes(8, 0x77)});
        }
        spares.give(std::move(entries));
    }
    CHECK_EQ(spares.entry_vector_count(), SpareBuffers::default_entry_vectors_max);
    CHECK_EQ(spares.payload_count(), SpareBuffers::default_payloads_max);
}

}  // TEST_SUITE

}  // namespace
}  // namespace raftlink::raft
