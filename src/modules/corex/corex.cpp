// corex: the parts of Kamailio 5.6's core extensions module that make sense without
// forwarding: alias_subdomains, extended message flags, listen-socket names and file
// helpers. Functions that send or fork (send(), append_branch(), forward_uac() ...) need
// the transaction layer and are not provided.
#include "modules/corex/corex.h"

#include <cctype>
#include <cstdio>
#include <string>

#include "cfg/module.h"
#include "cfg/script.h"
#include "core/log.h"
#include "modules/modules.h"
#include "msg/char_class.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;

bool ieq(std::string_view a, std::string_view b) { return msg::chars::iequals(a, b); }

struct CorexModData : CorexData {
    std::vector<std::string> socket_names;   // listen ... name "x"
};

// corex_add_alias_subdomains(): "[proto:]domain[:port]"; a first part that is not a
// transport name is the domain.
std::string add_alias_subdomain(CorexData& d, std::string_view v) {
    AliasSubdomain a;
    std::string_view rest = v;
    size_t c = rest.find(':');
    if (c == 3 || c == 4) {
        std::string_view p = rest.substr(0, c);
        pv::Proto pr = pv::Proto::None;
        if (ieq(p, "udp")) pr = pv::Proto::Udp;
        else if (ieq(p, "tcp")) pr = pv::Proto::Tcp;
        else if (ieq(p, "tls")) pr = pv::Proto::Tls;
        else if (ieq(p, "sctp")) pr = pv::Proto::Sctp;
        if (pr != pv::Proto::None) {
            a.proto = pr;
            rest.remove_prefix(c + 1);
        }
    }
    c = rest.find(':');
    a.domain = std::string(rest.substr(0, c));
    if (c != std::string_view::npos) {
        int32_t port;
        std::string_view ps = rest.substr(c + 1);
        if (ps.empty() || !str_to_int(ps, port) || port < 0 || port > 65535)
            return "error adding alias subdomains: " + std::string(v);
        a.port = static_cast<uint16_t>(port);
    }
    if (a.domain.empty()) return "error adding alias subdomains: " + std::string(v);
    d.alias_subdomains.push_back(std::move(a));
    return "";
}

// ---- extended flags -------------------------------------------------------------------

// Kamailio keeps the 64 xflags in struct sip_msg; siphon keeps them in the message's Ctx.
uint64_t& xflags(pv::Ctx& ctx) { return ctx.xflags; }

// The flag is an int or a variable holding one; outside 0..63 the call is false.
bool xflag_arg(CallArgs& a, uint64_t& mask) {
    int32_t f;
    if (!a.integer(0, f)) {
        SLOG_ERR("corex", "no flag value");
        return false;
    }
    if (f < 0 || f > 63) return false;
    mask = uint64_t{1} << f;
    return true;
}
int setxflag(CallArgs& a) {
    uint64_t m;
    if (!xflag_arg(a, m)) return -1;
    xflags(a.ctx) |= m;
    return 1;
}
int resetxflag(CallArgs& a) {
    uint64_t m;
    if (!xflag_arg(a, m)) return -1;
    xflags(a.ctx) &= ~m;
    return 1;
}
int isxflagset(CallArgs& a) {
    uint64_t m;
    if (!xflag_arg(a, m)) return -1;
    return (xflags(a.ctx) & m) ? 1 : -1;
}

// ---- messages and sockets -------------------------------------------------------------

// is_incoming() is true only while network_io_intercept hands a message to the script
// (measured: -1 for a normal request). siphon has no network_io_intercept.
int is_incoming(CallArgs&) { return -1; }
// Every message siphon runs a route for was received, none is faked.
int is_faked_msg(CallArgs&) { return -1; }

int is_socket_name(CallArgs& a) {
    std::string_view name;
    if (!a.str(0, name)) {
        SLOG_ERR("corex", "cannot get socket name parameter");
        return -1;
    }
    auto& d = *static_cast<CorexModData*>(a.mod);
    for (const auto& n : d.socket_names)
        if (n == name) return 1;
    return -1;
}

