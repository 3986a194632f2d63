// SPDX-License-Identifier: MIT
#include "io/sim/trace_printer.h"

#include <utility>

#include "core/assert.h"
#include "core/hash.h"
#include "core/text.h"

namespace raftlink::sim {
namespace {

// Howard Hinnant's civil_from_days: days since 1970-01-01 -> (year, month, day).
void civil_from_days(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day) {
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned month_index = (5 * day_of_year + 2) / 153;
    day = day_of_year - (153 * month_index + 2) / 5 + 1;
    month = month_index < 10 ? month_index + 3 : month_index - 9;
    year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
}

std::string two_digits(std::int64_t value) {
    return value < 10 ? concat('0', value) : std::to_string(value);
}

}  // namespace

std::string format_timestamp(std::int64_t unix_ms) {
    ASSERT_GE(unix_ms, 0);
    const std::int64_t ms_per_day = 86'400'000;
    std::int64_t year = 0;
    unsigned month = 0;
    unsigned day = 0;
    civil_from_days(unix_ms / ms_per_day, year, month, day);
    const std::int64_t in_day = unix_ms % ms_per_day;
    const std::int64_t millis = in_day % 1000;
    const std::string millis_text =
        millis < 10 ? concat("00", millis) : millis < 100 ? concat('0', millis) : std::to_string(millis);
    return concat(year, '-', two_digits(month), '-', two_digits(day), ' ',
                  two_digits(in_day / 3'600'000), ':', two_digits(in_day / 60'000 % 60), ':',
                  two_digits(in_day / 1000 % 60), '.', millis_text);
}

TracePrinter::TracePrinter(const EventLoop& loop, std::int64_t epoch_unix_ms, bool interleave,
                           Prng prng, std::ostream* out, bool enabled)
    : loop_(loop), epoch_unix_ms_(epoch_unix_ms), interleave_(interleave), prng_(prng), out_(out),
      enabled_(enabled) {}

void TracePrinter::on_trace(NodeId node, const raft::TraceLine& line) {
    if (!enabled_) return;
    pending_.push_back(Pending{node, line});
}

void TracePrinter::sim_line(const std::string& text) {
    if (!enabled_) return;
    pending_.push_back(Pending{no_node, raft::TraceLine{raft::TraceLane::Main, 0, text}});
}

void TracePrinter::flush() {
    if (pending_.empty()) return;
    // Lines of different nodes never race with each other in one event; keep each node's
    // lines together in the order the nodes first logged (deterministic). Most events log
    // for one node only, so a scan per node beats a map.
    std::size_t taken = 0;
    std::vector<bool> done(pending_.size(), false);
    for (std::size_t first = 0; taken < pending_.size(); ++first) {
        if (done[first]) continue;
        const NodeId node = pending_[first].node;
        step_.clear();
        for (std::size_t i = first; i < pending_.size(); ++i) {
            if (done[i] || pending_[i].node != node) continue;
            step_.push_back(std::move(pending_[i]));
            done[i] = true;
            ++taken;
        }
        flush_step(step_);
    }
    pending_.clear();
}

const std::string& TracePrinter::stamp() {
    const std::int64_t now_ms = epoch_unix_ms_ + loop_.now() / nanos_per_ms;
    if (now_ms != stamp_ms_) {
        stamp_ms_ = now_ms;
        stamp_text_ = format_timestamp(now_ms);
    }
    return stamp_text_;
}

void TracePrinter::flush_step(std::vector<Pending>& step) {
    std::vector<const Pending*> output;
    for (std::size_t i = 0; i < step.size();) {
        if (!interleave_ || step[i].line.lane == raft::TraceLane::Main) {
            output.push_back(&step[i++]);
            continue;
        }
        // A block of election timer lines. The seed's timer goroutine logged its first line at
        // some moment while the handler went on logging, and the rest only after it had drawn
        // its timeout, which the handler's lines preceded: so the first line goes to a random
        // place among the `race_span` lines before the block, the others stay after them.
        std::size_t end = i;
        while (end < step.size() && step[end].line.lane == raft::TraceLane::ElectionTimer) ++end;
        const std::size_t span = std::min(step[i].line.race_span, output.size());
        const std::size_t place = output.size() - span + prng_.below(span + 1);
        output.insert(output.begin() + static_cast<std::ptrdiff_t>(place), &step[i]);
        for (std::size_t t = i + 1; t < end; ++t) output.push_back(&step[t]);
        i = end;
    }
    const std::string& time = stamp();
    for (const Pending* pending : output) {
        if (pending->node == no_node) {
            write(concat(time, " [sim] ", pending->line.text));
        } else {
            write(concat(time, " [", pending->node, "] ", pending->line.text));
        }
    }
}

void TracePrinter::write(const std::string& text) {
    hash_ = fnv1a64("\n", fnv1a64(text, hash_));
    ++lines_;
    if (out_ != nullptr) {
        out_->write(text.data(), static_cast<std::streamsize>(text.size()));
        out_->put('\n');
    }
    if (tail_.size() == tail_lines_max) {
        // Reuse the oldest line's buffer for the newest.
        std::string oldest = std::move(tail_.front());
        tail_.pop_front();
        oldest.assign(text);
        tail_.push_back(std::move(oldest));
    } else {
        tail_.push_back(text);
    }
}

}  // namespace raftlink::sim
