// Shared fixtures for the micro-benchmarks: sample messages, a reply sink that only counts,
// and a per-message context built the way modules::App builds it for a worker.
#pragma once

#include <arpa/inet.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "cfg/script.h"
#include "msg/message.h"
#include "pv/context.h"

namespace benchmark {
class State;
}

namespace siphon::modules {
class App;
}

namespace siphon::bench {

// A typical INVITE from a softphone (about 900 bytes with SDP).
inline const std::string kInvite =
    "INVITE sip:bob@biloxi.example.com;transport=udp SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
    "Via: SIP/2.0/UDP 198.51.100.7:5080;branch=z9hG4bKnashds8;received=198.51.100.7\r\n"
    "Max-Forwards: 69\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@192.0.2.10:5060;transport=udp>\r\n"
    "Record-Route: <sip:proxy1.example.com;lr>\r\n"
    "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO\r\n"
    "Supported: replaces, timer\r\n"
    "User-Agent: Example Softphone 1.2.3\r\n"
    "P-Asserted-Identity: <sip:alice@atlanta.example.com>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 208\r\n"
    "\r\n"
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 8 97 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:97 iLBC/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=sendrecv\r\n";

// What bench/sipload sends.
inline const std::string kOptions =
    "OPTIONS sip:bench@127.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK-1a2b3c4d-0-17;rport\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:sipload@127.0.0.1>;tag=1a2b3c4d-0\r\n"
    "To: <sip:bench@127.0.0.1:5060>\r\n"
    "Call-ID: 17-0-1a2b3c4d@sipload\r\n"
    "CSeq: 17 OPTIONS\r\n"
    "User-Agent: sipload\r\n"
    "Content-Length: 0\r\n\r\n";

// What wrk sends for the http-pv row.
inline const std::string kHttpGet =
    "GET /bench/pv?x=1&y=2 HTTP/1.1\r\n"
    "Host: 127.0.0.1:8080\r\n"
    "User-Agent: wrk-siphon-bench\r\n\r\n";

// A browser-like request with more headers.
inline const std::string kHttpBrowser =
    "GET /status/health?verbose=1 HTTP/1.1\r\n"
    "Host: sip.example.com:5060\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Connection: keep-alive\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Cache-Control: max-age=0\r\n\r\n";

class CountingSink final : public pv::ReplySink {
public:
    bool send(std::string_view bytes) override {
        bytes_ += bytes.size();
        ++count_;
        return true;
    }
    bool send_to(const sockaddr*, socklen_t, std::string_view bytes) override { return send(bytes); }
    bool is_stream() const override { return stream_; }
    void set_stream(bool s) { stream_ = s; }
    size_t bytes_ = 0;
    int64_t count_ = 0;

private:
    bool stream_ = false;
};

inline void fill_rcv(pv::RecvInfo& r, pv::Proto proto) {
    r.proto = proto;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(40000);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    std::memcpy(&r.src, &a, sizeof a);
    r.src_len = sizeof a;
    std::strcpy(r.src_ip, "127.0.0.1");
    r.src_port = 40000;
    std::strcpy(r.dst_ip, "127.0.0.1");
    r.dst_port = 5060;
}

// Loads a config from text with the built-in modules; aborts with the diagnostics on error.
std::unique_ptr<cfg::Script> load(const std::string& text);

// Frames kHttpGet and hands it to app.on_message once per iteration (worker 0, TCP), as a
// worker does for a request that arrived whole; checks that every request got a reply.
void run_http_requests(benchmark::State& st, modules::App& app);

// Per-worker state sized as modules::App sizes it.
std::unique_ptr<pv::WorkerState> make_worker(const cfg::Script& s);

// Resets the per-message state as modules::App::on_message does and returns a fresh Ctx.
inline pv::Ctx begin_message(pv::WorkerState& w, msg::Message& m, pv::RecvInfo& rcv, pv::ReplySink& sink) {
    w.arena.reset();
    w.avps.clear();
    w.reply_hdrs.clear();
    ++w.msg_id;
    pv::Ctx ctx{w};
    ctx.msg = &m;
    ctx.rcv = &rcv;
    ctx.sink = &sink;
    ctx.reply_hdrs = &w.reply_hdrs;
    ctx.recv_time = 1700000000;
    return ctx;
}

}  // namespace siphon::bench
