// Helpers for the KEMI tests: a config with app_lua and a Lua script written to a temp
// file, one worker context over a message built from literal text, and a way to run Lua
// code in that worker's state and read back what it returned.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "../cfg/test_util.h"
#include "modules/app_lua/app_lua.h"

namespace siphon::kemi::test {

using cfg::test::kHttpRequest;
using cfg::test::kSipRequest;

// The Lua side of the harness: __t(code) runs `code` as a function body and stores
// "ok:<values>" or "err:<message>" in $var(out); values print as type:value.
inline constexpr std::string_view kHarnessLua = R"lua(
local function show(...)
  local n = select('#', ...)
  local t = {...}
  local s = ""
  for i = 1, n do
    if i > 1 then s = s .. " " end
    s = s .. type(t[i]) .. ":" .. tostring(t[i])
  end
  return s
end
function __t(code)
  local f, e = (loadstring or load)(code, "=test")
  if not f then KSR.pv.sets("$var(out)", "load:" .. e) return end
  local r = {n = 0}
  local function keep(...) r = {n = select('#', ...), ...} end
  keep(pcall(f))
  if r[1] then
    KSR.pv.sets("$var(out)", "ok:" .. show((table.unpack or unpack)(r, 2, r.n)))
  else
    KSR.pv.sets("$var(out)", "err:" .. tostring(r[2]))
  end
end
)lua";

class TempFile {
public:
    explicit TempFile(std::string_view text, std::string_view suffix = ".lua") {
        static int n = 0;
        path_ = (std::filesystem::temp_directory_path() /
                 ("siphon_kemi_" + std::to_string(getpid()) + "_" + std::to_string(++n) +
                  std::string(suffix)))
                    .string();
        write(text);
    }
    ~TempFile() { std::remove(path_.c_str()); }
    void write(std::string_view text) {
        std::ofstream f(path_, std::ios::binary | std::ios::trunc);
        f << text;
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// A loaded config with app_lua (script = harness + `lua`), plus one worker (a
// cfg::test::Runner; messages arrive over UDP).
class Harness {
public:
    explicit Harness(std::string_view lua = {}, std::string_view head = {},
                     std::string_view routes = {})
        : file_(std::string(kHarnessLua) + std::string(lua)),
          runner_(config(file_.path(), head, routes)) {
        if (!runner_.ok()) return;
        lua_ = static_cast<modules::AppLua*>(script().module_data("app_lua"));
        lua_->prepare(1);
        new_message(kSipRequest);
    }

    static std::string config(const std::string& path, std::string_view head,
                              std::string_view routes) {
        std::string c = cfg::test::preamble();
        c += "loadmodule \"app_lua.so\"\n";
        c += "modparam(\"app_lua\", \"load\", \"" + path + "\")\n";
        c += head;
        c += "\nrequest_route {\n    $var(out) = \"\";\n}\n";
        c += routes;
        c += "\nevent_route[xhttp:request] {\n    xhttp_reply(\"200\", \"OK\", \"\", \"\");\n}\n";
        return c;
    }

    bool ok() const { return runner_.ok(); }
    std::string messages() const { return runner_.messages(); }
    cfg::Script& script() { return runner_.script(); }
    modules::AppLua& lua() { return *lua_; }
    pv::Ctx& ctx() { return runner_.ctx(); }
    TempFile& file() { return file_; }
    const std::string& sent() const { return runner_.sent(); }

    // Starts processing a new message (SIP or HTTP text).
    void new_message(std::string_view text) { runner_.begin(text, pv::Proto::Udp); }

    // Runs Lua code (a function body) for the current message: "ok:<type:value ...>" or
    // "err:<message>".
    std::string run(std::string_view code) {
        std::string_view arg = code;
        lua_->run(ctx(), "__t", {&arg, 1});
        return var("$var(out)");
    }

    // A PV of the current message as text ("" for null).
    std::string var(const std::string& name) {
        Value v = runner_.get(name);
        if (v.is_null()) return "";
        if (v.is_int()) return std::to_string(v.i);
        return std::string(v.s);
    }

private:
    TempFile file_;
    cfg::test::Runner runner_;
    modules::AppLua* lua_ = nullptr;
};

} // namespace siphon::kemi::test
