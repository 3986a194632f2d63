// SPDX-License-Identifier: MIT
// What each request of a run is: a create (POST / with a URL made from a template and the
// request's sequence number) or a read (GET /ID of an id created before). Targets are
// immutable once built, so generator threads share one without locking.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace raftlink::bench {

enum class HttpMethod { Get, Post };

/// One request, ready to be written on a connection.
struct PreparedRequest {
    HttpMethod method = HttpMethod::Get;
    std::string path;
    std::string body;
};

/// The default create body: every request shortens a different URL.
inline constexpr std::string_view default_body_template = "https://example.com/{seq}";

/// The body template with every "{seq}" replaced by sequence.
std::string expand_body_template(std::string_view body_template, std::uint64_t sequence);

/// The short id in a 201 answer's {"url":"http://HOST/ID",...}, or nullopt if the body is not
/// such an answer.
std::optional<std::string> short_id_from_created(std::string_view body);

class RequestTarget {
public:
    virtual ~RequestTarget() = default;
    /// The request with this sequence number. Safe to call from several threads at once.
    virtual PreparedRequest make(std::uint64_t sequence) const = 0;
    /// "create" or "read", for reports.
    virtual std::string name() const = 0;
};

/// POST / (or another path) with text/plain bodies from a template.
class CreateTarget final : public RequestTarget {
public:
    explicit CreateTarget(std::string body_template, std::uint64_t sequence_first = 1,
                          std::string path = "/");
    PreparedRequest make(std::uint64_t sequence) const override;
    std::string name() const override { return "create"; }

private:
    std::string body_template_;
    std::uint64_t sequence_first_;
    std::string path_;
};

/// GET /ID, cycling through ids in order. Redirects are not followed: a 302 is the answer.
class ReadTarget final : public RequestTarget {
public:
    /// ids must be non-empty.
    explicit ReadTarget(std::vector<std::string> ids);
    PreparedRequest make(std::uint64_t sequence) const override;
    std::string name() const override { return "read"; }

private:
    std::vector<std::string> ids_;
};

/// Ids from a file, one per line; blank lines and surrounding whitespace are ignored. Returns
/// nullopt when the file cannot be read.
std::optional<std::vector<std::string>> load_ids(const std::string& path);

/// Writes ids one per line; false on an I/O error.
bool save_ids(const std::string& path, const std::vector<std::string>& ids);

}  // namespace raftlink::bench
