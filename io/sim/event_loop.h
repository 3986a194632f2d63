// SPDX-License-Identifier: MIT
// The simulator's one event queue on virtual time.
//
// Events run in (time, insertion sequence) order, so two events at the same instant run in the
// order they were scheduled: the tie-break is deterministic and never depends on addresses.
// Virtual time only moves forward, and only when the next event runs.
//
// A run schedules a few events per message, write and request, so the queue is built to cost
// little per event: a sorted run of the events due soon and a heap of those due later order
// small plain records (time, sequence, slot), and each event's closure is built in a slot of
// its own (reused once it has run) and runs there, without a heap allocation when it fits in
// an Action's inline buffer, as every closure on the simulator's hot paths does.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/assert.h"
#include "core/types.h"

namespace raftlink::sim {

/// A move-only `void()` callable. A closure of up to inline_bytes lives inside the Action;
/// a larger one is allocated. Precondition of the call: not empty.
class Action {
public:
    static constexpr std::size_t inline_bytes = 64;

    Action() = default;
    template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Action>>>
    Action(F&& function) {  // NOLINT: implicit, so that a lambda is an Action
        emplace<std::decay_t<F>>(std::forward<F>(function));
    }
    Action(Action&& other) noexcept { take(other); }
    Action& operator=(Action&& other) noexcept {
        if (this != &other) {
            reset();
            take(other);
        }
        return *this;
    }
    Action(const Action&) = delete;
    Action& operator=(const Action&) = delete;
    ~Action() { reset(); }

    void operator()() { operations_->invoke(storage()); }
    /// Runs the closure, then destroys it (the Action is left empty): one indirect call
    /// where operator() and reset() take two, and the event loop runs each event once.
    void run_once() {
        operations_->invoke_destroy(storage());
        operations_ = nullptr;
    }
    explicit operator bool() const { return operations_ != nullptr; }
    void reset() {
        // Most closures capture plain values and have no destructor to call.
        if (operations_ != nullptr && operations_->destroy != nullptr) {
            operations_->destroy(storage());
        }
        operations_ = nullptr;
    }
    /// Replaces the closure with `function`, built in place (an Action is moved in).
    template <typename F>
    void assign(F&& function) {
        if constexpr (std::is_same_v<std::decay_t<F>, Action>) {
            *this = std::move(function);
        } else {
            reset();
            emplace<std::decay_t<F>>(std::forward<F>(function));
        }
    }

private:
    struct Operations {
        void (*invoke)(void* self);
        void (*invoke_destroy)(void* self);  // invoke, then destroy
        void (*move)(void* source, void* target);  // leaves `source` destroyed
        void (*destroy)(void* self);  // null: nothing to do
    };

    template <typename F>
    static constexpr bool fits_inline = sizeof(F) <= inline_bytes &&
                                        alignof(F) <= alignof(std::max_align_t) &&
                                        std::is_nothrow_move_constructible_v<F>;

    template <typename F>
    static const Operations* operations_for() {
        if constexpr (fits_inline<F>) {
            static constexpr Operations operations{
                [](void* self) { (*static_cast<F*>(self))(); },
                [](void* self) {
                    F& function = *static_cast<F*>(self);
                    function();
                    function.~F();
                },
                [](void* source, void* target) {
                    ::new (target) F(std::move(*static_cast<F*>(source)));
                    static_cast<F*>(source)->~F();
                },
                std::is_trivially_destructible_v<F>
                    ? nullptr
                    : +[](void* self) { static_cast<F*>(self)->~F(); }};
            return &operations;
        } else {
            static constexpr Operations operations{
                [](void* self) { (**static_cast<F**>(self))(); },
                [](void* self) {
                    F* function = *static_cast<F**>(self);
                    (*function)();
                    delete function;
                },
                [](void* source, void* target) {
                    *static_cast<F**>(target) = *static_cast<F**>(source);
                },
                [](void* self) { delete *static_cast<F**>(self); }};
            return &operations;
        }
    }

    template <typename F, typename Argument>
    void emplace(Argument&& argument) {
        if constexpr (fits_inline<F>) {
            ::new (storage()) F(std::forward<Argument>(argument));
        } else {
            *static_cast<F**>(storage()) = new F(std::forward<Argument>(argument));
        }
        operations_ = operations_for<F>();
    }

    void take(Action& other) noexcept {
        if (other.operations_ == nullptr) return;
        other.operations_->move(other.storage(), storage());
        operations_ = other.operations_;
        other.operations_ = nullptr;
    }

    void* storage() { return static_cast<void*>(buffer_); }

    alignas(std::max_align_t) unsigned char buffer_[inline_bytes];
    const Operations* operations_ = nullptr;
};

class EventLoop {
public:
    Nanos now() const { return now_; }
    /// How many events have run so far (the "event number" in failure reports).
    std::uint64_t events_run() const { return events_run_; }
    bool empty() const { return near_empty() && far_.empty(); }
    /// The next event to run, as peek() found it.
    struct Next {
        Nanos time;
        bool far;  // in far_, else at near_[near_first_]
    };
    /// The next event. Precondition: !empty().
    Next peek() const {
        const bool far = next_is_far();
        return Next{far ? far_.front().time : near_[near_first_].time, far};
    }
    /// The time of the next event. Precondition: !empty().
    Nanos next_time() const { return peek().time; }

