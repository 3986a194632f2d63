// SPDX-License-Identifier: MIT
#include "io/real/http_json.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/text.h"

namespace raftlink::real {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(JsonWriter& writer, std::string_view text) {
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void write_key(JsonWriter& writer, const char* key) { writer.Key(key); }

void write_uint(JsonWriter& writer, const char* key, std::uint64_t value) {
    writer.Key(key);
    writer.Uint64(value);
}

std::string finish(const rapidjson::StringBuffer& buffer) {
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

std::string json_message(std::string_view message) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    write_key(writer, "message");
    write_string(writer, message);
    writer.EndObject();
    return finish(buffer);
}

std::string json_created(std::string_view short_url, std::string_view long_url) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    write_key(writer, "url");
    write_string(writer, short_url);
    write_key(writer, "redirectsTo");
    write_string(writer, long_url);
    writer.EndObject();
    return finish(buffer);
}

std::string json_not_leader(std::string_view message, NodeId leader,
                            const std::string* leader_url) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    write_key(writer, "message");
    write_string(writer, message);
    write_uint(writer, "leaderId", leader.value);
    if (leader_url != nullptr) {
        write_key(writer, "leaderUrl");
        write_string(writer, *leader_url);
    }
    writer.EndObject();
    return finish(buffer);
}

// Keys: id, role ("follower", "pre-candidate", "candidate", "leader"), term, leader (0 when
// none is known), leaderUrl (only when known), commitIndex, appliedIndex, lastIndex, urls,
// pendingCreates, pendingReads, storageWritesOutstanding, elections {preVotes, started, won},
// and peers: one {id, matchIndex, nextIndex, inflight} per follower on a leader, [] on any
// other role.
std::string json_status(const ReplicaStatus& status, const std::string* leader_url) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    write_uint(writer, "id", status.id.value);
    write_key(writer, "role");
    write_string(writer, raft::role_name(status.role));
    write_uint(writer, "term", status.term.value);
    write_uint(writer, "leader", status.leader.value);
    if (leader_url != nullptr) {
        write_key(writer, "leaderUrl");
        write_string(writer, *leader_url);
    }
    write_uint(writer, "commitIndex", status.commit_index.value);
    write_uint(writer, "appliedIndex", status.applied_index.value);
    write_uint(writer, "lastIndex", status.last_index.value);
    write_uint(writer, "urls", status.urls);
    write_uint(writer, "pendingCreates", status.pending_creates);
    write_uint(writer, "pendingReads", status.pending_reads);
    write_uint(writer, "storageWritesOutstanding", status.storage_writes_outstanding);
    write_key(writer, "elections");
    writer.StartObject();
    write_uint(writer, "preVotes", status.counters.pre_votes_started);
    write_uint(writer, "started", status.counters.elections_started);
    write_uint(writer, "won", status.counters.elections_won);
    writer.EndObject();
    write_key(writer, "peers");
    writer.StartArray();
    for (const PeerStatus& peer : status.peers) {
        writer.StartObject();
        write_uint(writer, "id", peer.id.value);
        write_uint(writer, "matchIndex", peer.match_index.value);
        write_uint(writer, "nextIndex", peer.next_index.value);
        write_uint(writer, "inflight", peer.inflight);
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return finish(buffer);
}

std::string json_index() {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    write_key(writer, "service");
    write_string(writer, "raftlink");
    write_key(writer, "routes");
    writer.StartArray();
    for (const char* route : {"POST /", "GET /{id}", "GET /{id}?consistency=linearizable",
                              "GET /healthz", "GET /status", "GET /metrics"}) {
        write_string(writer, route);
    }
    writer.EndArray();
    writer.EndObject();
    return finish(buffer);
}

Result<CreateBody> parse_create_body(std::string_view body) {
    rapidjson::Document document;
    // NB: iterative parsing, because the recursive parser's depth follows the input's nesting
    // and a 64 KB body of '[' would overflow the stack.
    document.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (document.HasParseError()) {
        return make_error(ErrorCode::Malformed,
                          concat("malformed JSON at offset ", document.GetErrorOffset(), ": ",
                                 rapidjson::GetParseError_En(document.GetParseError())));
    }
    if (!document.IsObject()) {
        return make_error(ErrorCode::Malformed, "the JSON body must be an object");
    }
    const auto url = document.FindMember("url");
    if (url == document.MemberEnd() || !url->value.IsString()) {
        return make_error(ErrorCode::Malformed, "the JSON body needs a string member \"url\"");
    }
    CreateBody create;
    create.url.assign(url->value.GetString(), url->value.GetStringLength());
    const auto key = document.FindMember("idempotencyKey");
    if (key != document.MemberEnd() && !key->value.IsNull()) {
        if (!key->value.IsString()) {
            return make_error(ErrorCode::Malformed, "\"idempotencyKey\" must be a string");
        }
        create.idempotency_key.emplace(key->value.GetString(), key->value.GetStringLength());
    }
    return create;
}

}  // namespace raftlink::real
