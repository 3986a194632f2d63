// SPDX-License-Identifier: MIT
#include "core/raft/log.h"

#include <utility>

#include "core/assert.h"

namespace raftlink::raft {

Log::Log(std::vector<Entry> entries) : entries_(std::move(entries)) {
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        ASSERT_EQ(entries_[i].index, LogIndex(i + 1));
        if (i > 0) ASSERT_LE(entries_[i - 1].term, entries_[i].term);
    }
    stable_index_ = last_index();
}

Term Log::term_at(LogIndex index) const {
    ASSERT_LE(index, last_index());
    if (index == LogIndex(0)) return Term(0);
    return entries_[index.value - 1].term;
}

bool Log::matches(LogIndex index, Term term) const {
    if (index > last_index()) return false;
    return term_at(index) == term;
}

const Entry& Log::at(LogIndex index) const {
    ASSERT_GE(index, LogIndex(1));
    ASSERT_LE(index, last_index());
    return entries_[index.value - 1];
}

std::span<const Entry> Log::slice(LogIndex first, LogIndex last) const {
    ASSERT_GE(first, LogIndex(1));
    ASSERT_LE(last, last_index());
    if (last < first) return {};
    return std::span<const Entry>(entries_).subspan(first.value - 1, last.value - first.value + 1);
}

void Log::append(Entry entry) {
    ASSERT_EQ(entry.index, last_index() + 1);
    ASSERT_GE(entry.term, last_term());
    entries_.push_back(std::move(entry));
}

LogIndex Log::append_from_leader(const std::vector<Entry>& entries) {
    LogIndex truncated_from(0);
    for (const Entry& entry : entries) {
        if (entry.index <= last_index()) {
            // Raft §5.3: an existing entry with the same index and term is the same entry, so a
            // duplicated or reordered AppendEntries must not truncate it.
            if (term_at(entry.index) == entry.term) continue;
            truncated_from = entry.index;
            entries_.resize(entry.index.value - 1);
            if (stable_index_ >= entry.index) stable_index_ = entry.index - 1;
            ++truncation_count_;
            last_truncated_from_ = entry.index;
        }
        ASSERT_EQ(entry.index, last_index() + 1);
        append(entry);
    }
    return truncated_from;
}

void Log::stable_to(LogIndex index, Term term) {
    if (index > last_index() || term_at(index) != term) return;  // replaced meanwhile
    if (index > stable_index_) stable_index_ = index;
}

}  // namespace raftlink::raft
