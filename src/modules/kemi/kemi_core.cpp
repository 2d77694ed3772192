// The KEMI functions of Kamailio's core (kemi/core.md): KSR.* (logging, method, protocol
// and flag checks, route()), KSR.pv, KSR.hdr, plus KSR.kx (the kemix getters, always
// available here) and KSR.x (exit, drop, modf). Return values follow what Kamailio 5.6.3
// returns through app_lua (behavior-notes.md section 7).
#include <cstdlib>
#include <ctime>

#include "cfg/interp.h"
#include "core/log.h"
#include "modules/kemi/kemi.h"
#include "msg/char_class.h"
#include "msg/sip_parse.h"

namespace siphon::kemi {

namespace {

// What Kamailio's KEMI getters return for a null value in their "w" variants (measured:
// KSR.pv.getw("$hdr(X-Nope)") is "<null>").
constexpr std::string_view kNullText = "<null>";

bool ieq(std::string_view a, std::string_view b) { return msg::chars::iequals(a, b); }

int logf(int level, Call& c, size_t arg) {
    if (log_enabled(level)) log_write(level, "script", c.s(arg));
    return 1;
}

// ---- logging --------------------------------------------------------------------------
int k_dbg(Call& c) { return logf(kLogDbg, c, 0); }
int k_info(Call& c) { return logf(kLogInfo, c, 0); }
int k_notice(Call& c) { return logf(kLogNotice, c, 0); }
int k_warn(Call& c) { return logf(kLogWarn, c, 0); }
int k_err(Call& c) { return logf(kLogErr, c, 0); }
int k_crit(Call& c) { return logf(kLogCrit, c, 0); }
// KSR.log("dbg"|"info"|"notice"|"warn"|"crit"|"err", msg); any other level logs as err.
int k_log(Call& c) {
    std::string_view l = c.s(0);
    int level = kLogErr;
    if (l == "dbg")
        level = kLogDbg;
    else if (l == "info")
        level = kLogInfo;
    else if (l == "notice")
        level = kLogNotice;
    else if (l == "warn")
        level = kLogWarn;
    else if (l == "crit")
        level = kLogCrit;
    return logf(level, c, 1);
}
int k_get_debug(Call&) { return log_config().level.load(std::memory_order_relaxed); }

// ---- methods --------------------------------------------------------------------------
// The method of the message: the request method, or the CSeq method of a reply (as
// Kamailio's is_method does for replies).
std::string_view method_of(const pv::Ctx& ctx) {
    if (!ctx.msg) return {};
    if (ctx.msg->is_request()) return ctx.msg->method;
    const msg::Header* h = ctx.msg->find(msg::Hdr::CSeq);
    msg::CSeq cs;
    if (!h || !msg::parse_cseq(h->value, cs)) return {};
    return cs.method;
}
int method_is(Call& c, std::string_view m) { return ieq(method_of(c.ctx), m) ? 1 : -1; }

// KSR.is_method("INVITE") -- a '|' separated list is accepted too, as textops' is_method.
int k_is_method(Call& c) {
    std::string_view m = method_of(c.ctx);
    if (m.empty()) return -1;
    std::string_view list = c.s(0);
    while (true) {
        size_t bar = list.find('|');
        if (ieq(list.substr(0, bar), m)) return 1;
        if (bar == std::string_view::npos) return -1;
        list.remove_prefix(bar + 1);
    }
}
// KSR.is_method_in("IABC"): one letter per method.
int k_is_method_in(Call& c) {
    std::string_view m = method_of(c.ctx);
    if (m.empty()) return -1;
    static constexpr struct {
        char letter;
        std::string_view method;
    } kLetters[] = {
        {'A', "ACK"},     {'B', "BYE"},      {'C', "CANCEL"},    {'I', "INVITE"}, {'K', "KDMQ"},
        {'M', "MESSAGE"}, {'N', "NOTIFY"},   {'O', "OPTIONS"},   {'E', "PRACK"},  {'P', "PUBLISH"},
        {'F', "REFER"},   {'R', "REGISTER"}, {'S', "SUBSCRIBE"}, {'U', "UPDATE"}, {'G', "GET"},
        {'T', "POST"},    {'V', "PUT"},      {'D', "DELETE"},
    };
    for (char ch : c.s(0))
        for (const auto& l : kLetters)
            if (l.letter == ch && ieq(l.method, m)) return 1;
    return -1;
}
#define METHOD_CHECK(NAME)                                                                         \
    int k_is_##NAME(Call& c) { return method_is(c, #NAME); }
METHOD_CHECK(INVITE)
METHOD_CHECK(ACK)
METHOD_CHECK(BYE)
METHOD_CHECK(CANCEL)
METHOD_CHECK(REGISTER)
METHOD_CHECK(MESSAGE)
METHOD_CHECK(SUBSCRIBE)
METHOD_CHECK(PUBLISH)
METHOD_CHECK(NOTIFY)
METHOD_CHECK(OPTIONS)
METHOD_CHECK(REFER)
METHOD_CHECK(INFO)
METHOD_CHECK(UPDATE)
METHOD_CHECK(PRACK)
METHOD_CHECK(KDMQ)
METHOD_CHECK(GET)
METHOD_CHECK(POST)
METHOD_CHECK(PUT)
METHOD_CHECK(DELETE)
#undef METHOD_CHECK

// ---- transport ------------------------------------------------------------------------
int proto_is(Call& c, std::initializer_list<pv::Proto> ps) {
    if (!c.ctx.rcv) return -1;
    for (pv::Proto p : ps)
        if (c.ctx.rcv->proto == p) return 1;
    return -1;
}
int k_is_UDP(Call& c) { return proto_is(c, {pv::Proto::Udp}); }
int k_is_TCP(Call& c) { return proto_is(c, {pv::Proto::Tcp}); }
int k_is_TLS(Call& c) { return proto_is(c, {pv::Proto::Tls}); }
int k_is_SCTP(Call& c) { return proto_is(c, {pv::Proto::Sctp}); }
int k_is_WS(Call& c) { return proto_is(c, {pv::Proto::Ws}); }
int k_is_WSS(Call& c) { return proto_is(c, {pv::Proto::Wss}); }
int k_is_WSX(Call& c) { return proto_is(c, {pv::Proto::Ws, pv::Proto::Wss}); }
int k_is_TCPX(Call& c) {
    return proto_is(c, {pv::Proto::Tcp, pv::Proto::Tls, pv::Proto::Ws, pv::Proto::Wss});
}
// KSR.is_proto("EW"): e TLS, s SCTP, t TCP, u UDP, v WS, w WSS (either case).
int k_is_proto(Call& c) {
    if (!c.ctx.rcv) return -1;
    for (char ch : c.s(0)) {
        pv::Proto p;
        switch (ch | 0x20) {
            case 'e': p = pv::Proto::Tls; break;
            case 's': p = pv::Proto::Sctp; break;
            case 't': p = pv::Proto::Tcp; break;
            case 'u': p = pv::Proto::Udp; break;
            case 'v': p = pv::Proto::Ws; break;
            case 'w': p = pv::Proto::Wss; break;
            default: continue;
        }
        if (c.ctx.rcv->proto == p) return 1;
    }
    return -1;
}
int k_is_IPv4(Call& c) { return c.ctx.rcv && !c.ctx.rcv->ipv6 ? 1 : -1; }
int k_is_IPv6(Call& c) { return c.ctx.rcv && c.ctx.rcv->ipv6 ? 1 : -1; }

// ---- flags and reply hints ------------------------------------------------------------
bool flag_ok(Call& c) {
    if (c.i(0) < 0 || c.i(0) > 31) {
        SLOG_ERR("kemi", "KSR.%s: flag %d out of range (0..31)", c.fn.full.c_str(), c.i(0));
        return false;
    }
    return true;
}
int k_setflag(Call& c) {
    if (!flag_ok(c)) return -1;
    c.ctx.msg_flags |= 1u << c.i(0);
    return 1;
}
int k_resetflag(Call& c) {
    if (!flag_ok(c)) return -1;
    c.ctx.msg_flags &= ~(1u << c.i(0));
    return 1;
}
int k_isflagset(Call& c) {
    if (!flag_ok(c)) return -1;
    return c.ctx.msg_flags & (1u << c.i(0)) ? 1 : -1;
}
int k_set_reply_close(Call& c) {
    c.ctx.close_after = true;
    return 1;
}
int k_set_reply_no_connect(Call& c) {
    c.ctx.no_connect = true;
    return 1;
}
int k_force_rport(Call& c) {
    c.ctx.force_rport = true;
    return 1;
}
int k_true(Call&) { return 1; }
// KSR.set_drop(): mark the message dropped; the script goes on (unlike KSR.x.drop()).
int k_set_drop(Call& c) {
    c.env.drop_requested = true;
    return 1;
}

// KSR.route("NAME"): runs route[NAME] of the native config. 0 when it ended with exit or
// drop (the Lua script decides what to do), -1 when there is no such route.
int k_route(Call& c) {
    std::string_view name = c.s(0);
    auto it = c.env.script.named.find(name);
    if (it == c.env.script.named.end()) {
        SLOG_ERR("kemi", "KSR.route: route \"%.*s\" not found", static_cast<int>(name.size()),
                 name.data());
        return -1;
    }
    cfg::RunResult r = cfg::run_route(c.env.script, *it->second, c.ctx);
    if (r.dropped) c.env.drop_requested = true;
    if (r.exited) return 0;
    return r.rc;
}

// ---- KSR.pv ---------------------------------------------------------------------------
// Reads a PV: false when the name is invalid or the value is null.
bool pv_read(Call& c, std::string_view name, Value& v) {
    const pv::PvSpec* s = c.env.pv(name);
    if (!s) return false;
    if (!pv::get_pv(c.ctx, *s, v) || v.is_null()) return false;
    return true;
}
int k_pv_get(Call& c) {
    Value v;
    c.ret = pv_read(c, c.s(0), v) ? v : Value::null();
    return 1;
}
int k_pv_gete(Call& c) {
    Value v;
    c.ret = pv_read(c, c.s(0), v) ? v : Value::of_str("");
    return 1;
}
int k_pv_getw(Call& c) {
    Value v;
    c.ret = pv_read(c, c.s(0), v) ? v : Value::of_str(kNullText);
    return 1;
}
int k_pv_getvn(Call& c) {
    Value v;
    c.ret = pv_read(c, c.s(0), v) ? v : Value::of_int(c.i(1));
    return 1;
}
int k_pv_getvs(Call& c) {
    Value v;
    c.ret = pv_read(c, c.s(0), v) ? v : Value::of_str(c.s(1));
    return 1;
}
int pv_write(Call& c, const Value& v) {
    const pv::PvSpec* s = c.env.pv(c.s(0));
    if (!s) return -1;
    if (!pv::pv_writable(*s)) {
        SLOG_ERR("kemi", "KSR.%s: %s is read-only", c.fn.full.c_str(), s->text.c_str());
        return -1;
    }
    return pv::set_pv(c.ctx, *s, v) ? 1 : -1;
}
int k_pv_seti(Call& c) { return pv_write(c, Value::of_int(c.i(1))); }
int k_pv_sets(Call& c) { return pv_write(c, Value::of_str(c.s(1))); }
int k_pv_unset(Call& c) { return pv_write(c, Value::null()); }
int k_pv_is_null(Call& c) {
    Value v;
    return pv_read(c, c.s(0), v) ? -1 : 1;
}

// ---- KSR.hdr --------------------------------------------------------------------------
// The idx-th header named `name` (negative: from the end), or null.
const msg::Header* header_at(const pv::Ctx& ctx, std::string_view name, int32_t idx) {
    if (!ctx.msg) return nullptr;
    const msg::Message& m = *ctx.msg;
    msg::Hdr tok = msg::header_token(name);
    auto matches = [&](const msg::Header& h) {
        return tok != msg::Hdr::Other ? h.type == tok : ieq(h.name, name);
    };
    if (idx >= 0) {
        for (uint16_t i = 0; i < m.header_count; ++i)
            if (matches(m.headers[i]) && idx-- == 0) return &m.headers[i];
        return nullptr;
    }
    for (int i = m.header_count - 1; i >= 0; --i)
        if (matches(m.headers[static_cast<size_t>(i)]) && ++idx == 0)
            return &m.headers[static_cast<size_t>(i)];
    return nullptr;
}
int hdr_get(Call& c, int32_t idx, Value dflt) {
    const msg::Header* h = header_at(c.ctx, c.s(0), idx);
    c.ret = h ? Value::of_str(h->value) : dflt;
    return 1;
}
int k_hdr_get(Call& c) { return hdr_get(c, 0, Value::null()); }
int k_hdr_gete(Call& c) { return hdr_get(c, 0, Value::of_str("")); }
int k_hdr_getw(Call& c) { return hdr_get(c, 0, Value::of_str(kNullText)); }
int k_hdr_get_idx(Call& c) { return hdr_get(c, c.i(1), Value::null()); }
int k_hdr_gete_idx(Call& c) { return hdr_get(c, c.i(1), Value::of_str("")); }
int k_hdr_getw_idx(Call& c) { return hdr_get(c, c.i(1), Value::of_str(kNullText)); }
int k_hdr_is_present(Call& c) { return header_at(c.ctx, c.s(0), 0) ? 1 : -1; }

int edit(Call& c, HeaderEdit::Op op, std::string_view text, std::string_view anchor = {}) {
    if (!c.ctx.msg) return -1;
    if (text.empty()) {
        SLOG_ERR("kemi", "KSR.%s: empty parameter", c.fn.full.c_str());
        return -1;
    }
    c.env.header_edits(c.ctx).push_back({op, std::string(text), std::string(anchor)});
    return 1;
}
int k_hdr_append(Call& c) { return edit(c, HeaderEdit::Op::Append, c.s(0)); }
int k_hdr_insert(Call& c) { return edit(c, HeaderEdit::Op::Insert, c.s(0)); }
int k_hdr_append_after(Call& c) { return edit(c, HeaderEdit::Op::AppendAfter, c.s(0), c.s(1)); }
int k_hdr_insert_before(Call& c) { return edit(c, HeaderEdit::Op::InsertBefore, c.s(0), c.s(1)); }
// Returns 1 even when no header had that name (measured).
int k_hdr_remove(Call& c) { return edit(c, HeaderEdit::Op::Remove, c.s(0)); }
int k_hdr_rmappend(Call& c) {
    if (edit(c, HeaderEdit::Op::Remove, c.s(0)) < 0) return -1;
    return edit(c, HeaderEdit::Op::Append, c.s(1));
}
int k_hdr_append_to_reply(Call& c) {
    if (!c.ctx.reply_hdrs) return -1;
    c.ctx.reply_hdrs->push_back(c.ctx.w.arena.copy(c.s(0)));
    return 1;
}
// KSR.hdr.match_content(hname, op, mval, eidx): op eq/ne/sw/in, eidx f(irst), l(ast),
// a(ll must match), o(ne must match).
int k_hdr_match_content(Call& c) {
    if (!c.ctx.msg) return -1;
    std::string_view op = c.s(1), val = c.s(2), which = c.s(3);
    auto test = [&](std::string_view body) {
        if (op == "eq") return body == val;
        if (op == "ne") return body != val;
        if (op == "sw") return body.substr(0, val.size()) == val;
        if (op == "in") return body.find(val) != std::string_view::npos;
        return false;
    };
    if (op != "eq" && op != "ne" && op != "sw" && op != "in") {
        SLOG_ERR("kemi", "KSR.hdr.match_content: unknown operator \"%.*s\"",
                 static_cast<int>(op.size()), op.data());
        return -1;
    }
    char mode = which.empty() ? 'f' : which[0];
    if (mode == 'f' || mode == 'l') {
        const msg::Header* h = header_at(c.ctx, c.s(0), mode == 'f' ? 0 : -1);
        return h && test(h->value) ? 1 : -1;
    }
    int seen = 0;
    for (int32_t i = 0;; ++i) {
        const msg::Header* h = header_at(c.ctx, c.s(0), i);
        if (!h) break;
        ++seen;
        bool t = test(h->value);
        if (mode == 'o' && t) return 1;
        if (mode == 'a' && !t) return -1;
    }
    return mode == 'a' && seen ? 1 : -1;
}

// ---- KSR.kx ---------------------------------------------------------------------------
int kx_pv(Call& c, std::string_view name, Value dflt) {
    Value v;
    c.ret = pv_read(c, name, v) ? v : dflt;
    return 1;
}
int kx_int(Call& c, std::string_view name, int32_t dflt) {
    Value v;
    if (!pv_read(c, name, v)) return dflt;
    if (v.is_int()) return v.i;
    int32_t i;
    return str_to_int(v.s, i) ? i : dflt;
}
#define KX_GET(NAME, PV)                                                                           \
    int k_kx_get_##NAME(Call& c) { return kx_pv(c, PV, Value::null()); }                           \
    int k_kx_gete_##NAME(Call& c) { return kx_pv(c, PV, Value::of_str("")); }                      \
    int k_kx_getw_##NAME(Call& c) { return kx_pv(c, PV, Value::of_str(kNullText)); }
KX_GET(ruser, "$rU")
KX_GET(rhost, "$rd")
KX_GET(fuser, "$fU")
KX_GET(fhost, "$fd")
KX_GET(tuser, "$tU")
KX_GET(thost, "$td")
KX_GET(ua, "$ua")
KX_GET(au, "$au")
KX_GET(duri, "$du")
KX_GET(cturi, "$ct")
#undef KX_GET
int k_kx_get_ruri(Call& c) { return kx_pv(c, "$ru", Value::null()); }
int k_kx_get_furi(Call& c) { return kx_pv(c, "$fu", Value::null()); }
int k_kx_get_turi(Call& c) { return kx_pv(c, "$tu", Value::null()); }
int k_kx_get_ouri(Call& c) { return kx_pv(c, "$ou", Value::null()); }
int k_kx_get_nhuri(Call& c) {
    // The next hop: $du when set, else the R-URI.
    Value v;
    if (!pv_read(c, "$du", v)) return kx_pv(c, "$ru", Value::null());
    c.ret = v;
    return 1;
}
int k_kx_get_callid(Call& c) { return kx_pv(c, "$ci", Value::null()); }
int k_kx_get_method(Call& c) {
    std::string_view m = method_of(c.ctx);
    c.ret = m.empty() ? Value::null() : Value::of_str(m);
    return 1;
}
int k_kx_get_srcip(Call& c) { return kx_pv(c, "$si", Value::null()); }
int k_kx_get_srcport(Call& c) { return kx_pv(c, "$sp", Value::null()); }
int k_kx_get_rcvip(Call& c) { return kx_pv(c, "$Ri", Value::null()); }
int k_kx_get_rcvport(Call& c) { return kx_pv(c, "$Rp", Value::null()); }
int k_kx_get_rcvadvip(Call& c) { return kx_pv(c, "$RAi", Value::null()); }
int k_kx_get_rcvadvport(Call& c) { return kx_pv(c, "$RAp", Value::null()); }
int k_kx_get_proto(Call& c) { return kx_pv(c, "$pr", Value::null()); }
int k_kx_get_srcuri(Call& c) { return kx_pv(c, "$su", Value::null()); }
int k_kx_get_msgbuf(Call& c) {
    c.ret = c.ctx.msg ? Value::of_str(c.ctx.msg->raw) : Value::null();
    return 1;
}
// get_body() is nil for an empty body (measured), while $rb is "".
int k_kx_get_body(Call& c) {
    c.ret = c.ctx.msg && !c.ctx.msg->body.empty() ? Value::of_str(c.ctx.msg->body) : Value::null();
    return 1;
}
int k_kx_gete_body(Call& c) {
    c.ret = Value::of_str(c.ctx.msg ? c.ctx.msg->body : std::string_view{});
    return 1;
}
int k_kx_getw_body(Call& c) {
    c.ret = c.ctx.msg && !c.ctx.msg->body.empty() ? Value::of_str(c.ctx.msg->body)
                                                  : Value::of_str(kNullText);
    return 1;
}
int k_kx_get_bodylen(Call& c) { return c.ctx.msg ? static_cast<int>(c.ctx.msg->body.size()) : 0; }
int k_kx_get_msglen(Call& c) { return c.ctx.msg ? static_cast<int>(c.ctx.msg->raw.size()) : 0; }
// 1 for a request (HTTP requests included), 2 for a reply.
int k_kx_get_msgtype(Call& c) { return !c.ctx.msg ? -1 : c.ctx.msg->is_request() ? 1 : 2; }
int k_kx_get_status(Call& c) {
    return c.ctx.msg && c.ctx.msg->kind == msg::Kind::SipReply ? c.ctx.msg->status : -1;
}
int k_kx_gets_status(Call& c) {
    if (!c.ctx.msg || c.ctx.msg->kind != msg::Kind::SipReply) {
        c.ret = Value::null();
        return 1;
    }
    char* b = c.ctx.w.arena.alloc(12);
    c.ret = Value::of_str(int_to_str(c.ctx.msg->status, b));
    return 1;
}
int k_kx_get_timestamp(Call&) { return static_cast<int>(std::time(nullptr)); }
int k_kx_get_protoid(Call& c) { return c.ctx.rcv ? static_cast<int>(c.ctx.rcv->proto) : -1; }
int k_kx_get_conid(Call& c) { return kx_int(c, "$conid", -1); }
// "udp:127.0.0.1:5060" -- the receiving / source socket as Kamailio prints it.
int sock_text(Call& c, bool src) {
    if (!c.ctx.rcv) {
        c.ret = Value::null();
        return 1;
    }
    const pv::RecvInfo& r = *c.ctx.rcv;
    std::string_view proto = pv::proto_name(r.proto);
    const char* ip = src ? r.src_ip : r.dst_ip;
    uint16_t port = src ? r.src_port : r.dst_port;
    char* b = c.ctx.w.arena.alloc(80);
    int n = std::snprintf(b, 80, r.ipv6 ? "%.*s:[%s]:%u" : "%.*s:%s:%u",
                          static_cast<int>(proto.size()), proto.data(), ip, port);
    c.ret = Value::of_str(std::string_view(b, n > 0 && n < 80 ? static_cast<size_t>(n) : 0));
    return 1;
}
int k_kx_get_rcvaddr_sock(Call& c) { return sock_text(c, false); }
int k_kx_get_srcaddr_sock(Call& c) { return sock_text(c, true); }
int k_kx_get_env(Call& c) {
    std::string name(c.s(0));
    const char* v = std::getenv(name.c_str());
    c.ret = v ? Value::of_str(c.ctx.w.arena.copy(v)) : Value::null();
    return 1;
}
int k_kx_get_envn(Call& c) {
    std::string name(c.s(0));
    const char* v = std::getenv(name.c_str());
    int32_t i = 0;
    return v && str_to_int(v, i) ? i : 0;
}

// ---- KSR.x ----------------------------------------------------------------------------
// KSR.x.exit(): the engine turns the request into its "~~ksr~exit~~" error.
int k_x_exit(Call& c) {
    c.env.exit_requested = true;
    return 0;
}
int k_x_drop(Call& c) {
    c.env.drop_requested = true;
    c.env.exit_requested = true;
    return 0;
}
// KSR.x.modf("fname", ...): calls a native config function by name with string arguments.
int k_x_modf(Call& c) {
    std::string_view fname = c.s(0);
    size_t argc = c.args.size() - 1;
    for (const cfg::LoadedModule& lm : c.env.script.modules)
        for (const cfg::FuncDef& d : lm.def->functions)
            if (d.name == fname && d.min_args <= argc && argc <= d.args.size())
                return c.env.call_native(c.ctx, fname, d, lm.data.get(), c.args.subspan(1));
    SLOG_ERR("kemi", "KSR.x.modf: no function %.*s() with %zu parameters",
             static_cast<int>(fname.size()), fname.data(), argc);
    return -1;
}

using R = Ret;

constexpr Spec kCore[] = {
    {"", "dbg", R::None, "s", k_dbg},
    {"", "info", R::None, "s", k_info},
    {"", "notice", R::None, "s", k_notice},
    {"", "warn", R::None, "s", k_warn},
    {"", "err", R::None, "s", k_err},
    {"", "crit", R::None, "s", k_crit},
    {"", "log", R::None, "ss", k_log},
    {"", "get_debug", R::Int, "", k_get_debug},
    {"", "is_method", R::Bool, "s", k_is_method},
    {"", "is_method_in", R::Bool, "s", k_is_method_in},
    {"", "is_INVITE", R::Bool, "", k_is_INVITE},
    {"", "is_ACK", R::Bool, "", k_is_ACK},
    {"", "is_BYE", R::Bool, "", k_is_BYE},
    {"", "is_CANCEL", R::Bool, "", k_is_CANCEL},
    {"", "is_REGISTER", R::Bool, "", k_is_REGISTER},
    {"", "is_MESSAGE", R::Bool, "", k_is_MESSAGE},
    {"", "is_SUBSCRIBE", R::Bool, "", k_is_SUBSCRIBE},
    {"", "is_PUBLISH", R::Bool, "", k_is_PUBLISH},
    {"", "is_NOTIFY", R::Bool, "", k_is_NOTIFY},
    {"", "is_OPTIONS", R::Bool, "", k_is_OPTIONS},
    {"", "is_REFER", R::Bool, "", k_is_REFER},
    {"", "is_INFO", R::Bool, "", k_is_INFO},
    {"", "is_UPDATE", R::Bool, "", k_is_UPDATE},
    {"", "is_PRACK", R::Bool, "", k_is_PRACK},
    {"", "is_KDMQ", R::Bool, "", k_is_KDMQ},
    {"", "is_GET", R::Bool, "", k_is_GET},
    {"", "is_POST", R::Bool, "", k_is_POST},
    {"", "is_PUT", R::Bool, "", k_is_PUT},
    {"", "is_DELETE", R::Bool, "", k_is_DELETE},
    {"", "is_UDP", R::Bool, "", k_is_UDP},
    {"", "is_TCP", R::Bool, "", k_is_TCP},
    {"", "is_TLS", R::Bool, "", k_is_TLS},
    {"", "is_SCTP", R::Bool, "", k_is_SCTP},
    {"", "is_WS", R::Bool, "", k_is_WS},
    {"", "is_WSS", R::Bool, "", k_is_WSS},
    {"", "is_WSX", R::Bool, "", k_is_WSX},
    {"", "is_TCPX", R::Bool, "", k_is_TCPX},
    {"", "is_proto", R::Bool, "s", k_is_proto},
    {"", "is_IPv4", R::Bool, "", k_is_IPv4},
    {"", "is_IPv6", R::Bool, "", k_is_IPv6},
    {"", "setflag", R::Bool, "i", k_setflag},
    {"", "resetflag", R::Bool, "i", k_resetflag},
    {"", "isflagset", R::Bool, "i", k_isflagset},
    {"", "set_reply_close", R::Bool, "", k_set_reply_close},
    {"", "set_reply_no_connect", R::Bool, "", k_set_reply_no_connect},
    {"", "force_rport", R::Bool, "", k_force_rport},
    {"", "add_local_rport", R::Bool, "", k_true},
    {"", "set_drop", R::None, "", k_set_drop},
    {"", "route", R::Int, "s", k_route},

    {"pv", "get", R::Xval, "s", k_pv_get},
    {"pv", "gete", R::Xval, "s", k_pv_gete},
    {"pv", "getw", R::Xval, "s", k_pv_getw},
    {"pv", "getvn", R::Xval, "si", k_pv_getvn},
    {"pv", "getvs", R::Xval, "ss", k_pv_getvs},
    {"pv", "seti", R::Bool, "si", k_pv_seti},
    {"pv", "sets", R::Bool, "ss", k_pv_sets},
    {"pv", "unset", R::Bool, "s", k_pv_unset},
    {"pv", "is_null", R::Bool, "s", k_pv_is_null},

    {"hdr", "append", R::Int, "s", k_hdr_append},
    {"hdr", "append_after", R::Int, "ss", k_hdr_append_after},
    {"hdr", "insert", R::Int, "s", k_hdr_insert},
    {"hdr", "insert_before", R::Int, "ss", k_hdr_insert_before},
    {"hdr", "remove", R::Int, "s", k_hdr_remove},
    {"hdr", "rmappend", R::Int, "ss", k_hdr_rmappend},
    {"hdr", "is_present", R::Int, "s", k_hdr_is_present},
    {"hdr", "append_to_reply", R::Int, "s", k_hdr_append_to_reply},
    {"hdr", "get", R::Xval, "s", k_hdr_get},
    {"hdr", "get_idx", R::Xval, "si", k_hdr_get_idx},
    {"hdr", "gete", R::Xval, "s", k_hdr_gete},
    {"hdr", "gete_idx", R::Xval, "si", k_hdr_gete_idx},
    {"hdr", "getw", R::Xval, "s", k_hdr_getw},
    {"hdr", "getw_idx", R::Xval, "si", k_hdr_getw_idx},
    {"hdr", "match_content", R::Bool, "ssss", k_hdr_match_content},

    {"kx", "get_ruri", R::Xval, "", k_kx_get_ruri},
    {"kx", "get_ruser", R::Xval, "", k_kx_get_ruser},
    {"kx", "get_rhost", R::Xval, "", k_kx_get_rhost},
    {"kx", "get_furi", R::Xval, "", k_kx_get_furi},
    {"kx", "get_fuser", R::Xval, "", k_kx_get_fuser},
    {"kx", "get_fhost", R::Xval, "", k_kx_get_fhost},
    {"kx", "get_turi", R::Xval, "", k_kx_get_turi},
    {"kx", "get_tuser", R::Xval, "", k_kx_get_tuser},
    {"kx", "get_thost", R::Xval, "", k_kx_get_thost},
    {"kx", "get_ouri", R::Xval, "", k_kx_get_ouri},
    {"kx", "get_duri", R::Xval, "", k_kx_get_duri},
    {"kx", "get_nhuri", R::Xval, "", k_kx_get_nhuri},
    {"kx", "get_cturi", R::Xval, "", k_kx_get_cturi},
    {"kx", "get_au", R::Xval, "", k_kx_get_au},
    {"kx", "get_ua", R::Xval, "", k_kx_get_ua},
    {"kx", "get_callid", R::Xval, "", k_kx_get_callid},
    {"kx", "get_method", R::Xval, "", k_kx_get_method},
    {"kx", "get_srcip", R::Xval, "", k_kx_get_srcip},
    {"kx", "get_srcport", R::Xval, "", k_kx_get_srcport},
    {"kx", "get_srcuri", R::Xval, "", k_kx_get_srcuri},
    {"kx", "get_rcvip", R::Xval, "", k_kx_get_rcvip},
    {"kx", "get_rcvport", R::Xval, "", k_kx_get_rcvport},
    {"kx", "get_rcvadvip", R::Xval, "", k_kx_get_rcvadvip},
    {"kx", "get_rcvadvport", R::Xval, "", k_kx_get_rcvadvport},
    {"kx", "get_rcvaddr_sock", R::Xval, "", k_kx_get_rcvaddr_sock},
    {"kx", "get_srcaddr_sock", R::Xval, "", k_kx_get_srcaddr_sock},
    {"kx", "get_proto", R::Xval, "", k_kx_get_proto},
    {"kx", "get_protoid", R::Int, "", k_kx_get_protoid},
    {"kx", "get_conid", R::Int, "", k_kx_get_conid},
    {"kx", "get_body", R::Xval, "", k_kx_get_body},
    {"kx", "get_bodylen", R::Int, "", k_kx_get_bodylen},
    {"kx", "get_msgbuf", R::Xval, "", k_kx_get_msgbuf},
    {"kx", "get_msglen", R::Int, "", k_kx_get_msglen},
    {"kx", "get_msgtype", R::Int, "", k_kx_get_msgtype},
    {"kx", "get_status", R::Int, "", k_kx_get_status},
    {"kx", "gets_status", R::Xval, "", k_kx_gets_status},
    {"kx", "get_timestamp", R::Int, "", k_kx_get_timestamp},
    {"kx", "get_env", R::Xval, "s", k_kx_get_env},
    {"kx", "get_envn", R::Int, "s", k_kx_get_envn},
    {"kx", "gete_ruser", R::Xval, "", k_kx_gete_ruser},
    {"kx", "gete_rhost", R::Xval, "", k_kx_gete_rhost},
    {"kx", "gete_fuser", R::Xval, "", k_kx_gete_fuser},
    {"kx", "gete_fhost", R::Xval, "", k_kx_gete_fhost},
    {"kx", "gete_tuser", R::Xval, "", k_kx_gete_tuser},
    {"kx", "gete_thost", R::Xval, "", k_kx_gete_thost},
    {"kx", "gete_ua", R::Xval, "", k_kx_gete_ua},
    {"kx", "gete_au", R::Xval, "", k_kx_gete_au},
    {"kx", "gete_duri", R::Xval, "", k_kx_gete_duri},
    {"kx", "gete_cturi", R::Xval, "", k_kx_gete_cturi},
    {"kx", "gete_body", R::Xval, "", k_kx_gete_body},
    {"kx", "getw_ruser", R::Xval, "", k_kx_getw_ruser},
    {"kx", "getw_rhost", R::Xval, "", k_kx_getw_rhost},
    {"kx", "getw_fuser", R::Xval, "", k_kx_getw_fuser},
    {"kx", "getw_fhost", R::Xval, "", k_kx_getw_fhost},
    {"kx", "getw_tuser", R::Xval, "", k_kx_getw_tuser},
    {"kx", "getw_thost", R::Xval, "", k_kx_getw_thost},
    {"kx", "getw_ua", R::Xval, "", k_kx_getw_ua},
    {"kx", "getw_au", R::Xval, "", k_kx_getw_au},
    {"kx", "getw_duri", R::Xval, "", k_kx_getw_duri},
    {"kx", "getw_cturi", R::Xval, "", k_kx_getw_cturi},
    {"kx", "getw_body", R::Xval, "", k_kx_getw_body},

    {"x", "exit", R::None, "", k_x_exit},
    {"x", "drop", R::None, "", k_x_drop},
    // modf takes the function name and up to five string parameters.
    {"x", "modf", R::Int, "s", k_x_modf},
    {"x", "modf", R::Int, "ss", k_x_modf},
    {"x", "modf", R::Int, "sss", k_x_modf},
    {"x", "modf", R::Int, "ssss", k_x_modf},
    {"x", "modf", R::Int, "sssss", k_x_modf},
    {"x", "modf", R::Int, "ssssss", k_x_modf},
};

} // namespace

std::span<const Spec> core_specs() { return kCore; }

} // namespace siphon::kemi
