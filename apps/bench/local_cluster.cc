// SPDX-License-Identifier: MIT
#include "apps/bench/local_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "apps/bench/interrupt.h"
#include "core/assert.h"

namespace raftlink::bench {
namespace {

/// How often a wait polls the nodes: often enough to measure start-up to a few milliseconds.
constexpr auto poll_interval = std::chrono::milliseconds(10);
/// A /status answer on loopback takes well under this; a slower node is counted as not ready.
constexpr DurationNs status_timeout = 1 * second;
/// Lines of a failed node's log that an error shows.
constexpr std::size_t log_lines_shown = 20;
constexpr unsigned nodes_max = 9;

std::string make_temporary_directory(const std::string& parent) {
    const std::filesystem::path base =
        parent.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(parent);
    std::string pattern = (base / "raftlink-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("cannot create a directory under " + base.string() + ": " +
                                 strerror(errno));
    }
    return pattern;
}

std::string random_secret() {
    // 32 random bytes as 64 hex digits, the format the node's secret file takes.
    std::random_device device;
    std::string secret;
    constexpr char digits[] = "0123456789abcdef";
    for (int i = 0; i < 64; ++i) secret += digits[device() & 0xf];
    return secret;
}

/// The start of the kernel's ephemeral port range. Node ports are taken below it, so that no
/// outgoing connection (bench's own) can hold a port a restarting node needs.
unsigned ephemeral_port_low() {
    std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
    unsigned low = 32768;
    in >> low;
    return low;
}

bool port_free(std::uint16_t port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool bound = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    return bound;
}

void sleep_poll_interval() {
    throw_if_interrupted();
    std::this_thread::sleep_for(poll_interval);
}

}  // namespace

