// kex: Kamailio 5.6's core extensions: script and branch flags, the destination URI ($du,
// setdsturi()), pv_printf() and is_myself(). The flags and the destination URI belong to
// the message being processed: each new message starts with none, as measured.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cctype>
#include <cstring>
#include <string>
#include <vector>

#include "cfg/module.h"
#include "cfg/script.h"
#include "core/log.h"
#include "modules/corex/corex.h"
#include "modules/modules.h"
#include "msg/char_class.h"
#include "msg/sip_parse.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;

// ---- per-message state ----------------------------------------------------------------

// ---- flags ----------------------------------------------------------------------------

// A flag is an int or a variable holding one; outside 0..31 the call is false (not a load
// error), as kex's w_setsflag() and friends check at run time.
bool flag_arg(CallArgs& a, uint32_t& mask) {
    int32_t f;
    if (!a.integer(0, f)) {
        SLOG_ERR("kex", "no flag value");
        return false;
    }
    if (f < 0 || f > 31) return false;
    mask = 1u << f;
    return true;
}

int setsflag(CallArgs& a) {
    uint32_t m;
    if (!flag_arg(a, m)) return -1;
    a.ctx.sflags |= m;
    return 1;
}
int resetsflag(CallArgs& a) {
    uint32_t m;
    if (!flag_arg(a, m)) return -1;
    a.ctx.sflags &= ~m;
    return 1;
}
int issflagset(CallArgs& a) {
    uint32_t m;
    if (!flag_arg(a, m)) return -1;
    return (a.ctx.sflags & m) ? 1 : -1;
}

// Branch flags: branch 0 is the Request-URI. siphon creates no other branches, so any
// other index is false, as for a Kamailio request before append_branch().
uint32_t* bflags_of(CallArgs& a) {
    int32_t idx = 0;
    if (a.args.size() > 1) {
        if (!a.integer(1, idx)) {
            SLOG_ERR("kex", "no idx value");
            return nullptr;
        }
    }
    if (idx != 0) return nullptr;
    return &a.ctx.bflags;
}
int setbflag(CallArgs& a) {
    uint32_t m;
    if (!flag_arg(a, m)) return -1;
    uint32_t* f = bflags_of(a);
    if (!f) return -1;
    *f |= m;
    return 1;
}
int resetbflag(CallArgs& a) {
    uint32_t m;
    if (!flag_arg(a, m)) return -1;
    uint32_t* f = bflags_of(a);
    if (!f) return -1;
    *f &= ~m;
    return 1;
}
int isbflagset(CallArgs& a) {
    uint32_t m;
    if (!flag_arg(a, m)) return -1;
    uint32_t* f = bflags_of(a);
    if (!f) return -1;
    return (*f & m) ? 1 : -1;
}

// ---- destination URI ------------------------------------------------------------------

// setdsturi(uri): the text is stored as given (Kamailio does not check it); variables in
// it are expanded (measured, although the documentation says it is static).
int setdsturi(CallArgs& a) {
    std::string_view uri;
    if (!a.str(0, uri)) {
        SLOG_ERR("kex", "cannot get the URI parameter");
        return -1;
    }
    a.ctx.dst_uri = a.ctx.w.arena.copy(uri);
    return 1;
}
int resetdsturi(CallArgs& a) {
    a.ctx.dst_uri = {};
    return 1;
}
int isdsturiset(CallArgs& a) { return a.ctx.dst_uri.empty() ? -1 : 1; }

// $du: null when not set. Assigning $null or "" resets it; an int is refused ("str value
// required to set dst uri") and leaves it unchanged.
bool get_du(pv::Ctx& ctx, const pv::PvSpec&, Value& out) {
    if (ctx.dst_uri.empty()) return false;
    out = Value::of_str(ctx.dst_uri);
    return true;
}
bool set_du(pv::Ctx& ctx, const pv::PvSpec&, const Value& v) {
    if (v.is_null()) {
        ctx.dst_uri = {};
        return true;
    }
    if (!v.is_str()) {
        SLOG_ERR("kex", "error - str value required to set dst uri");
        return false;
    }
    ctx.dst_uri = ctx.w.arena.copy(v.s);
    return true;
}