// ---- files ----------------------------------------------------------------------------

// file_read(path, $var) / file_write(path, text) block the worker while the file is read
// or written, as they block a Kamailio worker.
int file_read(CallArgs& a) {
    std::string_view path;
    if (!a.str(0, path) || path.empty()) {
        SLOG_ERR("corex", "cannot get file path");
        return -1;
    }
    std::string p(path);
    FILE* f = std::fopen(p.c_str(), "r");
    if (!f) {
        SLOG_ERR("corex", "cannot open file: %s", p.c_str());
        return -1;
    }
    std::string content;
    char buf[8192];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) content.append(buf, n);
    bool err = std::ferror(f) != 0;
    std::fclose(f);
    if (err) SLOG_ERR("corex", "error reading from file: %s", p.c_str());
    Value v = Value::of_str(a.ctx.w.arena.copy(content));
    if (!pv::set_pv(a.ctx, *a.args[1].pv, v)) {
        SLOG_ERR("corex", "cannot set %s", a.args[1].pv->text.c_str());
        return -1;
    }
    return 1;
}
int file_write(CallArgs& a) {
    std::string_view path, content;
    if (!a.str(0, path) || path.empty()) {
        SLOG_ERR("corex", "cannot get file path");
        return -1;
    }
    if (!a.str(1, content) || content.empty()) {
        SLOG_ERR("corex", "cannot get the content");
        return -1;
    }
    std::string p(path);
    FILE* f = std::fopen(p.c_str(), "w");
    if (!f) {
        SLOG_ERR("corex", "cannot open file: %s", p.c_str());
        return -1;
    }
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
    return 1;
}
std::string fix_file_read(std::span<cfg::FixedArg> args, cfg::ModuleData*) {
    if (args[1].pv && !pv::pv_writable(*args[1].pv))
        return "result variable " + args[1].pv->text + " is read-only";
    return "";
}

std::string init_corex(cfg::ModuleData& md, cfg::InitCtx& ic) {
    auto& d = static_cast<CorexModData&>(md);
    for (const auto& l : ic.script.core.listens)
        if (!l.name.empty()) d.socket_names.push_back(l.name);
    return "";
}

}  // namespace

bool corex_check_self(const CorexData& d, std::string_view host, uint16_t port, pv::Proto proto) {
    for (const auto& a : d.alias_subdomains) {
        std::string_view dom = a.domain;
        if (host.size() < dom.size()) continue;
        if (a.port != 0 && port != 0 && a.port != port) continue;
        if (a.proto != pv::Proto::None && proto != pv::Proto::None && a.proto != proto) continue;
        if (ieq(host, dom)) return true;
        if (host.size() > dom.size() && ieq(host.substr(host.size() - dom.size()), dom) &&
            host[host.size() - dom.size() - 1] == '.')
            return true;
    }
    return false;
}

const cfg::ModuleDef kCorexModule{
    .name = "corex",
    .create = [] { return std::unique_ptr<cfg::ModuleData>(new CorexModData); },
    .params =
        {
            {"alias_subdomains", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 return add_alias_subdomain(static_cast<CorexData&>(d), v.s);
             }},
        },
    .functions =
        {
            {"setxflag", {ArgKind::Int}, 1, pv::kAnyRoute, setxflag},
            {"resetxflag", {ArgKind::Int}, 1, pv::kAnyRoute, resetxflag},
            {"isxflagset", {ArgKind::Int}, 1, pv::kAnyRoute, isxflagset},
            {"is_incoming", {}, 0, pv::kAnyRoute, is_incoming},
            {"is_faked_msg", {}, 0, pv::kAnyRoute, is_faked_msg},
            {"is_socket_name", {ArgKind::Str}, 1, pv::kAnyRoute, is_socket_name},
            {"file_read", {ArgKind::Str, ArgKind::Pv}, 2, pv::kAnyRoute, file_read,
             fix_file_read},
            {"file_write", {ArgKind::Str, ArgKind::Str}, 2, pv::kAnyRoute, file_write},
        },
    .init = init_corex,
};

}  // namespace siphon::modules
