// Core functions that Kamailio provides without any module: flags, log(), connection
// hints for replies.
#include "cfg/module.h"
#include "core/log.h"
#include "modules/modules.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;

int flag_arg(CallArgs& a, int32_t& f) {
    if (!a.integer(0, f) || f < 0 || f > 31) {
        SLOG_ERR("core", "bad flag value");
        return -1;
    }
    return 1;
}
int setflag(CallArgs& a) {
    int32_t f;
    if (flag_arg(a, f) < 0) return -1;
    a.ctx.msg_flags |= 1u << f;
    return 1;
}
int resetflag(CallArgs& a) {
    int32_t f;
    if (flag_arg(a, f) < 0) return -1;
    a.ctx.msg_flags &= ~(1u << f);
    return 1;
}
int isflagset(CallArgs& a) {
    int32_t f;
    if (flag_arg(a, f) < 0) return -1;
    return (a.ctx.msg_flags & (1u << f)) ? 1 : -1;
}
std::string fix_flag(std::span<cfg::FixedArg> args, cfg::ModuleData*) {
    if (!args.empty() && args[0].is_const && (args[0].ival < 0 || args[0].ival > 31))
        return "flag must be between 0 and 31";
    return "";
}
// log(text) logs at L_WARN... Kamailio's log() without a level uses L_ERR; log(level, text).
int log1(CallArgs& a) {
    std::string_view s;
    if (!a.str(0, s)) return -1;
    log_write(kLogErr, "script", s);
    return 1;
}
int log2(CallArgs& a) {
    int32_t lvl;
    std::string_view s;
    if (!a.integer(0, lvl) || !a.str(1, s)) return -1;
    if (log_enabled(lvl)) log_write(lvl, "script", s);
    return 1;
}
int set_reply_close(CallArgs& a) {
    a.ctx.close_after = true;
    return 1;
}
int set_reply_no_connect(CallArgs& a) {
    a.ctx.no_connect = true;
    return 1;
}
// Replies already go to the source port when the Via has rport; force_rport() makes the
// same true without it.
int force_rport(CallArgs& a) {
    a.ctx.force_rport = true;
    return 1;
}
int true_fn(CallArgs&) { return 1; }

}  // namespace

const cfg::ModuleDef kCoreModule{
    .name = "core",
    .functions =
        {
            {"setflag", {ArgKind::Int}, 1, pv::kAnyRoute, setflag, fix_flag},
            {"resetflag", {ArgKind::Int}, 1, pv::kAnyRoute, resetflag, fix_flag},
            {"isflagset", {ArgKind::Int}, 1, pv::kAnyRoute, isflagset, fix_flag},
            {"log", {ArgKind::Str}, 1, pv::kAnyRoute, log1},
            {"log", {ArgKind::Int, ArgKind::Str}, 2, pv::kAnyRoute, log2},
            {"set_reply_close", {}, 0, pv::kAnyRoute, set_reply_close},
            {"set_reply_no_connect", {}, 0, pv::kAnyRoute, set_reply_no_connect},
            {"force_rport", {}, 0, pv::kAnyRoute, force_rport},
            {"add_local_rport", {}, 0, pv::kAnyRoute, true_fn},
        },
};

}  // namespace siphon::modules
