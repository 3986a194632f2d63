// SPDX-License-Identifier: MIT
#include "apps/simulate/worker_pool.h"

#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <vector>

#include "core/assert.h"
#include "core/text.h"

namespace raftlink::simulate {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t job_frame_bytes = 8;     // a job number, little-endian u64
constexpr std::size_t result_header_bytes = 4; // a result's length, little-endian u32
constexpr std::size_t read_chunk_bytes = 4096;

struct Worker {
    pid_t pid = -1;       // -1: no process
    int job_fd = -1;      // parent writes job numbers; closed when no job is left
    int result_fd = -1;   // parent reads result frames; end of file = the worker is gone
    int stderr_fd = -1;   // parent reads the worker's stderr
    std::optional<std::size_t> in_flight;
    Bytes result_buffer;
    std::string stderr_tail;  // the in-flight job's stderr, its last stderr_tail_bytes_max
};

void close_fd(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
}

bool write_all(int fd, const std::uint8_t* data, std::size_t size) {
    while (size > 0) {
        const ssize_t written = write(fd, data, size);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return false;
        data += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}

bool read_exact(int fd, std::uint8_t* data, std::size_t size) {
    while (size > 0) {
        const ssize_t got = read(fd, data, size);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        data += got;
        size -= static_cast<std::size_t>(got);
    }
    return true;
}

/// The worker process: job numbers in, framed results out, until the parent closes the jobs.
[[noreturn]] void worker_main(int job_fd, int result_fd, const WorkerFunction& work) {
    for (;;) {
        std::uint8_t frame[job_frame_bytes];
        if (!read_exact(job_fd, frame, job_frame_bytes)) _exit(0);
        std::uint64_t job = 0;
        for (std::size_t i = 0; i < job_frame_bytes; ++i) job |= std::uint64_t{frame[i]} << (8 * i);
        Bytes result;
        try {
            result = work(static_cast<std::size_t>(job));
        } catch (const std::exception& error) {
            std::fprintf(stderr, "uncaught exception: %s\n", error.what());
            std::abort();
        }
        ASSERT_LE(result.size(), result_bytes_max);
        std::uint8_t header[result_header_bytes];
        for (std::size_t i = 0; i < result_header_bytes; ++i) {
            header[i] = static_cast<std::uint8_t>(result.size() >> (8 * i));
        }
        if (!write_all(result_fd, header, result_header_bytes) ||
            !write_all(result_fd, result.data(), result.size())) {
            _exit(1);  // the parent is gone; nobody is left to report to
        }
    }
}

std::string spawn(std::vector<Worker>& workers, Worker& worker, const WorkerFunction& work) {
    int job_pipe[2];
    int result_pipe[2];
    int stderr_pipe[2];
    if (pipe(job_pipe) != 0) return concat("pipe: ", std::strerror(errno));
    if (pipe(result_pipe) != 0) {
        close(job_pipe[0]), close(job_pipe[1]);
        return concat("pipe: ", std::strerror(errno));
    }
    if (pipe(stderr_pipe) != 0) {
        close(job_pipe[0]), close(job_pipe[1]), close(result_pipe[0]), close(result_pipe[1]);
        return concat("pipe: ", std::strerror(errno));
    }
    std::fflush(nullptr);  // the child must not write out the parent's buffered output again
    const pid_t pid = fork();
    if (pid < 0) {
        for (int fd : {job_pipe[0], job_pipe[1], result_pipe[0], result_pipe[1], stderr_pipe[0],
                       stderr_pipe[1]}) {
            close(fd);
        }
        return concat("fork: ", std::strerror(errno));
    }
    if (pid == 0) {
        // The other workers' pipe ends must close here, or their end of file would never come.
        for (Worker& other : workers) {
            close_fd(other.job_fd), close_fd(other.result_fd), close_fd(other.stderr_fd);
        }
        close(job_pipe[1]), close(result_pipe[0]), close(stderr_pipe[0]);
        dup2(stderr_pipe[1], STDERR_FILENO);
        close(stderr_pipe[1]);
        worker_main(job_pipe[0], result_pipe[1], work);
    }
    close(job_pipe[0]), close(result_pipe[1]), close(stderr_pipe[1]);
    worker = Worker{};
    worker.pid = pid;
    worker.job_fd = job_pipe[1];
    worker.result_fd = result_pipe[0];
    worker.stderr_fd = stderr_pipe[0];
    return "";
}

/// "worker killed by signal 6 (Aborted): assertion failed: ..." — the stderr line that
/// explains the death is the assertion's if there is one, else the last line.
std::string describe_death(int status, const std::string& stderr_tail) {
    std::string text;
    if (WIFSIGNALED(status)) {
        const int signal_number = WTERMSIG(status);
        text = concat("worker killed by signal ", signal_number, " (", strsignal(signal_number),
                      ")");
    } else if (WIFEXITED(status)) {
        text = concat("worker exited with status ", WEXITSTATUS(status), " before reporting");
    } else {
        text = concat("worker ended with wait status ", status);
    }
    std::string explanation;
    std::size_t start = 0;
    while (start < stderr_tail.size()) {
        std::size_t end = stderr_tail.find('\n', start);
        if (end == std::string::npos) end = stderr_tail.size();
        const std::string line = stderr_tail.substr(start, end - start);
        if (line.rfind("assertion failed", 0) == 0 || line.rfind("uncaught exception", 0) == 0) {
            explanation = line;
            break;
        }
        if (!line.empty()) explanation = line;
        start = end + 1;
    }
    return explanation.empty() ? text : concat(text, ": ", explanation);
}

class Pool {
public:
    Pool(std::size_t job_count, const PoolOptions& options, const WorkerFunction& work,
         const CompletionFunction& complete)
        : job_count_(job_count), work_(work), complete_(complete),
          workers_(std::min(options.workers, job_count)) {}

    std::string start() {
        for (Worker& worker : workers_) {
            if (std::string error = spawn(workers_, worker, work_); !error.empty()) return error;
            assign(worker);
        }
        return "";
    }

    bool finished() const { return completed_ == job_count_; }

    /// Waits up to `timeout` for pipe activity and handles it. Returns an error message only
    /// if a replacement worker could not be started.
    std::string step(std::chrono::milliseconds timeout);

    /// Closes every pipe and reaps every worker; kills the ones still running (after errors).
    void shut_down();

private:
    void assign(Worker& worker);
    void read_stderr(Worker& worker);
    /// Reads result frames; returns false when the worker is gone or sent a malformed frame.
    bool read_results(Worker& worker);
    std::string replace_dead(Worker& worker);

    std::size_t job_count_;
    const WorkerFunction& work_;
    const CompletionFunction& complete_;
    std::vector<Worker> workers_;
    std::size_t next_job_ = 0;
    std::size_t completed_ = 0;
};

void Pool::assign(Worker& worker) {
    ASSERT(!worker.in_flight.has_value());
    if (next_job_ == job_count_) {
        close_fd(worker.job_fd);  // end of file: the worker exits
        return;
    }
    const std::size_t job = next_job_++;
    worker.in_flight = job;
    worker.stderr_tail.clear();
    std::uint8_t frame[job_frame_bytes];
    for (std::size_t i = 0; i < job_frame_bytes; ++i) {
        frame[i] = static_cast<std::uint8_t>(std::uint64_t{job} >> (8 * i));
    }
    // A failed write means the worker died; its result pipe's end of file reports that.
    (void)write_all(worker.job_fd, frame, job_frame_bytes);
}

void Pool::read_stderr(Worker& worker) {
    char chunk[read_chunk_bytes];
    ssize_t got = 0;
    do {
        got = read(worker.stderr_fd, chunk, sizeof chunk);
    } while (got < 0 && errno == EINTR);
    if (got <= 0) {
        close_fd(worker.stderr_fd);
        return;
    }
    worker.stderr_tail.append(chunk, static_cast<std::size_t>(got));
    if (worker.stderr_tail.size() > stderr_tail_bytes_max) {
        worker.stderr_tail.erase(0, worker.stderr_tail.size() - stderr_tail_bytes_max);
    }
}

bool Pool::read_results(Worker& worker) {
    std::uint8_t chunk[read_chunk_bytes];
    ssize_t got = 0;
    do {
        got = read(worker.result_fd, chunk, sizeof chunk);
    } while (got < 0 && errno == EINTR);
    if (got <= 0) return false;
    Bytes& buffer = worker.result_buffer;
    buffer.insert(buffer.end(), chunk, chunk + got);
    while (buffer.size() >= result_header_bytes) {
        std::size_t size = 0;
        for (std::size_t i = 0; i < result_header_bytes; ++i) {
            size |= std::size_t{buffer[i]} << (8 * i);
        }
        if (size > result_bytes_max || !worker.in_flight) {
            kill(worker.pid, SIGKILL);
            worker.stderr_tail += "\nsent a malformed result frame\n";
            return false;
        }
        if (buffer.size() < result_header_bytes + size) break;
        JobOutcome outcome;
        const auto payload = buffer.begin() + static_cast<std::ptrdiff_t>(result_header_bytes);
        outcome.result.assign(payload, payload + static_cast<std::ptrdiff_t>(size));
        buffer.erase(buffer.begin(), payload + static_cast<std::ptrdiff_t>(size));
        const std::size_t job = *worker.in_flight;
        worker.in_flight.reset();
        ++completed_;
        complete_(job, std::move(outcome));
        assign(worker);
    }
    return true;
}

std::string Pool::replace_dead(Worker& worker) {
    int status = 0;
    while (waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
    }
    // The worker is gone, so its stderr pipe has no writer left: read it to the end.
    while (worker.stderr_fd >= 0) read_stderr(worker);
    close_fd(worker.job_fd), close_fd(worker.result_fd);
    worker.pid = -1;
    if (worker.in_flight) {
        const std::size_t job = *worker.in_flight;
        worker.in_flight.reset();
        JobOutcome outcome;
        outcome.crashed = true;
        outcome.crash_detail = describe_death(status, worker.stderr_tail);
        ++completed_;
        complete_(job, std::move(outcome));
    }
    if (next_job_ == job_count_) return "";
    if (std::string error = spawn(workers_, worker, work_); !error.empty()) return error;
    assign(worker);
    return "";
}

std::string Pool::step(std::chrono::milliseconds timeout) {
    std::vector<pollfd> fds;
    std::vector<std::size_t> owners;
    for (std::size_t i = 0; i < workers_.size(); ++i) {
        for (int fd : {workers_[i].result_fd, workers_[i].stderr_fd}) {
            if (fd < 0) continue;
            fds.push_back(pollfd{fd, POLLIN, 0});
            owners.push_back(i);
        }
    }
    if (fds.empty()) return "";
    const int ready = poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
    if (ready <= 0) return "";  // timeout, or EINTR: the caller loops
    // A replaced worker's new pipes may reuse the numbers of its old ones, so the rest of
    // this poll's answers about that worker are stale.
    std::vector<bool> replaced(workers_.size(), false);
    for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents == 0 || replaced[owners[i]]) continue;
        Worker& worker = workers_[owners[i]];
        if (fds[i].fd == worker.stderr_fd) {
            read_stderr(worker);
        } else if (fds[i].fd == worker.result_fd && !read_results(worker)) {
            replaced[owners[i]] = true;
            if (std::string error = replace_dead(worker); !error.empty()) return error;
        }
    }
    return "";
}

