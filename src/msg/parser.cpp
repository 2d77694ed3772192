// Start line and header block parser for SIP requests, SIP replies and HTTP/1.x requests.
// Works on complete lines only: a line is looked at once its LF is in the buffer, so any
// truncated prefix of a valid head reports NeedMore, while a malformed complete line is
// reported at once. Lines are found with memchr; no byte at or after buf.size() is read.

#include <algorithm>
#include <cstring>

#include "msg/char_class.h"
#include "msg/message.h"

namespace siphon::msg {

namespace {

using chars::is_token;
using chars::is_ws;

constexpr std::string_view kSipVersion = "SIP/2.0";

// A failed check: http_status 0 means success.
struct Fail {
    int http_status = 0;
    std::string_view error;
    explicit operator bool() const { return http_status != 0; }
};

constexpr Fail kOk{};

ParseResult need_more() { return ParseResult{}; }

ParseResult fail(int http_status, std::string_view error) {
    ParseResult r;
    r.status = ParseStatus::Error;
    r.http_status = http_status;
    r.error = error;
    return r;
}

ParseResult fail(const Fail& f) { return fail(f.http_status, f.error); }

const char* find_char(const char* p, size_t n, char c) {
    return n == 0 ? nullptr : static_cast<const char*>(std::memchr(p, c, n));
}

// Transfer-Encoding is a list that may span several header lines (RFC 9110 5.3); its
// verdict is given once the whole head has been read.
struct TransferCodings {
    int hosts = 0;  // Host headers seen (HTTP)
    bool present = false;
    int elements = 0;
    int chunked = 0;
    bool last_chunked = false;
    bool unknown = false;
    bool malformed = false;
};

// A partial start line (no LF yet) that can no longer become valid is rejected early, so a
// peer sending binary garbage is dropped without waiting for the size limits.
bool partial_start_line_ok(std::string_view p) {
    const size_t n = std::min(p.size(), kSipVersion.size() + 1);
    if (chars::iequals(p.substr(0, n), std::string_view("SIP/2.0 ").substr(0, n)))
        return std::memchr(p.data(), '\0', p.size()) == nullptr;
    size_t i = 0;
    while (i < p.size() && is_token(p[i])) ++i;
    if (i == p.size()) return true;                  // method still arriving
    if (p[i] != ' ' || i == 0) return false;         // method = 1*tchar then SP
    return std::memchr(p.data(), '\0', p.size()) == nullptr;
}

// "HTTP/" DIGIT "." DIGIT, RFC 9112 2.3 (HTTP-name is case-sensitive).
bool is_http_version_syntax(std::string_view v) {
    return v.size() == 8 && v.substr(0, 5) == "HTTP/" && chars::is_digit(v[5]) && v[6] == '.' &&
           chars::is_digit(v[7]);
}

bool is_sip_version_syntax(std::string_view v) {
    return v.size() == 7 && chars::istarts_with(v, "SIP/") && chars::is_digit(v[4]) &&
           v[5] == '.' && chars::is_digit(v[6]);
}

// Status-Line (RFC 3261 7.2): "SIP/2.0" SP 3DIGIT SP Reason-Phrase. The SIP version is
// compared case-insensitively, as Kamailio's parse_first_line does. A missing SP + reason
// after the code is tolerated (empty reason).
Fail parse_status_line(std::string_view line, Message& out) {
    constexpr Fail kBad{400, "bad status line"};
    if (line.size() < 11) return kBad;
    const char* d = line.data() + 8;
    if (!chars::is_digit(d[0]) || !chars::is_digit(d[1]) || !chars::is_digit(d[2]))
        return kBad;
    const int code = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
    if (code < 100 || code > 699) return kBad;
    if (line.size() > 11 && line[11] != ' ') return kBad;
    out.kind = Kind::SipReply;
    out.version = line.substr(0, kSipVersion.size());
    out.status = code;
    out.reason = line.size() > 12 ? line.substr(12) : line.substr(line.size());
    return kOk;
}

// Request-Line: method SP request-target SP version, exactly one SP between the parts
// (RFC 3261 7.1, RFC 9112 3). Kamailio also refuses double spaces and a missing version.
Fail parse_request_line(std::string_view line, Message& out) {
    constexpr Fail kBad{400, "bad request line"};
    constexpr Fail kBadVersion{400, "bad protocol version"};
    constexpr Fail kVersion{505, "unsupported protocol version"};
    size_t i = 0;
    while (i < line.size() && is_token(line[i])) ++i;
    if (i == 0 || i == line.size() || line[i] != ' ') return kBad;
    const size_t uri_begin = i + 1;
    size_t j = uri_begin;
    // request-target: visible characters; bytes >= 0x80 are passed through (Kamailio does).
    while (j < line.size() && static_cast<uint8_t>(line[j]) > 0x20 && line[j] != 0x7f) ++j;
    if (j == uri_begin || j == line.size() || line[j] != ' ') return kBad;
    const std::string_view version = line.substr(j + 1);
    if (version.empty()) return kBad;
    for (char c : version)
        if (static_cast<uint8_t>(c) <= 0x20 || c == 0x7f) return kBad;

    if (chars::iequals(version, kSipVersion)) {
        out.kind = Kind::SipRequest;
    } else if (version == "HTTP/1.1" || version == "HTTP/1.0") {
        out.kind = Kind::HttpRequest;
        out.http_minor = static_cast<uint8_t>(version[7] - '0');
    } else if (is_http_version_syntax(version) || is_sip_version_syntax(version)) {
        return kVersion;  // RFC 9110 15.6.6 / RFC 3261 21.5.7: 505
    } else {
        return kBadVersion;
    }
    out.method = line.substr(0, i);
    out.uri = line.substr(uri_begin, j - uri_begin);
    out.version = version;
    return kOk;
}

// Content-Length = 1*DIGIT (RFC 9110 8.6). A list of identical values ("5, 5") is accepted
// as RFC 9110 allows; anything else (sign, letters, inner spaces, differing values, more
// than 32 bits) is malformed.
bool parse_content_length(std::string_view v, uint32_t& out) {
    bool have = false;
    uint32_t first = 0;
    size_t i = 0;
    for (;;) {
        while (i < v.size() && is_ws(v[i])) ++i;
        if (i == v.size() || !chars::is_digit(v[i])) return false;
        uint64_t n = 0;
        while (i < v.size() && chars::is_digit(v[i])) {
            n = n * 10 + static_cast<unsigned>(v[i] - '0');
            if (n > UINT32_MAX) return false;
            ++i;
        }
        if (have && n != first) return false;
        have = true;
        first = static_cast<uint32_t>(n);
        while (i < v.size() && is_ws(v[i])) ++i;
        if (i == v.size()) break;
        if (v[i] != ',') return false;
        ++i;
    }
    out = first;
    return true;
}

// Calls fn(element) for each non-empty, OWS-trimmed element of a comma-separated list
// (RFC 9110 5.6.1: empty elements are ignored). Quoted strings are not split.
template <class Fn>
void for_each_element(std::string_view v, Fn&& fn) {
    size_t start = 0;
    bool quoted = false;
    for (size_t i = 0; i <= v.size(); ++i) {
        if (i < v.size()) {
            const char c = v[i];
            if (quoted) {
                if (c == '\\') ++i;
                else if (c == '"') quoted = false;
                continue;
            }
            if (c == '"') {
                quoted = true;
                continue;
            }
            if (c != ',') continue;
        }
        const std::string_view e = chars::trim_ws(v.substr(start, std::min(i, v.size()) - start));
        if (!e.empty()) fn(e);
        start = i + 1;
    }
}

// transfer-coding = token *( OWS ";" OWS transfer-parameter ), RFC 9112 7 / RFC 9110 10.1.4.
bool is_coding_syntax(std::string_view e) {
    size_t i = 0;
    while (i < e.size() && is_token(e[i])) ++i;
    if (i == 0) return false;
    while (i < e.size()) {
        const char c = e[i];
        if (!is_token(c) && !is_ws(c) && c != ';' && c != '=' && c != '"' && c != '\\' &&
            static_cast<uint8_t>(c) < 0x80)
            return false;
        ++i;
    }
    return true;
}

void note_transfer_codings(std::string_view v, TransferCodings& te) {
    te.present = true;
    for_each_element(v, [&](std::string_view e) {
        ++te.elements;
        if (chars::iequals(e, "chunked")) {
            ++te.chunked;
            te.last_chunked = true;
            return;
        }
        te.last_chunked = false;
        if (is_coding_syntax(e)) te.unknown = true;
        else te.malformed = true;
    });
}

// Records the framing facts of one complete (possibly folded) header.
Fail note_header(const Header& h, Message& out, TransferCodings& te) {
    constexpr Fail kBadCl{400, "bad Content-Length"};
    constexpr Fail kDupCl{400, "conflicting Content-Length"};
    const bool http = out.kind == Kind::HttpRequest;
    switch (h.type) {
        case Hdr::ContentLength: {
            // RFC 9112 6: HTTP framing uses the field named Content-Length only. The compact
            // "l" is still Hdr::ContentLength for $hdr(l) (as in Kamailio), but letting it
            // frame an HTTP body would let two parsers disagree on the message length.
            if (http && h.name.size() == 1) break;
            uint32_t n = 0;
            if (!parse_content_length(h.value, n)) return kBadCl;
            if (out.has_content_length && n != out.content_length) return kDupCl;
            out.has_content_length = true;
            out.content_length = n;
            break;
        }
        case Hdr::TransferEncoding:
            // SIP has no transfer codings (RFC 3261 20.14 frames by Content-Length only).
            if (http) note_transfer_codings(h.value, te);
            break;
        case Hdr::Connection:
            for_each_element(h.value, [&](std::string_view e) {
                if (chars::iequals(e, "close")) out.conn_close = true;
                else if (chars::iequals(e, "keep-alive")) out.conn_keep_alive = true;
            });
            break;
        case Hdr::Host:
            // RFC 9112 3.2: more than one Host is a 400.
            if (http && ++te.hosts > 1) return Fail{400, "more than one Host header"};
            break;
        case Hdr::Expect:
            // RFC 9110 10.1.1: a server MUST ignore 100-continue in an HTTP/1.0 request.
            if (http && out.http_minor == 1) {
                for_each_element(h.value, [&](std::string_view e) {
                    if (chars::iequals(e, "100-continue")) out.expect_continue = true;
                });
            }
            break;
        default:
            break;
    }
    return kOk;
}

// RFC 9112 6.1 and 6.3: the request framing verdict once all headers are known.
Fail check_framing(Message& out, const TransferCodings& te) {
    constexpr Fail kClTe{400, "both Content-Length and Transfer-Encoding"};
    constexpr Fail kHttp10Te{400, "Transfer-Encoding in an HTTP/1.0 request"};
    constexpr Fail kBadTe{400, "bad Transfer-Encoding"};
    constexpr Fail kUnknownTe{501, "unsupported transfer coding"};
    if (!te.present) return kOk;
    if (out.has_content_length) return kClTe;
    if (out.http_minor == 0) return kHttp10Te;  // RFC 9112 6.1: framing is faulty
    if (te.malformed || te.elements == 0) return kBadTe;
    if (te.unknown) return kUnknownTe;
    if (te.chunked != 1 || !te.last_chunked) return kBadTe;
    out.chunked = true;
    return kOk;
}

}  // namespace

ParseResult parse_head(std::string_view buf, const Limits& limits, Message& out) {
    out.clear();
    const char* const b = buf.data();
    const size_t len = buf.size();
    const size_t max_headers = std::min(limits.max_headers, kMaxHeadersCap);
    const size_t max_bytes = limits.max_header_bytes;

    // Start line. The LF must come within max_start_line content bytes (+ CR + LF).
    const size_t sl_window = std::min(len, limits.max_start_line + 2);
    const char* lf = find_char(b, sl_window, '\n');
    if (lf == nullptr) {
        if (len >= limits.max_start_line + 2) return fail(414, "start line too long");
        if (len >= max_bytes && max_bytes < limits.max_start_line + 2)
            return fail(431, "header section too large");
        if (!partial_start_line_ok(buf)) return fail(400, "bad start line");
        return need_more();
    }
    size_t line_len = static_cast<size_t>(lf - b);
    if (line_len > 0 && b[line_len - 1] == '\r') --line_len;
    if (line_len > limits.max_start_line) return fail(414, "start line too long");
    if (static_cast<size_t>(lf - b) + 1 > max_bytes) return fail(431, "header section too large");
    const std::string_view start_line(b, line_len);
    if (start_line.find('\r') != std::string_view::npos ||
        start_line.find('\0') != std::string_view::npos)
        return fail(400, "bad start line");
    {
        Fail f = chars::istarts_with(start_line, "SIP/2.0 ")
                            ? parse_status_line(start_line, out)
                            : parse_request_line(start_line, out);
        if (f) {
            out.clear();
            return fail(f);
        }
    }
    const bool http = out.kind == Kind::HttpRequest;

    TransferCodings te;
    Header* pending = nullptr;  // last header, complete once the next line does not fold
    size_t pos = static_cast<size_t>(lf - b) + 1;
    auto finish_pending = [&]() -> Fail {
        return pending == nullptr ? kOk : note_header(*pending, out, te);
    };

    for (;;) {
        if (pos >= len) {
            if (len >= max_bytes) return fail(431, "header section too large");
            return need_more();
        }
        // The blank line ending the head: CRLF or a bare LF.
        size_t end = 0;
        if (b[pos] == '\n') {
            end = pos + 1;
        } else if (b[pos] == '\r') {
            if (pos + 1 >= len) {
                if (len >= max_bytes) return fail(431, "header section too large");
                return need_more();
            }
            if (b[pos + 1] != '\n') return fail(400, "bare CR in header section");
            end = pos + 2;
        }
        if (end != 0) {
            if (end > max_bytes) return fail(431, "header section too large");
            if (Fail f = finish_pending()) return fail(f);
            if (http) {
                if (Fail f = check_framing(out, te)) return fail(f);
            }
            out.head = std::string_view(b, end);
            out.raw = out.head;
            ParseResult r;
            r.status = ParseStatus::Done;
            r.consumed = end;
            return r;
        }

        // One header line [pos, eol]; its content excludes the CR LF.
        const size_t window = std::min(len, max_bytes) - std::min(pos, std::min(len, max_bytes));
        const char* nl = find_char(b + pos, window, '\n');
        if (nl == nullptr) {
            if (len >= max_bytes) return fail(431, "header section too large");
            return need_more();
        }
        const size_t eol = static_cast<size_t>(nl - b);
        size_t content_end = eol;
        if (content_end > pos && b[content_end - 1] == '\r') --content_end;
        const size_t content_len = content_end - pos;
        // RFC 9110 5.5: NUL and bare CR inside a field line are rejected.
        if (find_char(b + pos, content_len, '\0') != nullptr)
            return fail(400, "NUL in header section");
        if (find_char(b + pos, content_len, '\r') != nullptr)
            return fail(400, "bare CR in header section");

        if (is_ws(b[pos])) {
            // obs-fold. RFC 9112 5.2: a server MUST reject it (400) in a request. SIP (RFC 3261
            // 7.3.1) continues the previous header: the value grows over the raw bytes.
            if (http) return fail(400, "obsolete line folding");
            if (pending == nullptr) return fail(400, "continuation line without header");
            const char* vb = pending->value.data();
            if (pending->value.empty()) {
                size_t k = pos;
                while (k < content_end && is_ws(b[k])) ++k;
                vb = b + k;
            }
            const char* ve = b + content_end;
            pending->value = std::string_view(vb, static_cast<size_t>(std::max(ve, vb) - vb));
            pending->line = std::string_view(
                pending->line.data(), static_cast<size_t>(b + eol + 1 - pending->line.data()));
            pos = eol + 1;
            continue;
        }

        if (Fail f = finish_pending()) return fail(f);
        pending = nullptr;

        // field-name, optional whitespace, ':'. SIP accepts whitespace before the colon
        // (RFC 3261 7.3.1, as Kamailio); HTTP must not (RFC 9112 5.1: a proxy in front could
        // read "Content-Length :" differently, which is how requests get smuggled).
        size_t i = pos;
        while (i < content_end && is_token(b[i])) ++i;
        const size_t name_end = i;
        while (i < content_end && is_ws(b[i])) ++i;
        if (name_end == pos || i == content_end || b[i] != ':')
            return fail(400, "bad header line");
        if (i != name_end && out.kind == Kind::HttpRequest)
            return fail(400, "whitespace before a header colon");
        ++i;
        while (i < content_end && is_ws(b[i])) ++i;

        if (out.header_count >= max_headers) return fail(431, "too many headers");
        Header& h = out.headers[out.header_count++];
        h.name = std::string_view(b + pos, name_end - pos);
        h.value = std::string_view(b + i, content_end - i);
        h.line = std::string_view(b + pos, eol + 1 - pos);
        h.type = header_token(h.name);
        pending = &h;
        pos = eol + 1;
    }
}

}  // namespace siphon::msg
