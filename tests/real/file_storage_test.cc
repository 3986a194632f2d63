// SPDX-License-Identifier: MIT
// FileStorage and its write-ahead log on a real file system: state survives reopening, a write
// from the middle replaces the suffix (Raft §5.3), writes queued during an fsync share the next
// one (group commit) and complete in order, segments roll over, a torn tail is truncated, and
// every other defect stops start-up with the file and byte offset. Temporary directories only.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "core/raft/log_record.h"
#include "io/real/file_storage.h"
#include "io/real/metrics.h"
#include "io/real/wal_format.h"

namespace raftlink::real {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system's temporary directory, removed with its contents.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = fs::temp_directory_path() /
                ("raftlink-storage-" + std::to_string(::getpid()) + "-" +
                 std::to_string(counter.fetch_add(1)));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }
    fs::path segment(std::uint64_t number) const {
        return path_ / "wal" / segment_file_name(number);
    }

private:
    fs::path path_;
};

raft::Entry entry(std::uint64_t term, std::uint64_t index, const std::string& data) {
    return raft::Entry{Term(term), LogIndex(index), Bytes(data.begin(), data.end())};
}

std::vector<raft::Entry> entries(std::uint64_t term, std::uint64_t first, std::uint64_t last) {
    std::vector<raft::Entry> result;
    for (std::uint64_t index = first; index <= last; ++index) {
        result.push_back(entry(term, index, "https://example.com/" + std::to_string(index)));
    }
    return result;
}

// One storage plus the io_context its completions arrive on.
struct Harness {
    explicit Harness(const fs::path& dir, FileStorageOptions options = {}) {
        auto opened = FileStorage::open(dir, io, metrics, std::move(options));
        REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error().message));
        storage = std::move(opened.value());
    }

    // Writes, waits for durability, and runs the completion; no sleeping.
    void write(std::optional<raft::HardState> hard_state, std::vector<raft::Entry> batch) {
        bool durable = false;
        storage->write(WriteBatch{hard_state, std::move(batch)}, [&] { durable = true; });
        drain();
        CHECK(durable);
    }
    void drain() {
        storage->flush();
        io.restart();
        io.run();
    }

    boost::asio::io_context io;
    Metrics metrics;
    std::unique_ptr<FileStorage> storage;
};

FileStorageOptions segments_of(std::uint64_t bytes) {
    FileStorageOptions options;
    options.segment_bytes_max = bytes;
    return options;
}

Result<std::unique_ptr<FileStorage>> try_open(const fs::path& dir) {
    boost::asio::io_context io;
    Metrics metrics;
    return FileStorage::open(dir, io, metrics);
}

raft::PersistentState reopen(const fs::path& dir) {
    Harness harness(dir);
    return harness.storage->load();
}

Bytes read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

// The size of the batch FileStorage writes for these entries (the same codec).
std::size_t batch_bytes(std::optional<raft::HardState> hard_state,
                        const std::vector<raft::Entry>& batch) {
    return raft::encode_batch(1, hard_state, batch).bytes.size();
}

