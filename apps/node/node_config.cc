// SPDX-License-Identifier: MIT
#include "apps/node/node_config.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "core/text.h"
#include "io/real/asio_transport.h"
#include "io/real/file_storage.h"

namespace raftlink::node {
namespace {

using boost::asio::ip::tcp;

std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) return {};
    return value;
}

Result<tcp::endpoint> parse_endpoint(std::string_view text, std::string_view what) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        return make_error(ErrorCode::Malformed, concat(what, " '", text, "' is not HOST:PORT"));
    }
    const auto port = parse_number(text.substr(colon + 1));
    if (!port || *port == 0 || *port > 65535) {
        return make_error(ErrorCode::OutOfRange, concat(what, " '", text, "' has no valid port"));
    }
    boost::system::error_code error;
    const auto address = boost::asio::ip::make_address(std::string(text.substr(0, colon)), error);
    if (error) {
        return make_error(ErrorCode::Malformed,
                          concat(what, " '", text, "': '", text.substr(0, colon),
                                 "' is not an IP address (use e.g. 127.0.0.1)"));
    }
    return tcp::endpoint(address, static_cast<unsigned short>(*port));
}

Result<Member> parse_member(std::string_view entry) {
    const auto equals = entry.find('=');
    const auto slash = entry.find('/');
    if (equals == std::string_view::npos || slash == std::string_view::npos || slash < equals) {
        return make_error(ErrorCode::Malformed,
                          concat("member '", entry, "' is not ID=RAFT_HOST:PORT/HTTP_HOST:PORT"));
    }
    const auto id = parse_number(entry.substr(0, equals));
    if (!id || *id == 0) {
        return make_error(ErrorCode::Malformed, concat("member '", entry, "' has no valid id (>= 1)"));
    }
    auto raft = parse_endpoint(entry.substr(equals + 1, slash - equals - 1), "raft address");
    if (!raft) return raft.error();
    auto http = parse_endpoint(entry.substr(slash + 1), "http address");
    if (!http) return http.error();
    return Member{NodeId(*id), raft.value(), http.value()};
}

/// The pipeline bounds must fit the real world's queues: the replica's thread must never
/// block on the storage queue, one append must fit a transport frame with room for its
/// encoding, and a full window to one follower must fit that peer's send queue (frames beyond
/// it would be dropped, and Raft would resend them forever).
std::optional<std::string> validate_pipeline(const NodeConfig& config) {
    if (config.storage_writes_inflight_max < 1 ||
        config.storage_writes_inflight_max >= real::storage_queue_max) {
        return concat("--storage-writes-inflight-max must be 1..", real::storage_queue_max - 1,
                      " (the storage queue holds ", real::storage_queue_max, " writes)");
    }
    const std::size_t append_bytes_limit = real::frame_bytes_max / 2;
    if (config.entries_bytes_per_append_max < 1 ||
        config.entries_bytes_per_append_max > append_bytes_limit) {
        return concat("--entries-bytes-per-append-max must be 1..", append_bytes_limit,
                      " (half the transport's frame limit of ", real::frame_bytes_max, " bytes)");
    }
    if (config.inflight_appends_max < 1 ||
        config.inflight_appends_max > real::peer_queue_messages_max) {
        return concat("--inflight-appends-max must be 1..", real::peer_queue_messages_max);
    }
    if (config.inflight_appends_max * config.entries_bytes_per_append_max >
        real::peer_queue_bytes_max) {
        return concat("--inflight-appends-max times --entries-bytes-per-append-max must be at most ",
                      real::peer_queue_bytes_max, " bytes (a peer's send queue); got ",
                      config.inflight_appends_max, " x ", config.entries_bytes_per_append_max);
    }
    return std::nullopt;
}

}  // namespace

const Member& NodeConfig::self() const {
    const auto it = std::find_if(members.begin(), members.end(),
                                 [this](const Member& m) { return m.id == id; });
    ASSERT(it != members.end());
    return *it;
}

