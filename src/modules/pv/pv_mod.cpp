// Module pv: in Kamailio it provides the pseudo-variables; in siphon the core owns them and
// this module adds the pv helper functions: pv_isset, pv_unset, is_int, typeof,
// xavp_params_explode.
#include "cfg/module.h"
#include "modules/modules.h"
#include "pv/xavp.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;

int pv_isset(CallArgs& a) {
    Value v;
    return pv::get_pv(a.ctx, *a.args[0].pv, v) && !v.is_null() ? 1 : -1;
}
int pv_unset(CallArgs& a) {
    const pv::PvSpec& s = *a.args[0].pv;
    if (!pv::pv_writable(s)) return -1;
    return pv::set_pv(a.ctx, s, Value::null()) ? 1 : -1;
}
// is_int(pv): true when the value is an integer; a string of digits is not (Kamailio 5.6.3,
// measured: $var(s) = "5"; is_int("$var(s)") is false).
int is_int(CallArgs& a) {
    Value v;
    if (!pv::get_pv(a.ctx, *a.args[0].pv, v)) return -1;
    return v.is_int() ? 1 : -1;
}

// typeof(pv, type): type is "int", "str" or "null", checked when the call is prepared and
// kept in args[1].ival (0 int, 1 str, 2 null).
std::string typeof_fixup(std::span<cfg::FixedArg> args, cfg::ModuleData*) {
    cfg::FixedArg& a = args[1];
    std::string_view t = a.sval;
    if (t.empty() && a.fmt.is_literal()) t = a.fmt.literal();
    if (t == "int") a.ival = 0;
    else if (t == "str") a.ival = 1;
    else if (t == "null") a.ival = 2;
    else return "typeof: unknown type '" + std::string(t) + "' (int, str, null)";
    return "";
}
int type_of(CallArgs& a) {
    Value v;
    bool has = pv::get_pv(a.ctx, *a.args[0].pv, v) && !v.is_null();
    switch (a.args[1].ival) {
        case 0: return has && v.is_int() ? 1 : -1;
        case 1: return has && v.is_str() ? 1 : -1;
        default: return has ? -1 : 1;
    }
}

// xavp_params_explode(params, xname): "a=1;b=2;c" becomes a new $xavp(xname) with the
// string fields a, b and c ("" for a name without value).
int xavp_params_explode(CallArgs& a) {
    std::string_view params, name;
    if (!a.str(0, params) || !a.str(1, name) || name.empty()) return -1;
    while (!params.empty() && (params.back() == ';' || params.back() == ' ')) params.remove_suffix(1);
    if (params.empty()) return -1;
    int32_t node = pv::xavp_add_struct(a.ctx, name);
    size_t p = 0;
    while (p <= params.size()) {
        size_t e = params.find(';', p);
        if (e == std::string_view::npos) e = params.size();
        std::string_view item = params.substr(p, e - p);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        size_t eq = item.find('=');
        std::string_view pn = item.substr(0, eq), pv;
        if (eq != std::string_view::npos) pv = item.substr(eq + 1);
        while (!pn.empty() && (pn.back() == ' ' || pn.back() == '\t')) pn.remove_suffix(1);
        while (!pv.empty() && (pv.front() == ' ' || pv.front() == '\t')) pv.remove_prefix(1);
        if (pv.size() >= 2 && pv.front() == '"' && pv.back() == '"') pv = pv.substr(1, pv.size() - 2);
        if (!pn.empty()) pv::xavp_add_field(a.ctx, node, pn, Value::of_str(pv));
        p = e + 1;
    }
    return 1;
}

}  // namespace

const cfg::ModuleDef kPvModule{
    .name = "pv",
    .functions =
        {
            {"pv_isset", {ArgKind::Pv}, 1, pv::kAnyRoute, pv_isset},
            {"pv_unset", {ArgKind::Pv}, 1, pv::kAnyRoute, pv_unset},
            {"is_int", {ArgKind::Pv}, 1, pv::kAnyRoute, is_int},
            {"typeof", {ArgKind::Pv, ArgKind::Const}, 2, pv::kAnyRoute, type_of, typeof_fixup},
            {"xavp_params_explode", {ArgKind::Str, ArgKind::Str}, 2, pv::kAnyRoute,
             xavp_params_explode},
        },
};

}  // namespace siphon::modules
