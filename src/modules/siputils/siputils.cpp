// siputils: SIP checks from Kamailio's siputils module (5.6): URI syntax and comparison,
// R-URI parameters (read from the current R-URI, as rewritten by $ru or add_uri_param), E.164
// and character-class tests, To-tag and hop checks. Functions that need authentication state
// (is_user) are always false.
#include <cstring>
#include <string_view>

#include "cfg/module.h"
#include "core/log.h"
#include "modules/modules.h"
#include "msg/char_class.h"
#include "msg/message.h"
#include "msg/sip_parse.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;

constexpr const char* kLog = "siputils";

struct SiputilsData final : cfg::ModuleData {
    int32_t e164_max_len = 16;  // including the leading '+' (Kamailio's default)
};

SiputilsData& data_of(CallArgs& a) { return *static_cast<SiputilsData*>(a.mod); }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

using msg::chars::iequals;

int hex_value(char c) {
    if (is_digit(c)) return c - '0';
    c = lower(c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

// RFC 3261 19.1.4: "Characters other than those in the reserved set are equivalent to their
// %HEX HEX encoding". Writes the canonical form of s into the arena: escapes of unreserved
// characters decoded, escapes of reserved ones kept with upper-case hex digits. The result
// is never longer than s.
std::string_view unescape_unreserved(Arena& arena, std::string_view s) {
    if (s.find('%') == std::string_view::npos) return s;
    char* out = arena.alloc(s.size());
    size_t n = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        int hi = -1, lo = -1;
        if (s[i] == '%' && i + 2 < s.size()) {
            hi = hex_value(s[i + 1]);
            lo = hex_value(s[i + 2]);
        }
        if (hi < 0 || lo < 0) {
            out[n++] = s[i];
            continue;
        }
        const char c = static_cast<char>(hi * 16 + lo);
        if (c != '\0' && std::strchr(";/?:@&=+$,", c) != nullptr) {
            out[n++] = '%';
            out[n++] = "0123456789ABCDEF"[hi];
            out[n++] = "0123456789ABCDEF"[lo];
        } else {
            out[n++] = c;
        }
        i += 2;
    }
    return {out, n};
}

// Walks a ';'-separated parameter list: name, value, whether '=' was present.
struct ParamIter {
    std::string_view rest;
    bool next(std::string_view& name, std::string_view& value, bool& has_value) {
        while (!rest.empty()) {
            size_t semi = rest.find(';');
            std::string_view p = rest.substr(0, semi);
            rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
            if (p.empty()) continue;
            size_t eq = p.find('=');
            name = p.substr(0, eq);
            has_value = eq != std::string_view::npos;
            value = has_value ? p.substr(eq + 1) : std::string_view{};
            return true;
        }
        return false;
    }
};

// ---- URI comparison ---------------------------------------------------------------------

bool find_param_ci(std::string_view params, std::string_view name, std::string_view& value,
                   bool& has_value) {
    ParamIter it{params};
    std::string_view n, v;
    bool hv = false;
    while (it.next(n, v, hv))
        if (iequals(n, name)) {
            value = v;
            has_value = hv;
            return true;
        }
    return false;
}

// Parameters that make URIs differ when only one of them has it (RFC 3261 19.1.4: user,
// ttl, method and maddr; transport too, as in the section's examples).
bool param_must_match(std::string_view name) {
    return iequals(name, "user") || iequals(name, "ttl") || iequals(name, "method") ||
           iequals(name, "maddr") || iequals(name, "transport");
}

bool params_equal(Arena& arena, std::string_view a, std::string_view b) {
    ParamIter ia{a};
    std::string_view n, v, v2;
    bool hv = false, hv2 = false;
    while (ia.next(n, v, hv)) {
        if (!find_param_ci(b, n, v2, hv2)) {
            if (param_must_match(n)) return false;
            continue;
        }
        // Parameter values compare case-insensitively, after unescaping.
        if (hv != hv2 || !iequals(unescape_unreserved(arena, v), unescape_unreserved(arena, v2)))
            return false;
    }
    ParamIter ib{b};
    while (ib.next(n, v, hv))
        if (param_must_match(n) && !find_param_ci(a, n, v2, hv2)) return false;
    return true;
}

// URI headers ("?a=1&b=2"): never ignored; the same set must be present in both, in any
// order; names case-insensitive, values compared after unescaping.
bool find_header(std::string_view hdrs, std::string_view name, std::string_view& value) {
    while (!hdrs.empty()) {
        size_t amp = hdrs.find('&');
        std::string_view h = hdrs.substr(0, amp);
        hdrs = amp == std::string_view::npos ? std::string_view{} : hdrs.substr(amp + 1);
        size_t eq = h.find('=');
        if (iequals(h.substr(0, eq), name)) {
            value = eq == std::string_view::npos ? std::string_view{} : h.substr(eq + 1);
            return true;
        }
    }
    return false;
}

bool headers_subset(Arena& arena, std::string_view a, std::string_view b) {
    while (!a.empty()) {
        size_t amp = a.find('&');
        std::string_view h = a.substr(0, amp);
        a = amp == std::string_view::npos ? std::string_view{} : a.substr(amp + 1);
        if (h.empty()) continue;
        size_t eq = h.find('=');
        std::string_view name = h.substr(0, eq);
        std::string_view value =
            eq == std::string_view::npos ? std::string_view{} : h.substr(eq + 1);
        std::string_view other;
        if (!find_header(b, name, other)) return false;
        if (unescape_unreserved(arena, value) != unescape_unreserved(arena, other)) return false;
    }
    return true;
}

// Returns 1 (equal), -1 (different) or -2 (one of them is not a SIP/SIPS/tel URI), the
// values of Kamailio's cmp_uri().
int compare_uri(Arena& arena, std::string_view s1, std::string_view s2) {
    msg::SipUri a, b;
    if (!msg::parse_sip_uri(s1, a) || !msg::parse_sip_uri(s2, b)) return -2;
    if (!iequals(a.scheme, b.scheme)) return -1;
    // userinfo is case-sensitive; the host is not; a port must be present in both or neither.
    if (unescape_unreserved(arena, a.user) != unescape_unreserved(arena, b.user)) return -1;
    if (unescape_unreserved(arena, a.password) != unescape_unreserved(arena, b.password)) return -1;
    if (!iequals(a.host, b.host)) return -1;
    if (a.port_no != b.port_no) return -1;
    if (!params_equal(arena, a.params, b.params)) return -1;
    if (!headers_subset(arena, a.headers, b.headers) ||
        !headers_subset(arena, b.headers, a.headers))
        return -1;
    return 1;
}

// Kamailio's cmp_aor(): user (case-sensitive) and host (case-insensitive) and port, with
// 5060 for an absent port; scheme, password and parameters are ignored.
int compare_aor(Arena& arena, std::string_view s1, std::string_view s2) {
    msg::SipUri a, b;
    if (!msg::parse_sip_uri(s1, a) || !msg::parse_sip_uri(s2, b)) return -2;
    if (unescape_unreserved(arena, a.user) != unescape_unreserved(arena, b.user)) return -1;
    if (!iequals(a.host, b.host)) return -1;
    const uint16_t pa = a.port_no ? a.port_no : 5060, pb = b.port_no ? b.port_no : 5060;
    return pa == pb ? 1 : -1;
}

int w_cmp_uri(CallArgs& a) {
    std::string_view s1, s2;
    if (!a.str(0, s1) || !a.str(1, s2)) return -1;
    return compare_uri(a.ctx.w.arena, s1, s2);
}

int w_cmp_aor(CallArgs& a) {
    std::string_view s1, s2;
    if (!a.str(0, s1) || !a.str(1, s2)) return -1;
    return compare_aor(a.ctx.w.arena, s1, s2);
}

// Header names: compact forms and case do not matter ("f" equals "From").
int w_cmp_hdr_name(CallArgs& a) {
    std::string_view s1, s2;
    if (!a.str(0, s1) || !a.str(1, s2)) return -1;
    const msg::Hdr h1 = msg::header_token(s1), h2 = msg::header_token(s2);
    if (h1 != h2) return -1;
    if (h1 != msg::Hdr::Other) return 1;
    return iequals(s1, s2) ? 1 : -1;
}

// ---- URI checks -------------------------------------------------------------------------

// A URN ("urn:service:sos") is a URI for Kamailio's parser too.
bool is_urn(std::string_view s) {
    if (s.size() <= 4 || !iequals(s.substr(0, 4), "urn:")) return false;
    for (char c : s)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
    return true;
}

int w_is_uri(CallArgs& a) {
    std::string_view s;
    if (!a.str(0, s)) return -1;
    msg::SipUri u;
    return msg::parse_sip_uri(s, u) || is_urn(s) ? 1 : -1;
}

bool is_e164(std::string_view s, int32_t max_len) {
    if (s.size() <= 2 || s.size() > static_cast<size_t>(max_len) || s[0] != '+') return false;
    for (size_t i = 1; i < s.size(); ++i)
        if (!is_digit(s[i])) return false;
    return true;
}

int w_is_e164(CallArgs& a) {
    std::string_view s;
    if (!a.str(0, s)) return -1;
    return is_e164(s, data_of(a).e164_max_len) ? 1 : -1;
}

int w_is_uri_user_e164(CallArgs& a) {
    std::string_view s;
    if (!a.str(0, s)) return -1;
    msg::SipUri u;
    if (!msg::parse_sip_uri(s, u)) {
        SLOG_ERR(kLog, "is_uri_user_e164: parsing URI failed");
        return -1;
    }
    return is_e164(u.user, data_of(a).e164_max_len) ? 1 : -1;
}

// The character-class tests return Kamailio's codes: -2 for an empty value (and, for the
// numeric tests, for any bad character), -3 for a character outside the class.
int w_is_numeric(CallArgs& a) {
    std::string_view s;
    if (!a.str(0, s) || s.empty()) return -2;
    for (char c : s)
        if (!is_digit(c)) return -2;
    return 1;
}

int w_is_tel_number(CallArgs& a) {
    std::string_view s;
    if (!a.str(0, s) || s.empty()) return -2;
    size_t i = 0;
    if (s[0] == '+') {
        if (s.size() < 2 || s[1] < '1' || s[1] > '9') return -2;
        i = 2;
    }
    for (; i < s.size(); ++i)
        if (!is_digit(s[i])) return -2;
    return 1;
}

int w_is_alphanum(CallArgs& a) {
    std::string_view s;
    if (!a.str(0, s) || s.empty()) return -2;
    for (char c : s)
        if (!is_digit(c) && !is_alpha(c)) return -3;
    return 1;
}

int w_is_alphanumex(CallArgs& a) {
    std::string_view s, extra;
    if (!a.str(0, s) || !a.str(1, extra) || s.empty()) return -2;
    for (char c : s)
        if (!is_digit(c) && !is_alpha(c) && extra.find(c) == std::string_view::npos) return -3;
    return 1;
}

// ---- R-URI parameters -------------------------------------------------------------------

// The R-URI's parameter list. siphon does not rewrite the R-URI yet, so this is always the
// received one.
bool ruri_params(CallArgs& a, std::string_view& params) {
    if (!a.ctx.msg || a.ctx.msg->kind != msg::Kind::SipRequest) return false;
    const msg::SipUri* u = pv::parsed_request_uri(a.ctx);
    if (!u) {
        SLOG_ERR(kLog, "cannot parse the R-URI");
        return false;
    }
    params = u->params;
    return true;
}

// Kamailio compares parameter names and values case-sensitively here.
bool find_param_exact(std::string_view params, std::string_view name, std::string_view& value,
                      bool& has_value) {
    ParamIter it{params};
    std::string_view n, v;
    bool hv = false;
    while (it.next(n, v, hv))
        if (n == name) {
            value = v;
            has_value = hv;
            return true;
        }
    return false;
}

// uri_param(name): the parameter is present without a value; uri_param(name, value): present
// with exactly that value (an empty value matches a parameter without one).
int w_uri_param(CallArgs& a) {
    std::string_view params, name, want, value;
    bool has_value = false;
    if (!a.str(0, name) || !ruri_params(a, params)) return -1;
    if (!find_param_exact(params, name, value, has_value)) return -1;
    if (a.args.size() < 2) return value.empty() ? 1 : -1;
    if (!a.str(1, want)) return -1;
    return value == want ? 1 : -1;
}

int w_uri_param_any(CallArgs& a) {
    std::string_view params, name, value;
    bool has_value = false;
    if (!a.str(0, name) || !ruri_params(a, params)) return -1;
    return find_param_exact(params, name, value, has_value) ? 1 : -1;
}

int w_get_uri_param(CallArgs& a) {
    std::string_view params, name, value;
    bool has_value = false;
    if (!a.str(0, name) || !ruri_params(a, params)) return -1;
    if (!find_param_exact(params, name, value, has_value)) return -1;
    return pv::set_pv(a.ctx, *a.args[1].pv, Value::of_str(value)) ? 1 : -1;
}

// Appends ";param" to the R-URI's parameters, before its headers ("?h=v") if it has any. An
// empty parameter changes nothing (1). Kamailio rebuilds a URI with headers from its parts and
// loses the '@' and the scheme on the way (sip:alice@h?x=y becomes unparsable, sips: becomes
// sip:); siphon only inserts the parameter.
int w_add_uri_param(CallArgs& a) {
    std::string_view p;
    if (!a.str(0, p)) return -1;
    if (p.empty()) return 1;
    if (!a.ctx.msg || a.ctx.msg->kind != msg::Kind::SipRequest) return -1;
    std::string_view ru = pv::request_uri(a.ctx);
    const msg::SipUri* u = pv::parsed_request_uri(a.ctx);
    if (!u) {
        SLOG_ERR(kLog, "add_uri_param: cannot parse the R-URI");
        return -1;
    }
    size_t cut = ru.size();
    const char* h = u->headers.data();
    if (h && h > ru.data() && h <= ru.data() + ru.size() && h[-1] == '?')
        cut = static_cast<size_t>(h - ru.data()) - 1;
    char* out = a.ctx.w.arena.alloc(ru.size() + 1 + p.size());
    std::memcpy(out, ru.data(), cut);
    out[cut] = ';';
    std::memcpy(out + cut + 1, p.data(), p.size());
    std::memcpy(out + cut + 1 + p.size(), ru.data() + cut, ru.size() - cut);
    pv::set_request_uri(a.ctx, std::string_view(out, ru.size() + 1 + p.size()));
    return 1;
}

// ---- message checks ---------------------------------------------------------------------

// is_user() compares the username of credentials checked by an authorize function; siphon
// has no auth module, so no credentials are ever authorized (Kamailio: false and an error).
int w_is_user(CallArgs& a) {
    SLOG_ERR(kLog, "is_user: no authorized credentials found (no auth module)");
    return -1;
}

int w_has_totag(CallArgs& a) {
    if (!a.ctx.msg) return -1;
    const msg::Header* h = a.ctx.msg->find(msg::Hdr::To);
    msg::NameAddr to;
    if (!h || !msg::parse_name_addr(h->value, to)) return -1;
    return to.has_tag && !to.tag.empty() ? 1 : -1;
}

int w_is_request(CallArgs& a) { return a.ctx.msg && a.ctx.msg->is_request() ? 1 : -1; }
int w_is_reply(CallArgs& a) {
    return a.ctx.msg && a.ctx.msg->kind == msg::Kind::SipReply ? 1 : -1;
}

// True if v holds a ',' outside a quoted string: a second via-parm in the same header.
bool has_second_entry(std::string_view v) {
    bool quoted = false;
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && quoted) ++i;
        else if (v[i] == '"') quoted = !quoted;
        else if (v[i] == ',' && !quoted) return true;
    }
    return false;
}

