// SPDX-License-Identifier: MIT
// Ctrl-C (SIGINT) and SIGTERM as a flag that long-running loops poll, so that a run stops
// cleanly: open loops stop launching and report what they have, and the cluster runner's
// destructors stop every node it started. A second signal ends bench at once.
#pragma once

#include <stdexcept>

namespace raftlink::bench {

/// Installs the handlers; call once at start-up. Also ignores SIGPIPE (a peer that closes a
/// socket must be an error value, not the end of the process).
void install_interrupt_handlers();

/// True once SIGINT or SIGTERM arrived.
bool interrupted();

/// Thrown by waits that notice the flag, to unwind through the RAII owners of processes.
class Interrupted : public std::runtime_error {
public:
    Interrupted() : std::runtime_error("interrupted") {}
};

/// Throws Interrupted if the flag is set.
void throw_if_interrupted();

}  // namespace raftlink::bench
