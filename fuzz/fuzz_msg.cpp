// libFuzzer target for the message layer: parse_head, frame_stream (whole buffer, pipelined,
// and fed in pieces, which must agree), frame_datagram and the SIP header-body parsers.
// Build: clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -Isrc fuzz/fuzz_msg.cpp
//        src/msg/*.cpp
// Seeds: fuzz/corpus/msg/.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "msg/framer.h"
#include "msg/message.h"
#include "msg/sip_parse.h"

namespace {

using namespace siphon::msg;

void check(bool ok) {
    if (!ok) std::abort();
}

bool inside(std::string_view part, const char* base, size_t len) {
    return part.empty() || (part.data() >= base && part.data() + part.size() <= base + len);
}

void exercise_sip_parsers(std::string_view s) {
    SipUri uri;
    if (parse_sip_uri(s, uri)) {
        check(inside(uri.host, s.data(), s.size()));
        check(inside(uri.params, s.data(), s.size()));
    }
    Via via;
    if (parse_via(s, via)) {
        check(via.params_end <= s.size());
        check(via.rport_end <= s.size());
        check(inside(via.branch, s.data(), s.size()));
    }
    CSeq cseq;
    (void)parse_cseq(s, cseq);
    NameAddr na;
    if (parse_name_addr(s, na)) {
        check(inside(na.uri, s.data(), s.size()));
        check(!na.uri.empty());
        (void)parse_sip_uri(na.uri, uri);
    }
    std::string_view v;
    (void)find_param(s, "branch", v);
    (void)find_param(s, "tag", v);
}

void check_message(const Message& m, const char* base, size_t len) {
    check(inside(m.raw, base, len));
    check(inside(m.head, base, len));
    check(inside(m.body, base, len));
    check(m.header_count <= kMaxHeadersCap);
    for (size_t i = 0; i < m.header_count; ++i) {
        const Header& h = m.headers[i];
        check(!h.name.empty());
        check(inside(h.value, base, len));
        check(inside(h.line, base, len));
        check(h.type == header_token(h.name));
        switch (h.type) {
            case Hdr::Via:
            case Hdr::From:
            case Hdr::To:
            case Hdr::Contact:
            case Hdr::RecordRoute:
            case Hdr::Route:
            case Hdr::CSeq:
                exercise_sip_parsers(h.value);
                break;
            default:
                break;
        }
    }
    if (m.is_request()) {
        SipUri uri;
        (void)parse_sip_uri(m.uri, uri);
    }
}

struct Outcome {
    FrameStatus status;
    size_t consumed;
    std::vector<char> body;
};

Outcome frame_whole(std::vector<char>& buf, size_t len, const Limits& limits,
                    const StreamOptions& opt, Message& m) {
    FramerState st;
    const FrameResult r = frame_stream(buf.data(), len, limits, opt, st, m);
    Outcome o{r.status, r.consumed, {}};
    if (r.status == FrameStatus::Done) {
        check(r.consumed <= len);
        check(m.raw.size() == m.head.size() + m.body.size());
        check(m.raw.data() == buf.data());
        check(m.raw.size() <= r.consumed);
        check(m.body.size() <= limits.max_body);
        check_message(m, buf.data(), len);
        o.body.assign(m.body.begin(), m.body.end());
    } else if (r.status == FrameStatus::KeepAlive) {
        check(r.consumed >= 1 && r.consumed <= 4 && r.consumed <= len);
    } else if (r.status == FrameStatus::Error) {
        // 0: a SIP message, dropped without an answer.
        check(r.http_status == 0 || (r.http_status >= 400 && r.http_status <= 505));
        check(!r.error.empty());
    }
    return o;
}

// Feeds the same bytes in pieces with a persistent FramerState; must end like frame_whole.
Outcome frame_pieces(std::vector<char>& buf, size_t len, size_t step, const Limits& limits,
                     const StreamOptions& opt, Message& m) {
    FramerState st;
    size_t n = 0;
    for (;;) {
        n = n + step < len ? n + step : len;
        const FrameResult r = frame_stream(buf.data(), n, limits, opt, st, m);
        if (r.status != FrameStatus::NeedMore || n == len) {
            Outcome o{r.status, r.consumed, {}};
            if (r.status == FrameStatus::Done) o.body.assign(m.body.begin(), m.body.end());
            return o;
        }
    }
}

void fuzz_stream(const uint8_t* data, size_t size, const Limits& limits,
                 const StreamOptions& opt) {
    auto m = std::make_unique<Message>();
    std::vector<char> whole(data, data + size);
    const Outcome a = frame_whole(whole, size, limits, opt, *m);

    if (size <= 8192) {
        std::vector<char> copy(data, data + size);
        const size_t step = 1 + (size > 0 ? data[size - 1] % 13 : 0);
        const Outcome b = frame_pieces(copy, size, step, limits, opt, *m);
        check(a.status == b.status);
        if (a.status == FrameStatus::Done || a.status == FrameStatus::KeepAlive)
            check(a.consumed == b.consumed);
        if (a.status == FrameStatus::Done) check(a.body == b.body);
    }

    // Pipelined messages after the first one.
    size_t off = a.status == FrameStatus::Done || a.status == FrameStatus::KeepAlive ? a.consumed
                                                                                     : size;
    for (int i = 0; i < 16 && off < size; ++i) {
        std::vector<char> rest(whole.begin() + static_cast<long>(off), whole.end());
        const Outcome o = frame_whole(rest, rest.size(), limits, opt, *m);
        if (o.status != FrameStatus::Done && o.status != FrameStatus::KeepAlive) break;
        check(o.consumed > 0);
        off += o.consumed;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 256 * 1024) return 0;
    const std::string_view in(reinterpret_cast<const char*>(data), size);

    auto m = std::make_unique<Message>();
    const Limits defaults;
    const ParseResult pr = parse_head(in, defaults, *m);
    if (pr.status == ParseStatus::Done) {
        check(pr.consumed <= size && pr.consumed == m->head.size());
        check_message(*m, in.data(), size);
    } else if (pr.status == ParseStatus::Error) {
        check(pr.http_status >= 400 && pr.http_status <= 505 && !pr.error.empty());
    }

    Limits small;
    small.max_start_line = 64;
    small.max_headers = 4;
    small.max_header_bytes = 256;
    small.max_body = 32;
    StreamOptions strict;
    StreamOptions lenient;
    lenient.accept_no_cl = true;
    fuzz_stream(data, size, defaults, strict);
    fuzz_stream(data, size, defaults, lenient);
    fuzz_stream(data, size, small, lenient);

    {
        std::vector<char> dgram(data, data + size);
        const FrameResult r = frame_datagram(dgram.data(), dgram.size(), defaults, *m);
        check(r.status == FrameStatus::Done || r.status == FrameStatus::Error);
        if (r.status == FrameStatus::Done) {
            check(r.consumed == size);
            check_message(*m, dgram.data(), dgram.size());
        }
    }

    exercise_sip_parsers(in);
    return 0;
}
