// SPDX-License-Identifier: MIT
#include "io/real/create_batcher.h"

#include <boost/asio/post.hpp>

#include <utility>

namespace raftlink::real {

void CreateBatcher::add(service::ShortenRequest request, service::ShortenDone done) {
    queued_.push_back(Replica::ShortenCall{std::move(request), std::move(done)});
    if (queued_.size() >= create_batch_max) {
        flush();
        return;
    }
    if (flush_posted_) return;
    flush_posted_ = true;
    boost::asio::post(io_, [this]() {
        flush_posted_ = false;
        flush();
    });
}

void CreateBatcher::flush() {
    if (queued_.empty()) return;
    ++batches_;
    creates_ += queued_.size();
    // Swap first: a callback run inside shorten() may queue the next batch.
    std::vector<Replica::ShortenCall> batch = std::exchange(queued_, {});
    replica_.shorten(std::move(batch));
}

}  // namespace raftlink::real
