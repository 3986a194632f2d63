// SPDX-License-Identifier: MIT
// How the simulator's process keeps the memory its runs free.
#pragma once

namespace raftlink::simulate {

/// Asks the C library's allocator to keep freed memory for the next run rather than hand it
/// back to the kernel. Call once, before any run (sweep workers are forked after it).
void keep_freed_memory();

}  // namespace raftlink::simulate
