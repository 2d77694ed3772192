// Stream and datagram framing. The head is parsed once per message to learn the framing;
// later reads of the same message only look at the body bytes, and the head is parsed again
// (one memchr pass) when the message is complete, because the buffer may have moved and the
// worker's Message may have served other connections in between.

#include "msg/framer.h"

#include <algorithm>
#include <cstring>

#include "msg/char_class.h"

namespace siphon::msg {

namespace {

using chars::is_token;
using chars::is_ws;

// Longest chunk-size line (size, extensions, CRLF) accepted; a line this long is an attack.
constexpr size_t kMaxChunkLine = 4096;

FrameResult frame_error(int http_status, std::string_view error) {
    FrameResult r;
    r.status = FrameStatus::Error;
    r.http_status = http_status;
    r.error = error;
    return r;
}

bool contains_ci(std::string_view s, std::string_view needle) {
    for (size_t i = 0; i + needle.size() <= s.size(); ++i)
        if (chars::iequals(s.substr(i, needle.size()), needle)) return true;
    return false;
}

// Whether a message that failed framing is SIP. Kamailio answers nothing to a SIP message it
// cannot frame, so such errors carry http_status 0 (drop); HTTP requests and unrecognisable
// input keep the status to answer with. The start line is consulted when it did not parse.
bool is_sip_message(const Message& m, const char* buf, size_t len) {
    if (!m.version.empty()) return !m.is_http();
    const size_t n = std::min<size_t>(len, 512);
    const char* lf = static_cast<const char*>(std::memchr(buf, '\n', n));
    const std::string_view first(buf, lf != nullptr ? static_cast<size_t>(lf - buf) : n);
    return chars::istarts_with(first, "SIP/") || contains_ci(first, " SIP/");
}

FrameResult sip_aware_error(const Message& m, const char* buf, size_t len, int http_status,
                            std::string_view error) {
    FrameResult r = frame_error(http_status, error);
    if (is_sip_message(m, buf, len)) r.http_status = 0;
    return r;
}

enum class Step : uint8_t { Done, NeedMore, Error };

struct ChunkOutcome {
    Step step = Step::NeedMore;
    size_t end = 0;  // Done: offset in buf just after the trailer section
    int http_status = 0;
    std::string_view error;
};

ChunkOutcome chunk_error(int http_status, std::string_view error) {
    ChunkOutcome o;
    o.step = Step::Error;
    o.http_status = http_status;
    o.error = error;
    return o;
}

// Skips BWS (RFC 9110 5.6.3) in [i, e).
size_t skip_ws(const char* b, size_t i, size_t e) {
    while (i < e && is_ws(b[i])) ++i;
    return i;
}

// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), RFC 9112 7.1.1;
// chunk-ext-val = token / quoted-string. Extensions are validated and ignored.
bool valid_chunk_ext(const char* b, size_t i, size_t e) {
    for (;;) {
        i = skip_ws(b, i, e);
        if (i == e) return true;
        if (b[i] != ';') return false;
        i = skip_ws(b, i + 1, e);
        const size_t name = i;
        while (i < e && is_token(b[i])) ++i;
        if (i == name) return false;
        i = skip_ws(b, i, e);
        if (i == e || b[i] != '=') continue;
        i = skip_ws(b, i + 1, e);
        if (i < e && b[i] == '"') {
            for (++i;; ++i) {
                if (i >= e) return false;
                const uint8_t c = static_cast<uint8_t>(b[i]);
                if (c == '"') break;
                if (c == '\\') {
                    ++i;
                    if (i >= e) return false;
                    continue;
                }
                if (c < 0x20 && c != '\t') return false;  // qdtext excludes CTLs
            }
            ++i;
        } else {
            const size_t v = i;
            while (i < e && is_token(b[i])) ++i;
            if (i == v) return false;
        }
    }
}

// trailer-section = *( field-line CRLF ) CRLF, RFC 9112 7.1.2. Fields are checked like
// header lines and discarded. Returns Done with end set, NeedMore, or Error.
ChunkOutcome parse_trailers(const char* b, size_t len, size_t pos, size_t max_bytes) {
    const size_t start = pos;
    for (;;) {
        if (pos - start > max_bytes) return chunk_error(431, "trailer section too large");
        if (pos >= len) return ChunkOutcome{};
        if (b[pos] == '\n' || b[pos] == '\r') {
            size_t end = pos + 1;
            if (b[pos] == '\r') {
                if (pos + 1 >= len) return ChunkOutcome{};
                if (b[pos + 1] != '\n') return chunk_error(400, "bare CR in trailer");
                end = pos + 2;
            }
            ChunkOutcome o;
            o.step = Step::Done;
            o.end = end;
            return o;
        }
        const size_t window = std::min(len - pos, max_bytes + 2);
        const char* nl = static_cast<const char*>(std::memchr(b + pos, '\n', window));
        if (nl == nullptr) {
            if (len - pos > max_bytes + 1) return chunk_error(431, "trailer section too large");
            return ChunkOutcome{};
        }
        const size_t eol = static_cast<size_t>(nl - b);
        size_t ce = eol;
        if (ce > pos && b[ce - 1] == '\r') --ce;
        if (std::memchr(b + pos, '\0', ce - pos) != nullptr ||
            std::memchr(b + pos, '\r', ce - pos) != nullptr)
            return chunk_error(400, "bad trailer line");
        size_t i = pos;
        while (i < ce && is_token(b[i])) ++i;
        const size_t name_end = i;
        i = skip_ws(b, i, ce);
        if (name_end == pos || i == ce || b[i] != ':') return chunk_error(400, "bad trailer line");
        pos = eol + 1;
    }
}

// Decodes complete chunks of the body starting at buf[head + st.chunk_in], moving their
// data down to buf[head + st.chunk_out]. A chunk is consumed only once its size line, data
// and CRLF are all present, so a partial chunk is looked at again on the next read (cheap:
// only its size line is parsed). RFC 9112 7.1.
ChunkOutcome decode_chunks(char* buf, size_t len, size_t head, const Limits& limits,
                           FramerState& st) {
    for (;;) {
        const size_t line = head + st.chunk_in;
        if (line >= len) return ChunkOutcome{};
        // chunk-size = 1*HEXDIG, leading zeros allowed; more than 64 bits is an overflow.
        size_t i = line;
        uint64_t size = 0;
        while (i < len && chars::is_hex(buf[i])) {
            if (size > (UINT64_MAX >> 4)) return chunk_error(400, "chunk size overflow");
            size = (size << 4) | static_cast<uint64_t>(chars::hex_value(buf[i]));
            ++i;
            if (i - line > kMaxChunkLine) return chunk_error(400, "chunk size line too long");
        }
        if (i == line) {
            return chunk_error(400, "bad chunk size");
        }
        const size_t window = std::min(len - i, kMaxChunkLine - (i - line));
        const char* nl = static_cast<const char*>(std::memchr(buf + i, '\n', window));
        if (nl == nullptr) {
            if (len - line >= kMaxChunkLine) return chunk_error(400, "chunk size line too long");
            // Whatever arrived after the size must still be able to become a valid extension.
            for (size_t k = i; k < len; ++k)
                if (buf[k] == '\0' || (buf[k] == '\r' && k + 1 < len))
                    return chunk_error(400, "bad chunk extension");
            return ChunkOutcome{};
        }
        const size_t eol = static_cast<size_t>(nl - buf);
        size_t ce = eol;
        if (ce > i && buf[ce - 1] == '\r') --ce;
        if (!valid_chunk_ext(buf, i, ce)) return chunk_error(400, "bad chunk extension");
        const size_t data = eol + 1;

        if (size == 0) {
            ChunkOutcome o = parse_trailers(buf, len, data, limits.max_header_bytes);
            if (o.step == Step::Done) st.chunk_done = true;
            return o;
        }
        if (size > limits.max_body - std::min<uint64_t>(st.chunk_out, limits.max_body))
            return chunk_error(413, "body too large");
        if (len - data < size + 1) return ChunkOutcome{};  // data + at least the LF
        const size_t after = data + static_cast<size_t>(size);
        size_t next = 0;
        if (buf[after] == '\n') {
            next = after + 1;
        } else if (buf[after] == '\r') {
            if (after + 1 >= len) return ChunkOutcome{};
            if (buf[after + 1] != '\n') return chunk_error(400, "missing CRLF after chunk data");
            next = after + 2;
        } else {
            return chunk_error(400, "missing CRLF after chunk data");
        }
        std::memmove(buf + head + st.chunk_out, buf + data, static_cast<size_t>(size));
        st.chunk_out += static_cast<size_t>(size);
        st.chunk_in = next - head;
    }
}

}  // namespace

size_t compact_chunked(char* buf, size_t len, FramerState& st) {
    if (!st.chunked || st.head_len == 0 || st.chunk_in <= st.chunk_out) return len;
    const size_t from = st.head_len + st.chunk_in;
    const size_t to = st.head_len + st.chunk_out;
    if (from > len) return len;
    std::memmove(buf + to, buf + from, len - from);
    const size_t removed = from - to;
    st.chunk_in = st.chunk_out;
    return len - removed;
}

FrameResult frame_stream(char* buf, size_t len, const Limits& limits, const StreamOptions& opt,
                         FramerState& st, Message& out) {
    FrameResult r;
    bool head_parsed_now = false;

    if (st.head_len == 0) {
        if (len == 0) return r;
        // Keep-alives between messages (RFC 5626 4.4.1 double-CRLF ping, answered with one
        // CRLF; Kamailio does the same on TCP). Any other CR/LF before a start line is skipped
        // (RFC 3261 7.5).
        if (buf[0] == '\n') {
            r.status = FrameStatus::KeepAlive;
            r.consumed = 1;
            return r;
        }
        if (buf[0] == '\r') {
            if (len < 2) return r;
            if (buf[1] == '\n') {
                if (len == 2 || (len == 3 && buf[2] == '\r')) return r;  // maybe a ping
                r.status = FrameStatus::KeepAlive;
                r.consumed = (buf[2] == '\r' && buf[3] == '\n') ? 4 : 2;
                return r;
            }
        }

        const ParseResult pr = parse_head(std::string_view(buf, len), limits, out);
        if (pr.status == ParseStatus::NeedMore) return r;
        if (pr.status == ParseStatus::Error) {
            st = {};
            return sip_aware_error(out, buf, len, pr.http_status, pr.error);
        }
        if (out.is_http() && out.chunked) {
            st.chunked = true;
        } else if (out.has_content_length) {
            if (out.content_length > limits.max_body) {
                st = {};
                return sip_aware_error(out, buf, len, 413, "body too large");
            }
            st.body_len = out.content_length;
        } else if (!opt.accept_no_cl) {
            // RFC 3261 18.3: Content-Length is mandatory on stream transports. HTTP: a
            // request without a length is refused with 411 unless tcp_accept_no_cl is set
            // (Kamailio closes the connection instead).
            st = {};
            return out.is_http()
                       ? frame_error(411, "length required")
                       : sip_aware_error(out, buf, len, 400, "no Content-Length on a stream");
        }
        st.head_len = pr.consumed;
        head_parsed_now = true;
    }

    const size_t head = st.head_len;
    size_t body_len = 0;
    size_t consumed = 0;
    if (st.chunked) {
        const ChunkOutcome o = decode_chunks(buf, len, head, limits, st);
        if (o.step == Step::Error) {
            st = {};
            return frame_error(o.http_status, o.error);
        }
        if (o.step == Step::NeedMore) {
            if (head_parsed_now && out.expect_continue && !st.continue_sent) {
                st.continue_sent = true;
                r.send_continue = true;
            }
            return r;
        }
        body_len = st.chunk_out;
        consumed = o.end;
    } else {
        body_len = st.body_len;
        if (len - std::min(len, head) < body_len) {
            // RFC 9110 10.1.1: 100 Continue only while the body is still missing, and once.
            if (head_parsed_now && out.expect_continue && !st.continue_sent) {
                st.continue_sent = true;
                r.send_continue = true;
            }
            return r;
        }
        consumed = head + body_len;
    }

    if (!head_parsed_now) {
        const ParseResult pr = parse_head(std::string_view(buf, head), limits, out);
        if (pr.status != ParseStatus::Done || pr.consumed != head) {
            st = {};
            return sip_aware_error(out, buf, len, 400, "message head changed while framing");
        }
    }
    out.body = std::string_view(buf + head, body_len);
    out.raw = std::string_view(buf, head + body_len);
    st = {};
    r.status = FrameStatus::Done;
    r.consumed = consumed;
    return r;
}

FrameResult frame_datagram(char* buf, size_t len, const Limits& limits, Message& out) {
    // Leading CR/LF (keep-alives, RFC 3261 7.5 tolerance) are skipped.
    size_t off = 0;
    while (off < len && (buf[off] == '\r' || buf[off] == '\n')) ++off;
    if (off == len) return frame_error(400, "empty datagram");
    char* const msg = buf + off;
    const size_t n = len - off;

    const ParseResult pr = parse_head(std::string_view(msg, n), limits, out);
    auto fail = [&](int http_status, std::string_view error) {
        return sip_aware_error(out, msg, n, http_status, error);
    };
    if (pr.status == ParseStatus::NeedMore) return fail(400, "incomplete message");
    if (pr.status == ParseStatus::Error) return fail(pr.http_status, pr.error);
    if (out.chunked) return fail(400, "chunked coding on a datagram transport");

    const size_t avail = n - pr.consumed;
    size_t body_len = avail;
    if (out.has_content_length) {
        if (out.content_length > limits.max_body) return fail(413, "body too large");
        // RFC 3261 18.3: a shorter datagram is discarded; extra bytes are ignored.
        if (out.content_length > avail) return fail(400, "datagram shorter than body");
        body_len = out.content_length;
    } else if (body_len > limits.max_body) {
        return fail(413, "body too large");
    }
    out.body = std::string_view(msg + pr.consumed, body_len);
    out.raw = std::string_view(msg, pr.consumed + body_len);
    FrameResult r;
    r.status = FrameStatus::Done;
    r.consumed = len;  // the whole datagram
    return r;
}

}  // namespace siphon::msg
