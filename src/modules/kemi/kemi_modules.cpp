// KEMI-only functions of modules: KSR.xhttp.get_hu and the KEMI form of xhttp_reply,
// KSR.pvx.* (Kamailio's pv module), and the kemix module that Kamailio configs load for
// KSR.kx (the getters themselves are always available, see kemi_core.cpp).
#include "core/log.h"
#include "modules/kemi/kemi.h"
#include "modules/modules.h"
#include "modules/xhttp/xhttp.h"

namespace siphon::kemi {

namespace {

// ---- xhttp ----------------------------------------------------------------------------
// KSR.xhttp.xhttp_reply(code, reason, ctype, body): Kamailio returns 0 on success here
// (measured; the native function returns 1) and -1 on failure. Unlike Kamailio's KEMI
// export (DEFECT 10), the code must be within 100..700 like in the native function: the
// checks are http_send()'s.
int k_xhttp_reply(Call& c) {
    auto* x = static_cast<modules::XhttpData*>(c.fn.mod);
    if (!x) return -1;
    return modules::xhttp_reply(c.ctx, *x, c.i(0), c.s(1), c.s(2), c.s(3)) > 0 ? 0 : -1;
}
// KSR.xhttp.get_hu(): the raw request-target, as $hu.
int k_xhttp_get_hu(Call& c) {
    const pv::PvSpec* s = c.env.pv("$hu");
    Value v;
    c.ret = s && pv::get_pv(c.ctx, *s, v) ? v : Value::null();
    return 1;
}

constexpr Spec kXhttp[] = {
    {"xhttp", "xhttp_reply", Ret::Int, "isss", k_xhttp_reply},
    {"xhttp", "get_hu", Ret::Xval, "", k_xhttp_get_hu},
};

// ---- pvx ------------------------------------------------------------------------------
const pv::PvSpec* named(Call& c, std::string_view cls, std::string_view name) {
    std::string t;
    t.reserve(cls.size() + name.size() + 3);
    t += '$';
    t += cls;
    t += '(';
    t += name;
    t += ')';
    return c.env.pv(t);
}
int get_named(Call& c, std::string_view cls, Value dflt) {
    const pv::PvSpec* s = named(c, cls, c.s(0));
    Value v;
    c.ret = s && pv::get_pv(c.ctx, *s, v) && !v.is_null() ? v : dflt;
    return 1;
}
int set_named(Call& c, std::string_view cls, const Value& v) {
    const pv::PvSpec* s = named(c, cls, c.s(0));
    return s && pv::set_pv(c.ctx, *s, v) ? 1 : -1;
}
int k_var_get(Call& c) { return get_named(c, "var", Value::null()); }
int k_var_seti(Call& c) { return set_named(c, "var", Value::of_int(c.i(1))); }
int k_var_sets(Call& c) { return set_named(c, "var", Value::of_str(c.s(1))); }
// $shv names must be known when the config is loaded (Kamailio: declared with the pv
// module's shvset); app_lua declares those its scripts mention.
int k_shv_get(Call& c) { return get_named(c, "shv", Value::null()); }
int k_shv_seti(Call& c) { return set_named(c, "shv", Value::of_int(c.i(1))); }
int k_shv_sets(Call& c) { return set_named(c, "shv", Value::of_str(c.s(1))); }
int k_avp_get(Call& c) { return get_named(c, "avp", Value::null()); }
int k_avp_gete(Call& c) { return get_named(c, "avp", Value::of_str("")); }
int k_avp_getw(Call& c) { return get_named(c, "avp", Value::of_str("<null>")); }
int k_avp_seti(Call& c) { return set_named(c, "avp", Value::of_int(c.i(1))); }
int k_avp_sets(Call& c) { return set_named(c, "avp", Value::of_str(c.s(1))); }
int k_avp_rm(Call& c) { return set_named(c, "avp", Value::null()); }
int k_avp_is_null(Call& c) {
    const pv::PvSpec* s = named(c, "avp", c.s(0));
    Value v;
    return s && pv::get_pv(c.ctx, *s, v) && !v.is_null() ? -1 : 1;
}
// KSR.pvx.evalx("$var(dst)", "format with $pvs"): renders the format into dst.
int k_evalx(Call& c) {
    const pv::PvSpec* dst = c.env.pv(c.s(0));
    if (!dst || !pv::pv_writable(*dst)) return -1;
    pv::Format fmt;
    std::string err;
    if (!pv::parse_format(c.s(1), c.env.pv_registry(), fmt, err)) {
        SLOG_ERR("kemi", "KSR.pvx.evalx: %s", err.c_str());
        return -1;
    }
    std::string_view out;
    if (!pv::render(c.ctx, fmt, out)) return -1;
    // A literal format renders to a view of `fmt`, which dies here: copy it first.
    return pv::set_pv(c.ctx, *dst, Value::of_str(c.ctx.w.arena.copy(out))) ? 1 : -1;
}

constexpr Spec kPvx[] = {
    {"pvx", "var_get", Ret::Xval, "s", k_var_get},
    {"pvx", "var_seti", Ret::Int, "si", k_var_seti},
    {"pvx", "var_sets", Ret::Int, "ss", k_var_sets},
    {"pvx", "shv_get", Ret::Xval, "s", k_shv_get},
    {"pvx", "shv_seti", Ret::Int, "si", k_shv_seti},
    {"pvx", "shv_sets", Ret::Int, "ss", k_shv_sets},
    {"pvx", "avp_get", Ret::Xval, "s", k_avp_get},
    {"pvx", "avp_gete", Ret::Xval, "s", k_avp_gete},
    {"pvx", "avp_getw", Ret::Xval, "s", k_avp_getw},
    {"pvx", "avp_seti", Ret::Int, "si", k_avp_seti},
    {"pvx", "avp_sets", Ret::Int, "ss", k_avp_sets},
    {"pvx", "avp_rm", Ret::Int, "s", k_avp_rm},
    {"pvx", "avp_is_null", Ret::Int, "s", k_avp_is_null},
    {"pvx", "evalx", Ret::Int, "ss", k_evalx},
};

} // namespace

std::span<const Spec> xhttp_specs() { return kXhttp; }
std::span<const Spec> pvx_specs() { return kPvx; }

} // namespace siphon::kemi

namespace siphon::modules {

// kemix: Kamailio's provider of KSR.kx. siphon always has those functions; the module
// exists so that configs written for Kamailio load unchanged.
const cfg::ModuleDef kKemixModule{
    .name = "kemix",
};

} // namespace siphon::modules
