// SPDX-License-Identifier: MIT
#include "io/real/file_storage.h"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <iterator>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "core/assert.h"
#include "core/raft/log_record.h"
#include "core/text.h"
#include "io/real/wal_file.h"
#include "io/real/wal_format.h"

namespace raftlink::real {
namespace fs = std::filesystem;

namespace {

using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

struct PendingWrite {
    WriteBatch batch;
    std::function<void()> on_durable;
    /// Keeps io_context::run() from returning while the write is in flight, so that its
    /// completion is never stranded; released once the completion is posted.
    WorkGuard work;
};

[[noreturn]] void fail_stop(const Error& error) {
    spdlog::critical("storage: {}; stopping the node (fail-stop)", error.message);
    spdlog::default_logger()->flush();
    std::abort();
}

void or_fail_stop(const std::optional<Error>& error) {
    if (error) fail_stop(*error);
}

Error directory_error(const char* what, const fs::path& path, const std::error_code& code) {
    return make_error(ErrorCode::Malformed,
                      concat(what, " ", path.string(), " failed: ", code.message()));
}

// The segment numbers under wal/, in order. Anything else in wal/ is an error: a stray file
// there means someone edited the log by hand, and guessing what they meant is not safe.
Result<std::vector<std::uint64_t>> list_segments(const fs::path& wal_dir) {
    std::vector<std::uint64_t> numbers;
    std::error_code code;
    for (fs::directory_iterator it(wal_dir, code), end; !code && it != end; it.increment(code)) {
        const std::string name = it->path().filename().string();
        const std::optional<std::uint64_t> number = parse_segment_file_name(name);
        std::error_code type_code;
        if (!number || !it->is_regular_file(type_code)) {
            return make_error(ErrorCode::Corrupt, concat("wal/", name, ": not a WAL segment ",
                                                         "(expected NNNNNNNN.log); refusing "
                                                         "to start"));
        }
        numbers.push_back(*number);
    }
    if (code) return directory_error("listing", wal_dir, code);
    std::sort(numbers.begin(), numbers.end());
    for (std::size_t i = 1; i < numbers.size(); ++i) {
        if (numbers[i] != numbers[i - 1] + 1) {
            return make_error(ErrorCode::Corrupt,
                              concat("wal/", segment_file_name(numbers[i - 1] + 1),
                                     ": missing between its neighbours; refusing to start"));
        }
    }
    return numbers;
}

struct Recovered {
    WalState wal;
    /// The newest segment (0: none) and the bytes of it that hold complete batches.
    std::uint64_t newest = 0;
    std::uint64_t newest_bytes = 0;
};

// Replays every segment in order; truncates a torn tail of the newest one.
Result<Recovered> recover(const fs::path& wal_dir) {
    Result<std::vector<std::uint64_t>> numbers = list_segments(wal_dir);
    if (!numbers) return numbers.error();
    Recovered recovered;
    for (std::size_t i = 0; i < numbers.value().size(); ++i) {
        const std::uint64_t number = numbers.value()[i];
        const fs::path path = wal_dir / segment_file_name(number);
        const SegmentInfo info{"wal/" + segment_file_name(number), number,
                               i + 1 == numbers.value().size()};
        Result<Bytes> bytes = wal::read_file(path);
        if (!bytes) return bytes.error();
        Result<SegmentScan> scan = scan_segment(bytes.value(), info, recovered.wal);
        if (!scan) return scan.error();
        if (scan.value().torn_reason) {
            ASSERT(info.newest);
            spdlog::warn("{}: torn tail at offset {} ({}); truncating {} bytes of a write that "
                         "never completed its fsync", info.name, scan.value().valid_bytes,
                         *scan.value().torn_reason,
                         bytes.value().size() - scan.value().valid_bytes);
            if (auto error = wal::truncate_and_sync(path, scan.value().valid_bytes)) return *error;
        }
        recovered.newest = number;
        recovered.newest_bytes = scan.value().valid_bytes;
    }
    return recovered;
}

}  // namespace

struct FileStorage::Impl {
    Impl(fs::path data_directory, boost::asio::io_context& io, Metrics& registry,
         FileStorageOptions tuning)
        : data_dir(std::move(data_directory)),
          wal_dir(data_dir / "wal"),
          completions(io),
          metrics(registry),
          options(tuning) {}

    std::optional<Error> open_writer(const Recovered& recovered);
    void run();
    void commit(std::vector<PendingWrite>& group);
    Bytes encode(const WriteBatch& batch, bool segment_start) const;
    void append_and_sync(const Bytes& bytes);
    void sync_segment();
    Bytes roll_over();

    const fs::path data_dir;
    const fs::path wal_dir;
    boost::asio::io_context& completions;
    Metrics& metrics;
    const FileStorageOptions options;
    wal::FileDescriptor lock_file;  // holds data-dir/LOCK while open

    // Set by open(), taken once by load().
    raft::PersistentState recovered_state;
    bool loaded = false;

