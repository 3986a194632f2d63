// SPDX-License-Identifier: MIT
// CreateBatcher: gathers the creates that arrive in one turn of the node's event loop and
// hands them to the Replica together, so that they travel as one proposal: one AppendEntries
// per follower and one storage write instead of one of each per create.
//
// The first create of a batch posts a flush to the io_context; asio runs it after the
// handlers that were already ready (the other requests read by the same poll), so a create
// waits for no timer and no other create, only for the requests that arrived with it. A batch
// never exceeds create_batch_max; a full batch is flushed at once. Single-threaded: everything
// runs on the node's io_context thread.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <vector>

#include "core/replica.h"

namespace raftlink::real {

/// Bounds one batch of creates (one proposal).
constexpr std::size_t create_batch_max = 1024;

class CreateBatcher {
public:
    CreateBatcher(boost::asio::io_context& io, Replica& replica) : io_(io), replica_(replica) {}
    CreateBatcher(const CreateBatcher&) = delete;
    CreateBatcher& operator=(const CreateBatcher&) = delete;

    /// Queues a create; `done` is called exactly once, as Replica::shorten would. The batcher
    /// must outlive the io_context's run (a posted flush refers to it).
    void add(service::ShortenRequest request, service::ShortenDone done);
    /// Hands the queued creates to the Replica now.
    void flush();
    /// Batches handed over so far, and the creates in them (for metrics and benchmarks).
    std::uint64_t batches() const { return batches_; }
    std::uint64_t creates() const { return creates_; }

private:
    boost::asio::io_context& io_;
    Replica& replica_;
    std::vector<Replica::ShortenCall> queued_;
    bool flush_posted_ = false;
    std::uint64_t batches_ = 0;
    std::uint64_t creates_ = 0;
};

}  // namespace raftlink::real
