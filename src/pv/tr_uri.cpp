// SIP URI transformations, class "uri" ({uri.user}, {uri.param,name}, {uri.duri} ...), over a
// value such as "sip:alice:pw@server.com:5061;transport=tcp?X=1". The value is read with
// the message parser's URI parser (msg::parse_sip_uri: sip, sips and tel URIs).
//  - a null, empty or unparsable value fails (prints as ""), as in Kamailio 5.6.3
//    ("invalid uri"); an integer value is read as its decimal text, so it fails too;
//  - a part that is absent gives "" (user, passwd, params, headers, transport ...);
//  - {uri.port} is an integer when the URI has a port, "" otherwise;
//  - {uri.param,name}: value of the named parameter (case-insensitive), "" when absent or a
//    flag; {uri.lr}, {uri.r2}, {uri.ttl}, {uri.maddr}, {uri.method}, {uri.uparam} (user=)
//    and {uri.transport} are shorthands for the parameters of those names;
//  - {uri.duri} "scheme:host[:port][;transport=t]", {uri.saor} "scheme:[user@]host",
//    {uri.suri} "scheme:[user@]host[:port][;transport=t]" (as documented; Kamailio 5.6.3
//    prints truncated text for these three);
//  - {uri.tosocket} "proto:host:port" from the transport parameter; fails without one
//    (Kamailio 5.6.3: "unknown transport protocol"); the port defaults to 5060 (5061 for
//    sips or transport tls).
#include <cstring>
#include <initializer_list>

#include "msg/char_class.h"
#include "msg/sip_parse.h"
#include "pv/transform_defs.h"

namespace siphon::pv {

namespace {

using Args = std::span<const Value>;

constexpr char kEmpty[] = "";

// Parses the input; false for null, int, empty or invalid.
bool parse_input(const Value& v, msg::SipUri& u) {
    if (!v.is_str() || v.s.empty()) return false;
    return msg::parse_sip_uri(v.s, u);
}

enum Part {
    kUser, kHost, kPasswd, kPort, kParams, kHeaders, kScheme, kTransport, kTtl, kUparam,
    kMaddr, kMethod, kLr, kR2,
};

template <int P>
bool tr_part(Value& v, Args, Arena&) {
    msg::SipUri u;
    if (!parse_input(v, u)) return false;
    std::string_view val;
    switch (P) {
        case kUser: return set_str(v, u.user);
        case kHost: return set_str(v, u.host);
        case kPasswd: return set_str(v, u.password);
        case kPort:
            if (u.port.empty()) return set_str(v, {});
            v = Value::of_int(u.port_no);
            return true;
        case kParams: return set_str(v, u.params);
        case kHeaders: return set_str(v, u.headers);
        case kScheme: return set_str(v, u.scheme);
        case kTransport: return set_str(v, u.transport);
        case kTtl: msg::find_param(u.params, "ttl", val); break;
        case kUparam: msg::find_param(u.params, "user", val); break;
        case kMaddr: msg::find_param(u.params, "maddr", val); break;
        case kMethod: msg::find_param(u.params, "method", val); break;
        case kLr: msg::find_param(u.params, "lr", val); break;
        case kR2: msg::find_param(u.params, "r2", val); break;
    }
    return set_str(v, val);
}

bool tr_param(Value& v, Args args, Arena&) {
    if (!args[0].is_str() || args[0].s.empty()) return false;
    msg::SipUri u;
    if (!parse_input(v, u)) return false;
    std::string_view val;
    if (!msg::find_param(u.params, args[0].s, val)) val = {};
    return set_str(v, val);
}

// Joins up to 8 pieces into the arena.
std::string_view join(Arena& arena, std::initializer_list<std::string_view> parts) {
    size_t n = 0;
    for (auto p : parts) n += p.size();
    char* out = arena.alloc(n);
    size_t off = 0;
    for (auto p : parts) {
        if (!p.empty()) std::memcpy(out + off, p.data(), p.size());
        off += p.size();
    }
    return {out, n};
}

enum Short { kDuri, kSaor, kSuri };

template <int K>
bool tr_short(Value& v, Args, Arena& arena) {
    msg::SipUri u;
    if (!parse_input(v, u)) return false;
    bool with_user = K != kDuri && !u.user.empty();
    bool with_port = K != kSaor && !u.port.empty();
    bool with_tr = K != kSaor && !u.transport.empty();
    return set_str(v, join(arena, {u.scheme, ":", with_user ? u.user : "", with_user ? "@" : "",
                                   u.host, with_port ? ":" : "", with_port ? u.port : "",
                                   with_tr ? ";transport=" : "", with_tr ? u.transport : ""}));
}

bool ieq(std::string_view a, std::string_view b) { return msg::chars::iequals(a, b); }

bool tr_tosocket(Value& v, Args, Arena& arena) {
    msg::SipUri u;
    if (!parse_input(v, u) || u.host.empty()) return false;
    static constexpr std::string_view protos[] = {"udp", "tcp", "tls", "sctp", "ws", "wss"};
    std::string_view proto;
    for (auto p : protos)
        if (ieq(u.transport, p)) proto = p;
    if (proto.empty()) return false;
    std::string_view port = u.port;
    if (port.empty()) port = (ieq(u.scheme, "sips") || proto == "tls") ? "5061" : "5060";
    return set_str(v, join(arena, {proto, ":", u.host, ":", port}));
}

constexpr TrArg S = TrArg::Str;

constexpr TrDef kUriTr[] = {
    {"uri", "user", 0, 0, {S, S, S, S}, tr_part<kUser>},
    {"uri", "host", 0, 0, {S, S, S, S}, tr_part<kHost>},
    {"uri", "domain", 0, 0, {S, S, S, S}, tr_part<kHost>},
    {"uri", "passwd", 0, 0, {S, S, S, S}, tr_part<kPasswd>},
    {"uri", "port", 0, 0, {S, S, S, S}, tr_part<kPort>},
    {"uri", "params", 0, 0, {S, S, S, S}, tr_part<kParams>},
    {"uri", "param", 1, 1, {S, S, S, S}, tr_param},
    {"uri", "headers", 0, 0, {S, S, S, S}, tr_part<kHeaders>},
    {"uri", "transport", 0, 0, {S, S, S, S}, tr_part<kTransport>},
    {"uri", "ttl", 0, 0, {S, S, S, S}, tr_part<kTtl>},
    {"uri", "uparam", 0, 0, {S, S, S, S}, tr_part<kUparam>},
    {"uri", "maddr", 0, 0, {S, S, S, S}, tr_part<kMaddr>},
    {"uri", "method", 0, 0, {S, S, S, S}, tr_part<kMethod>},
    {"uri", "lr", 0, 0, {S, S, S, S}, tr_part<kLr>},
    {"uri", "r2", 0, 0, {S, S, S, S}, tr_part<kR2>},
    {"uri", "scheme", 0, 0, {S, S, S, S}, tr_part<kScheme>},
    {"uri", "tosocket", 0, 0, {S, S, S, S}, tr_tosocket},
    {"uri", "duri", 0, 0, {S, S, S, S}, tr_short<kDuri>},
    {"uri", "saor", 0, 0, {S, S, S, S}, tr_short<kSaor>},
    {"uri", "suri", 0, 0, {S, S, S, S}, tr_short<kSuri>},
};

}  // namespace

std::span<const TrDef> uri_transformations() { return kUriTr; }

}  // namespace siphon::pv
