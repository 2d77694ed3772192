// xhttp_prom: Prometheus metrics over xhttp. prom_dispatch() answers the current HTTP
// request with the user metrics (prom_counter/prom_gauge/prom_histogram modparams) and the
// internal statistics selected by xhttp_prom_stats, in the text exposition format.
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>

#include "core/log.h"
#include "modules/modules.h"
#include "modules/rpc/runtime.h"
#include "modules/xhttp/xhttp.h"
#include "modules/xhttp_prom/prom.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;

struct PromData : cfg::ModuleData, rpc::RuntimeUser {
    PromMetrics metrics;
    PromOptions opt;
    const XhttpData* xhttp = nullptr;
    rpc::Runtime* rt = nullptr;
    void bind(rpc::Runtime& r) override { rt = &r; }
};

PromData& data_of(CallArgs& a) {
    return *static_cast<PromData*>(a.mod);
}

int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool label_values(CallArgs& a, size_t first, std::vector<std::string>& lv) {
    for (size_t i = first; i < a.args.size(); ++i) {
        std::string_view s;
        if (!a.str(i, s)) return false;
        lv.emplace_back(s);
    }
    return true;
}

bool number_arg(CallArgs& a, size_t i, double& out) {
    std::string_view s;
    if (!a.str(i, s)) return false;
    std::string t(s);
    char* end = nullptr;
    out = std::strtod(t.c_str(), &end);
    if (t.empty() || *end != '\0' || !std::isfinite(out)) {
        SLOG_ERR("xhttp_prom", "bad number \"%s\"", t.c_str());
        return false;
    }
    return true;
}

int report(const std::string& err) {
    if (err.empty()) return 1;
    SLOG_ERR("xhttp_prom", "%s", err.c_str());
    return -1;
}

int w_counter_reset(CallArgs& a) {
    std::string_view name;
    std::vector<std::string> lv;
    if (!a.str(0, name) || !label_values(a, 1, lv)) return -1;
    return report(data_of(a).metrics.counter_reset(name, lv));
}

int w_gauge_reset(CallArgs& a) {
    std::string_view name;
    std::vector<std::string> lv;
    if (!a.str(0, name) || !label_values(a, 1, lv)) return -1;
    return report(data_of(a).metrics.gauge_reset(name, lv));
}

int w_counter_inc(CallArgs& a) {
    std::string_view name;
    int32_t n;
    std::vector<std::string> lv;
    if (!a.str(0, name) || !a.integer(1, n) || !label_values(a, 2, lv)) return -1;
    return report(data_of(a).metrics.counter_inc(name, n, lv));
}

template <std::string (PromMetrics::*Op)(std::string_view, double, const std::vector<std::string>&)>
int w_number_op(CallArgs& a) {
    std::string_view name;
    double v;
    std::vector<std::string> lv;
    if (!a.str(0, name) || !number_arg(a, 1, v) || !label_values(a, 2, lv)) return -1;
    return report((data_of(a).metrics.*Op)(name, v, lv));
}

int w_prom_dispatch(CallArgs& a) {
    PromData& d = data_of(a);
    pv::Ctx& ctx = a.ctx;
    if (!ctx.msg || !ctx.msg->is_http() || !d.xhttp) {
        SLOG_ERR("xhttp_prom", "prom_dispatch() outside an HTTP request");
        return -1;
    }
    int64_t uptime = d.rt ? std::time(nullptr) - d.rt->start_time() : 0;
    std::string body = d.metrics.render(d.opt, d.rt ? &d.rt->stats() : nullptr, uptime, wall_ms());
    return xhttp_reply(ctx, *d.xhttp, 200, "OK", "text/plain; version=0.0.4", body) < 0 ? -1 : 1;
}

// True when the path of the URL is /metrics (query string ignored).
int w_prom_check_uri(CallArgs& a) {
    if (!a.ctx.msg || !a.ctx.msg->is_http()) return -1;
    std::string_view u = a.ctx.msg->uri;
    size_t q = u.find_first_of("?#");
    if (q != std::string_view::npos) u = u.substr(0, q);
    return u == "/metrics" || u.substr(0, 9) == "/metrics/" ? 1 : -1;
}

std::string declare(cfg::ModuleData& d, const Value& v, PromKind kind) {
    PromDef def;
    std::string err = parse_prom_def(v.s, kind, def);
    if (!err.empty()) return err;
    return static_cast<PromData&>(d).metrics.declare(std::move(def));
}

