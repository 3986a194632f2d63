// SPDX-License-Identifier: MIT
// The on-disk form of Raft's persistent state (Figure 2): an append-only image of write
// batches, shared by the simulator's SimDisk and the real write-ahead log.
//
// Layout. The image is a sequence of batches. Each batch is one fixed-size header record
// followed by the records it announces:
//
//   record = u32 length | u8 type | payload (length - 1 bytes) | u32 crc32c(length..payload)
//   header payload       = u64 sequence | u32 body_bytes | u32 crc32c(body)
//   hard state payload   = u64 current_term | u64 voted_for
//   entry payload        = u64 term | u64 index | u32 data length | data
//
// All integers are little-endian. Sequences count batches from 1 without gaps. A batch holds
// at most one hard state record (first) and then entries with consecutive indexes; an entry
// with index i replaces every stored entry from i on (Raft §5.3: a follower's conflicting
// suffix is deleted), so no separate truncation record exists.
//
// Torn writes versus bit flips. A crash can only cut the image short; a bit flip can never
// change its length. A batch therefore announces its size up front, in a header whose size is
// fixed and which carries its own checksum. Recovery reads batch by batch:
//   - fewer bytes left than a header, or a valid header announcing more body bytes than are
//     left: the image ends inside the last write, which never completed its fsync and so was
//     never acknowledged. That torn tail is dropped and recovery succeeds.
//   - a complete header that fails its checksum, a complete body that fails the header's body
//     checksum or any record's own checksum, or records that decode to something impossible
//     (an index gap, a term going backwards, a sequence gap): corruption. Recovery returns
//     ErrorCode::Corrupt naming the byte offset and the record, and the node must not start.
// NB: so a bit flip in the LAST acknowledged batch is still corruption, never a torn tail:
// the header states that the batch is complete, and a flip cannot make it look short. The
// only bytes recovery ever drops are bytes of a write that never completed its fsync. This is
// why recovery never presents a corrupted or a lost acknowledged entry as valid (a single
// flip always breaks a CRC-32C; several flips get past it with probability about 2^-32).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/raft/ready.h"
#include "core/result.h"
#include "core/types.h"

namespace raftlink::raft {

enum class RecordType : std::uint8_t {
    BatchHeader = 1,
    HardState = 2,
    Entry = 3,
};

/// Bytes of a record around its payload: the length, the type and the checksum.
constexpr std::size_t record_overhead_bytes = 4 + 1 + 4;
/// Bytes of a whole batch header record (sequence, body_bytes, body checksum).
constexpr std::size_t batch_header_bytes = record_overhead_bytes + 8 + 4 + 4;
/// The largest batch body; larger writes are a programmer error (Replica bounds its batches).
constexpr std::size_t batch_body_bytes_max = std::size_t{256} << 20;

/// Where one record of an encoded batch lies, relative to the start of the batch, and what it
/// holds (record_name() says it in words). Used to aim and describe fault injection. The
/// words are built only when asked for: every write of every node encodes a batch.
struct RecordExtent {
    std::size_t offset = 0;
    std::size_t bytes = 0;
    RecordType type = RecordType::BatchHeader;
    std::uint64_t sequence = 0;  // the batch's
    Term term;                   // HardState: current_term; Entry: the entry's term
    LogIndex index;              // Entry only
    NodeId voted_for;            // HardState only
};

/// What `record` holds, e.g. "the record of entry 42 (term 3) in batch 7".
std::string record_name(const RecordExtent& record);

struct EncodedBatch {
    Bytes bytes;
    /// In image order: the header first, then the hard state, then the entries.
    std::vector<RecordExtent> records;
};

/// Encodes one write: its header (with `sequence`, >= 1), the hard state if any, then the
/// entries, which must have consecutive indexes starting at 1 or above.
EncodedBatch encode_batch(std::uint64_t sequence, const std::optional<HardState>& hard_state,
                          std::span<const Entry> entries);

/// encode_batch() into buffers the caller owns and reuses (the simulator encodes every write
/// of every node): appends the batch's bytes to `bytes` and its records to `records`, each
/// record's offset being `offset_base` plus its offset within the batch (a caller that keeps
/// an image passes where the batch will lie in it).
void encode_batch_into(std::uint64_t sequence, const std::optional<HardState>& hard_state,
                       std::span<const Entry> entries, Bytes& bytes,
                       std::vector<RecordExtent>& records, std::size_t offset_base = 0);

/// An entry as recovery found it: its term and where its payload lies in the image (entry i
/// of a RecoveredLog has index i + 1). Offsets rather than views, so that a parse stays valid
/// while the image grows (see recover_log(image, from)).
struct RecoveredEntry {
    Term term;
    std::size_t offset = 0;
    std::size_t bytes = 0;
};

/// What recovery found in an image.
struct RecoveredLog {
    HardState hard_state;
    std::vector<RecoveredEntry> entries;
    /// The sequence of the last complete batch (0 for none); the next write uses one more.
    std::uint64_t last_sequence = 0;
    /// The end of the last complete batch. Bytes after it are a torn tail, to be truncated
    /// before anything is appended.
    std::size_t valid_bytes = 0;
};

/// The entries of `recovered`, a parse of `image`, with their own copies of the payloads.
std::vector<Entry> copy_entries(const RecoveredLog& recovered, ByteView image);
/// The entries of `recovered`, a parse of `image`, packed: one copy of every payload into
/// one buffer.
PackedEntries pack_entries(const RecoveredLog& recovered, ByteView image);
/// The hard state and copy_entries() of `recovered`, a parse of `image`.
PersistentState copy_state(const RecoveredLog& recovered, ByteView image);

/// Parses `image` as described above. Never asserts on the bytes: every defect is either a
/// torn tail (dropped) or an Error with ErrorCode::Corrupt.
Result<RecoveredLog> recover_log(ByteView image);
/// recover_log(image), resumed after a prefix parsed before: `from` is what recover_log()
/// returned for an image whose first from.valid_bytes bytes `image` still starts with,
/// unchanged. Only the bytes after them are read; the result and any Error are those of
/// recover_log(image). (The simulator re-reads a growing disk at every restart.)
Result<RecoveredLog> recover_log(ByteView image, RecoveredLog from);

}  // namespace raftlink::raft
