// SPDX-License-Identifier: MIT
// Appends a prepared Beast message (string body, Content-Length set) to a string in HTTP/1.x
// wire form: start line, every field in the message's order, blank line, body.
//
// Why not Beast's serializer: it is generic over bodies, chunking and buffer sequences, and
// walking its nested buffer views cost about 6,000 instructions per 201 answer, 16% of the
// leader's work per create (callgrind). A message whose payload is prepared needs none of that;
// its bytes are the ones the serializer produces (tests/real/http_wire_test.cc checks them
// against it). Header-only, so that the bench generator uses it for its requests too.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

#include "core/assert.h"

namespace raftlink::real {

namespace detail {

inline void append_view(std::string& out, boost::beast::string_view text) {
    out.append(text.data(), text.size());
}

}  // namespace detail

/// Precondition: prepare_payload() ran (or the fields frame the body otherwise), and the
/// message is not chunked.
template <bool is_request>
void append_wire(const boost::beast::http::message<is_request, boost::beast::http::string_body>&
                     message,
                 std::string& out) {
    ASSERT(!message.chunked());
    const unsigned version = message.version();
    ASSERT(version == 10 || version == 11);
    if constexpr (is_request) {
        detail::append_view(out, message.method_string());
        out += ' ';
        detail::append_view(out, message.target());
        out += " HTTP/1.";
        out += static_cast<char>('0' + version % 10);
    } else {
        out += "HTTP/1.";
        out += static_cast<char>('0' + version % 10);
        out += ' ';
        out += std::to_string(message.result_int());
        out += ' ';
        detail::append_view(out, message.reason());
    }
    out += "\r\n";
    for (const auto& field : message) {
        detail::append_view(out, field.name_string());
        out += ": ";
        detail::append_view(out, field.value());
        out += "\r\n";
    }
    out += "\r\n";
    out += message.body();
}

}  // namespace raftlink::real
