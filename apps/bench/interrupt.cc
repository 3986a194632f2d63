// SPDX-License-Identifier: MIT
#include "apps/bench/interrupt.h"

#include <signal.h>

#include <atomic>

namespace raftlink::bench {
namespace {

std::atomic<bool> interrupt_flag{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

void on_signal(int signal_number) {
    interrupt_flag.store(true);
    // The next signal takes the default action: a user who presses Ctrl-C twice means it.
    struct sigaction reset {};
    reset.sa_handler = SIG_DFL;
    sigaction(signal_number, &reset, nullptr);
}

}  // namespace

void install_interrupt_handlers() {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, nullptr);
}

bool interrupted() {
    return interrupt_flag.load();
}

void throw_if_interrupted() {
    if (interrupted()) throw Interrupted();
}

}  // namespace raftlink::bench
