#include "modules/sl/sl.h"

#include <arpa/inet.h>

#include <cstring>

#include "cfg/script.h"
#include "core/log.h"
#include "modules/modules.h"
#include "msg/sip_parse.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;
using msg::Hdr;

struct CrcTable {
    uint32_t t[256];
    constexpr CrcTable() : t{} {
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
            t[i] = c;
        }
    }
};
constexpr CrcTable kCrc;
uint32_t crc32(std::string_view a, uint32_t crc = 0xffffffffu) {
    for (unsigned char ch : a) crc = (crc >> 8) ^ kCrc.t[(crc ^ ch) & 0xff];
    return crc;
}

class Out {
public:
    explicit Out(Arena& a, size_t cap) : buf_(a.alloc(cap)), cap_(cap) {}
    void put(std::string_view s) {
        if (s.empty()) return;  // an empty view may have a null data(): no memcpy
        if (s.size() > cap_ - len_) {
            overflow_ = true;
            return;
        }
        std::memcpy(buf_ + len_, s.data(), s.size());
        len_ += s.size();
    }
    void put_int(int v) {
        char b[12];
        put(int_to_str(v, b));
    }
    std::string_view view() const { return {buf_, len_}; }
    bool overflow() const { return overflow_; }

private:
    char* buf_;
    size_t cap_;
    size_t len_ = 0;
    bool overflow_ = false;
};

bool has_crlf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Writes the top Via of a SIP reply: rport filled with the source port, received added
// (always with rport, else only when the sent-by host differs from the source IP).
void put_top_via(Out& o, const msg::Header& h, const pv::Ctx& ctx, const msg::Via* pvia) {
    if (!pvia) {
        o.put(h.line);
        return;
    }
    const msg::Via& via = *pvia;
    const pv::RecvInfo& r = *ctx.rcv;
    bool rport = via.has_rport || ctx.force_rport;
    bool add_received = rport || via.host != std::string_view(r.src_ip);
    if (via.has_received) add_received = false;
    size_t voff = static_cast<size_t>(h.value.data() - h.line.data());
    std::string_view line = h.line;
    // Split the line: [prefix + value up to the edit points] ... [rest].
    size_t params_end = voff + via.params_end;
    char port[8];
    std::string_view pstr = int_to_str(r.src_port, port);
    if (via.has_rport && via.rport.empty()) {
        size_t rp = voff + via.rport_end;
        o.put(line.substr(0, rp));
        o.put("=");
        o.put(pstr);
        o.put(line.substr(rp, params_end - rp));
    } else {
        o.put(line.substr(0, params_end));
        if (!via.has_rport && ctx.force_rport) {
            o.put(";rport=");
            o.put(pstr);
        }
    }
    if (add_received) {
        o.put(";received=");
        o.put(r.src_ip);
    }
    o.put(line.substr(params_end));
}

// Destination of a SIP reply over UDP: the source with rport, else the Via sent-by.
bool via_destination(const pv::Ctx& ctx, const msg::Via* pvia, sockaddr_storage& ss, socklen_t& len) {
    if (!pvia) return false;
    const msg::Via& via = *pvia;
    if (via.has_rport || ctx.force_rport) return false;  // the source address
    std::string host(via.has_received ? via.received : via.host);
    uint16_t port = via.port_no ? via.port_no : 5060;
    if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
    std::memset(&ss, 0, sizeof ss);
    auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET, host.c_str(), &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        len = sizeof(sockaddr_in);
        return true;
    }
    if (inet_pton(AF_INET6, host.c_str(), &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        len = sizeof(sockaddr_in6);
        return true;
    }
    // A host name: reply to the source address on the Via port (no DNS on the hot path).
    ss = ctx.rcv->src;
    len = ctx.rcv->src_len;
    if (ss.ss_family == AF_INET) a4->sin_port = htons(port);
    else a6->sin6_port = htons(port);
    return true;
}

