// SPDX-License-Identifier: MIT
// A child process started with fork/exec and owned by one object (RAII): it is stopped by
// PID when the owner goes away, SIGTERM first and SIGKILL after a grace period, and reaped.
//
// The child gets its own process group, so that a Ctrl-C in the terminal reaches bench alone
// and bench stops its children in order; and PR_SET_PDEATHSIG, so that the kernel kills the
// child if bench itself dies without cleaning up.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apps/bench/go_duration.h"

namespace raftlink::bench {

/// "exited with status 1" or "killed by signal 9 (Killed)" for a waitpid status.
std::string describe_wait_status(int status);

/// VmRSS of a process in KiB, from /proc/PID/status; nullopt if it cannot be read.
std::optional<std::uint64_t> resident_set_kib(pid_t pid);

/// The last `count` lines of a text file (fewer if it is shorter; empty if unreadable).
std::string last_lines(const std::string& path, std::size_t count);

class ChildProcess {
public:
    /// Starts argv[0] (a path) with argv; stdout and stderr are appended to log_path.
    /// Throws std::runtime_error if the log cannot be opened or the program cannot be executed
    /// (the child reports exec's errno through a close-on-exec pipe).
    ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }

    /// The wait status once the child has exited (reaping it without blocking), else nullopt.
    std::optional<int> exit_status();

    /// SIGKILL, then waits for the child. Returns the wait status.
    int kill_now();

    /// SIGTERM; waits up to grace for the child to exit, then SIGKILLs it. Returns the status.
    int stop(DurationNs grace);

    /// Sends SIGTERM without waiting (to stop several children in parallel).
    void request_stop();

private:
    /// Waits until the child exits or the deadline passes; true if it exited.
    bool wait_until_exited(DurationNs timeout);

    pid_t pid_ = -1;
    std::optional<int> status_;
};

}  // namespace raftlink::bench
