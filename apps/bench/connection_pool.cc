// SPDX-License-Identifier: MIT
#include "apps/bench/connection_pool.h"

#include <algorithm>

#include "core/assert.h"

namespace raftlink::bench {

ConnectionPool::ConnectionPool(boost::asio::io_context& context, const Endpoints& endpoints,
                               std::string host_header, std::size_t connections_max)
    : context_(context),
      endpoints_(endpoints),
      host_header_(std::move(host_header)),
      connections_max_(connections_max) {
    ASSERT_GE(connections_max_, 1u);
}

void ConnectionPool::submit(PreparedRequest request, DurationNs timeout,
                            HttpConnection::Done done) {
    Pending pending{std::move(request), timeout, std::move(done)};
    if (!idle_.empty()) {
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        return run_on(std::move(connection), std::move(pending));
    }
    if (connections_open_ < connections_max_) return run_on(open(), std::move(pending));
    waiting_.push_back(std::move(pending));
}

void ConnectionPool::close_idle() {
    for (const auto& connection : idle_) {
        connection->close();
        --connections_open_;
    }
    idle_.clear();
}

std::shared_ptr<HttpConnection> ConnectionPool::open() {
    ASSERT_LT(connections_open_, connections_max_);
    ++connections_open_;
    connections_open_max_ = std::max(connections_open_max_, connections_open_);
    return std::make_shared<HttpConnection>(context_, endpoints_, host_header_);
}

void ConnectionPool::run_on(std::shared_ptr<HttpConnection> connection, Pending pending) {
    // The exchange reads the request from pending; keep it alive in the callback.
    auto shared = std::make_shared<Pending>(std::move(pending));
    HttpConnection* raw = connection.get();
    raw->exchange(shared->request, shared->timeout,
                  [this, shared, connection = std::move(connection)](ExchangeOutcome outcome) {
                      if (outcome.stale_connection && !shared->retried) {
                          // The server closed this idle connection under us; nothing was
                          // answered, so try once more on a fresh connection.
                          shared->retried = true;
                          --connections_open_;
                          return run_on(open(), std::move(*shared));
                      }
                      const bool reusable = outcome.reusable;
                      HttpConnection::Done done = std::move(shared->done);
                      release(connection, reusable);
                      done(std::move(outcome));
                  });
}

void ConnectionPool::release(std::shared_ptr<HttpConnection> connection, bool reusable) {
    if (!reusable) {
        --connections_open_;
        if (waiting_.empty()) return;
        connection = open();
    }
    if (!waiting_.empty()) {
        Pending next = std::move(waiting_.front());
        waiting_.pop_front();
        return run_on(std::move(connection), std::move(next));
    }
    idle_.push_back(std::move(connection));
}

}  // namespace raftlink::bench
