// SPDX-License-Identifier: MIT
#include "apps/bench/request_target.h"

#include <rapidjson/document.h>

#include <fstream>

#include "core/assert.h"

namespace raftlink::bench {

std::string expand_body_template(std::string_view body_template, std::uint64_t sequence) {
    constexpr std::string_view placeholder = "{seq}";
    const std::string number = std::to_string(sequence);
    std::string out;
    out.reserve(body_template.size() + number.size());
    std::size_t position = 0;
    while (true) {
        const std::size_t found = body_template.find(placeholder, position);
        out.append(body_template.substr(position, found - position));
        if (found == std::string_view::npos) break;
        out += number;
        position = found + placeholder.size();
    }
    return out;
}

std::optional<std::string> short_id_from_created(std::string_view body) {
    rapidjson::Document document;
    document.Parse(body.data(), body.size());
    if (document.HasParseError() || !document.IsObject()) return std::nullopt;
    const auto url = document.FindMember("url");
    if (url == document.MemberEnd() || !url->value.IsString()) return std::nullopt;
    const std::string_view text(url->value.GetString(), url->value.GetStringLength());
    const std::size_t slash = text.rfind('/');
    if (slash == std::string_view::npos || slash + 1 == text.size()) return std::nullopt;
    return std::string(text.substr(slash + 1));
}

CreateTarget::CreateTarget(std::string body_template, std::uint64_t sequence_first,
                           std::string path)
    : body_template_(std::move(body_template)),
      sequence_first_(sequence_first),
      path_(std::move(path)) {}

PreparedRequest CreateTarget::make(std::uint64_t sequence) const {
    return {HttpMethod::Post, path_,
            expand_body_template(body_template_, sequence_first_ + sequence)};
}

ReadTarget::ReadTarget(std::vector<std::string> ids) : ids_(std::move(ids)) {
    ASSERT(!ids_.empty());
}

PreparedRequest ReadTarget::make(std::uint64_t sequence) const {
    return {HttpMethod::Get, "/" + ids_[sequence % ids_.size()], {}};
}

std::optional<std::vector<std::string>> load_ids(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::vector<std::string> ids;
    std::string line;
    while (std::getline(in, line)) {
        const std::size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos) continue;
        const std::size_t last = line.find_last_not_of(" \t\r");
        ids.push_back(line.substr(first, last - first + 1));
    }
    if (in.bad()) return std::nullopt;
    return ids;
}

bool save_ids(const std::string& path, const std::vector<std::string>& ids) {
    std::ofstream out(path, std::ios::trunc);
    for (const std::string& id : ids) out << id << '\n';
    out.flush();
    return static_cast<bool>(out);
}

}  // namespace raftlink::bench
