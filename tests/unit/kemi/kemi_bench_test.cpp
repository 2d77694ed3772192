// Cost of one HTTP request through the Lua engine (xhttp event_callback), without network:
// the measurement behind the Lua 5.4 / LuaJIT choice in docs/kemi.md. Disabled by default;
// run with
//   siphon_unit --gtest_also_run_disabled_tests --gtest_filter='KemiBench.*'
// Thread CPU time is measured, so other load on the machine matters less than wall time.
#include <gtest/gtest.h>
#include <time.h>

#include <cstdio>

#include "cfg/interp.h"
#include "kemi_test_util.h"
#include "modules/xhttp/xhttp.h"

namespace siphon::kemi::test {
namespace {

constexpr std::string_view kRequest =
    "GET /bench/pv/x?y=2 HTTP/1.1\r\nHost: localhost\r\nUser-Agent: wrk-bench-agent\r\n\r\n";

constexpr std::string_view kSimple = R"lua(
function ksr_xhttp_event(evname)
    KSR.xhttp.xhttp_reply(200, "OK", "text/plain", "ok\n")
    return 1
end
)lua";

constexpr std::string_view kWork = R"lua(
function ksr_xhttp_event(evname)
    local path = KSR.pv.get("$(hu{url.path})")
    local ua = KSR.hdr.get("User-Agent") or ""
    local parts = {}
    for seg in string.gmatch(path, "[^/]+") do parts[#parts + 1] = string.upper(seg) end
    local sum = 0
    for i = 1, 200 do sum = sum + (i * #ua) % 7 end
    local body = string.format('{"path":"%s","segs":%d,"sum":%d,"si":"%s"}\n',
        table.concat(parts, "."), #parts, sum, KSR.kx.get_srcip())
    KSR.xhttp.xhttp_reply(200, "OK", "application/json", body)
end
)lua";

double thread_seconds() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void measure(const char* label, std::string_view lua, bool native = false) {
    std::string head =
        native
            ? ""
            : "cfgengine \"lua\"\nmodparam(\"xhttp\", \"event_callback\", \"ksr_xhttp_event\")\n";
    Harness h(lua, head);
    ASSERT_TRUE(h.ok()) << h.messages();
    auto* x = static_cast<modules::XhttpData*>(h.script().module_data("xhttp"));
    constexpr int kWarm = 20000, kRuns = 200000;
    double best = 1e9;
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < kWarm; ++i) {
            h.new_message(kRequest);
            modules::xhttp_handle(h.script(), *x, h.ctx());
        }
        double t0 = thread_seconds();
        for (int i = 0; i < kRuns; ++i) {
            h.new_message(kRequest);
            modules::xhttp_handle(h.script(), *x, h.ctx());
        }
        double ns = (thread_seconds() - t0) * 1e9 / kRuns;
        if (ns < best) best = ns;
    }
    EXPECT_EQ(h.sent().rfind("HTTP/1.1 200 OK", 0), 0u) << h.sent();
    std::printf("%-24s %8.0f ns/request (best of 3 x %d)\n", label, best, kRuns);
}

TEST(KemiBench, DISABLED_XhttpCallbackCost) {
    measure("parse+native route", {}, true);
    measure("lua simple reply", kSimple);
    measure("lua with script work", kWork);
}

} // namespace
} // namespace siphon::kemi::test
