// SPDX-License-Identifier: MIT
#include "apps/bench/json_report.h"

#include <rapidjson/writer.h>

#include <fstream>

namespace raftlink::bench {
namespace {

void write_string(JsonWriter& writer, const std::string& text) {
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void write_parameters(JsonWriter& writer, const RunDescription& description) {
    writer.Key("parameters");
    writer.StartObject();
    writer.Key("target");
    write_string(writer, description.target);
    writer.Key("url");
    write_string(writer, description.url);
    writer.Key("mode");
    writer.String(mode_name(description.mode));
    if (description.mode == LoopMode::Open) {
        writer.Key("rate");
        writer.Double(description.rate);
    } else {
        writer.Key("connections");
        writer.Uint(description.connections);
    }
    writer.Key("duration");
    writer.Int64(description.duration);
    writer.Key("requests_max");
    writer.Uint64(description.requests_max);
    writer.Key("latency_origin");
    writer.String(latency_origin_name(description.latency_origin));
    writer.EndObject();
}

void write_latencies(JsonWriter& writer, const LatencyFigures& latencies) {
    writer.Key("latencies");
    writer.StartObject();
    const std::pair<const char*, DurationNs> figures[] = {
        {"total", latencies.total}, {"mean", latencies.mean}, {"50th", latencies.p50},
        {"90th", latencies.p90},    {"95th", latencies.p95},  {"99th", latencies.p99},
        {"max", latencies.max},     {"min", latencies.min}};
    for (const auto& [key, value] : figures) {
        writer.Key(key);
        writer.Int64(value);
    }
    writer.EndObject();
}

void write_bytes(JsonWriter& writer, const char* key, std::uint64_t total, double mean) {
    writer.Key(key);
    writer.StartObject();
    writer.Key("total");
    writer.Uint64(total);
    writer.Key("mean");
    writer.Double(mean);
    writer.EndObject();
}

void write_figures(JsonWriter& writer, const RunMetrics& metrics) {
    write_latencies(writer, metrics.latencies);
    write_bytes(writer, "bytes_in", metrics.bytes_in_total, metrics.bytes_in_mean);
    write_bytes(writer, "bytes_out", metrics.bytes_out_total, metrics.bytes_out_mean);
    // vegeta's earliest, latest and end are wall-clock timestamps; ours are nanoseconds since
    // the run's start, which is all a report can compare.
    const std::pair<const char*, DurationNs> times[] = {{"earliest", metrics.earliest},
                                                        {"latest", metrics.latest},
                                                        {"end", metrics.end},
                                                        {"duration", metrics.attack},
                                                        {"wait", metrics.wait}};
    for (const auto& [key, value] : times) {
        writer.Key(key);
        writer.Int64(value);
    }
    writer.Key("requests");
    writer.Uint64(metrics.requests);
    writer.Key("rate");
    writer.Double(metrics.rate);
    writer.Key("throughput");
    writer.Double(metrics.throughput);
    writer.Key("success");
    writer.Double(metrics.success_ratio);
    writer.Key("status_codes");
    writer.StartObject();
    for (const auto& [code, count] : metrics.status_codes) {
        writer.Key(code.c_str());
        writer.Uint64(count);
    }
    writer.EndObject();
    writer.Key("errors");
    writer.StartArray();
    for (const std::string& error : metrics.errors) write_string(writer, error);
    writer.EndArray();
    writer.Key("late_launches");
    writer.Uint64(metrics.late_launches);
    writer.Key("lateness_max");
    writer.Int64(metrics.lateness_max);
}

void write_results(JsonWriter& writer, const RunRecord& record) {
    writer.Key("results");
    writer.StartArray();
    rapidjson::StringBuffer line;
    for (const RequestResult& result : record.results) {
        // Each result is written compactly and inserted raw: one line per request keeps a
        // file of a million results greppable.
        line.Clear();
        rapidjson::Writer<rapidjson::StringBuffer> compact(line);
        compact.StartObject();
        compact.Key("seq");
        compact.Uint64(result.sequence);
        compact.Key("scheduled");
        compact.Int64(result.scheduled_ns);
        compact.Key("sent");
        compact.Int64(result.sent_ns);
        compact.Key("latency");
        compact.Int64(result.done_ns - result.sent_ns);
        compact.Key("code");
        compact.Uint(result.status_code);
        compact.Key("bytes_in");
        compact.Uint64(result.bytes_in);
        compact.Key("bytes_out");
        compact.Uint64(result.bytes_out);
        compact.Key("error");
        compact.String(result.error.data(), static_cast<rapidjson::SizeType>(result.error.size()));
        compact.EndObject();
        writer.RawValue(line.GetString(), line.GetSize(), rapidjson::kObjectType);
    }
    writer.EndArray();
}

}  // namespace

void write_run_json(JsonWriter& writer, const RunDescription& description,
                    const RunMetrics& metrics, const RunRecord& record, bool include_results) {
    writer.StartObject();
    write_parameters(writer, description);
    write_figures(writer, metrics);
    writer.Key("interrupted");
    writer.Bool(record.interrupted);
    if (include_results) write_results(writer, record);
    writer.EndObject();
}

std::string run_json(const RunDescription& description, const RunMetrics& metrics,
                     const RunRecord& record, bool include_results) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.SetIndent(' ', 2);
    write_run_json(writer, description, metrics, record, include_results);
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

bool write_text_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    return static_cast<bool>(out);
}

}  // namespace raftlink::bench
