// SPDX-License-Identifier: MIT
#include "core/raft/log_record.h"

#include <algorithm>
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
    return static_cast<std::uint32_t>(bytes[offset]) |
           static_cast<std::uint32_t>(bytes[offset + 1]) << 8 |
           static_cast<std::uint32_t>(bytes[offset + 2]) << 16 |
           static_cast<std::uint32_t>(bytes[offset + 3]) << 24;
}

void put_u32(Bytes& out, std::uint32_t value) {
    for (int shift = 0; shift < 32; shift += 8) {
        out.push_back(static_cast<std::uint8_t>(value >> shift));
    }
}

void put_u64(Bytes& out, std::uint64_t value) {
    for (int shift = 0; shift < 64; shift += 8) {
        out.push_back(static_cast<std::uint8_t>(value >> shift));
    }
}

// Starts a record at the end of `out`: its length (1 + payload_bytes) and type. The caller
// appends the payload, then finish_record. Encoding in place keeps a write to one buffer.
std::size_t start_record(Bytes& out, RecordType type, std::size_t payload_bytes) {
    ASSERT_LE(payload_bytes, batch_body_bytes_max);
    const std::size_t start = out.size();
    put_u32(out, static_cast<std::uint32_t>(1 + payload_bytes));
    out.push_back(static_cast<std::uint8_t>(type));
    return start;
}

// Appends the record's checksum; the CRC covers the length and the type too, so a flipped
// length or type is caught like any other flip.
void finish_record(Bytes& out, std::size_t start, std::size_t payload_bytes) {
    put_u32(out, crc32c(ByteView(out).subspan(start)));
    ASSERT_EQ(out.size() - start, record_overhead_bytes + payload_bytes);
}

// Appends `length | type | payload | crc` to `out`.
void append_hard_state(Bytes& out, const HardState& hard_state) {
    const std::size_t start = start_record(out, RecordType::HardState, 16);
    put_u64(out, hard_state.current_term.value);
    put_u64(out, hard_state.voted_for.value);
    finish_record(out, start, 16);
}

// The entry payload: u64 term | u64 index | u32 data length | data (ByteWriter::bytes).
void append_entry(Bytes& out, const Entry& entry) {
    const std::size_t payload_bytes = 8 + 8 + 4 + entry.data.size();
    const std::size_t start = start_record(out, RecordType::Entry, payload_bytes);
    put_u64(out, entry.term.value);
    put_u64(out, entry.index.value);
    put_u32(out, static_cast<std::uint32_t>(entry.data.size()));
    out.insert(out.end(), entry.data.begin(), entry.data.end());
    finish_record(out, start, payload_bytes);
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
    const auto name = [expected] { return concat("the header of batch ", expected); };
    if (!raw.problem.empty()) return corrupt_at(offset, concat(name(), ": ", raw.problem));
    if (raw.type != static_cast<std::uint8_t>(RecordType::BatchHeader)) {
        return corrupt_at(offset, concat(name(), " has record type ", unsigned{raw.type}));
    }
    ByteReader reader(raw.payload);
    BatchHeader header;
    header.sequence = reader.u64();
    header.body_bytes = reader.u32();
    header.body_crc = reader.u32();
    if (!reader.ok() || !reader.at_end()) return corrupt_at(offset, name() + " is malformed");
    if (header.sequence != expected) {
        return corrupt_at(offset, concat(name(), " carries sequence ", header.sequence));
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
template <typename Name>
std::optional<Error> apply_record(const RawRecord& raw, std::size_t offset, const Name& name,
                                  std::optional<LogIndex>& previous, Recovery& recovery) {
    ByteReader reader(raw.payload);
    if (raw.type == static_cast<std::uint8_t>(RecordType::HardState)) {
        HardState hard_state{Term(reader.u64()), NodeId(reader.u64())};
        if (!reader.ok() || !reader.at_end()) return corrupt_at(offset, name() + " is malformed");
        return recovery.apply(hard_state, offset);
    }
    if (raw.type == static_cast<std::uint8_t>(RecordType::Entry)) {
        Entry entry;
        entry.term = Term(reader.u64());
        entry.index = LogIndex(reader.u64());
        entry.data = reader.bytes(static_cast<std::uint32_t>(batch_body_bytes_max));
        if (!reader.ok() || !reader.at_end()) return corrupt_at(offset, name() + " is malformed");
        if (previous && entry.index != *previous + 1) {
            return corrupt_at(offset, concat(name(), " holds entry ", entry.index,
                                             " after entry ", *previous));
        }
        previous = entry.index;
        return recovery.apply(std::move(entry), offset);
    }
    return corrupt_at(offset, concat(name(), " has record type ", unsigned{raw.type}));
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
        // Named only for a message: recovery reads every record of every restart.
        const auto name = [&] { return concat("record ", ordinal, " of batch ", header.sequence); };
        if (!raw.problem.empty()) {
            return corrupt_at(body_start + offset, concat(name(), ": ", raw.problem));
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
    Bytes& bytes = batch.bytes;
    std::size_t body_bytes = hard_state ? record_overhead_bytes + 16 : 0;
    for (const Entry& entry : entries) body_bytes += record_overhead_bytes + 20 + entry.data.size();
    bytes.reserve(batch_header_bytes + body_bytes);
    // The header goes first with a placeholder body checksum, patched once the body is known.
    batch.records.reserve(1 + (hard_state ? 1 : 0) + entries.size());
    batch.records.push_back({0, batch_header_bytes, RecordType::BatchHeader, sequence, Term(0),
                             LogIndex(0), no_node});
    bytes.resize(batch_header_bytes);
    if (hard_state) {
        const std::size_t start = bytes.size();
        append_hard_state(bytes, *hard_state);
        batch.records.push_back({start, bytes.size() - start, RecordType::HardState, sequence,
                                 hard_state->current_term, LogIndex(0), hard_state->voted_for});
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        ASSERT_GE(entries[i].index, LogIndex(1));
        if (i > 0) ASSERT_EQ(entries[i].index, entries[i - 1].index + 1);
        const std::size_t start = bytes.size();
        append_entry(bytes, entries[i]);
        batch.records.push_back({start, bytes.size() - start, RecordType::Entry, sequence,
                                 entries[i].term, entries[i].index, no_node});
    }
    const ByteView body = ByteView(bytes).subspan(batch_header_bytes);
    ASSERT_EQ(body.size(), body_bytes);
    ASSERT_LE(body.size(), batch_body_bytes_max);
    Bytes header;
    header.reserve(batch_header_bytes);
    const std::size_t start = start_record(header, RecordType::BatchHeader, 16);
    put_u64(header, sequence);
    put_u32(header, static_cast<std::uint32_t>(body.size()));
    put_u32(header, crc32c(body));
    finish_record(header, start, 16);
    ASSERT_EQ(header.size(), batch_header_bytes);
    std::copy(header.begin(), header.end(), bytes.begin());
    return batch;
}

std::string record_name(const RecordExtent& record) {
    switch (record.type) {
        case RecordType::BatchHeader: return concat("the header of batch ", record.sequence);
        case RecordType::HardState:
            return concat("the hard state record of batch ", record.sequence, " (term ",
                          record.term, ", voted for ", record.voted_for, ")");
        case RecordType::Entry:
            return concat("the record of entry ", record.index, " (term ", record.term,
                          ") in batch ", record.sequence);
    }
    UNREACHABLE();
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
