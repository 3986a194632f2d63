// SPDX-License-Identifier: MIT
#include "io/real/wal_format.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <variant>
#include <vector>

#include "core/assert.h"
#include "core/codec.h"
#include "core/crc32c.h"
#include "core/text.h"

namespace raftlink::real {
namespace {

constexpr std::size_t length_field_bytes = 4;
constexpr std::size_t checksum_bytes = 4;
/// A zero-filled stretch shorter than this is not evidence of a lost block: a few zero bytes
/// are common in valid records (the high bytes of an index), but never sixteen in a row that
/// end a batch, whose last four bytes are a CRC.
constexpr std::size_t zero_evidence_bytes_min = 16;

std::uint32_t read_u32(ByteView bytes, std::size_t offset) {
    ByteReader reader(bytes.subspan(offset, 4));
    return reader.u32();
}

// Why a scan stopped: the file offset of the bad record and what is wrong with it.
struct Defect {
    std::size_t offset = 0;
    std::string reason;
};

struct RawRecord {
    std::uint8_t type = 0;
    ByteView payload;
    std::size_t bytes = 0;
};

// Reads the record at `offset`, which must end at or before `end`.
std::variant<RawRecord, Defect> read_record(ByteView image, std::size_t offset, std::size_t end) {
    ASSERT_LE(offset, end);
    ASSERT_LE(end, image.size());
    const std::size_t left = end - offset;
    if (left < raft::record_overhead_bytes) return Defect{offset, "record cut short"};
    const std::size_t length = read_u32(image, offset);
    if (length == 0 || length > left - length_field_bytes - checksum_bytes) {
        return Defect{offset, concat("record length ", length, " does not fit")};
    }
    const ByteView covered = image.subspan(offset, length_field_bytes + length);
    if (crc32c(covered) != read_u32(image, offset + length_field_bytes + length)) {
        return Defect{offset, "checksum mismatch"};
    }
    RawRecord record;
    record.type = image[offset + length_field_bytes];
    record.payload = image.subspan(offset + length_field_bytes + 1, length - 1);
    record.bytes = length_field_bytes + length + checksum_bytes;
    return record;
}

// True if [from, to) shows the mark of a write the disk never received: it is all zeros, or
// one of its pieces between wal_block_bytes file boundaries is (see the header, rule (b)).
bool has_zero_block(ByteView image, std::size_t from, std::size_t to) {
    const auto zero = [&](std::size_t begin, std::size_t end) {
        return std::all_of(image.begin() + static_cast<std::ptrdiff_t>(begin),
                           image.begin() + static_cast<std::ptrdiff_t>(end),
                           [](std::uint8_t byte) { return byte == 0; });
    };
    if (from < to && zero(from, to)) return true;
    for (std::size_t begin = from; begin < to;) {
        const std::size_t end = std::min(to, (begin / wal_block_bytes + 1) * wal_block_bytes);
        if (end - begin >= zero_evidence_bytes_min && zero(begin, end)) return true;
        begin = end;
    }
    return false;
}

struct BatchHeader {
    std::uint64_t sequence = 0;
    std::uint32_t body_bytes = 0;
    std::uint32_t body_crc = 0;
};

std::variant<BatchHeader, Defect> read_batch_header(ByteView image, std::size_t offset) {
    auto raw = read_record(image, offset, offset + raft::batch_header_bytes);
    if (auto* defect = std::get_if<Defect>(&raw)) return *defect;
    const RawRecord& record = std::get<RawRecord>(raw);
    if (record.type != static_cast<std::uint8_t>(raft::RecordType::BatchHeader)) {
        return Defect{offset, concat("expected a batch header, found record type ",
                                     unsigned{record.type})};
    }
    ByteReader reader(record.payload);
    BatchHeader header;
    header.sequence = reader.u64();
    header.body_bytes = reader.u32();
    header.body_crc = reader.u32();
    if (!reader.ok() || !reader.at_end()) return Defect{offset, "malformed batch header"};
    return header;
}

using BodyRecord = std::variant<raft::HardState, raft::Entry>;

struct DecodedRecord {
    std::size_t offset = 0;
    BodyRecord record;
};

std::variant<BodyRecord, Defect> decode_body_record(const RawRecord& raw, std::size_t offset) {
    ByteReader reader(raw.payload);
    if (raw.type == static_cast<std::uint8_t>(raft::RecordType::HardState)) {
        raft::HardState hard_state{Term(reader.u64()), NodeId(reader.u64())};
        if (!reader.ok() || !reader.at_end()) return Defect{offset, "malformed hard state"};
        return hard_state;
    }
    if (raw.type == static_cast<std::uint8_t>(raft::RecordType::Entry)) {
        raft::Entry entry;
        entry.term = Term(reader.u64());
        entry.index = LogIndex(reader.u64());
        entry.data = reader.bytes(static_cast<std::uint32_t>(raft::batch_body_bytes_max));
        if (!reader.ok() || !reader.at_end()) return Defect{offset, "malformed entry"};
        return entry;
    }
    return Defect{offset, concat("unknown record type ", unsigned{raw.type})};
}

// Decodes every record of the body [begin, end) and checks the header's body checksum, which
// catches a flip in the framing that happened to leave each record's own checksum intact.
std::variant<std::vector<DecodedRecord>, Defect> decode_body(ByteView image, std::size_t begin,
                                                             std::size_t end,
                                                             std::uint32_t body_crc) {
    std::vector<DecodedRecord> records;
    for (std::size_t offset = begin; offset < end;) {
        auto raw = read_record(image, offset, end);
        if (auto* defect = std::get_if<Defect>(&raw)) return *defect;
        auto decoded = decode_body_record(std::get<RawRecord>(raw), offset);
        if (auto* defect = std::get_if<Defect>(&decoded)) return *defect;
        records.push_back({offset, std::move(std::get<BodyRecord>(decoded))});
        offset += std::get<RawRecord>(raw).bytes;
    }
    if (crc32c(image.subspan(begin, end - begin)) != body_crc) {
        return Defect{begin, "checksum mismatch in batch body"};
    }
    return records;
}

// Applies one checksummed batch; failures here are impossible histories, never torn writes.
std::optional<Defect> apply_batch(std::vector<DecodedRecord>& records, WalState& wal) {
    std::optional<LogIndex> previous;
    for (DecodedRecord& decoded : records) {
        if (auto* hard_state = std::get_if<raft::HardState>(&decoded.record)) {
            // Figure 2: currentTerm only increases.
            if (hard_state->current_term < wal.state.hard_state.current_term) {
                return Defect{decoded.offset, "hard state term goes backwards"};
            }
            wal.state.hard_state = *hard_state;
            wal.last_hard_state = *hard_state;
            continue;
        }
        raft::Entry& entry = std::get<raft::Entry>(decoded.record);
        std::vector<raft::Entry>& entries = wal.state.entries;
        if (entry.index.value == 0 || entry.index.value > entries.size() + 1) {
            return Defect{decoded.offset, concat("entry ", entry.index, " leaves a gap after ",
                                                 entries.size())};
        }
        if (previous && entry.index != *previous + 1) {
            return Defect{decoded.offset, concat("entry ", entry.index, " follows ", *previous)};
        }
        previous = entry.index;
        // Raft §5.3: an entry at index i replaces whatever the log held from i on.
        entries.resize(entry.index.value - 1);
        // Log Matching (§5.3) implies terms never decrease along a log.
        if (!entries.empty() && entry.term < entries.back().term) {
            return Defect{decoded.offset, concat("entry ", entry.index, " has a term below ",
                                                 "its predecessor's")};
        }
        entries.push_back(std::move(entry));
    }
    return std::nullopt;
}

Error corrupt(const SegmentInfo& info, const Defect& defect) {
    return make_error(ErrorCode::Corrupt, concat(info.name, ": corrupt record at offset ",
                                                 defect.offset, ": ", defect.reason));
}

// The first defect of a segment, and whether rule (a) or (b) of the header makes it torn.
struct Stop {
    Defect defect;
    bool torn = false;
};

std::optional<Stop> check_segment_header(ByteView image, const SegmentInfo& info,
                                         const WalState& wal) {
    if (image.size() < segment_header_bytes) {
        return Stop{{0, "segment header cut short"}, true};
    }
    auto raw = read_record(image, 0, segment_header_bytes);
    if (auto* defect = std::get_if<Defect>(&raw)) {
        return Stop{*defect, has_zero_block(image, 0, image.size())};
    }
    const RawRecord& record = std::get<RawRecord>(raw);
    ByteReader reader(record.payload);
    const std::uint64_t magic = reader.u64();
    const std::uint32_t version = reader.u32();
    const std::uint64_t number = reader.u64();
    const std::uint64_t first_sequence = reader.u64();
    if (record.type != segment_header_record_type || !reader.ok() || !reader.at_end() ||
        magic != segment_magic) {
        return Stop{{0, "not a raftlink WAL segment header"}, false};
    }
    if (version != segment_format_version) {
        return Stop{{0, concat("unsupported segment format version ", version)}, false};
    }
    if (number != info.number) {
        return Stop{{0, concat("header names segment ", number)}, false};
    }
    if (first_sequence != wal.last_sequence + 1) {
        return Stop{{0, concat("segment starts at batch ", first_sequence, " but batch ",
                               wal.last_sequence + 1, " is next")}, false};
    }
    return std::nullopt;
}

// Scans the batch at `offset`; on success applies it and returns its end in `next`.
std::optional<Stop> scan_batch(ByteView image, std::size_t offset, WalState& wal,
                               std::size_t& next) {
    if (image.size() - offset < raft::batch_header_bytes) {
        return Stop{{offset, "batch header cut short"}, true};
    }
    auto header = read_batch_header(image, offset);
    if (auto* defect = std::get_if<Defect>(&header)) {
        return Stop{*defect, has_zero_block(image, offset, image.size())};
    }
    const BatchHeader& batch = std::get<BatchHeader>(header);
    if (batch.sequence != wal.last_sequence + 1) {
        return Stop{{offset, concat("batch ", batch.sequence, " where batch ",
                                    wal.last_sequence + 1, " was expected")}, false};
    }
    const std::size_t body_begin = offset + raft::batch_header_bytes;
    if (batch.body_bytes > image.size() - body_begin) {
        return Stop{{offset, concat("batch ", batch.sequence, " cut short")}, true};
    }
    const std::size_t body_end = body_begin + batch.body_bytes;
    auto body = decode_body(image, body_begin, body_end, batch.body_crc);
    if (auto* defect = std::get_if<Defect>(&body)) {
        const bool last = body_end == image.size();
        return Stop{*defect, last && has_zero_block(image, offset, body_end)};
    }
    if (auto defect = apply_batch(std::get<std::vector<DecodedRecord>>(body), wal)) {
        return Stop{*defect, false};
    }
    wal.last_sequence = batch.sequence;
    next = body_end;
    return std::nullopt;
}

}  // namespace

std::string segment_file_name(std::uint64_t number) {
    ASSERT_GE(number, 1U);
    ASSERT_LE(number, 99'999'999U);
    char name[16];
    std::snprintf(name, sizeof name, "%08llu.log", static_cast<unsigned long long>(number));
    return name;
}

std::optional<std::uint64_t> parse_segment_file_name(const std::string& name) {
    constexpr std::size_t digits = 8;
    if (name.size() != digits + 4 || name.compare(digits, 4, ".log") != 0) return std::nullopt;
    std::uint64_t number = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        if (name[i] < '0' || name[i] > '9') return std::nullopt;
        number = number * 10 + static_cast<std::uint64_t>(name[i] - '0');
    }
    if (number == 0) return std::nullopt;
    return number;
}

