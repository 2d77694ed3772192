// The metrics of xhttp_prom: user counters, gauges and histograms declared by modparam, with
// up to three labels, and the Prometheus text exposition (format 0.0.4) of those plus the
// selected internal statistics.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace siphon::rpc {
class Stats;
}

namespace siphon::modules {

enum class PromKind : uint8_t { Counter, Gauge, Histogram };

struct PromDef {
    PromKind kind = PromKind::Counter;
    std::string name;
    std::vector<std::string> labels;   // at most 3
    std::vector<double> buckets;       // histograms: increasing upper bounds, without +Inf
    std::string help;
};

// Parses "name=cnt01; label=method:IP; buckets=1:2.5; help='text'" (prom_counter,
// prom_gauge, prom_histogram). Returns an error message or "".
std::string parse_prom_def(std::string_view text, PromKind kind, PromDef& out);

struct PromOptions {
    std::string prefix = "kamailio_";                        // xhttp_prom_beginning
    int metadata_flags = 0;                                  // 1: TYPE, 2: HELP (user metrics)
    std::vector<std::pair<std::string, std::string>> tags;   // xhttp_prom_tags
    std::string timestamp_format = "ms";                     // "ms", "s", "sf"
    int64_t timeout_ms = 60LL * 60 * 1000;                   // xhttp_prom_timeout; 0 = never
    std::vector<std::string> stats;                          // xhttp_prom_stats selectors
    bool uptime_stat = false;                                // xhttp_prom_uptime_stat
};

// "tag_bar=foo,host_job=wurst"
std::string parse_prom_tags(std::string_view text,
                            std::vector<std::pair<std::string, std::string>>& out);

class PromMetrics {
public:
    // Declares a metric; returns an error message or "" (names are unique).
    std::string declare(PromDef def);
    bool empty() const { return metrics_.empty(); }

    // The script/RPC operations. Label values must match the declaration's label count.
    // Return an error message or "".
    std::string counter_inc(std::string_view name, int64_t n, const std::vector<std::string>& lv);
    std::string counter_reset(std::string_view name, const std::vector<std::string>& lv);
    std::string gauge_set(std::string_view name, double v, const std::vector<std::string>& lv);
    std::string gauge_inc(std::string_view name, double v, const std::vector<std::string>& lv);
    std::string gauge_reset(std::string_view name, const std::vector<std::string>& lv);
    std::string histogram_observe(std::string_view name, double v,
                                  const std::vector<std::string>& lv);

    // The user metrics in exposition format. now_ms: wall clock for timestamps and expiry.
    std::string render_user(const PromOptions& o, int64_t now_ms);
    // The whole page: user metrics, then internal statistics.
    std::string render(const PromOptions& o, rpc::Stats* stats, int64_t uptime_s, int64_t now_ms);

private:
    struct Series {
        std::vector<std::string> lv;
        int64_t ivalue = 0;              // counter
        double dvalue = 0;               // gauge
        std::vector<uint64_t> buckets;   // histogram: per bound (not cumulative), +Inf last
        double sum = 0;
        uint64_t count = 0;
        int64_t last_used = 0;   // steady ms
    };
    struct Metric {
        PromDef def;
        std::mutex mu;
        std::vector<std::unique_ptr<Series>> series;   // creation order
    };
    Metric* find(std::string_view name, PromKind kind, const std::vector<std::string>& lv,
                 std::string& err);
    Series& series_of(Metric& m, const std::vector<std::string>& lv);

    std::vector<std::unique_ptr<Metric>> metrics_;
};

// A metric name made valid for Prometheus ([a-zA-Z_:][a-zA-Z0-9_:]*): other characters
// become '_' (Kamailio turns '-' into '_').
std::string prom_metric_name(std::string_view s);
// A label value with \\, \" and \n escaped.
std::string prom_label_value(std::string_view s);

}   // namespace siphon::modules