int sip_send(pv::Ctx& ctx, const SlData& sl, int code, std::string_view reason) {
    const msg::Message& m = *ctx.msg;
    if (m.kind != msg::Kind::SipRequest) {
        SLOG_ERR("sl", "cannot reply to a reply");
        return -1;
    }
    if (m.method == "ACK") return 1;  // ACKs are never answered
    size_t cap = m.head.size() + 512 + sl.server_line.size();
    if (ctx.reply_hdrs)
        for (auto h : *ctx.reply_hdrs) cap += h.size();
    if (ctx.has_reply_body) cap += ctx.reply_body.size();
    Out o(ctx.w.arena, cap);
    o.put("SIP/2.0 ");
    o.put_int(code);
    o.put(" ");
    o.put(reason);
    o.put("\r\n");
    const msg::Header* top = m.find(Hdr::Via);
    msg::Via top_via;
    const msg::Via* tv = top && msg::parse_via(top->value, top_via) ? &top_via : nullptr;
    bool first_via = true;
    for (size_t i = 0; i < m.header_count; ++i) {
        const msg::Header& h = m.headers[i];
        switch (h.type) {
            case Hdr::Via:
                if (first_via) put_top_via(o, h, ctx, tv);
                else o.put(h.line);
                first_via = false;
                break;
            case Hdr::RecordRoute:
                if (code >= 180 && code < 300) o.put(h.line);
                break;
            case Hdr::From:
            case Hdr::CallId:
            case Hdr::CSeq: o.put(h.line); break;
            case Hdr::To: {
                msg::NameAddr na;
                if (!msg::parse_name_addr(h.value, na) || na.has_tag || code < 180) {
                    o.put(h.line);
                    break;
                }
                // Insert ";tag=<prefix>.<crc>" at the end of the value (from 180 up, as Kamailio).
                size_t end = static_cast<size_t>(h.value.data() - h.line.data()) + h.value.size();
                std::string_view line = h.line;
                while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
                o.put(line.substr(0, end));
                o.put(";tag=");
                o.put(sl.tag_prefix);
                uint32_t c = 0xffffffffu;
                const msg::Header* cid = m.find(Hdr::CallId);
                if (tv) {
                    c = crc32(tv->branch, c);
                    c = crc32(tv->host, c);
                    c = crc32(tv->port, c);
                }
                if (cid) c = crc32(cid->value, c);
                char hex[9];
                hex[0] = '.';
                uint32_t x = ~c;
                for (int k = 8; k >= 1; --k, x >>= 4) hex[k] = "0123456789abcdef"[x & 15];
                o.put(std::string_view(hex, 9));
                o.put(line.substr(end));
                break;
            }
            default: break;
        }
    }
    if (ctx.reply_hdrs)
        for (auto h : *ctx.reply_hdrs) o.put(h);
    // set_reply_body(): its Content-Type line is among the added headers.
    std::string_view body = ctx.has_reply_body ? ctx.reply_body : std::string_view{};
    o.put(sl.server_line);
    o.put("Content-Length: ");
    o.put_int(static_cast<int>(body.size()));
    o.put("\r\n\r\n");
    o.put(body);
    if (o.overflow()) {
        SLOG_ERR("sl", "reply too large");
        return -1;
    }
    bool ok;
    sockaddr_storage ss;
    socklen_t sl_len;
    if (!ctx.sink->is_stream() && via_destination(ctx, tv, ss, sl_len))
        ok = ctx.sink->send_to(reinterpret_cast<sockaddr*>(&ss), sl_len, o.view());
    else
        ok = ctx.sink->send(o.view());
    if (!ok) return -1;
    if (code >= 200) ctx.replied = true;
    return 1;
}

std::string init_sl(cfg::ModuleData& d, cfg::InitCtx& ic) {
    auto& sl = static_cast<SlData&>(d);
    const cfg::CoreConfig& c = ic.script.core;
    if (!c.server_signature) sl.server_line.clear();
    else if (!c.server_header.empty()) sl.server_line = c.server_header + "\r\n";
    else sl.server_line = "Server: siphon (" SIPHON_VERSION " (x86_64/linux))\r\n";
    // The To-tag prefix identifies this instance: a hash of its listen set.
    std::string seed = "siphon";
    for (auto& l : c.listens) seed += l.host + ":" + std::to_string(l.port) + ";";
    seed += std::to_string(c.port);
    char hex[40];
    uint32_t parts[4];
    for (int i = 0; i < 4; ++i) parts[i] = ~crc32(seed + char('a' + i));
    std::snprintf(hex, sizeof hex, "%08x%08x%08x%08x", parts[0], parts[1], parts[2], parts[3]);
    sl.tag_prefix = hex;
    return "";
}

int w_sl_send_reply(CallArgs& a) {
    int32_t code;
    std::string_view reason;
    if (!a.integer(0, code) || !a.str(1, reason)) return -1;
    return sl_send(a.ctx, *static_cast<SlData*>(a.mod), code, reason);
}
int w_sl_reply_error(CallArgs& a) {
    return sl_send(a.ctx, *static_cast<SlData*>(a.mod), 500, "Server Internal Error");
}
}  // namespace

