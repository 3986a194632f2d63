// SPDX-License-Identifier: MIT
#include "core/raft/log.h"

#include <algorithm>
#include <utility>

#include "core/assert.h"

namespace raftlink::raft {

Log::Log(std::vector<Entry> entries) {
    payload_ends_.reserve(entries.size());
    // The first block at once at its final size (up to a block), rather than grown by
    // copies as the payloads come.
    std::size_t bytes = 0;
    for (const Entry& entry : entries) bytes += entry.data.size();
    if (bytes > 0) payload_blocks_.emplace_back().reserve(std::min(bytes, payload_block_bytes));
    for (std::size_t i = 0; i < entries.size(); ++i) {
        ASSERT_EQ(entries[i].index, LogIndex(i + 1));
        if (i > 0) ASSERT_LE(entries[i - 1].term, entries[i].term);
        push(entries[i].term, entries[i].data);
        // Free each recovered payload as soon as it is copied, so that recovery does not hold
        // the log twice.
        Bytes().swap(entries[i].data);
    }
    stable_index_ = last_index();
}

Log Log::from_packed(PackedEntries packed) {
    Log log(std::vector<Entry>{});
    log.payload_ends_ = std::move(packed.ends);
    const std::vector<std::uint64_t>& ends = log.payload_ends_;
    ASSERT_EQ(ends.empty() ? 0 : ends.back(), packed.payloads.size());
    for (std::size_t i = 1; i < ends.size(); ++i) ASSERT_LE(ends[i - 1], ends[i]);
    std::vector<TermRun>& runs = log.term_runs_;
    runs.reserve(packed.term_starts.size());
    for (const auto& [first, term] : packed.term_starts) {
        if (runs.empty()) {
            ASSERT_EQ(first, LogIndex(1));
        } else {
            ASSERT_GT(first, runs.back().first);
            ASSERT_LT(runs.back().term, term);
        }
        ASSERT_LE(first, log.last_index());
        runs.push_back(TermRun{first, term});
    }
    ASSERT_EQ(runs.empty(), ends.empty());
    Bytes& payloads = packed.payloads;
    if (payloads.empty()) {
        // No block, as push() would have it.
    } else if (payloads.capacity() <= payload_block_bytes) {
        // The usual case: the payloads fit one block, which they become as they are.
        log.payload_blocks_.push_back(std::move(payloads));
    } else {
        for (std::size_t start = 0; start < payloads.size(); start += payload_block_bytes) {
            const std::size_t end = std::min(payloads.size(), start + payload_block_bytes);
            log.payload_blocks_.emplace_back(
                payloads.begin() + static_cast<std::ptrdiff_t>(start),
                payloads.begin() + static_cast<std::ptrdiff_t>(end));
        }
    }
    log.stable_index_ = log.last_index();
    return log;
}

std::size_t Log::packed_payload_capacity(std::size_t bytes) {
    // As push() grows a young block; payloads beyond one block are split into blocks anyway.
    if (bytes == 0 || bytes > payload_block_bytes) return bytes;
    return std::min(payload_block_bytes, std::max(bytes * 2, young_block_bytes_min));
}

Term Log::term_at_slow(LogIndex index) const {
    ASSERT_LE(index, last_index());
    if (index == LogIndex(0)) return Term(0);
    // Most lookups are near the end of the log, in its latest term.
    if (index >= term_runs_.back().first) return term_runs_.back().term;
    // Then in the run of the previous lookup or the one after it (checkers and followers
    // walk the log forwards); term_runs_.size() >= 2 here, since index >= the first run's.
    const std::size_t hint = std::min(run_hint_, term_runs_.size() - 2);
    for (std::size_t run = hint; run <= hint + 1 && run + 1 < term_runs_.size(); ++run) {
        if (term_runs_[run].first <= index && index < term_runs_[run + 1].first) {
            run_hint_ = run;
            return term_runs_[run].term;
        }
    }
    // The last run with first <= index.
    const auto after = std::upper_bound(
        term_runs_.begin(), term_runs_.end(), index,
        [](LogIndex wanted, const TermRun& run) { return wanted < run.first; });
    ASSERT(after != term_runs_.begin());
    run_hint_ = static_cast<std::size_t>(std::prev(after) - term_runs_.begin());
    return std::prev(after)->term;
}

std::size_t Log::run_of(LogIndex index) const {
    ASSERT_GE(index, LogIndex(1));
    ASSERT(!term_runs_.empty());
    const auto after = std::upper_bound(
        term_runs_.begin(), term_runs_.end(), index,
        [](LogIndex wanted, const TermRun& run) { return wanted < run.first; });
    return static_cast<std::size_t>(std::prev(after) - term_runs_.begin());
}

bool Log::matches(LogIndex index, Term term) const {
    if (index > last_index()) return false;
    return term_at(index) == term;
}

const Entry& Log::at(LogIndex index) const {
    copy_entry(index, scratch_);
    return scratch_;
}

void Log::copy_entry(LogIndex index, Entry& out) const {
    ASSERT_GE(index, LogIndex(1));
    ASSERT_LE(index, last_index());
    out.term = term_at(index);
    out.index = index;
    copy_payload(index, out.data);
}

ByteView Log::payload(LogIndex index) const {
    ASSERT_GE(index, LogIndex(1));
    ASSERT_LE(index, last_index());
    return payload_between(index, payload_start(index), payload_ends_[index.value - 1]);
}

std::size_t Log::payload_size(LogIndex index) const {
    ASSERT_GE(index, LogIndex(1));
    ASSERT_LE(index, last_index());
    return payload_ends_[index.value - 1] - payload_start(index);
}

std::vector<Entry> Log::entries(LogIndex first, LogIndex last) const {
    std::vector<Entry> out;
    std::vector<Bytes> no_buffers;
    append_entries_to(first, last, out, no_buffers);
    return out;
}

void Log::append_entries_to(LogIndex first, LogIndex last, std::vector<Entry>& out,
                            std::vector<Bytes>& buffers) const {
    ASSERT_GE(first, LogIndex(1));
    ASSERT_LE(last, last_index());
    if (last < first) return;
    const std::size_t count = last.value - first.value + 1;
    out.reserve(out.size() + count);
    // The terms by walking the runs from first's, rather than a search per entry, and each
    // payload from where the previous one ended (the leader copies every entry it sends).
    auto run = std::prev(std::upper_bound(
        term_runs_.begin(), term_runs_.end(), first,
        [](LogIndex wanted, const TermRun& candidate) { return wanted < candidate.first; }));
    std::uint64_t start = payload_start(first);
    for (std::size_t i = 0; i < count; ++i) {
        const LogIndex index = first + i;
        while (std::next(run) != term_runs_.end() && std::next(run)->first <= index) ++run;
        Entry& entry = out.emplace_back();
        entry.term = run->term;
        entry.index = index;
        if (!buffers.empty()) {
            entry.data = std::move(buffers.back());
            buffers.pop_back();
        }
        const std::uint64_t end = payload_ends_[index.value - 1];
        copy_payload_between(index, start, end, entry.data);
        start = end;
    }
}

LogIndex Log::last_within_bytes(LogIndex first, LogIndex last, std::size_t bytes_max) const {
    ASSERT_GE(first, LogIndex(1));
    ASSERT_LE(first, last);
    ASSERT_LE(last, last_index());
    // The ends are cumulative, so the prefix [first, i] holds end(i) - start(first) bytes,
    // which grows with i: the first entry always goes, then every one that still fits.
    const std::uint64_t start = payload_start(first);
    const auto begin = payload_ends_.begin() + static_cast<std::ptrdiff_t>(first.value);
    const auto end = payload_ends_.begin() + static_cast<std::ptrdiff_t>(last.value);
    const auto over = std::find_if(
        begin, end, [&](std::uint64_t payload_end) { return payload_end - start > bytes_max; });
    return first + static_cast<std::size_t>(over - begin);
}

void Log::append(Entry entry) {
    ASSERT_EQ(entry.index, last_index() + 1);
    ASSERT_GE(entry.term, last_term());
    push(entry.term, entry.data);
}

LogIndex Log::append_from_leader(const std::vector<Entry>& entries) {
    LogIndex truncated_from(0);
    TermWalk walk;
    for (const Entry& entry : entries) {
        if (entry.index <= last_index()) {
            // Raft §5.3: an existing entry with the same index and term is the same entry, so a
            // duplicated or reordered AppendEntries must not truncate it.
            if (term_at(entry.index, walk) == entry.term) continue;
            truncated_from = entry.index;
            truncate_after(entry.index - 1);
            if (stable_index_ >= entry.index) stable_index_ = entry.index - 1;
            ++truncation_count_;
            last_truncated_from_ = entry.index;
        }
        ASSERT_EQ(entry.index, last_index() + 1);
        ASSERT_GE(entry.term, last_term());
        push(entry.term, entry.data);
    }
    return truncated_from;
}

void Log::stable_to(LogIndex index, Term term) {
    if (index > last_index() || term_at(index) != term) return;  // replaced meanwhile
    if (index > stable_index_) stable_index_ = index;
}

void Log::push(Term term, ByteView payload) {
    if (term_runs_.empty() || term_runs_.back().term != term) {
        ASSERT(term_runs_.empty() || term_runs_.back().term < term);
        term_runs_.push_back(TermRun{last_index() + 1, term});
    }
    std::size_t copied = 0;
    while (copied < payload.size()) {
        if (payload_blocks_.empty() || payload_blocks_.back().size() == payload_block_bytes) {
            payload_blocks_.emplace_back();
        }
        Bytes& block = payload_blocks_.back();
        const std::size_t count =
            std::min(payload.size() - copied, payload_block_bytes - block.size());
        if (block.size() + count > block.capacity()) {
            // Grow a young block geometrically up to the bound, so a short log stays small
            // and a full block has no slack.
            block.reserve(std::min(payload_block_bytes,
                                   std::max({block.capacity() * 2, block.size() + count,
                                             young_block_bytes_min})));
        }
        const auto from = payload.begin() + static_cast<std::ptrdiff_t>(copied);
        block.insert(block.end(), from, from + static_cast<std::ptrdiff_t>(count));
        copied += count;
    }
    const std::uint64_t start = payload_ends_.empty() ? 0 : payload_ends_.back();
    payload_ends_.push_back(start + payload.size());
}

void Log::truncate_after(LogIndex last) {
    ASSERT_LE(last, last_index());
    payload_ends_.resize(last.value);
    while (!term_runs_.empty() && term_runs_.back().first > last) term_runs_.pop_back();
    const std::uint64_t bytes = payload_ends_.empty() ? 0 : payload_ends_.back();
    const std::size_t blocks = (bytes + payload_block_bytes - 1) / payload_block_bytes;
    payload_blocks_.resize(blocks);
    if (blocks > 0) payload_blocks_.back().resize(bytes - (blocks - 1) * payload_block_bytes);
    scratch_.data.clear();
    payload_scratch_.clear();
}

void Log::copy_payload(LogIndex index, Bytes& out) const {
    const std::uint64_t end = payload_ends_[index.value - 1];
    std::uint64_t position = index.value == 1 ? 0 : payload_ends_[index.value - 2];
    if (position == end) {
        out.clear();
        return;
    }
    if (position / payload_block_bytes == (end - 1) / payload_block_bytes) {
        // Within one block, as nearly every payload is: one copy into the reused buffer.
        const auto from = payload_blocks_[position / payload_block_bytes].begin() +
                          static_cast<std::ptrdiff_t>(position % payload_block_bytes);
        out.assign(from, from + static_cast<std::ptrdiff_t>(end - position));
        return;
    }
    out.clear();
    out.reserve(end - position);
    while (position < end) {
        const Bytes& block = payload_blocks_[position / payload_block_bytes];
        const std::size_t offset = position % payload_block_bytes;
        const std::size_t count = std::min<std::uint64_t>(end - position, block.size() - offset);
        ASSERT_GT(count, std::size_t{0});
        const auto from = block.begin() + static_cast<std::ptrdiff_t>(offset);
        out.insert(out.end(), from, from + static_cast<std::ptrdiff_t>(count));
        position += count;
    }
}

}  // namespace raftlink::raft