std::string init_prom(cfg::ModuleData& md, cfg::InitCtx& ic) {
    auto& d = static_cast<PromData&>(md);
    d.xhttp = static_cast<const XhttpData*>(ic.script.module_data("xhttp"));
    if (!d.xhttp) return "the xhttp module must be loaded";
    return "";
}

// RPC commands (xhttp_prom.c: rpc_prom_*).
PromData* rpc_data(rpc::Call& c) {
    return &c.module_as<PromData>();
}

bool rpc_labels(rpc::Call& c, std::vector<std::string>& lv) {
    std::string s;
    rpc::Scan r;
    while ((r = c.scan_str(s)) == rpc::Scan::Ok)
        lv.push_back(s);
    return r != rpc::Scan::Bad;
}

void rpc_fail(rpc::Call& c, const std::string& err) {
    if (!err.empty()) c.fault(500, err);
}

void rpc_counter_reset(rpc::Call& c) {
    std::string name;
    std::vector<std::string> lv;
    if (c.scan_str(name) != rpc::Scan::Ok) {
        if (!c.failed()) c.fault(400, "Missing counter name");
        return;
    }
    if (!rpc_labels(c, lv)) return;
    std::string err = rpc_data(c)->metrics.counter_reset(name, lv);
    if (!err.empty()) c.fault(500, "Failed to reset counter: " + name);
}

void rpc_counter_inc(rpc::Call& c) {
    std::string name;
    int64_t n;
    std::vector<std::string> lv;
    if (c.scan_str(name) != rpc::Scan::Ok) {
        if (!c.failed()) c.fault(400, "Missing counter name");
        return;
    }
    rpc::Scan s = c.scan_int(n);
    if (s != rpc::Scan::Ok) {
        if (!c.failed()) c.fault(400, "Missing number to add to counter");
        return;
    }
    if (!rpc_labels(c, lv)) return;
    std::string err = rpc_data(c)->metrics.counter_inc(name, n, lv);
    if (!err.empty()) c.fault(500, "Failed to add " + std::to_string(n) + " to counter: " + name);
}

template <std::string (PromMetrics::*Op)(std::string_view, double, const std::vector<std::string>&)>
void rpc_number_op(rpc::Call& c) {
    std::string name;
    double v;
    std::vector<std::string> lv;
    if (c.scan_str(name) != rpc::Scan::Ok) {
        if (!c.failed()) c.fault(400, "Missing metric name");
        return;
    }
    if (c.scan_double(v) != rpc::Scan::Ok) {
        if (!c.failed()) c.fault(400, "Missing number");
        return;
    }
    if (!rpc_labels(c, lv)) return;
    rpc_fail(c, (rpc_data(c)->metrics.*Op)(name, v, lv));
}

void rpc_gauge_reset(rpc::Call& c) {
    std::string name;
    std::vector<std::string> lv;
    if (c.scan_str(name) != rpc::Scan::Ok) {
        if (!c.failed()) c.fault(400, "Missing gauge name");
        return;
    }
    if (!rpc_labels(c, lv)) return;
    std::string err = rpc_data(c)->metrics.gauge_reset(name, lv);
    if (!err.empty()) c.fault(500, "Failed to reset gauge: " + name);
}

void rpc_metric_list_print(rpc::Call& c) {
    PromData* d = rpc_data(c);
    std::string text = d->metrics.render_user(d->opt, wall_ms());
    c.add(rpc::Node::str("# User defined metrics\n" + text));
}

template <auto Member>
cfg::ParamDef int_param(std::string_view name) {
    return {name, cfg::ParamType::Int, [](cfg::ModuleData& d, const Value& v) {
                static_cast<PromData&>(d).opt.*Member = v.i;
                return std::string();
            }};
}

}   // namespace