// $bf / $sf: branch 0 flags and script flags as one int.
bool get_bf(pv::Ctx& ctx, const pv::PvSpec&, Value& out) {
    out = Value::of_int(static_cast<int32_t>(ctx.bflags));
    return true;
}
bool get_sf(pv::Ctx& ctx, const pv::PvSpec&, Value& out) {
    out = Value::of_int(static_cast<int32_t>(ctx.sflags));
    return true;
}
bool flags_value(const Value& v, uint32_t& out) {
    if (v.is_null()) {
        out = 0;
        return true;
    }
    if (!v.is_int()) {
        SLOG_ERR("kex", "assigning non-int value to flags");
        return false;
    }
    out = static_cast<uint32_t>(v.i);
    return true;
}
bool set_bf(pv::Ctx& ctx, const pv::PvSpec&, const Value& v) {
    return flags_value(v, ctx.bflags);
}
bool set_sf(pv::Ctx& ctx, const pv::PvSpec&, const Value& v) {
    return flags_value(v, ctx.sflags);
}

// ---- pv_printf ------------------------------------------------------------------------

// pv_printf($var, "format") / avp_printf(): renders the format and assigns the text.
int pv_printf(CallArgs& a) {
    std::string_view s;
    if (!a.str(1, s)) {
        SLOG_ERR("kex", "cannot eval second parameter");
        return -1;
    }
    if (!pv::set_pv(a.ctx, *a.args[0].pv, Value::of_str(a.ctx.w.arena.copy(s)))) {
        SLOG_ERR("kex", "setting PV failed");
        return -1;
    }
    return 1;
}
std::string fix_pv_printf(std::span<cfg::FixedArg> args, cfg::ModuleData*) {
    if (args[0].pv && !pv::pv_writable(*args[0].pv))
        return "read-only script variable in first parameter";
    return "";
}

// ---- is_myself ------------------------------------------------------------------------

// Transport of a URI or a local address. kOther: a transport siphon does not listen on.
enum class Tp : uint8_t { Any, Udp, Tcp, Tls, Sctp, Other };

struct IpAddr {
    int family = 0;   // 0: not an IP address
    unsigned char bytes[16] = {};
    bool operator==(const IpAddr& o) const {
        return family == o.family &&
               std::memcmp(bytes, o.bytes, family == AF_INET ? 4 : 16) == 0;
    }
};

// An IPv4 or IPv6 literal (brackets allowed around IPv6), as str2ip()/str2ip6() read it.
IpAddr parse_ip(std::string_view s) {
    IpAddr a;
    if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
    if (s.empty() || s.size() > 45) return a;
    char buf[48];
    std::memcpy(buf, s.data(), s.size());
    buf[s.size()] = '\0';
    if (inet_pton(AF_INET, buf, a.bytes) == 1) a.family = AF_INET;
    else if (inet_pton(AF_INET6, buf, a.bytes) == 1) a.family = AF_INET6;
    return a;
}

struct LocalSocket {
    std::string name;   // the address as written, an interface address, or a name
    IpAddr ip;
    uint16_t port = 0;
    Tp tp = Tp::Any;    // Any: the listen gave no transport (udp and tcp)
};
struct LocalAlias {
    std::string name;
    uint16_t port = 0;  // 0: any
    Tp tp = Tp::Any;
};

struct KexData : cfg::ModuleData {
    std::vector<LocalSocket> sockets;
    std::vector<LocalAlias> aliases;
    const CorexData* corex = nullptr;
    bool tcp_enabled = true;
};

bool ieq(std::string_view a, std::string_view b) { return msg::chars::iequals(a, b); }

