// libFuzzer target for pseudo-variable format strings and transformations: the input is
// parsed as a format string (parse_format) and as a single PV (parse_pv) against a registry
// with the core PVs and every transformation family (s.*, param.*, url.*), then rendered
// against a parsed SIP request and an HTTP request. Each rendered value is then fed through
// every transformation, with arguments taken from the rendered text.
// Seeds: fuzz/corpus/format/, dictionary fuzz/format.dict.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.h"
#include "msg/message.h"
#include "pv/context.h"
#include "pv/pv.h"
#include "pv/transform_defs.h"

namespace {

using namespace siphon;

// Reports which invariant failed, then aborts (libFuzzer saves the input).
#define check(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                             \
        }                                                                             \
    } while (0)

constexpr std::string_view kSip =
    "INVITE sip:alice:secret@example.com:5070;transport=tcp;lr?subject=hi SIP/2.0\r\n"
    "Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-1;rport\r\n"
    "Via: SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bK-2;received=10.0.0.1\r\n"
    "From: \"Bob B\" <sip:bob@example.org>;tag=f1\r\n"
    "To: <sip:alice@example.com>\r\n"
    "Call-ID: cid-1@192.0.2.1\r\n"
    "CSeq: 10 INVITE\r\n"
    "Contact: <sip:bob@192.0.2.1:5060;transport=tcp>;expires=60\r\n"
    "Record-Route: <sip:p1.example.net;lr>, <sip:p2.example.net;lr>\r\n"
    "Max-Forwards: 70\r\n"
    "User-Agent: fuzz\r\n"
    "X-Num: 12\r\n"
    "X-Num: -7\r\n"
    "X-List: a=1;b=2;flag;c=\"q\"\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 10\r\n"
    "\r\n"
    "v=0\r\no=x\r\n";

constexpr std::string_view kHttp =
    "POST /api/v1/x%20y?a=1&b=two%20w&c#frag HTTP/1.1\r\n"
    "Host: 127.0.0.1:5060\r\n"
    "User-Agent: fuzz\r\n"
    "Content-Type: application/json\r\n"
    "Cookie: k=v; k2=v2\r\n"
    "Content-Length: 13\r\n"
    "\r\n"
    "{\"a\":[1,2,3]}";

class NullSink : public pv::ReplySink {
public:
    bool send(std::string_view) override { return true; }
    bool send_to(const sockaddr*, socklen_t, std::string_view) override { return true; }
    bool is_stream() const override { return true; }
};

struct Sample {
    std::string raw;
    msg::Message m;
    explicit Sample(std::string_view text) : raw(text) {
        const msg::ParseResult pr = msg::parse_head(raw, msg::Limits{}, m);
        check(pr.status == msg::ParseStatus::Done);
        m.raw = raw;
        m.body = std::string_view(raw).substr(pr.consumed);
    }
};

const Sample& sip_sample() {
    static const Sample s(kSip);
    return s;
}
const Sample& http_sample() {
    static const Sample s(kHttp);
    return s;
}

std::vector<const pv::TrDef*> all_transformations() {
    std::vector<const pv::TrDef*> v;
    // Every family; those that need the message context ({re.subst}: fn_data) are reached
    // through parse_format/render instead.
    for (auto span : {pv::string_transformations(), pv::param_transformations(),
                      pv::url_transformations(), pv::uri_transformations(),
                      pv::nameaddr_transformations(), pv::line_transformations(),
                      pv::val_transformations()})
        for (const pv::TrDef& d : span)
            if (d.fn) v.push_back(&d);
    return v;
}

