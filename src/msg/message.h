// The parsed form of one SIP request, SIP reply or HTTP/1.x request. Every view points into
// the buffer the message was parsed from (the connection's receive buffer or the datagram
// buffer) and is valid only while that buffer is unchanged, i.e. while the message is being
// processed. A Message is owned by a worker and reused for every message it handles.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace siphon::msg {

enum class Kind : uint8_t { SipRequest, SipReply, HttpRequest };

// Header names the core knows by token. Matching is case-insensitive and SIP compact forms
// map to the same token (v=Via, f=From, t=To, i=Call-ID, m=Contact, l=Content-Length,
// c=Content-Type, k=Supported, s=Subject, e=Content-Encoding, o=Event, r=Refer-To,
// b=Referred-By, x=Session-Expires, u=Allow-Events, a=Accept-Contact, j=Reject-Contact,
// d=Request-Disposition, y=Identity). Applies to HTTP requests too, as in Kamailio.
enum class Hdr : uint8_t {
    Other = 0,
    Via, From, To, CallId, CSeq, Contact, ContentLength, ContentType, MaxForwards,
    RecordRoute, Route, UserAgent, Server, Allow, Supported, Require, ProxyRequire,
    Unsupported, Event, Expires, Subject, ContentEncoding, Accept, AcceptLanguage,
    Authorization, ProxyAuthorization, WWWAuthenticate, ProxyAuthenticate, Date,
    Organization, Priority, PAssertedIdentity, PPreferredIdentity, ReferTo, ReferredBy,
    SessionExpires, MinSE, AllowEvents, AcceptContact, RejectContact, RequestDisposition,
    Identity, Privacy, Path, SubscriptionState, Diversion, RPid,
    // HTTP
    Host, Connection, TransferEncoding, Expect, KeepAlive, Upgrade, TE, Trailer,
    kCount
};

// Maps a header name (any case, compact form allowed) to its token; Hdr::Other if unknown.
Hdr header_token(std::string_view name);
// Canonical spelling of a token ("Call-ID", "Content-Length"); "" for Hdr::Other.
std::string_view header_canonical_name(Hdr h);

struct Header {
    std::string_view name;   // as sent, without the colon or surrounding whitespace
    std::string_view value;  // leading whitespace stripped, trailing CR/LF removed
    std::string_view line;   // the whole header line including its CRLF (or LF)
    Hdr type = Hdr::Other;
};

// Hard upper bound for the header array; the configurable limit (Limits::max_headers) must
// not exceed it.
inline constexpr size_t kMaxHeadersCap = 256;

struct Limits {
    size_t max_start_line = 8192;      // request line / status line, bytes
    size_t max_headers = 100;          // header lines
    size_t max_header_bytes = 65536;   // start line + headers + blank line
    size_t max_body = 1 << 20;         // body bytes (after chunked decoding)
};

struct Message {
    Kind kind = Kind::SipRequest;
    std::string_view raw;      // start line through end of body, as received
    std::string_view head;     // start line through the blank line (inclusive)

    // Start line.
    std::string_view method;   // requests; case preserved
    std::string_view uri;      // requests: the request-target / Request-URI, raw
    std::string_view version;  // "SIP/2.0", "HTTP/1.1", "HTTP/1.0"
    int status = 0;            // replies
    std::string_view reason;   // replies
    uint8_t http_minor = 1;    // HTTP requests: 0 or 1

    std::array<Header, kMaxHeadersCap> headers;
    uint16_t header_count = 0;

    std::string_view body;     // after framing; chunked bodies are already decoded

    // Framing facts found while parsing the head.
    bool has_content_length = false;
    uint32_t content_length = 0;
    bool chunked = false;            // Transfer-Encoding: chunked (final coding)
    bool expect_continue = false;    // Expect: 100-continue (header, not body)
    bool conn_close = false;         // Connection: close present
    bool conn_keep_alive = false;    // Connection: keep-alive present

    void clear();

    // First header of the given type, or nullptr.
    const Header* find(Hdr h) const;
    // First header whose name matches (case-insensitive, compact forms honoured), or nullptr.
    const Header* find(std::string_view name) const;
    bool is_request() const { return kind != Kind::SipReply; }
    bool is_http() const { return kind == Kind::HttpRequest; }
};

enum class ParseStatus : uint8_t { Done, NeedMore, Error };

struct ParseResult {
    ParseStatus status = ParseStatus::NeedMore;
    size_t consumed = 0;        // Done: bytes of the head (start line .. blank line)
    int http_status = 0;        // Error: the HTTP status to answer with (400, 414, 431, 501, 505)
    std::string_view error;     // Error: short static text for logs
};

// Parses the start line and header block of one message at the start of buf (leading CRLFs
// must have been skipped by the caller). Sets kind, start-line fields, headers and the
// framing facts; does not look at the body (out.body stays empty). Never allocates.
// RFC 9112 strictness: obs-fold (a header line starting with SP/HTAB) in an HTTP request,
// bad or repeated-differing Content-Length,
// Content-Length together with Transfer-Encoding, a Transfer-Encoding other than a final
// "chunked" are Errors with http_status 400 (501 for unknown codings). SIP keeps its
// traditional leniency: folded lines are joined logically (value keeps the raw bytes).
// Bare LF line endings and whitespace between a header name and its colon are accepted for
// both, as Kamailio does.
ParseResult parse_head(std::string_view buf, const Limits& limits, Message& out);

}  // namespace siphon::msg
