// SPDX-License-Identifier: MIT
// AsioClock: core's Clock on a steady clock and one steady_timer, re-armed to the earliest
// deadline the replica asks for. Runs on the node's io_context thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>

#include "core/env.h"

namespace raftlink::real {

class AsioClock final : public Clock {
public:
    explicit AsioClock(boost::asio::io_context& io);

    /// Called on the io_context thread when a requested deadline is reached.
    void set_on_wake(std::function<void()> on_wake) { on_wake_ = std::move(on_wake); }

    /// Nanoseconds since this clock was created (monotonic).
    Nanos now() const override;
    void wake_at(Nanos deadline) override;
    std::int64_t wall_now_ms() const override;
    void cancel();

private:
    std::chrono::steady_clock::time_point origin_;
    boost::asio::steady_timer timer_;
    Nanos armed_;  // the deadline the timer waits for, or "none"
    std::function<void()> on_wake_;
};

}  // namespace raftlink::real
