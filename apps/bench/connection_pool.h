// SPDX-License-Identifier: MIT
// Keep-alive connections to one endpoint, opened as needed up to a bound.
//
// A request takes an idle connection, or opens a new one while fewer than connections_max
// are open, or else waits in a FIFO for the next connection to come free (the wait counts in
// its latency: the generator launched it on time). A request that fails because the server
// had closed an idle connection is sent once more on a fresh connection, as Go's transport
// does. Single-threaded: everything runs on the io_context's thread.
#pragma once

#include <deque>
#include <vector>

#include "apps/bench/http_connection.h"

namespace raftlink::bench {

class ConnectionPool {
public:
    /// endpoints must outlive the pool. connections_max must be at least 1.
    ConnectionPool(boost::asio::io_context& context, const Endpoints& endpoints,
                   std::string host_header, std::size_t connections_max);

    /// Runs request on some connection; done fires exactly once, on the io_context's thread.
    void submit(PreparedRequest request, DurationNs timeout, HttpConnection::Done done);

    /// Closes every idle connection, so that the io_context can run out of work.
    void close_idle();

    std::size_t connections_open() const { return connections_open_; }
    /// The most connections open at once during the pool's life.
    std::size_t connections_open_max() const { return connections_open_max_; }

private:
    struct Pending {
        PreparedRequest request;
        DurationNs timeout;
        HttpConnection::Done done;
        bool retried = false;
    };

    void run_on(std::shared_ptr<HttpConnection> connection, Pending pending);
    void release(std::shared_ptr<HttpConnection> connection, bool reusable);
    std::shared_ptr<HttpConnection> open();

    boost::asio::io_context& context_;
    const Endpoints& endpoints_;
    std::string host_header_;
    std::size_t connections_max_;
    std::size_t connections_open_ = 0;
    std::size_t connections_open_max_ = 0;
    std::vector<std::shared_ptr<HttpConnection>> idle_;
    std::deque<Pending> waiting_;
};

}  // namespace raftlink::bench
