// SPDX-License-Identifier: MIT
#include "core/raft/log_record.h"

#include <utility>

#include "core/assert.h"
#include "core/codec.h"
#include "core/crc32c.h"
#include "core/text.h"

namespace raftlink::raft {
namespace {

constexpr std::size_t length_field_bytes = 4;
constexpr std::size_t checksum_bytes = 4;

std::uint32_t read_u32(ByteView bytes, std::size_t offset) {
    ByteReader reader(bytes.subspan(offset, 4));
    return reader.u32();
}

// Appends `length | type | payload | crc` to `out`; the CRC covers the length and the type
// too, so a flipped length or type is caught like any other flip.
void append_record(Bytes& out, RecordType type, const Bytes& payload) {
    ASSERT_LE(payload.size(), batch_body_bytes_max);
    const std::size_t start = out.size();
    ByteWriter head;
    head.u32(static_cast<std::uint32_t>(1 + payload.size()));
    head.u8(static_cast<std::uint8_t>(type));
    out.insert(out.end(), head.buffer().begin(), head.buffer().end());
    out.insert(out.end(), payload.begin(), payload.end());
    ByteWriter tail;
    tail.u32(crc32c(ByteView(out).subspan(start)));
    out.insert(out.end(), tail.buffer().begin(), tail.buffer().end());
    ASSERT_EQ(out.size() - start, record_overhead_bytes + payload.size());
}

Bytes hard_state_payload(const HardState& hard_state) {
    ByteWriter writer;
    writer.u64(hard_state.current_term.value);
    writer.u64(hard_state.voted_for.value);
    return writer.take();
}

Bytes entry_payload(const Entry& entry) {
    ByteWriter writer;
    writer.u64(entry.term.value);
    writer.u64(entry.index.value);
    writer.bytes(entry.data);
    return writer.take();
}

// One record as found in the image. `problem` is empty when the frame and checksum are good.
struct RawRecord {
    std::uint8_t type = 0;
    ByteView payload;
    std::size_t bytes = 0;
    std::string problem;
};

// Reads the record at `offset` of `region`; it must lie wholly inside the region.
RawRecord read_record(ByteView region, std::size_t offset) {
    RawRecord record;
    const std::size_t left = region.size() - offset;
    if (left < record_overhead_bytes) {
        record.problem = "the record is cut short";
        return record;
    }
    const std::size_t length = read_u32(region, offset);
    if (length == 0 || length > left - length_field_bytes - checksum_bytes) {
        record.problem = concat("the record's length ", length, " does not fit its batch");
        return record;
    }
    record.bytes = length_field_bytes + length + checksum_bytes;
    const ByteView covered = region.subspan(offset, length_field_bytes + length);
    if (crc32c(covered) != read_u32(region, offset + length_field_bytes + length)) {
        record.problem = "the record fails its checksum";
        return record;
    }
    record.type = region[offset + length_field_bytes];
    record.payload = region.subspan(offset + length_field_bytes + 1, length - 1);
    return record;
}

struct BatchHeader {
    std::uint64_t sequence = 0;
    std::uint32_t body_bytes = 0;
    std::uint32_t body_crc = 0;
};

Error corrupt_at(std::size_t offset, const std::string& what) {
    return make_error(ErrorCode::Corrupt,
                      concat("corrupt log image at byte ", offset, ": ", what,
                             "; recovery refuses to drop or guess acknowledged data"));
}

// Precondition: at least batch_header_bytes remain at `offset`. Such a header was written by a
// completed or a torn write; a torn write that reached past the header wrote it whole, so any
// defect here is corruption.
Result<BatchHeader> read_header(ByteView image, std::size_t offset, std::uint64_t expected) {
    const ByteView region = image.subspan(offset, batch_header_bytes);
    const RawRecord raw = read_record(region, 0);
    const std::string name = concat("the header of batch ", expected);
    if (!raw.problem.empty()) return corrupt_at(offset, concat(name, ": ", raw.problem));
    if (raw.type != static_cast<std::uint8_t>(RecordType::BatchHeader)) {
        return corrupt_at(offset, concat(name, " has record type ", unsigned{raw.type}));
    }
    ByteReader reader(raw.payload);
    BatchHeader header;
    header.sequence = reader.u64();
    header.body_bytes = reader.u32();
    header.body_crc = reader.u32();
    if (!reader.ok() || !reader.at_end()) return corrupt_at(offset, name + " is malformed");
    if (header.sequence != expected) {
        return corrupt_at(offset, concat(name, " carries sequence ", header.sequence));
    }
    return header;
}

// The state rebuilt so far, and the checks that make impossible histories errors.
struct Recovery {
    PersistentState state;
    std::uint64_t last_sequence = 0;

    std::optional<Error> apply(const HardState& hard_state, std::size_t offset) {
        // Figure 2: currentTerm only increases, so a stored term never goes back.
        if (hard_state.current_term < state.hard_state.current_term) {
            return corrupt_at(offset, concat("the hard state's term ", hard_state.current_term,
                                             " goes back from ", state.hard_state.current_term));
        }
        state.hard_state = hard_state;
        return std::nullopt;
    }