LocalCluster::LocalCluster(ClusterOptions options) : options_(std::move(options)) {
    if (options_.nodes < 1 || options_.nodes > nodes_max) {
        throw std::runtime_error("a cluster has 1 to 9 nodes");
    }
    directory_ = make_temporary_directory(options_.parent_directory);
    secret_path_ = directory_ + "/cluster.secret";
    std::ofstream(secret_path_) << random_secret() << '\n';
    std::filesystem::permissions(
        secret_path_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    choose_ports();
    for (unsigned id = 1; id <= options_.nodes; ++id) {
        if (id > 1) members_ += ",";
        members_ += std::to_string(id) + "=127.0.0.1:" + std::to_string(raft_ports_[id]) +
                    "/127.0.0.1:" + std::to_string(http_ports_[id]);
    }
}

LocalCluster::~LocalCluster() {
    // Ask everyone at once, then wait: the nodes' shutdowns overlap.
    for (auto& [id, process] : processes_) process->request_stop();
    for (auto& [id, process] : processes_) process->stop(options_.stop_grace);
    processes_.clear();
    if (!options_.keep) {
        std::error_code ignored;
        std::filesystem::remove_all(directory_, ignored);
    }
}

void LocalCluster::choose_ports() {
    const unsigned count = 2 * options_.nodes;
    const unsigned high = std::min(ephemeral_port_low(), 65535u) - count;
    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<unsigned> base_of(std::min(20000u, high - 1), high);
    // A bounded number of tries: each checks a random run of consecutive ports.
    for (int attempt = 0; attempt < 200; ++attempt) {
        const unsigned base = base_of(random);
        bool free = true;
        for (unsigned port = base; port < base + count && free; ++port) {
            free = port_free(static_cast<std::uint16_t>(port));
        }
        if (!free) continue;
        for (unsigned id = 1; id <= options_.nodes; ++id) {
            http_ports_[id] = static_cast<std::uint16_t>(base + id - 1);
            raft_ports_[id] = static_cast<std::uint16_t>(base + options_.nodes + id - 1);
        }
        return;
    }
    throw std::runtime_error("no free range of ports on 127.0.0.1");
}

std::vector<std::string> LocalCluster::node_argv(unsigned id) const {
    std::vector<std::string> argv = {options_.node_binary,
                                     "--id",
                                     std::to_string(id),
                                     "--members",
                                     members_,
                                     "--data-dir",
                                     directory_ + "/node-" + std::to_string(id),
                                     "--cluster-secret-file",
                                     secret_path_,
                                     "--log-level",
                                     options_.log_level};
    argv.insert(argv.end(), options_.node_arguments.begin(), options_.node_arguments.end());
    return argv;
}

void LocalCluster::start(unsigned id) {
    ASSERT_GE(id, 1u);
    ASSERT_LE(id, options_.nodes);
    ASSERT(!processes_.contains(id) || processes_[id]->exit_status().has_value());
    processes_.erase(id);
    processes_[id] = std::make_unique<ChildProcess>(node_argv(id), log_path(id));
    if (options_.on_node_started) options_.on_node_started(id, processes_[id]->pid());
}

void LocalCluster::start_all() {
    for (unsigned id = 1; id <= options_.nodes; ++id) start(id);
}

int LocalCluster::stop(unsigned id) {
    ASSERT(processes_.contains(id));
    const int status = processes_[id]->stop(options_.stop_grace);
    processes_.erase(id);
    return status;
}

int LocalCluster::kill(unsigned id) {
    ASSERT(processes_.contains(id));
    const int status = processes_[id]->kill_now();
    processes_.erase(id);
    return status;
}

bool LocalCluster::running(unsigned id) {
    const auto found = processes_.find(id);
    return found != processes_.end() && !found->second->exit_status();
}

std::vector<unsigned> LocalCluster::running_nodes() {
    std::vector<unsigned> ids;
    for (unsigned id = 1; id <= options_.nodes; ++id) {
        if (running(id)) ids.push_back(id);
    }
    return ids;
}

pid_t LocalCluster::pid(unsigned id) const {
    const auto found = processes_.find(id);
    return found == processes_.end() ? -1 : found->second->pid();
}

HttpEndpoint LocalCluster::http_endpoint(unsigned id) const {
    return {"127.0.0.1", http_ports_.at(id)};
}

std::string LocalCluster::log_path(unsigned id) const {
    return directory_ + "/node-" + std::to_string(id) + ".log";
}

std::optional<std::uint64_t> LocalCluster::resident_set_kib(unsigned id) const {
    const pid_t process = pid(id);
    if (process <= 0) return std::nullopt;
    return bench::resident_set_kib(process);
}

NodeFailure LocalCluster::failure(unsigned id, const std::string& what) const {
    const std::string kept = options_.keep ? "" : " (removed at exit; --keep keeps it)";
    return NodeFailure("node " + std::to_string(id) + " " + what + "\n  last lines of " +
                       log_path(id) + kept + ":\n" + last_lines(log_path(id), log_lines_shown));
}

void LocalCluster::check_running() {
    for (auto& [id, process] : processes_) {
        if (const auto status = process->exit_status()) {
            throw failure(id, "(pid " + std::to_string(process->pid()) + ") " +
                                  describe_wait_status(*status));
        }
    }
}

unsigned LocalCluster::wait_for_leader(DurationNs deadline) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::nanoseconds(deadline);
    std::string last_seen;
    while (std::chrono::steady_clock::now() < end) {
        check_running();
        std::map<unsigned, std::optional<NodeStatus>> statuses;
        for (const unsigned id : running_nodes()) {
            statuses[id] = fetch_status(http_endpoint(id), status_timeout);
        }
        last_seen.clear();
        std::optional<std::uint64_t> agreed;
        bool agree = !statuses.empty();
        for (const auto& [id, status] : statuses) {
            last_seen += "\n  node " + std::to_string(id) + ": ";
            if (!status) {
                last_seen += "no answer";
                agree = false;
                continue;
            }
            last_seen += status->role + ", term " + std::to_string(status->term) + ", leader " +
                         std::to_string(status->leader);
            if (status->leader == 0 || (agreed && *agreed != status->leader)) agree = false;
            agreed = status->leader;
        }
        if (agree && agreed && statuses.contains(static_cast<unsigned>(*agreed)) &&
            statuses[static_cast<unsigned>(*agreed)]->role == "leader") {
            return static_cast<unsigned>(*agreed);
        }
        sleep_poll_interval();
    }
    throw NodeFailure("no leader within " + format_go_duration(deadline) +
                      "; last seen:" + last_seen + "\n  logs: " + directory_);
}

void LocalCluster::wait_applied(unsigned id, std::uint64_t index, DurationNs deadline) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::nanoseconds(deadline);
    std::uint64_t applied = 0;
    while (std::chrono::steady_clock::now() < end) {
        check_running();
        if (const auto status = fetch_status(http_endpoint(id), status_timeout)) {
            applied = status->applied_index;
            if (applied >= index) return;
        }
        sleep_poll_interval();
    }
    throw failure(id, "did not apply index " + std::to_string(index) + " within " +
                          format_go_duration(deadline) + " (applied " + std::to_string(applied) +
                          ")");
}

}  // namespace raftlink::bench
