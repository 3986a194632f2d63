// SPDX-License-Identifier: MIT
#include "core/raft/log_record.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

#include "core/assert.h"
#include "core/crc32c.h"
#include "core/text.h"

namespace raftlink::raft {
namespace {

constexpr std::size_t length_field_bytes = 4;
constexpr std::size_t checksum_bytes = 4;

// Recovery reads fixed-size fields straight from a record whose size it checked first, rather
// than through a ByteReader: it decodes every record of the image on every restart.
// On a little-endian machine the image's integers are the machine's own, so one memcpy moves
// each (GCC does not merge the byte-wise loop into one load or store by itself).
template <typename Integer>
Integer load_le(const std::uint8_t* in) {
    Integer value = 0;
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(&value, in, sizeof value);
    } else {
        for (std::size_t i = sizeof value; i > 0; --i) value = (value << 8) | in[i - 1];
    }
    return value;
}

template <typename Integer>
void store_le(std::uint8_t* out, Integer value) {
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(out, &value, sizeof value);
    } else {
        for (std::size_t i = 0; i < sizeof value; ++i) {
            out[i] = static_cast<std::uint8_t>(value >> (8 * i));
        }
    }
}

// Precondition: the field lies inside `bytes` (the callers check sizes first).
std::uint32_t read_u32(ByteView bytes, std::size_t offset) {
    return load_le<std::uint32_t>(bytes.data() + offset);
}

std::uint64_t read_u64(ByteView bytes, std::size_t offset) {
    return load_le<std::uint64_t>(bytes.data() + offset);
}

// The encoder writes into a buffer sized up front, through a cursor: one allocation per batch
// and no per-byte bounds or capacity checks.
void store_u32(std::uint8_t* out, std::uint32_t value) { store_le(out, value); }
void store_u64(std::uint8_t* out, std::uint64_t value) { store_le(out, value); }

// Writes one record, `length | type | payload | crc`, at `out`, whose payload
// (`payload_bytes` of them) `fill_payload(payload)` writes. The CRC covers the length and the
// type too, so a flipped length or type is caught like any other flip. Returns the end.
template <typename Fill>
std::uint8_t* put_record(std::uint8_t* out, RecordType type, std::size_t payload_bytes,
                         const Fill& fill_payload) {
    ASSERT_LE(payload_bytes, batch_body_bytes_max);
    store_u32(out, static_cast<std::uint32_t>(1 + payload_bytes));
    out[length_field_bytes] = static_cast<std::uint8_t>(type);
    std::uint8_t* const payload = out + length_field_bytes + 1;
    fill_payload(payload);
    std::uint8_t* const crc = payload + payload_bytes;
    store_u32(crc, crc32c(ByteView(out, static_cast<std::size_t>(crc - out))));
    return crc + checksum_bytes;
}

std::uint8_t* put_hard_state(std::uint8_t* out, const HardState& hard_state) {
    return put_record(out, RecordType::HardState, 16, [&](std::uint8_t* payload) {
        store_u64(payload, hard_state.current_term.value);
        store_u64(payload + 8, hard_state.voted_for.value);
    });
}

// The entry payload: u64 term | u64 index | u32 data length | data (ByteWriter::bytes).
std::uint8_t* put_entry(std::uint8_t* out, const Entry& entry) {
    return put_record(out, RecordType::Entry, 20 + entry.data.size(), [&](std::uint8_t* payload) {
        store_u64(payload, entry.term.value);
        store_u64(payload + 8, entry.index.value);
        store_u32(payload + 16, static_cast<std::uint32_t>(entry.data.size()));
        if (!entry.data.empty()) std::memcpy(payload + 20, entry.data.data(), entry.data.size());
    });
}

// One record as found in the image. `problem` is None when the frame and checksum are good;
// its words are built only for an error (recovery reads every record of every restart).
enum class RecordProblem : std::uint8_t { None, CutShort, LengthMisfit, Checksum };

struct RawRecord {
    std::uint8_t type = 0;
    ByteView payload;
    std::size_t bytes = 0;
    RecordProblem problem = RecordProblem::None;
    std::size_t length = 0;  // the length field, for LengthMisfit
};

std::string problem_text(const RawRecord& record) {
    switch (record.problem) {
        case RecordProblem::None: break;
        case RecordProblem::CutShort: return "the record is cut short";
        case RecordProblem::LengthMisfit:
            return concat("the record's length ", record.length, " does not fit its batch");
        case RecordProblem::Checksum: return "the record fails its checksum";
    }
    UNREACHABLE();
}

