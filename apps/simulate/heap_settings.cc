// SPDX-License-Identifier: MIT
#include "apps/simulate/heap_settings.h"

#include <climits>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace raftlink::simulate {

void keep_freed_memory() {
#if defined(__GLIBC__)
    // glibc returns the free top of its heap to the kernel once it exceeds M_TRIM_THRESHOLD,
    // and serves each block above M_MMAP_THRESHOLD (a raft::Log's 1 MiB payload block, a
    // disk image) from a mapping of its own, unmapped when freed. A run builds and frees the
    // same structures again and again (every restart builds a node anew), and a sweep worker
    // runs seed after seed, so each time the kernel had to map and zero the pages again:
    // `speed-5` seeds 1..20 in one worker took 16,230 page faults, 4,241 with these settings,
    // and 838 ms of CPU against 758 ms (perf stat, five sweeps each, on a busy machine).
    // Memory stays bounded by the largest run's peak. 32 MiB is the largest mmap threshold
    // glibc accepts on 64-bit systems.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

}  // namespace raftlink::simulate
