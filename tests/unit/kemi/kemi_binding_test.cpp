// The KSR binding generator: the registry built from the module export tables and the
// KEMI catalog, every registered function reachable and callable from Lua, argument
// checking with the function's name in the error, and the return conventions Kamailio's
// app_lua has (behavior-notes.md section 7).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "kemi_test_util.h"
#include "modules/registry.h"

namespace siphon::kemi::test {
namespace {

// Every built-in module loaded at once.
std::string all_modules_head() {
    std::string h;
    for (const cfg::ModuleDef* m : modules::builtin()) {
        std::string_view n = m->name;
        if (n == "core" || n == "sl" || n == "xlog" || n == "textops" || n == "pv" ||
            n == "xhttp" || n == "app_lua")
            continue;
        h += "loadmodule \"" + std::string(n) + ".so\"\n";
    }
    return h;
}

std::string lua_args(const Func& f, const char* int_value, const char* str_value) {
    std::string s;
    for (size_t i = 0; i < f.params.size(); ++i) {
        if (i) s += ", ";
        s += f.params[i] == Type::Int ? int_value : str_value;
    }
    return s;
}

std::string lua_path(const Group& g) {
    return g.module.empty() ? "KSR." + g.name : "KSR." + g.module + "." + g.name;
}

TEST(KemiRegistry, CatalogNamesAndSignaturesBindToNativeFunctions) {
    Harness h;
    ASSERT_TRUE(h.ok()) << h.messages();
    const Registry& r = *h.lua().registry();
    const Group* g = r.find("sl", "sl_send_reply");
    ASSERT_NE(g, nullptr);
    const Func* f = g->by_argc[2];
    ASSERT_NE(f, nullptr);
    EXPECT_TRUE(f->from_catalog);
    EXPECT_NE(f->native, nullptr);
    EXPECT_EQ(f->params, (std::vector<Type>{Type::Int, Type::Str}));
    EXPECT_EQ(f->ret, Ret::Int);
    // KEMI-only functions and renamed modules.
    EXPECT_NE(r.find("xhttp", "get_hu"), nullptr);
    EXPECT_NE(r.find("pvx", "var_get"), nullptr);
    EXPECT_NE(r.find("pvx", "pv_isset"), nullptr); // native pv module -> KSR.pvx
    EXPECT_EQ(r.find("pv", "pv_isset"), nullptr);
    EXPECT_NE(r.find("", "is_INVITE"), nullptr);
    EXPECT_NE(r.find("pv", "get"), nullptr);
    EXPECT_NE(r.find("hdr", "get"), nullptr);
    EXPECT_NE(r.find("kx", "get_ruri"), nullptr);
    EXPECT_NE(r.find("x", "exit"), nullptr);
    EXPECT_NE(r.find("app_lua", "run_p3"), nullptr);
    // A native function without a catalog entry keeps its native name and ArgKinds.
    const Group* im = r.find("textops", "is_method");
    ASSERT_NE(im, nullptr);
    ASSERT_NE(im->by_argc[1], nullptr);
    EXPECT_FALSE(im->by_argc[1]->from_catalog);
    // Native overloads by arity become one function taking either count.
    const Group* xl = r.find("xlog", "xlog");
    ASSERT_NE(xl, nullptr);
    EXPECT_EQ(xl->arities(), "1 or 2");
}

TEST(KemiRegistry, ModulesNotLoadedExportNothing) {
    Harness h;
    ASSERT_TRUE(h.ok()) << h.messages();
    EXPECT_EQ(h.lua().registry()->find("htable", "sht_get"), nullptr);
    EXPECT_EQ(h.run("return KSR.htable"), "ok:nil:nil");
}

// Every registered function is a Lua function under its KSR path, and calling it with
// arguments of the right types never raises anything but KSR.x.exit's mark.
TEST(KemiBinding, EveryRegisteredFunctionIsCallable) {
    Harness h({}, all_modules_head());
    ASSERT_TRUE(h.ok()) << h.messages();
    const Registry& r = *h.lua().registry();
    // corex.file_read/file_write take a path first: a file of the test's own, not "x" in the
    // working directory.
    TempFile scratch("", ".txt");
    const std::string path_arg = "'" + scratch.path() + "'";
    size_t called = 0;
    for (const Group& g : r.groups()) {
        EXPECT_EQ(h.run("return type(" + lua_path(g) + ")"), "ok:string:function") << lua_path(g);
        for (const Func* f : g.by_argc) {
            if (!f) continue;
            // Functions that would block the test or leave the process alone.
            if (g.name == "sleep" || g.name == "usleep" || g.name == "abort" ||
                g.name == "shm_summary")
                continue;
            h.new_message(cfg::test::kSipRequest);
            std::string args = lua_args(*f, "0", "'x'");
            if (g.name.starts_with("file_")) args = path_arg + args.substr(3);  // first is 'x'
            std::string out = h.run("return " + lua_path(g) + "(" + args + ")");
            bool ok = out.rfind("ok:", 0) == 0 || out == "err:~~ksr~exit~~";
            EXPECT_TRUE(ok) << lua_path(g) << "/" << f->params.size() << " -> " << out;
            ++called;
        }
    }
    EXPECT_GT(called, 200u);
}

// A wrong argument type is a Lua error naming the function.
TEST(KemiBinding, WrongArgumentTypesRaiseErrorsNamingTheFunction) {
    Harness h({}, all_modules_head());
    ASSERT_TRUE(h.ok()) << h.messages();
    for (const Group& g : h.lua().registry()->groups()) {
        for (const Func* f : g.by_argc) {
            if (!f || f->params.empty()) continue;
            std::string args = "{}";
            for (size_t i = 1; i < f->params.size(); ++i)
                args += f->params[i] == Type::Int ? ", 1" : ", 'x'";
            std::string out = h.run("return " + lua_path(g) + "(" + args + ")");
            EXPECT_EQ(out.rfind("err:", 0), 0u) << lua_path(g) << " -> " << out;
            EXPECT_NE(out.find("'KSR." + g.full + "'"), std::string::npos) << out;
            EXPECT_NE(out.find("#1"), std::string::npos) << out;
        }
    }
}

TEST(KemiBinding, ArgumentConversions) {
    Harness h;
    ASSERT_TRUE(h.ok()) << h.messages();
    // Numeric strings and integral floats are integers; other numbers are not.
    EXPECT_EQ(h.run("return KSR.setflag('3'), KSR.isflagset(3.0)"), "ok:boolean:true boolean:true");
    std::string e = h.run("return KSR.setflag(2.5)");
    EXPECT_NE(e.find("bad argument #1 to 'KSR.setflag'"), std::string::npos) << e;
    e = h.run("return KSR.setflag('abc')");
    EXPECT_NE(e.find("integer expected, got string"), std::string::npos) << e;
    e = h.run("return KSR.setflag(4294967296)");
    EXPECT_NE(e.find("no 32-bit integer"), std::string::npos) << e;
    // Numbers are accepted for strings.
    EXPECT_EQ(h.run("return KSR.hdr.is_present(123)"), "ok:number:-1");
    e = h.run("return KSR.info(nil)");
    EXPECT_NE(e.find("bad argument #1 to 'KSR.info' (string expected, got nil)"), std::string::npos)
        << e;
    // Wrong argument counts name the function and what it takes.
    e = h.run("return KSR.sl.sl_send_reply(200)");
    EXPECT_NE(e.find("KSR.sl.sl_send_reply: expected 2 argument(s), got 1"), std::string::npos)
        << e;
    e = h.run("local r = KSR.xlog.xlog() return r");
    EXPECT_NE(e.find("expected 1 or 2 argument(s), got 0"), std::string::npos) << e;
    // The error carries the caller's position.
    EXPECT_NE(e.find("test:1:"), std::string::npos) << e;
}

TEST(KemiBinding, ReturnKinds) {
    Harness h;
    ASSERT_TRUE(h.ok()) << h.messages();
    // void -> false (as Kamailio's app_lua), bool, int, xval.
    EXPECT_EQ(h.run("return KSR.info('x'), KSR.log('dbg', 'x')"), "ok:boolean:false boolean:false");
    EXPECT_EQ(h.run("return KSR.is_OPTIONS(), KSR.is_INVITE(), KSR.is_method('INVITE|OPTIONS')"),
              "ok:boolean:true boolean:false boolean:true");
    EXPECT_EQ(
        h.run("return KSR.is_method_in('IO'), KSR.is_method_in('IB'), KSR.is_UDP(), KSR.is_TCP()"),
        "ok:boolean:true boolean:false boolean:true boolean:false");
    EXPECT_EQ(h.run("return KSR.textops.is_present_hf('Via'), KSR.textops.search('^options')"),
              "ok:number:1 number:1");
    EXPECT_EQ(h.run("return KSR.hdr.is_present('X-Nope'), KSR.hdr.is_present('f')"),
              "ok:number:-1 number:1");
}

TEST(KemiPv, GetSetAndNullHandling) {
    Harness h;
    ASSERT_TRUE(h.ok()) << h.messages();
    EXPECT_EQ(h.run("return KSR.pv.get('$hdr(X-Nope)')"), "ok:nil:nil");
    EXPECT_EQ(h.run("return KSR.pv.getw('$hdr(X-Nope)'), KSR.pv.gete('$hdr(X-Nope)')"),
              "ok:string:<null> string:");
    EXPECT_EQ(h.run("return KSR.pv.getvn('$hdr(X-Nope)', 7), KSR.pv.getvs('$hdr(X-Nope)', 'd')"),
              "ok:number:7 string:d");
    EXPECT_EQ(h.run("return KSR.pv.get('$var(never)')"), "ok:number:0");
    EXPECT_EQ(h.run("return KSR.pv.sets('$var(a)', 'v'), KSR.pv.get('$var(a)')"),
              "ok:boolean:true string:v");
    EXPECT_EQ(h.run("return KSR.pv.seti('$var(b)', 5), KSR.pv.get('$var(b)') + 1"),
              "ok:boolean:true number:6");
    EXPECT_EQ(h.run("return KSR.pv.unset('$var(b)'), KSR.pv.get('$var(b)')"),
              "ok:boolean:true number:0");
    EXPECT_EQ(h.run("return KSR.pv.is_null('$hdr(X-Nope)'), KSR.pv.is_null('$ci')"),
              "ok:boolean:true boolean:false");
    EXPECT_EQ(
        h.run("return KSR.pv.get('$sp'), KSR.pv.get('$ci'), KSR.pv.get('$(hdr(X-Num){s.int})')"),
        "ok:number:40000 string:cid-1@192.0.2.1 number:12");
    // An invalid name is nil (logged), not an error; a read-only PV cannot be set.
    EXPECT_EQ(h.run("return KSR.pv.get('$nopevar')"), "ok:nil:nil");
    EXPECT_EQ(h.run("return KSR.pv.sets('$ci', 'x')"), "ok:boolean:false");
    EXPECT_EQ(
        h.run("return KSR.pvx.var_sets('c', 'z'), KSR.pvx.var_get('c'), KSR.pv.get('$var(c)')"),
        "ok:number:1 string:z string:z");
    EXPECT_EQ(h.run("return KSR.pvx.evalx('$var(e)', 'ci=$ci'), KSR.pv.get('$var(e)')"),
              "ok:number:1 string:ci=cid-1@192.0.2.1");
}

TEST(KemiPv, VariablesAreSharedWithTheNativeConfig) {
    Harness h({}, {}, "route[R] {\n $var(shared) = $var(shared) + \"+native\";\n}\n");
    ASSERT_TRUE(h.ok()) << h.messages();
    EXPECT_EQ(
        h.run(
            "KSR.pv.sets('$var(shared)', 'lua') KSR.route('R') return KSR.pv.get('$var(shared)')"),
        "ok:string:lua+native");
    EXPECT_EQ(h.var("$var(shared)"), "lua+native");
}

TEST(KemiPv, SharedVariablesNamedInTheScriptAreDeclared) {
    Harness h("function f() return KSR.pvx.shv_get('hits'), KSR.pv.get('$shv(other)') end\n");
    ASSERT_TRUE(h.ok()) << h.messages();
    EXPECT_GE(h.script().reg.shv_count(), 2u);
    EXPECT_EQ(h.run("KSR.pvx.shv_seti('hits', 3) KSR.pv.sets('$shv(other)', 'o') return f()"),
              "ok:number:3 string:o");
}

TEST(KemiHdr, HeaderAccess) {
    Harness h;
    ASSERT_TRUE(h.ok()) << h.messages();
    h.new_message(
        "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nf: <sip:x@y>;tag=1\r\n"
        "To: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nX-A: one\r\nX-A: two\r\nX-A: three\r\n"
        "Content-Length: 0\r\n\r\n");
    EXPECT_EQ(h.run("return KSR.hdr.get('From'), KSR.hdr.get('X-Nope')"),
              "ok:string:<sip:x@y>;tag=1 nil:nil");
    EXPECT_EQ(h.run("return KSR.hdr.get_idx('X-A', 1), KSR.hdr.get_idx('x-a', -1), "
                    "KSR.hdr.get_idx('X-A', 3)"),
              "ok:string:two string:three nil:nil");
    EXPECT_EQ(
        h.run("return KSR.hdr.gete('X-Nope'), KSR.hdr.getw('X-Nope'), KSR.hdr.gete_idx('X-A', -3)"),
        "ok:string: string:<null> string:one");
    EXPECT_EQ(h.run("return KSR.hdr.match_content('X-A', 'eq', 'two', 'o'), "
                    "KSR.hdr.match_content('X-A', 'sw', 't', 'a'), KSR.hdr.match_content('X-A', "
                    "'in', 'hre', 'l')"),
              "ok:boolean:true boolean:false boolean:true");
    // Changes are recorded for the message (applied when it is forwarded), not visible.
    EXPECT_EQ(
        h.run(
            "return KSR.hdr.append('X-B: 1\\r\\n'), KSR.hdr.remove('X-Nope'), KSR.hdr.get('X-B')"),
        "ok:number:1 number:1 nil:nil");
    EXPECT_EQ(h.run("return KSR.hdr.append_to_reply('X-R: 1\\r\\n'), KSR.sl.send_reply(403, 'No')"),
              "ok:number:1 number:1");
    EXPECT_NE(h.sent().find("X-R: 1\r\n"), std::string::npos) << h.sent();
}

TEST(KemiKx, Getters) {
    Harness h;
    ASSERT_TRUE(h.ok()) << h.messages();
    EXPECT_EQ(h.run("return KSR.kx.get_method(), KSR.kx.get_ruser(), KSR.kx.get_rhost(), "
                    "KSR.kx.get_fuser()"),
              "ok:string:OPTIONS string:alice string:example.com string:bob");
    EXPECT_EQ(h.run("return KSR.kx.get_body(), KSR.kx.gete_body(), KSR.kx.get_bodylen(), "
                    "KSR.kx.get_msgtype()"),
              "ok:nil:nil string: number:0 number:1");
    EXPECT_EQ(h.run("return KSR.kx.get_srcip(), KSR.kx.get_srcport(), KSR.kx.get_protoid(), "
                    "KSR.kx.get_proto()"),
              "ok:string:127.0.0.1 number:40000 number:1 string:udp");
    EXPECT_EQ(
        h.run("return KSR.kx.get_srcaddr_sock(), KSR.kx.get_rcvaddr_sock(), KSR.kx.getw_ua()"),
        "ok:string:udp:127.0.0.1:40000 string:udp:127.0.0.1:5060 string:<null>");
    setenv("SIPHON_KEMI_TEST_ENV", "42", 1);
    EXPECT_EQ(h.run("return KSR.kx.get_env('SIPHON_KEMI_TEST_ENV'), "
                    "KSR.kx.get_envn('SIPHON_KEMI_TEST_ENV')"),
              "ok:string:42 number:42");
}

TEST(KemiX, ExitIsALuaErrorThatPcallCanCatch) {
    Harness h("function stops() KSR.pv.sets('$var(out)', 'before') KSR.x.exit() "
              "KSR.pv.sets('$var(out)', 'after') end\n");
    ASSERT_TRUE(h.ok()) << h.messages();
    EXPECT_EQ(h.run("return pcall(KSR.x.exit)"), "ok:boolean:false string:~~ksr~exit~~");
    EXPECT_EQ(h.lua().run(h.ctx(), "stops", {}), Engine::Status::Exit);
    EXPECT_EQ(h.var("$var(out)"), "before");
    EXPECT_EQ(h.lua().run(h.ctx(), "no_such_function", {}), Engine::Status::NotFound);
}

TEST(KemiX, ModfCallsNativeFunctionsByName) {
    Harness h;
    ASSERT_TRUE(h.ok()) << h.messages();
    EXPECT_EQ(
        h.run("return KSR.x.modf('is_present_hf', 'Via'), KSR.x.modf('is_present_hf', 'X-No')"),
        "ok:number:1 number:-1");
    EXPECT_EQ(h.run("return KSR.x.modf('sl_send_reply', '202', 'Accepted')"), "ok:number:1");
    EXPECT_NE(h.sent().find("SIP/2.0 202 Accepted\r\n"), std::string::npos);
    EXPECT_EQ(h.run("return KSR.x.modf('no_such_fn')"), "ok:number:-1");
}

TEST(KemiRoute, NativeRoutesFromLua) {
    Harness h({}, {},
              "route[SETS] {\n $var(r) = \"set\";\n return 7;\n}\n"
              "route[STOPS] {\n $var(r) = \"stopped\";\n exit;\n}\n");
    ASSERT_TRUE(h.ok()) << h.messages();
    EXPECT_EQ(h.run("return KSR.route('SETS'), KSR.pv.get('$var(r)')"), "ok:number:7 string:set");
    // exit in the native route is 0 for the Lua caller, which goes on.
    EXPECT_EQ(h.run("return KSR.route('STOPS'), KSR.pv.get('$var(r)')"),
              "ok:number:0 string:stopped");
    EXPECT_EQ(h.run("return KSR.route('NOPE')"), "ok:number:-1");
}

TEST(KemiXhttp, ReplyReturnsZeroAndChecksTheCode) {
    Harness h;
    ASSERT_TRUE(h.ok()) << h.messages();
    h.new_message(kHttpRequest);
    EXPECT_EQ(h.run("return KSR.xhttp.get_hu(), KSR.is_GET()"),
              "ok:string:/status?x=1 boolean:true");
    // 99 is refused (Kamailio's KEMI export sends "099": DEFECT 10); 0 on success, then -1
    // for a second reply, as measured.
    EXPECT_EQ(h.run("return KSR.xhttp.xhttp_reply(99, 'X', '', '')"), "ok:number:-1");
    EXPECT_EQ(h.sent(), "");
    EXPECT_EQ(h.run("return KSR.xhttp.xhttp_reply(200, 'OK', 'text/plain', 'hi'), "
                    "KSR.xhttp.xhttp_reply(200, 'OK', '', '')"),
              "ok:number:0 number:-1");
    EXPECT_EQ(h.sent().rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << h.sent();
    EXPECT_NE(h.sent().find("\r\n\r\nhi"), std::string::npos);
    // A KEMI string is a literal: no pseudo-variable expansion.
    h.new_message(kHttpRequest);
    EXPECT_EQ(h.run("return KSR.xhttp.xhttp_reply(200, 'OK', '', '$si')"), "ok:number:0");
    EXPECT_NE(h.sent().find("\r\n\r\n$si"), std::string::npos) << h.sent();
}

TEST(KemiNative, PreparedArgumentsAreCachedPerDistinctCall) {
    Harness h;
    ASSERT_TRUE(h.ok()) << h.messages();
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(h.run("return KSR.textops.search('^OPTIONS'), KSR.textops.search('^INVITE')"),
                  "ok:number:1 number:-1");
        EXPECT_EQ(h.run("return KSR.pvx.pv_isset('$var(out)'), KSR.pvx.pv_isset('$hdr(X-Nope)')"),
                  "ok:number:1 number:-1");
    }
    // A bad regex is -1 (logged), not a crash or a Lua error.
    EXPECT_EQ(h.run("return KSR.textops.search('(')"), "ok:number:-1");
    EXPECT_EQ(h.run("return KSR.textops.is_method('OPTIONS|INVITE')"), "ok:number:1");
}

// docs/kemi.md lists every function the registry exports with every module loaded (modules
// without a section there yet are skipped). SIPHON_KEMI_DOC=FILE writes the list to FILE:
//   SIPHON_KEMI_DOC=/tmp/list.md siphon_unit --gtest_filter='KemiDoc.*'
TEST(KemiDoc, DocumentationListsEveryFunction) {
    Harness h({}, all_modules_head());
    ASSERT_TRUE(h.ok()) << h.messages();
    std::ifstream f(std::string(SIPHON_SOURCE_DIR) + "/docs/kemi.md");
    std::stringstream ss;
    ss << f.rdbuf();
    std::string doc = ss.str();
    std::ostringstream gen;
    std::string module = "-";
    std::vector<const Group*> gs;
    for (const Group& g : h.lua().registry()->groups())
        gs.push_back(&g);
    std::stable_sort(gs.begin(), gs.end(), [](const Group* a, const Group* b) {
        return std::tie(a->module, a->name) < std::tie(b->module, b->name);
    });
    for (const Group* g : gs) {
        for (const Func* fn : g->by_argc) {
            if (!fn) continue;
            std::string sig;
            switch (fn->ret) {
                case Ret::None: sig = "void "; break;
                case Ret::Int: sig = "int "; break;
                case Ret::Bool: sig = "bool "; break;
                case Ret::Xval: sig = "xval "; break;
            }
            sig += lua_path(*g) + "(";
            for (size_t i = 0; i < fn->params.size(); ++i)
                sig += std::string(i ? ", " : "") + (fn->params[i] == Type::Int ? "int" : "str");
            sig += ")";
            if (g->module != module) {
                module = g->module;
                gen << "\n### " << (module.empty() ? "KSR" : "KSR." + module) << "\n\n";
            }
            gen << "- `" << sig << "`" << (fn->from_catalog ? "" : " (native name)") << "\n";
            std::string section =
                "### " + (g->module.empty() ? std::string("KSR") : "KSR." + g->module) + "\n";
            if (doc.find(section) == std::string::npos) continue;
            EXPECT_NE(doc.find("`" + sig + "`"), std::string::npos)
                << "docs/kemi.md lacks " << sig << " (regenerate the list: see this test)";
        }
    }
    if (const char* out = std::getenv("SIPHON_KEMI_DOC")) std::ofstream(out) << gen.str();
}

} // namespace
} // namespace siphon::kemi::test