// Reads the record at `offset` of `region`; it must lie wholly inside the region.
RawRecord read_record(ByteView region, std::size_t offset) {
    RawRecord record;
    const std::size_t left = region.size() - offset;
    if (left < record_overhead_bytes) {
        record.problem = RecordProblem::CutShort;
        return record;
    }
    const std::size_t length = read_u32(region, offset);
    if (length == 0 || length > left - length_field_bytes - checksum_bytes) {
        record.problem = RecordProblem::LengthMisfit;
        record.length = length;
        return record;
    }
    record.bytes = length_field_bytes + length + checksum_bytes;
    const ByteView covered = region.subspan(offset, length_field_bytes + length);
    if (crc32c(covered) != read_u32(region, offset + length_field_bytes + length)) {
        record.problem = RecordProblem::Checksum;
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
    if (raw.problem != RecordProblem::None) {
        return corrupt_at(offset, concat(name(), ": ", problem_text(raw)));
    }
    if (raw.type != static_cast<std::uint8_t>(RecordType::BatchHeader)) {
        return corrupt_at(offset, concat(name(), " has record type ", unsigned{raw.type}));
    }
    if (raw.payload.size() != 16) return corrupt_at(offset, name() + " is malformed");
    BatchHeader header;
    header.sequence = read_u64(raw.payload, 0);
    header.body_bytes = read_u32(raw.payload, 8);
    header.body_crc = read_u32(raw.payload, 12);
    if (header.sequence != expected) {
        return corrupt_at(offset, concat(name(), " carries sequence ", header.sequence));
    }
    return header;
}

// The state rebuilt so far, and the checks that make impossible histories errors. Entries are
// where their payloads lie: recovery copies no payload (every restart reads the image).
struct Recovery {
    RecoveredLog log;

    std::optional<Error> apply(const HardState& hard_state, std::size_t offset) {
        // Figure 2: currentTerm only increases, so a stored term never goes back.
        if (hard_state.current_term < log.hard_state.current_term) {
            return corrupt_at(offset, concat("the hard state's term ", hard_state.current_term,
                                             " goes back from ", log.hard_state.current_term));
        }
        log.hard_state = hard_state;
        return std::nullopt;
    }

    // `data_offset` is where the payload lies in the image, `offset` where its record does.
    std::optional<Error> apply(Term term, LogIndex index, std::size_t data_offset,
                               std::size_t data_bytes, std::size_t offset) {
        std::vector<RecoveredEntry>& entries = log.entries;
        const std::uint64_t last = entries.size();
        if (index.value == 0 || index.value > last + 1) {
            return corrupt_at(offset, concat("entry ", index, " leaves a gap after entry ", last));
        }
        // §5.3: an entry at index i replaces whatever the log held from i on.
        if (index.value <= last) entries.resize(index.value - 1);
        // §5.3 (Log Matching) implies terms never decrease along a log.
        if (!entries.empty() && term < entries.back().term) {
            return corrupt_at(offset, concat("entry ", index, " has term ", term,
                                             ", below the previous entry's ",
                                             entries.back().term));
        }
        entries.push_back(RecoveredEntry{term, data_offset, data_bytes});
        return std::nullopt;
    }
};

// Decodes one checksummed record of a body and applies it. `previous` tracks the entries of
// this batch, whose indexes must be consecutive. The payload sizes are those that
// ByteWriter's encoding gives (see the layout in log_record.h); any other size is malformed.
template <typename Name>
std::optional<Error> apply_record(const RawRecord& raw, std::size_t offset, const Name& name,
                                  std::optional<LogIndex>& previous, Recovery& recovery) {
    const ByteView payload = raw.payload;
    if (raw.type == static_cast<std::uint8_t>(RecordType::HardState)) {
        if (payload.size() != 16) return corrupt_at(offset, name() + " is malformed");
        const HardState hard_state{Term(read_u64(payload, 0)), NodeId(read_u64(payload, 8))};
        return recovery.apply(hard_state, offset);
    }
    if (raw.type == static_cast<std::uint8_t>(RecordType::Entry)) {
        constexpr std::size_t fixed_bytes = 8 + 8 + 4;
        if (payload.size() < fixed_bytes) return corrupt_at(offset, name() + " is malformed");
        const std::uint32_t data_bytes = read_u32(payload, 16);
        if (data_bytes > batch_body_bytes_max || payload.size() - fixed_bytes != data_bytes) {
            return corrupt_at(offset, name() + " is malformed");
        }
        const Term term(read_u64(payload, 0));
        const LogIndex index(read_u64(payload, 8));
        if (previous && index != *previous + 1) {
            return corrupt_at(offset, concat(name(), " holds entry ", index, " after entry ",
                                             *previous));
        }
        previous = index;
        // The record at `offset` is its length, its type, then the payload.
        const std::size_t data_offset = offset + length_field_bytes + 1 + fixed_bytes;
        return recovery.apply(term, index, data_offset, data_bytes, offset);
    }
    return corrupt_at(offset, concat(name(), " has record type ", unsigned{raw.type}));
}

// Applies the records of a complete body. Each record's own checksum names the damaged record;
// the header's body checksum then guarantees that no flip in the framing slipped through.
// The records lie back to back and cover the body, each checked against its own checksum
// before it counts, so the body's checksum is extended record by record from those
// (crc32c_extend_checked_record) rather than read from the bytes a second time.
std::optional<Error> apply_body(ByteView image, std::size_t body_start, const BatchHeader& header,
                                Recovery& recovery) {
    const ByteView body = image.subspan(body_start, header.body_bytes);
    std::optional<LogIndex> previous;
    std::size_t offset = 0;
    std::uint32_t body_crc = 0;
    for (std::size_t ordinal = 1; offset < body.size(); ++ordinal) {
        const RawRecord raw = read_record(body, offset);
        // Named only for a message: recovery reads every record of every restart.
        const auto name = [&] { return concat("record ", ordinal, " of batch ", header.sequence); };
        if (raw.problem != RecordProblem::None) {
            return corrupt_at(body_start + offset, concat(name(), ": ", problem_text(raw)));
        }
        auto error = apply_record(raw, body_start + offset, name, previous, recovery);
        if (error) return error;
        body_crc = crc32c_extend_checked_record(body_crc, body.subspan(offset, raw.bytes));
        offset += raw.bytes;
    }
    ASSERT_EQ(offset, body.size());
    if (body_crc != header.body_crc) {
        return corrupt_at(body_start, concat("the body of batch ", header.sequence,
                                             " fails its checksum"));
    }
    return std::nullopt;
}

}  // namespace

