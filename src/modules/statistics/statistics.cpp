// statistics: script-defined statistics (modparam "variable", group "script" unless the
// name is "group:name"), update_stat()/reset_stat() on any statistic, and $stat(name).
// A name that matches no statistic is logged and the function fails (Kamailio rejects
// such constant names at load time; here the core statistics only exist once the server runs).
#include <cstdlib>
#include <string>
#include <vector>

#include "core/log.h"
#include "modules/modules.h"
#include "modules/rpc/runtime.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;

struct StatVar {
    std::string group = "script", name;
    bool no_reset = false;
};

struct StatisticsData : cfg::ModuleData, rpc::RuntimeUser {
    std::vector<StatVar> vars;
    rpc::Runtime* rt = nullptr;
    void bind(rpc::Runtime& r) override {
        rt = &r;
        for (auto& v : vars)
            r.stats().add(v.group, v.name, v.no_reset);
    }
};

std::string add_variable(cfg::ModuleData& d, const Value& v) {
    std::string s(v.s);
    StatVar var;
    size_t slash = s.find('/');
    if (slash != std::string::npos) {
        std::string flag = s.substr(slash + 1);
        if (flag != "no_reset") return "unsupported flag \"" + flag + "\" (no_reset)";
        var.no_reset = true;
        s.resize(slash);
    }
    size_t colon = s.find(':');
    if (colon != std::string::npos) {
        var.group = s.substr(0, colon);
        s = s.substr(colon + 1);
    }
    if (s.empty() || var.group.empty()) return "empty statistic name";
    var.name = s;
    static_cast<StatisticsData&>(d).vars.push_back(var);
    return "";
}

rpc::Stat* lookup(StatisticsData& d, std::string_view name) {
    if (!d.rt) return nullptr;
    rpc::Stat* s = d.rt->stats().find(name);
    if (!s)
        SLOG_ERR("statistics", "variable <%.*s> not defined", static_cast<int>(name.size()),
                 name.data());
    return s;
}

int w_update_stat(CallArgs& a) {
    auto& d = *static_cast<StatisticsData*>(a.mod);
    std::string_view name, val;
    if (!a.str(0, name) || !a.str(1, val)) return -1;
    std::string v(val);
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0') {
        SLOG_ERR("statistics", "bad update value <%s>", v.c_str());
        return -1;
    }
    rpc::Stat* s = lookup(d, name);
    if (!s) return -1;
    if (s->computed()) {
        SLOG_ERR("statistics", "variable <%.*s> is computed and cannot be updated",
                 static_cast<int>(name.size()), name.data());
        return -1;
    }
    s->add(n, static_cast<size_t>(a.ctx.w.id));
    return 1;
}

int w_reset_stat(CallArgs& a) {
    auto& d = *static_cast<StatisticsData*>(a.mod);
    std::string_view name;
    if (!a.str(0, name)) return -1;
    rpc::Stat* s = lookup(d, name);
    if (!s) return -1;
    s->reset();
    return 1;
}

bool get_stat(pv::Ctx& ctx, const pv::PvSpec& spec, Value& out) {
    rpc::Runtime* rt = rpc::Runtime::current();
    if (!rt) return false;
    std::string_view name = spec.inner;
    if (spec.dyn_inner) {
        Value v;
        if (!pv::get_pv(ctx, *spec.dyn_inner, v) || v.type != Value::Type::Str) return false;
        name = v.s;
    }
    rpc::Stat* s = rt->stats().find(name);
    if (!s) return false;
    out = Value::of_int(static_cast<int32_t>(s->get()));
    return true;
}

std::string fix_stat_pv(pv::PvSpec& spec, std::string_view inner, pv::Registry&) {
    if (inner.empty()) return "$stat needs a statistic name";
    return "";
}

}   // namespace

const cfg::ModuleDef kStatisticsModule{
    .name = "statistics",
    .deps = {},
    .create = [] { return std::unique_ptr<cfg::ModuleData>(new StatisticsData); },
    .params = {{"variable", cfg::ParamType::Str, add_variable}},
    .functions =
        {
            {"update_stat", {ArgKind::Str, ArgKind::Str}, 2, pv::kAnyRoute, w_update_stat},
            {"reset_stat", {ArgKind::Str}, 1, pv::kAnyRoute, w_reset_stat},
        },
    .pvs = {{"stat", get_stat, nullptr, fix_stat_pv, true}},
};

}   // namespace siphon::modules
