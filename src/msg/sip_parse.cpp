// Header-body parsers for SIP. They work on a header value as the message parser stored it,
// so SIP line folding (CR LF followed by SP/HTAB) may appear wherever RFC 3261 allows LWS.

#include "msg/sip_parse.h"

#include <cstring>

#include "msg/char_class.h"

namespace siphon::msg {

namespace {

using chars::is_lws;
using chars::is_token;

size_t skip_lws(std::string_view s, size_t i) {
    while (i < s.size() && is_lws(s[i])) ++i;
    return i;
}

// Scans a quoted-string starting at s[i] == '"'; returns the index just after the closing
// quote, or npos if it is not closed. quoted-pair escapes any character (RFC 3261 25.1).
size_t skip_quoted(std::string_view s, size_t i) {
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
            continue;
        }
        if (s[i] == '"') return i + 1;
    }
    return std::string_view::npos;
}

// One element of a ';'-separated parameter list: generic-param = token [ EQUAL gen-value ]
// with LWS allowed around ';' and '=' (RFC 3261 25.1). Offsets are relative to the list.
struct Param {
    std::string_view name;
    std::string_view value;
    bool has_value = false;
    size_t name_end = 0;   // offset just after the name
    size_t value_end = 0;  // offset just after the value (or the name if no value)
};

// Parses the parameter starting at offset i (just after a ';'). On success sets i to the
// offset of the next ';' or of the end of the list (the end of s, or a ',' when
// stop_at_comma). A value is a token-ish run, an IPv6 reference or a quoted string; an '='
// without a value is malformed.
bool next_param(std::string_view s, size_t& i, bool stop_at_comma, Param& p) {
    size_t k = skip_lws(s, i);
    const size_t nb = k;
    while (k < s.size() && is_token(s[k])) ++k;
    if (k == nb) return false;
    p = Param{};
    p.name = s.substr(nb, k - nb);
    p.name_end = k;
    p.value_end = k;
    k = skip_lws(s, k);
    if (k < s.size() && s[k] == '=') {
        k = skip_lws(s, k + 1);
        const size_t vb = k;
        if (k < s.size() && s[k] == '"') {
            k = skip_quoted(s, k);
            if (k == std::string_view::npos) return false;
        } else {
            while (k < s.size()) {
                const char c = s[k];
                if (c == ';' || is_lws(c) || (stop_at_comma && c == ',') || c == '"') break;
                if (static_cast<uint8_t>(c) < 0x20 || c == 0x7f) return false;
                ++k;
            }
        }
        if (k == vb) return false;
        p.value = s.substr(vb, k - vb);
        p.has_value = true;
        p.value_end = k;
        k = skip_lws(s, k);
    }
    if (k < s.size() && s[k] != ';' && !(stop_at_comma && s[k] == ',')) return false;
    i = k;
    return true;
}

bool parse_port(std::string_view digits, uint16_t& out) {
    if (digits.empty() || digits.size() > 5) return false;
    uint32_t n = 0;
    for (char c : digits) {
        if (!chars::is_digit(c)) return false;
        n = n * 10 + static_cast<uint32_t>(c - '0');
    }
    if (n == 0 || n > 65535) return false;
    out = static_cast<uint16_t>(n);
    return true;
}

// host = hostname / IPv4address / IPv6reference. Returns the length of the host at s[i],
// 0 if there is none. An IPv6 reference keeps its brackets.
size_t scan_host(std::string_view s, size_t i) {
    if (i < s.size() && s[i] == '[') {
        size_t k = i + 1;
        while (k < s.size() && (chars::is_hex(s[k]) || s[k] == ':' || s[k] == '.')) ++k;
        if (k == i + 1 || k >= s.size() || s[k] != ']') return 0;
        return k + 1 - i;
    }
    size_t k = i;
    while (k < s.size() && chars::is(s[k], chars::kHostChar)) ++k;
    return k - i;
}

bool valid_param_list(std::string_view params) {
    if (params.empty()) return true;
    size_t i = 0;
    Param p;
    for (;;) {
        if (!next_param(params, i, false, p)) return false;
        if (i >= params.size()) return true;
        ++i;  // the ';'
    }
}

}  // namespace

bool find_param(std::string_view params, std::string_view name, std::string_view& value) {
    size_t i = 0;
    Param p;
    while (i < params.size()) {
        if (!next_param(params, i, false, p)) return false;
        if (chars::iequals(p.name, name)) {
            value = p.value;
            return true;
        }
        ++i;  // the ';'
    }
    return false;
}

