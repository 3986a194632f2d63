// SPDX-License-Identifier: MIT
// SimDisk and the log record codec under issue 3's fault model: writes are volatile until their
// fsync completes; a crash loses unsynced writes and may tear the oldest; bit flips hit stored
// records. Recovery drops only a torn tail and reports every flipped acknowledged bit.
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/prng.h"
#include "core/raft/log.h"
#include "core/raft/log_record.h"
#include "core/raft/spare_buffers.h"
#include "io/sim/event_loop.h"
#include "io/sim/sim_disk.h"

namespace raftlink::sim {
namespace {

using raft::Entry;
using raft::HardState;
using raft::PersistentState;

LatencyModel uniform_latency() {
    LatencyModel model;
    model.kind = LatencyModel::Kind::Uniform;
    model.min = ms(1) / 10;
    model.max = ms(2);
    return model;
}

struct Rig {
    explicit Rig(std::uint64_t seed) : disk(loop, uniform_latency(), Prng(seed)) {}

    void run_all() {
        while (!loop.empty()) loop.run_next();
    }

    EventLoop loop;
    SimDisk disk;
};

Entry entry(std::uint64_t term, std::uint64_t index, const std::string& data) {
    return Entry{Term(term), LogIndex(index), Bytes(data.begin(), data.end())};
}

WriteBatch batch_of(std::optional<HardState> hard_state, std::vector<Entry> entries) {
    return WriteBatch{hard_state, std::move(entries)};
}

HardState hard_state(std::uint64_t term, std::uint64_t voted_for) {
    return HardState{Term(term), NodeId(voted_for)};
}

// What a write batch does to the stored state (the contract of Storage::write).
void apply(const WriteBatch& batch, PersistentState& state) {
    if (batch.hard_state) state.hard_state = *batch.hard_state;
    if (batch.entries.empty()) return;
    state.entries.resize(batch.entries.front().index.value - 1);
    state.entries.insert(state.entries.end(), batch.entries.begin(), batch.entries.end());
}

// The entries of `state` in whichever form they came (SimDisk::load() packs them).
std::vector<Entry> entries_of(const PersistentState& state) {
    if (state.packed.ends.empty()) return state.entries;
    REQUIRE(state.entries.empty());
    const raft::Log log = raft::Log::from_packed(state.packed);
    return log.entries(LogIndex(1), log.last_index());
}

bool same_state(const PersistentState& a, const PersistentState& b) {
    return a.hard_state == b.hard_state && entries_of(a) == entries_of(b);
}

// A plausible next write after `issued`: sometimes a new term (and vote), then up to four
// entries of the current term that may overwrite a short suffix (§5.3). Terms thus never go
// backwards along the log, as in Raft.
WriteBatch random_batch(Prng& prng, const PersistentState& issued) {
    WriteBatch batch;
    HardState next = issued.hard_state;
    if (issued.hard_state.current_term == Term(0) || prng.chance(0.3)) {
        next.current_term = Term(next.current_term.value + 1);
        next.voted_for = NodeId(prng.below(4));
        batch.hard_state = next;
    }
    const std::uint64_t last = issued.entries.size();
    const std::uint64_t back = std::min<std::uint64_t>(last, prng.below(4));
    const std::uint64_t first = last + 1 - (prng.chance(0.3) ? back : 0);
    const std::uint64_t count = prng.below(5);
    for (std::uint64_t i = 0; i < count; ++i) {
        Bytes data(prng.below(24));
        for (auto& byte : data) byte = static_cast<std::uint8_t>(prng.below(256));
        batch.entries.push_back(Entry{next.current_term, LogIndex(first + i), data});
    }
    if (!batch.hard_state && batch.entries.empty()) batch.hard_state = next;
    return batch;
}

// Drives `rig` through `steps` random writes, partial runs of the event loop and crashes that
// tear with probability 1/2, checking after each step that the image recovers to exactly what
// the completed callbacks acknowledged. Returns how many writes truncated the stored log.
std::uint64_t drive(Rig& rig, Prng& prng, int steps, PersistentState& acknowledged) {
    PersistentState issued = acknowledged;
    std::uint64_t truncations = 0;
    for (int step = 0; step < steps; ++step) {
        const std::uint64_t action = prng.below(10);
        if (action < 6) {
            WriteBatch batch = random_batch(prng, issued);
            const bool truncates = !batch.entries.empty() &&
                                   batch.entries.front().index.value <= issued.entries.size();
            if (truncates) ++truncations;
            apply(batch, issued);
            rig.disk.write(batch, [&acknowledged, batch]() { apply(batch, acknowledged); });
        } else if (action < 9) {
            for (std::uint64_t n = prng.below(4); n > 0 && !rig.loop.empty(); --n) {
                rig.loop.run_next();
            }
        } else {
            rig.disk.crash(prng, 0.5);
            rig.run_all();  // the lost writes' completions run and must do nothing
            issued = acknowledged;
            REQUIRE(same_state(rig.disk.load(), acknowledged));
        }
        const Result<PersistentState> recovered = rig.disk.recover();
        REQUIRE(recovered.ok());
        REQUIRE(same_state(recovered.value(), acknowledged));
        REQUIRE(same_state(rig.disk.durable(), acknowledged));
    }
    return truncations;
}

// An image of several acknowledged batches: hard states, entries with and without data, a
// truncating write and an empty-data no-op; returns the state they store.
Bytes sample_image(PersistentState& state) {
    const std::vector<WriteBatch> batches = {
        batch_of(hard_state(1, 1), {}),
        batch_of(std::nullopt, {entry(1, 1, ""), entry(1, 2, "a.example/x")}),
        batch_of(hard_state(2, 3), {entry(2, 2, "b.example/yy"), entry(2, 3, "c")}),
        batch_of(hard_state(3, 0), {entry(3, 4, "")}),
    };
    Bytes image;
    std::uint64_t sequence = 0;
    for (const WriteBatch& batch : batches) {
        const raft::EncodedBatch encoded =
            raft::encode_batch(++sequence, batch.hard_state, batch.entries);
        image.insert(image.end(), encoded.bytes.begin(), encoded.bytes.end());
        apply(batch, state);
    }
    return image;
}

Bytes with_bit_flipped(Bytes image, std::size_t bit) {
    image[bit / 8] = static_cast<std::uint8_t>(image[bit / 8] ^ (1U << (bit % 8)));
    return image;
}

std::size_t bits_differing(const Bytes& a, const Bytes& b) {
    REQUIRE(a.size() == b.size());
    std::size_t count = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto difference = static_cast<unsigned>(a[i] ^ b[i]);
        for (unsigned bit = 0; bit < 8; ++bit) count += (difference >> bit) & 1U;
    }
    return count;
}

TEST_SUITE("sim") {
    TEST_CASE("sim disk: writes are volatile until their fsync, then call back in issue order") {
        Rig rig(1);
        std::vector<int> completed;
        const auto done = [&completed](int id) {
            return [&completed, id]() { completed.push_back(id); };
        };
        rig.disk.write(batch_of(hard_state(1, 1), {}), done(1));
        rig.disk.write(batch_of(std::nullopt, {entry(1, 1, "u")}), done(2));
        rig.disk.write(batch_of(std::nullopt, {entry(1, 2, "v")}), done(3));
        CHECK(rig.disk.image_bytes().empty());
        CHECK(rig.disk.fsyncs() == 0);
        CHECK(rig.disk.recover().value().entries.empty());
        CHECK(rig.disk.durable().hard_state == HardState{});

        rig.loop.run_next();
        CHECK(completed == std::vector<int>{1});
        CHECK(rig.disk.fsyncs() == 1);
        CHECK(rig.disk.recover().value().hard_state == hard_state(1, 1));
        CHECK(rig.disk.recover().value().entries.empty());

        rig.run_all();
        CHECK(completed == std::vector<int>{1, 2, 3});
        CHECK(rig.disk.fsyncs() == 3);
        const std::vector<Entry> want = {entry(1, 1, "u"), entry(1, 2, "v")};
        CHECK(rig.disk.recover().value().entries == want);
        CHECK(rig.disk.durable().entries == want);
    }

    TEST_CASE("sim disk: a completed write's entries go to the spare buffers, its state stays") {
        EventLoop loop;
        raft::SpareBuffers spares;
        SimDisk disk(loop, uniform_latency(), Prng(7), &spares);
        disk.write(batch_of(hard_state(1, 1), {entry(1, 1, "u"), entry(1, 2, "")}), [] {});
        disk.write(batch_of(std::nullopt, {entry(2, 2, "w"), entry(2, 3, "xyz")}), [] {});
        CHECK(spares.payload_count() == 0);
        while (!loop.empty()) loop.run_next();
        // Both vectors come back; of the payloads, all but the empty one.
        CHECK(spares.entry_vector_count() == 2);
        CHECK(spares.payload_count() == 3);
        const std::vector<Entry> want = {entry(1, 1, "u"), entry(2, 2, "w"), entry(2, 3, "xyz")};
        CHECK(disk.durable().entries == want);
        CHECK(disk.durable_last_index() == LogIndex(3));
        CHECK(disk.durable_term(LogIndex(1)) == Term(1));
        CHECK(disk.durable_term(LogIndex(3)) == Term(2));
        CHECK(disk.recover().value().entries == want);
        CHECK(same_state(disk.load(), disk.durable()));
    }

    TEST_CASE("sim disk: a crash loses unsynced writes and their callbacks never run") {
        Rig rig(2);
        bool first_done = false;
        const WriteBatch first = batch_of(hard_state(1, 1), {entry(1, 1, "a")});
        rig.disk.write(first, [&]() { first_done = true; });
        rig.run_all();
        REQUIRE(first_done);
        const Bytes image = rig.disk.image_bytes();

        int lost_callbacks = 0;
        rig.disk.write(batch_of(hard_state(2, 2), {}), [&]() { ++lost_callbacks; });
        rig.disk.write(batch_of(std::nullopt, {entry(2, 2, "b")}), [&]() { ++lost_callbacks; });
        Prng prng(7);
        rig.disk.crash(prng, 0.0);
        rig.run_all();
        CHECK(lost_callbacks == 0);
        CHECK(rig.disk.fsyncs() == 1);
        CHECK(rig.disk.image_bytes() == image);
        CHECK(rig.disk.recover().value().hard_state == hard_state(1, 1));
        CHECK(rig.disk.recover().value().entries == std::vector<Entry>{entry(1, 1, "a")});

        // The restarted node writes on after the last acknowledged batch.
        const PersistentState loaded = rig.disk.load();
        CHECK(entries_of(loaded) == std::vector<Entry>{entry(1, 1, "a")});
        bool after_done = false;
        rig.disk.write(batch_of(std::nullopt, {entry(1, 2, "c")}), [&]() { after_done = true; });
        rig.run_all();
        CHECK(after_done);
        CHECK(rig.disk.recover().value().entries ==
              std::vector<Entry>{entry(1, 1, "a"), entry(1, 2, "c")});
    }

    TEST_CASE("sim disk: recover round-trips entries and hard state across many writes") {
        for (std::uint64_t seed = 1; seed <= 20; ++seed) {
            CAPTURE(seed);
            Rig rig(seed);
            Prng prng(seed * 1000);
            PersistentState acknowledged;
            const std::uint64_t truncations = drive(rig, prng, 300, acknowledged);
            rig.run_all();
            CHECK(truncations > 0);
            CHECK(rig.disk.fsyncs() > 50);
            CHECK(same_state(rig.disk.recover().value(), acknowledged));
            CHECK(same_state(rig.disk.load(), acknowledged));
        }
    }

    TEST_CASE("sim disk: a torn tail of every length recovers the state before the torn write") {
        PersistentState before;
        const Bytes acknowledged = sample_image(before);
        const raft::EncodedBatch last = raft::encode_batch(
            5, hard_state(4, 2), std::vector<Entry>{entry(4, 5, "d.example"), entry(4, 6, "e")});
        for (std::size_t kept = 0; kept < last.bytes.size(); ++kept) {
            CAPTURE(kept);
            Bytes image = acknowledged;
            image.insert(image.end(), last.bytes.begin(),
                         last.bytes.begin() + static_cast<std::ptrdiff_t>(kept));
            const Result<raft::RecoveredLog> recovered = raft::recover_log(image);
            REQUIRE(recovered.ok());
            CHECK(same_state(raft::copy_state(recovered.value(), image), before));
            CHECK(recovered.value().valid_bytes == acknowledged.size());
            CHECK(recovered.value().last_sequence == 4);
        }
        Bytes whole = acknowledged;
        whole.insert(whole.end(), last.bytes.begin(), last.bytes.end());
        CHECK(raft::recover_log(whole).value().entries.size() == 6);
    }

    TEST_CASE("log record: a recovery resumed after any parsed prefix equals a whole one") {
        // Resumed at every batch boundary, over the clean image, a torn tail and every flip
        // after the prefix: the same state or the same error as a recovery from byte 0.
        PersistentState state;
        const Bytes acknowledged = sample_image(state);
        const raft::EncodedBatch last =
            raft::encode_batch(5, std::nullopt, std::vector<Entry>{entry(4, 5, "d")});
        Bytes torn = acknowledged;
        torn.insert(torn.end(), last.bytes.begin(), last.bytes.end() - 3);
        std::vector<std::size_t> boundaries{0};
        for (std::size_t end = 1; end <= acknowledged.size(); ++end) {
            const auto prefix = raft::recover_log(ByteView(acknowledged).first(end));
            if (prefix.ok() && prefix.value().valid_bytes == end) boundaries.push_back(end);
        }
        CHECK(boundaries.size() == 5);  // no batch, then after each of the four
        for (const std::size_t boundary : boundaries) {
            CAPTURE(boundary);
            const raft::RecoveredLog prefix =
                raft::recover_log(ByteView(acknowledged).first(boundary)).value();
            std::vector<Bytes> images{acknowledged, torn};
            for (std::size_t bit = boundary * 8; bit < acknowledged.size() * 8; ++bit) {
                images.push_back(with_bit_flipped(acknowledged, bit));
            }
            for (const Bytes& image : images) {
                const auto whole = raft::recover_log(image);
                const auto resumed = raft::recover_log(image, prefix);
                REQUIRE(whole.ok() == resumed.ok());
                if (!whole.ok()) {
                    CHECK(whole.error().message == resumed.error().message);
                    continue;
                }
                CHECK(same_state(raft::copy_state(resumed.value(), image), state));
                CHECK(resumed.value().valid_bytes == whole.value().valid_bytes);
                CHECK(resumed.value().last_sequence == whole.value().last_sequence);
            }
        }
    }

    TEST_CASE("log record: encode_batch_into appends what encode_batch returns, offsets moved") {
        const std::vector<Entry> entries{entry(4, 5, "d.example"), entry(4, 6, "e")};
        const raft::EncodedBatch alone = raft::encode_batch(5, hard_state(4, 2), entries);
        Bytes bytes{1, 2, 3};
        std::vector<raft::RecordExtent> records(1);
        raft::encode_batch_into(5, hard_state(4, 2), entries, bytes, records, 1000);
        REQUIRE(bytes.size() == 3 + alone.bytes.size());
        CHECK(Bytes(bytes.begin() + 3, bytes.end()) == alone.bytes);
        REQUIRE(records.size() == 1 + alone.records.size());
        for (std::size_t i = 0; i < alone.records.size(); ++i) {
            CAPTURE(i);
            CHECK(records[i + 1].offset == alone.records[i].offset + 1000);
            CHECK(records[i + 1].bytes == alone.records[i].bytes);
            CHECK(raft::record_name(records[i + 1]) == raft::record_name(alone.records[i]));
        }
    }

    TEST_CASE("sim disk: crash tears the oldest unsynced write and load truncates the tail") {
        std::set<std::size_t> torn_lengths;
        for (std::uint64_t seed = 1; seed <= 300; ++seed) {
            CAPTURE(seed);
            Rig rig(seed);
            rig.disk.write(batch_of(hard_state(1, 1), {entry(1, 1, "a")}), []() {});
            rig.run_all();
            const std::size_t before = rig.disk.image_bytes().size();
            bool lost = false;
            rig.disk.write(batch_of(hard_state(2, 2), {entry(2, 2, "bb")}), [&]() { lost = true; });
            rig.disk.write(batch_of(std::nullopt, {entry(2, 3, "ccc")}), [&]() { lost = true; });
            Prng prng(seed);
            rig.disk.crash(prng, 1.0);
            rig.run_all();
            CHECK_FALSE(lost);
            const std::size_t torn = rig.disk.image_bytes().size() - before;
            CHECK(torn >= 1);
            torn_lengths.insert(torn);
            CHECK(rig.disk.recover().value().entries == std::vector<Entry>{entry(1, 1, "a")});
            CHECK(rig.disk.load().hard_state == hard_state(1, 1));
            CHECK(rig.disk.image_bytes().size() == before);
            rig.disk.write(batch_of(std::nullopt, {entry(1, 2, "z")}), []() {});
            rig.run_all();
            CHECK(rig.disk.recover().value().entries.size() == 2);
        }
        // The tear lands anywhere in the first pending write, never past it: a batch with a
        // hard state and a 2-byte entry is 25 + 25 + 31 = 81 bytes.
        CHECK(*torn_lengths.begin() >= 1);
        CHECK(*torn_lengths.rbegin() <= 80);
        CHECK(torn_lengths.size() > 40);
    }

    TEST_CASE("sim disk: a flipped bit in any acknowledged record is corruption, last one too") {
        PersistentState state;
        const Bytes acknowledged = sample_image(state);
        const raft::EncodedBatch torn =
            raft::encode_batch(5, hard_state(4, 2), std::vector<Entry>{entry(4, 5, "d")});
        for (const std::size_t torn_bytes : {std::size_t{0}, std::size_t{3}, std::size_t{40}}) {
            CAPTURE(torn_bytes);
            Bytes image = acknowledged;
            image.insert(image.end(), torn.bytes.begin(),
                         torn.bytes.begin() + static_cast<std::ptrdiff_t>(torn_bytes));
            for (std::size_t bit = 0; bit < acknowledged.size() * 8; ++bit) {
                CAPTURE(bit);
                const Result<raft::RecoveredLog> recovered =
                    raft::recover_log(with_bit_flipped(image, bit));
                REQUIRE_FALSE(recovered.ok());
                CHECK(recovered.error().code == ErrorCode::Corrupt);
                CHECK(recovered.error().message.find("corrupt log image at byte") == 0);
            }
        }
    }

    TEST_CASE("sim disk: recovery never returns an entry whose bytes differ from those written") {
        // Every single-bit flip anywhere, torn tail included, and random multi-bit flips:
        // recovery either refuses or returns exactly the acknowledged state.
        PersistentState state;
        Bytes image = sample_image(state);
        const raft::EncodedBatch torn =
            raft::encode_batch(5, std::nullopt, std::vector<Entry>{entry(3, 5, "torn-away")});
        image.insert(image.end(), torn.bytes.begin(), torn.bytes.end() - 7);
        std::size_t refused = 0;
        for (std::size_t bit = 0; bit < image.size() * 8; ++bit) {
            const Bytes flipped = with_bit_flipped(image, bit);
            const Result<raft::RecoveredLog> recovered = raft::recover_log(flipped);
            if (!recovered.ok()) {
                ++refused;
                continue;
            }
            CAPTURE(bit);
            CHECK(same_state(raft::copy_state(recovered.value(), flipped), state));
        }
        CHECK(refused > 0);
        Prng prng(99);
        for (int trial = 0; trial < 2000; ++trial) {
            Bytes damaged = image;
            for (std::uint64_t flips = 2 + prng.below(4); flips > 0; --flips) {
                damaged = with_bit_flipped(damaged, prng.below(damaged.size() * 8));
            }
            const Result<raft::RecoveredLog> recovered = raft::recover_log(damaged);
            if (recovered.ok()) {
                CHECK(same_state(raft::copy_state(recovered.value(), damaged), state));
            }
        }
    }

    TEST_CASE("sim disk: corrupt flips one acknowledged bit, says where, and recovery refuses") {
        Rig empty(1);
        Prng unused(1);
        CHECK_FALSE(empty.disk.corrupt(unused).has_value());
        std::set<std::string> kinds;
        for (std::uint64_t seed = 1; seed <= 200; ++seed) {
            CAPTURE(seed);
            Rig rig(seed);
            const WriteBatch first =
                batch_of(hard_state(1, 1), {entry(1, 1, "a"), entry(1, 2, "b")});
            rig.disk.write(first, []() {});
            rig.run_all();
            const std::size_t acknowledged = rig.disk.image_bytes().size();
            rig.disk.write(batch_of(std::nullopt, {entry(1, 3, "torn")}), []() {});
            Prng prng(seed);
            rig.disk.crash(prng, 1.0);
            const Bytes clean = rig.disk.image_bytes();
            const std::optional<std::string> description = rig.disk.corrupt(prng);
            REQUIRE(description.has_value());
            CHECK(description->find("flipped bit ") == 0);
            for (const char* kind : {"header", "hard state", "entry 1", "entry 2"}) {
                if (description->find(kind) != std::string::npos) kinds.insert(kind);
            }
            const Bytes flipped = rig.disk.image_bytes();
            CHECK(bits_differing(clean, flipped) == 1);
            for (std::size_t i = acknowledged; i < clean.size(); ++i) {
                CHECK(clean[i] == flipped[i]);
            }
            const Result<PersistentState> recovered = rig.disk.recover();
            REQUIRE_FALSE(recovered.ok());
            CHECK(recovered.error().code == ErrorCode::Corrupt);
        }
        CHECK(kinds.size() == 4);
    }

    TEST_CASE("sim disk: impossible histories with valid checksums are corruption") {
        struct Case {
            const char* name;
            std::vector<std::uint64_t> sequences;
            std::vector<WriteBatch> batches;
            const char* want;
        };
        const std::vector<Case> cases = {
            {"index gap", {1, 2},
             {batch_of(hard_state(1, 1), {entry(1, 1, "a")}),
              batch_of(std::nullopt, {entry(1, 3, "c")})},
             "gap"},
            {"entry term goes back", {1, 2},
             {batch_of(hard_state(2, 1), {entry(2, 1, "a")}),
              batch_of(std::nullopt, {entry(1, 2, "b")})},
             "below the previous entry's"},
            {"hard state term goes back", {1, 2},
             {batch_of(hard_state(3, 1), {}), batch_of(hard_state(2, 1), {})},
             "goes back"},
            {"sequence gap", {1, 3},
             {batch_of(hard_state(1, 1), {}), batch_of(hard_state(2, 1), {})},
             "carries sequence 3"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.name);
            Bytes image;
            for (std::size_t i = 0; i < c.batches.size(); ++i) {
                const raft::EncodedBatch encoded = raft::encode_batch(
                    c.sequences[i], c.batches[i].hard_state, c.batches[i].entries);
                image.insert(image.end(), encoded.bytes.begin(), encoded.bytes.end());
            }
            const Result<raft::RecoveredLog> recovered = raft::recover_log(image);
            REQUIRE_FALSE(recovered.ok());
            CHECK(recovered.error().code == ErrorCode::Corrupt);
            CHECK(recovered.error().message.find(c.want) != std::string::npos);
        }
    }

    TEST_CASE("sim disk: the same seeds give the same image, faults and descriptions") {
        struct Run {
            Bytes image;
            std::vector<std::string> descriptions;
        };
        const auto run = [](std::uint64_t seed) {
            Rig rig(seed);
            Prng prng(seed + 17);
            PersistentState acknowledged;
            drive(rig, prng, 200, acknowledged);
            Run result;
            for (int i = 0; i < 3; ++i) result.descriptions.push_back(*rig.disk.corrupt(prng));
            result.image = rig.disk.image_bytes();
            return result;
        };
        const Run first = run(5);
        const Run again = run(5);
        const Run other = run(6);
        CHECK(first.image == again.image);
        CHECK(first.descriptions == again.descriptions);
        CHECK(first.image != other.image);
    }
}

}  // namespace
}  // namespace raftlink::sim