TEST_SUITE("real") {

TEST_CASE("file storage: an empty directory opens to an empty state") {
    TempDir dir;
    const raft::PersistentState state = reopen(dir.path() / "not-yet-there");
    CHECK(state.hard_state == raft::HardState{});
    CHECK(state.entries.empty());
    CHECK(fs::exists(dir.path() / "not-yet-there" / "wal" / segment_file_name(1)));
    // Opening again finds the segment header alone: still empty.
    CHECK(reopen(dir.path() / "not-yet-there").entries.empty());
}

TEST_CASE("file storage: hard state and entries survive reopening [Figure 2]") {
    TempDir dir;
    {
        Harness harness(dir.path());
        harness.write(raft::HardState{Term(1), NodeId(2)}, {});
        harness.write(std::nullopt, entries(1, 1, 3));
        harness.write(raft::HardState{Term(2), NodeId(0)}, entries(2, 4, 5));
    }
    const raft::PersistentState state = reopen(dir.path());
    CHECK(state.hard_state == raft::HardState{Term(2), NodeId(0)});
    std::vector<raft::Entry> want = entries(1, 1, 3);
    for (const raft::Entry& e : entries(2, 4, 5)) want.push_back(e);
    CHECK(state.entries == want);
}

TEST_CASE("file storage: a write from the middle replaces the stored suffix [§5.3]") {
    TempDir dir;
    {
        Harness harness(dir.path(), segments_of(300));
        harness.write(raft::HardState{Term(1), NodeId(1)}, entries(1, 1, 6));
        harness.write(raft::HardState{Term(2), NodeId(3)}, entries(2, 3, 4));  // drops 3..6
        harness.write(std::nullopt, entries(2, 5, 6));
        harness.write(std::nullopt, entries(3, 2, 2));  // back into an earlier segment
        harness.write(std::nullopt, entries(3, 3, 4));
    }
    const raft::PersistentState state = reopen(dir.path());
    std::vector<raft::Entry> want = entries(1, 1, 1);
    for (const raft::Entry& e : entries(3, 2, 4)) want.push_back(e);
    CHECK(state.entries == want);
    CHECK(state.hard_state == raft::HardState{Term(2), NodeId(3)});
    CHECK(fs::exists(dir.segment(2)));
}

TEST_CASE("file storage: writes queued during an fsync share the next one, in order") {
    TempDir dir;
    constexpr int write_count = 1000;
    std::promise<void> all_queued;
    std::shared_future<void> released = all_queued.get_future().share();
    FileStorageOptions options;
    options.before_group = [released] { released.wait(); };
    Harness harness(dir.path(), options);
    const std::uint64_t fsyncs_before = harness.storage->fsync_count();
    std::vector<int> completed;
    for (int i = 0; i < write_count; ++i) {
        const auto index = static_cast<std::uint64_t>(i + 1);
        harness.storage->write(WriteBatch{std::nullopt, entries(1, index, index)},
                               [&completed, i] { completed.push_back(i); });
    }
    all_queued.set_value();
    harness.drain();
    REQUIRE(completed.size() == static_cast<std::size_t>(write_count));
    for (int i = 0; i < write_count; ++i) CHECK(completed[static_cast<std::size_t>(i)] == i);
    // The storage thread waited in before_group until every write was queued: one group.
    CHECK(harness.storage->fsync_count() - fsyncs_before == 1);
}

TEST_CASE("file storage: group commit under load (measurement)") {
    TempDir dir;
    constexpr std::uint64_t write_count = 10'000;
    Harness harness(dir.path());
    const std::uint64_t fsyncs_before = harness.storage->fsync_count();
    std::uint64_t next_expected = 0;
    bool in_order = true;
    const auto start = std::chrono::steady_clock::now();
    for (std::uint64_t i = 0; i < write_count; ++i) {
        harness.storage->write(WriteBatch{std::nullopt, entries(1, i + 1, i + 1)},
                               [&next_expected, &in_order, i] {
                                   in_order = in_order && i == next_expected;
                                   ++next_expected;
                               });
    }
    harness.drain();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    const std::uint64_t fsyncs = harness.storage->fsync_count() - fsyncs_before;
    CHECK(in_order);
    CHECK(next_expected == write_count);
    CHECK(fsyncs < write_count);
    MESSAGE(write_count << " single-entry writes queued at once: " << fsyncs << " fsyncs, "
                        << elapsed.count() * 1000 << " ms");
    // The Replica's pattern for contrast: one write outstanding, so one fsync per write.
    constexpr std::uint64_t serial_count = 100;
    const auto serial_start = std::chrono::steady_clock::now();
    for (std::uint64_t i = 0; i < serial_count; ++i) {
        harness.write(std::nullopt, entries(1, write_count + i + 1, write_count + i + 1));
    }
    const std::chrono::duration<double> serial = std::chrono::steady_clock::now() - serial_start;
    MESSAGE(serial_count << " writes one at a time: " << serial.count() * 1000 / serial_count
                         << " ms each");
}

TEST_CASE("file storage: segments roll over and recover as one log") {
    TempDir dir;
    raft::PersistentState written;
    {
        Harness harness(dir.path(), segments_of(1024));
        harness.write(raft::HardState{Term(4), NodeId(1)}, {});
        for (std::uint64_t first = 1; first <= 200; first += 10) {
            harness.write(std::nullopt, entries(4, first, first + 9));
        }
    }
    CHECK(fs::exists(dir.segment(5)));
    for (std::uint64_t number = 1; fs::exists(dir.segment(number)); ++number) {
        // Only a single batch larger than the limit may exceed it; ten entries do not.
        CHECK(fs::file_size(dir.segment(number)) <= 1024);
    }
    const raft::PersistentState state = reopen(dir.path());
    CHECK(state.hard_state == raft::HardState{Term(4), NodeId(1)});
    CHECK(state.entries == entries(4, 1, 200));
}

TEST_CASE("file storage: a torn tail is truncated and the earlier writes kept") {
    // Every cut of the last batch, from one byte to all of it, is a write that died before
    // its fsync completed, so it was never acknowledged. The scan is pure, so every cut is
    // checked in memory; a few go through the files, where the tail must also be truncated.
    const std::size_t last_bytes = batch_bytes(std::nullopt, entries(1, 3, 4));
    TempDir dir;
    {
        Harness harness(dir.path());
        harness.write(raft::HardState{Term(1), NodeId(1)}, entries(1, 1, 2));
        harness.write(std::nullopt, entries(1, 3, 4));
    }
    const Bytes image = read_bytes(dir.segment(1));
    const SegmentInfo info{"wal/00000001.log", 1, true};
    for (std::size_t cut = 1; cut <= last_bytes; ++cut) {
        CAPTURE(cut);
        WalState wal;
        const auto scan = scan_segment(ByteView(image).first(image.size() - cut), info, wal);
        REQUIRE(scan.ok());
        CHECK(scan.value().valid_bytes == image.size() - last_bytes);
        CHECK(scan.value().torn_reason.has_value() == (cut < last_bytes));  // all: clean end
        CHECK(wal.state.entries == entries(1, 1, 2));
        CHECK(wal.state.hard_state == raft::HardState{Term(1), NodeId(1)});
    }
    for (const std::size_t cut : {std::size_t{1}, last_bytes / 2, last_bytes}) {
        CAPTURE(cut);
        write_bytes(dir.segment(1), Bytes(image.begin(), image.end() - static_cast<std::ptrdiff_t>(cut)));
        const raft::PersistentState state = reopen(dir.path());
        CHECK(state.entries == entries(1, 1, 2));
        CHECK(state.hard_state == raft::HardState{Term(1), NodeId(1)});
        CHECK(fs::file_size(dir.segment(1)) == image.size() - last_bytes);
    }
}

TEST_CASE("file storage: a zero-filled tail (a lost write after power loss) is truncated") {
    TempDir dir;
    {
        Harness harness(dir.path());
        harness.write(std::nullopt, entries(1, 1, 2));
    }
    const std::uintmax_t full = fs::file_size(dir.segment(1));
    fs::resize_file(dir.segment(1), full + 5000);  // extended, data never written: zeros
    {
        Harness harness(dir.path());
        CHECK(harness.storage->load().entries == entries(1, 1, 2));
        CHECK(fs::file_size(dir.segment(1)) == full);
        harness.write(std::nullopt, entries(1, 3, 3));  // appending after the repair works
    }
    CHECK(reopen(dir.path()).entries == entries(1, 1, 3));
}

TEST_CASE("file storage: a last batch with a lost (zeroed) block is torn, other damage is not") {
    // A power loss can leave the file extended over a block that never reached the disk.
    Bytes image = encode_segment_header(1, 1);
    const Bytes first = raft::encode_batch(1, std::nullopt, entries(1, 1, 1)).bytes;
    image.insert(image.end(), first.begin(), first.end());
    const std::size_t first_end = image.size();
    const raft::Entry big = entry(1, 2, std::string(14'000, 'a'));
    const Bytes second = raft::encode_batch(2, std::nullopt, {&big, 1}).bytes;
    image.insert(image.end(), second.begin(), second.end());
    REQUIRE(image.size() > 3 * wal_block_bytes);
    const SegmentInfo info{"wal/00000001.log", 1, true};
    SUBCASE("a whole block of zeros: torn") {
        std::fill(image.begin() + 2 * wal_block_bytes, image.begin() + 3 * wal_block_bytes, 0);
        WalState wal;
        const auto scan = scan_segment(image, info, wal);
        REQUIRE(scan.ok());
        CHECK(scan.value().valid_bytes == first_end);
        CHECK(wal.state.entries == entries(1, 1, 1));
    }
    SUBCASE("a few zeroed bytes: a flip-like change, so corruption") {
        std::fill(image.begin() + 2 * wal_block_bytes, image.begin() + 2 * wal_block_bytes + 8, 0);
        WalState wal;
        const auto scan = scan_segment(image, info, wal);
        REQUIRE_FALSE(scan.ok());
        CHECK(scan.error().code == ErrorCode::Corrupt);
    }
    SUBCASE("the same zero block in an older segment: corruption") {
        std::fill(image.begin() + 2 * wal_block_bytes, image.begin() + 3 * wal_block_bytes, 0);
        WalState wal;
        const auto scan = scan_segment(image, SegmentInfo{"wal/00000001.log", 1, false}, wal);
        REQUIRE_FALSE(scan.ok());
        CHECK(scan.error().message.rfind("wal/00000001.log: corrupt record at offset ", 0) == 0);
    }
}

// Flips one bit at `offset` of `path`.
void flip_bit(const fs::path& path, std::size_t offset) {
    Bytes bytes = read_bytes(path);
    REQUIRE(offset < bytes.size());
    bytes[offset] ^= 0x10;
    write_bytes(path, bytes);
}

TEST_CASE("file storage: a flipped bit is corruption that names the file and offset") {
    const std::size_t first = batch_bytes(std::nullopt, entries(1, 1, 2));
    const std::size_t second = batch_bytes(std::nullopt, entries(1, 3, 4));
    struct Case {
        const char* name;
        std::size_t flip;      // file offset of the flipped bit's byte
        std::size_t reported;  // the offset the error must name
    };
    const std::size_t second_start = segment_header_bytes + first;
    const std::size_t second_record = second_start + raft::batch_header_bytes;
    const std::size_t file_end =
        second_start + second + batch_bytes(std::nullopt, entries(1, 5, 6));
    const std::size_t last_record =
        batch_bytes(std::nullopt, entries(1, 6, 6)) - raft::batch_header_bytes;
    const Case cases[] = {
        {"middle batch, first entry record", second_record + 12, second_record},
        {"middle batch header", second_start + 6, second_start},
        {"first batch, first entry record", segment_header_bytes + raft::batch_header_bytes + 20,
         segment_header_bytes + raft::batch_header_bytes},
        // The final batch is complete: its header says so, so a flip there is not a torn
        // write and must not silently drop what may have been acknowledged.
        {"last batch, last byte", file_end - 1, file_end - last_record},
        {"segment header", 3, 0},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        TempDir dir;
        {
            Harness harness(dir.path());
            harness.write(std::nullopt, entries(1, 1, 2));
            harness.write(std::nullopt, entries(1, 3, 4));
            harness.write(std::nullopt, entries(1, 5, 6));
        }
        flip_bit(dir.segment(1), c.flip);
        const auto before = fs::file_size(dir.segment(1));
        const auto opened = try_open(dir.path());
        REQUIRE_FALSE(opened.ok());
        CHECK(opened.error().code == ErrorCode::Corrupt);
        const std::string want =
            "wal/00000001.log: corrupt record at offset " + std::to_string(c.reported) + ": ";
        CHECK_MESSAGE(opened.error().message.rfind(want, 0) == 0, opened.error().message);
        CHECK(fs::file_size(dir.segment(1)) == before);  // nothing was truncated
    }
}

TEST_CASE("file storage: a bad record in an older segment stops start-up") {
    TempDir dir;
    {
        Harness harness(dir.path(), segments_of(512));
        for (std::uint64_t first = 1; first <= 40; first += 4) {
            harness.write(std::nullopt, entries(1, first, first + 3));
        }
    }
    REQUIRE(fs::exists(dir.segment(3)));
    SUBCASE("a flipped bit") {
        flip_bit(dir.segment(2), segment_header_bytes + raft::batch_header_bytes + 30);
        const auto opened = try_open(dir.path());
        REQUIRE_FALSE(opened.ok());
        CHECK(opened.error().message ==
              "wal/00000002.log: corrupt record at offset " +
                  std::to_string(segment_header_bytes + raft::batch_header_bytes) +
                  ": checksum mismatch");
    }
    SUBCASE("a cut-short older segment is not a torn tail") {
        fs::resize_file(dir.segment(2), fs::file_size(dir.segment(2)) - 3);
        const auto opened = try_open(dir.path());
        REQUIRE_FALSE(opened.ok());
        CHECK(opened.error().message.rfind("wal/00000002.log: corrupt record at offset ", 0) == 0);
    }
    SUBCASE("a missing segment") {
        fs::remove(dir.segment(2));
        const auto opened = try_open(dir.path());
        REQUIRE_FALSE(opened.ok());
        CHECK(opened.error().message.find("00000002.log: missing") != std::string::npos);
    }
}

TEST_CASE("file storage: foreign files in wal/ stop start-up") {
    TempDir dir;
    fs::create_directories(dir.path() / "wal");
    SUBCASE("a file that is not a segment") {
        { Harness harness(dir.path()); }
        std::ofstream(dir.path() / "wal" / "notes.txt") << "hello";
        const auto opened = try_open(dir.path());
        REQUIRE_FALSE(opened.ok());
        CHECK(opened.error().message.rfind("wal/notes.txt: not a WAL segment", 0) == 0);
    }
    SUBCASE("a segment full of garbage") {
        std::ofstream(dir.segment(1)) << std::string(200, 'x');
        const auto opened = try_open(dir.path());
        REQUIRE_FALSE(opened.ok());
        CHECK(opened.error().message.rfind("wal/00000001.log: corrupt record at offset 0: ", 0) ==
              0);
    }
}

// The child side of the kill -9 test: continues the log from what it recovered, keeps
// `outstanding` writes in flight, and reports each acknowledged index on `report_fd`. Each
// write also raises the term to its index, so the hard state is checked too. Never returns.
[[noreturn]] void write_until_killed(const fs::path& dir, int report_fd) {
    constexpr int outstanding = 8;
    boost::asio::io_context io;
    Metrics metrics;
    auto opened = FileStorage::open(dir, io, metrics, segments_of(4096));
    if (!opened.ok()) ::_exit(2);
    FileStorage& storage = *opened.value();
    std::uint64_t next = storage.load().entries.size() + 1;
    std::function<void()> issue = [&] {
        const std::uint64_t index = next++;
        storage.write(WriteBatch{raft::HardState{Term(index), NodeId(1)}, entries(1, index, index)},
                      [&, index] {
                          if (::write(report_fd, &index, sizeof index) != sizeof index) ::_exit(3);
                          issue();
                      });
    };
    for (int i = 0; i < outstanding; ++i) issue();
    io.run();
    ::_exit(4);
}

TEST_CASE("file storage: kill -9 at any moment keeps every acknowledged write") {
    TempDir dir;
    std::uint64_t acknowledged = 0;
    for (const std::uint64_t more : {1ULL, 37ULL, 200ULL, 523ULL, 90ULL, 1000ULL}) {
        CAPTURE(more);
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        std::fflush(nullptr);  // else the child's copy of unwritten output appears twice
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::close(fds[0]);
            write_until_killed(dir.path(), fds[1]);
        }
        ::close(fds[1]);
        // Read acknowledgements until `more` new ones arrived, then kill at once: the child is
        // in the middle of writing, fsyncing or rolling over a segment.
        const std::uint64_t target = acknowledged + more;
        while (acknowledged < target) {
            std::uint64_t index = 0;
            REQUIRE(::read(fds[0], &index, sizeof index) == sizeof index);
            acknowledged = std::max(acknowledged, index);
        }
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        ::close(fds[0]);
        CHECK(WIFSIGNALED(status));
        const raft::PersistentState state = reopen(dir.path());
        REQUIRE(state.entries.size() >= acknowledged);
        CHECK(state.entries == entries(1, 1, state.entries.size()));
        CHECK(state.hard_state.current_term.value >= acknowledged);
        CHECK(state.hard_state.current_term.value == state.entries.size());
    }
}

TEST_CASE("file storage: one data directory serves one process at a time") {
    TempDir dir;
    Harness first(dir.path());
    const auto second = try_open(dir.path());
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().message.find("locked") != std::string::npos);
}

}  // TEST_SUITE

}  // namespace
}  // namespace raftlink::real
