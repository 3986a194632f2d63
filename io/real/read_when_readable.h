// SPDX-License-Identifier: MIT
// Waits until a socket is readable, then reads what it holds into a dynamic buffer without
// waiting. Why not async_read_some: it first tries a read at once, and for a peer that is
// waiting on its previous answer (a client after its request, a server after its answer) that
// read nearly always finds nothing, one wasted recv() per exchange (about half the leader's
// recv() calls under load). Used by the node's HTTP sessions and by bench's connections.
#pragma once

#include <utility>  // before Asio's headers (GCC 12, C++20, Boost 1.74)

#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>

namespace raftlink::real {

/// Calls `handler(error, bytes)` once: with the wait's error (say, operation_aborted), or with
/// the read's error and the bytes it placed in `buffer.prepare(chunk_bytes)` (not committed).
/// A readiness that turns out stale waits again. `socket` and `buffer` must outlive the
/// operation: keep their owner alive in `handler` (its shared_ptr, as Asio code does).
template <typename DynamicBuffer, typename Handler>
void read_when_readable(boost::asio::ip::tcp::socket& socket, DynamicBuffer& buffer,
                        std::size_t chunk_bytes, Handler handler) {
    socket.async_wait(
        boost::asio::ip::tcp::socket::wait_read,
        [&socket, &buffer, chunk_bytes,
         handler = std::move(handler)](const boost::system::error_code& error) mutable {
            if (error) return handler(error, std::size_t{0});
            boost::system::error_code read_error;
            const std::size_t bytes = socket.read_some(buffer.prepare(chunk_bytes), read_error);
            if (read_error == boost::asio::error::would_block ||
                read_error == boost::asio::error::try_again) {
                return read_when_readable(socket, buffer, chunk_bytes, std::move(handler));
            }
            handler(read_error, bytes);
        });
}

}  // namespace raftlink::real
