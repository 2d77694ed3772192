// libFuzzer target for the KEMI argument conversion of app_lua: one config with app_lua and
// a small Lua driver is loaded once; for each input the driver decodes a list of calls
// (which KSR function, how many arguments, each argument's type and value) and makes them
// under pcall. Arguments include strings with NUL bytes, huge and fractional numbers, NaN,
// infinities, booleans, tables, functions and nil, with any arity. Lua errors are expected;
// crashes and sanitizer reports are not. Functions that sleep, touch files or run other
// Lua code are left out. One Lua state is reused; the driver keeps no globals between inputs.
//
// Input layout: byte 0 picks the message (SIP or HTTP); then per call: two bytes function
// index, one byte argument count, and per argument one type byte plus its payload.
// Seeds: fuzz/corpus/kemi/.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "cfg/script.h"
#include "core/log.h"
#include "modules/app_lua/app_lua.h"
#include "modules/registry.h"
#include "msg/message.h"
#include "pv/context.h"
#include "pv/pv.h"

namespace {

using namespace siphon;

constexpr std::string_view kDriver = R"lua(
local FUNCS = {}
local SKIP = { "sleep", "app_lua", "lua_", "dofile", "dostring", "runstring", "reload",
               "file", "exec", "lock" }
local function skipped(name)
  for _, s in ipairs(SKIP) do
    if string.find(name, s, 1, true) then return true end
  end
  return false
end
local function collect(t, prefix)
  for k, v in pairs(t) do
    if type(v) == "function" then
      local name = prefix .. k
      if not skipped(name) then FUNCS[#FUNCS + 1] = { name, v } end
    elseif type(v) == "table" and prefix == "" then
      collect(v, k .. ".")
    end
  end
end
collect(KSR, "")
table.sort(FUNCS, function(a, b) return a[1] < b[1] end)

local PVS = { "$var(x)", "$var(y)", "$avp(a)", "$hdr(From)", "$hdr(Via)", "$ru", "$rU",
              "$du", "$fu", "$tu", "$ci", "$rm", "$hu", "$si", "$sp", "$(hdr(Via)[1])",
              "$(ru{s.len})", "$(hu{url.path})", "$(hdr(X-P){param.value,a})", "$shv(s)",
              "$xavp(x=>y)", "$null", "$", "$(", "$var(", "$hdr()", "$(var(x){s.substr,1,-1})" }

local byte, sub = string.byte, string.sub

local function decode(data)
  local pos = 2
  local n = #data
  local function u8()
    if pos > n then return 0 end
    local b = byte(data, pos)
    pos = pos + 1
    return b
  end
  local function str(len)
    local s = sub(data, pos, pos + len - 1)
    pos = pos + len
    return s
  end
  local function arg(depth)
    local t = u8() % 20
    if t == 0 then return nil
    elseif t == 1 then return u8() - 128
    elseif t == 2 then
      local a, b, c, d = u8(), u8(), u8(), u8()
      return ((a * 256 + b) * 256 + c) * 256 + d - 2147483648
    elseif t == 3 then return 2147483647 + (u8() - 128)
    elseif t == 4 then return 0 / 0
    elseif t == 5 then return (u8() % 2 == 0) and math.huge or -math.huge
    elseif t == 6 then return 2 ^ (u8() % 80) * ((u8() % 2 == 0) and 1 or -1)
    elseif t == 7 then return (u8() - 128) + u8() / 256
    elseif t == 8 then return -0.0
    elseif t == 9 then return u8() % 2 == 0
    elseif t == 10 then return str(u8() % 64)
    elseif t == 11 then return str(u8() % 8) .. "\0" .. str(u8() % 8)
    elseif t == 12 then return PVS[u8() % #PVS + 1]
    elseif t == 13 then return PVS[u8() % #PVS + 1] .. str(u8() % 8)
    elseif t == 14 then return tostring(u8() - 128)
    elseif t == 15 then return string.rep(str(u8() % 4 + 1), u8() * 16)
    elseif t == 16 then
      if depth > 2 then return {} end
      local tb = {}
      for i = 1, u8() % 4 do tb[i] = arg(depth + 1) end
      return tb
    elseif t == 17 then return print
    elseif t == 18 then return coroutine.create(function() end)
    else return "" end
  end
  local calls = 0
  while pos <= n and calls < 32 do
    calls = calls + 1
    local hi, lo = u8(), u8()
    local f = FUNCS[(hi * 256 + lo) % #FUNCS + 1]
    local argc = u8() % 9
    local args = {}
    for i = 1, argc do args[i] = arg(0) end
    local ok, r = pcall(f[2], unpack(args, 1, argc))
    if ok and type(r) == "string" then local _ = #r end
  end
end

function __fuzz(data)
  local ok = pcall(decode, data)
  return ok
end
)lua";

class NullSink : public pv::ReplySink {
public:
    bool send(std::string_view) override { return true; }
    bool send_to(const sockaddr*, socklen_t, std::string_view) override { return true; }
    bool is_stream() const override { return true; }
};

constexpr std::string_view kSip =
    "INVITE sip:alice@example.com;transport=tcp SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1;rport\r\n"
    "From: \"Bob\" <sip:bob@example.org>;tag=f1\r\n"
    "To: <sip:alice@example.com>\r\n"
    "Call-ID: cid-1@192.0.2.1\r\n"
    "CSeq: 10 INVITE\r\n"
    "Contact: <sip:bob@192.0.2.1:5060>\r\n"
    "Max-Forwards: 70\r\n"
    "X-P: a=1;b=2\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 5\r\n"
    "\r\n"
    "hello";

constexpr std::string_view kHttp =
    "POST /api/x?a=1&b=2 HTTP/1.1\r\n"
    "Host: 127.0.0.1:5060\r\n"
    "User-Agent: fuzz\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "body";

constexpr int kQuiet = -100;

struct World {
    std::string lua_path;
    std::string cfg_text;
    cfg::Diagnostics diag;
    std::unique_ptr<cfg::Script> script;
    modules::AppLua* lua = nullptr;
    pv::WorkerState w;
    pv::SharedVars shv;
    pv::RecvInfo rcv;
    NullSink sink;
    std::string raw;
    msg::Message m;

    World() {
        log_config().level.store(kLogCrit2);
        lua_path = "/tmp/siphon_fuzz_kemi_" + std::to_string(getpid()) + ".lua";
        {
            std::ofstream f(lua_path, std::ios::binary | std::ios::trunc);
            f << kDriver;
        }
        cfg_text =
            "loadmodule \"sl.so\"\n"
            "loadmodule \"xlog.so\"\n"
            "loadmodule \"textops.so\"\n"
            "loadmodule \"pv.so\"\n"
            "loadmodule \"xhttp.so\"\n"
            "loadmodule \"siputils.so\"\n"
            "loadmodule \"kex.so\"\n"
            "loadmodule \"app_lua.so\"\n"
            "modparam(\"app_lua\", \"load\", \"" + lua_path + "\")\n"
            "request_route {\n    $var(out) = \"\";\n}\n"
            "event_route[xhttp:request] {\n    xhttp_reply(\"200\", \"OK\", \"\", \"\");\n}\n";
        cfg::LoadOptions lo;
        lo.path = "/nonexistent/fuzz_kemi.cfg";
        lo.text = &cfg_text;
        lo.modules = modules::builtin();
        script = cfg::load_script(lo, diag);
        std::remove(lua_path.c_str());
        if (diag.error_count() != 0) {
            std::fprintf(stderr, "fuzz_kemi: config does not load:\n%s\n",
                         diag.format(script->sources, false).c_str());
            std::abort();
        }
        // The config's own log level applies once it is loaded; scripts log a lot here.
        log_config().level.store(kQuiet);
        w.scratch.resize(static_cast<size_t>(script->core.pv_buffer_size));
        w.vars.resize(script->reg.var_count());
        for (size_t i = 0; i < script->reg.shv_count(); ++i)
            shv.slots.push_back(std::make_unique<pv::SharedVars::Slot>());
        lua = static_cast<modules::AppLua*>(script->module_data("app_lua"));
        if (!lua) std::abort();
        lua->prepare(1);
        rcv.proto = pv::Proto::Udp;
        std::snprintf(rcv.src_ip, sizeof rcv.src_ip, "127.0.0.1");
        rcv.src_port = 40000;
        std::snprintf(rcv.dst_ip, sizeof rcv.dst_ip, "127.0.0.1");
        rcv.dst_port = 5060;
    }

    void run(std::string_view msg_text, std::string_view input) {
        // Below every level (KSR.log(level, ...) may use any); reset per input in case a
        // function changed it.
        log_config().level.store(kQuiet);
        raw.assign(msg_text);
        m.clear();
        const msg::ParseResult pr = msg::parse_head(raw, msg::Limits{}, m);
        if (pr.status != msg::ParseStatus::Done) std::abort();
        m.raw = raw;
        m.body = std::string_view(raw).substr(pr.consumed);
        w.arena.reset();
        w.avps.clear();
        // $var and $shv keep values between messages; start each input from empty ones.
        for (pv::VarSlot& v : w.vars) v = pv::VarSlot{};
        for (auto& slot : shv.slots) slot->v = pv::VarSlot{};
        w.reply_hdrs.clear();
        ++w.msg_id;
        pv::Ctx ctx{w};
        ctx.shv = &shv;
        ctx.msg = &m;
        ctx.rcv = &rcv;
        ctx.sink = &sink;
        ctx.reply_hdrs = &w.reply_hdrs;
        ctx.route_type = m.is_http() ? pv::kEventRoute : pv::kRequestRoute;
        const auto st = lua->run(ctx, "__fuzz", {&input, 1});
        if (st == kemi::Engine::Status::NotFound) std::abort();
    }
};

World& world() {
    static World* w = new World();
    return *w;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    (void)world();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0 || size > 4096) return 0;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    World& w = world();
    w.run((data[0] & 1) ? kHttp : kSip, in);
    return 0;
}
