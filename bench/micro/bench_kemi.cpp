// KEMI micro-benchmarks: one HTTP request through modules::App (frame + dispatch + reply)
// with the xhttp event handled by a Lua callback (app_lua, event_callback) instead of the
// native event_route. Compare with app_http_request/fixed_reply in bench_cfg.cpp; the
// numbers behind the Lua implementation choice are in docs/kemi.md.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "bench/micro/common.h"
#include "modules/app.h"

namespace siphon::bench {
namespace {

constexpr const char* kSimple = R"lua(
function ksr_xhttp_event(evname)
    KSR.xhttp.xhttp_reply(200, "OK", "text/plain", "ok\n")
    return 1
end
)lua";

// Script work of a small web handler: path split, a loop, string formatting, KSR getters.
constexpr const char* kWork = R"lua(
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

// The Lua file lives as long as the process (app_lua reads it at load and on reload).
std::string lua_file(const char* code) {
    char path[] = "/tmp/siphon-bench-XXXXXX.lua";
    int fd = mkstemps(path, 4);
    if (fd < 0) std::abort();
    close(fd);
    std::ofstream(path) << code;
    return path;
}

void app_http_lua(benchmark::State& st, const char* code) {
    std::string file = lua_file(code);
    std::string cfg =
        "#!KAMAILIO\n"
        "debug=2\n"
        "tcp_accept_no_cl=yes\n"
        "loadmodule \"pv.so\"\n"
        "loadmodule \"sl.so\"\n"
        "loadmodule \"xhttp.so\"\n"
        "loadmodule \"app_lua.so\"\n"
        "cfgengine \"lua\"\n"
        "modparam(\"app_lua\", \"load\", \"" + file + "\")\n"
        "modparam(\"xhttp\", \"event_callback\", \"ksr_xhttp_event\")\n";
    auto script = load(cfg);
    modules::App app(*script, 1);
    app.on_worker_start(0);   // builds the worker's Lua state
    run_http_requests(st, app);
    std::remove(file.c_str());
}
BENCHMARK_CAPTURE(app_http_lua, simple_reply, kSimple);
BENCHMARK_CAPTURE(app_http_lua, script_work, kWork);

}  // namespace
}  // namespace siphon::bench
