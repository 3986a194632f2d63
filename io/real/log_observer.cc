// SPDX-License-Identifier: MIT
#include "io/real/log_observer.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>

namespace raftlink::real {

bool setup_logging(NodeId id, std::string_view level) {
    const spdlog::level::level_enum parsed = spdlog::level::from_str(std::string(level));
    // from_str answers "off" for names it does not know; only accept "off" when asked for.
    if (parsed == spdlog::level::off && level != "off") return false;
    auto logger = spdlog::stderr_logger_mt("raftlink");
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e [" + std::to_string(id.value) + "] %^%v%$");
    logger->set_level(parsed);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
    return true;
}

int trace_line_level(std::string_view text) {
    // What an operator wants to see without debug: the node's life story.
    static constexpr std::array<std::string_view, 12> info_prefixes = {
        "Becoming", "Election timer expired", "Received majority", "Starting",
        "Initializing", "Joining", "Transferring", "Leadership transfer", "Heard from",
        "Received TimeoutNow", "URLStore: start", "Received AppendEntries RPC from node"};
    for (const std::string_view prefix : info_prefixes) {
        if (text.substr(0, prefix.size()) == prefix) return spdlog::level::info;
    }
    return spdlog::level::debug;
}

bool trace_lines_shown() { return spdlog::should_log(spdlog::level::info); }

void LogObserver::on_trace(NodeId, const raft::TraceLine& line) {
    const auto level = static_cast<spdlog::level::level_enum>(trace_line_level(line.text));
    spdlog::log(level, "{}", line.text);
}

}  // namespace raftlink::real
