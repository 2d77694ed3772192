// libFuzzer target for the SIP header-body parsers (src/msg/sip_parse.h: parse_sip_uri,
// find_param, parse_via, parse_cseq, parse_name_addr) and the transformations that take
// URIs and parameter lists apart (url.*, param.*), without a config. Every view a parser
// returns must lie inside its input; parsed parts are parsed again where the server does so
// (the URI of a name-addr, the parameters of a URI or Via).
//
// Input layout: the text to parse; the transformations use the part before the first '\n'
// as the input value and the following lines as their arguments.
// Seeds: fuzz/corpus/uri/, dictionary fuzz/uri.dict.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "core/value.h"
#include "msg/sip_parse.h"
#include "pv/transform_defs.h"

namespace {

using namespace siphon;
using namespace siphon::msg;

// Reports which invariant failed, then aborts (libFuzzer saves the input).
#define check(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                             \
        }                                                                             \
    } while (0)

bool inside(std::string_view part, std::string_view in) {
    return part.empty() ||
           (part.data() >= in.data() && part.data() + part.size() <= in.data() + in.size());
}

void params(std::string_view p) {
    static constexpr std::string_view names[] = {"transport", "lr", "tag", "branch",
                                                 "rport", "received", "expires", "maddr",
                                                 "user", "ttl", ""};
    for (std::string_view n : names) {
        std::string_view v;
        if (find_param(p, n, v)) check(inside(v, p));
    }
}

void uri(std::string_view s) {
    SipUri u;
    if (!parse_sip_uri(s, u)) return;
    for (std::string_view part : {u.scheme, u.user, u.password, u.host, u.port, u.params,
                                  u.headers, u.transport})
        check(inside(part, s));
    params(u.params);
}

void headers(std::string_view s) {
    uri(s);
    params(s);

    Via via;
    if (parse_via(s, via)) {
        for (std::string_view part : {via.protocol, via.transport, via.host, via.port,
                                      via.params, via.branch, via.rport, via.received})
            check(inside(part, s));
        check(via.params_end <= s.size());
        check(via.rport_end <= s.size());
        params(via.params);
    }

    CSeq cseq;
    if (parse_cseq(s, cseq)) {
        check(inside(cseq.number, s));
        check(inside(cseq.method, s));
    }

    NameAddr na;
    if (parse_name_addr(s, na)) {
        for (std::string_view part : {na.display, na.uri, na.params, na.tag})
            check(inside(part, s));
        check(!na.uri.empty());
        uri(na.uri);
        params(na.params);
    }
}

const pv::TrDef* const* transformations(size_t& n) {
    static std::vector<const pv::TrDef*> v = [] {
        std::vector<const pv::TrDef*> r;
        for (auto span : {pv::param_transformations(), pv::url_transformations(),
                          pv::uri_transformations(), pv::nameaddr_transformations()})
            for (const pv::TrDef& d : span)
                if (d.fn) r.push_back(&d);
        return r;
    }();
    n = v.size();
    return v.data();
}

void transform(std::string_view s) {
    // value \n arg1 \n arg2
    std::string_view parts[3];
    size_t np = 0;
    size_t start = 0;
    while (np < 3) {
        const size_t nl = s.find('\n', start);
        parts[np++] = s.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    size_t ntr = 0;
    const pv::TrDef* const* trs = transformations(ntr);
    Arena arena(4096);
    for (size_t t = 0; t < ntr; ++t) {
        const pv::TrDef& d = *trs[t];
        for (size_t n = d.min_args; n <= d.max_args; ++n) {
            Value args[4];
            for (size_t i = 0; i < n; ++i) {
                const std::string_view a = i + 1 < np ? parts[i + 1] : std::string_view{};
                if (d.kinds[i] == pv::TrArg::Int) {
                    int64_t x = 0;
                    for (char c : a.substr(0, 10)) x = x * 10 + (static_cast<unsigned char>(c) % 10);
                    if (!a.empty() && a[0] == '-') x = -x;
                    args[i] = Value::of_int(static_cast<int32_t>(x));
                } else {
                    args[i] = Value::of_str(a);
                }
            }
            Value v = Value::of_str(parts[0]);
            if (d.fn(v, std::span<const Value>(args, n), arena) && v.is_str()) {
                // The result must be readable.
                volatile char sink = 0;
                for (char c : v.s) sink = static_cast<char>(sink ^ c);
                (void)sink;
            }
            Value iv = Value::of_int(static_cast<int32_t>(parts[0].size()));
            (void)d.fn(iv, std::span<const Value>(args, n), arena);
            Value nv = Value::null();
            (void)d.fn(nv, std::span<const Value>(args, n), arena);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 16 * 1024) return 0;
    // An exactly sized copy, so ASan sees reads past the end.
    std::vector<char> copy(data, data + size);
    const std::string_view s(copy.data(), copy.size());
    headers(s);
    // Each comma-separated entry, as for multi-value Via / Route / Contact headers.
    size_t start = 0;
    for (int i = 0; i < 8 && start <= s.size(); ++i) {
        const size_t c = s.find(',', start);
        const std::string_view part = s.substr(start, c == std::string_view::npos ? std::string_view::npos : c - start);
        if (part.size() != s.size()) headers(part);
        if (c == std::string_view::npos) break;
        start = c + 1;
    }
    transform(s);
    return 0;
}