Tp tp_of(pv::Proto p) {
    switch (p) {
        case pv::Proto::Udp: return Tp::Udp;
        case pv::Proto::Tcp: return Tp::Tcp;
        case pv::Proto::Tls: return Tp::Tls;
        case pv::Proto::Sctp: return Tp::Sctp;
        case pv::Proto::None: return Tp::Any;
        default: return Tp::Other;
    }
}
Tp tp_of_name(std::string_view t) {
    if (ieq(t, "udp")) return Tp::Udp;
    if (ieq(t, "tcp")) return Tp::Tcp;
    if (ieq(t, "tls")) return Tp::Tls;
    if (ieq(t, "sctp")) return Tp::Sctp;
    return Tp::Other;
}
pv::Proto proto_of(Tp t) {
    switch (t) {
        case Tp::Udp: return pv::Proto::Udp;
        case Tp::Tcp: return pv::Proto::Tcp;
        case Tp::Tls: return pv::Proto::Tls;
        case Tp::Sctp: return pv::Proto::Sctp;
        case Tp::Any: return pv::Proto::None;
        case Tp::Other: return pv::Proto::Ws;   // matches no configured subdomain transport
    }
    return pv::Proto::None;
}

// grep_sock_info(): a listen socket with this address or name, on this port (0: any) and
// transport (Any: any). A listen without transport serves udp and (unless disabled) tcp.
bool socket_match(const KexData& d, std::string_view host, uint16_t port, Tp tp) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    IpAddr ip = parse_ip(host);
    for (const auto& s : d.sockets) {
        if (port != 0 && s.port != port) continue;
        if (tp != Tp::Any) {
            if (s.tp == Tp::Any) {
                if (tp != Tp::Udp && !(tp == Tp::Tcp && d.tcp_enabled)) continue;
            } else if (s.tp != tp) {
                continue;
            }
        }
        if (ip.family && s.ip.family) {
            if (ip == s.ip) return true;
        } else if (ieq(host, s.name)) {
            return true;
        }
    }
    return false;
}

// grep_aliases(): exact name (any case); port and transport only compared when both sides
// give one.
bool alias_match(const KexData& d, std::string_view host, uint16_t port, Tp tp) {
    for (const auto& a : d.aliases) {
        if (a.port != 0 && port != 0 && a.port != port) continue;
        if (a.tp != Tp::Any && tp != Tp::Any && a.tp != tp) continue;
        if (ieq(a.name, host)) return true;
    }
    return false;
}

// check_self(): listen sockets, then aliases, then corex's alias_subdomains.
bool check_self(const KexData& d, std::string_view host, uint16_t port, Tp tp) {
    if (socket_match(d, host, port, tp)) return true;
    if (alias_match(d, host, port, tp)) return true;
    return d.corex && corex_check_self(*d.corex, host, port, proto_of(tp));
}

// is_myself(uri): a "sip:"/"sips:" URI (scheme as written, lower case) is parsed and its
// host, port (if given) and transport parameter (if given) are checked; anything else is
// compared whole as a host name, port and transport unchecked.
int is_myself(CallArgs& a) {
    std::string_view s;
    if (!a.str(0, s)) {
        SLOG_ERR("kex", "cannot get the URI parameter");
        return -1;
    }
    const KexData& d = *static_cast<const KexData*>(a.mod);
    if (s.size() > 4 && (s.substr(0, 4) == "sip:" || s.substr(0, 5) == "sips:")) {
        msg::SipUri u;
        if (!msg::parse_sip_uri(s, u)) {
            SLOG_ERR("kex", "failed to parse uri [%.*s]", static_cast<int>(s.size()), s.data());
            return -1;
        }
        // An unknown transport parameter checks no transport (measured: ";transport=foo").
        Tp tp = u.transport.empty() ? Tp::Any : tp_of_name(u.transport);
        if (tp == Tp::Other) tp = Tp::Any;
        return check_self(d, u.host, u.port_no, tp) ? 1 : -1;
    }
    return check_self(d, s, 0, Tp::Any) ? 1 : -1;
}