    std::optional<Error> apply(Entry entry, std::size_t offset) {
        const std::uint64_t last = state.entries.size();
        if (entry.index.value == 0 || entry.index.value > last + 1) {
            return corrupt_at(offset, concat("entry ", entry.index, " leaves a gap after entry ",
                                             last));
        }
        // §5.3: an entry at index i replaces whatever the log held from i on.
        state.entries.resize(entry.index.value - 1);
        // §5.3 (Log Matching) implies terms never decrease along a log.
        if (!state.entries.empty() && entry.term < state.entries.back().term) {
            return corrupt_at(offset, concat("entry ", entry.index, " has term ", entry.term,
                                             ", below the previous entry's ",
                                             state.entries.back().term));
        }
        state.entries.push_back(std::move(entry));
        return std::nullopt;
    }
};

// Decodes one checksummed record of a body and applies it. `previous` tracks the entries of
// this batch, whose indexes must be consecutive.
std::optional<Error> apply_record(const RawRecord& raw, std::size_t offset, const std::string& name,
                                  std::optional<LogIndex>& previous, Recovery& recovery) {
    ByteReader reader(raw.payload);
    if (raw.type == static_cast<std::uint8_t>(RecordType::HardState)) {
        HardState hard_state{Term(reader.u64()), NodeId(reader.u64())};
        if (!reader.ok() || !reader.at_end()) return corrupt_at(offset, name + " is malformed");
        return recovery.apply(hard_state, offset);
    }
    if (raw.type == static_cast<std::uint8_t>(RecordType::Entry)) {
        Entry entry;
        entry.term = Term(reader.u64());
        entry.index = LogIndex(reader.u64());
        entry.data = reader.bytes(static_cast<std::uint32_t>(batch_body_bytes_max));
        if (!reader.ok() || !reader.at_end()) return corrupt_at(offset, name + " is malformed");
        if (previous && entry.index != *previous + 1) {
            return corrupt_at(offset, concat(name, " holds entry ", entry.index,
                                             " after entry ", *previous));
        }
        previous = entry.index;
        return recovery.apply(std::move(entry), offset);
    }
    return corrupt_at(offset, concat(name, " has record type ", unsigned{raw.type}));
}

// Applies the records of a complete body. Each record's own checksum names the damaged record;
// the header's body checksum then guarantees that no flip in the framing slipped through.
std::optional<Error> apply_body(ByteView image, std::size_t body_start, const BatchHeader& header,
                                Recovery& recovery) {
    const ByteView body = image.subspan(body_start, header.body_bytes);
    std::optional<LogIndex> previous;
    std::size_t offset = 0;
    for (std::size_t ordinal = 1; offset < body.size(); ++ordinal) {
        const RawRecord raw = read_record(body, offset);
        const std::string name = concat("record ", ordinal, " of batch ", header.sequence);
        if (!raw.problem.empty()) {
            return corrupt_at(body_start + offset, concat(name, ": ", raw.problem));
        }
        auto error = apply_record(raw, body_start + offset, name, previous, recovery);
        if (error) return error;
        offset += raw.bytes;
    }
    if (crc32c(body) != header.body_crc) {
        return corrupt_at(body_start, concat("the body of batch ", header.sequence,
                                             " fails its checksum"));
    }
    return std::nullopt;
}

}  // namespace

EncodedBatch encode_batch(std::uint64_t sequence, const std::optional<HardState>& hard_state,
                          std::span<const Entry> entries) {
    ASSERT_GE(sequence, 1U);
    EncodedBatch batch;
    Bytes body;
    if (hard_state) {
        append_record(body, RecordType::HardState, hard_state_payload(*hard_state));
        batch.records.push_back({batch_header_bytes, body.size(),
                                 concat("the hard state record of batch ", sequence, " (term ",
                                        hard_state->current_term, ", voted for ",
                                        hard_state->voted_for, ")")});
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        ASSERT_GE(entries[i].index, LogIndex(1));
        if (i > 0) ASSERT_EQ(entries[i].index, entries[i - 1].index + 1);
        const std::size_t start = body.size();
        append_record(body, RecordType::Entry, entry_payload(entries[i]));
        batch.records.push_back({batch_header_bytes + start, body.size() - start,
                                 concat("the record of entry ", entries[i].index, " (term ",
                                        entries[i].term, ") in batch ", sequence)});
    }
    ASSERT_LE(body.size(), batch_body_bytes_max);
    ByteWriter header;
    header.u64(sequence);
    header.u32(static_cast<std::uint32_t>(body.size()));
    header.u32(crc32c(body));
    append_record(batch.bytes, RecordType::BatchHeader, header.buffer());
    ASSERT_EQ(batch.bytes.size(), batch_header_bytes);
    RecordExtent header_extent{0, batch_header_bytes, concat("the header of batch ", sequence)};
    batch.records.insert(batch.records.begin(), std::move(header_extent));
    batch.bytes.insert(batch.bytes.end(), body.begin(), body.end());
    return batch;
}

Result<RecoveredLog> recover_log(ByteView image) {
    Recovery recovery;
    std::size_t offset = 0;
    while (offset < image.size()) {
        // A torn write is the only way the image can end inside a header: flips keep lengths.
        if (image.size() - offset < batch_header_bytes) break;
        const std::uint64_t expected = recovery.last_sequence + 1;
        Result<BatchHeader> header = read_header(image, offset, expected);
        if (!header) return header.error();
        const std::size_t body_start = offset + batch_header_bytes;
        // The same holds for a body shorter than its checksummed header announces.
        if (image.size() - body_start < header.value().body_bytes) break;
        if (auto error = apply_body(image, body_start, header.value(), recovery)) return *error;
        recovery.last_sequence = expected;
        offset = body_start + header.value().body_bytes;
    }
    ASSERT_LE(offset, image.size());
    return RecoveredLog{std::move(recovery.state), recovery.last_sequence, offset};
}

}  // namespace raftlink::raft
