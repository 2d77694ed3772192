// Format-string micro-benchmarks: pv::parse_format (load time) and pv::render (per message)
// for the http-pv reply body and a few other shapes, and single PV reads with
// transformations.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "bench/micro/common.h"
#include "msg/framer.h"
#include "pv/pv.h"
#include "pv/transform_defs.h"

namespace siphon::bench {
namespace {

const std::string kPvBody = "OK - [$si:$sp] $rm $hu $(hu{url.path}) $hdr(User-Agent)\n";

struct PvFixture {
    pv::Registry reg;
    pv::WorkerState w;
    std::unique_ptr<msg::Message> m = std::make_unique<msg::Message>();
    std::string buf;
    pv::RecvInfo rcv;
    CountingSink sink;

    explicit PvFixture(const std::string& text, pv::Proto proto) : buf(text) {
        pv::register_core(reg);
        reg.add_transformations(pv::url_transformations());  // as loadmodule "xhttp.so" does
        w.scratch.resize(8192);
        w.vars.resize(16);
        fill_rcv(rcv, proto);
        msg::Limits lim;
        msg::StreamOptions opt;
        opt.accept_no_cl = true;
        msg::FramerState fs;
        auto r = proto == pv::Proto::Udp ? msg::frame_datagram(buf.data(), buf.size(), lim, *m)
                                         : msg::frame_stream(buf.data(), buf.size(), lim, opt, fs, *m);
        if (r.status != msg::FrameStatus::Done) std::abort();
    }
    void format(const std::string& text, pv::Format& f) {
        std::string err;
        if (!pv::parse_format(text, reg, f, err)) {
            std::fprintf(stderr, "parse_format(%s): %s\n", text.c_str(), err.c_str());
            std::abort();
        }
    }
};

void parse_format_bm(benchmark::State& st) {
    pv::Registry reg;
    pv::register_core(reg);
    reg.add_transformations(pv::url_transformations());
    for (auto _ : st) {
        pv::Format f;
        std::string err;
        bool ok = pv::parse_format(kPvBody, reg, f, err);
        benchmark::DoNotOptimize(ok);
    }
    st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(parse_format_bm);

void render_bm(benchmark::State& st, const std::string* text, const std::string* msg, pv::Proto proto) {
    PvFixture fx(*msg, proto);
    pv::Format f;
    fx.format(*text, f);
    size_t total = 0;
    for (auto _ : st) {
        pv::Ctx ctx = begin_message(fx.w, *fx.m, fx.rcv, fx.sink);
        std::string_view out;
        if (!pv::render(ctx, f, out)) st.SkipWithError("render failed");
        total += out.size();
        benchmark::DoNotOptimize(out);
    }
    st.SetItemsProcessed(int64_t(st.iterations()));
    st.SetBytesProcessed(int64_t(total));
}
const std::string kLiteral = "ok\n";
const std::string kSipFmt = "$rm from $fu to $ru via $si:$sp ($ci) cseq=$cs ua=$ua\n";
const std::string kManyHdrs = "$hdr(Via) | $hdr(From) | $hdr(To) | $hdr(Call-ID) | $hdr(CSeq) | $hdr(Contact)";
BENCHMARK_CAPTURE(render_bm, http_pv_body, &kPvBody, &kHttpGet, pv::Proto::Tcp);
BENCHMARK_CAPTURE(render_bm, literal, &kLiteral, &kHttpGet, pv::Proto::Tcp);
BENCHMARK_CAPTURE(render_bm, sip_invite_fields, &kSipFmt, &kInvite, pv::Proto::Udp);
BENCHMARK_CAPTURE(render_bm, sip_invite_hdrs, &kManyHdrs, &kInvite, pv::Proto::Udp);

void get_pv_bm(benchmark::State& st, const char* name, const std::string* msg) {
    PvFixture fx(*msg, pv::Proto::Tcp);
    std::string err;
    auto spec = pv::parse_pv_exact(name, fx.reg, err);
    if (!spec) {
        std::fprintf(stderr, "%s: %s\n", name, err.c_str());
        std::abort();
    }
    for (auto _ : st) {
        pv::Ctx ctx = begin_message(fx.w, *fx.m, fx.rcv, fx.sink);
        Value v;
        bool ok = pv::get_pv(ctx, *spec, v);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(v);
    }
    st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK_CAPTURE(get_pv_bm, si, "$si", &kHttpGet);
BENCHMARK_CAPTURE(get_pv_bm, hu_url_path, "$(hu{url.path})", &kHttpGet);
BENCHMARK_CAPTURE(get_pv_bm, hdr_user_agent, "$hdr(User-Agent)", &kHttpGet);
BENCHMARK_CAPTURE(get_pv_bm, rd, "$rd", &kInvite);
BENCHMARK_CAPTURE(get_pv_bm, fu_s_tolower_md5, "$(fu{s.tolower}{s.md5})", &kInvite);

}  // namespace
}  // namespace siphon::bench