// is_first_hop([mode]): a request is from the first hop when it carries a single Via
// entry. For replies Kamailio checks whether the top Record-Route is this server; siphon
// cannot tell ("myself" is not known yet), so replies are never first hop.
int w_is_first_hop(CallArgs& a) {
    int32_t mode = 0;
    if (a.args.size() > 0 && !a.integer(0, mode)) return -1;
    const msg::Message* m = a.ctx.msg;
    if (!m || m->kind != msg::Kind::SipRequest) return -1;
    int vias = 0;
    for (size_t i = 0; i < m->header_count; ++i) {
        if (m->headers[i].type != msg::Hdr::Via) continue;
        if (++vias > 1 || has_second_entry(m->headers[i].value)) return -1;
    }
    return 1;
}

constexpr uint32_t kRequest = pv::kRequestRoute;
constexpr uint32_t kReqFailure = pv::kRequestRoute | pv::kFailureRoute;

}  // namespace

const cfg::ModuleDef kSiputilsModule{
    .name = "siputils",
    .create = [] { return std::unique_ptr<cfg::ModuleData>(new SiputilsData); },
    .params =
        {
            {"e164_max_len", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 if (v.i < 3) return std::string("must be at least 3");
                 static_cast<SiputilsData&>(d).e164_max_len = v.i;
                 return std::string();
             }},
        },
    .functions =
        {
            {"is_uri", {ArgKind::Str}, 1, pv::kAnyRoute, w_is_uri},
            {"is_user", {ArgKind::Str}, 1, kRequest, w_is_user},
            {"has_totag", {}, 0, pv::kAnyRoute, w_has_totag},
            {"uri_param", {ArgKind::Str, ArgKind::Str}, 1, kRequest, w_uri_param},
            {"uri_param_any", {ArgKind::Str}, 1, kRequest, w_uri_param_any},
            {"get_uri_param", {ArgKind::Str, ArgKind::Pv}, 2, kRequest, w_get_uri_param,
             [](std::span<cfg::FixedArg> args, cfg::ModuleData*) {
                 return pv::pv_writable(*args[1].pv) ? std::string()
                                                     : "parameter 2 must be a writable variable";
             }},
            {"add_uri_param", {ArgKind::Str}, 1, kRequest, w_add_uri_param},
            {"is_e164", {ArgKind::Str}, 1, kReqFailure, w_is_e164},
            {"is_uri_user_e164", {ArgKind::Str}, 1, pv::kAnyRoute, w_is_uri_user_e164},
            {"is_tel_number", {ArgKind::Str}, 1, pv::kAnyRoute, w_is_tel_number},
            {"is_numeric", {ArgKind::Str}, 1, pv::kAnyRoute, w_is_numeric},
            {"is_alphanum", {ArgKind::Str}, 1, pv::kAnyRoute, w_is_alphanum},
            {"is_alphanumex", {ArgKind::Str, ArgKind::Str}, 2, pv::kAnyRoute, w_is_alphanumex},
            {"cmp_uri", {ArgKind::Str, ArgKind::Str}, 2, pv::kAnyRoute, w_cmp_uri},
            {"cmp_aor", {ArgKind::Str, ArgKind::Str}, 2, pv::kAnyRoute, w_cmp_aor},
            {"cmp_hdr_name", {ArgKind::Str, ArgKind::Str}, 2, pv::kAnyRoute, w_cmp_hdr_name},
            {"is_request", {}, 0, pv::kAnyRoute, w_is_request},
            {"is_reply", {}, 0, pv::kAnyRoute, w_is_reply},
            {"is_first_hop", {ArgKind::Int}, 0, pv::kAnyRoute, w_is_first_hop},
        },
};

}  // namespace siphon::modules