void Pool::shut_down() {
    for (Worker& worker : workers_) {
        if (worker.pid < 0) continue;
        if (worker.in_flight) kill(worker.pid, SIGKILL);
        close_fd(worker.job_fd), close_fd(worker.result_fd), close_fd(worker.stderr_fd);
        while (waitpid(worker.pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        worker.pid = -1;
    }
}

/// A dead worker's job pipe must give EPIPE to the parent, not kill it with SIGPIPE.
class IgnoreSigpipe {
public:
    IgnoreSigpipe() { previous_ = signal(SIGPIPE, SIG_IGN); }
    ~IgnoreSigpipe() { signal(SIGPIPE, previous_); }
    IgnoreSigpipe(const IgnoreSigpipe&) = delete;
    IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;

private:
    void (*previous_)(int) = nullptr;
};

}  // namespace

std::string run_worker_pool(std::size_t job_count, const PoolOptions& options,
                            const WorkerFunction& work, const CompletionFunction& complete,
                            const TickFunction& tick) {
    ASSERT_GE(options.workers, std::size_t{1});
    ASSERT_LE(options.workers, workers_max);
    ASSERT_GT(options.tick_interval.count(), 0);
    const IgnoreSigpipe ignore_sigpipe;
    Pool pool(job_count, options, work, complete);
    std::string error = pool.start();
    auto last_tick = Clock::now();
    while (error.empty() && !pool.finished()) {
        const auto since_tick = Clock::now() - last_tick;
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
            options.tick_interval - since_tick);
        error = pool.step(std::max(wait, std::chrono::milliseconds{0}));
        if (Clock::now() - last_tick >= options.tick_interval) {
            tick();
            last_tick = Clock::now();
        }
    }
    pool.shut_down();
    return error;
}

}  // namespace raftlink::simulate