    std::mutex mutex;
    std::condition_variable work_ready;   // the queue gained a write, or stopping was set
    std::condition_variable space_ready;  // the queue shrank
    std::condition_variable drained;      // a group completed
    // Guarded by `mutex`. Invariant: completed <= issued; queue.size() <= options.queue_max.
    std::deque<PendingWrite> queue;
    bool stopping = false;
    std::uint64_t issued = 0;
    std::uint64_t completed = 0;
    /// The last index the issued writes leave in the log; writes must not leave a gap.
    std::uint64_t last_index_issued = 0;

    // The open segment: the storage thread's alone once it runs (open() sets it up before).
    wal::FileDescriptor segment;
    std::uint64_t segment_number = 0;
    std::uint64_t segment_bytes = 0;
    std::uint64_t next_sequence = 1;
    std::optional<raft::HardState> last_hard_state;

    std::atomic<std::uint64_t> fsyncs{0};
    std::thread thread;
};

// Opens the newest segment for appending, or creates segment 1 in an empty log. A segment
// left empty by a crash (or by truncating a torn header) gets its header written again.
std::optional<Error> FileStorage::Impl::open_writer(const Recovered& recovered) {
    next_sequence = recovered.wal.last_sequence + 1;
    last_hard_state = recovered.wal.last_hard_state;
    segment_number = std::max<std::uint64_t>(recovered.newest, 1);
    segment_bytes = recovered.newest_bytes;
    const fs::path path = wal_dir / segment_file_name(segment_number);
    Result<wal::FileDescriptor> file = wal::open_append(path, recovered.newest == 0);
    if (!file) return file.error();
    segment = std::move(file.value());
    if (segment_bytes == 0) {
        const Bytes header = encode_segment_header(segment_number, next_sequence);
        if (auto error = wal::write_all(segment.get(), header, path)) return error;
        if (auto error = wal::sync_data(segment.get(), path)) return error;
        segment_bytes = header.size();
    }
    // The segment's directory entry (and wal/'s in data-dir) may be new, or made by a process
    // that crashed before syncing it: make both durable before any write is acknowledged.
    if (auto error = wal::sync_directory(wal_dir)) return error;
    return wal::sync_directory(data_dir);
}

Bytes FileStorage::Impl::encode(const WriteBatch& batch, bool segment_start) const {
    std::optional<raft::HardState> hard_state = batch.hard_state;
    // Each segment opens with the latest hard state, so that deleting older segments (after a
    // snapshot) can never lose the current term and vote.
    if (!hard_state && segment_start) hard_state = last_hard_state;
    return raft::encode_batch(next_sequence, hard_state, batch.entries).bytes;
}

void FileStorage::Impl::sync_segment() {
    const auto start = std::chrono::steady_clock::now();
    or_fail_stop(wal::sync_data(segment.get(), wal_dir / segment_file_name(segment_number)));
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    metrics.observe_fsync(elapsed.count());
    fsyncs.fetch_add(1, std::memory_order_relaxed);
}

void FileStorage::Impl::append_and_sync(const Bytes& bytes) {
    if (bytes.empty()) return;
    or_fail_stop(wal::write_all(segment.get(), bytes, wal_dir / segment_file_name(segment_number)));
    metrics.add_wal_bytes(bytes.size());
    segment_bytes += bytes.size();
    sync_segment();
}

// Starts the next segment after the full one was synced, and returns its header, which goes
// out with the segment's first batch in one fdatasync. The directory entry is made durable
// first, so an acknowledged batch can never sit in a file that a power loss unlinks; a crash
// before the header lands leaves an empty or torn newest segment, which recovery repairs.
Bytes FileStorage::Impl::roll_over() {
    ++segment_number;
    const fs::path path = wal_dir / segment_file_name(segment_number);
    Result<wal::FileDescriptor> file = wal::open_append(path, true);
    if (!file) fail_stop(file.error());
    segment = std::move(file.value());
    segment_bytes = 0;
    or_fail_stop(wal::sync_directory(wal_dir));
    spdlog::info("storage: started wal/{} at batch {}", segment_file_name(segment_number),
                 next_sequence);
    return encode_segment_header(segment_number, next_sequence);
}

// Group commit: one write() and one fdatasync for the whole group, except where a segment
// fills up in the middle of it.
void FileStorage::Impl::commit(std::vector<PendingWrite>& group) {
    Bytes pending;
    for (const PendingWrite& write : group) {
        if (!write.batch.hard_state && write.batch.entries.empty()) continue;
        const bool segment_start = segment_bytes + pending.size() == segment_header_bytes;
        Bytes encoded = encode(write.batch, segment_start);
        const std::uint64_t used = segment_bytes + pending.size();
        if (used > segment_header_bytes && used + encoded.size() > options.segment_bytes_max) {
            append_and_sync(pending);
            pending = roll_over();
            encoded = encode(write.batch, true);
        }
        pending.insert(pending.end(), encoded.begin(), encoded.end());
        ++next_sequence;
        if (write.batch.hard_state) last_hard_state = write.batch.hard_state;
    }
    append_and_sync(pending);
}

void FileStorage::Impl::run() {
    for (;;) {
        std::vector<PendingWrite> group;
        {
            std::unique_lock lock(mutex);
            work_ready.wait(lock, [&] { return stopping || !queue.empty(); });
            if (queue.empty()) return;  // stopping, and every write is done
            if (options.before_group) {
                lock.unlock();
                options.before_group();
                lock.lock();
            }
            // Every write queued while the previous fsync ran joins this one.
            group = std::vector<PendingWrite>(std::make_move_iterator(queue.begin()),
                                              std::make_move_iterator(queue.end()));
            queue.clear();
        }
        space_ready.notify_all();
        commit(group);
        const std::size_t callbacks_count = group.size();
        std::vector<std::function<void()>> callbacks;
        callbacks.reserve(group.size());
        for (PendingWrite& write : group) callbacks.push_back(std::move(write.on_durable));
        // One handler per group runs the callbacks in issue order, whatever the io_context's
        // thread count; groups are posted in order by this one thread.
        boost::asio::post(completions, [callbacks = std::move(callbacks)]() {
            for (const auto& on_durable : callbacks) {
                if (on_durable) on_durable();
            }
        });
        group.clear();  // releases the work guards, now that the completions are posted
        {
            std::lock_guard lock(mutex);
            completed += callbacks_count;
            ASSERT_LE(completed, issued);
        }
        drained.notify_all();
    }
}

Result<std::unique_ptr<FileStorage>> FileStorage::open(const fs::path& data_dir,
                                                       boost::asio::io_context& completions,
                                                       Metrics& metrics,
                                                       FileStorageOptions options) {
    ASSERT_GT(options.segment_bytes_max, segment_header_bytes);
    ASSERT_GE(options.queue_max, 1U);
    auto impl = std::make_unique<Impl>(data_dir, completions, metrics, options);
    std::error_code code;
    fs::create_directories(impl->wal_dir, code);
    if (code) return directory_error("creating", impl->wal_dir, code);
    Result<wal::FileDescriptor> lock = wal::lock_file(data_dir / "LOCK");
    if (!lock) return lock.error();
    impl->lock_file = std::move(lock.value());
    Result<Recovered> recovered = recover(impl->wal_dir);
    if (!recovered) return recovered.error();
    if (auto error = impl->open_writer(recovered.value())) return *error;
    impl->last_index_issued = recovered.value().wal.state.entries.size();
    impl->recovered_state = std::move(recovered.value().wal.state);
    spdlog::info("storage: recovered {} entries (term {}) from {} segment(s) under {}",
                 impl->last_index_issued, impl->recovered_state.hard_state.current_term.value,
                 recovered.value().newest, impl->wal_dir.string());
    Impl& started = *impl;
    started.thread = std::thread([&started] { started.run(); });
    return std::unique_ptr<FileStorage>(new FileStorage(std::move(impl)));
}

FileStorage::FileStorage(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FileStorage::~FileStorage() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
    }
    impl_->work_ready.notify_all();
    impl_->thread.join();
    ASSERT_EQ(impl_->completed, impl_->issued);
}