Result<std::vector<Member>> parse_members(std::string_view text) {
    std::vector<Member> members;
    std::set<NodeId> ids;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const std::string_view entry = text.substr(0, comma);
        auto member = parse_member(entry);
        if (!member) return member.error();
        if (!ids.insert(member.value().id).second) {
            return make_error(ErrorCode::Malformed, concat("member id ", member.value().id,
                                                           " appears twice"));
        }
        members.push_back(member.value());
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    if (members.empty()) return make_error(ErrorCode::Malformed, "no members given");
    std::sort(members.begin(), members.end(),
              [](const Member& a, const Member& b) { return a.id < b.id; });
    return members;
}

Result<std::vector<Member>> members_from_seed_ports(std::uint64_t cluster_size,
                                                    std::uint64_t use_ports_from) {
    if (cluster_size == 0 || cluster_size > 9) {
        return make_error(ErrorCode::OutOfRange, "CLUSTER_SIZE must be 1..9");
    }
    if (use_ports_from == 0 || use_ports_from + 2 * cluster_size > 65536) {
        return make_error(ErrorCode::OutOfRange, "USE_PORTS_FROM leaves no room for the ports");
    }
    std::vector<Member> members;
    const auto loopback = boost::asio::ip::make_address("127.0.0.1");
    for (std::uint64_t i = 1; i <= cluster_size; ++i) {
        const auto http = static_cast<unsigned short>(use_ports_from + i - 1);
        const auto raft = static_cast<unsigned short>(use_ports_from + cluster_size + i - 1);
        members.push_back(Member{NodeId(i), tcp::endpoint(loopback, raft),
                                 tcp::endpoint(loopback, http)});
    }
    return members;
}

Result<std::pair<Nanos, Nanos>> parse_millis_range(std::string_view text) {
    const auto dash = text.find('-');
    const auto low = parse_number(text.substr(0, dash));
    const auto high = dash == std::string_view::npos ? low : parse_number(text.substr(dash + 1));
    if (!low || !high || *low == 0 || *low > *high || *high > 600'000) {
        return make_error(ErrorCode::Malformed,
                          concat("'", text, "' is not MIN-MAX milliseconds with 1 <= MIN <= MAX"));
    }
    return std::make_pair(ms(static_cast<std::int64_t>(*low)), ms(static_cast<std::int64_t>(*high)));
}

std::optional<std::string> validate(const NodeConfig& config) {
    if (config.members.empty()) return "no members: give --members, --config or NODE_ID/CLUSTER_SIZE/USE_PORTS_FROM";
    const bool listed = std::any_of(config.members.begin(), config.members.end(),
                                    [&](const Member& m) { return m.id == config.id; });
    if (!listed) return concat("--id ", config.id, " is not one of the members");
    if (config.heartbeat_interval >= config.election_timeout_min) {
        return "--heartbeat-ms must be below the election timeout minimum";
    }
    if (config.data_dir.empty()) return "--data-dir must not be empty";
    if (auto problem = validate_pipeline(config)) return problem;
    if (config.secret.empty()) return "the cluster secret is empty";
    std::set<tcp::endpoint> endpoints;
    for (const Member& m : config.members) {
        if (!endpoints.insert(m.raft).second || !endpoints.insert(m.http).second) {
            return concat("member ", m.id, " reuses an address another member or port has");
        }
    }
    return std::nullopt;
}

Result<std::string> load_secret(const std::filesystem::path& path, bool create) {
    if (create && !std::filesystem::exists(path)) {
        // Write a temporary file, then link() it into place: link fails if another node won
        // the race, and then everyone reads the winner's secret.
        std::random_device device;
        constexpr std::string_view digits = "0123456789abcdef";
        std::string secret;
        for (int i = 0; i < 64; ++i) secret += digits[device() & 0xf];
        const auto temporary = path.string() + ".tmp." + std::to_string(::getpid());
        {
            std::ofstream out(temporary, std::ios::trunc);
            out << secret << '\n';
            if (!out) return make_error(ErrorCode::NotFound, concat("cannot write ", temporary));
        }
        ::chmod(temporary.c_str(), 0600);
        (void)::link(temporary.c_str(), path.c_str());
        std::filesystem::remove(temporary);
    }
    std::ifstream in(path);
    if (!in) return make_error(ErrorCode::NotFound, concat("cannot read the cluster secret file ", path));
    std::stringstream text;
    text << in.rdbuf();
    std::string secret = text.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    if (secret.empty()) return make_error(ErrorCode::OutOfRange, concat(path, " is empty"));
    return secret;
}

}  // namespace raftlink::node