// ---- start-up: the local addresses ----------------------------------------------------

// Every address of the machine's interfaces of the given family (0: both).
std::vector<IpAddr> interface_addresses(int family) {
    std::vector<IpAddr> out;
    ifaddrs* ifs = nullptr;
    if (getifaddrs(&ifs) != 0) return out;
    for (ifaddrs* i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr) continue;
        int f = i->ifa_addr->sa_family;
        if ((f != AF_INET && f != AF_INET6) || (family && f != family)) continue;
        IpAddr a;
        a.family = f;
        if (f == AF_INET)
            std::memcpy(a.bytes, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, 4);
        else
            std::memcpy(a.bytes, &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, 16);
        out.push_back(a);
    }
    freeifaddrs(ifs);
    return out;
}

std::string ip_text(const IpAddr& a) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(a.family, a.bytes, buf, sizeof buf);
    return buf;
}

// The addresses a listen host name resolves to (start-up only: may block on DNS).
std::vector<IpAddr> resolve(const std::string& host) {
    std::vector<IpAddr> out;
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return out;
    for (addrinfo* r = res; r; r = r->ai_next) {
        IpAddr a;
        a.family = r->ai_family;
        if (r->ai_family == AF_INET)
            std::memcpy(a.bytes, &reinterpret_cast<sockaddr_in*>(r->ai_addr)->sin_addr, 4);
        else if (r->ai_family == AF_INET6)
            std::memcpy(a.bytes, &reinterpret_cast<sockaddr_in6*>(r->ai_addr)->sin6_addr, 16);
        else
            continue;
        out.push_back(a);
    }
    freeaddrinfo(res);
    return out;
}

// auto_aliases: the name an address resolves back to ("localhost" for 127.0.0.1).
std::string reverse_name(const IpAddr& a) {
    sockaddr_storage ss{};
    socklen_t len;
    if (a.family == AF_INET) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        std::memcpy(&sin->sin_addr, a.bytes, 4);
        len = sizeof(sockaddr_in);
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
        sin6->sin6_family = AF_INET6;
        std::memcpy(&sin6->sin6_addr, a.bytes, 16);
        len = sizeof(sockaddr_in6);
    }
    char host[NI_MAXHOST];
    if (getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, nullptr, 0,
                    NI_NAMEREQD) != 0)
        return "";
    return host;
}

// alias= values: "[proto:]host[:port]", IPv6 hosts in brackets.
LocalAlias parse_alias(std::string_view v) {
    LocalAlias a;
    size_t c = v.find(':');
    if (c != std::string_view::npos && v[0] != '[') {
        Tp t = tp_of_name(v.substr(0, c));
        if (t != Tp::Other) {
            a.tp = t;
            v.remove_prefix(c + 1);
        }
    }
    std::string_view host = v, port;
    if (!v.empty() && v[0] == '[') {
        size_t rb = v.find(']');
        if (rb != std::string_view::npos) {
            host = v.substr(1, rb - 1);
            if (rb + 1 < v.size() && v[rb + 1] == ':') port = v.substr(rb + 2);
        }
    } else if ((c = v.rfind(':')) != std::string_view::npos) {
        host = v.substr(0, c);
        port = v.substr(c + 1);
    }
    int32_t p;
    if (!port.empty() && str_to_int(port, p) && p > 0 && p <= 65535)
        a.port = static_cast<uint16_t>(p);
    a.name = std::string(host);
    return a;
}

