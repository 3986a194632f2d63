// SPDX-License-Identifier: MIT
// append_wire (io/real/http_wire.h) writes the bytes Beast's own serializer writes, for the
// answers the node sends and the requests the bench generator sends.
#include <doctest/doctest.h>

#include <boost/beast/http.hpp>

#include <sstream>
#include <string>

#include "io/real/http_wire.h"

namespace raftlink::real {
namespace {

namespace http = boost::beast::http;

/// What Beast's serializer writes (operator<< runs it).
template <bool is_request>
std::string beast_wire(const http::message<is_request, http::string_body>& message) {
    std::ostringstream out;
    out << message;
    return out.str();
}

template <bool is_request>
std::string our_wire(const http::message<is_request, http::string_body>& message) {
    std::string out = "kept:";
    append_wire(message, out);
    REQUIRE(out.substr(0, 5) == "kept:");  // it appends
    return out.substr(5);
}

TEST_SUITE("real") {
    TEST_CASE("http wire: answers are written as Beast's serializer writes them") {
        http::response<http::string_body> created{http::status::created, 11};
        created.set(http::field::content_type, "application/json");
        created.set(http::field::location, "http://127.0.0.1:8001/abcDEF12");
        created.body() = R"({"url":"http://127.0.0.1:8001/abcDEF12","redirectsTo":"https://e.x/1"})";
        created.keep_alive(true);
        created.prepare_payload();
        CHECK(our_wire(created) == beast_wire(created));

        http::response<http::string_body> closing{http::status::bad_request, 11};
        closing.body() = R"({"message":"malformed"})";
        closing.keep_alive(false);  // adds Connection: close
        closing.prepare_payload();
        CHECK(our_wire(closing) == beast_wire(closing));

        http::response<http::string_body> old{http::status::found, 10};
        old.set(http::field::location, "https://example.com/");
        old.keep_alive(true);  // HTTP/1.0 keep-alive adds Connection: keep-alive
        old.prepare_payload();
        CHECK(our_wire(old) == beast_wire(old));

        http::response<http::string_body> custom{http::status::ok, 11};
        custom.reason("Fine");
        custom.insert("X-Custom", "a, b");
        custom.prepare_payload();
        CHECK(our_wire(custom) == beast_wire(custom));
    }

    TEST_CASE("http wire: requests are written as Beast's serializer writes them") {
        http::request<http::string_body> create{http::verb::post, "/", 11};
        create.set(http::field::host, "127.0.0.1:8001");
        create.set(http::field::user_agent, "raftlink-bench");
        create.set(http::field::content_type, "text/plain");
        create.body() = "https://example.com/42";
        create.keep_alive(true);
        create.prepare_payload();
        CHECK(our_wire(create) == beast_wire(create));

        http::request<http::string_body> read{http::verb::get, "/abcDEF12?consistency=stale", 11};
        read.set(http::field::host, "127.0.0.1:8002");
        read.prepare_payload();
        CHECK(our_wire(read) == beast_wire(read));
    }
}

}  // namespace
}  // namespace raftlink::real
