// SPDX-License-Identifier: MIT
// The write-ahead log's segment files: naming, the segment header, and recovery of one
// segment's bytes. Pure: no I/O, no threads, no logging, so every defect is testable in memory.
//
// A segment is `wal/NNNNNNNN.log` (8 decimal digits, numbered from 1 without gaps):
//
//   segment header record   type 0x10, payload = u64 magic | u32 version | u64 segment number
//                                                | u64 sequence of its first batch
//   batch, batch, ...       exactly core/raft/log_record.h's batches (raft::encode_batch):
//                           a checksummed header announcing the body's size and CRC, then a
//                           hard state record and/or entry records, each with its own CRC32C
//
// Records share log_record.h's framing (u32 length | u8 type | payload | u32 crc32c over the
// length, type and payload). Batch sequences continue across segments, and an entry with index
// i replaces every stored entry from i on (Raft §5.3), so replaying the segments in order
// rebuilds exactly the log the writes described: truncation needs no record of its own.
//
// Torn tail versus corruption (only the newest segment can have a torn tail: a segment is
// complete and fsynced before its successor is created). Scanning stops at the first batch
// that does not check out, at file offset X, and calls the rest a torn tail only when:
//   (a) fewer bytes than a batch header remain, or a valid header announces a body that runs
//       past the end of the file. A kill -9 can only cut a write short (the page cache keeps
//       every byte write() accepted), and no bit flip changes a file's length; or
//   (b) the failing batch reaches the end of the file and a block of it (the bytes between two
//       4 KiB file boundaries) reads as zeros: a power loss after the file system extended the
//       file but before the data reached the disk (etcd's "torn entry" rule). A valid batch
//       never holds such a block unless an entry carries zeros there, and then a flip
//       elsewhere in that same last batch would also be needed.
// Anything else is corruption, even in the final batch: a complete batch whose checksum fails
// may have been acknowledged, and dropping it could lose a vote or a committed entry. Refusing
// to start is safe; the operator decides. Also corruption: bytes after a complete bad batch, a
// bad record in any older segment, sequence gaps, index gaps, terms that go backwards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/raft/log_record.h"
#include "core/raft/ready.h"
#include "core/result.h"
#include "core/types.h"

namespace raftlink::real {

/// Record type of the segment header; log_record.h's types are 1..3.
constexpr std::uint8_t segment_header_record_type = 0x10;
constexpr std::uint64_t segment_magic = 0x31304c4157524c52ULL;  // "RLRWAL01", little-endian
constexpr std::uint32_t segment_format_version = 1;
constexpr std::size_t segment_header_bytes = raft::record_overhead_bytes + 8 + 4 + 8 + 8;
/// The unit a file system writes back; a zero-filled block of the tail marks a lost write.
constexpr std::size_t wal_block_bytes = 4096;

/// "00000003.log" for segment 3; segment numbers start at 1.
std::string segment_file_name(std::uint64_t number);
/// The number of a segment file name, or nullopt if `name` is not one.
std::optional<std::uint64_t> parse_segment_file_name(const std::string& name);

/// The header that opens segment `number`, whose first batch has sequence `first_sequence`.
Bytes encode_segment_header(std::uint64_t number, std::uint64_t first_sequence);

/// What the segments scanned so far rebuilt. Scanning segments in order extends it.
struct WalState {
    raft::PersistentState state;
    /// The sequence of the last complete batch; 0 before the first.
    std::uint64_t last_sequence = 0;
    /// The hard state of the last batch that carried one.
    std::optional<raft::HardState> last_hard_state;
};

struct SegmentInfo {
    /// How errors and warnings name the file, e.g. "wal/00000003.log".
    std::string name;
    std::uint64_t number = 0;
    /// Only the newest segment may end in a torn tail.
    bool newest = false;
};

struct SegmentScan {
    /// The end of the last complete batch (0 if even the header is torn). Bytes after it are a
    /// torn tail, to be truncated before anything is appended.
    std::size_t valid_bytes = 0;
    /// Why the tail was judged torn; nullopt when the segment ends cleanly.
    std::optional<std::string> torn_reason;
};

/// Scans one segment's bytes, applying its batches to `wal`. An Error (ErrorCode::Corrupt)
/// reads "<name>: corrupt record at offset <n>: <reason>"; `wal` is then unusable. Never
/// asserts on the bytes.
Result<SegmentScan> scan_segment(ByteView bytes, const SegmentInfo& info, WalState& wal);

}  // namespace raftlink::real