// RFC 3261 19.1.1 (sip/sips) and RFC 3966 (tel). The user part of a sip URI may contain
// ';' and '?' (user-unreserved), so the userinfo ends at the '@', which no later part may
// contain unescaped. A tel URI's number goes to `user`, as Kamailio's parse_uri does.
bool parse_sip_uri(std::string_view s, SipUri& out) {
    out = SipUri{};
    const size_t colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    const std::string_view scheme = s.substr(0, colon);
    const bool tel = chars::iequals(scheme, "tel");
    if (!tel && !chars::iequals(scheme, "sip") && !chars::iequals(scheme, "sips")) return false;
    for (char c : s)
        if (static_cast<uint8_t>(c) <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"')
            return false;
    out.scheme = scheme;
    size_t i = colon + 1;

    if (tel) {
        size_t k = i;
        while (k < s.size() && s[k] != ';' && s[k] != '?') ++k;
        if (k == i) return false;
        out.user = s.substr(i, k - i);
        i = k;
    } else {
        const size_t at = s.find('@', i);
        if (at != std::string_view::npos) {
            const std::string_view userinfo = s.substr(i, at - i);
            const size_t pc = userinfo.find(':');
            out.user = userinfo.substr(0, pc);
            if (pc != std::string_view::npos) out.password = userinfo.substr(pc + 1);
            if (out.user.empty()) return false;
            i = at + 1;
        }
        const size_t hl = scan_host(s, i);
        if (hl == 0) return false;
        out.host = s.substr(i, hl);
        i += hl;
        if (i < s.size() && s[i] == ':') {
            size_t k = i + 1;
            while (k < s.size() && chars::is_digit(s[k])) ++k;
            out.port = s.substr(i + 1, k - i - 1);
            if (!parse_port(out.port, out.port_no)) return false;
            i = k;
        }
        if (i < s.size() && s[i] != ';' && s[i] != '?') return false;
    }

    if (i < s.size() && s[i] == ';') {
        const size_t q = s.find('?', i + 1);
        const size_t e = q == std::string_view::npos ? s.size() : q;
        out.params = s.substr(i + 1, e - i - 1);
        if (!valid_param_list(out.params)) return false;
        i = e;
    }
    if (i < s.size() && s[i] == '?') {
        out.headers = s.substr(i + 1);
        i = s.size();
    }
    std::string_view t;
    if (find_param(out.params, "transport", t)) out.transport = t;
    return true;
}

// via-parm = sent-protocol LWS sent-by *( SEMI via-params ), RFC 3261 20.42 / 25.1.
// sent-protocol = protocol-name SLASH protocol-version SLASH transport, LWS allowed around
// the slashes. Only the first via-parm of a comma-separated value is parsed.
bool parse_via(std::string_view s, Via& out) {
    out = Via{};
    size_t i = skip_lws(s, 0);
    const size_t proto_begin = i;
    std::string_view parts[3];
    for (int n = 0; n < 3; ++n) {
        if (n > 0) {
            i = skip_lws(s, i);
            if (i >= s.size() || s[i] != '/') return false;
            i = skip_lws(s, i + 1);
        }
        const size_t b = i;
        while (i < s.size() && is_token(s[i])) ++i;
        if (i == b) return false;
        parts[n] = s.substr(b, i - b);
    }
    if (!chars::iequals(parts[0], "SIP") || parts[1] != "2.0") return false;
    out.protocol = s.substr(proto_begin, i - proto_begin);
    out.transport = parts[2];

    const size_t after_proto = i;
    i = skip_lws(s, i);
    if (i == after_proto) return false;  // LWS is required before sent-by
    const size_t hl = scan_host(s, i);
    if (hl == 0) return false;
    out.host = s.substr(i, hl);
    i += hl;
    size_t k = skip_lws(s, i);
    if (k < s.size() && s[k] == ':') {
        k = skip_lws(s, k + 1);
        const size_t pb = k;
        while (k < s.size() && chars::is_digit(s[k])) ++k;
        out.port = s.substr(pb, k - pb);
        if (!parse_port(out.port, out.port_no)) return false;
        i = k;
    }
    out.params_end = i;

    k = skip_lws(s, i);
    if (k < s.size() && s[k] == ';') {
        const size_t pb = skip_lws(s, k + 1);
        size_t j = pb;
        Param p;
        for (;;) {
            if (!next_param(s, j, true, p)) return false;
            out.params_end = p.value_end;
            if (chars::iequals(p.name, "branch")) {
                out.branch = p.value;
            } else if (chars::iequals(p.name, "rport")) {
                out.has_rport = true;
                out.rport = p.value;
                out.rport_end = p.has_value ? 0 : p.name_end;
            } else if (chars::iequals(p.name, "received")) {
                out.has_received = true;
                out.received = p.value;
            }
            if (j >= s.size() || s[j] == ',') break;
            ++j;  // the ';'
        }
        out.params = s.substr(pb, out.params_end - pb);
        // The rport value, if any, must be a port number (RFC 3581 4).
        if (out.has_rport && !out.rport.empty()) {
            uint16_t port = 0;
            if (!parse_port(out.rport, port)) return false;
        }
        k = j;
    }
    return k >= s.size() || s[k] == ',';
}

// CSeq = 1*DIGIT LWS Method (RFC 3261 20.16). The number must fit 32 bits.
bool parse_cseq(std::string_view s, CSeq& out) {
    out = CSeq{};
    size_t i = skip_lws(s, 0);
    const size_t nb = i;
    uint64_t n = 0;
    while (i < s.size() && chars::is_digit(s[i])) {
        n = n * 10 + static_cast<uint64_t>(s[i] - '0');
        if (n > UINT32_MAX) return false;
        ++i;
    }
    if (i == nb) return false;
    out.number = s.substr(nb, i - nb);
    out.num = static_cast<uint32_t>(n);
    const size_t ws = i;
    i = skip_lws(s, i);
    if (i == ws) return false;
    const size_t mb = i;
    while (i < s.size() && is_token(s[i])) ++i;
    if (i == mb) return false;
    out.method = s.substr(mb, i - mb);
    return skip_lws(s, i) == s.size();
}

// (name-addr / addr-spec) *( SEMI param ), RFC 3261 20.10 / 20.20 / 20.39 / 25.1. In the
// addr-spec form the URI ends at the first ';' (those parameters belong to the header) or
// ','. Parsing stops before a ',' that starts the next entry.
bool parse_name_addr(std::string_view s, NameAddr& out) {
    out = NameAddr{};
    size_t i = skip_lws(s, 0);
    if (i >= s.size()) return false;

    size_t lt = std::string_view::npos;
    if (s[i] == '"') {
        const size_t q = skip_quoted(s, i);
        if (q == std::string_view::npos) return false;
        out.display = s.substr(i, q - i);
        lt = skip_lws(s, q);
        if (lt >= s.size() || s[lt] != '<') return false;
    } else {
        // A display name made of tokens (UTF-8 text is tolerated, as Kamailio does) ends at
        // '<'; a ';', ',', '"' or '>' first means there is no name-addr here.
        for (size_t k = i; k < s.size(); ++k) {
            const char c = s[k];
            if (c == '<') {
                lt = k;
                break;
            }
            if (c == ';' || c == ',' || c == '"' || c == '>') break;
        }
        if (lt != std::string_view::npos) out.display = chars::trim_lws(s.substr(i, lt - i));
    }

    if (lt != std::string_view::npos) {
        const size_t gt = s.find('>', lt + 1);
        if (gt == std::string_view::npos || gt == lt + 1) return false;
        out.uri = s.substr(lt + 1, gt - lt - 1);
        if (out.uri.find('<') != std::string_view::npos) return false;
        i = gt + 1;
    } else {
        size_t k = i;
        while (k < s.size() && s[k] != ';' && s[k] != ',' && !is_lws(s[k])) {
            if (s[k] == '<' || s[k] == '>' || s[k] == '"') return false;
            ++k;
        }
        if (k == i) return false;
        out.uri = s.substr(i, k - i);
        i = k;
    }

    i = skip_lws(s, i);
    if (i < s.size() && s[i] == ';') {
        const size_t pb = skip_lws(s, i + 1);
        size_t j = pb;
        size_t params_end = pb;
        Param p;
        for (;;) {
            if (!next_param(s, j, true, p)) return false;
            params_end = p.value_end;
            if (!out.has_tag && chars::iequals(p.name, "tag")) {
                out.has_tag = true;
                out.tag = p.value;
            }
            if (j >= s.size() || s[j] == ',') break;
            ++j;
        }
        out.params = s.substr(pb, params_end - pb);
        i = j;
    }
    return i >= s.size() || s[i] == ',';
}

}  // namespace siphon::msg
