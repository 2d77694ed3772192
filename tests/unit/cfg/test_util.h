// Helpers for the config parser and interpreter tests: load a config from text, build a
// request without any network, run a route against it and read variables back.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "cfg/interp.h"
#include "cfg/script.h"
#include "core/log.h"
#include "modules/registry.h"
#include "msg/message.h"
#include "pv/context.h"
#include "pv/pv.h"

namespace siphon::cfg::test {

inline constexpr std::string_view kSipRequest =
    "OPTIONS sip:alice@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1;rport\r\n"
    "From: <sip:bob@example.org>;tag=f1\r\n"
    "To: <sip:alice@example.com>\r\n"
    "Call-ID: cid-1@192.0.2.1\r\n"
    "CSeq: 10 OPTIONS\r\n"
    "Max-Forwards: 70\r\n"
    "X-Num: 12\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

inline constexpr std::string_view kHttpRequest =
    "GET /status?x=1 HTTP/1.1\r\n"
    "Host: 127.0.0.1:5060\r\n"
    "User-Agent: test\r\n"
    "\r\n";

// Captures every byte a reply function sends.
class CaptureSink : public pv::ReplySink {
public:
    explicit CaptureSink(bool stream) : stream_(stream) {}
    bool send(std::string_view bytes) override {
        sent += bytes;
        ++sends;
        return true;
    }
    bool send_to(const sockaddr*, socklen_t, std::string_view bytes) override {
        return send(bytes);
    }
    bool is_stream() const override { return stream_; }

    std::string sent;
    int sends = 0;

private:
    bool stream_;
};

// Loads `text` as a config with the built-in modules. Errors (if any) are in `diag`.
struct Loaded {
    Diagnostics diag;
    std::unique_ptr<Script> script;

    explicit Loaded(const std::string& text, const std::string& path = "test.cfg") {
        LoadOptions lo;
        lo.path = path;
        lo.text = &text;
        lo.modules = modules::builtin();
        script = load_script(lo, diag);
    }
    bool ok() const { return diag.error_count() == 0; }
    // All diagnostics, one "file:line:col: error: message" line each (no source lines).
    std::string messages() const { return diag.format(script->sources, false); }
};

// The common module preamble of the tests.
inline std::string preamble() {
    return "loadmodule \"sl.so\"\n"
           "loadmodule \"xlog.so\"\n"
           "loadmodule \"textops.so\"\n"
           "loadmodule \"pv.so\"\n"
           "loadmodule \"xhttp.so\"\n";
}

// A config whose request_route is `body`, plus any extra blocks (named routes ...).
inline std::string request_cfg(std::string_view body, std::string_view extra = {}) {
    std::string s = preamble();
    s += "request_route {\n";
    s += body;
    s += "\n}\n";
    s += extra;
    s += "\nevent_route[xhttp:request] {\n    xhttp_reply(\"200\", \"OK\", \"\", \"\");\n}\n";
    return s;
}

// A config whose event_route[xhttp:request] is `body`.
inline std::string http_cfg(std::string_view body, std::string_view extra = {}) {
    std::string s = preamble();
    s += "event_route[xhttp:request] {\n";
    s += body;
    s += "\n}\n";
    s += extra;
    return s;
}

// One worker running a loaded config against messages built from literal text.
class Runner {
public:
    explicit Runner(const std::string& cfg_text) : loaded_(cfg_text) {
        // Script warnings and errors are expected in these tests; keep the output quiet.
        log_config().level.store(kLogCrit);
        w_.scratch.resize(static_cast<size_t>(script().core.pv_buffer_size));
        w_.vars.resize(script().reg.var_count());
        for (size_t i = 0; i < script().reg.shv_count(); ++i)
            shv_.slots.push_back(std::make_unique<pv::SharedVars::Slot>());
    }
    ~Runner() { log_config().level.store(kLogWarn); }

    bool ok() const { return loaded_.ok(); }
    std::string messages() const { return loaded_.messages(); }
    Script& script() { return *loaded_.script; }

    // Runs request_route (SIP text) or event_route[xhttp:request] (HTTP text) for one new
    // message, as the dispatcher does: the arena and AVPs are reset, $var survives.
    RunResult run(std::string_view request = kSipRequest) {
        begin(request);
        const Route* r = m_.is_http() ? script().event_route("xhttp:request")
                                      : script().request_route;
        EXPECT_NE(r, nullptr) << "no route for this request";
        if (!r) return {};
        return run_route(script(), *r, *ctx_);
    }
    RunResult run_http(std::string_view request = kHttpRequest) { return run(request); }

    // Makes `request` the current message without running a route; ctx() is then its context
    // (received over `proto` from 127.0.0.1:40000 on 127.0.0.1:5060).
    void begin(std::string_view request, pv::Proto proto = pv::Proto::Tcp) {
        raw_.assign(request);
        m_.clear();
        msg::ParseResult pr = msg::parse_head(raw_, msg::Limits{}, m_);
        EXPECT_EQ(pr.status, msg::ParseStatus::Done) << "test request does not parse";
        m_.raw = raw_;
        m_.body = std::string_view(raw_).substr(pr.consumed);
        w_.arena.reset();
        w_.avps.clear();
        w_.reply_hdrs.clear();
        ++w_.msg_id;
        sink_ = std::make_unique<CaptureSink>(true);
        ctx_ = std::make_unique<pv::Ctx>(pv::Ctx{w_});
        ctx_->shv = &shv_;
        ctx_->msg = &m_;
        ctx_->rcv = &rcv_;
        ctx_->sink = sink_.get();
        ctx_->reply_hdrs = &w_.reply_hdrs;
        ctx_->route_type = m_.is_http() ? pv::kEventRoute : pv::kRequestRoute;
        rcv_.proto = proto;
        std::snprintf(rcv_.src_ip, sizeof rcv_.src_ip, "127.0.0.1");
        rcv_.src_port = 40000;
        std::snprintf(rcv_.dst_ip, sizeof rcv_.dst_ip, "127.0.0.1");
        rcv_.dst_port = 5060;
    }
    pv::Ctx& ctx() { return *ctx_; }

    // Reads a pseudo-variable in the context of the last message.
    Value get(const std::string& pv_text) {
        std::string err;
        auto spec = pv::parse_pv_exact(pv_text, script().reg, err);
        EXPECT_TRUE(spec) << pv_text << ": " << err;
        if (!spec) return {};
        if (!ctx_) {
            ctx_ = std::make_unique<pv::Ctx>(pv::Ctx{w_});
            ctx_->shv = &shv_;
        }
        Value v;
        if (!pv::get_pv(*ctx_, *spec, v)) return Value::null();
        return v;
    }
    // "i:N", "s:TEXT" or "null" for a variable: one string that gtest prints well.
    std::string show(const std::string& pv_text) {
        Value v = get(pv_text);
        if (v.is_int()) return "i:" + std::to_string(v.i);
        if (v.is_str()) return "s:" + std::string(v.s);
        return "null";
    }
    const std::string& sent() const { return sink_->sent; }
    pv::WorkerState& worker() { return w_; }
    pv::SharedVars& shared() { return shv_; }

private:
    Loaded loaded_;
    pv::WorkerState w_;
    pv::SharedVars shv_;
    std::string raw_;
    msg::Message m_;
    pv::RecvInfo rcv_;
    std::unique_ptr<CaptureSink> sink_;
    std::unique_ptr<pv::Ctx> ctx_;
};

}  // namespace siphon::cfg::test
