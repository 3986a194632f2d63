// SPDX-License-Identifier: MIT
#include "apps/bench/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/assert.h"

namespace raftlink::bench {
namespace {

/// How often a stopping child is checked for exit.
constexpr auto exit_poll_interval = std::chrono::milliseconds(5);
/// Grace given to a child when its owner is destroyed.
constexpr DurationNs destructor_grace = 5 * second;

/// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(char* const* argv, int log_fd, int error_pipe, pid_t parent) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have died between fork and prctl; then nobody would ever stop us.
    if (getppid() != parent) _exit(127);
    // bench ignores SIGPIPE and ignored signals survive exec; give the node the default.
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    execv(argv[0], argv);
    const int error = errno;
    ssize_t ignored = write(error_pipe, &error, sizeof error);
    (void)ignored;
    _exit(127);
}

}  // namespace

std::string describe_wait_status(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    }
    return "stopped with wait status " + std::to_string(status);
}

std::optional<std::uint64_t> resident_set_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) != 0) continue;
        std::istringstream fields(line.substr(6));
        std::uint64_t kib = 0;
        if (fields >> kib) return kib;
    }
    return std::nullopt;
}

std::string last_lines(const std::string& path, std::size_t count) {
    std::ifstream in(path);
    std::deque<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
        if (lines.size() > count) lines.pop_front();
    }
    std::string out;
    for (const std::string& kept : lines) out += "    " + kept + "\n";
    return out;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log_path) {
    ASSERT(!argv.empty());
    // Everything the child needs is prepared before fork: after it, only exec_child runs.
    std::vector<char*> pointers;
    for (const std::string& argument : argv)
        pointers.push_back(const_cast<char*>(argument.c_str()));
    pointers.push_back(nullptr);
    const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) throw std::runtime_error("cannot open " + log_path + ": " + strerror(errno));
    int error_pipe[2];
    if (pipe2(error_pipe, O_CLOEXEC) != 0) {
        close(log_fd);
        throw std::runtime_error(std::string("pipe: ") + strerror(errno));
    }
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) exec_child(pointers.data(), log_fd, error_pipe[1], parent);
    const int fork_error = errno;
    close(log_fd);
    close(error_pipe[1]);
    if (pid_ < 0) {
        close(error_pipe[0]);
        throw std::runtime_error(std::string("fork: ") + strerror(fork_error));
    }
    int exec_error = 0;
    ssize_t got = 0;
    do {
        got = read(error_pipe[0], &exec_error, sizeof exec_error);
    } while (got < 0 && errno == EINTR);
    close(error_pipe[0]);
    if (got > 0) {
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        throw std::runtime_error("cannot execute " + argv[0] + ": " + strerror(exec_error));
    }
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !status_) stop(destructor_grace);
}

std::optional<int> ChildProcess::exit_status() {
    if (status_ || pid_ <= 0) return status_;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
    return status_;
}

bool ChildProcess::wait_until_exited(DurationNs timeout) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout);
    while (!exit_status()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(exit_poll_interval);
    }
    return true;
}

int ChildProcess::kill_now() {
    if (!exit_status()) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        status_ = status;
    }
    return *status_;
}

void ChildProcess::request_stop() {
    if (!exit_status()) ::kill(pid_, SIGTERM);
}

int ChildProcess::stop(DurationNs grace) {
    request_stop();
    if (wait_until_exited(grace)) return *status_;
    return kill_now();
}

}  // namespace raftlink::bench
