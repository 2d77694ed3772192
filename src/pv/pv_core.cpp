// The core pseudo-variables: message parts, addresses, variables, time. Semantics follow
// the Kamailio 5.6 pseudo-variables cookbook and the measured behaviour in
// behavior-notes.md section 2.
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <new>
#include <random>

#include "core/log.h"
#include "msg/char_class.h"
#include "msg/sip_parse.h"
#include "pv/pv.h"

namespace siphon::pv {

namespace {

using msg::Hdr;

bool ieq(std::string_view a, std::string_view b) { return msg::chars::iequals(a, b); }

bool str_out(Value& out, std::string_view s) {
    out = Value::of_str(s);
    return true;
}
bool int_out(Value& out, int32_t v) {
    out = Value::of_int(v);
    return true;
}

// SIP-only variables on an HTTP request: null, with a debug line (Kamailio logs an error on
// every access; a debug line is enough to explain the null without flooding the log).
bool sip_only(Ctx& ctx, const PvSpec& spec) {
    if (ctx.msg && ctx.msg->is_http()) {
        SLOG_DBG("pv", "%s is not available on an HTTP request", spec.text.c_str());
        return true;
    }
    return false;
}

// ---- addresses ------------------------------------------------------------------------
bool get_si(Ctx& c, const PvSpec&, Value& o) { return c.rcv && str_out(o, c.rcv->src_ip); }
bool get_sp(Ctx& c, const PvSpec&, Value& o) { return c.rcv && int_out(o, c.rcv->src_port); }
bool get_ri(Ctx& c, const PvSpec&, Value& o) { return c.rcv && str_out(o, c.rcv->dst_ip); }
bool get_rp(Ctx& c, const PvSpec&, Value& o) { return c.rcv && int_out(o, c.rcv->dst_port); }
bool get_rai(Ctx& c, const PvSpec& s, Value& o) {
    if (!c.rcv) return false;
    if (!c.rcv->advertised_ip.empty()) return str_out(o, c.rcv->advertised_ip);
    return get_ri(c, s, o);
}
bool get_rap(Ctx& c, const PvSpec& s, Value& o) {
    if (!c.rcv) return false;
    if (c.rcv->advertised_port) return int_out(o, c.rcv->advertised_port);
    return get_rp(c, s, o);
}
bool get_pr(Ctx& c, const PvSpec&, Value& o) {
    return c.rcv && str_out(o, proto_name(c.rcv->proto));
}
bool get_af(Ctx& c, const PvSpec&, Value& o) {
    return c.rcv && str_out(o, c.rcv->ipv6 ? "ipv6" : "ipv4");
}
// $su / $Ru: "sip:ip:port;transport=tcp" (transport omitted for udp).
bool addr_uri(Ctx& c, const char* ip, uint16_t port, Value& o) {
    char buf[96];
    bool v6 = std::strchr(ip, ':') != nullptr;
    int n;
    if (c.rcv->proto == Proto::Udp)
        n = std::snprintf(buf, sizeof buf, v6 ? "sip:[%s]:%u" : "sip:%s:%u", ip, port);
    else
        n = std::snprintf(buf, sizeof buf,
                          v6 ? "sip:[%s]:%u;transport=%s" : "sip:%s:%u;transport=%s", ip, port,
                          proto_name(c.rcv->proto).data());
    return str_out(o, c.w.arena.copy(std::string_view(buf, static_cast<size_t>(n))));
}
bool get_su(Ctx& c, const PvSpec&, Value& o) {
    return c.rcv && addr_uri(c, c.rcv->src_ip, c.rcv->src_port, o);
}
bool get_Ru(Ctx& c, const PvSpec&, Value& o) {
    return c.rcv && addr_uri(c, c.rcv->dst_ip, c.rcv->dst_port, o);
}

// ---- first line -----------------------------------------------------------------------
bool get_rm(Ctx& c, const PvSpec&, Value& o) {
    if (!c.msg) return false;
    if (c.msg->kind == msg::Kind::SipReply) {
        const msg::Header* h = c.msg->find(Hdr::CSeq);
        msg::CSeq cs;
        if (!h || !msg::parse_cseq(h->value, cs)) return false;
        return str_out(o, cs.method);
    }
    return str_out(o, c.msg->method);
}
bool get_rv(Ctx& c, const PvSpec&, Value& o) { return c.msg && str_out(o, c.msg->version); }
bool get_hu(Ctx& c, const PvSpec&, Value& o) {
    return c.msg && c.msg->is_request() && str_out(o, c.msg->uri);
}
bool get_rs(Ctx& c, const PvSpec&, Value& o) {
    return c.msg && c.msg->kind == msg::Kind::SipReply && int_out(o, c.msg->status);
}
bool get_rr(Ctx& c, const PvSpec&, Value& o) {
    return c.msg && c.msg->kind == msg::Kind::SipReply && str_out(o, c.msg->reason);
}
bool get_mt(Ctx& c, const PvSpec&, Value& o) {
    return c.msg && int_out(o, c.msg->kind == msg::Kind::SipReply ? 2 : 1);
}
bool get_ml(Ctx& c, const PvSpec&, Value& o) {
    return c.msg && int_out(o, static_cast<int32_t>(c.msg->raw.size()));
}
bool get_mb(Ctx& c, const PvSpec&, Value& o) { return c.msg && str_out(o, c.msg->raw); }
bool get_mi(Ctx& c, const PvSpec&, Value& o) {
    return int_out(o, static_cast<int32_t>(c.w.msg_id));
}
bool get_pp(Ctx&, const PvSpec&, Value& o) { return int_out(o, static_cast<int32_t>(getpid())); }
bool get_rb(Ctx& c, const PvSpec&, Value& o) { return c.msg && str_out(o, c.msg->body); }

// Request-URI parts ($ru $rU $rd $rp $rz) read the R-URI as rewritten by assignments to
// $ru/$rU/$rd/$rp in this message (Ctx::new_uri); $ou/$oU/$od/$op read the received one.
enum RuPart { kRuAll, kRuUser, kRuHost, kRuPort, kRuScheme, kOrig = 16 };
std::string_view current_ruri(const Ctx& c) { return request_uri(c); }
UriCache& uri_cache(Ctx& c) {
    if (!c.uri_cache) {
        char* p = c.w.arena.alloc(sizeof(UriCache) + alignof(UriCache) - 1);
        auto a = reinterpret_cast<uintptr_t>(p);
        a = (a + alignof(UriCache) - 1) & ~(uintptr_t{alignof(UriCache)} - 1);
        c.uri_cache = new (reinterpret_cast<void*>(a)) UriCache();
    }
    return *c.uri_cache;
}

// The parsed form of `text`, from the per-message cache (parsed on the first read).
const msg::SipUri* parsed_uri(ParsedUri& k, std::string_view text) {
    if (!k.valid || k.src.data() != text.data() || k.src.size() != text.size()) {
        k.src = text;
        k.valid = true;
        k.ok = msg::parse_sip_uri(text, k.uri);
    }
    return k.ok ? &k.uri : nullptr;
}

bool get_ruri(Ctx& c, const PvSpec& s, Value& o) {
    if (!c.msg || c.msg->kind != msg::Kind::SipRequest) {
        sip_only(c, s);
        return false;
    }
    std::string_view uri = (s.ival & kOrig) ? c.msg->uri : current_ruri(c);
    int part = s.ival & 15;
    if (part == kRuAll) return str_out(o, uri);
    // $ou and $ru share the cache: they are the same text until the R-URI is rewritten.
    const msg::SipUri* pu = parsed_uri(uri_cache(c).ruri, uri);
    if (!pu) {
        SLOG_DBG("pv", "%s: failed to parse the R-URI", s.text.c_str());
        return false;
    }
    const msg::SipUri& u = *pu;
    switch (part) {
        case kRuUser: return !u.user.empty() && str_out(o, u.user);
        case kRuHost: return !u.host.empty() && str_out(o, u.host);  // tel: has none (null)
        // Without a port Kamailio answers 5060, whatever the scheme (pv_get_5060).
        case kRuPort: return u.port.empty() ? int_out(o, 5060) : int_out(o, u.port_no);
        case kRuScheme: return str_out(o, u.scheme);
    }
    return false;
}

// Assignments: $ru takes a whole URI (checked: Kamailio refuses an invalid one); $rU, $rd and
// $rp replace one part of the current R-URI ($rU = "" or $null removes the user, $rp = 0 or
// $null the port). The new URI lives in the arena for the rest of the message.
std::string_view splice(Arena& a, std::string_view s, size_t at, size_t len,
                        std::string_view pre, std::string_view mid, std::string_view post) {
    size_t n = s.size() - len + pre.size() + mid.size() + post.size();
    char* out = a.alloc(n);
    size_t off = 0;
    auto put = [&](std::string_view t) {
        if (!t.empty()) std::memcpy(out + off, t.data(), t.size());
        off += t.size();
    };
    put(s.substr(0, at));
    put(pre);
    put(mid);
    put(post);
    put(s.substr(at + len));
    return {out, n};
}
bool set_ruri(Ctx& c, const PvSpec& s, const Value& v) {
    if (!c.msg || c.msg->kind != msg::Kind::SipRequest) {
        SLOG_ERR("pv", "%s can only be set for a SIP request", s.text.c_str());
        return false;
    }
    std::string_view cur = current_ruri(c);
    msg::SipUri u;
    if (s.ival == kRuAll) {
        if (!v.is_str() || !msg::parse_sip_uri(v.s, u)) {
            SLOG_ERR("pv", "%s: invalid URI %s", s.text.c_str(),
                     quote_for_message(v.is_str() ? v.s : "").c_str());
            return false;
        }
        set_request_uri(c, v.s);
        return true;
    }
    const msg::SipUri* cu = parsed_request_uri(c);
    if (!cu || cu->host.empty()) {
        // (a tel: URI has no host and no port; its number is not rewritten part by part)
        SLOG_ERR("pv", "%s: the current R-URI is not a sip/sips URI", s.text.c_str());
        return false;
    }
    u = *cu;
    char nbuf[12];
    std::string_view val = v.is_str() ? v.s : v.is_int() ? int_to_str(v.i, nbuf) : "";
    auto off = [&](std::string_view part) { return static_cast<size_t>(part.data() - cur.data()); };
    std::string_view out;
    switch (s.ival) {
        case kRuUser: {
            if (!u.user.empty()) {
                // The whole userinfo ("user[:password]@") goes when the user is removed.
                size_t b = off(u.user);
                size_t e = off(u.host);
                out = val.empty() ? splice(c.w.arena, cur, b, e - b, "", "", "")
                                  : splice(c.w.arena, cur, b, u.user.size(), "", val, "");
            } else if (!val.empty()) {
                out = splice(c.w.arena, cur, u.scheme.size() + 1, 0, "", val, "@");
            } else {
                return true;
            }
            break;
        }
        case kRuHost:
            if (val.empty()) {
                SLOG_ERR("pv", "%s: empty host", s.text.c_str());
                return false;
            }
            out = splice(c.w.arena, cur, off(u.host), u.host.size(), "", val, "");
            break;
        case kRuPort: {
            bool remove = val.empty() || val == "0";
            int32_t pn;
            if (!remove && (!str_to_int(val, pn) || pn < 1 || pn > 65535)) {
                SLOG_ERR("pv", "%s: invalid port", s.text.c_str());
                return false;
            }
            if (!u.port.empty())
                out = remove ? splice(c.w.arena, cur, off(u.port) - 1, u.port.size() + 1, "", "", "")
                             : splice(c.w.arena, cur, off(u.port), u.port.size(), "", val, "");
            else if (!remove)
                out = splice(c.w.arena, cur, off(u.host) + u.host.size(), 0, ":", val, "");
            else
                return true;
            break;
        }
        default: return false;
    }
    c.new_uri = out;
    c.new_uri_base = c.msg->uri;
    return true;
}

// $dd / $dp: host and port of $du (null when $du is not set or does not parse).
bool get_duri_part(Ctx& c, const PvSpec& s, Value& o) {
    msg::SipUri u;
    if (c.dst_uri.empty() || !msg::parse_sip_uri(c.dst_uri, u)) return false;
    if (s.ival == kRuHost) return str_out(o, u.host);
    return u.port.empty() ? int_out(o, 0) : int_out(o, u.port_no);
}

// $msg(attr): parts of the raw message (Kamailio's pv module, pv_get_msg_attrs).
enum MsgAttr { kMsgLen, kMsgBuf, kMsgBody, kMsgBodyLen, kMsgHdrs, kMsgFline, kMsgFpart, kMsgLpart };
std::string fix_msg(PvSpec& s, std::string_view inner, Registry&) {
    static constexpr std::string_view names[] = {"len",  "buf",   "body",  "body_len",
                                                 "hdrs", "fline", "fpart", "lpart"};
    for (size_t i = 0; i < std::size(names); ++i)
        if (inner == names[i]) {
            s.ival = static_cast<int32_t>(i);
            return "";
        }
    return "unknown $msg attribute (len, buf, body, body_len, hdrs, fline, fpart, lpart)";
}
std::string_view trim_ws(std::string_view v) {
    while (!v.empty() &&
           (v.front() == ' ' || v.front() == '\t' || v.front() == '\r' || v.front() == '\n'))
        v.remove_prefix(1);
    while (!v.empty() &&
           (v.back() == ' ' || v.back() == '\t' || v.back() == '\r' || v.back() == '\n'))
        v.remove_suffix(1);
    return v;
}
bool get_msg(Ctx& c, const PvSpec& s, Value& o) {
    if (!c.msg) return false;
    const msg::Message& m = *c.msg;
    size_t nl = m.head.find('\n');
    size_t after_fline = nl == std::string_view::npos ? m.head.size() : nl + 1;
    switch (s.ival) {
        case kMsgLen: return int_out(o, static_cast<int32_t>(m.raw.size()));
        case kMsgBuf: return str_out(o, m.raw);
        case kMsgBody: return str_out(o, m.body);
        case kMsgBodyLen: return int_out(o, static_cast<int32_t>(m.body.size()));
        case kMsgHdrs: return str_out(o, trim_ws(m.head.substr(after_fline)));
        case kMsgFline: return str_out(o, trim_ws(m.head.substr(0, after_fline)));
        case kMsgFpart: return str_out(o, m.head);
        case kMsgLpart: return str_out(o, m.raw.substr(std::min(after_fline, m.raw.size())));
    }
    return false;
}

// ---- headers --------------------------------------------------------------------------
// Fixup for $hdr(Name) / $hdrc(Name): resolve the token once.
std::string fix_hdr(PvSpec& s, std::string_view inner, Registry& reg) {
    if (!inner.empty() && inner[0] == '$') {
        std::string err;
        s.dyn_inner = parse_pv_exact(inner, reg, err);
        return s.dyn_inner ? "" : err;
    }
    if (inner.empty()) return "empty header name";
    // A header name is an RFC 9110 token (Kamailio: "invalid header name").
    for (char ch : inner) {
        bool tchar = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9') || std::strchr("!#$%&'*+-.^_`|~", ch) != nullptr;
        if (!tchar || ch == 0) return "invalid header name '" + std::string(inner) + "'";
    }
    s.ival = static_cast<int32_t>(msg::header_token(inner));
    s.sval = std::string(inner);
    return "";
}

struct HdrName {
    Hdr tok;
    std::string_view name;
};
bool hdr_name(Ctx& c, const PvSpec& s, HdrName& n) {
    if (s.dyn_inner) {
        Value v;
        if (!get_pv(c, *s.dyn_inner, v)) return false;
        n.name = value_text(c, v);
        n.tok = msg::header_token(n.name);
        return true;
    }
    n.tok = static_cast<Hdr>(s.ival);
    n.name = s.sval;
    return true;
}
bool hdr_match(const msg::Header& h, const HdrName& n) {
    return n.tok != Hdr::Other ? h.type == n.tok : ieq(h.name, n.name);
}

bool get_hdr(Ctx& c, const PvSpec& s, Value& o) {
    if (!c.msg) return false;
    HdrName n;
    if (!hdr_name(c, s, n)) return false;
    const msg::Message& m = *c.msg;
    switch (s.index.kind) {
        case PvIndex::Kind::None:
            for (size_t i = 0; i < m.header_count; ++i)
                if (hdr_match(m.headers[i], n)) return str_out(o, m.headers[i].value);
            return false;
        case PvIndex::Kind::All: {
            // All occurrences joined by ',' with no added space (observed).
            size_t total = 0, cnt = 0;
            for (size_t i = 0; i < m.header_count; ++i)
                if (hdr_match(m.headers[i], n)) total += m.headers[i].value.size() + 1, ++cnt;
            if (!cnt) return false;
            char* buf = c.w.arena.alloc(total);
            size_t off = 0;
            for (size_t i = 0; i < m.header_count; ++i)
                if (hdr_match(m.headers[i], n)) {
                    if (off) buf[off++] = ',';
                    std::memcpy(buf + off, m.headers[i].value.data(), m.headers[i].value.size());
                    off += m.headers[i].value.size();
                }
            return str_out(o, std::string_view(buf, off));
        }
        case PvIndex::Kind::Num:
        case PvIndex::Kind::Pv: {
            int32_t idx = s.index.n;
            if (s.index.kind == PvIndex::Kind::Pv) {
                Value iv;
                if (!get_pv(c, *s.index.pv, iv)) return false;
                if (iv.is_str() && !str_to_int(iv.s, idx)) return false;
                if (iv.is_int()) idx = iv.i;
            }
            int cnt = 0;
            for (size_t i = 0; i < m.header_count; ++i)
                if (hdr_match(m.headers[i], n)) ++cnt;
            if (idx < 0) idx += cnt;  // [-1] is the last one
            if (idx < 0 || idx >= cnt) return false;
            for (size_t i = 0; i < m.header_count; ++i)
                if (hdr_match(m.headers[i], n) && idx-- == 0) return str_out(o, m.headers[i].value);
            return false;
        }
    }
    return false;
}
bool get_hdrc(Ctx& c, const PvSpec& s, Value& o) {
    if (!c.msg) return int_out(o, 0);
    HdrName n;
    if (!hdr_name(c, s, n)) return false;
    int32_t cnt = 0;
    for (size_t i = 0; i < c.msg->header_count; ++i)
        if (hdr_match(c.msg->headers[i], n)) ++cnt;
    return int_out(o, cnt);
}

bool simple_hdr(Ctx& c, Hdr h, Value& o) {
    if (!c.msg) return false;
    const msg::Header* hd = c.msg->find(h);
    return hd && str_out(o, hd->value);
}
bool get_ua(Ctx& c, const PvSpec&, Value& o) { return simple_hdr(c, Hdr::UserAgent, o); }
bool get_cT(Ctx& c, const PvSpec&, Value& o) { return simple_hdr(c, Hdr::ContentType, o); }
bool get_cl(Ctx& c, const PvSpec&, Value& o) {
    if (!c.msg || !c.msg->has_content_length) return false;
    return int_out(o, static_cast<int32_t>(c.msg->content_length));
}
bool get_ci(Ctx& c, const PvSpec& s, Value& o) {
    if (sip_only(c, s)) return false;
    return simple_hdr(c, Hdr::CallId, o);
}
bool get_ct(Ctx& c, const PvSpec& s, Value& o) {
    if (sip_only(c, s)) return false;
    return simple_hdr(c, Hdr::Contact, o);
}
bool get_cs(Ctx& c, const PvSpec& s, Value& o) {
    if (sip_only(c, s) || !c.msg) return false;
    const msg::Header* h = c.msg->find(Hdr::CSeq);
    msg::CSeq cs;
    if (!h || !msg::parse_cseq(h->value, cs)) return false;
    return str_out(o, cs.number);  // a string: `$cs + 1` concatenates (observed)
}

// $bs: body size; $csb: the whole CSeq body.
bool get_bs(Ctx& c, const PvSpec&, Value& o) {
    return c.msg && int_out(o, static_cast<int32_t>(c.msg->body.size()));
}
bool get_csb(Ctx& c, const PvSpec& s, Value& o) {
    if (sip_only(c, s)) return false;
    return simple_hdr(c, Hdr::CSeq, o);
}

// ---- header bodies in comma-separated lists ($hfl, $hflc) ------------------------------
// Via, Record-Route, Route and Contact may carry several bodies in one header field; $hfl
// indexes those bodies, $hflc counts them. Other headers behave as $hdr / $hdrc. A negative
// index is null, as in Kamailio 5.6.3 (measured: $(hfl(Via)[-1]) is <null>).
bool is_list_hdr(Hdr t) {
    return t == Hdr::Via || t == Hdr::RecordRoute || t == Hdr::Route || t == Hdr::Contact;
}
template <typename F>
bool each_body(std::string_view v, F&& f) {
    size_t start = 0;
    bool q = false;
    int angle = 0;
    for (size_t i = 0; i <= v.size(); ++i) {
        char ch = i < v.size() ? v[i] : ',';
        if (q) {
            if (ch == '\\') ++i;
            else if (ch == '"') q = false;
            continue;
        }
        if (ch == '"') q = true;
        else if (ch == '<') ++angle;
        else if (ch == '>' && angle) --angle;
        else if (ch == ',' && !angle) {
            std::string_view b = trim_ws(v.substr(start, i - start));
            start = i + 1;
            if (!b.empty() && !f(b)) return false;
        }
    }
    return true;
}
bool get_hfl(Ctx& c, const PvSpec& s, Value& o) {
    if (!c.msg) return false;
    HdrName n;
    if (!hdr_name(c, s, n)) return false;
    if (!is_list_hdr(n.tok)) return get_hdr(c, s, o);
    const msg::Message& m = *c.msg;
    int32_t idx = 0;
    if (s.index.kind == PvIndex::Kind::Num) idx = s.index.n;
    else if (s.index.kind == PvIndex::Kind::Pv) {
        Value iv;
        if (!get_pv(c, *s.index.pv, iv)) return false;
        if (iv.is_str() && !str_to_int(iv.s, idx)) return false;
        if (iv.is_int()) idx = iv.i;
    } else if (s.index.kind == PvIndex::Kind::All) {
        return get_hdr(c, s, o);
    }
    if (idx < 0) return false;
    std::string_view hit;
    bool found = false;
    for (size_t i = 0; i < m.header_count && !found; ++i)
        if (hdr_match(m.headers[i], n))
            each_body(m.headers[i].value, [&](std::string_view b) {
                if (idx-- != 0) return true;
                hit = b;
                found = true;
                return false;
            });
    return found && str_out(o, hit);
}
bool get_hflc(Ctx& c, const PvSpec& s, Value& o) {
    if (!c.msg) return int_out(o, 0);
    HdrName n;
    if (!hdr_name(c, s, n)) return false;
    if (!is_list_hdr(n.tok)) return get_hdrc(c, s, o);
    int32_t cnt = 0;
    for (size_t i = 0; i < c.msg->header_count; ++i)
        if (hdr_match(c.msg->headers[i], n))
            each_body(c.msg->headers[i].value, [&](std::string_view) { return ++cnt, true; });
    return int_out(o, cnt);
}

// ---- identity headers -------------------------------------------------------------------
// ival = header token * 16 + part. $ai (P-Asserted-Identity URI), $pu/$pU/$pd/$pn
// (P-Preferred-Identity), $re (Remote-Party-ID URI), $rt (Refer-To URI), $di (Diversion URI).
// The first body of the first such header is used.
enum IdPart { kIdUri, kIdUser, kIdHost, kIdDisplay };
bool get_ident(Ctx& c, const PvSpec& s, Value& o) {
    if (sip_only(c, s) || !c.msg) return false;
    const msg::Header* h = c.msg->find(static_cast<Hdr>(s.ival >> 4));
    if (!h) return false;
    std::string_view first;
    each_body(h->value, [&](std::string_view b) {
        first = b;
        return false;
    });
    msg::NameAddr na;
    if (first.empty() || !msg::parse_name_addr(first, na)) return false;
    int part = s.ival & 15;
    if (part == kIdUri) return str_out(o, na.uri);
    if (part == kIdDisplay) return !na.display.empty() && str_out(o, na.display);
    msg::SipUri u;
    if (!msg::parse_sip_uri(na.uri, u)) return false;
    if (part == kIdUser) return !u.user.empty() && str_out(o, u.user);
    return !u.host.empty() && str_out(o, u.host);
}

// ---- digest credentials ($au $ad $aU $ar $adu $aa) -------------------------------------
// From the Authorization header for REGISTER and PUBLISH, from Proxy-Authorization
// otherwise (as Kamailio's pv_get_authattr); null when absent or not a Digest header.
enum AuthPart { kAuUser, kAuDomain, kAuWhole, kAuRealm, kAuUri, kAuAlg };
bool digest_param(std::string_view v, std::string_view name, std::string_view& out) {
    size_t i = 0;
    while (i < v.size()) {
        while (i < v.size() && (v[i] == ' ' || v[i] == '\t' || v[i] == ',' || v[i] == '\r' ||
                                v[i] == '\n'))
            ++i;
        size_t nb = i;
        while (i < v.size() && v[i] != '=' && v[i] != ',' && v[i] != ' ') ++i;
        std::string_view pn = v.substr(nb, i - nb);
        while (i < v.size() && v[i] == ' ') ++i;
        if (i >= v.size() || v[i] != '=') continue;
        ++i;
        while (i < v.size() && v[i] == ' ') ++i;
        std::string_view val;
        if (i < v.size() && v[i] == '"') {
            size_t e = i + 1;
            while (e < v.size() && v[e] != '"') e += v[e] == '\\' ? 2 : 1;
            if (e >= v.size()) return false;
            val = v.substr(i + 1, e - i - 1);
            i = e + 1;
        } else {
            size_t vb = i;
            while (i < v.size() && v[i] != ',' && v[i] != ' ') ++i;
            val = v.substr(vb, i - vb);
        }
        if (ieq(pn, name)) {
            out = val;
            return true;
        }
    }
    return false;
}
bool get_auth(Ctx& c, const PvSpec& s, Value& o) {
    if (sip_only(c, s) || !c.msg || c.msg->kind != msg::Kind::SipRequest) return false;
    // Proxy-Authorization when there is one, else Authorization, whatever the method
    // (measured on Kamailio 5.6.3, compat case 117).
    const msg::Header* h = c.msg->find(Hdr::ProxyAuthorization);
    if (!h) h = c.msg->find(Hdr::Authorization);
    if (!h) return false;
    std::string_view v = trim_ws(h->value);
    if (v.size() < 7 || !ieq(v.substr(0, 6), "digest") || (v[6] != ' ' && v[6] != '\t'))
        return false;
    v.remove_prefix(7);
    std::string_view val;
    // Credentials without username are not parsed (null); a field they lack reads "".
    if (!digest_param(v, "username", val)) return false;
    std::string_view field;
    switch (s.ival) {
        case kAuRealm: return str_out(o, digest_param(v, "realm", field) ? field : "");
        case kAuUri: return str_out(o, digest_param(v, "uri", field) ? field : "");
        case kAuAlg: return str_out(o, digest_param(v, "algorithm", field) ? field : "");
        default: break;
    }
    if (s.ival == kAuWhole) return str_out(o, val);
    size_t at = val.find('@');
    if (s.ival == kAuUser) return str_out(o, val.substr(0, at));
    return str_out(o, at == std::string_view::npos ? std::string_view() : val.substr(at + 1));
}

// From/To parts: ival = which header (0 From, 1 To) * 16 + part.
enum NaPart { kNaUri, kNaUser, kNaHost, kNaDisplay, kNaTag, kNaBody };
bool get_nameaddr(Ctx& c, const PvSpec& s, Value& o) {
    if (sip_only(c, s) || !c.msg) return false;
    Hdr which = (s.ival >> 4) == 0 ? Hdr::From : Hdr::To;
    const msg::Header* h = c.msg->find(which);
    if (!h) return false;
    int part = s.ival & 15;
    if (part == kNaBody) return str_out(o, h->value);
    ParsedNameAddr& k = which == Hdr::From ? uri_cache(c).from : uri_cache(c).to;
    if (!k.valid || k.src.data() != h->value.data() || k.src.size() != h->value.size()) {
        k.src = h->value;
        k.valid = true;
        k.ok = msg::parse_name_addr(h->value, k.na);
        k.uri_valid = false;
    }
    if (!k.ok) return false;
    const msg::NameAddr& na = k.na;
    switch (part) {
        case kNaUri: return str_out(o, na.uri);
        case kNaDisplay: return !na.display.empty() && str_out(o, na.display);
        case kNaTag: return na.has_tag && str_out(o, na.tag);
        default: break;
    }
    if (!k.uri_valid) {
        k.uri_valid = true;
        k.uri_ok = msg::parse_sip_uri(na.uri, k.uri);
    }
    if (!k.uri_ok) return false;
    const msg::SipUri& u = k.uri;
    if (part == kNaUser) return !u.user.empty() && str_out(o, u.user);
    return !u.host.empty() && str_out(o, u.host);  // tel: has no host (null)
}

// ---- variables ------------------------------------------------------------------------
std::string fix_var(PvSpec& s, std::string_view inner, Registry& reg) {
    if (inner.empty()) return "empty variable name";
    s.ival = reg.var_slot(inner);
    return "";
}
VarSlot& var_slot(Ctx& c, int32_t i) {
    if (static_cast<size_t>(i) >= c.w.vars.size()) c.w.vars.resize(i + 1);
    return c.w.vars[i];
}
bool get_var(Ctx& c, const PvSpec& s, Value& o) {
    o = var_slot(c, s.ival).get();
    return true;
}
bool set_var(Ctx& c, const PvSpec& s, const Value& v) {
    var_slot(c, s.ival).set(v);  // $null stores int 0, as Kamailio does
    return true;
}

// $vn(x): like $var but able to hold $null, which is also its initial value. Its slots are
// separate from $var's (a name prefixed with a byte no config can write).
std::string fix_vn(PvSpec& s, std::string_view inner, Registry& reg) {
    if (inner.empty()) return "empty variable name";
    s.ival = reg.var_slot("\x01" + std::string(inner));
    return "";
}
bool get_vn(Ctx& c, const PvSpec& s, Value& o) {
    auto i = static_cast<size_t>(s.ival);
    if (i >= c.w.var_set.size() || !c.w.var_set[i]) return false;
    o = var_slot(c, s.ival).get();
    return true;
}
bool set_vn(Ctx& c, const PvSpec& s, const Value& v) {
    auto i = static_cast<size_t>(s.ival);
    if (i >= c.w.var_set.size()) c.w.var_set.resize(i + 1);
    c.w.var_set[i] = v.is_null() ? 0 : 1;
    var_slot(c, s.ival).set(v);
    return true;
}

std::string fix_shv(PvSpec& s, std::string_view inner, Registry& reg) {
    if (inner.empty()) return "empty variable name";
    s.ival = reg.shv_slot(inner);
    return "";
}
bool get_shv(Ctx& c, const PvSpec& s, Value& o) {
    if (!c.shv || static_cast<size_t>(s.ival) >= c.shv->slots.size()) return int_out(o, 0);
    auto& slot = *c.shv->slots[s.ival];
    std::lock_guard lk(slot.mu);
    Value v = slot.v.get();
    // The slot may change once the lock is released: copy the text into the arena.
    if (v.is_str()) v.s = c.w.arena.copy(v.s);
    o = v;
    return true;
}
bool set_shv(Ctx& c, const PvSpec& s, const Value& v) {
    if (!c.shv || static_cast<size_t>(s.ival) >= c.shv->slots.size()) return false;
    auto& slot = *c.shv->slots[s.ival];
    std::lock_guard lk(slot.mu);
    slot.v.set(v);
    return true;
}

std::string fix_avp(PvSpec& s, std::string_view inner, Registry& reg) {
    if (inner.empty()) return "empty AVP name";
    // "i:1", "s:name" and "name" all name an AVP; keep the prefix as part of the key.
    s.ival = reg.avp_id(inner);
    return "";
}
bool get_avp(Ctx& c, const PvSpec& s, Value& o) {
    auto& avps = c.w.avps;  // newest first
    uint32_t id = static_cast<uint32_t>(s.ival);
    if (s.index.kind == PvIndex::Kind::All) {
        size_t total = 0, cnt = 0;
        for (auto& a : avps)
            if (a.name_id == id) total += value_text(c, a.v).size() + 2, ++cnt;
        if (!cnt) return false;
        char* buf = c.w.arena.alloc(total);
        size_t off = 0;
        for (auto& a : avps)
            if (a.name_id == id) {
                if (off) buf[off++] = ',', buf[off++] = ' ';
                auto t = value_text(c, a.v);
                std::memcpy(buf + off, t.data(), t.size());
                off += t.size();
            }
        return str_out(o, std::string_view(buf, off));
    }
    int32_t idx = s.index.kind == PvIndex::Kind::Num ? s.index.n : 0;
    if (idx < 0) return false;  // negative AVP indexes are null (observed)
    for (auto& a : avps)
        if (a.name_id == id && idx-- == 0) {
            o = a.v;
            return true;
        }
    return false;
}
bool set_avp(Ctx& c, const PvSpec& s, const Value& v) {
    auto& avps = c.w.avps;
    uint32_t id = static_cast<uint32_t>(s.ival);
    if (s.index.kind == PvIndex::Kind::All) {
        std::erase_if(avps, [id](const Avp& a) { return a.name_id == id; });
    } else if (v.is_null()) {
        for (auto it = avps.begin(); it != avps.end(); ++it)
            if (it->name_id == id) {
                avps.erase(it);  // $null removes only the newest value
                break;
            }
        return true;
    }
    if (v.is_null()) return true;
    Value copy = v;
    if (copy.is_str()) copy.s = c.w.arena.copy(copy.s);
    avps.insert(avps.begin(), Avp{id, copy});
    return true;
}

bool get_null(Ctx&, const PvSpec&, Value&) { return false; }
bool get_rc(Ctx& c, const PvSpec&, Value& o) { return int_out(o, c.last_rc); }
bool get_mf(Ctx& c, const PvSpec&, Value& o) {
    return int_out(o, static_cast<int32_t>(c.msg_flags));
}
bool set_mf(Ctx& c, const PvSpec&, const Value& v) {
    c.msg_flags = v.is_int() ? static_cast<uint32_t>(v.i) : 0;
    return true;
}

// $du, $bf and $sf belong to Kamailio's pv module, so they exist without kex (which, when
// loaded, registers the same variables with the same behaviour). $du: null when not set;
// $null or "" resets it; an int is refused. $bf/$sf: an int; $null clears; a string is
// refused.
bool get_du(Ctx& c, const PvSpec&, Value& o) {
    return !c.dst_uri.empty() && str_out(o, c.dst_uri);
}
bool set_du(Ctx& c, const PvSpec&, const Value& v) {
    if (v.is_null()) {
        c.dst_uri = {};
        return true;
    }
    if (!v.is_str()) {
        SLOG_ERR("pv", "error - str value required to set dst uri");
        return false;
    }
    c.dst_uri = c.w.arena.copy(v.s);
    return true;
}
bool flags_in(const Value& v, uint32_t& out) {
    if (v.is_null()) {
        out = 0;
        return true;
    }
    if (!v.is_int()) {
        SLOG_ERR("pv", "assigning non-int value to flags");
        return false;
    }
    out = static_cast<uint32_t>(v.i);
    return true;
}
bool get_bf(Ctx& c, const PvSpec&, Value& o) { return int_out(o, static_cast<int32_t>(c.bflags)); }
bool set_bf(Ctx& c, const PvSpec&, const Value& v) { return flags_in(v, c.bflags); }
bool get_sf(Ctx& c, const PvSpec&, Value& o) { return int_out(o, static_cast<int32_t>(c.sflags)); }
bool set_sf(Ctx& c, const PvSpec&, const Value& v) { return flags_in(v, c.sflags); }

// ---- time -----------------------------------------------------------------------------
bool get_Ts(Ctx& c, const PvSpec&, Value& o) {
    return int_out(o, static_cast<int32_t>(c.recv_time ? c.recv_time : std::time(nullptr)));
}
bool get_TS(Ctx&, const PvSpec&, Value& o) {
    return int_out(o, static_cast<int32_t>(std::time(nullptr)));
}
bool get_Tb(Ctx& c, const PvSpec&, Value& o) {
    return int_out(o, static_cast<int32_t>(c.shv ? c.shv->start_time : 0));
}
bool ctime_out(Ctx& c, time_t t, Value& o) {
    struct tm tmv;
    localtime_r(&t, &tmv);
    char buf[64];
    size_t n = std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tmv);
    return str_out(o, c.w.arena.copy(std::string_view(buf, n)));
}
bool get_Tf(Ctx& c, const PvSpec&, Value& o) {
    return ctime_out(c, c.recv_time ? c.recv_time : std::time(nullptr), o);
}
bool get_TF(Ctx& c, const PvSpec&, Value& o) { return ctime_out(c, std::time(nullptr), o); }

std::string fix_TV(PvSpec& s, std::string_view inner, Registry&) {
    static constexpr std::string_view kinds[] = {"s", "u", "sn", "un", "Sn", "Fn", "Sm"};
    for (size_t i = 0; i < std::size(kinds); ++i)
        if (inner == kinds[i]) {
            s.ival = static_cast<int32_t>(i);
            return "";
        }
    return "unknown $TV name";
}
bool get_TV(Ctx& c, const PvSpec& s, Value& o) {
    struct timeval tv;
    gettimeofday(&tv, nullptr);
    switch (s.ival) {
        case 0: case 3: return int_out(o, static_cast<int32_t>(tv.tv_sec));
        case 1: case 4: return int_out(o, static_cast<int32_t>(tv.tv_usec));
        default: {
            char buf[48];
            int n = std::snprintf(buf, sizeof buf, "%ld.%06ld", static_cast<long>(tv.tv_sec),
                                  static_cast<long>(tv.tv_usec));
            return str_out(o, c.w.arena.copy(std::string_view(buf, static_cast<size_t>(n))));
        }
    }
}

std::string fix_time(PvSpec& s, std::string_view inner, Registry&) {
    static constexpr std::string_view names[] = {"sec", "min", "hour", "mday", "mon",
                                                 "year", "wday", "yday", "isdst"};
    for (size_t i = 0; i < std::size(names); ++i)
        if (inner == names[i]) {
            s.ival = static_cast<int32_t>(i);
            return "";
        }
    return "unknown $time name";
}
int32_t time_field(const struct tm& t, int which) {
    switch (which) {
        case 0: return t.tm_sec;
        case 1: return t.tm_min;
        case 2: return t.tm_hour;
        case 3: return t.tm_mday;
        case 4: return t.tm_mon + 1;      // 1-12 (observed)
        case 5: return t.tm_year + 1900;
        case 6: return t.tm_wday + 1;     // Sunday = 1 (observed)
        case 7: return t.tm_yday + 1;
        default: return t.tm_isdst;
    }
}
bool get_time(Ctx&, const PvSpec& s, Value& o) {
    time_t t = std::time(nullptr);
    struct tm tmv;
    localtime_r(&t, &tmv);
    return int_out(o, time_field(tmv, s.ival));
}
bool get_utime(Ctx&, const PvSpec& s, Value& o) {
    time_t t = std::time(nullptr);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    return int_out(o, time_field(tmv, s.ival));
}
std::string fix_text(PvSpec& s, std::string_view inner, Registry&) {
    s.sval = std::string(inner);
    return "";
}
bool strftime_out(Ctx& c, const PvSpec& s, bool utc, Value& o) {
    time_t t = std::time(nullptr);
    struct tm tmv;
    if (utc) gmtime_r(&t, &tmv);
    else localtime_r(&t, &tmv);
    char buf[256];
    size_t n = std::strftime(buf, sizeof buf, s.sval.c_str(), &tmv);
    return str_out(o, c.w.arena.copy(std::string_view(buf, n)));
}
bool get_timef(Ctx& c, const PvSpec& s, Value& o) { return strftime_out(c, s, false, o); }
bool get_utimef(Ctx& c, const PvSpec& s, Value& o) { return strftime_out(c, s, true, o); }

bool get_random(Ctx&, const PvSpec&, Value& o) {
    thread_local std::minstd_rand rng(static_cast<unsigned>(std::time(nullptr)) ^
                                      static_cast<unsigned>(gettid()));
    return int_out(o, static_cast<int32_t>(rng() & 0x7fffffff));
}
bool get_env(Ctx&, const PvSpec& s, Value& o) {
    const char* v = std::getenv(s.sval.c_str());
    return v && str_out(o, v);  // the environment is not modified after start
}

std::string fix_s(PvSpec& s, std::string_view inner, Registry& reg) {
    auto f = std::make_shared<Format>();
    std::string err;
    if (!parse_format(inner, reg, *f, err)) return err;
    s.data = f;
    return "";
}
bool get_s(Ctx& c, const PvSpec& s, Value& o) {
    std::string_view out;
    if (!render(c, *static_cast<const Format*>(s.data.get()), out)) return false;
    return str_out(o, out);
}

std::string fix_version(PvSpec& s, std::string_view inner, Registry&) {
    if (inner == "num") s.ival = 0;
    else if (inner == "full") s.ival = 1;
    else if (inner == "hash") s.ival = 2;
    else return "unknown $version name (num, full, hash)";
    return "";
}
bool get_version(Ctx&, const PvSpec& s, Value& o) {
    switch (s.ival) {
        case 0: return str_out(o, SIPHON_VERSION);
        case 1: return str_out(o, "siphon " SIPHON_VERSION " (x86_64/linux)");
        default: return str_out(o, "siphon-" SIPHON_VERSION);
    }
}
// Seconds since start (siphon extension, used by the default status page).
bool get_uptime(Ctx& c, const PvSpec&, Value& o) {
    return int_out(o, static_cast<int32_t>(c.shv ? std::time(nullptr) - c.shv->start_time : 0));
}
// The bound sockets (siphon extension).
bool get_listeners(Ctx& c, const PvSpec&, Value& o) {
    return c.shv && str_out(o, c.shv->listeners);
}

}  // namespace

void register_count(Registry& reg);
void register_xavp(Registry& reg);

const msg::SipUri* parsed_request_uri(Ctx& c) {
    if (!c.msg || c.msg->kind != msg::Kind::SipRequest) return nullptr;
    return parsed_uri(uri_cache(c).ruri, request_uri(c));
}

std::string_view request_uri(const Ctx& c) {
    if (!c.msg) return {};
    if (c.new_uri.empty() || c.msg->uri.data() != c.new_uri_base.data() ||
        c.msg->uri.size() != c.new_uri_base.size())
        return c.msg->uri;
    return c.new_uri;
}

void set_request_uri(Ctx& c, std::string_view uri) {
    c.new_uri = c.w.arena.copy(uri);
    c.new_uri_base = c.msg ? c.msg->uri : std::string_view{};
}

void register_core(Registry& reg) {
    register_count(reg);
    reg.add_transformations(string_transformations());
    reg.add_transformations(param_transformations());
    reg.add_transformations(uri_transformations());
    reg.add_transformations(nameaddr_transformations());
    reg.add_transformations(line_transformations());
    reg.add_transformations(re_transformations());
    reg.add_transformations(val_transformations());
    register_xavp(reg);
    auto add = [&](std::string_view name, PvGetter g, PvSetter st = nullptr, PvFixup fx = nullptr,
                   bool needs = false) { reg.add_pv(PvDef{name, g, st, fx, needs}); };
    add("si", get_si);
    add("sp", get_sp);
    add("Ri", get_ri);
    add("Rp", get_rp);
    add("RAi", get_rai);
    add("RAp", get_rap);
    add("pr", get_pr);
    add("proto", get_pr);
    add("af", get_af);
    add("su", get_su);
    add("Ru", get_Ru);
    add("rm", get_rm);
    add("rv", get_rv);
    add("hu", get_hu);
    add("rs", get_rs);
    add("rr", get_rr);
    add("mt", get_mt);
    add("ml", get_ml);
    add("msg", get_msg, nullptr, fix_msg, true);
    add("mb", get_mb);
    add("mi", get_mi);
    add("pp", get_pp);
    add("rb", get_rb);
    add("ua", get_ua);
    add("cT", get_cT);
    add("cl", get_cl);
    add("ci", get_ci);
    add("ct", get_ct);
    add("cs", get_cs);
    reg.add_pv(PvDef{"hdr", get_hdr, nullptr, fix_hdr, true, 0, true});
    add("hdrc", get_hdrc, nullptr, fix_hdr, true);
    reg.add_pv(PvDef{"hfl", get_hfl, nullptr, fix_hdr, true, 0, true});
    add("hflc", get_hflc, nullptr, fix_hdr, true);
    add("bs", get_bs);
    add("csb", get_csb);
    add("var", get_var, set_var, fix_var, true);
    add("vz", get_var, set_var, fix_var, true);
    add("vn", get_vn, set_vn, fix_vn, true);
    add("shv", get_shv, set_shv, fix_shv, true);
    reg.add_pv(PvDef{"avp", get_avp, set_avp, fix_avp, true, 0, true});
    add("null", get_null);
    add("rc", get_rc);
    add("retcode", get_rc);
    add("?", get_rc);
    add("mf", get_mf, set_mf);
    add("du", get_du, set_du);
    add("bf", get_bf, set_bf);
    add("sf", get_sf, set_sf);
    add("Ts", get_Ts);
    add("TS", get_TS);
    add("Tb", get_Tb);
    add("Tf", get_Tf);
    add("TF", get_TF);
    add("TV", get_TV, nullptr, fix_TV, true);
    add("time", get_time, nullptr, fix_time, true);
    add("utime", get_utime, nullptr, fix_time, true);
    add("timef", get_timef, nullptr, fix_text, true);
    add("utimef", get_utimef, nullptr, fix_text, true);
    add("RANDOM", get_random);
    add("env", get_env, nullptr, fix_text, true);
    add("_s", get_s, nullptr, fix_s, true);
    add("version", get_version, nullptr, fix_version, true);
    add("uptime", get_uptime);
    add("listeners", get_listeners);

    // Request-URI parts and From/To parts share one getter each, told apart by ival.
    struct Sub {
        std::string_view name;
        PvGetter g;
        int32_t ival;
        PvSetter st = nullptr;
    };
    constexpr int32_t kH = 16;  // identity PVs: header token * 16 + part
    const Sub subs[] = {
        {"ru", get_ruri, kRuAll, set_ruri},   {"rU", get_ruri, kRuUser, set_ruri},
        {"rd", get_ruri, kRuHost, set_ruri},  {"rp", get_ruri, kRuPort, set_ruri},
        {"rz", get_ruri, kRuScheme},          {"ou", get_ruri, kOrig + kRuAll},
        {"oU", get_ruri, kOrig + kRuUser},    {"od", get_ruri, kOrig + kRuHost},
        {"op", get_ruri, kOrig + kRuPort},    {"dd", get_duri_part, kRuHost},
        {"dp", get_duri_part, kRuPort},
        {"fu", get_nameaddr, kNaUri},         {"fU", get_nameaddr, kNaUser},
        {"fd", get_nameaddr, kNaHost},        {"fn", get_nameaddr, kNaDisplay},
        {"ft", get_nameaddr, kNaTag},         {"tu", get_nameaddr, 16 + kNaUri},
        {"tU", get_nameaddr, 16 + kNaUser},   {"td", get_nameaddr, 16 + kNaHost},
        {"tn", get_nameaddr, 16 + kNaDisplay}, {"tt", get_nameaddr, 16 + kNaTag},
        {"ai", get_ident, int32_t(Hdr::PAssertedIdentity) * kH + kIdUri},
        {"pu", get_ident, int32_t(Hdr::PPreferredIdentity) * kH + kIdUri},
        {"pU", get_ident, int32_t(Hdr::PPreferredIdentity) * kH + kIdUser},
        {"pd", get_ident, int32_t(Hdr::PPreferredIdentity) * kH + kIdHost},
        {"pn", get_ident, int32_t(Hdr::PPreferredIdentity) * kH + kIdDisplay},
        {"re", get_ident, int32_t(Hdr::RPid) * kH + kIdUri},
        {"rt", get_ident, int32_t(Hdr::ReferTo) * kH + kIdUri},
        {"di", get_ident, int32_t(Hdr::Diversion) * kH + kIdUri},
        {"au", get_auth, kAuUser},            {"ad", get_auth, kAuDomain},
        {"aU", get_auth, kAuWhole},           {"ar", get_auth, kAuRealm},
        {"adu", get_auth, kAuUri},            {"aa", get_auth, kAuAlg},
    };
    for (const Sub& s : subs) reg.add_pv(PvDef{s.name, s.g, s.st, nullptr, false, s.ival});
}

}  // namespace siphon::pv
