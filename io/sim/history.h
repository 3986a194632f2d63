// SPDX-License-Identifier: MIT
// The client history of a run, Jepsen style: every operation a simulated client performs, as an
// invoke event and a completion event (ok, fail or info) with virtual times.
//
// One operation spans every attempt of one client request: a create retried with the same
// idempotency key is one operation, invoked at its first attempt and completed by its final
// answer. An operation whose outcome is unknown (still outstanding when the run ends) completes
// as "info". Events are kept in the order they happened, which is deterministic, so the JSON
// lines a run writes are identical for the same seed.
#pragma once

#include <cstdint>
#include <memory>
#include <memory_resource>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/fsm/url_store.h"
#include "core/service/requests.h"
#include "core/types.h"

namespace raftlink::sim {

/// Jepsen's event types: info means the outcome is unknown (the operation may or may not have
/// taken effect).
enum class OperationType { Invoke, Ok, Fail, Info };
enum class OperationFunction { Create, Read };

const char* operation_type_name(OperationType type);
const char* operation_function_name(OperationFunction function);

/// Index into History::operations(); assigned in invoke order, so a smaller id was invoked no
/// later than a larger one.
using OperationId = std::size_t;

/// One client operation, invoke and completion together. Its strings are allocated from
/// `strings` (a History's operations share one arena); a copy's from the default resource.
struct Operation {
    Operation() = default;
    explicit Operation(std::pmr::memory_resource* strings) : key(strings), code(strings) {}

    OperationId id = 0;
    std::uint64_t process = 0;  // the client id
    OperationFunction function = OperationFunction::Create;
    /// Reads only.
    service::ReadConsistency consistency = service::ReadConsistency::Stale;
    /// Create: the idempotency key. Read: the short code read.
    std::pmr::string key;
    /// Create: the URL to shorten. Read: the URL read (ok only); nullopt for not found.
    std::optional<std::pmr::string> value;
    /// Create, ok only: the short code and log index it was given.
    std::pmr::string code;
    LogIndex index;
    Nanos invoke_time = 0;
    /// Ok, Fail or Info once completed; Invoke while outstanding.
    OperationType outcome = OperationType::Invoke;
    /// When the final answer arrived (Ok, Fail), or when the run gave up on it (Info).
    Nanos complete_time = 0;

    bool open() const { return outcome == OperationType::Invoke; }
    bool is_create() const { return function == OperationFunction::Create; }
    bool is_linearizable_read() const {
        return function == OperationFunction::Read &&
               consistency == service::ReadConsistency::Linearizable;
    }
};

class History {
public:
    History() { operations_.reserve(initial_operations); }

    /// A client starts creating `url` under `idempotency_key`.
    OperationId invoke_create(std::uint64_t process, std::string_view idempotency_key,
                              std::string_view url, Nanos time);
    /// A client starts reading `code`.
    OperationId invoke_read(std::uint64_t process, std::string_view code,
                            service::ReadConsistency consistency, Nanos time);
    /// The create was acknowledged with `record`. Precondition: the operation is open.
    void complete_create(OperationId id, const fsm::UrlRecord& record, Nanos time);
    /// The read answered `url` (nullopt: not found). Precondition: the operation is open.
    void complete_read(OperationId id, std::optional<std::string_view> url, Nanos time);
    /// The operation definitely did not take effect. Precondition: the operation is open.
    void fail(OperationId id, Nanos time);
    /// Ends the history: every open operation completes as info at `time`.
    void finish(Nanos time);

    const std::vector<Operation>& operations() const { return operations_; }
    const Operation& operation(OperationId id) const { return operations_.at(id); }
    /// The open operation invoked first, if any: its liveness deadline is the earliest.
    /// Asked before every event, so inline and O(1).
    std::optional<OperationId> oldest_open() const {
        if (first_open_ == operations_.size()) return std::nullopt;
        return first_open_;
    }
    std::size_t size() const { return operations_.size(); }

    /// Writes every event as one JSON object per line, in the order the events happened.
    void write_jsonl(std::ostream& out) const;

private:
    /// Records the invocation of a new operation and returns it, its id and invoke time set.
    Operation& start(std::uint64_t process, OperationFunction function, Nanos time);
    struct Event {
        OperationId id = 0;
        OperationType type = OperationType::Invoke;
    };
    void complete(OperationId id, OperationType outcome, Nanos time);

    /// The operations' strings, which live as long as the history: allocated and freed one by
    /// one (4,700 of each in speed-5 seed 1, the frees all at the end of the run, where they
    /// cost the most), they took 2.5M instructions more. Held by pointer, so that History
    /// moves.
    std::unique_ptr<std::pmr::monotonic_buffer_resource> strings_ =
        std::make_unique<std::pmr::monotonic_buffer_resource>();
    /// Room the operations start with: growing from empty, the vector moved every Operation
    /// (three strings each) a dozen times over (speed-5 seed 1 records 7,138 operations).
    static constexpr std::size_t initial_operations = std::size_t{1} << 13;
    std::vector<Operation> operations_;  // their strings in strings_
    std::vector<Event> events_;
    /// The first open operation, or operations_.size() if none is open. Ids grow in invoke
    /// order, so this is the oldest one; it moves on as operations complete (amortized O(1),
    /// where a set of the open ids cost a node allocation per operation).
    OperationId first_open_ = 0;
};

/// How long acknowledged operations of one kind took, invoke to ok, in virtual time (so a
/// deterministic figure of the simulated system, not of the machine running it).
struct LatencySummary {
    std::uint64_t count = 0;
    Nanos total = 0;  // the sum, so that runs can be pooled into one mean
    Nanos mean = 0;
    Nanos p50 = 0;    // nearest-rank percentiles
    Nanos p99 = 0;
    Nanos max = 0;
};

/// The latencies of `history`'s operations of `function` that completed ok.
LatencySummary latency_of(const History& history, OperationFunction function);

/// One event of `operation` as a JSON object (no newline). For a completion, `type` is the
/// operation's outcome.
std::string history_event_json(const Operation& operation, OperationType type);

/// Appends `text` as a JSON string literal (quotes included), escaping as RFC 8259 requires.
void append_json_string(std::string& out, std::string_view text);

}  // namespace raftlink::sim
