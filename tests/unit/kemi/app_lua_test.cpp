// app_lua: the native lua_* functions, errors, the xhttp event callback and reload.
#include <gtest/gtest.h>

#include "cfg/interp.h"
#include "kemi_test_util.h"
#include "modules/xhttp/xhttp.h"

namespace siphon::kemi::test {
namespace {

cfg::RunResult run_named(Harness& h, const std::string& name) {
    auto it = h.script().named.find(name);
    EXPECT_NE(it, h.script().named.end()) << name;
    return cfg::run_route(h.script(), *it->second, h.ctx());
}

TEST(AppLua, LuaRunPassesExpandedParameters) {
    Harness h("function join(a, b, c) KSR.pv.sets('$var(r)', a .. '|' .. b .. '|' .. c) end\n"
              "function stop() KSR.pv.sets('$var(r)', 'stop') KSR.x.exit() end\n"
              "function fails() error('broken') end\n",
              {},
              "route[RUN] {\n"
              "    $var(n) = 7;\n"
              "    if (lua_run(\"join\", \"$rm\", \"n=$var(n)\", \"$$x\")) $var(ok) = \"yes\";\n"
              "}\n"
              "route[STOP] {\n    lua_run(\"stop\");\n    $var(after) = \"ran\";\n}\n"
              "route[FAIL] {\n"
              "    if (!lua_run(\"fails\")) $var(f1) = \"false\";\n"
              "    if (!lua_run(\"missing\")) $var(f2) = \"false\";\n"
              "}\n"
              "route[STR] {\n"
              "    lua_runstring(\"KSR.pv.sets('$$var(r)', '$ci')\");\n"
              "}\n");
    ASSERT_TRUE(h.ok()) << h.messages();
    run_named(h, "RUN");
    EXPECT_EQ(h.var("$var(r)"), "OPTIONS|n=7|$x");
    EXPECT_EQ(h.var("$var(ok)"), "yes");
    // KSR.x.exit() ends the Lua function only; the native route goes on.
    cfg::RunResult r = run_named(h, "STOP");
    EXPECT_FALSE(r.exited);
    EXPECT_EQ(h.var("$var(r)"), "stop");
    EXPECT_EQ(h.var("$var(after)"), "ran");
    run_named(h, "FAIL");
    EXPECT_EQ(h.var("$var(f1)"), "false");
    EXPECT_EQ(h.var("$var(f2)"), "false");
    // lua_runstring expands pseudo-variables in the code before Lua sees it.
    run_named(h, "STR");
    EXPECT_EQ(h.var("$var(r)"), "cid-1@192.0.2.1");
}

TEST(AppLua, DostringUsesItsOwnState) {
    Harness h("shared_global = 'main'\n", {},
              "route[DO] {\n"
              "    lua_dostring(\"KSR.pv.sets('$$var(r)', tostring(shared_global))\");\n"
              "}\n");
    ASSERT_TRUE(h.ok()) << h.messages();
    run_named(h, "DO");
    EXPECT_EQ(h.var("$var(r)"), "nil");
    EXPECT_EQ(h.run("return shared_global"), "ok:string:main");
}

TEST(AppLua, DofileRunsAFile) {
    TempFile f("KSR.pv.sets('$var(r)', 'from file')\n");
    Harness h({}, {}, "route[DO] {\n    $var(r) = 0;\n    lua_dofile(\"" + f.path() + "\");\n}\n");
    ASSERT_TRUE(h.ok()) << h.messages();
    run_named(h, "DO");
    EXPECT_EQ(h.var("$var(r)"), "from file");
    EXPECT_EQ(h.run("return KSR.app_lua.dofile('/nonexistent/x.lua')"), "ok:number:-1");
}

TEST(AppLua, RuntimeErrorsAreReportedNotFatal) {
    Harness h("function boom() local t = nil; return t.x end\n");
    ASSERT_TRUE(h.ok()) << h.messages();
    EXPECT_EQ(h.lua().run(h.ctx(), "boom", {}), Engine::Status::Error);
    EXPECT_EQ(h.run("return 1"), "ok:number:1"); // the state is still usable
    std::string e = h.run("error('x')");
    EXPECT_EQ(e, "err:test:1: x");
}

TEST(AppLua, ScriptProblemsAreConfigErrors) {
    {
        TempFile bad("function f(\n  oops\n");
        cfg::test::Loaded l(Harness::config(bad.path(), {}, {}));
        ASSERT_FALSE(l.ok());
        EXPECT_NE(l.messages().find("failed to load Lua script: " + bad.path() + ":"),
                  std::string::npos)
            << l.messages();
    }
    {
        TempFile top("error('at load')\n");
        cfg::test::Loaded l(Harness::config(top.path(), {}, {}));
        ASSERT_FALSE(l.ok());
        EXPECT_NE(l.messages().find(top.path() + ":1: at load"), std::string::npos) << l.messages();
    }
    {
        cfg::test::Loaded l(Harness::config("/nonexistent/siphon.lua", {}, {}));
        ASSERT_FALSE(l.ok());
        EXPECT_NE(l.messages().find("cannot read Lua script \"/nonexistent/siphon.lua\""),
                  std::string::npos);
    }
    {
        // event_callback without the Lua engine routing (Kamailio: "failed to find kemi engine").
        TempFile ok("function cb() end\n");
        cfg::test::Loaded l(
            Harness::config(ok.path(), "modparam(\"xhttp\", \"event_callback\", \"cb\")\n", {}));
        ASSERT_FALSE(l.ok());
        EXPECT_NE(l.messages().find("needs a KEMI engine"), std::string::npos) << l.messages();
    }
}

TEST(AppLua, XhttpEventCallback) {
    Harness h("function ksr_xhttp_event(evname)\n"
              "  local hu = KSR.xhttp.get_hu()\n"
              "  if hu == '/boom' then error('boom') end\n"
              "  if hu == '/none' then return 1 end\n"
              "  KSR.xhttp.xhttp_reply(200, 'OK', 'text/plain', evname .. ' ' .. hu)\n"
              "  return -1\n"
              "end\n",
              "cfgengine \"lua\"\nmodparam(\"xhttp\", \"event_callback\", \"ksr_xhttp_event\")\n");
    ASSERT_TRUE(h.ok()) << h.messages();
    auto* x = static_cast<modules::XhttpData*>(h.script().module_data("xhttp"));
    ASSERT_NE(x, nullptr);
    ASSERT_NE(x->engine, nullptr);
    h.new_message("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    // The callback's -1 does not close the connection (measured), unlike a native route.
    EXPECT_TRUE(modules::xhttp_handle(h.script(), *x, h.ctx()));
    EXPECT_EQ(h.sent().rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << h.sent();
    EXPECT_NE(h.sent().find("\r\n\r\nxhttp:request /hello"), std::string::npos) << h.sent();
    h.new_message("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
    modules::xhttp_handle(h.script(), *x, h.ctx());
    EXPECT_EQ(h.sent().rfind("HTTP/1.1 500 Internal Server Error\r\n", 0), 0u) << h.sent();
    h.new_message("GET /none HTTP/1.1\r\nHost: x\r\n\r\n");
    modules::xhttp_handle(h.script(), *x, h.ctx());
    EXPECT_EQ(h.sent().rfind("HTTP/1.1 500 ", 0), 0u) << h.sent();
}

TEST(AppLua, ReloadRunsTheNewScriptAndKeepsTheOldOneOnErrors) {
    Harness h("counter = (counter or 0) + 1\nfunction version() return 'v1' end\n");
    ASSERT_TRUE(h.ok()) << h.messages();
    EXPECT_EQ(h.run("return version(), counter"), "ok:string:v1 number:1");
    const std::string harness(kHarnessLua);
    h.file().write(harness + "counter = (counter or 0) + 1\nfunction version() return 'v2' end\n");
    std::string err;
    uint64_t g = h.lua().generation();
    ASSERT_TRUE(h.lua().reload(err)) << err;
    EXPECT_EQ(h.lua().generation(), g + 1);
    // The worker runs the new code in its existing state before its next call.
    EXPECT_EQ(h.run("return version(), counter"), "ok:string:v2 number:2");
    // A script that fails to load is refused and the running one stays.
    h.file().write(harness + "function version( return 'v3' end\n");
    EXPECT_FALSE(h.lua().reload(err));
    EXPECT_NE(err.find(h.file().path() + ":"), std::string::npos) << err;
    EXPECT_EQ(h.lua().generation(), g + 1);
    EXPECT_EQ(h.run("return version()"), "ok:string:v2");
}

TEST(AppLua, ReloadCanBeDisabled) {
    Harness h({}, "modparam(\"app_lua\", \"reload\", 0)\n");
    ASSERT_TRUE(h.ok()) << h.messages();
    std::string err;
    EXPECT_FALSE(h.lua().reload(err));
    EXPECT_NE(err.find("disabled"), std::string::npos);
}

TEST(AppLua, RoutingEngineSelection) {
    Harness native;
    ASSERT_TRUE(native.ok());
    EXPECT_EQ(routing_engine(native.script()), nullptr);
    EXPECT_NE(any_engine(native.script()), nullptr);
    Harness lua({}, "cfgengine \"lua\"\n");
    ASSERT_TRUE(lua.ok());
    EXPECT_EQ(routing_engine(lua.script()), &lua.lua());
    cfg::test::Loaded nolua(cfg::test::preamble() + "cfgengine \"lua\"\nrequest_route { exit; }\n"
                                                    "event_route[xhttp:request] { exit; }\n");
    std::string err;
    EXPECT_EQ(routing_engine(*nolua.script, &err), nullptr);
    EXPECT_NE(err.find("app_lua"), std::string::npos);
}

} // namespace
} // namespace siphon::kemi::test