const cfg::ModuleDef kXhttpPromModule{
    .name = "xhttp_prom",
    .deps = {"xhttp"},
    .create = [] { return std::unique_ptr<cfg::ModuleData>(new PromData); },
    .params =
        {
            {"xhttp_prom_buf_size", cfg::ParamType::Int,
             [](cfg::ModuleData&, const Value&) { return std::string(); }},
            {"xhttp_prom_timeout", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 if (v.i < 0) return std::string("negative values are not allowed");
                 static_cast<PromData&>(d).opt.timeout_ms = static_cast<int64_t>(v.i) * 60 * 1000;
                 return std::string();
             }},
            {"xhttp_prom_stats", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 // One selector per modparam ("all", "group:", "name"); several may be
                 // given, in one string separated by spaces or by repeating the modparam.
                 std::string_view s = v.s;
                 auto& out = static_cast<PromData&>(d).opt.stats;
                 while (!s.empty()) {
                     size_t sp = s.find_first_of(" \t,");
                     std::string_view w = s.substr(0, sp);
                     if (!w.empty()) out.emplace_back(w);
                     s.remove_prefix(sp == std::string_view::npos ? s.size() : sp + 1);
                 }
                 return std::string();
             }},
            {"xhttp_prom_pkg_stats", cfg::ParamType::Int,
             [](cfg::ModuleData&, const Value&) { return std::string(); }},
            {"xhttp_prom_uptime_stat", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 static_cast<PromData&>(d).opt.uptime_stat = v.i != 0;
                 return std::string();
             }},
            {"xhttp_prom_beginning", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 std::string p(v.s);
                 if (!p.empty() && prom_metric_name(p) != p)
                     return "invalid metric prefix \"" + p + "\"";
                 static_cast<PromData&>(d).opt.prefix = p;
                 return std::string();
             }},
            int_param<&PromOptions::metadata_flags>("xhttp_prom_metadata_flags"),
            {"xhttp_prom_tags", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 return parse_prom_tags(v.s, static_cast<PromData&>(d).opt.tags);
             }},
            {"timestamp_format", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 std::string f(v.s);
                 if (f != "ms" && f != "s" && f != "sf")
                     return std::string("must be \"ms\", \"s\" or \"sf\"");
                 static_cast<PromData&>(d).opt.timestamp_format = f;
                 return std::string();
             }},
            {"prom_counter", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) { return declare(d, v, PromKind::Counter); }},
            {"prom_gauge", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) { return declare(d, v, PromKind::Gauge); }},
            {"prom_histogram", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) { return declare(d, v, PromKind::Histogram); }},
        },
    .functions =
        {
            {"prom_counter_reset",
             {ArgKind::Str, ArgKind::Str, ArgKind::Str, ArgKind::Str},
             1,
             pv::kAnyRoute,
             w_counter_reset},
            {"prom_gauge_reset",
             {ArgKind::Str, ArgKind::Str, ArgKind::Str, ArgKind::Str},
             1,
             pv::kAnyRoute,
             w_gauge_reset},
            {"prom_counter_inc",
             {ArgKind::Str, ArgKind::Int, ArgKind::Str, ArgKind::Str, ArgKind::Str},
             2,
             pv::kAnyRoute,
             w_counter_inc},
            {"prom_gauge_inc",
             {ArgKind::Str, ArgKind::Str, ArgKind::Str, ArgKind::Str, ArgKind::Str},
             2,
             pv::kAnyRoute,
             w_number_op<&PromMetrics::gauge_inc>},
            {"prom_gauge_set",
             {ArgKind::Str, ArgKind::Str, ArgKind::Str, ArgKind::Str, ArgKind::Str},
             2,
             pv::kAnyRoute,
             w_number_op<&PromMetrics::gauge_set>},
            {"prom_histogram_observe",
             {ArgKind::Str, ArgKind::Str, ArgKind::Str, ArgKind::Str, ArgKind::Str},
             2,
             pv::kAnyRoute,
             w_number_op<&PromMetrics::histogram_observe>},
            {"prom_dispatch", {}, 0, pv::kRequestRoute | pv::kEventRoute, w_prom_dispatch},
            {"prom_check_uri", {}, 0, pv::kRequestRoute | pv::kEventRoute, w_prom_check_uri},
        },
    .pvs = {},
    .transformations = {},
    .init = init_prom,
    .rpcs =
        {
            {"xhttp_prom.counter_reset", rpc_counter_reset, "Set a counter to zero"},
            {"xhttp_prom.counter_inc", rpc_counter_inc,
             "Add a number (greater or equal to zero) to a counter"},
            {"xhttp_prom.gauge_reset", rpc_gauge_reset, "Set a gauge to zero"},
            {"xhttp_prom.gauge_inc", rpc_number_op<&PromMetrics::gauge_inc>,
             "Add a number to a gauge"},
            {"xhttp_prom.gauge_set", rpc_number_op<&PromMetrics::gauge_set>,
             "Set a gauge to a number"},
            {"xhttp_prom.histogram_observe", rpc_number_op<&PromMetrics::histogram_observe>,
             "Observe a number in a histogram"},
            {"xhttp_prom.metric_list_print", rpc_metric_list_print,
             "Print a list showing all user defined metrics"},
        },
};

}   // namespace siphon::modules
