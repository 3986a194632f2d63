// SPDX-License-Identifier: MIT
// The checkers' table from text (URLs, short codes) to a number (an operation's position, a
// log index, an acknowledged create's position), for the passes over every operation or
// record of a run and the acknowledged creates: it keeps the first number given for each
// text, as try_emplace does.
//
// Open addressing with linear probing over a power-of-two table at most half full (it doubles
// when it would be more), (hash, view, number) per slot, hashed by text_hash (core/hash.h):
// pmr unordered_maps hashed by std::hash, in first_duplicate_url and the history checks, took
// 2.2M instructions more for speed-5 seed 1. It holds views: the texts must outlive it. It is
// never iterated, so the hash cannot reach a verdict; texts are compared byte for byte.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <vector>

#include "core/assert.h"
#include "core/hash.h"

namespace raftlink::sim {

class TextIndex {
public:
    static constexpr std::uint64_t none = std::numeric_limits<std::uint64_t>::max();

    /// Room for `texts_expected` distinct texts before the table first grows.
    explicit TextIndex(std::size_t texts_expected = 0) {
        std::size_t capacity = 16;
        while (capacity < 2 * texts_expected) capacity *= 2;
        slots_.resize(capacity);
    }

    /// The number of `text`: the one given first, which is `number` (!= none) if `text` is
    /// new.
    std::uint64_t emplace(std::string_view text, std::uint64_t number) {
        ASSERT_NE(number, none);
        const std::uint64_t hash = text_hash(text);
        std::size_t at = hash & mask();
        for (; slots_[at].number != none; at = (at + 1) & mask()) {
            if (slots_[at].hash == hash && same(slots_[at].text, text)) return slots_[at].number;
        }
        if (2 * (size_ + 1) > slots_.size()) {
            grow();
            at = free_slot(hash);
        }
        slots_[at] = Slot{hash, text, number};
        ++size_;
        return number;
    }
    /// The number of `text`, or none.
    std::uint64_t find(std::string_view text) const {
        const std::uint64_t hash = text_hash(text);
        for (std::size_t at = hash & mask();; at = (at + 1) & mask()) {
            const Slot& slot = slots_[at];
            if (slot.number == none) return none;
            if (slot.hash == hash && same(slot.text, text)) return slot.number;
        }
    }

private:
    struct Slot {
        std::uint64_t hash = 0;
        std::string_view text;
        std::uint64_t number = none;  // none: an empty slot
    };
    std::size_t mask() const { return slots_.size() - 1; }
    std::size_t free_slot(std::uint64_t hash) const {
        std::size_t at = hash & mask();
        while (slots_[at].number != none) at = (at + 1) & mask();
        return at;
    }
    /// Doubles the table, keeping it at most half full.
    void grow() {
        std::vector<Slot> old(slots_.size() * 2);
        old.swap(slots_);
        for (const Slot& slot : old) {
            if (slot.number != none) slots_[free_slot(slot.hash)] = slot;
        }
    }
    /// a == b, written out. NB: with string_view's operator== here, GCC stopped inlining
    /// string_view::compare into first_acknowledged_missing's URL comparisons, which then took
    /// 1.1M instructions more for speed-5 seed 1.
    static bool same(std::string_view a, std::string_view b) {
        if (a.size() != b.size()) return false;
        return a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0;
    }

    std::vector<Slot> slots_;
    std::size_t size_ = 0;  // the distinct texts given
};

}  // namespace raftlink::sim
