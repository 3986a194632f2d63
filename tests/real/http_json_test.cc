// SPDX-License-Identifier: MIT
// json_created writes its strings by hand (io/real/http_json.cc says why); it must write what
// RapidJSON's writer writes for the same values, escapes included.
#include <doctest/doctest.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>
#include <vector>

#include "io/real/http_json.h"

namespace raftlink::real {
namespace {

std::string rapidjson_created(std::string_view short_url, std::string_view long_url) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("url");
    writer.String(short_url.data(), static_cast<rapidjson::SizeType>(short_url.size()));
    writer.Key("redirectsTo");
    writer.String(long_url.data(), static_cast<rapidjson::SizeType>(long_url.size()));
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

TEST_SUITE("real") {
    TEST_CASE("http json: a 201's body is what RapidJSON's writer writes, for every byte") {
        std::vector<std::string> urls = {
            "",
            "https://example.com/1",
            "https://example.com/a?b=c&d=\"e\"\\f",
            "tab\there, newline\nthere, \r\b\f, nul",
            "unicode: \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
            "invalid UTF-8 passes as it is: \xff\xfe\x80",
        };
        urls.back().push_back('\0');
        std::string every_byte;
        for (int byte = 0; byte < 256; ++byte) every_byte.push_back(static_cast<char>(byte));
        urls.push_back(every_byte);
        for (const std::string& url : urls) {
            CHECK(json_created("http://127.0.0.1:8001/abcDEF12", url) ==
                  rapidjson_created("http://127.0.0.1:8001/abcDEF12", url));
            CHECK(json_created(url, "x") == rapidjson_created(url, "x"));
        }
    }
}

}  // namespace
}  // namespace raftlink::real