// Runs every transformation on `in`, with arguments derived from `seed` bytes.
void transform_all(std::string_view in, std::string_view seed, Arena& arena) {
    static const std::vector<const pv::TrDef*> trs = all_transformations();
    size_t k = 0;
    auto next = [&]() -> uint8_t {
        if (seed.empty()) return 0;
        return static_cast<uint8_t>(seed[k++ % seed.size()]);
    };
    for (const pv::TrDef* d : trs) {
        Value args[4];
        const size_t n = d->min_args + (d->max_args > d->min_args ? next() % (d->max_args - d->min_args + 1) : 0);
        for (size_t i = 0; i < n; ++i) {
            if (d->kinds[i] == pv::TrArg::Int) {
                args[i] = Value::of_int(static_cast<int32_t>(static_cast<int8_t>(next())) * (next() % 3 == 0 ? 1000000 : 1));
            } else {
                const size_t a = in.empty() ? 0 : next() % in.size();
                const size_t b = next() % 8;
                args[i] = Value::of_str(in.substr(a, b));
            }
        }
        Value v = (next() % 5 == 0) ? Value::of_int(static_cast<int32_t>(in.size()) - 3)
                                    : Value::of_str(in);
        (void)d->fn(v, std::span<const Value>(args, n), arena);
        if (v.is_str()) (void)v.s.size();
        // A chain: a second transformation on the result.
        const pv::TrDef* d2 = trs[next() % trs.size()];
        if (d2->min_args == 0 && v.is_str()) (void)d2->fn(v, {}, arena);
    }
}

void run_on(const Sample& sample, const pv::Format* fmt, const pv::PvSpec* spec,
            pv::Registry& reg, std::string_view seed, bool set) {
    pv::WorkerState w;
    w.scratch.resize(8192);
    w.vars.resize(reg.var_count());
    pv::SharedVars shv;
    for (size_t i = 0; i < reg.shv_count(); ++i)
        shv.slots.push_back(std::make_unique<pv::SharedVars::Slot>());
    msg::Message m = sample.m;
    pv::RecvInfo rcv;
    rcv.proto = pv::Proto::Tcp;
    std::snprintf(rcv.src_ip, sizeof rcv.src_ip, "192.0.2.1");
    rcv.src_port = 40000;
    std::snprintf(rcv.dst_ip, sizeof rcv.dst_ip, "127.0.0.1");
    rcv.dst_port = 5060;
    NullSink sink;
    pv::Ctx ctx{w};
    ctx.shv = &shv;
    ctx.msg = &m;
    ctx.rcv = &rcv;
    ctx.sink = &sink;
    ctx.reply_hdrs = &w.reply_hdrs;
    ctx.route_type = m.is_http() ? pv::kEventRoute : pv::kRequestRoute;

    if (fmt) {
        std::string_view out;
        if (pv::render(ctx, *fmt, out)) transform_all(out, seed, w.arena);
    }
    if (spec) {
        Value v;
        if (pv::get_pv(ctx, *spec, v)) {
            const std::string_view t = pv::value_text(ctx, v);
            transform_all(t, seed, w.arena);
        }
        if (set && pv::pv_writable(*spec)) {
            (void)pv::set_pv(ctx, *spec, Value::of_str(seed));
            (void)pv::get_pv(ctx, *spec, v);
            (void)pv::set_pv(ctx, *spec, Value::of_int(static_cast<int32_t>(seed.size())));
            (void)pv::get_pv(ctx, *spec, v);
            (void)pv::set_pv(ctx, *spec, Value::null());
            (void)pv::get_pv(ctx, *spec, v);
        }
        if (fmt) {
            std::string_view out;
            (void)pv::render(ctx, *fmt, out);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    siphon::log_config().level.store(siphon::kLogCrit);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 16 * 1024) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // A fresh registry per input: $var/$shv/$avp names interned while parsing do not leak
    // into the next input.
    pv::Registry reg;
    pv::register_core(reg);
    reg.add_transformations(pv::url_transformations());

    std::string err;
    auto fmt = std::make_unique<pv::Format>();
    const bool fmt_ok = pv::parse_format(text, reg, *fmt, err);
    if (!fmt_ok) check(!err.empty());

    std::unique_ptr<pv::PvSpec> spec;
    if (!text.empty() && text[0] == '$') {
        size_t used = 0;
        err.clear();
        spec = pv::parse_pv(text, reg, used, err);
        if (spec) check(used > 0 && used <= text.size());
    }

    const std::string_view seed = text.substr(size / 2);
    run_on(sip_sample(), fmt_ok ? fmt.get() : nullptr, spec.get(), reg, seed, true);
    run_on(http_sample(), fmt_ok ? fmt.get() : nullptr, spec.get(), reg, seed, true);
    // The raw input itself through every transformation.
    Arena arena;
    transform_all(text, seed, arena);
    return 0;
}
