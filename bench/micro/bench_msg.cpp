// Parser micro-benchmarks: msg::parse_head, msg::frame_stream, msg::frame_datagram and the
// SIP header-body parsers, on the messages the load tests send plus a realistic INVITE.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "bench/micro/common.h"
#include "msg/framer.h"
#include "msg/sip_parse.h"

namespace siphon::bench {
namespace {

void parse_head_bm(benchmark::State& st, const std::string& text) {
    auto m = std::make_unique<msg::Message>();
    msg::Limits lim;
    for (auto _ : st) {
        auto r = msg::parse_head(text, lim, *m);
        if (r.status != msg::ParseStatus::Done) st.SkipWithError("parse failed");
        benchmark::DoNotOptimize(m->header_count);
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(text.size()));
    st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK_CAPTURE(parse_head_bm, sip_invite, kInvite);
BENCHMARK_CAPTURE(parse_head_bm, sip_options, kOptions);
BENCHMARK_CAPTURE(parse_head_bm, http_get, kHttpGet);
BENCHMARK_CAPTURE(parse_head_bm, http_browser, kHttpBrowser);

// The per-request path on a keep-alive connection: frame one request at the start of the
// receive buffer (the buffer is not modified for Content-Length / no-body framing).
void frame_stream_bm(benchmark::State& st, const std::string& text) {
    auto m = std::make_unique<msg::Message>();
    msg::Limits lim;
    msg::StreamOptions opt;
    opt.accept_no_cl = true;
    std::string buf = text;
    for (auto _ : st) {
        msg::FramerState fs;
        auto r = msg::frame_stream(buf.data(), buf.size(), lim, opt, fs, *m);
        if (r.status != msg::FrameStatus::Done) st.SkipWithError("frame failed");
        benchmark::DoNotOptimize(r.consumed);
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(text.size()));
    st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK_CAPTURE(frame_stream_bm, http_get, kHttpGet);
BENCHMARK_CAPTURE(frame_stream_bm, sip_invite_tcp, kInvite);

// Chunked bodies are decoded in place, so each iteration works on a fresh copy (the copy is
// part of the measured time; it is small next to the decoding).
void frame_stream_chunked(benchmark::State& st) {
    std::string text = "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 16; ++i) text += "40\r\n" + std::string(64, 'a' + i) + "\r\n";
    text += "0\r\n\r\n";
    auto m = std::make_unique<msg::Message>();
    msg::Limits lim;
    msg::StreamOptions opt;
    std::string buf;
    buf.reserve(text.size());
    for (auto _ : st) {
        buf.assign(text);
        msg::FramerState fs;
        auto r = msg::frame_stream(buf.data(), buf.size(), lim, opt, fs, *m);
        if (r.status != msg::FrameStatus::Done || m->body.size() != 1024) st.SkipWithError("frame failed");
        benchmark::DoNotOptimize(r.consumed);
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(text.size()));
}
BENCHMARK(frame_stream_chunked);

void frame_datagram_bm(benchmark::State& st, const std::string& text) {
    auto m = std::make_unique<msg::Message>();
    msg::Limits lim;
    std::string buf = text;
    for (auto _ : st) {
        auto r = msg::frame_datagram(buf.data(), buf.size(), lim, *m);
        if (r.status != msg::FrameStatus::Done) st.SkipWithError("frame failed");
        benchmark::DoNotOptimize(r.consumed);
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(text.size()));
    st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK_CAPTURE(frame_datagram_bm, sip_options, kOptions);
BENCHMARK_CAPTURE(frame_datagram_bm, sip_invite, kInvite);

void parse_via_bm(benchmark::State& st) {
    std::string_view v = "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport;received=192.0.2.10";
    for (auto _ : st) {
        msg::Via via;
        bool ok = msg::parse_via(v, via);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(via.branch);
    }
}
BENCHMARK(parse_via_bm);

void parse_sip_uri_bm(benchmark::State& st) {
    std::string_view u = "sip:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project";
    for (auto _ : st) {
        msg::SipUri uri;
        bool ok = msg::parse_sip_uri(u, uri);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(uri.host);
    }
}
BENCHMARK(parse_sip_uri_bm);

}  // namespace
}  // namespace siphon::bench
