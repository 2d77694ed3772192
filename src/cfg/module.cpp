#include "cfg/module.h"

#include "core/log.h"

namespace siphon::cfg {

bool CallArgs::str(size_t i, std::string_view& out) const {
    if (i >= args.size()) return false;
    const FixedArg& a = args[i];
    if (a.kind == ArgKind::Const || a.kind == ArgKind::Regex) {
        out = a.sval;
        return true;
    }
    if (a.kind == ArgKind::Int && a.is_const) {
        char* buf = ctx.w.arena.alloc(12);
        out = int_to_str(a.ival, buf);
        return true;
    }
    if (a.kind == ArgKind::Pv && a.pv) {
        Value v;
        if (!pv::get_pv(ctx, *a.pv, v)) return false;
        out = pv::value_text(ctx, v);
        return true;
    }
    return pv::render(ctx, a.fmt, out);
}

bool CallArgs::integer(size_t i, int32_t& out) const {
    if (i >= args.size()) return false;
    const FixedArg& a = args[i];
    if (a.is_const) {
        out = a.ival;
        return true;
    }
    std::string_view s;
    if (!str(i, s)) return false;
    if (!str_to_int(s, out)) {
        SLOG_ERR("core", "could not convert \"%.*s\" to an integer", static_cast<int>(s.size()), s.data());
        return false;
    }
    return true;
}

}  // namespace siphon::cfg
