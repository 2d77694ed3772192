// frame_stream / frame_datagram: table-driven cases for SIP and HTTP over TCP and UDP,
// including RFC 9112 chunked framing, 100-continue and CRLF keep-alives. Inputs sit flush
// against a guard page.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "guard_page.h"
#include "msg/framer.h"

namespace siphon::msg {
namespace {

using testing::GuardedBuffer;

StreamOptions no_cl(bool accept) {
    StreamOptions o;
    o.accept_no_cl = accept;
    return o;
}

Limits body_limit(size_t max_body) {
    Limits l;
    l.max_body = max_body;
    return l;
}

const std::string kPost = "POST /p HTTP/1.1\r\nHost: h\r\n";
const std::string kChunkedHead =
    "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
const std::string kSipInvite =
    "INVITE sip:bob@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nCSeq: 1 INVITE\r\n";

// ---------------------------------------------------------------------------------------
// Complete messages on a stream

struct StreamCase {
    std::string name;
    std::string input;
    size_t consumed;   // of input, the rest being the next message; 0 = all of it
    std::string body;  // decoded
    Kind kind;
    StreamOptions opt{};
};

std::vector<StreamCase> make_stream_cases() {
    const std::string get = "GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n";
    const std::string post = kPost + "Content-Length: 5\r\n\r\nhello";
    const std::string chunked = kChunkedHead + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    return {
        {"sip_invite_with_body", kSipInvite + "Content-Length: 5\r\n\r\nv=0\r\n",
         0, "v=0\r\n", Kind::SipRequest},
        {"sip_compact_length", "MESSAGE sip:a@b SIP/2.0\r\nl: 3\r\n\r\nabc", 0, "abc",
         Kind::SipRequest},
        {"sip_reply", "SIP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nokSIP/2.0", 39, "ok",
         Kind::SipReply},
        {"sip_no_cl_accepted", "OPTIONS sip:x SIP/2.0\r\n\r\n", 25, "", Kind::SipRequest,
         no_cl(true)},
        {"sip_lf_only", "OPTIONS sip:x SIP/2.0\nl: 1\n\nxy", 29, "x", Kind::SipRequest},
        {"http_get_cl0", get, 0, "", Kind::HttpRequest},
        {"http_get_no_cl_accepted", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 27, "",
         Kind::HttpRequest, no_cl(true)},
        {"http10_no_headers_accepted", "GET / HTTP/1.0\r\n\r\n", 18, "", Kind::HttpRequest,
         no_cl(true)},
        {"http_post_cl", post, 0, "hello", Kind::HttpRequest},
        {"http_repeated_identical_cl",
         "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi", 59, "hi",
         Kind::HttpRequest},
        {"http_lf_only_body", "POST / HTTP/1.1\nContent-Length: 3\n\nabc", 38, "abc",
         Kind::HttpRequest},
        {"chunked_in_one_buffer", chunked, 0, "hello world", Kind::HttpRequest},
        {"chunked_extensions",
         kChunkedHead + "5;name=value\r\nhello\r\n6 ; a ; b=\"q;\\\"x\" \r\n world\r\n" +
             "0;last\r\n\r\n",
         0, "hello world", Kind::HttpRequest},
        {"chunked_trailers",
         kChunkedHead + "3\r\nabc\r\n0\r\nX-Checksum: 1234\r\nY : 2\r\n\r\n",
         0, "abc", Kind::HttpRequest},
        {"chunked_lf_only", kChunkedHead + "5\nhello\n0\n\n", 0, "hello",
         Kind::HttpRequest},
        {"chunked_hex_case_leading_zeros",
         kChunkedHead + "000A\r\n0123456789\r\n0a\r\nabcdefghij\r\n00\r\n\r\n",
         0, "0123456789abcdefghij", Kind::HttpRequest},
        {"chunked_empty_body", kChunkedHead + "0\r\n\r\n", 0, "",
         Kind::HttpRequest},
        {"chunked_crlf_in_data", kChunkedHead + "4\r\n\r\n\r\n\r\n0\r\n\r\n",
         0, "\r\n\r\n", Kind::HttpRequest},
        {"pipelined_get_get", get + get, get.size(), "", Kind::HttpRequest},
        {"pipelined_post_get", post + get, post.size(), "hello", Kind::HttpRequest},
        {"pipelined_chunked_get", chunked + get, chunked.size(), "hello world",
         Kind::HttpRequest},
        {"pipelined_sip", "OPTIONS sip:x SIP/2.0\r\nl: 0\r\n\r\nOPTIONS sip:y SIP/2.0\r\n", 31,
         "", Kind::SipRequest},
        {"body_looks_like_expect",
         kPost + "Content-Length: 24\r\n\r\nExpect: 100-continue\r\n\r\n",
         0, "Expect: 100-continue\r\n\r\n", Kind::HttpRequest},
        {"sip_transfer_encoding_ignored",
         "MESSAGE sip:a@b SIP/2.0\r\nTransfer-Encoding: chunked\r\nl: 2\r\n\r\nhi", 63, "hi",
         Kind::SipRequest},
    };
}

std::vector<StreamCase> resolved_stream_cases() {
    std::vector<StreamCase> cases = make_stream_cases();
    for (StreamCase& c : cases)
        if (c.consumed == 0) c.consumed = c.input.size();
    return cases;
}

const std::vector<StreamCase> kStream = resolved_stream_cases();

class FrameStream : public ::testing::TestWithParam<StreamCase> {};

TEST_P(FrameStream, FramesInOneCall) {
    const StreamCase& c = GetParam();
    ASSERT_LE(c.consumed, c.input.size());
    GuardedBuffer g(c.input);
    FramerState st;
    Message m;
    const FrameResult r = frame_stream(g.data(), g.size(), Limits{}, c.opt, st, m);
    ASSERT_EQ(r.status, FrameStatus::Done) << r.error;
    EXPECT_EQ(r.consumed, c.consumed);
    EXPECT_EQ(m.body, c.body);
    EXPECT_EQ(m.kind, c.kind);
    EXPECT_FALSE(r.send_continue);
    EXPECT_EQ(m.raw.data(), g.data());
    EXPECT_EQ(m.raw.size(), m.head.size() + m.body.size());
    EXPECT_EQ(m.body.data(), g.data() + m.head.size());
    // Pipelined bytes after the message are untouched (chunked decoding is in place).
    EXPECT_EQ(g.view().substr(c.consumed), std::string_view(c.input).substr(c.consumed));
}

TEST_P(FrameStream, EveryTruncatedPrefixNeedsMore) {
    const StreamCase& c = GetParam();
    for (size_t n = 0; n < c.consumed; ++n) {
        GuardedBuffer g(std::string_view(c.input).substr(0, n));
        FramerState st;
        Message m;
        const FrameResult r = frame_stream(g.data(), g.size(), Limits{}, c.opt, st, m);
        ASSERT_EQ(r.status, FrameStatus::NeedMore) << "prefix length " << n << ": " << r.error;
    }
}

// Feeds the message one byte per read, keeping the framer state, and moves the buffer to a
// new address before every read (as a growing receive buffer may), including the bytes the
// framer already decoded in place.
TEST_P(FrameStream, ByteByByteWithMovingBuffer) {
    const StreamCase& c = GetParam();
    FramerState st;
    Message m;
    std::string have;  // the receive buffer's contents, as left by the framer
    std::unique_ptr<GuardedBuffer> g;
    for (size_t n = 1; n <= c.consumed; ++n) {
        have.push_back(c.input[n - 1]);
        g = std::make_unique<GuardedBuffer>(have);
        const FrameResult r = frame_stream(g->data(), g->size(), Limits{}, c.opt, st, m);
        have.assign(g->view());
        if (n < c.consumed) {
            ASSERT_EQ(r.status, FrameStatus::NeedMore) << "after byte " << n << ": " << r.error;
        } else {
            ASSERT_EQ(r.status, FrameStatus::Done) << r.error;
            EXPECT_EQ(r.consumed, c.consumed);
            EXPECT_EQ(m.body, c.body);
            EXPECT_EQ(m.kind, c.kind);
        }
    }
    EXPECT_EQ(st.head_len, 0u) << "state is reset after Done";
}

INSTANTIATE_TEST_SUITE_P(Msg, FrameStream, ::testing::ValuesIn(kStream),
                         [](const auto& info) { return testing::param_name(info.param.name); });

// ---------------------------------------------------------------------------------------
// Stream errors

struct StreamErrorCase {
    std::string name;
    std::string input;
    int http_status;
    Limits limits{};
    StreamOptions opt{};
};

const std::vector<StreamErrorCase> kStreamErrors = {
    // SIP framing errors carry no status: the message is dropped, as Kamailio does.
    {"sip_without_cl", "OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n\r\n", 0},
    {"sip_reply_without_cl", "SIP/2.0 200 OK\r\n\r\n", 0},
    {"sip_bad_cl", "OPTIONS sip:x SIP/2.0\r\nContent-Length: -5\r\n\r\n", 0},
    {"sip_body_too_large", "MESSAGE sip:x SIP/2.0\r\nl: 11\r\n\r\nhello world", 0,
     body_limit(10)},
    {"sip_version_3", "OPTIONS sip:x SIP/3.0\r\nl: 0\r\n\r\n", 0},
    {"sip_bad_request_line", "OPTIONS  sip:x SIP/2.0\r\nl: 0\r\n\r\n", 0},
    {"sip_bad_status_line", "SIP/2.0 2000 OK\r\nl: 0\r\n\r\n", 0},
    {"garbage_gets_400", "hello there\r\n\r\n", 400},
    {"http_without_cl_411", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 411},
    {"http10_no_headers_411", "GET / HTTP/1.0\r\n\r\n", 411},
    {"http_compact_l_is_not_a_length", "POST / HTTP/1.1\r\nl: 2\r\n\r\nhi", 411},
    {"cl_too_large_413", kPost + "Content-Length: 11\r\n\r\nhello world", 413, body_limit(10)},
    {"cl_too_large_before_body", kPost + "Content-Length: 4000000000\r\n\r\n", 413},
    {"chunked_too_large_413", kChunkedHead + "6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n", 413,
     body_limit(10)},
    {"chunked_too_large_before_data", kChunkedHead + "ffffffffffffffff\r\n", 413},
    {"chunk_size_overflow", kChunkedHead + "10000000000000000\r\nx\r\n0\r\n\r\n", 400},
    {"chunk_size_overflow_partial", kChunkedHead + "fffffffffffffffff", 400},
    {"chunk_size_missing", kChunkedHead + "\r\nhello\r\n0\r\n\r\n", 400},
    {"chunk_size_not_hex", kChunkedHead + "zz\r\nhello\r\n0\r\n\r\n", 400},
    {"chunk_size_negative", kChunkedHead + "-5\r\nhello\r\n0\r\n\r\n", 400},
    {"chunk_size_leading_space", kChunkedHead + " 5\r\nhello\r\n0\r\n\r\n", 400},
    {"chunk_size_0x_prefix", kChunkedHead + "0x5\r\nhello\r\n0\r\n\r\n", 400},
    {"chunk_size_trailing_garbage", kChunkedHead + "5x\r\nhello\r\n0\r\n\r\n", 400},
    {"chunk_data_too_long", kChunkedHead + "5\r\nhelloX\r\n0\r\n\r\n", 400},
    {"chunk_data_cr_without_lf", kChunkedHead + "5\r\nhello\rX0\r\n\r\n", 400},
    {"chunk_ext_empty_name", kChunkedHead + "5;=x\r\nhello\r\n0\r\n\r\n", 400},
    {"chunk_ext_bare_cr", kChunkedHead + "5;a\rb\r\nhello\r\n0\r\n\r\n", 400},
    {"chunk_ext_unterminated_quote", kChunkedHead + "5;a=\"x\r\nhello\r\n0\r\n\r\n", 400},
    {"chunk_ext_nul", kChunkedHead + std::string("5;a\0\r\nhello\r\n0\r\n\r\n", 18), 400},
    {"chunk_line_too_long", kChunkedHead + "5;" + std::string(5000, 'a') + "\r\n", 400},
    {"trailer_obs_fold", kChunkedHead + "0\r\nX: 1\r\n folded\r\n\r\n", 400},
    {"trailer_without_colon", kChunkedHead + "0\r\nnot a field\r\n\r\n", 400},
    {"trailer_nul", kChunkedHead + std::string("0\r\nX: \0\r\n\r\n", 11), 400},
    {"trailer_too_large", kChunkedHead + "0\r\nX: " + std::string(200, 'x') + "\r\n\r\n", 431,
     [] {
         Limits l;
         l.max_header_bytes = 128;
         return l;
     }()},
    {"head_cl_and_te", kPost + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello",
     400},
    {"head_bad_cl", kPost + "Content-Length: abc\r\n\r\n", 400},
    {"head_unknown_coding", kPost + "Transfer-Encoding: br\r\n\r\n", 501},
    {"head_http2", "GET / HTTP/2.0\r\n\r\n", 505},
    {"head_obs_fold", kPost + "X: a\r\n b\r\nContent-Length: 0\r\n\r\n", 400},
    {"head_nul", kPost + std::string("X: \0\r\nContent-Length: 0\r\n\r\n", 27), 400},
    {"head_start_line_414", "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n", 414},
    {"head_too_large_431", kPost + "X: " + std::string(2000, 'a') + "\r\n\r\n", 431,
     [] {
         Limits l;
         l.max_header_bytes = 1024;
         return l;
     }()},
    {"keepalive_then_garbage", "\r\rGET / HTTP/1.1\r\n\r\n", 400},
};

class FrameStreamError : public ::testing::TestWithParam<StreamErrorCase> {};

TEST_P(FrameStreamError, Rejects) {
    const StreamErrorCase& c = GetParam();
    GuardedBuffer g(c.input);
    FramerState st;
    Message m;
    const FrameResult r = frame_stream(g.data(), g.size(), c.limits, c.opt, st, m);
    ASSERT_EQ(r.status, FrameStatus::Error);
    EXPECT_EQ(r.http_status, c.http_status) << r.error;
    EXPECT_FALSE(r.error.empty());
    EXPECT_FALSE(r.send_continue);
}

TEST_P(FrameStreamError, PrefixesNeverSucceed) {
    const StreamErrorCase& c = GetParam();
    for (size_t n = 0; n < c.input.size(); ++n) {
        GuardedBuffer g(std::string_view(c.input).substr(0, n));
        FramerState st;
        Message m;
        const FrameResult r = frame_stream(g.data(), g.size(), c.limits, c.opt, st, m);
        ASSERT_NE(r.status, FrameStatus::Done) << "prefix length " << n;
    }
}

INSTANTIATE_TEST_SUITE_P(Msg, FrameStreamError, ::testing::ValuesIn(kStreamErrors),
                         [](const auto& info) { return testing::param_name(info.param.name); });

// ---------------------------------------------------------------------------------------
// CRLF keep-alives

struct KeepAliveCase {
    std::string name;
    std::string input;
    FrameStatus status;
    size_t consumed;
};

const std::vector<KeepAliveCase> kKeepAlive = {
    {"empty", "", FrameStatus::NeedMore, 0},
    {"cr", "\r", FrameStatus::NeedMore, 0},
    {"crlf_may_be_ping", "\r\n", FrameStatus::NeedMore, 0},
    {"crlfcr_may_be_ping", "\r\n\r", FrameStatus::NeedMore, 0},
    {"double_crlf_ping", "\r\n\r\n", FrameStatus::KeepAlive, 4},
    {"ping_before_request", "\r\n\r\nGET / HTTP/1.1\r\n", FrameStatus::KeepAlive, 4},
    {"lone_crlf_before_request", "\r\nGET / HTTP/1.1\r\n", FrameStatus::KeepAlive, 2},
    {"lone_crlf_then_cr_x", "\r\n\rX", FrameStatus::KeepAlive, 2},
    {"bare_lf", "\nOPTIONS", FrameStatus::KeepAlive, 1},
    {"triple_crlf", "\r\n\r\n\r\n", FrameStatus::KeepAlive, 4},
};

class FrameKeepAlive : public ::testing::TestWithParam<KeepAliveCase> {};

TEST_P(FrameKeepAlive, Classifies) {
    const KeepAliveCase& c = GetParam();
    GuardedBuffer g(c.input);
    FramerState st;
    Message m;
    const FrameResult r = frame_stream(g.data(), g.size(), Limits{}, StreamOptions{}, st, m);
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(r.consumed, c.consumed);
}

INSTANTIATE_TEST_SUITE_P(Msg, FrameKeepAlive, ::testing::ValuesIn(kKeepAlive),
                         [](const auto& info) { return testing::param_name(info.param.name); });

// ---------------------------------------------------------------------------------------
// 100-continue

struct ContinueCase {
    std::string name;
    std::string head;  // sent first
    std::string body;  // sent after the first call
    bool expect_send;
};

const std::vector<ContinueCase> kContinue = {
    {"cl_body_missing", "PUT /f HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
     "hello", true},
    {"chunked_body_missing",
     "PUT /f HTTP/1.1\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n",
     "5\r\nhello\r\n0\r\n\r\n", true},
    {"partial_body", "PUT /f HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhe",
     "llo", true},
    {"http10_ignored", "PUT /f HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
     "hello", false},
    {"no_expect", "PUT /f HTTP/1.1\r\nContent-Length: 5\r\n\r\n", "hello", false},
    {"expect_text_in_other_header",
     "PUT /f HTTP/1.1\r\nX-Expect: 100-continue\r\nContent-Length: 5\r\n\r\n", "hello", false},
    {"expect_text_in_body", "PUT /f HTTP/1.1\r\nContent-Length: 24\r\n\r\nExpect: 100-con",
     "tinue\r\n\r\n", false},
};

class FrameContinue : public ::testing::TestWithParam<ContinueCase> {};

TEST_P(FrameContinue, SentOnceWhileBodyIsMissing) {
    const ContinueCase& c = GetParam();
    FramerState st;
    Message m;
    {
        GuardedBuffer g(c.head);
        FrameResult r = frame_stream(g.data(), g.size(), Limits{}, StreamOptions{}, st, m);
        ASSERT_EQ(r.status, FrameStatus::NeedMore) << r.error;
        EXPECT_EQ(r.send_continue, c.expect_send);
        // Same bytes again (a spurious wake-up): never a second 100.
        r = frame_stream(g.data(), g.size(), Limits{}, StreamOptions{}, st, m);
        ASSERT_EQ(r.status, FrameStatus::NeedMore);
        EXPECT_FALSE(r.send_continue);
    }
    GuardedBuffer g(c.head + c.body);
    const FrameResult r = frame_stream(g.data(), g.size(), Limits{}, StreamOptions{}, st, m);
    ASSERT_EQ(r.status, FrameStatus::Done) << r.error;
    EXPECT_FALSE(r.send_continue);
    EXPECT_EQ(r.consumed, g.size());
}

INSTANTIATE_TEST_SUITE_P(Msg, FrameContinue, ::testing::ValuesIn(kContinue),
                         [](const auto& info) { return testing::param_name(info.param.name); });

TEST(MsgFramer, NoContinueWhenBodyAlreadyThere) {
    GuardedBuffer g("PUT /f HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi");
    FramerState st;
    Message m;
    const FrameResult r = frame_stream(g.data(), g.size(), Limits{}, StreamOptions{}, st, m);
    ASSERT_EQ(r.status, FrameStatus::Done);
    EXPECT_FALSE(r.send_continue);
    EXPECT_TRUE(m.expect_continue);
    EXPECT_EQ(m.body, "hi");
}

TEST(MsgFramer, NoContinueWhenBodyTooLarge) {
    GuardedBuffer g("PUT /f HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n");
    FramerState st;
    Message m;
    const FrameResult r = frame_stream(g.data(), g.size(), body_limit(99), StreamOptions{}, st, m);
    ASSERT_EQ(r.status, FrameStatus::Error);
    EXPECT_EQ(r.http_status, 413);
    EXPECT_FALSE(r.send_continue);
}

// ---------------------------------------------------------------------------------------
// Chunked details

TEST(MsgFramer, ChunkedDecodedInPlaceAcrossReads) {
    const std::string first = kChunkedHead + "5\r\nhello\r\n6\r\n wo";
    const std::string all = kChunkedHead + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nNEXT";
    std::string buf = all;  // one buffer; the "socket" reveals more of it on each call
    FramerState st;
    Message m;
    FrameResult r =
        frame_stream(buf.data(), first.size(), Limits{}, StreamOptions{}, st, m);
    ASSERT_EQ(r.status, FrameStatus::NeedMore);
    EXPECT_EQ(st.head_len, kChunkedHead.size());
    EXPECT_EQ(st.chunk_out, 5u);
    EXPECT_EQ(st.chunk_in, 10u);
    EXPECT_EQ(buf.substr(kChunkedHead.size(), 5), "hello");
    r = frame_stream(buf.data(), buf.size(), Limits{}, StreamOptions{}, st, m);
    ASSERT_EQ(r.status, FrameStatus::Done);
    EXPECT_EQ(m.body, "hello world");
    EXPECT_TRUE(m.chunked);
    EXPECT_FALSE(m.has_content_length);
    EXPECT_EQ(r.consumed, all.size() - 4);
    EXPECT_EQ(buf.substr(r.consumed), "NEXT");
    EXPECT_EQ(m.raw, kChunkedHead + "hello world");
    EXPECT_EQ(m.find(Hdr::Host)->value, "h");
}

TEST(MsgFramer, ChunkedExactlyAtBodyLimit) {
    const std::string in = kChunkedHead + "6\r\nhello \r\n4\r\nworl\r\n0\r\n\r\n";
    GuardedBuffer g(in);
    FramerState st;
    Message m;
    const FrameResult r = frame_stream(g.data(), g.size(), body_limit(10), StreamOptions{}, st, m);
    ASSERT_EQ(r.status, FrameStatus::Done) << r.error;
    EXPECT_EQ(m.body, "hello worl");
}

TEST(MsgFramer, LargeBodyInManyReadsParsesHeadOnce) {
    std::string body(100000, 'z');
    const std::string head = kPost + "Content-Length: 100000\r\n\r\n";
    std::string buf = head + body;
    FramerState st;
    Message m;
    size_t len = head.size();
    FrameResult r = frame_stream(buf.data(), len, Limits{}, StreamOptions{}, st, m);
    ASSERT_EQ(r.status, FrameStatus::NeedMore);
    EXPECT_EQ(st.head_len, head.size());
    EXPECT_EQ(st.body_len, 100000u);
    // Between reads the Message may serve other connections: clobber it.
    m.clear();
    for (len += 4096; len < buf.size(); len += 4096) {
        r = frame_stream(buf.data(), len, Limits{}, StreamOptions{}, st, m);
        ASSERT_EQ(r.status, FrameStatus::NeedMore);
    }
    r = frame_stream(buf.data(), buf.size(), Limits{}, StreamOptions{}, st, m);
    ASSERT_EQ(r.status, FrameStatus::Done);
    EXPECT_EQ(m.body.size(), 100000u);
    EXPECT_EQ(m.method, "POST");
    EXPECT_EQ(m.content_length, 100000u);
}

TEST(MsgFramer, StateResetAfterError) {
    GuardedBuffer g(kChunkedHead + "zz\r\n");
    FramerState st;
    Message m;
    const FrameResult r = frame_stream(g.data(), g.size(), Limits{}, StreamOptions{}, st, m);
    ASSERT_EQ(r.status, FrameStatus::Error);
    EXPECT_EQ(st.head_len, 0u);
    EXPECT_FALSE(st.chunked);
}

// ---------------------------------------------------------------------------------------
// Datagrams

struct DatagramCase {
    std::string name;
    std::string input;
    FrameStatus status;
    int http_status;   // Error
    std::string body;  // Done
    Limits limits{};
};

const std::vector<DatagramCase> kDatagram = {
    {"sip_options_no_cl",
     "OPTIONS sip:p@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n\r\n",
     FrameStatus::Done, 0, ""},
    {"sip_rest_is_body", "MESSAGE sip:a@b SIP/2.0\r\n\r\nhello", FrameStatus::Done, 0, "hello"},
    {"sip_cl_shorter_than_datagram", "MESSAGE sip:a@b SIP/2.0\r\nl: 3\r\n\r\nhello",
     FrameStatus::Done, 0, "hel"},
    {"sip_cl_longer_than_datagram", "MESSAGE sip:a@b SIP/2.0\r\nl: 9\r\n\r\nhello",
     FrameStatus::Error, 0, ""},
    {"sip_reply", "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", FrameStatus::Done, 0, ""},
    {"leading_crlf_skipped", "\r\n\r\nOPTIONS sip:x SIP/2.0\r\n\r\n", FrameStatus::Done, 0, ""},
    {"only_crlf", "\r\n\r\n", FrameStatus::Error, 400, ""},
    {"empty", "", FrameStatus::Error, 400, ""},
    {"http_get", "GET /udp HTTP/1.1\r\nHost: h\r\n\r\n", FrameStatus::Done, 0, ""},
    {"http_post_cl", "POST /udp HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi!", FrameStatus::Done, 0,
     "hi"},
    {"http_chunked_refused", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     FrameStatus::Error, 400, ""},
    {"truncated_head", "OPTIONS sip:x SIP/2.0\r\nVia: x\r\n", FrameStatus::Error, 0, ""},
    {"http_truncated_head", "GET / HTTP/1.1\r\nHost: x\r\n", FrameStatus::Error, 400, ""},
    {"parse_error_propagated", "GET / HTTP/2.0\r\n\r\n", FrameStatus::Error, 505, ""},
    {"cl_over_limit", "MESSAGE sip:a@b SIP/2.0\r\nl: 6\r\n\r\nhello!", FrameStatus::Error, 0,
     "", body_limit(5)},
    {"rest_over_limit", "MESSAGE sip:a@b SIP/2.0\r\n\r\nhello!", FrameStatus::Error, 0, "",
     body_limit(5)},
    {"http_rest_over_limit", "POST / HTTP/1.1\r\n\r\nhello!", FrameStatus::Error, 413, "",
     body_limit(5)},
};

class FrameDatagram : public ::testing::TestWithParam<DatagramCase> {};

TEST_P(FrameDatagram, Frames) {
    const DatagramCase& c = GetParam();
    GuardedBuffer g(c.input);
    Message m;
    const FrameResult r = frame_datagram(g.data(), g.size(), c.limits, m);
    ASSERT_EQ(r.status, c.status) << r.error;
    if (c.status == FrameStatus::Done) {
        EXPECT_EQ(m.body, c.body);
        EXPECT_EQ(r.consumed, c.input.size());
        EXPECT_EQ(m.raw.size(), m.head.size() + m.body.size());
    } else {
        EXPECT_EQ(r.http_status, c.http_status) << r.error;
    }
}

TEST_P(FrameDatagram, NeverNeedsMore) {
    const DatagramCase& c = GetParam();
    for (size_t n = 0; n <= c.input.size(); ++n) {
        GuardedBuffer g(std::string_view(c.input).substr(0, n));
        Message m;
        const FrameResult r = frame_datagram(g.data(), g.size(), c.limits, m);
        ASSERT_TRUE(r.status == FrameStatus::Done || r.status == FrameStatus::Error) << n;
    }
}

INSTANTIATE_TEST_SUITE_P(Msg, FrameDatagram, ::testing::ValuesIn(kDatagram),
                         [](const auto& info) { return testing::param_name(info.param.name); });

}  // namespace
}  // namespace siphon::msg
