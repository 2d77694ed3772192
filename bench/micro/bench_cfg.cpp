// Interpreter micro-benchmarks: cfg::load_script on the benchmark configuration, and
// cfg::run_route on the routes the load tests exercise (OPTIONS -> sl_send_reply, the two
// xhttp event routes) plus a route of typical routing logic. The whole non-network path of
// one HTTP request (modules::App::on_message) is measured too.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "bench/micro/common.h"
#include "cfg/interp.h"
#include "modules/app.h"
#include "modules/registry.h"
#include "msg/framer.h"

namespace siphon::bench {

std::unique_ptr<cfg::Script> load(const std::string& text) {
    cfg::LoadOptions lo;
    lo.path = "<bench>";
    lo.text = &text;
    lo.modules = modules::builtin();
    cfg::Diagnostics diag;
    auto s = cfg::load_script(lo, diag);
    if (diag.error_count()) {
        std::fputs(diag.format(s->sources).c_str(), stderr);
        std::abort();
    }
    return s;
}

std::unique_ptr<pv::WorkerState> make_worker(const cfg::Script& s) {
    auto w = std::make_unique<pv::WorkerState>();
    w->scratch.resize(size_t(s.core.pv_buffer_size));
    w->vars.resize(s.reg.var_count());
    return w;
}

namespace {

// bench/configs/server.cfg (children/listen lines left out: they do not matter here).
const std::string kHead =
    "#!KAMAILIO\n"
    "debug=2\n"
    "tcp_accept_no_cl=yes\n"
    "loadmodule \"pv.so\"\n"
    "loadmodule \"textops.so\"\n"
    "loadmodule \"sl.so\"\n"
    "loadmodule \"xhttp.so\"\n";
const std::string kRequestRoute =
    "request_route {\n"
    "    if (is_method(\"OPTIONS\")) {\n"
    "        sl_send_reply(\"200\", \"OK\");\n"
    "        exit;\n"
    "    }\n"
    "}\n";
const std::string kFixedCfg = kHead + kRequestRoute +
    "event_route[xhttp:request] {\n"
    "    xhttp_reply(\"200\", \"OK\", \"text/plain\", \"ok\\n\");\n"
    "}\n";
const std::string kPvCfg = kHead + kRequestRoute +
    "event_route[xhttp:request] {\n"
    "    xhttp_reply(\"200\", \"OK\", \"text/plain\", \"OK - [$si:$sp] $rm $hu $(hu{url.path}) $hdr(User-Agent)\\n\");\n"
    "}\n";
// Typical request-routing logic, no reply: method and header tests, a regex, a switch,
// transformations, variables and a small loop.
const std::string kLogicCfg = kFixedCfg +
    "route[LOGIC] {\n"
    "    if ($hdr(User-Agent) =~ \"friendly-scanner|sipvicious\") { drop; }\n"
    "    if (is_method(\"INVITE|SUBSCRIBE\") && $rU != $null) { $var(kind) = \"call\"; }\n"
    "    else { $var(kind) = \"other\"; }\n"
    "    switch ($rm) {\n"
    "        case \"INVITE\": $var(n) = 1; break;\n"
    "        case \"BYE\": $var(n) = 2; break;\n"
    "        default: $var(n) = 0;\n"
    "    }\n"
    "    $var(host) = $rd;\n"
    "    $var(user) = $fU;\n"
    "    if ($fd == \"atlanta.example.com\" && $var(user) == \"alice\") { $var(local) = 1; }\n"
    "    $var(i) = 0;\n"
    "    while ($var(i) < 5) {\n"
    "        $var(i) = $var(i) + 1;\n"
    "    }\n"
    "    if (is_present_hf(\"P-Asserted-Identity\")) { $var(pai) = $hdr(P-Asserted-Identity); }\n"
    "    return 1;\n"
    "}\n";

void load_script_bm(benchmark::State& st) {
    for (auto _ : st) {
        auto s = load(kLogicCfg);
        benchmark::DoNotOptimize(s.get());
    }
}
BENCHMARK(load_script_bm)->Unit(benchmark::kMicrosecond);

struct Fixture {
    std::unique_ptr<cfg::Script> script;
    std::unique_ptr<pv::WorkerState> w;
    std::unique_ptr<msg::Message> m = std::make_unique<msg::Message>();
    std::string buf;
    pv::RecvInfo rcv;
    CountingSink sink;

