// SPDX-License-Identifier: MIT
#include "io/real/asio_clock.h"

#include <limits>

namespace raftlink::real {
namespace {
constexpr Nanos not_armed = std::numeric_limits<Nanos>::max();
}  // namespace

AsioClock::AsioClock(boost::asio::io_context& io)
    : origin_(std::chrono::steady_clock::now()), timer_(io), armed_(not_armed) {}

Nanos AsioClock::now() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                origin_)
        .count();
}

void AsioClock::wake_at(Nanos deadline) {
    // One timer serves every request: only an earlier deadline re-arms it (re-arming cancels
    // the pending wait, whose handler then sees operation_aborted and does nothing).
    if (deadline >= armed_) return;
    armed_ = deadline;
    timer_.expires_at(origin_ + std::chrono::nanoseconds(deadline));
    timer_.async_wait([this](const boost::system::error_code& error) {
        if (error) return;
        armed_ = not_armed;
        if (on_wake_) on_wake_();
    });
}

std::int64_t AsioClock::wall_now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void AsioClock::cancel() {
    armed_ = not_armed;
    timer_.cancel();
}

}  // namespace raftlink::real
