// libFuzzer target for TCP stream framing as a connection sees it: the input arrives as
// consecutive reads split at fuzzer-chosen points, several messages may be pipelined in one
// read, and chunked bodies are decoded in place and compacted between reads (frame_stream,
// compact_chunked). Every complete message is parsed further (SIP header bodies, URIs).
// The sequence of framed messages must not depend on how the bytes were split.
//
// Input layout: byte 0 = options (bit 0 accept_no_cl, bit 1 small limits), byte 1 = number
// of split points (mod 16), then two bytes per split point (read sizes), then the stream.
// Seeds: fuzz/corpus/framing/.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "msg/framer.h"
#include "msg/message.h"
#include "msg/sip_parse.h"

namespace {

using namespace siphon::msg;

// Reports which invariant failed, then aborts (libFuzzer saves the input).
#define check(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                             \
        }                                                                             \
    } while (0)

bool inside(std::string_view part, const char* base, size_t len) {
    return part.empty() || (part.data() >= base && part.data() + part.size() <= base + len);
}

// What a worker would do with one framed message: look at the headers it needs.
void handle(const Message& m, const char* base, size_t len) {
    check(inside(m.raw, base, len));
    check(inside(m.head, base, len));
    check(inside(m.body, base, len));
    check(m.header_count <= kMaxHeadersCap);
    for (size_t i = 0; i < m.header_count; ++i) {
        const Header& h = m.headers[i];
        check(inside(h.value, base, len));
        switch (h.type) {
            case Hdr::Via: {
                Via v;
                if (parse_via(h.value, v)) check(v.params_end <= h.value.size());
                break;
            }
            case Hdr::CSeq: {
                CSeq c;
                (void)parse_cseq(h.value, c);
                break;
            }
            case Hdr::From:
            case Hdr::To:
            case Hdr::Contact: {
                NameAddr na;
                if (parse_name_addr(h.value, na)) {
                    SipUri u;
                    (void)parse_sip_uri(na.uri, u);
                }
                break;
            }
            default:
                break;
        }
    }
    if (m.is_request()) {
        SipUri u;
        (void)parse_sip_uri(m.uri, u);
    }
}

struct Framed {
    FrameStatus status;
    std::string head;
    std::string body;
    bool operator==(const Framed& o) const {
        return status == o.status && head == o.head && body == o.body;
    }
};

struct Conn {
    std::vector<Framed> seen;
    bool error = false;
};

// Feeds `stream` to one connection in reads of the given sizes (the last read takes the
// rest). Pending bytes live in an exactly sized heap buffer, so ASan sees any overread.
Conn run_conn(std::string_view stream, const std::vector<size_t>& reads, const Limits& limits,
              const StreamOptions& opt) {
    Conn conn;
    auto m = std::make_unique<Message>();
    FramerState st;
    std::string pending;
    size_t off = 0;
    size_t k = 0;
    while (off < stream.size() && !conn.error) {
        size_t n = k < reads.size() ? reads[k++] : stream.size() - off;
        if (n > stream.size() - off) n = stream.size() - off;
        pending.append(stream.substr(off, n));
        off += n;

        const size_t len = pending.size();
        std::unique_ptr<char[]> buf(new char[len ? len : 1]);
        std::memcpy(buf.get(), pending.data(), len);
        size_t used = 0;
        bool send_continue_seen = false;
        while (used < len) {
            const size_t avail = len - used;
            const FrameResult r = frame_stream(buf.get() + used, avail, limits, opt, st, *m);
            check(r.consumed <= avail);
            if (r.send_continue) {
                check(!send_continue_seen);
                send_continue_seen = true;
            }
            if (r.status == FrameStatus::Done) {
                check(r.consumed > 0);
                check(st.head_len == 0 && st.chunk_in == 0 && st.chunk_out == 0);
                check(m->raw.size() == m->head.size() + m->body.size());
                check(m->raw.size() <= r.consumed);
                check(m->body.size() <= limits.max_body);
                handle(*m, buf.get() + used, avail);
                conn.seen.push_back({r.status, std::string(m->head), std::string(m->body)});
                used += r.consumed;
            } else if (r.status == FrameStatus::KeepAlive) {
                check(r.consumed >= 1 && r.consumed <= 4);
                used += r.consumed;
            } else if (r.status == FrameStatus::Error) {
                check(!r.error.empty());
                check(r.http_status == 0 || (r.http_status >= 400 && r.http_status <= 505));
                conn.error = true;
                break;
            } else {
                check(r.consumed == 0);
                break;
            }
        }
        if (conn.error) break;
        // Keep the unconsumed tail, compacted as the server does.
        size_t left = len - used;
        if (left) {
            const size_t before = st.chunk_in;
            left = compact_chunked(buf.get() + used, left, st);
            check(left <= len - used);
            check(st.chunk_in <= before);
        }
        pending.assign(buf.get() + used, left);
    }
    return conn;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2 || size > 128 * 1024) return 0;
    const uint8_t flags = data[0];
    const size_t nsplit = data[1] % 16;
    size_t pos = 2;
    std::vector<size_t> reads;
    for (size_t i = 0; i < nsplit && pos + 2 <= size; ++i, pos += 2)
        reads.push_back(static_cast<size_t>(data[pos]) | (static_cast<size_t>(data[pos + 1] & 0x3f) << 8));
    const std::string_view stream(reinterpret_cast<const char*>(data) + pos, size - pos);

    Limits limits;
    if (flags & 2) {
        limits.max_start_line = 64;
        limits.max_headers = 4;
        limits.max_header_bytes = 256;
        limits.max_body = 64;
    }
    StreamOptions opt;
    opt.accept_no_cl = flags & 1;

    const Conn split = run_conn(stream, reads, limits, opt);
    const Conn whole = run_conn(stream, {}, limits, opt);
    // One byte at a time for short inputs: the slowest possible peer.
    if (stream.size() <= 512) {
        const std::vector<size_t> ones(stream.size(), 1);
        const Conn bytes = run_conn(stream, ones, limits, opt);
        check(bytes.seen == whole.seen);
        check(bytes.error == whole.error);
    }
    check(split.seen == whole.seen);
    // Only whether the connection fails must agree: a start line that is already malformed
    // in its first read is refused (400) before its SIP or HTTP version is seen, while the
    // whole line may classify as SIP (dropped without an answer).
    check(split.error == whole.error);
    return 0;
}
