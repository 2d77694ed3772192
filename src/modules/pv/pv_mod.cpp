// Module pv: in Kamailio it provides the pseudo-variables; in siphon the core owns them and
// this module adds the pv helper functions.
#include "cfg/module.h"
#include "modules/modules.h"

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
int is_int(CallArgs& a) {
    Value v;
    if (!pv::get_pv(a.ctx, *a.args[0].pv, v)) return -1;
    if (v.is_int()) return 1;
    int32_t i;
    return v.is_str() && str_to_int(v.s, i) ? 1 : -1;
}

}  // namespace

const cfg::ModuleDef kPvModule{
    .name = "pv",
    .functions =
        {
            {"pv_isset", {ArgKind::Pv}, 1, pv::kAnyRoute, pv_isset},
            {"pv_unset", {ArgKind::Pv}, 1, pv::kAnyRoute, pv_unset},
            {"is_int", {ArgKind::Pv}, 1, pv::kAnyRoute, is_int},
        },
};

}  // namespace siphon::modules
