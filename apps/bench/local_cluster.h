// SPDX-License-Identifier: MIT
// A cluster of real `node` processes on 127.0.0.1 that bench starts and owns: free ports,
// a temporary directory with one data directory and one log per node, and a fresh secret.
//
// The destructor stops every node it started (SIGTERM to all, then SIGKILL after the grace
// period, by PID) and removes the directory unless asked to keep it; so an error, an
// exception or Ctrl-C anywhere in a benchmark leaves nothing behind.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "apps/bench/child_process.h"
#include "apps/bench/http_endpoint.h"
#include "apps/bench/node_probe.h"

namespace raftlink::bench {

struct ClusterOptions {
    unsigned nodes = 3;
    std::string node_binary;
    /// Extra arguments for every node, e.g. {"--election-timeout-ms", "150-300"}.
    std::vector<std::string> node_arguments;
    std::string log_level = "warn";
    /// Where the temporary directory is made; empty means the system's temporary directory.
    std::string parent_directory;
    bool keep = false;
    /// How long a node gets between SIGTERM and SIGKILL.
    DurationNs stop_grace = 5 * second;
    /// Called after each node process starts (including restarts), e.g. to print its PID.
    std::function<void(unsigned id, pid_t pid)> on_node_started;
};

/// A node that exited when it should be running, or never answered: the message has its exit
/// status and the last lines of its log.
class NodeFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class LocalCluster {
public:
    /// Makes the directory, the secret and the member list; starts nothing. Throws
    /// std::runtime_error when the directory or the ports cannot be had.
    explicit LocalCluster(ClusterOptions options);
    ~LocalCluster();
    LocalCluster(const LocalCluster&) = delete;
    LocalCluster& operator=(const LocalCluster&) = delete;

    unsigned size() const { return options_.nodes; }
    void start(unsigned id);
    void start_all();
    /// SIGTERM, then SIGKILL after the grace period. Returns the wait status.
    int stop(unsigned id);
    /// SIGKILL at once (a crash). Returns the wait status.
    int kill(unsigned id);
    bool running(unsigned id);
    std::vector<unsigned> running_nodes();
    pid_t pid(unsigned id) const;
    HttpEndpoint http_endpoint(unsigned id) const;
    std::string log_path(unsigned id) const;
    const std::string& directory() const { return directory_; }
    std::optional<std::uint64_t> resident_set_kib(unsigned id) const;

    /// Throws NodeFailure if a node that was started has exited since.
    void check_running();

    /// Waits until every running node answers /status and they agree on one leader that says
    /// it leads; returns its id. Throws NodeFailure on a dead node or when the deadline passes.
    unsigned wait_for_leader(DurationNs deadline);

    /// Waits until node `id` has applied `index`. Throws NodeFailure at the deadline.
    void wait_applied(unsigned id, std::uint64_t index, DurationNs deadline);

private:
    void choose_ports();
    std::vector<std::string> node_argv(unsigned id) const;
    NodeFailure failure(unsigned id, const std::string& what) const;

    ClusterOptions options_;
    std::string directory_;
    std::string secret_path_;
    std::string members_;
    std::map<unsigned, std::uint16_t> http_ports_;
    std::map<unsigned, std::uint16_t> raft_ports_;
    std::map<unsigned, std::unique_ptr<ChildProcess>> processes_;
};

}  // namespace raftlink::bench