    /// Schedules `action` (a callable or an Action) at `time`; a time in the past runs at the
    /// current time. A callable is built in its slot, not moved there.
    template <typename F>
    void at(Nanos time, F&& action) {
        if constexpr (std::is_same_v<std::decay_t<F>, Action>) ASSERT(static_cast<bool>(action));
        slot_action(schedule(time)).assign(std::forward<F>(action));
    }
    template <typename F>
    void after(Nanos delay, F&& action) {
        at(now_ + delay, std::forward<F>(action));
    }
    /// Runs the next event. Precondition: !empty().
    void run_next() { run(peek()); }
    /// Runs `next`, which peek() returned with nothing scheduled since: the run loop peeks at
    /// every event's time before it runs it, and run_next() found the event a second time
    /// (speed-5 seed 1: 247.7M instructions with run_next(), 246.6M with run()).
    void run(Next next);

private:
    /// Slots live in chunks that never move, so that an event runs in its slot while it
    /// schedules others (which may add a chunk).
    static constexpr std::uint32_t chunk_bits = 8;
    static constexpr std::uint32_t chunk_slots = std::uint32_t{1} << chunk_bits;

    /// Takes a free slot and queues it at `time`; the caller fills the slot. Inlined into
    /// every at(): as a call, it saved and restored six registers for its rare paths (a new
    /// chunk, a growing heap) on every event (speed-5 seed 1: 261.3M instructions as a call,
    /// 260.2M inlined).
    [[gnu::always_inline]] std::uint32_t schedule(Nanos time) {
        if (free_slots_.empty()) add_chunk();
        const std::uint32_t slot = free_slots_.back();
        free_slots_.pop_back();
        ASSERT_LE(next_sequence_, sequence_max);
        const Nanos due = std::max(time, now_);
        const Event event{due, next_sequence_++ << slot_bits | slot};
        if (due - now_ > near_horizon) {
            far_.push_back(event);
            std::push_heap(far_.begin(), far_.end(), Later{});
            return slot;
        }
        // Into its place from the back: a new event is due after most of those already near.
        // Its sequence is the highest, so it goes after every event due at the same time:
        // comparing times alone orders it as Later does, with one branch per step instead of
        // two (speed-5 seed 1: a message passes 3.4 events on average; 269.3M instructions
        // with Later, 268.6M without).
        // The walk needs no bound: near_[near_first_ - 1] is due by now_ (see near_).
        if (near_end_ == near_.size()) grow_near();
        std::size_t place = near_end_++;
        for (; near_[place - 1].time > due; --place) near_[place] = near_[place - 1];
        near_[place] = event;
        return slot;
    }
    /// Adds a chunk of free slots.
    void add_chunk();
    /// Makes room for more near events.
    void grow_near();
    Action& slot_action(std::uint32_t slot) {
        return chunks_[slot >> chunk_bits][slot & (chunk_slots - 1)];
    }

    /// A slot number takes the low slot_bits of Event::order, the insertion sequence the
    /// rest: ordering by `order` is ordering by sequence, and the heap moves 16-byte records.
    static constexpr unsigned slot_bits = 26;
    static constexpr std::uint64_t sequence_max = (std::uint64_t{1} << (64 - slot_bits)) - 1;
    struct Event {
        Nanos time;
        std::uint64_t order;  // sequence << slot_bits | slot
        std::uint32_t slot() const {
            return static_cast<std::uint32_t>(order & ((std::uint64_t{1} << slot_bits) - 1));
        }
    };
    /// The events' order, reversed: far_ is a max-heap of "later", so the earliest event is
    /// on top. A type rather than a function, so that the heap operations inline it.
    struct Later {
        bool operator()(const Event& a, const Event& b) const {
            if (a.time != b.time) return a.time > b.time;
            return a.order > b.order;
        }
    };

    /// Events split by how far ahead they were scheduled: most events (messages, fsyncs) are
    /// due within a few milliseconds, a handful at a time, while timeouts and timers due much
    /// later fill a heap (far_) that a near event would climb past. The near events are kept
    /// sorted, earliest first, in near_[near_first_, near_end_): there are few (5.7 on
    /// average in speed-5 seed 1, at most 125 in the library's scenarios), a new one goes
    /// into place from the back in a step or two, and the next one is taken from the front
    /// without a heap's sift-down (speed-5 seed 1: 257.4M instructions with a heap, 255.6M
    /// sorted; figure8, concurrent-clients, backup and pipeline-latency seed 1 run fewer
    /// too). The next event is the earlier of the two fronts, so the split never changes the
    /// order. near_ itself is a buffer that grow_near() enlarges: GCC kept near_.push_back()
    /// out of line, a call for every near event (speed-5 seed 1: 273.0M instructions with
    /// push_back, 270.8M without).
    static constexpr Nanos near_horizon = 10 * nanos_per_ms;
    /// near_[0, near_first_) holds events already taken and, at 0, one of time 0: all due by
    /// now_, so that a new event's walk to its place stops at near_first_ without a bound
    /// check (speed-5 seed 1: 268.0M instructions with the check, 267.0M without).
    std::vector<Event> near_ = std::vector<Event>(16);
    std::size_t near_first_ = 1;
    std::size_t near_end_ = 1;
    std::vector<Event> far_;
    bool near_empty() const { return near_first_ == near_end_; }
    /// Whether far_ holds the next event. Precondition: !empty().
    bool next_is_far() const {
        ASSERT(!empty());
        if (far_.empty()) return false;
        if (near_empty()) return true;
        return Later{}(near_[near_first_], far_.front());
    }
    /// Closures of scheduled events by slot (see slot_action()); free_slots_ lists the slots
    /// not in use.
    std::vector<std::unique_ptr<Action[]>> chunks_;
    std::vector<std::uint32_t> free_slots_;
    Nanos now_ = 0;
    std::uint64_t next_sequence_ = 0;
    std::uint64_t events_run_ = 0;
};

}  // namespace raftlink::sim