Bytes encode_segment_header(std::uint64_t number, std::uint64_t first_sequence) {
    ASSERT_GE(number, 1U);
    ASSERT_GE(first_sequence, 1U);
    ByteWriter record;
    record.u32(static_cast<std::uint32_t>(1 + 8 + 4 + 8 + 8));
    record.u8(segment_header_record_type);
    record.u64(segment_magic);
    record.u32(segment_format_version);
    record.u64(number);
    record.u64(first_sequence);
    record.u32(crc32c(record.buffer()));
    Bytes bytes = record.take();
    ASSERT_EQ(bytes.size(), segment_header_bytes);
    return bytes;
}

Result<SegmentScan> scan_segment(ByteView bytes, const SegmentInfo& info, WalState& wal) {
    SegmentScan scan;
    // A newest segment with no bytes at all was created just before a crash: nothing to drop.
    if (bytes.empty() && info.newest) return scan;
    std::optional<Stop> stop = check_segment_header(bytes, info, wal);
    std::size_t offset = stop ? 0 : segment_header_bytes;
    while (!stop && offset < bytes.size()) {
        std::size_t next = offset;
        stop = scan_batch(bytes, offset, wal, next);
        if (!stop) {
            ASSERT_GT(next, offset);
            offset = next;
        }
    }
    ASSERT_LE(offset, bytes.size());
    if (!stop) {
        scan.valid_bytes = offset;
        return scan;
    }
    if (!stop->torn || !info.newest) return corrupt(info, stop->defect);
    scan.valid_bytes = offset;
    scan.torn_reason = concat(stop->defect.reason, " at offset ", stop->defect.offset);
    return scan;
}

}  // namespace raftlink::real
