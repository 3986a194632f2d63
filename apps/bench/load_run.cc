// SPDX-License-Identifier: MIT
#include "apps/bench/load_run.h"

#include "apps/bench/closed_loop.h"
#include "apps/bench/open_loop.h"

namespace raftlink::bench {

LoadRun execute_load(const RequestTarget& target, const LoadPlan& plan) {
    const RunDescription& description = plan.description;
    ProgressCounters counters;
    LoadSettings settings = plan.settings;
    settings.progress = &counters;
    LoadRun run;
    run.description = description;
    {
        const ProgressPrinter printer(counters, plan.progress, description.duration);
        if (description.mode == LoopMode::Open) {
            const OpenLoopSettings pacing{description.rate, description.duration,
                                          description.requests_max, plan.connections_max};
            run.record = run_open_loop(target, settings, pacing);
        } else {
            const ClosedLoopSettings pacing{description.connections, description.duration,
                                            description.requests_max};
            run.record = run_closed_loop(target, settings, pacing);
        }
    }
    run.metrics = summarize(run.record, description.latency_origin);
    return run;
}

}  // namespace raftlink::bench
