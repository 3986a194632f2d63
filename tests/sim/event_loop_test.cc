// SPDX-License-Identifier: MIT
// The event loop runs events in (time, insertion sequence) order, whatever its internal queues:
// events due soon and much later, ties, times in the past, events scheduled by running events.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "core/prng.h"
#include "io/sim/event_loop.h"

namespace raftlink::sim {
namespace {

TEST_SUITE("sim") {
    TEST_CASE("event loop: events run in (time, scheduling order), closures once") {
        EventLoop loop;
        Prng prng(42);
        // (time, sequence) of every event scheduled, and the sequences in the order they ran.
        std::vector<std::pair<Nanos, int>> scheduled;
        std::vector<int> ran;
        int next = 0;
        const auto delay = [&prng]() -> Nanos {
            switch (prng.below(5)) {
                case 0: return 0;                                    // now
                case 1: return prng.uniform(0, 3);                   // ties
                case 2: return prng.uniform(0, ms(12));              // soon
                case 3: return prng.uniform(ms(5), 3000 * ms(1));    // much later
                default: return -prng.uniform(1, ms(1));             // in the past: now
            }
        };
        std::function<void(int)> schedule_one = [&](int depth) {
            const Nanos due = std::max(loop.now() + delay(), loop.now());
            const int sequence = next++;
            scheduled.emplace_back(due, sequence);
            // A shared_ptr: a closure with a destructor, which must run once.
            auto token = std::make_shared<int>(sequence);
            loop.at(due == loop.now() ? loop.now() - ms(1) : due,
                    [&, sequence, depth, token]() {
                        ran.push_back(sequence);
                        CHECK(*token == sequence);
                        if (depth > 0) {
                            for (std::uint64_t i = prng.below(3); i > 0; --i) {
                                schedule_one(depth - 1);
                            }
                        }
                    });
        };
        for (int i = 0; i < 200; ++i) schedule_one(6);
        Nanos last = 0;
        while (!loop.empty()) {
            const Nanos time = loop.next_time();
            CHECK(time >= last);
            loop.run_next();
            CHECK(loop.now() == time);
            last = time;
        }
        REQUIRE(ran.size() == scheduled.size());
        CHECK(loop.events_run() == scheduled.size());
        // Each event is due no earlier than the one that scheduled it ran, so sorting by
        // (due, sequence) gives the one order a correct queue runs them in.
        std::vector<std::pair<Nanos, int>> expected = scheduled;
        std::sort(expected.begin(), expected.end());
        std::vector<int> expected_order;
        for (const auto& [due, sequence] : expected) expected_order.push_back(sequence);
        CHECK(ran == expected_order);
    }
}

}  // namespace
}  // namespace raftlink::sim
