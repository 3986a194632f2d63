// SPDX-License-Identifier: MIT
// The URL store: apply and lookup, idempotent creates, and snapshots that are byte-identical
// across replicas and survive any corruption as an Error value.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/codec.h"
#include "core/fsm/short_code.h"
#include "core/fsm/url_store.h"
#include "core/hash.h"
#include "core/prng.h"

namespace raftlink::fsm {
namespace {

constexpr std::uint64_t code_key = 0x1234'5678'9abc'def0ULL;

/// One log entry as the store sees it: a create, or Raft's no-op when `command` is empty.
struct Entry {
    std::optional<CreateUrl> command;
};

/// A random log: mostly creates, some no-ops, keys drawn from a small pool so that retries
/// (deduplicated creates) are common.
std::vector<Entry> random_log(Prng& prng, std::size_t entry_count) {
    std::vector<Entry> log;
    for (std::size_t i = 0; i < entry_count; i++) {
        if (prng.chance(0.1)) {
            log.push_back(Entry{});
            continue;
        }
        CreateUrl create;
        create.url = "https://example.com/" + std::to_string(prng.next_u64());
        if (prng.chance(0.6)) create.idempotency_key = "key-" + std::to_string(prng.below(50));
        create.created_at_ms = static_cast<std::int64_t>(1'700'000'000'000 + i);
        log.push_back(Entry{create});
    }
    return log;
}

void apply_log(UrlStore& store, const std::vector<Entry>& log) {
    for (const Entry& entry : log) {
        const LogIndex index = store.applied_index() + 1;
        if (entry.command.has_value()) {
            store.apply(index, *entry.command);
        } else {
            store.apply_noop(index);
        }
    }
}

/// Checks that a store is internally consistent, using only its public API: every index up to
/// the applied index either has no record or a record that lookup finds by its code.
void check_consistent(const UrlStore& store) {
    std::size_t found = 0;
    for (std::uint64_t index = 1; index <= store.applied_index().value; index++) {
        const std::string code = short_code_for(LogIndex(index), store.code_key());
        const auto record = store.lookup(code);
        const auto url = store.url_for(code);
        CHECK(url.has_value() == record.has_value());
        if (!record.has_value()) continue;
        CHECK(*url == record->url);
        found++;
        CHECK(record->code == code);
        CHECK(record->index == LogIndex(index));
        CHECK(record->url.size() <= url_bytes_max);
    }
    CHECK(found == store.size());
}

void write_header(ByteWriter& writer, std::uint64_t applied_index) {
    writer.u8(1);
    writer.u64(code_key);
    writer.u64(applied_index);
}

void write_record(ByteWriter& writer, std::uint64_t index, std::string_view url) {
    writer.u64(index);
    writer.string(url);
    writer.i64(5);
}

void write_key(ByteWriter& writer, std::uint64_t index, std::string_view key) {
    writer.u64(index);
    writer.string(key);
}

}  // namespace

TEST_SUITE("fsm") {

TEST_CASE("url_store: apply creates a record that lookup finds by its code") {
    UrlStore store(code_key);
    CHECK(store.applied_index() == LogIndex(0));
    CHECK(store.size() == 0);

    const CreateResult first = store.apply(LogIndex(1), CreateUrl{"https://a.example", "", 11});
    CHECK_FALSE(first.deduplicated);
    CHECK(first.record.code == short_code_for(LogIndex(1), code_key));
    CHECK(first.record.url == "https://a.example");
    CHECK(first.record.index == LogIndex(1));
    CHECK(first.record.created_at_ms == 11);

    const CreateResult second = store.apply(LogIndex(2), CreateUrl{"https://b.example", "", 12});
    CHECK(second.record.code != first.record.code);
    CHECK(store.applied_index() == LogIndex(2));
    CHECK(store.size() == 2);

    CHECK(store.lookup(first.record.code) == first.record);
    CHECK(store.lookup(second.record.code) == second.record);
    CHECK(index_for_short_code(second.record.code, code_key) == LogIndex(2));
}

TEST_CASE("url_store: url_at answers as find does for the code of the index") {
    UrlStore store(code_key);
    store.apply(LogIndex(1), CreateUrl{"https://a.example", "k", 1});
    store.apply_noop(LogIndex(2));
    store.apply(LogIndex(3), CreateUrl{"https://b.example", "k", 3});  // deduplicated
    store.apply(LogIndex(4), CreateUrl{"https://c.example", "", 4});
    for (std::uint64_t index = 0; index <= 6; ++index) {
        const UrlRecord* found = index == 0 ? nullptr
                                            : store.find(short_code_for(LogIndex(index), code_key));
        const std::optional<std::string_view> url = store.url_at(LogIndex(index));
        REQUIRE(url.has_value() == (found != nullptr));
        if (found != nullptr) CHECK(*url == found->url);
    }
    std::vector<std::pair<LogIndex, std::string>> urls;
    store.for_each_url([&urls](LogIndex index, std::string_view url) {
        urls.emplace_back(index, std::string(url));
    });
    const std::vector<std::pair<LogIndex, std::string>> expected = {
        {LogIndex(1), "https://a.example"}, {LogIndex(4), "https://c.example"}};
    CHECK(urls == expected);
}

TEST_CASE("url_store: unknown and malformed codes are not found") {
    UrlStore store(code_key);
    store.apply(LogIndex(1), CreateUrl{"https://a.example", "", 1});
    CHECK_FALSE(store.lookup(short_code_for(LogIndex(2), code_key)).has_value());
    CHECK_FALSE(store.lookup(short_code_for(LogIndex(1), code_key + 1)).has_value());
    CHECK_FALSE(store.lookup("").has_value());
    CHECK_FALSE(store.lookup("not a code").has_value());
    CHECK_FALSE(store.lookup(std::string(10000, 'x')).has_value());
    CHECK_FALSE(store.url_for(short_code_for(LogIndex(2), code_key)).has_value());
    CHECK_FALSE(store.url_for(short_code_for(LogIndex(1), code_key + 1)).has_value());
    CHECK_FALSE(store.url_for("").has_value());
    CHECK_FALSE(store.url_for("not a code").has_value());
    CHECK(store.url_for(short_code_for(LogIndex(1), code_key)) == "https://a.example");
}

TEST_CASE("url_store: a known idempotency key returns the first record and creates nothing") {
    UrlStore store(code_key);
    const CreateResult first = store.apply(LogIndex(1), CreateUrl{"https://a.example", "k", 1});
    CHECK_FALSE(first.deduplicated);

    // The retry may even carry a different URL (a client bug): the first create wins.
    const CreateResult retry = store.apply(LogIndex(2), CreateUrl{"https://other", "k", 2});
    CHECK(retry.deduplicated);
    CHECK(retry.record == first.record);
    CHECK(store.size() == 1);
    CHECK(store.applied_index() == LogIndex(2));
    CHECK_FALSE(store.lookup(short_code_for(LogIndex(2), code_key)).has_value());

    const CreateResult other_key = store.apply(LogIndex(3), CreateUrl{"https://a.example", "j", 3});
    CHECK_FALSE(other_key.deduplicated);
    CHECK(other_key.record.code != first.record.code);
    CHECK(store.size() == 2);
}

TEST_CASE("url_store: an empty idempotency key never deduplicates") {
    UrlStore store(code_key);
    const CreateResult first = store.apply(LogIndex(1), CreateUrl{"https://a.example", "", 1});
    const CreateResult second = store.apply(LogIndex(2), CreateUrl{"https://a.example", "", 1});
    CHECK_FALSE(second.deduplicated);
    CHECK(second.record.code != first.record.code);
    CHECK(store.size() == 2);
}

TEST_CASE("url_store: a no-op entry only advances the applied index [§8]") {
    UrlStore store(code_key);
    const std::uint64_t digest_empty = store.digest();
    store.apply_noop(LogIndex(1));
    CHECK(store.applied_index() == LogIndex(1));
    CHECK(store.size() == 0);
    CHECK(store.digest() != digest_empty);  // The applied index is part of the state.

    // The next create gets index 2's code: the no-op used up index 1.
    const CreateResult create = store.apply(LogIndex(2), CreateUrl{"https://a.example", "", 1});
    CHECK(create.record.code == short_code_for(LogIndex(2), code_key));
}

TEST_CASE("url_store: the oldest idempotency key is evicted past the bound") {
    UrlStore store(code_key);
    const std::string url = "https://a.example";
    std::uint64_t index = 1;
    for (; index <= idempotency_keys_max + 1; index++) {
        store.apply(LogIndex(index), CreateUrl{url, std::to_string(index), 0});
    }
    // Key "2" is still known.
    const CreateResult kept = store.apply(LogIndex(index), CreateUrl{url, "2", 0});
    CHECK(kept.deduplicated);
    CHECK(kept.record.index == LogIndex(2));
    index++;
    // Key "1" (the lowest index) was evicted: a retry with it creates a new record, and
    // remembering it again evicts key "2", now the oldest.
    const CreateResult evicted = store.apply(LogIndex(index), CreateUrl{url, "1", 0});
    CHECK_FALSE(evicted.deduplicated);
    CHECK(evicted.record.index == LogIndex(index));
    index++;
    CHECK_FALSE(store.apply(LogIndex(index), CreateUrl{url, "2", 0}).deduplicated);
    index++;
    CHECK(store.apply(LogIndex(index), CreateUrl{url, "1", 0}).deduplicated);
    CHECK(store.size() == idempotency_keys_max + 3);
}

TEST_CASE("url_store: keys stay findable through many evictions and a snapshot") {
    // Evicting a key closes the gap it leaves in the key index; every remaining key must
    // still be found, before and after a snapshot rebuilds the index.
    UrlStore store(code_key);
    const std::string url = "https://a.example";
    const std::uint64_t last = idempotency_keys_max + 50'000;
    for (std::uint64_t index = 1; index <= last; index++) {
        store.apply(LogIndex(index), CreateUrl{url, "key-" + std::to_string(index), 0});
    }
    auto decoded = UrlStore::decode_snapshot(store.encode_snapshot());
    REQUIRE(decoded.ok());
    CHECK(decoded.value().digest() == store.digest());
    for (UrlStore* copy : {&store, &decoded.value()}) {
        std::uint64_t index = last + 1;
        for (std::uint64_t key = 1; key <= last; key += 997) {
            const bool kept = key > last - idempotency_keys_max;
            const CreateResult result =
                copy->apply(LogIndex(index), CreateUrl{url, "key-" + std::to_string(key), 0});
            // A kept key is found; an evicted one is remembered again, evicting the oldest,
            // which a later sample (always younger) never asks for.
            CHECK(result.deduplicated == kept);
            if (kept) CHECK(result.record.index == LogIndex(key));
            index++;
        }
    }
}

TEST_CASE("url_store: snapshot round-trip keeps the digest and every lookup") {
    Prng prng = Prng::derive(1, "fsm_url_store_test", 0);
    UrlStore store(code_key);
    apply_log(store, random_log(prng, 500));

    const Bytes snapshot = store.encode_snapshot();
    Result<UrlStore> decoded = UrlStore::decode_snapshot(snapshot);
    REQUIRE(decoded.ok());
    UrlStore& restored = decoded.value();
    CHECK(restored.digest() == store.digest());
    CHECK(restored.encode_snapshot() == snapshot);
    CHECK(restored.applied_index() == store.applied_index());
    CHECK(restored.size() == store.size());
    CHECK(restored.code_key() == store.code_key());
    for (std::uint64_t index = 1; index <= store.applied_index().value; index++) {
        const std::string code = short_code_for(LogIndex(index), code_key);
        CHECK(restored.lookup(code) == store.lookup(code));
    }
    check_consistent(restored);

    // The idempotency table came along: both stores answer the next entries the same way.
    const std::vector<Entry> more = random_log(prng, 200);
    apply_log(store, more);
    apply_log(restored, more);
    CHECK(restored.encode_snapshot() == store.encode_snapshot());
}

TEST_CASE("url_store: replicas that apply the same log have byte-identical snapshots") {
    Prng prng = Prng::derive(2, "fsm_url_store_test", 0);
    const std::vector<Entry> log = random_log(prng, 1000);
    const std::vector<Entry> head(log.begin(), log.begin() + 400);
    const std::vector<Entry> tail(log.begin() + 400, log.end());

    UrlStore replica_1(code_key);
    apply_log(replica_1, log);

    // Replica 2 catches up from a snapshot taken part-way, then applies the rest (§7).
    UrlStore leader_at_400(code_key);
    apply_log(leader_at_400, head);
    Result<UrlStore> replica_2 = UrlStore::decode_snapshot(leader_at_400.encode_snapshot());
    REQUIRE(replica_2.ok());
    apply_log(replica_2.value(), tail);

    UrlStore replica_3(code_key);
    apply_log(replica_3, log);

    CHECK(replica_1.encode_snapshot() == replica_2.value().encode_snapshot());
    CHECK(replica_1.encode_snapshot() == replica_3.encode_snapshot());
    CHECK(replica_1.digest() == replica_3.digest());

    // A different cluster key is a different state.
    UrlStore other_cluster(code_key + 1);
    apply_log(other_cluster, log);
    CHECK(other_cluster.digest() != replica_1.digest());
}

TEST_CASE("url_store: room reserved for keys, before or between applies, changes no state") {
    Prng prng = Prng::derive(4, "fsm_url_store_test", 0);
    const std::vector<Entry> log = random_log(prng, 1000);
    UrlStore plain(code_key);
    apply_log(plain, log);

    UrlStore reserved(code_key);
    reserved.reserve_keys(log.size());
    apply_log(reserved, std::vector<Entry>(log.begin(), log.begin() + 500));
    // Known keys are placed again in a larger table, and stay findable.
    reserved.reserve_keys(keys_reserved_max * 2);
    reserved.reserve_keys(3);
    apply_log(reserved, std::vector<Entry>(log.begin() + 500, log.end()));
    CHECK(reserved.encode_snapshot() == plain.encode_snapshot());
    check_consistent(reserved);
}

TEST_CASE("url_store: a large store: digest hashes the snapshot, codes resolve, others do not") {
    // Large enough that the snapshot is written in several pieces and the URLs fill several
    // blocks, with holes (no-ops) that span whole chunks of slots.
    UrlStore store(code_key);
    for (std::uint64_t index = 1; index <= 30'000; index++) {
        if (index % 7 == 0 || (index > 5'000 && index < 8'000)) {
            store.apply_noop(LogIndex(index));
            continue;
        }
        const std::string url = "https://example.com/" + std::string(index % 300, 'u') +
                                std::to_string(index);
        store.apply(LogIndex(index), CreateUrl{url, "", static_cast<std::int64_t>(index)});
    }
    CHECK(store.digest() == fnv1a64(ByteView(store.encode_snapshot())));
    std::uint64_t previous = 0;
    std::size_t visited = 0;
    store.for_each([&](const UrlRecord& record) {
        CHECK(record.index.value > previous);
        previous = record.index.value;
        visited++;
    });
    CHECK(visited == store.size());
    for (std::uint64_t index = 1; index <= 31'000; index += 13) {
        const auto record = store.lookup(short_code_for(LogIndex(std::min<std::uint64_t>(
                                                            index, store.applied_index().value)),
                                                        code_key));
        const std::uint64_t at = std::min<std::uint64_t>(index, store.applied_index().value);
        const bool stored = !(at % 7 == 0 || (at > 5'000 && at < 8'000));
        REQUIRE(record.has_value() == stored);
        if (stored) {
            CHECK(record->index == LogIndex(at));
            CHECK(record->created_at_ms == static_cast<std::int64_t>(at));
            CHECK(record->url.ends_with(std::to_string(at)));
        }
    }
    // Well-formed codes of indexes not applied yet, and the reserved words, resolve to nothing.
    CHECK_FALSE(store.lookup(short_code_for(LogIndex(30'001), code_key)).has_value());
    CHECK_FALSE(store.lookup(short_code_for(LogIndex(3'000'000'000), code_key)).has_value());
    CHECK_FALSE(store.lookup("healthz").has_value());
    CHECK_FALSE(store.lookup("metrics").has_value());
    CHECK(store.find("0000000") == nullptr);
}

TEST_CASE("url_store: an empty store round-trips") {
    const UrlStore store(7);
    Result<UrlStore> decoded = UrlStore::decode_snapshot(store.encode_snapshot());
    REQUIRE(decoded.ok());
    CHECK(decoded.value().applied_index() == LogIndex(0));
    CHECK(decoded.value().size() == 0);
    CHECK(decoded.value().code_key() == 7);
    CHECK(decoded.value().digest() == store.digest());
}

TEST_CASE("url_store: every truncation of a snapshot is an error") {
    Prng prng = Prng::derive(3, "fsm_url_store_test", 0);
    UrlStore store(code_key);
    apply_log(store, random_log(prng, 60));
    const Bytes snapshot = store.encode_snapshot();
    for (std::size_t length = 0; length < snapshot.size(); length++) {
        CAPTURE(length);
        const ByteView prefix = ByteView(snapshot).first(length);
        const Result<UrlStore> decoded = UrlStore::decode_snapshot(prefix);
        REQUIRE_FALSE(decoded.ok());
        CHECK_FALSE(decoded.error().message.empty());
    }
}

TEST_CASE("url_store: corrupted snapshots fail or decode to a consistent store") {
    Prng prng = Prng::derive(4, "fsm_url_store_test", 0);
    UrlStore store(code_key);
    apply_log(store, random_log(prng, 40));
    const Bytes snapshot = store.encode_snapshot();

    int accepted = 0;
    for (int i = 0; i < 5000; i++) {
        Bytes corrupt = snapshot;
        const std::uint64_t flips = 1 + prng.below(4);
        for (std::uint64_t f = 0; f < flips; f++) {
            corrupt[prng.below(corrupt.size())] ^= static_cast<std::uint8_t>(1 + prng.below(255));
        }
        if (prng.chance(0.2)) corrupt.push_back(static_cast<std::uint8_t>(prng.below(256)));
        const Result<UrlStore> decoded = UrlStore::decode_snapshot(corrupt);
        if (!decoded.ok()) continue;
        accepted++;
        // A snapshot has one encoding, so whatever decodes must re-encode to the same bytes.
        CHECK(decoded.value().encode_snapshot() == corrupt);
        // Flips can inflate the applied index; keep the brute-force scan affordable.
        if (decoded.value().applied_index().value <= 10000) check_consistent(decoded.value());
    }
    // Flips inside URLs or timestamps decode fine; make sure that path ran.
    CHECK(accepted > 0);
}

TEST_CASE("url_store: random bytes never decode into a broken store") {
    Prng prng = Prng::derive(5, "fsm_url_store_test", 0);
    for (int i = 0; i < 20000; i++) {
        Bytes garbage(prng.below(64));
        for (auto& byte : garbage) byte = static_cast<std::uint8_t>(prng.below(256));
        if (!garbage.empty() && prng.chance(0.5)) garbage[0] = 1;  // Get past the version.
        const Result<UrlStore> decoded = UrlStore::decode_snapshot(garbage);
        if (decoded.ok()) CHECK(decoded.value().encode_snapshot() == garbage);
    }
}

TEST_CASE("url_store: invalid snapshot structure is rejected") {
    const std::string long_url(url_bytes_max + 1, 'u');
    const std::string long_key(idempotency_key_bytes_max + 1, 'k');
    struct Case {
        const char* name;
        std::uint64_t applied_index;
        std::vector<std::pair<std::uint64_t, std::string>> records;
        std::vector<std::pair<std::uint64_t, std::string>> keys;
        ErrorCode code;
    };
    const Case cases[] = {
        {"record at index 0", 5, {{0, "u"}}, {}, ErrorCode::Malformed},
        {"records out of order", 5, {{3, "u"}, {2, "u"}}, {}, ErrorCode::Malformed},
        {"duplicate record", 5, {{3, "u"}, {3, "u"}}, {}, ErrorCode::Malformed},
        {"record beyond applied index", 5, {{6, "u"}}, {}, ErrorCode::OutOfRange},
        {"record index without a code", UINT64_MAX, {{short_code_index_max, "u"}}, {},
         ErrorCode::OutOfRange},
        {"url too long", 5, {{1, long_url}}, {}, ErrorCode::OutOfRange},
        {"key without a record", 5, {{1, "u"}}, {{2, "k"}}, ErrorCode::Malformed},
        {"empty key", 5, {{1, "u"}}, {{1, ""}}, ErrorCode::Malformed},
        {"key too long", 5, {{1, "u"}}, {{1, long_key}}, ErrorCode::OutOfRange},
        {"duplicate key", 5, {{1, "u"}, {2, "u"}}, {{1, "k"}, {2, "k"}}, ErrorCode::Malformed},
        {"keys out of order", 5, {{1, "u"}, {2, "u"}}, {{2, "k"}, {1, "j"}}, ErrorCode::Malformed},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        ByteWriter writer;
        write_header(writer, c.applied_index);
        writer.u64(c.records.size());
        for (const auto& [index, url] : c.records) write_record(writer, index, url);
        writer.u64(c.keys.size());
        for (const auto& [index, key] : c.keys) write_key(writer, index, key);
        const Result<UrlStore> decoded = UrlStore::decode_snapshot(writer.buffer());
        REQUIRE_FALSE(decoded.ok());
        CHECK(decoded.error().code == c.code);
    }
}

TEST_CASE("url_store: bad snapshot framing is rejected") {
    SUBCASE("unknown version") {
        ByteWriter writer;
        writer.u8(2);
        writer.u64(code_key);
        writer.u64(0);
        writer.u64(0);
        writer.u64(0);
        CHECK_FALSE(UrlStore::decode_snapshot(writer.buffer()).ok());
    }
    SUBCASE("trailing bytes") {
        Bytes snapshot = UrlStore(code_key).encode_snapshot();
        snapshot.push_back(0);
        CHECK_FALSE(UrlStore::decode_snapshot(snapshot).ok());
    }
    SUBCASE("counts larger than the snapshot") {
        ByteWriter writer;
        write_header(writer, 5);
        writer.u64(UINT64_MAX);
        CHECK_FALSE(UrlStore::decode_snapshot(writer.buffer()).ok());

        ByteWriter keys_writer;
        write_header(keys_writer, 5);
        keys_writer.u64(0);
        keys_writer.u64(idempotency_keys_max);
        CHECK_FALSE(UrlStore::decode_snapshot(keys_writer.buffer()).ok());

        ByteWriter too_many_keys;
        write_header(too_many_keys, 5);
        too_many_keys.u64(0);
        too_many_keys.u64(idempotency_keys_max + 1);
        const Result<UrlStore> decoded = UrlStore::decode_snapshot(too_many_keys.buffer());
        REQUIRE_FALSE(decoded.ok());
        CHECK(decoded.error().code == ErrorCode::OutOfRange);
    }
}

}  // TEST_SUITE

}  // namespace raftlink::fsm