std::string init_kex(cfg::ModuleData& md, cfg::InitCtx& ic) {
    auto& d = static_cast<KexData&>(md);
    const cfg::CoreConfig& core = ic.script.core;
    d.tcp_enabled = !core.disable_tcp;
    d.corex = static_cast<const CorexData*>(ic.script.module_data("corex"));
    auto add_ip = [&d](const IpAddr& ip, uint16_t port, Tp tp) {
        d.sockets.push_back({ip_text(ip), ip, port, tp});
    };
    auto default_port = [&core](uint16_t p) {
        return p ? p : static_cast<uint16_t>(core.port);
    };
    for (const auto& l : core.listens) {
        uint16_t port = default_port(l.port);
        Tp tp = tp_of(l.proto);
        // A wildcard listen (0.0.0.0, ::) is one socket with that address: only the
        // wildcard text itself is "me" (measured), not each interface address.
        IpAddr ip = parse_ip(l.host);
        if (ip.family) {
            d.sockets.push_back({l.host, ip, port, tp});
        } else {
            d.sockets.push_back({l.host, {}, port, tp});
            for (const auto& r : resolve(l.host)) add_ip(r, port, tp);
        }
        // The advertised address matches on the advertised and on the real port (measured).
        if (!l.advertise_host.empty()) {
            IpAddr aip = parse_ip(l.advertise_host);
            if (l.advertise_port && l.advertise_port != port)
                d.sockets.push_back({l.advertise_host, aip, l.advertise_port, tp});
            d.sockets.push_back({l.advertise_host, aip, port, tp});
        }
    }
    // No listen at all: Kamailio listens on every IPv4 interface address (IPv6 ones only
    // with auto_bind_ipv6, which siphon does not have).
    if (core.listens.empty())
        for (const auto& ip : interface_addresses(AF_INET))
            add_ip(ip, static_cast<uint16_t>(core.port), Tp::Any);
    for (const auto& v : core.aliases) d.aliases.push_back(parse_alias(v));
    if (core.auto_aliases) {
        size_t n = d.sockets.size();
        for (size_t i = 0; i < n; ++i) {
            if (!d.sockets[i].ip.family) continue;
            std::string name = reverse_name(d.sockets[i].ip);
            if (!name.empty()) d.aliases.push_back({name, d.sockets[i].port, d.sockets[i].tp});
        }
    }
    return "";
}

}  // namespace

const cfg::ModuleDef kKexModule{
    .name = "kex",
    .create = [] { return std::unique_ptr<cfg::ModuleData>(new KexData); },
    .functions =
        {
            {"setsflag", {ArgKind::Int}, 1, pv::kAnyRoute, setsflag},
            {"resetsflag", {ArgKind::Int}, 1, pv::kAnyRoute, resetsflag},
            {"issflagset", {ArgKind::Int}, 1, pv::kAnyRoute, issflagset},
            {"setbflag", {ArgKind::Int, ArgKind::Int}, 1, pv::kAnyRoute, setbflag},
            {"resetbflag", {ArgKind::Int, ArgKind::Int}, 1, pv::kAnyRoute, resetbflag},
            {"isbflagset", {ArgKind::Int, ArgKind::Int}, 1, pv::kAnyRoute, isbflagset},
            {"setdsturi", {ArgKind::Str}, 1, pv::kAnyRoute, setdsturi},
            {"resetdsturi", {}, 0, pv::kAnyRoute, resetdsturi},
            {"isdsturiset", {}, 0, pv::kAnyRoute, isdsturiset},
            {"pv_printf", {ArgKind::Pv, ArgKind::Str}, 2, pv::kAnyRoute, pv_printf,
             fix_pv_printf},
            {"avp_printf", {ArgKind::Pv, ArgKind::Str}, 2, pv::kAnyRoute, pv_printf,
             fix_pv_printf},
            {"is_myself", {ArgKind::Str}, 1, pv::kAnyRoute, is_myself},
        },
    .pvs =
        {
            {"du", get_du, set_du},
            {"bf", get_bf, set_bf},
            {"sf", get_sf, set_sf},
        },
    .init = init_kex,
};

}  // namespace siphon::modules