EncodedBatch encode_batch(std::uint64_t sequence, const std::optional<HardState>& hard_state,
                          std::span<const Entry> entries) {
    EncodedBatch batch;
    encode_batch_into(sequence, hard_state, entries, batch.bytes, batch.records);
    return batch;
}

void encode_batch_into(std::uint64_t sequence, const std::optional<HardState>& hard_state,
                       std::span<const Entry> entries, Bytes& bytes,
                       std::vector<RecordExtent>& records, std::size_t offset_base) {
    ASSERT_GE(sequence, 1U);
    std::size_t body_bytes = hard_state ? record_overhead_bytes + 16 : 0;
    for (const Entry& entry : entries) body_bytes += record_overhead_bytes + 20 + entry.data.size();
    ASSERT_LE(body_bytes, batch_body_bytes_max);
    const std::size_t batch_start = bytes.size();
    bytes.resize(batch_start + batch_header_bytes + body_bytes);
    // No reserve(records.size() + n): into a long-lived vector, an exact reserve per batch
    // would reallocate it every time instead of growing it geometrically.
    if (records.empty()) records.reserve(1 + (hard_state ? 1 : 0) + entries.size());
    std::uint8_t* const begin = bytes.data() + batch_start;
    // Where a record that starts at `at` lies, as the caller counts.
    const auto offset_of = [&](const std::uint8_t* at) {
        return offset_base + static_cast<std::size_t>(at - begin);
    };
    // The body first: the header, which goes in front of it, carries the body's checksum,
    // extended record by record from the records' own checksums
    // (crc32c_extend_checked_record): the body's bytes are not read a second time.
    std::uint8_t* out = begin + batch_header_bytes;
    std::uint32_t body_crc = 0;
    records.push_back({offset_base, batch_header_bytes, RecordType::BatchHeader, sequence,
                       Term(0), LogIndex(0), no_node});
    if (hard_state) {
        std::uint8_t* const start = out;
        out = put_hard_state(out, *hard_state);
        const std::size_t record_bytes = static_cast<std::size_t>(out - start);
        body_crc = crc32c_extend_checked_record(body_crc, ByteView(start, record_bytes));
        records.push_back({offset_of(start), record_bytes, RecordType::HardState, sequence,
                           hard_state->current_term, LogIndex(0), hard_state->voted_for});
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        ASSERT_GE(entries[i].index, LogIndex(1));
        if (i > 0) ASSERT_EQ(entries[i].index, entries[i - 1].index + 1);
        std::uint8_t* const start = out;
        out = put_entry(out, entries[i]);
        const std::size_t record_bytes = static_cast<std::size_t>(out - start);
        body_crc = crc32c_extend_checked_record(body_crc, ByteView(start, record_bytes));
        records.push_back({offset_of(start), record_bytes, RecordType::Entry, sequence,
                           entries[i].term, entries[i].index, no_node});
    }
    ASSERT_EQ(static_cast<std::size_t>(out - begin), batch_header_bytes + body_bytes);
    const std::uint8_t* const header_end =
        put_record(begin, RecordType::BatchHeader, 16, [&](std::uint8_t* payload) {
            store_u64(payload, sequence);
            store_u32(payload + 8, static_cast<std::uint32_t>(body_bytes));
            store_u32(payload + 12, body_crc);
        });
    ASSERT_EQ(static_cast<std::size_t>(header_end - begin), batch_header_bytes);
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

std::vector<Entry> copy_entries(const RecoveredLog& recovered, ByteView image) {
    std::vector<Entry> entries;
    entries.reserve(recovered.entries.size());
    for (const RecoveredEntry& entry : recovered.entries) {
        const ByteView data = image.subspan(entry.offset, entry.bytes);
        entries.push_back(
            Entry{entry.term, LogIndex(entries.size() + 1), Bytes(data.begin(), data.end())});
    }
    return entries;
}

PackedEntries pack_entries(const RecoveredLog& recovered, ByteView image) {
    PackedEntries packed;
    std::size_t bytes = 0;
    for (const RecoveredEntry& entry : recovered.entries) bytes += entry.bytes;
    // With room to grow, as the log would have grown them: it takes both over (a node's log
    // after a restart) and appends to them, and an exact fit was copied whole at the first
    // append.
    packed.payloads.reserve(Log::packed_payload_capacity(bytes));
    packed.ends.reserve(2 * recovered.entries.size());
    for (std::size_t i = 0; i < recovered.entries.size(); ++i) {
        const RecoveredEntry& entry = recovered.entries[i];
        if (packed.term_starts.empty() || packed.term_starts.back().second != entry.term) {
            packed.term_starts.emplace_back(LogIndex(i + 1), entry.term);
        }
        const ByteView data = image.subspan(entry.offset, entry.bytes);
        packed.payloads.insert(packed.payloads.end(), data.begin(), data.end());
        packed.ends.push_back(packed.payloads.size());
    }
    return packed;
}

PersistentState copy_state(const RecoveredLog& recovered, ByteView image) {
    return PersistentState{recovered.hard_state, copy_entries(recovered, image), {}};
}

Result<RecoveredLog> recover_log(ByteView image) { return recover_log(image, RecoveredLog{}); }

Result<RecoveredLog> recover_log(ByteView image, RecoveredLog from) {
    ASSERT_LE(from.valid_bytes, image.size());
    Recovery recovery{std::move(from)};
    std::uint64_t& last_sequence = recovery.log.last_sequence;
    std::size_t offset = recovery.log.valid_bytes;
    while (offset < image.size()) {
        // A torn write is the only way the image can end inside a header: flips keep lengths.
        if (image.size() - offset < batch_header_bytes) break;
        const std::uint64_t expected = last_sequence + 1;
        Result<BatchHeader> header = read_header(image, offset, expected);
        if (!header) return header.error();
        const std::size_t body_start = offset + batch_header_bytes;
        // The same holds for a body shorter than its checksummed header announces.
        if (image.size() - body_start < header.value().body_bytes) break;
        if (auto error = apply_body(image, body_start, header.value(), recovery)) return *error;
        last_sequence = expected;
        offset = body_start + header.value().body_bytes;
    }
    ASSERT_LE(offset, image.size());
    recovery.log.valid_bytes = offset;
    return std::move(recovery.log);
}

}  // namespace raftlink::raft
