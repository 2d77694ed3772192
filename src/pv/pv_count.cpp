// $cnt(pv): number of values a multi-valued pseudo-variable holds ($avp, $hdr, $xavp).
#include <strings.h>

#include "pv/pv.h"
#include "pv/xavp.h"

namespace siphon::pv {

namespace {

std::string fix_cnt(PvSpec& s, std::string_view inner, Registry& reg) {
    std::string err;
    s.dyn_inner = parse_pv_exact(inner, reg, err);
    if (!s.dyn_inner) return err;
    std::string_view n = s.dyn_inner->def->name;
    if (n != "avp" && n != "hdr" && n != "xavp" && n != "xavu")
        return "$cnt() works on $avp, $hdr, $xavp and $xavu";
    return "";
}

bool get_cnt(Ctx& c, const PvSpec& s, Value& o) {
    const PvSpec& in = *s.dyn_inner;
    int32_t n = 0;
    if (in.def->name == "xavp" || in.def->name == "xavu") {
        n = xavp_count(c, in);
    } else if (in.def->name == "avp") {
        for (const Avp& a : c.w.avps)
            if (a.name_id == static_cast<uint32_t>(in.ival)) ++n;
    } else if (c.msg) {
        msg::Hdr tok = static_cast<msg::Hdr>(in.ival);
        for (size_t i = 0; i < c.msg->header_count; ++i) {
            const msg::Header& h = c.msg->headers[i];
            if (tok != msg::Hdr::Other ? h.type == tok : msg::header_token(h.name) == msg::Hdr::Other &&
                                                             h.name.size() == in.sval.size() &&
                                                             strncasecmp(h.name.data(), in.sval.data(), h.name.size()) == 0)
                ++n;
        }
    }
    o = Value::of_int(n);
    return true;
}

}  // namespace

void register_count(Registry& reg) { reg.add_pv(PvDef{"cnt", get_cnt, nullptr, fix_cnt, true}); }

}  // namespace siphon::pv