int sl_send(pv::Ctx& ctx, const SlData& sl, int code, std::string_view reason) {
    if (has_crlf(reason)) {
        SLOG_ERR("sl", "reply reason contains CR or LF: refused");
        return -1;
    }
    if (ctx.msg->is_http()) {
        if (ctx.has_reply_body)
            return http_send(ctx, sl, code, reason, "", ctx.reply_body);
        return http_send(ctx, sl, code, reason, "", "");
    }
    if (code < 100 || code > 699) {
        SLOG_ERR("sl", "invalid reply code %d", code);
        return -1;
    }
    return sip_send(ctx, sl, code, reason);
}

int http_send(pv::Ctx& ctx, const SlData& sl, int code, std::string_view reason,
              std::string_view ctype, std::string_view body) {
    if (ctx.replied) {
        SLOG_ERR("xhttp", "a reply was already sent for this request");
        return -1;
    }
    if (code < 100 || code > 700) {
        SLOG_ERR("xhttp", "invalid code parameter %d (100..700)", code);
        return -1;
    }
    if (reason.empty()) {
        SLOG_ERR("xhttp", "invalid reason parameter (empty)");
        return -1;
    }
    if (has_crlf(reason) || has_crlf(ctype)) {
        SLOG_ERR("xhttp", "CR or LF in reply reason or content type: refused");
        return -1;
    }
    const msg::Message& m = *ctx.msg;
    // siphon never switches protocols, and HTTP/1.0 clients do not understand interim
    // replies (RFC 9110 15.2).
    if (code == 101 || (code < 200 && m.http_minor == 0)) {
        SLOG_ERR("xhttp", "reply code %d cannot be sent to this request", code);
        return -1;
    }
    // RFC 9110 6.4.1 and 8.6: 1xx, 204 and 304 replies have no content; 1xx and 204 carry
    // no Content-Length either.
    const bool interim = code < 200;
    const bool no_content = interim || code == 204 || code == 304;
    const bool no_length = interim || code == 204;
    bool keep = ctx.http_keep_alive && !ctx.close_after;
    size_t cap = 160 + reason.size() + ctype.size() + sl.server_line.size() + body.size();
    if (ctx.reply_hdrs)
        for (auto h : *ctx.reply_hdrs) cap += h.size();
    Out o(ctx.w.arena, cap);
    o.put(m.http_minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ");
    char code3[4] = {char('0' + code / 100 % 10), char('0' + code / 10 % 10), char('0' + code % 10), 0};
    o.put(std::string_view(code3, 3));
    o.put(" ");
    o.put(reason);
    o.put("\r\n");
    if (ctx.reply_hdrs)
        for (auto h : *ctx.reply_hdrs) o.put(h);
    if (!ctype.empty()) {
        o.put("Content-Type: ");
        o.put(ctype);
        o.put("\r\n");
    }
    o.put(sl.server_line);
    if (!no_length) {
        o.put("Content-Length: ");
        o.put_int(static_cast<int>(body.size()));
        o.put("\r\n");
    }
    if (!interim) {
        if (!keep) o.put("Connection: close\r\n");
        else if (m.http_minor == 0) o.put("Connection: keep-alive\r\n");
    }
    o.put("\r\n");
    // RFC 9110 9.3.2: no content in a HEAD response either.
    if (!no_content && m.method != "HEAD") o.put(body);
    if (o.overflow()) return -1;
    if (!ctx.sink->send(o.view())) return -1;
    if (code >= 200) {
        ctx.replied = true;
        if (!keep) ctx.close_after = true;
    }
    return 1;
}

const cfg::ModuleDef kSlModule{
    .name = "sl",
    .create = [] { return std::unique_ptr<cfg::ModuleData>(new SlData); },
    .functions =
        {
            {"sl_send_reply", {ArgKind::Int, ArgKind::Str}, 2, pv::kAnyRoute, w_sl_send_reply},
            {"send_reply", {ArgKind::Int, ArgKind::Str}, 2, pv::kAnyRoute, w_sl_send_reply},
            {"sl_reply_error", {}, 0, pv::kAnyRoute, w_sl_reply_error},
            {"send_reply_error", {}, 0, pv::kAnyRoute, w_sl_reply_error},
        },
    .init = init_sl,
};

}  // namespace siphon::modules