    Fixture(const std::string& cfg, const std::string& text, pv::Proto proto) : script(load(cfg)), buf(text) {
        w = make_worker(*script);
        fill_rcv(rcv, proto);
        sink.set_stream(proto != pv::Proto::Udp);
        msg::Limits lim;
        msg::StreamOptions opt;
        opt.accept_no_cl = true;
        msg::FramerState fs;
        auto r = proto == pv::Proto::Udp ? msg::frame_datagram(buf.data(), buf.size(), lim, *m)
                                         : msg::frame_stream(buf.data(), buf.size(), lim, opt, fs, *m);
        if (r.status != msg::FrameStatus::Done) std::abort();
    }
};

void run_options_udp(benchmark::State& st) {
    Fixture f(kFixedCfg, kOptions, pv::Proto::Udp);
    for (auto _ : st) {
        pv::Ctx ctx = begin_message(*f.w, *f.m, f.rcv, f.sink);
        auto r = cfg::run_route(*f.script, *f.script->request_route, ctx);
        benchmark::DoNotOptimize(r.rc);
    }
    if (f.sink.count_ != st.iterations()) st.SkipWithError("no reply sent");
    st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(run_options_udp);

void run_xhttp(benchmark::State& st, const std::string* cfg) {
    Fixture f(*cfg, kHttpGet, pv::Proto::Tcp);
    const cfg::Route* route = f.script->event_route("xhttp:request");
    for (auto _ : st) {
        pv::Ctx ctx = begin_message(*f.w, *f.m, f.rcv, f.sink);
        ctx.route_type = pv::kEventRoute;
        auto r = cfg::run_route(*f.script, *route, ctx);
        benchmark::DoNotOptimize(r.rc);
    }
    if (f.sink.count_ != st.iterations()) st.SkipWithError("no reply sent");
    st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK_CAPTURE(run_xhttp, fixed_reply, &kFixedCfg);
BENCHMARK_CAPTURE(run_xhttp, pv_reply, &kPvCfg);

void run_logic_invite(benchmark::State& st) {
    Fixture f(kLogicCfg, kInvite, pv::Proto::Udp);
    const cfg::Route* route = f.script->named.at("LOGIC");
    for (auto _ : st) {
        pv::Ctx ctx = begin_message(*f.w, *f.m, f.rcv, f.sink);
        auto r = cfg::run_route(*f.script, *route, ctx);
        if (r.rc != 1) st.SkipWithError("unexpected route result");
        benchmark::DoNotOptimize(r.rc);
    }
    st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(run_logic_invite);

}  // namespace

// Everything between "a complete request is in the buffer" and "the reply bytes are handed
// to the socket": frame + dispatch + script + reply building.
void run_http_requests(benchmark::State& st, modules::App& app) {
    auto m = std::make_unique<msg::Message>();
    std::string buf = kHttpGet;
    pv::RecvInfo rcv;
    fill_rcv(rcv, pv::Proto::Tcp);
    CountingSink sink;
    sink.set_stream(true);
    msg::Limits lim;
    msg::StreamOptions opt;
    opt.accept_no_cl = true;
    for (auto _ : st) {
        msg::FramerState fs;
        auto r = msg::frame_stream(buf.data(), buf.size(), lim, opt, fs, *m);
        bool keep = app.on_message(0, *m, rcv, sink);
        benchmark::DoNotOptimize(keep);
        benchmark::DoNotOptimize(r.consumed);
    }
    if (sink.count_ != st.iterations()) st.SkipWithError("no reply sent");
    st.SetItemsProcessed(int64_t(st.iterations()));
}

namespace {

void app_http_request(benchmark::State& st, const std::string* cfg) {
    auto script = load(*cfg);
    modules::App app(*script, 1);
    run_http_requests(st, app);
}
BENCHMARK_CAPTURE(app_http_request, fixed_reply, &kFixedCfg);
BENCHMARK_CAPTURE(app_http_request, pv_reply, &kPvCfg);

void app_sip_options(benchmark::State& st) {
    auto script = load(kFixedCfg);
    modules::App app(*script, 1);
    auto m = std::make_unique<msg::Message>();
    std::string buf = kOptions;
    pv::RecvInfo rcv;
    fill_rcv(rcv, pv::Proto::Udp);
    CountingSink sink;
    msg::Limits lim;
    for (auto _ : st) {
        auto r = msg::frame_datagram(buf.data(), buf.size(), lim, *m);
        bool keep = app.on_message(0, *m, rcv, sink);
        benchmark::DoNotOptimize(keep);
        benchmark::DoNotOptimize(r.consumed);
    }
    if (sink.count_ != st.iterations()) st.SkipWithError("no reply sent");
    st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(app_sip_options);

}  // namespace
}  // namespace siphon::bench
