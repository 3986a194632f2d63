// SPDX-License-Identifier: MIT
// One running node: the Replica wired to the real clock, transport, storage and HTTP server,
// all on one io_context thread (plus the storage thread), and its orderly shutdown.
//
// Shutdown (SIGTERM/SIGINT): stop accepting HTTP connections; if leader, hand leadership to
// the most up-to-date follower and wait (at most one maximum election timeout) until it has
// taken over, so that a rolling restart loses no write; then flush storage and stop. A second
// signal stops at once.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

#include "apps/node/node_config.h"
#include "core/replica.h"
#include "io/real/asio_clock.h"
#include "io/real/asio_transport.h"
#include "io/real/create_batcher.h"
#include "io/real/file_storage.h"
#include "io/real/http_server.h"
#include "io/real/log_observer.h"
#include "io/real/metrics.h"

namespace raftlink::node {

class NodeRuntime {
public:
    explicit NodeRuntime(NodeConfig config);
    ~NodeRuntime();

    /// Opens storage, binds both ports, starts the replica, and runs until shut down.
    /// Returns the process exit code (0 after a clean shutdown, 1 if start-up failed).
    int run();

private:
    bool open();
    void begin_shutdown(int signal_number);
    void await_transfer(Nanos deadline);
    void finish_shutdown();
    ReplicaConfig replica_config() const;

    NodeConfig config_;
    boost::asio::io_context io_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer shutdown_timer_;
    real::Metrics metrics_;
    real::LogObserver observer_;
    real::AsioClock clock_;
    std::unique_ptr<real::FileStorage> storage_;
    std::unique_ptr<real::AsioTransport> transport_;
    std::unique_ptr<Replica> replica_;
    std::unique_ptr<real::CreateBatcher> creates_;
    std::unique_ptr<real::HttpServer> http_;
    bool shutting_down_ = false;
};

}  // namespace raftlink::node
