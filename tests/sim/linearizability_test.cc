// SPDX-License-Identifier: MIT
// The linearizability checker on hand-written histories: what must pass passes, what must fail
// fails with the offending operation named, unknown outcomes are handled as Jepsen does, and
// the search gives up (inconclusive) rather than hang.
#include "io/sim/linearizability.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace raftlink::sim {
namespace {

constexpr Nanos unknown = -1;  // "never completed": the operation becomes info
const std::string url_a = "https://example.com/a";
const std::string url_b = "https://example.com/b";
const std::string code_x = "aaaaaaX";

// Builds a finished history from operations given with their intervals.
class Builder {
public:
    Builder& create(std::uint64_t process, const std::string& url, const std::string& code,
                    Nanos invoke, Nanos complete) {
        const OperationId id = history_.invoke_create(process, "key-" + url, url, invoke);
        pending_.push_back(Pending{id, complete, code, std::nullopt});
        return *this;
    }
    Builder& read(std::uint64_t process, const std::string& code,
                  const std::optional<std::string>& url, Nanos invoke, Nanos complete,
                  service::ReadConsistency consistency = service::ReadConsistency::Linearizable) {
        const OperationId id = history_.invoke_read(process, code, consistency, invoke);
        pending_.push_back(Pending{id, complete, "", url});
        return *this;
    }
    std::vector<Operation> finish() {
        // Complete in time order, as a run would; unknown outcomes stay open until the end.
        std::sort(pending_.begin(), pending_.end(),
                  [](const Pending& a, const Pending& b) { return a.complete < b.complete; });
        for (const Pending& p : pending_) {
            if (p.complete == unknown) continue;
            if (history_.operation(p.id).is_create()) {
                history_.complete_create(
                    p.id,
                    fsm::UrlRecord{p.code, std::string(*history_.operation(p.id).value),
                                   LogIndex(7), 0},
                    p.complete);
            } else {
                history_.complete_read(p.id, p.url, p.complete);
            }
        }
        history_.finish(1'000'000);
        return history_.operations();
    }

private:
    struct Pending {
        OperationId id;
        Nanos complete;
        std::string code;
        std::optional<std::string> url;
    };
    History history_;
    std::vector<Pending> pending_;
};

struct Case {
    const char* name;
    std::vector<Operation> history;
    Verdict want;
};

TEST_SUITE("sim") {
    TEST_CASE("linearizability: hand-written histories [Herlihy & Wing]") {
        const Case cases[] = {
            {"empty history", Builder().finish(), Verdict::Linearizable},
            {"create, then reads of the URL",
             Builder()
                 .create(1, url_a, code_x, 10, 20)
                 .read(2, code_x, url_a, 30, 40)
                 .read(3, code_x, url_a, 50, 60)
                 .finish(),
             Verdict::Linearizable},
            {"a read before the create was invoked finds nothing",
             Builder()
                 .read(2, code_x, std::nullopt, 1, 5)
                 .create(1, url_a, code_x, 10, 20)
                 .finish(),
             Verdict::Linearizable},
            {"a read returns the URL before its create was invoked",
             Builder().read(2, code_x, url_a, 1, 5).create(1, url_a, code_x, 10, 20).finish(),
             Verdict::NotLinearizable},
            {"a read finds nothing after the create was acknowledged",
             Builder()
                 .create(1, url_a, code_x, 10, 20)
                 .read(2, code_x, std::nullopt, 21, 30)
                 .finish(),
             Verdict::NotLinearizable},
            {"overlapping read may find nothing (read first)",
             Builder()
                 .create(1, url_a, code_x, 10, 30)
                 .read(2, code_x, std::nullopt, 15, 40)
                 .finish(),
             Verdict::Linearizable},
            {"overlapping read may find the URL (create first)",
             Builder().create(1, url_a, code_x, 10, 30).read(2, code_x, url_a, 5, 12).finish(),
             Verdict::Linearizable},
            {"touching intervals count as concurrent",
             Builder()
                 .create(1, url_a, code_x, 10, 20)
                 .read(2, code_x, std::nullopt, 20, 30)
                 .finish(),
             Verdict::Linearizable},
            {"found, then not found: the register went back",
             Builder()
                 .create(1, url_a, code_x, 10, 100)
                 .read(2, code_x, url_a, 20, 30)
                 .read(3, code_x, std::nullopt, 40, 50)
                 .finish(),
             Verdict::NotLinearizable},
            {"two concurrent readers disagree, in an order that works",
             Builder()
                 .create(1, url_a, code_x, 10, 100)
                 .read(2, code_x, std::nullopt, 20, 60)
                 .read(3, code_x, url_a, 30, 50)
                 .finish(),
             Verdict::Linearizable},
            {"a read returns a URL never created under the id",
             Builder().create(1, url_a, code_x, 10, 20).read(2, code_x, url_b, 30, 40).finish(),
             Verdict::NotLinearizable},
            {"two acknowledged creates of one id",
             Builder().create(1, url_a, code_x, 10, 20).create(2, url_b, code_x, 30, 40).finish(),
             Verdict::NotLinearizable},
            {"info create observed by a read: it took effect",
             Builder()
                 .create(1, url_a, code_x, 10, unknown)
                 .read(2, code_x, url_a, 500, 600)
                 .finish(),
             Verdict::Linearizable},
            {"info create not observed: it may not have taken effect",
             Builder()
                 .create(1, url_a, "", 10, unknown)
                 .read(2, code_x, std::nullopt, 500, 600)
                 .finish(),
             Verdict::Linearizable},
            {"info create observed, then not found: it cannot be undone",
             Builder()
                 .create(1, url_a, "", 10, unknown)
                 .read(2, code_x, url_a, 500, 600)
                 .read(3, code_x, std::nullopt, 700, 800)
                 .finish(),
             Verdict::NotLinearizable},
            {"info create read before it was invoked",
             Builder().read(2, code_x, url_a, 1, 5).create(1, url_a, "", 10, unknown).finish(),
             Verdict::NotLinearizable},
            {"stale reads are not held to linearizability",
             Builder()
                 .create(1, url_a, code_x, 10, 20)
                 .read(2, code_x, std::nullopt, 30, 40, service::ReadConsistency::Stale)
                 .finish(),
             Verdict::Linearizable},
            {"info reads constrain nothing",
             Builder()
                 .create(1, url_a, code_x, 10, 20)
                 .read(2, code_x, std::nullopt, 30, unknown)
                 .finish(),
             Verdict::Linearizable},
        };
        for (const Case& c : cases) {
            CAPTURE(std::string(c.name));
            const LinearizabilityReport report = check_linearizability(c.history);
            CHECK(verdict_name(report.verdict) == std::string(verdict_name(c.want)));
            if (c.want == Verdict::NotLinearizable) {
                CHECK(report.key == code_x);
                CHECK(report.explanation.find("cannot take effect") != std::string::npos);
            }
        }
    }

    TEST_CASE("linearizability: the explanation names the read that cannot be ordered") {
        const auto history = Builder()
                                 .create(1, url_a, code_x, 10, 20)
                                 .read(2, code_x, std::nullopt, 21, 30)
                                 .finish();
        const LinearizabilityReport report = check_linearizability(history);
        REQUIRE(report.verdict == Verdict::NotLinearizable);
        CHECK(report.explanation.find("client 2 linearizable read of aaaaaaX") == 0);
        CHECK(report.explanation.find("-> absent") != std::string::npos);
        CHECK(report.explanation.find("after any 1 of the others") != std::string::npos);
        CHECK(report.linearizable_reads_checked == 1);
        CHECK(report.operations_checked == 2);
    }

    TEST_CASE("linearizability: codes are checked separately") {
        const auto history = Builder()
                                 .create(1, url_a, "aaaaaaA", 10, 20)
                                 .create(2, url_b, "aaaaaaB", 10, 20)
                                 .read(3, "aaaaaaA", url_a, 30, 40)
                                 .read(3, "aaaaaaB", url_b, 50, 60)
                                 .read(4, "aaaaaaB", std::nullopt, 70, 80)
                                 .finish();
        const LinearizabilityReport report = check_linearizability(history);
        CHECK(report.verdict == Verdict::NotLinearizable);
        CHECK(report.key == "aaaaaaB");
        CHECK(report.keys_checked == 2);
    }

    TEST_CASE("linearizability: the first failing code in byte order is reported") {
        // Reads of codes nothing created, each seeing a URL: every code fails. The codes are
        // ordered by their leading bytes first, so those ties and prefixes are the cases.
        struct OrderCase {
            const char* name;
            std::vector<std::string> codes;
            std::string want;
        };
        const OrderCase cases[] = {
            {"a prefix first", {"b", "aaaaaaaaB", "aaaaaaaaA", "aaaaaaaa"}, "aaaaaaaa"},
            {"equal leading 8 bytes", {"b", "aaaaaaaaB", "aaaaaaaaA"}, "aaaaaaaaA"},
            {"bytes compare unsigned", {"\xe9", "b"}, "b"},
            {"a trailing zero byte", {std::string("ab\0", 3), "ab"}, "ab"},
            {"zero before one", {"ab\x01", std::string("ab\0", 3)}, std::string("ab\0", 3)},
        };
        for (const OrderCase& c : cases) {
            CAPTURE(std::string(c.name));
            Builder builder;
            Nanos t = 10;
            for (const std::string& code : c.codes) {
                builder.read(1, code, url_a, t, t + 5);
                t += 10;
            }
            const LinearizabilityReport report = check_linearizability(builder.finish());
            CHECK(report.verdict == Verdict::NotLinearizable);
            CHECK(report.key == c.want);
            CHECK(report.keys_checked == c.codes.size());
        }
    }

    TEST_CASE("linearizability: past its step bound the search is inconclusive, not a failure") {
        // Many mutually concurrent reads: easy for the memoized search, but not in 3 steps.
        Builder builder;
        builder.create(1, url_a, code_x, 10, 1000);
        for (std::uint64_t p = 2; p < 40; ++p) {
            builder.read(p, code_x, p % 2 == 0 ? std::optional<std::string>(url_a) : std::nullopt,
                         static_cast<Nanos>(20 + p), static_cast<Nanos>(900 + p));
        }
        const auto history = builder.finish();
        CHECK(check_linearizability(history).verdict == Verdict::Linearizable);
        const LinearizabilityReport bounded = check_linearizability(history, 3);
        CHECK(bounded.verdict == Verdict::Inconclusive);
        CHECK(bounded.keys_inconclusive == 1);
    }

    TEST_CASE("linearizability: more operations on one code than the bound is inconclusive") {
        Builder builder;
        builder.create(1, url_a, code_x, 10, 20);
        for (std::size_t i = 0; i < linearizability_operations_per_key_max; ++i) {
            const auto t = static_cast<Nanos>(100 + 10 * i);
            builder.read(2, code_x, url_a, t, t + 5);
        }
        CHECK(check_linearizability(builder.finish()).verdict == Verdict::Inconclusive);
    }

    TEST_CASE("stale reads: never a wrong URL, never one no create could have written") {
        const auto stale = service::ReadConsistency::Stale;
        struct StaleCase {
            const char* name;
            std::vector<Operation> history;
            bool ok;
        };
        const StaleCase cases[] = {
            {"a lagging replica finds nothing",
             Builder()
                 .create(1, url_a, code_x, 10, 20)
                 .read(2, code_x, std::nullopt, 30, 40, stale)
                 .finish(),
             true},
            {"the acknowledged URL",
             Builder()
                 .create(1, url_a, code_x, 10, 20)
                 .read(2, code_x, url_a, 30, 40, stale)
                 .finish(),
             true},
            {"an in-flight create's URL",
             Builder()
                 .create(1, url_a, "", 10, unknown)
                 .read(2, code_x, url_a, 30, 40, stale)
                 .finish(),
             true},
            {"a URL nobody created",
             Builder()
                 .create(1, url_a, code_x, 10, 20)
                 .read(2, code_x, url_b, 30, 40, stale)
                 .finish(),
             false},
            {"a URL before its create was invoked",
             Builder()
                 .read(2, code_x, url_a, 1, 5, stale)
                 .create(1, url_a, code_x, 10, 20)
                 .finish(),
             false},
            {"a URL created under another id",
             Builder()
                 .create(1, url_a, "aaaaaaY", 10, 20)
                 .read(2, code_x, url_a, 30, 40, stale)
                 .finish(),
             false},
            {"an info create's URL for an id acknowledged for another URL",
             Builder()
                 .create(1, url_a, code_x, 10, 20)
                 .create(3, url_b, "", 10, unknown)
                 .read(2, code_x, url_b, 30, 40, stale)
                 .finish(),
             false},
        };
        for (const StaleCase& c : cases) {
            CAPTURE(std::string(c.name));
            const auto violation = check_stale_reads(c.history);
            CHECK(violation.has_value() == !c.ok);
            if (violation) CHECK(violation->key == code_x);
        }
    }
}

}  // namespace
}  // namespace raftlink::sim
