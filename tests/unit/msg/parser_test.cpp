// parse_head: table-driven cases for SIP requests, SIP replies and HTTP/1.x requests. Every
// input sits flush against a guard page, and every truncated prefix of a valid head must
// report NeedMore.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "guard_page.h"
#include "msg/message.h"

namespace siphon::msg {
namespace {

using testing::GuardedBuffer;

// Parses a guarded copy of `in`. The copy must outlive the views in `m`, so only the status
// may be looked at; tests that inspect fields use Inputs below.
ParseResult parse_guarded(std::string_view in, const Limits& limits, Message& m) {
    GuardedBuffer g(in);
    return parse_head(g.view(), limits, m);
}

// Keeps every guarded input alive for the whole test, so message views stay valid.
class Inputs {
public:
    ParseResult parse(std::string_view in, Message& m, const Limits& limits = Limits{}) {
        bufs_.push_back(std::make_unique<GuardedBuffer>(in));
        return parse_head(bufs_.back()->view(), limits, m);
    }

private:
    std::vector<std::unique_ptr<GuardedBuffer>> bufs_;
};

// ---------------------------------------------------------------------------------------
// Valid heads

struct ValidCase {
    std::string name;
    std::string head;
    Kind kind;
    std::string first;   // method (requests) or status code as text (replies)
    std::string second;  // uri (requests) or reason (replies)
    size_t headers;
};

const std::vector<ValidCase> kValid = {
    {"sip_invite",
     "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
     "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
     "Max-Forwards: 70\r\n"
     "To: Bob <sip:bob@biloxi.example.com>\r\n"
     "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
     "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
     "CSeq: 314159 INVITE\r\n"
     "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
     "Content-Type: application/sdp\r\n"
     "Content-Length: 142\r\n\r\n",
     Kind::SipRequest, "INVITE", "sip:bob@biloxi.example.com", 9},
    {"sip_options_lf_only",
     "OPTIONS sip:probe@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\n"
     "Content-Length: 0\n\n",
     Kind::SipRequest, "OPTIONS", "sip:probe@127.0.0.1", 2},
    {"sip_compact_forms",
     "MESSAGE sip:a@b SIP/2.0\r\nv: SIP/2.0/TCP h;branch=z9hG4bKx\r\nf: <sip:c@d>;tag=1\r\n"
     "t: <sip:a@b>\r\ni: cid\r\nm: <sip:c@h>\r\nc: text/plain\r\nl: 5\r\nk: path\r\n\r\n",
     Kind::SipRequest, "MESSAGE", "sip:a@b", 8},
    {"sip_folded_header",
     "INVITE sip:a@b SIP/2.0\r\nSubject: I know you're there,\r\n  pick up the phone\r\n"
     "\tand talk to me!\r\nContent-Length: 0\r\n\r\n",
     Kind::SipRequest, "INVITE", "sip:a@b", 2},
    {"sip_lowercase_version", "OPTIONS sip:x sip/2.0\r\nContent-Length: 0\r\n\r\n",
     Kind::SipRequest, "OPTIONS", "sip:x", 1},
    {"sip_no_headers", "OPTIONS sip:x SIP/2.0\r\n\r\n", Kind::SipRequest, "OPTIONS", "sip:x", 0},
    {"sip_space_before_colon", "BYE sip:x SIP/2.0\r\nVia   : SIP/2.0/UDP h\r\nCSeq :1 BYE\r\n\r\n",
     Kind::SipRequest, "BYE", "sip:x", 2},
    {"sip_multi_value_headers",
     "INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2\r\n"
     "Route: <sip:p1;lr>, <sip:p2;lr>\r\nRoute: <sip:p3;lr>\r\n\r\n",
     Kind::SipRequest, "INVITE", "sip:x", 3},
    {"sip_unknown_method", "FOOBAR sip:x SIP/2.0\r\nContent-Length: 0\r\n\r\n",
     Kind::SipRequest, "FOOBAR", "sip:x", 1},
    {"sip_empty_header_value", "INFO sip:x SIP/2.0\r\nSubject:\r\nX-Empty:   \r\n\r\n",
     Kind::SipRequest, "INFO", "sip:x", 2},
    {"sip_tel_uri", "INVITE tel:+1-201-555-0123 SIP/2.0\r\nl:0\r\n\r\n", Kind::SipRequest,
     "INVITE", "tel:+1-201-555-0123", 1},
    {"sip_reply_200",
     "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCSeq: 1 OPTIONS\r\n"
     "Content-Length: 0\r\n\r\n",
     Kind::SipReply, "200", "OK", 3},
    {"sip_reply_reason_spaces", "SIP/2.0 486 Busy Here\r\nl: 0\r\n\r\n", Kind::SipReply, "486",
     "Busy Here", 1},
    {"sip_reply_empty_reason", "SIP/2.0 180 \r\n\r\n", Kind::SipReply, "180", "", 0},
    {"sip_reply_no_reason", "SIP/2.0 100\r\n\r\n", Kind::SipReply, "100", "", 0},
    {"sip_reply_lf_only", "SIP/2.0 603 Decline\nContent-Length: 0\n\n", Kind::SipReply, "603",
     "Decline", 1},
    {"sip_reply_utf8_reason", "SIP/2.0 404 Nicht gefunden \xc3\xa4\r\n\r\n", Kind::SipReply,
     "404", "Nicht gefunden \xc3\xa4", 0},
    {"http10_no_headers", "GET / HTTP/1.0\r\n\r\n", Kind::HttpRequest, "GET", "/", 0},
    {"http11_get",
     "GET /abc?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
     Kind::HttpRequest, "GET", "/abc?x=1", 3},
    {"http11_post_cl",
     "POST /p/a%20th/x.y?q=1&b=two%20w&c#frag HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n",
     Kind::HttpRequest, "POST", "/p/a%20th/x.y?q=1&b=two%20w&c#frag", 2},
    {"http11_chunked", "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
     Kind::HttpRequest, "POST", "/up", 2},
    {"http_chunked_mixed_case", "POST /up HTTP/1.1\r\ntransfer-encoding: ChUnKeD\r\n\r\n",
     Kind::HttpRequest, "POST", "/up", 1},
    {"http_lf_only", "GET /lf HTTP/1.1\nHost: h\n\n", Kind::HttpRequest, "GET", "/lf", 1},
    {"http_lowercase_method", "get /x HTTP/1.1\r\nHost: h\r\n\r\n", Kind::HttpRequest, "get",
     "/x", 1},
    {"http_absolute_form", "GET http://example.com/abs?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
     Kind::HttpRequest, "GET", "http://example.com/abs?x=1", 1},
    {"http_options_star", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", Kind::HttpRequest, "OPTIONS",
     "*", 1},
    {"http_token_method", "M-SEARCH * HTTP/1.1\r\nHost: h\r\n\r\n", Kind::HttpRequest,
     "M-SEARCH", "*", 1},
    {"http_connection_list", "GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\n\r\n",
     Kind::HttpRequest, "GET", "/", 1},
    {"http_repeated_identical_cl",
     "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", Kind::HttpRequest,
     "POST", "/", 2},
    {"http_cl_list_identical", "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n",
     Kind::HttpRequest, "POST", "/", 1},
    {"http_cl_leading_zeros", "POST / HTTP/1.1\r\nContent-Length: 007\r\n\r\n", Kind::HttpRequest,
     "POST", "/", 1},
    {"http_expect_continue",
     "PUT /f HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
     Kind::HttpRequest, "PUT", "/f", 3},
    {"http_utf8_value", "GET / HTTP/1.1\r\nX-Name: caf\xc3\xa9\r\n\r\n", Kind::HttpRequest, "GET",
     "/", 1},
    {"sip_space_before_colon_via", "OPTIONS sip:x SIP/2.0\r\nVia : SIP/2.0/UDP h\r\n\r\n",
     Kind::SipRequest, "OPTIONS", "sip:x", 1},
    {"http_many_same_header", "GET / HTTP/1.1\r\nX-T: one\r\nX-T: two, three\r\nX-T: four\r\n\r\n",
     Kind::HttpRequest, "GET", "/", 3},
    {"http_ctl_in_value_kept", "GET / HTTP/1.1\r\nX-Bell: a\x07z\r\n\r\n", Kind::HttpRequest,
     "GET", "/", 1},
    {"http_long_target", "GET /" + std::string(5000, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n",
     Kind::HttpRequest, "GET", "/" + std::string(5000, 'a'), 1},
    {"http_sip_compact_l_not_framing", "POST / HTTP/1.1\r\nl: 5\r\n\r\n", Kind::HttpRequest,
     "POST", "/", 1},
};

class ParseValid : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ParseValid, Parses) {
    const ValidCase& c = GetParam();
    Message m;
    GuardedBuffer g(c.head);
    const ParseResult r = parse_head(g.view(), Limits{}, m);
    ASSERT_EQ(r.status, ParseStatus::Done) << r.error;
    EXPECT_EQ(r.consumed, c.head.size());
    EXPECT_EQ(m.kind, c.kind);
    if (c.kind == Kind::SipReply) {
        EXPECT_EQ(std::to_string(m.status), c.first);
        EXPECT_EQ(m.reason, c.second);
        EXPECT_EQ(m.version, "SIP/2.0");
    } else {
        EXPECT_EQ(m.method, c.first);
        EXPECT_EQ(m.uri, c.second);
    }
    EXPECT_EQ(m.header_count, c.headers);
    EXPECT_EQ(m.head.size(), c.head.size());
    EXPECT_TRUE(m.body.empty());
}

TEST_P(ParseValid, EveryTruncatedPrefixNeedsMore) {
    const ValidCase& c = GetParam();
    for (size_t n = 0; n < c.head.size(); ++n) {
        Message m;
        const ParseResult r = parse_guarded(std::string_view(c.head).substr(0, n), Limits{}, m);
        ASSERT_EQ(r.status, ParseStatus::NeedMore) << "prefix length " << n << ": " << r.error;
    }
}

TEST_P(ParseValid, StopsAtEndOfHead) {
    // Whatever follows (a body, a pipelined request) is not part of the head.
    const ValidCase& c = GetParam();
    Message m;
    const std::string in = c.head + "GET /next HTTP/1.1\r\n\r\nhello";
    const ParseResult r = parse_guarded(in, Limits{}, m);
    ASSERT_EQ(r.status, ParseStatus::Done);
    EXPECT_EQ(r.consumed, c.head.size());
}

INSTANTIATE_TEST_SUITE_P(Msg, ParseValid, ::testing::ValuesIn(kValid),
                         [](const auto& info) { return testing::param_name(info.param.name); });

// ---------------------------------------------------------------------------------------
// Malformed heads

struct ErrorCase {
    std::string name;
    std::string head;
    int http_status;
    Limits limits{};
};

Limits small_limits(size_t start_line, size_t headers, size_t bytes) {
    Limits l;
    l.max_start_line = start_line;
    l.max_headers = headers;
    l.max_header_bytes = bytes;
    return l;
}

const std::string kHttpGet = "GET / HTTP/1.1\r\n";
const std::string kSipOpt = "OPTIONS sip:x SIP/2.0\r\n";

const std::vector<ErrorCase> kErrors = {
    // RFC 9112 5.1: no whitespace between an HTTP field name and its colon; 3.2: one Host.
    {"http_space_before_colon", kHttpGet + "Host : x\r\n\r\n", 400},
    {"http_space_before_colon_cl", kHttpGet + "Content-Length : 5\r\n\r\n", 400},
    {"http_two_hosts", kHttpGet + "Host: a\r\nHost: b\r\n\r\n", 400},
    // Content-Length, RFC 9110 8.6 / RFC 9112 6.3.
    {"cl_negative", kHttpGet + "Content-Length: -5\r\n\r\n", 400},
    {"cl_alpha", kHttpGet + "Content-Length: abc\r\n\r\n", 400},
    {"cl_two_numbers", kHttpGet + "Content-Length: 1 2\r\n\r\n", 400},
    {"cl_plus_sign", kHttpGet + "Content-Length: +5\r\n\r\n", 400},
    {"cl_empty", kHttpGet + "Content-Length:\r\n\r\n", 400},
    {"cl_hex", kHttpGet + "Content-Length: 0x10\r\n\r\n", 400},
    {"cl_overflow_32", kHttpGet + "Content-Length: 4294967296\r\n\r\n", 400},
    {"cl_overflow_64", kHttpGet + "Content-Length: 99999999999999999999999\r\n\r\n", 400},
    {"cl_repeated_differing", kHttpGet + "Content-Length: 3\r\nContent-Length: 5\r\n\r\n", 400},
    {"cl_list_differing", kHttpGet + "Content-Length: 5, 6\r\n\r\n", 400},
    {"cl_list_empty_element", kHttpGet + "Content-Length: 5,\r\n\r\n", 400},
    {"sip_cl_negative", kSipOpt + "Content-Length: -5\r\n\r\n", 400},
    {"sip_compact_cl_alpha", kSipOpt + "l: abc\r\n\r\n", 400},
    {"sip_cl_differing_compact", kSipOpt + "Content-Length: 3\r\nl: 4\r\n\r\n", 400},
    // Transfer-Encoding, RFC 9112 6.1 / 6.3.
    {"cl_and_te", kHttpGet + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
    {"te_and_cl", kHttpGet + "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n", 400},
    {"te_gzip", kHttpGet + "Transfer-Encoding: gzip\r\n\r\n", 501},
    {"te_gzip_chunked", kHttpGet + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501},
    {"te_identity", kHttpGet + "Transfer-Encoding: identity\r\n\r\n", 501},
    {"te_chunked_not_final_line", kHttpGet +
     "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
    {"te_chunked_twice", kHttpGet + "Transfer-Encoding: chunked, chunked\r\n\r\n", 400},
    {"te_empty", kHttpGet + "Transfer-Encoding: \r\n\r\n", 400},
    {"te_garbage", kHttpGet + "Transfer-Encoding: chun(ked\r\n\r\n", 400},
    {"te_in_http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
    // Field syntax.
    {"http_obs_fold", kHttpGet + "X-A: one\r\n two\r\n\r\n", 400},
    {"http_obs_fold_tab", kHttpGet + "X-A: one\r\n\ttwo\r\n\r\n", 400},
    {"http_ws_before_first_header", kHttpGet + " Host: h\r\n\r\n", 400},
    {"sip_fold_without_header", kSipOpt + " Via: x\r\n\r\n", 400},
    {"nul_in_value", kHttpGet + std::string("X-A: a\0b\r\n\r\n", 12), 400},
    {"nul_in_name", kHttpGet + std::string("X\0A: ab\r\n\r\n", 11), 400},
    {"nul_in_sip_value", kSipOpt + std::string("Subject: a\0b\r\n\r\n", 16), 400},
    {"nul_in_start_line", std::string("GET /\0 HTTP/1.1\r\n\r\n", 19), 400},
    {"bare_cr_in_value", kHttpGet + "X-A: a\rb\r\n\r\n", 400},
    {"bare_cr_blank_line", kHttpGet + "Host: h\r\n\rX\r\n", 400},
    {"header_without_colon", kHttpGet + "Host h\r\n\r\n", 400},
    {"header_empty_name", kHttpGet + ": value\r\n\r\n", 400},
    {"header_space_in_name", kHttpGet + "Ho st: x\r\n\r\n", 400},
    {"header_bad_name_char", kHttpGet + "Ho\"st: x\r\n\r\n", 400},
    // Start lines.
    {"http2_version", "GET / HTTP/2.0\r\n\r\n", 505},
    {"http12_version", "GET / HTTP/1.2\r\n\r\n", 505},
    {"http09_version", "GET / HTTP/0.9\r\n\r\n", 505},
    {"http2_preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},
    {"http_version_lowercase", "GET / http/1.1\r\n\r\n", 400},
    {"http_version_garbage", "GET / HTTP/abc\r\n\r\n", 400},
    {"http_version_short", "GET / HTTP/1\r\n\r\n", 400},
    {"http_version_long", "GET / HTTP/1.10\r\n\r\n", 400},
    {"http_version_trailing_space", "GET / HTTP/1.1 \r\n\r\n", 400},
    {"sip_version_3", "OPTIONS sip:x SIP/3.0\r\n\r\n", 505},
    {"unknown_protocol", "GET / FOO/1.0\r\n\r\n", 400},
    {"request_double_space", "GET  / HTTP/1.1\r\n\r\n", 400},
    {"request_space_in_target", "GET /a b HTTP/1.1\r\n\r\n", 400},
    {"request_missing_version", "GET /a\r\n\r\n", 400},
    {"request_missing_target", "GET HTTP/1.1\r\n\r\n", 400},
    {"request_tab_separator", "GET\t/ HTTP/1.1\r\n\r\n", 400},
    {"request_empty_method", " / HTTP/1.1\r\n\r\n", 400},
    {"request_bad_method_char", "GE(T / HTTP/1.1\r\n\r\n", 400},
    {"request_empty_line", "\r\n\r\n", 400},
    {"text_garbage", "hello there\r\n\r\n", 400},
    {"http_reply_as_request", "HTTP/1.1 200 OK\r\n\r\n", 400},
    {"reply_two_digit_code", "SIP/2.0 20 OK\r\n\r\n", 400},
    {"reply_code_too_small", "SIP/2.0 099 Low\r\n\r\n", 400},
    {"reply_code_too_large", "SIP/2.0 700 High\r\n\r\n", 400},
    {"reply_code_letters", "SIP/2.0 2x0 OK\r\n\r\n", 400},
    {"reply_no_space_after_code", "SIP/2.0 200OK\r\n\r\n", 400},
    {"binary_garbage_partial", "\x01\x02\x03\x04", 400},
    {"partial_bad_method", "GE(", 400},
    // Limits: start line 414, header count / bytes 431.
    {"start_line_too_long", "GET /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n", 414,
     small_limits(64, 100, 65536)},
    {"start_line_too_long_partial", "GET /" + std::string(100, 'a'), 414,
     small_limits(64, 100, 65536)},
    {"reply_line_too_long", "SIP/2.0 200 " + std::string(100, 'o') + "\r\n\r\n", 414,
     small_limits(64, 100, 65536)},
    {"too_many_headers", kHttpGet + "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", 431,
     small_limits(8192, 3, 65536)},
    {"header_bytes_exceeded", kHttpGet + "X-Big: " + std::string(200, 'x') + "\r\n\r\n", 431,
     small_limits(8192, 100, 128)},
    {"header_bytes_exceeded_partial", kHttpGet + "X-Big: " + std::string(200, 'x'), 431,
     small_limits(8192, 100, 128)},
    {"header_bytes_blank_line_over", kHttpGet + "X: " + std::string(107, 'x') + "\r\n\r\n", 431,
     small_limits(8192, 100, 128)},
};

class ParseError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParseError, Rejects) {
    const ErrorCase& c = GetParam();
    Message m;
    const ParseResult r = parse_guarded(c.head, c.limits, m);
    ASSERT_EQ(r.status, ParseStatus::Error);
    EXPECT_EQ(r.http_status, c.http_status) << r.error;
    EXPECT_FALSE(r.error.empty());
}

TEST_P(ParseError, PrefixesNeverSucceed) {
    const ErrorCase& c = GetParam();
    for (size_t n = 0; n < c.head.size(); ++n) {
        Message m;
        const ParseResult r =
            parse_guarded(std::string_view(c.head).substr(0, n), c.limits, m);
        ASSERT_NE(r.status, ParseStatus::Done) << "prefix length " << n;
    }
}

INSTANTIATE_TEST_SUITE_P(Msg, ParseError, ::testing::ValuesIn(kErrors),
                         [](const auto& info) { return testing::param_name(info.param.name); });

// ---------------------------------------------------------------------------------------
// Header tokens

struct TokenCase {
    std::string name;
    Hdr hdr;
};

const std::vector<TokenCase> kTokens = {
    {"Via", Hdr::Via},
    {"via", Hdr::Via},
    {"VIA", Hdr::Via},
    {"v", Hdr::Via},
    {"V", Hdr::Via},
    {"f", Hdr::From},
    {"t", Hdr::To},
    {"i", Hdr::CallId},
    {"call-id", Hdr::CallId},
    {"CALL-ID", Hdr::CallId},
    {"m", Hdr::Contact},
    {"l", Hdr::ContentLength},
    {"content-length", Hdr::ContentLength},
    {"c", Hdr::ContentType},
    {"k", Hdr::Supported},
    {"s", Hdr::Subject},
    {"e", Hdr::ContentEncoding},
    {"o", Hdr::Event},
    {"r", Hdr::ReferTo},
    {"b", Hdr::ReferredBy},
    {"x", Hdr::SessionExpires},
    {"u", Hdr::AllowEvents},
    {"a", Hdr::AcceptContact},
    {"j", Hdr::RejectContact},
    {"d", Hdr::RequestDisposition},
    {"y", Hdr::Identity},
    {"cseq", Hdr::CSeq},
    {"P-Preferred-Identity", Hdr::PPreferredIdentity},
    {"p-asserted-identity", Hdr::PAssertedIdentity},
    {"Remote-Party-ID", Hdr::RPid},
    {"www-authenticate", Hdr::WWWAuthenticate},
    {"Min-SE", Hdr::MinSE},
    {"host", Hdr::Host},
    {"TRANSFER-ENCODING", Hdr::TransferEncoding},
    {"te", Hdr::TE},
    {"Keep-Alive", Hdr::KeepAlive},
    {"X-Custom", Hdr::Other},
    {"g", Hdr::Other},
    {"n", Hdr::Other},
    {"", Hdr::Other},
    {"Content-Lengthx", Hdr::Other},
    {"Content-Lengt", Hdr::Other},
    {"Via ", Hdr::Other},
    {"P-Preferred-Identity-Too-Long", Hdr::Other},
    {std::string("Vi\0", 3), Hdr::Other},
};

class HeaderToken : public ::testing::TestWithParam<TokenCase> {};

TEST_P(HeaderToken, Maps) {
    EXPECT_EQ(header_token(GetParam().name), GetParam().hdr);
}

INSTANTIATE_TEST_SUITE_P(Msg, HeaderToken, ::testing::ValuesIn(kTokens),
                         [](const auto& info) {
                             return std::to_string(info.index) + "_" +
                                    testing::param_name(info.param.name);
                         });

TEST(MsgHeaderToken, CanonicalNamesRoundTrip) {
    EXPECT_EQ(header_canonical_name(Hdr::Other), "");
    for (int i = 1; i < static_cast<int>(Hdr::kCount); ++i) {
        const Hdr h = static_cast<Hdr>(i);
        const std::string_view name = header_canonical_name(h);
        ASSERT_FALSE(name.empty()) << i;
        EXPECT_EQ(header_token(name), h) << name;
        std::string upper(name);
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        EXPECT_EQ(header_token(upper), h) << upper;
    }
    EXPECT_EQ(header_canonical_name(Hdr::CallId), "Call-ID");
    EXPECT_EQ(header_canonical_name(Hdr::CSeq), "CSeq");
    EXPECT_EQ(header_canonical_name(Hdr::WWWAuthenticate), "WWW-Authenticate");
    EXPECT_EQ(header_canonical_name(Hdr::kCount), "");
}

// ---------------------------------------------------------------------------------------
// Field-level checks

TEST(MsgParse, StartLineAndHeaderViews) {
    const std::string in =
        "INVITE sip:bob@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
        "X-Trail:  padded value  \r\ncall-ID :abc\r\n\r\n";
    GuardedBuffer g(in);
    Message m;
    ASSERT_EQ(parse_head(g.view(), Limits{}, m).status, ParseStatus::Done);
    EXPECT_EQ(m.kind, Kind::SipRequest);
    EXPECT_TRUE(m.is_request());
    EXPECT_FALSE(m.is_http());
    EXPECT_EQ(m.version, "SIP/2.0");
    ASSERT_EQ(m.header_count, 3);
    EXPECT_EQ(m.headers[0].name, "Via");
    EXPECT_EQ(m.headers[0].type, Hdr::Via);
    EXPECT_EQ(m.headers[0].value, "SIP/2.0/UDP h;branch=z9hG4bK1");
    EXPECT_EQ(m.headers[0].line, "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n");
    // Leading whitespace stripped, trailing whitespace kept (Kamailio's $hdr()).
    EXPECT_EQ(m.headers[1].value, "padded value  ");
    EXPECT_EQ(m.headers[1].type, Hdr::Other);
    EXPECT_EQ(m.headers[2].name, "call-ID");
    EXPECT_EQ(m.headers[2].value, "abc");
    EXPECT_EQ(m.headers[2].type, Hdr::CallId);
    // Views point into the input buffer (zero-copy).
    EXPECT_EQ(m.method.data(), g.data());
    EXPECT_EQ(m.head.data(), g.data());
    EXPECT_EQ(m.raw, m.head);
}

TEST(MsgParse, SipFoldedValueKeepsRawBytes) {
    const std::string in =
        "INVITE sip:a@b SIP/2.0\r\nSubject: one,\r\n  two\r\nX-Empty:\r\n   later\r\n"
        "Content-Length:\r\n 7\r\n\r\n";
    Message m;
    GuardedBuffer g(in);
    ASSERT_EQ(parse_head(g.view(), Limits{}, m).status, ParseStatus::Done);
    ASSERT_EQ(m.header_count, 3);
    EXPECT_EQ(m.headers[0].value, "one,\r\n  two");
    EXPECT_EQ(m.headers[0].line, "Subject: one,\r\n  two\r\n");
    EXPECT_EQ(m.headers[1].value, "later");
    EXPECT_EQ(m.headers[1].line, "X-Empty:\r\n   later\r\n");
    EXPECT_TRUE(m.has_content_length);
    EXPECT_EQ(m.content_length, 7u);
}

TEST(MsgParse, SipReplyFields) {
    Inputs in_;
    Message m;
    ASSERT_EQ(in_.parse("SIP/2.0 183 Session Progress\r\nl: 12\r\n\r\n", m).status,
              ParseStatus::Done);
    EXPECT_EQ(m.kind, Kind::SipReply);
    EXPECT_FALSE(m.is_request());
    EXPECT_EQ(m.status, 183);
    EXPECT_EQ(m.reason, "Session Progress");
    EXPECT_TRUE(m.method.empty());
    EXPECT_TRUE(m.has_content_length);
    EXPECT_EQ(m.content_length, 12u);
}

TEST(MsgParse, LowercaseSipReplyVersion) {
    Inputs in_;
    // Kamailio compares the SIP version case-insensitively.
    Message m;
    ASSERT_EQ(in_.parse("sip/2.0 200 OK\r\n\r\n", m).status, ParseStatus::Done);
    EXPECT_EQ(m.kind, Kind::SipReply);
    EXPECT_EQ(m.version, "sip/2.0");
}

TEST(MsgParse, HttpVersionsAndKind) {
    Inputs in_;
    Message m;
    ASSERT_EQ(in_.parse("GET / HTTP/1.0\r\n\r\n", m).status, ParseStatus::Done);
    EXPECT_TRUE(m.is_http());
    EXPECT_EQ(m.http_minor, 0);
    EXPECT_EQ(m.version, "HTTP/1.0");
    ASSERT_EQ(in_.parse("GET / HTTP/1.1\r\n\r\n", m).status, ParseStatus::Done);
    EXPECT_EQ(m.http_minor, 1);
    EXPECT_EQ(m.version, "HTTP/1.1");
    EXPECT_FALSE(m.has_content_length);
    EXPECT_FALSE(m.chunked);
}

TEST(MsgParse, ConnectionTokens) {
    Inputs in_;
    Message m;
    ASSERT_EQ(in_.parse("GET / HTTP/1.1\r\nConnection: Upgrade, CLOSE\r\n\r\n", m)
                  .status,
              ParseStatus::Done);
    EXPECT_TRUE(m.conn_close);
    EXPECT_FALSE(m.conn_keep_alive);
    ASSERT_EQ(in_.parse("GET / HTTP/1.0\r\nconnection:keep-alive\r\n\r\n", m).status,
              ParseStatus::Done);
    EXPECT_FALSE(m.conn_close);
    EXPECT_TRUE(m.conn_keep_alive);
    ASSERT_EQ(in_.parse("GET / HTTP/1.1\r\nConnection: te\r\nConnection: ,keep-alive,\r\n"
                            "Connection: closed\r\n\r\n", m)
                  .status,
              ParseStatus::Done);
    EXPECT_FALSE(m.conn_close);
    EXPECT_TRUE(m.conn_keep_alive);
}

TEST(MsgParse, ExpectContinueOnlyAsHttp11Header) {
    Inputs in_;
    Message m;
    ASSERT_EQ(in_.parse("PUT / HTTP/1.1\r\nexpect:100-Continue \r\n\r\n", m).status,
              ParseStatus::Done);
    EXPECT_TRUE(m.expect_continue);
    // RFC 9110 10.1.1: ignored in HTTP/1.0.
    ASSERT_EQ(in_.parse("PUT / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", m).status,
              ParseStatus::Done);
    EXPECT_FALSE(m.expect_continue);
    // A value of another header, or a different expectation, is not it.
    ASSERT_EQ(in_.parse("PUT / HTTP/1.1\r\nX-Note: Expect: 100-continue\r\n"
                            "Expect: 100-continue-ish\r\n\r\n", m)
                  .status,
              ParseStatus::Done);
    EXPECT_FALSE(m.expect_continue);
    ASSERT_EQ(in_.parse("OPTIONS sip:x SIP/2.0\r\nExpect: 100-continue\r\n\r\n", m)
                  .status,
              ParseStatus::Done);
    EXPECT_FALSE(m.expect_continue);
}

TEST(MsgParse, ContentLengthForms) {
    Inputs in_;
    Message m;
    ASSERT_EQ(in_.parse("POST / HTTP/1.1\r\nContent-Length:  42  \r\n\r\n", m).status,
              ParseStatus::Done);
    EXPECT_TRUE(m.has_content_length);
    EXPECT_EQ(m.content_length, 42u);
    ASSERT_EQ(in_.parse("POST / HTTP/1.1\r\nContent-Length: 4294967295\r\n\r\n", m)
                  .status,
              ParseStatus::Done);
    EXPECT_EQ(m.content_length, 4294967295u);
    // HTTP: the compact "l" keeps its token for $hdr(l) but does not frame the body.
    ASSERT_EQ(in_.parse("POST / HTTP/1.1\r\nl: 5\r\n\r\n", m).status,
              ParseStatus::Done);
    EXPECT_FALSE(m.has_content_length);
    ASSERT_NE(m.find(Hdr::ContentLength), nullptr);
    EXPECT_EQ(m.find("Content-Length")->value, "5");
    // SIP: "l" is Content-Length.
    ASSERT_EQ(in_.parse("MESSAGE sip:x SIP/2.0\r\nl: 5\r\n\r\n", m).status,
              ParseStatus::Done);
    EXPECT_TRUE(m.has_content_length);
    EXPECT_EQ(m.content_length, 5u);
    // SIP has no transfer codings: the header is ignored for framing.
    ASSERT_EQ(in_.parse("MESSAGE sip:x SIP/2.0\r\nTransfer-Encoding: gzip\r\nl: 1\r\n\r\n", m)
                  .status,
              ParseStatus::Done);
    EXPECT_FALSE(m.chunked);
}

TEST(MsgParse, ChunkedFlag) {
    Inputs in_;
    Message m;
    ASSERT_EQ(in_.parse("POST / HTTP/1.1\r\nTransfer-Encoding: ,chunked\r\n\r\n", m)
                  .status,
              ParseStatus::Done);
    EXPECT_TRUE(m.chunked);
    EXPECT_FALSE(m.has_content_length);
}

TEST(MsgParse, FindByTokenNameAndCompactForm) {
    const std::string in =
        "INVITE sip:a@b SIP/2.0\r\ni: cid-1\r\nX-Custom: one\r\nx-custom: two\r\nCall-ID: cid-2\r\n"
        "f: <sip:f@x>\r\n\r\n";
    GuardedBuffer g(in);
    Message m;
    ASSERT_EQ(parse_head(g.view(), Limits{}, m).status, ParseStatus::Done);
    ASSERT_NE(m.find(Hdr::CallId), nullptr);
    EXPECT_EQ(m.find(Hdr::CallId)->value, "cid-1");
    EXPECT_EQ(m.find("CALL-ID")->value, "cid-1");
    EXPECT_EQ(m.find("i")->value, "cid-1");
    EXPECT_EQ(m.find("From")->value, "<sip:f@x>");
    EXPECT_EQ(m.find("X-CUSTOM")->value, "one");
    EXPECT_EQ(m.find(Hdr::To), nullptr);
    EXPECT_EQ(m.find("X-Missing"), nullptr);
    EXPECT_EQ(m.find(""), nullptr);
}

TEST(MsgParse, MessageReuseClearsState) {
    Inputs in_;
    Message m;
    ASSERT_EQ(in_.parse("PUT / HTTP/1.1\r\nExpect: 100-continue\r\nConnection: close\r\n"
                            "Content-Length: 3\r\nA: 1\r\nB: 2\r\n\r\n", m)
                  .status,
              ParseStatus::Done);
    EXPECT_EQ(m.header_count, 5);
    ASSERT_EQ(in_.parse("SIP/2.0 200 OK\r\n\r\n", m).status, ParseStatus::Done);
    EXPECT_EQ(m.header_count, 0);
    EXPECT_FALSE(m.expect_continue);
    EXPECT_FALSE(m.conn_close);
    EXPECT_FALSE(m.has_content_length);
    EXPECT_TRUE(m.method.empty());
    EXPECT_EQ(m.find(Hdr::ContentLength), nullptr);
}

TEST(MsgParse, HeaderLimitIsCappedByArraySize) {
    std::string in = kHttpGet;
    for (size_t i = 0; i < kMaxHeadersCap + 1; ++i) in += "X: y\r\n";
    in += "\r\n";
    Limits l;
    l.max_headers = 100000;
    Message m;
    const ParseResult r = parse_guarded(in, l, m);
    ASSERT_EQ(r.status, ParseStatus::Error);
    EXPECT_EQ(r.http_status, 431);
}

TEST(MsgParse, ExactlyAtLimitsIsAccepted) {
    const std::string line = "GET /" + std::string(50, 'a') + " HTTP/1.1";
    const std::string in = line + "\r\nA: 1\r\nB: 2\r\n\r\n";
    Limits l;
    l.max_start_line = line.size();
    l.max_headers = 2;
    l.max_header_bytes = in.size();
    Message m;
    EXPECT_EQ(parse_guarded(in, l, m).status, ParseStatus::Done);
    for (size_t n = 0; n < in.size(); ++n)
        ASSERT_EQ(parse_guarded(std::string_view(in).substr(0, n), l, m).status,
                  ParseStatus::NeedMore)
            << n;
    l.max_header_bytes = in.size() - 1;
    EXPECT_EQ(parse_guarded(in, l, m).http_status, 431);
    l.max_header_bytes = in.size();
    l.max_start_line = line.size() - 1;
    EXPECT_EQ(parse_guarded(in, l, m).http_status, 414);
}

}  // namespace
}  // namespace siphon::msg
