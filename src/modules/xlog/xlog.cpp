// xlog: logging with format strings. xlog([level,] text), xlogl (same, location kept in the
// module tag), xdbg/xinfo/xnotice/xwarn/xerr/xbug/xcrit/xalert.
#include "cfg/module.h"
#include "core/log.h"
#include "modules/modules.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;

int emit(CallArgs& a, int level, size_t text_arg) {
    if (!log_enabled(level)) return 1;
    std::string_view s;
    if (!a.str(text_arg, s)) return -1;
    log_write(level, "script", s);
    return 1;
}

// Level argument: "L_INFO"-style constant resolved at load time, or a PV holding a number.
std::string fix_level(std::span<cfg::FixedArg> args, cfg::ModuleData*) {
    if (args.size() < 2) return "";
    cfg::FixedArg& l = args[0];
    int lvl;
    if (l.fmt.is_literal()) {
        if (!parse_log_level(l.sval, lvl)) return "unknown log level \"" + l.sval + "\"";
        l.is_const = true;
        l.ival = lvl;
    }
    return "";
}

int level_of(CallArgs& a) {
    const cfg::FixedArg& l = a.args[0];
    if (l.is_const) return l.ival;
    std::string_view s;
    int lvl = kLogErr;
    if (a.str(0, s)) parse_log_level(s, lvl);
    return lvl;
}

int xlog1(CallArgs& a) { return emit(a, kLogErr, 0); }
int xlog2(CallArgs& a) { return emit(a, level_of(a), 1); }
int xdbg(CallArgs& a) { return emit(a, kLogDbg, 0); }
int xinfo(CallArgs& a) { return emit(a, kLogInfo, 0); }
int xnotice(CallArgs& a) { return emit(a, kLogNotice, 0); }
int xwarn(CallArgs& a) { return emit(a, kLogWarn, 0); }
int xerr(CallArgs& a) { return emit(a, kLogErr, 0); }
int xbug(CallArgs& a) { return emit(a, kLogBug, 0); }
int xcrit(CallArgs& a) { return emit(a, kLogCrit, 0); }
int xalert(CallArgs& a) { return emit(a, kLogAlert, 0); }

}  // namespace

const cfg::ModuleDef kXlogModule{
    .name = "xlog",
    .functions =
        {
            {"xlog", {ArgKind::Str}, 1, pv::kAnyRoute, xlog1},
            {"xlog", {ArgKind::Str, ArgKind::Str}, 2, pv::kAnyRoute, xlog2, fix_level},
            {"xlogl", {ArgKind::Str}, 1, pv::kAnyRoute, xlog1},
            {"xlogl", {ArgKind::Str, ArgKind::Str}, 2, pv::kAnyRoute, xlog2, fix_level},
            {"xdbg", {ArgKind::Str}, 1, pv::kAnyRoute, xdbg},
            {"xinfo", {ArgKind::Str}, 1, pv::kAnyRoute, xinfo},
            {"xnotice", {ArgKind::Str}, 1, pv::kAnyRoute, xnotice},
            {"xwarn", {ArgKind::Str}, 1, pv::kAnyRoute, xwarn},
            {"xerr", {ArgKind::Str}, 1, pv::kAnyRoute, xerr},
            {"xbug", {ArgKind::Str}, 1, pv::kAnyRoute, xbug},
            {"xcrit", {ArgKind::Str}, 1, pv::kAnyRoute, xcrit},
            {"xalert", {ArgKind::Str}, 1, pv::kAnyRoute, xalert},
        },
};

}  // namespace siphon::modules
