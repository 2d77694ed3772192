// Message framing on stream (TCP) and datagram (UDP) transports. Stream framing finds one
// complete message at the start of a connection's receive buffer: SIP by Content-Length,
// HTTP by Content-Length, Transfer-Encoding: chunked (decoded in place, so the buffer is
// mutable) or no body.
#pragma once

#include <cstddef>
#include <string_view>

#include "msg/message.h"

namespace siphon::msg {

struct StreamOptions {
    // tcp_accept_no_cl: a request without Content-Length (and, for HTTP, without chunked
    // coding) is accepted with an empty body. When false, such a SIP message is an Error and
    // such an HTTP request is answered 411.
    bool accept_no_cl = false;
};

// Progress kept per connection between reads of the same message, so that a large body
// arriving in many reads does not re-parse the head each time, and so "100 Continue" is sent
// once. Reset (= {}) after each message.
struct FramerState {
    size_t head_len = 0;          // 0 until the head was parsed once
    bool continue_sent = false;
    size_t chunk_in = 0;          // chunked: bytes of encoded input already decoded
    size_t chunk_out = 0;         // chunked: decoded bytes written so far (in place)
    bool chunk_done = false;
    // Framing decided when the head was parsed, so later reads need neither the head nor
    // the Message (which a worker reuses for other connections between reads).
    uint32_t body_len = 0;        // Content-Length framing: body bytes expected
    bool chunked = false;         // chunked framing
};

enum class FrameStatus : uint8_t {
    Done,          // out holds a complete message; `consumed` bytes of buf belong to it
    NeedMore,      // wait for more bytes (send_continue may be set)
    KeepAlive,     // buf starts with a CRLF keep-alive: "\r\n\r\n" consumed -> answer "\r\n";
                   // a lone "\r\n" is consumed silently
    Error          // answer http_status (HTTP) or drop (SIP) and close the connection
};

struct FrameResult {
    FrameStatus status = FrameStatus::NeedMore;
    size_t consumed = 0;
    bool send_continue = false;   // write "HTTP/1.1 100 Continue\r\n\r\n" now (once)
    int http_status = 0;          // Error: 400, 411, 413, 414, 431, 501, 505; 0 for a SIP
                                  // message (SIP framing errors get no answer, as in Kamailio)
    std::string_view error;       // Error: short static text for logs
};

// Frames one message from buf[0, len). Chunked bodies are decoded in place inside buf, so
// out.body points into buf; the bytes after `consumed` (pipelined requests) are untouched.
// out.raw covers the head and the (decoded) body. Never allocates.
// Between NeedMore results buf may be moved or grown (only appended to); st carries offsets,
// never pointers, and out is meaningful only when the result is Done. st is reset to {} by every
// result other than NeedMore.
FrameResult frame_stream(char* buf, size_t len, const Limits& limits, const StreamOptions& opt,
                         FramerState& st, Message& out);

// For a chunked message still in progress (NeedMore), moves the not yet decoded input down
// to just after the decoded data, so the buffer holds head + decoded body + pending input
// only. buf/len cover the message from its first byte; returns the new length. A no-op
// for other framings.
size_t compact_chunked(char* buf, size_t len, FramerState& st);

// Parses one UDP datagram. The body is Content-Length bytes if present (an error if the
// datagram is shorter; extra bytes are ignored), else the rest of the datagram. Chunked
// coding is not allowed on UDP. Returns Done or Error (never NeedMore).
FrameResult frame_datagram(char* buf, size_t len, const Limits& limits, Message& out);

}  // namespace siphon::msg