raft::PersistentState FileStorage::load() {
    ASSERT(!impl_->loaded);
    impl_->loaded = true;
    return std::move(impl_->recovered_state);
}

void FileStorage::write(WriteBatch batch, std::function<void()> on_durable) {
    for (std::size_t i = 1; i < batch.entries.size(); ++i) {
        ASSERT_EQ(batch.entries[i].index, batch.entries[i - 1].index + 1);
    }
    Impl& impl = *impl_;
    {
        std::unique_lock lock(impl.mutex);
        ASSERT(!impl.stopping);
        impl.space_ready.wait(lock, [&] { return impl.queue.size() < impl.options.queue_max; });
        if (!batch.entries.empty()) {
            // Raft §5.3: a write may replace a suffix of the log, never leave a gap after it.
            ASSERT_GE(batch.entries.front().index.value, 1U);
            ASSERT_LE(batch.entries.front().index.value, impl.last_index_issued + 1);
            impl.last_index_issued = batch.entries.back().index.value;
        }
        impl.queue.push_back(PendingWrite{std::move(batch), std::move(on_durable),
                                          boost::asio::make_work_guard(impl.completions)});
        ++impl.issued;
        ASSERT_LE(impl.queue.size(), impl.options.queue_max);
    }
    impl.work_ready.notify_one();
}

void FileStorage::flush() {
    std::unique_lock lock(impl_->mutex);
    impl_->drained.wait(lock, [&] { return impl_->completed == impl_->issued; });
}

std::uint64_t FileStorage::fsync_count() const {
    return impl_->fsyncs.load(std::memory_order_relaxed);
}

}  // namespace raftlink::real
