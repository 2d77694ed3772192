// Parser and compile-pass tests: the shape of what is parsed, core and module parameters,
// and the diagnostics for malformed configs (positions as Kamailio reports them, all errors
// of a file, no crash on any prefix of a valid config).
#include "cfg/parser.h"

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace siphon::cfg::test {
namespace {

// Loads `text` and returns its diagnostics ("test.cfg:L:C: error: ..." lines).
std::string diags(const std::string& text) { return Loaded(text).messages(); }

// The one diagnostic expected from `text`, checked for position and message substring.
void expect_error(const std::string& text, const std::string& where, const std::string& what) {
    Loaded l(text);
    std::string m = l.messages();
    EXPECT_EQ(l.diag.error_count(), 1u) << m;
    EXPECT_NE(m.find("test.cfg:" + where + ": error: "), std::string::npos) << m;
    EXPECT_NE(m.find(what), std::string::npos) << m;
}

const Route& request_route(const Loaded& l) {
    EXPECT_NE(l.script->request_route, nullptr);
    return *l.script->request_route;
}

// ---- statements ------------------------------------------------------------------------

TEST(CfgParser, EveryStatementKind) {
    Loaded l(request_cfg(R"cfg(
        $var(x) = 1;
        if ($var(x)) { drop; } else { exit; }
        switch ($var(x)) { case 1: break; default: return; }
        while ($var(x) < 3) $var(x) = $var(x) + 1;
        ;
        return 2;)cfg"));
    ASSERT_TRUE(l.ok()) << l.messages();
    const auto& body = request_route(l).body;
    ASSERT_EQ(body.size(), 5u);  // the stray ';' is an empty statement, not an action
    EXPECT_EQ(body[0]->kind, Action::Kind::Expr);
    EXPECT_EQ(body[0]->expr->kind, Expr::Kind::Assign);
    EXPECT_EQ(body[1]->kind, Action::Kind::If);
    EXPECT_EQ(body[1]->body.at(0)->kind, Action::Kind::Drop);
    EXPECT_EQ(body[1]->else_body.at(0)->kind, Action::Kind::Exit);
    EXPECT_EQ(body[2]->kind, Action::Kind::Switch);
    EXPECT_EQ(body[3]->kind, Action::Kind::While);
    EXPECT_EQ(body[4]->kind, Action::Kind::Return);
    ASSERT_NE(body[4]->expr, nullptr);
    EXPECT_EQ(body[4]->expr->cval.i, 2);
}

TEST(CfgParser, BareBlockIsNotAStatement) {
    // Kamailio: a { } block is only the body of if/else/while (a syntax error elsewhere).
    expect_error(request_cfg("$var(a) = 1; { $var(y) = 2; }"), "7:14",
                 "a '{ ... }' block is allowed only as the body of if, else or while");
}

TEST(CfgParser, SwitchCasesPointIntoTheBody) {
    Loaded l(request_cfg(R"cfg(
        switch ($var(x)) {
            default: $var(d) = 1;
            case 1: case 2: $var(a) = 1; break;
            case 3: $var(b) = 1;
        })cfg"));
    ASSERT_TRUE(l.ok()) << l.messages();
    const Action& sw = *request_route(l).body.at(0);
    ASSERT_EQ(sw.cases.size(), 4u);
    EXPECT_TRUE(sw.cases[0].is_default);
    EXPECT_EQ(sw.cases[0].start, 0u);
    EXPECT_EQ(sw.cases[1].start, 1u);  // stacked labels share a start
    EXPECT_EQ(sw.cases[2].start, 1u);
    EXPECT_EQ(sw.cases[3].start, 3u);
    EXPECT_FALSE(sw.switch_on_str);
    EXPECT_EQ(sw.body.size(), 4u);
}

TEST(CfgParser, ReturnExitAndDropForms) {
    Loaded l(request_cfg(
        "return; return 1; return(2); return -3; return $var(x); return 1 + 2;"
        "exit; exit(); exit(3); exit 4; drop; drop();"));
    ASSERT_TRUE(l.ok()) << l.messages();
    const auto& b = request_route(l).body;
    ASSERT_EQ(b.size(), 12u);
    EXPECT_EQ(b[0]->expr, nullptr);
    EXPECT_EQ(b[3]->expr->cval.i, -3);
    EXPECT_EQ(b[4]->expr->kind, Expr::Kind::Pv);
    EXPECT_EQ(b[5]->expr->kind, Expr::Kind::Binary);
    EXPECT_EQ(b[7]->expr, nullptr);
    EXPECT_EQ(b[9]->expr->cval.i, 4);
    EXPECT_EQ(b[11]->kind, Action::Kind::Drop);
}

TEST(CfgParser, BlockWithOnlySemicolonIsAccepted) {
    Loaded l(request_cfg("if ($var(x) == 1) { ; } else { ; }"));
    EXPECT_TRUE(l.ok()) << l.messages();
}

TEST(CfgParser, AllRouteBlockKinds) {
    Loaded l(preamble() + R"cfg(
route { $var(a) = 1; }
request_route { $var(b) = 1; }
route[NAMED] { return 1; }
route[2] { return 2; }
route["quoted"] { return 3; }
reply_route { $var(c) = 1; }
onreply_route[R1] { $var(d) = 1; }
failure_route[F1] { $var(e) = 1; }
branch_route[B1] { $var(f) = 1; }
onsend_route { $var(g) = 1; }
event_route[xhttp:request] { xhttp_reply("200", "OK", "", ""); }
event_route[my:custom-ev] { $var(h) = 1; }
)cfg");
    ASSERT_TRUE(l.ok()) << l.messages();
    // route and request_route are both the main route; their bodies run in order.
    EXPECT_EQ(request_route(l).body.size(), 2u);
    EXPECT_EQ(l.script->named.size(), 3u);
    EXPECT_TRUE(l.script->named.count("quoted"));
    EXPECT_NE(l.script->reply_route, nullptr);
    EXPECT_TRUE(l.script->onreply.count("R1"));
    EXPECT_TRUE(l.script->failure.count("F1"));
    EXPECT_TRUE(l.script->branch.count("B1"));
    EXPECT_NE(l.script->onsend_route, nullptr);
    EXPECT_NE(l.script->event_route("my:custom-ev"), nullptr);
}

TEST(CfgParser, EmptyConfigIsValid) {
    Loaded l("");
    EXPECT_TRUE(l.ok()) << l.messages();
    EXPECT_EQ(l.script->request_route, nullptr);
}

TEST(CfgParser, KeywordsAndOperatorSpellings) {
    Loaded l(request_cfg(R"cfg(
        if (method == "OPTIONS" and src_ip == 127.0.0.1 or proto == UDP) $var(a) = 1;
        if (uri =~ "^sip:" && !(status == 200)) $var(b) = 1;
        if ($var(x) eq "a" || $var(x) ne "b" || $var(x) ieq 1 || $var(x) ine 2) $var(c) = 1;
        $var(d) = defined $avp(q);
        $var(e) = strlen($var(x)) + strempty($var(x));)cfg"));
    EXPECT_TRUE(l.ok()) << l.messages();
}

// ---- global parameters ------------------------------------------------------------------

TEST(CfgParser, CoreParameterKinds) {
    Loaded l("debug=3\nchildren = 4;\ntcp_accept_no_cl=yes\nauto_aliases=off\n"
             "server_signature=0\nlog_prefix=\"p \"\nlog_facility=LOG_LOCAL0\nport=5070\n"
             "max_while_loops=7\ntcp_connection_lifetime=0x10\nserver_header=\"Server: x\"\n");
    ASSERT_TRUE(l.ok()) << l.messages();
    const CoreConfig& c = l.script->core;
    EXPECT_EQ(c.debug, 3);
    EXPECT_EQ(c.children, 4);
    EXPECT_TRUE(c.tcp_accept_no_cl);
    EXPECT_FALSE(c.auto_aliases);
    EXPECT_FALSE(c.server_signature);
    EXPECT_EQ(c.log_prefix, "p ");
    EXPECT_EQ(c.log_facility, "LOG_LOCAL0");
    EXPECT_EQ(c.port, 5070);
    EXPECT_EQ(c.max_while_loops, 7);
    EXPECT_EQ(c.tcp_connection_lifetime, 16);
    EXPECT_EQ(c.server_header, "Server: x");
    EXPECT_EQ(c.io_coalesce_us, 10);  // siphon's default
}

TEST(CfgParser, IoCoalesceRange) {
    Loaded off("io_coalesce_us=0\n");
    ASSERT_TRUE(off.ok()) << off.messages();
    EXPECT_EQ(off.script->core.io_coalesce_us, 0);
    Loaded most("io_coalesce_us=1000\n");
    ASSERT_TRUE(most.ok()) << most.messages();
    EXPECT_EQ(most.script->core.io_coalesce_us, 1000);
    expect_error("io_coalesce_us=1001\n", "1:16", "'io_coalesce_us' must be between 0 and 1000");
    expect_error("io_coalesce_us=-1\n", "1:16", "'io_coalesce_us' must be between 0 and 1000");
}

TEST(CfgParser, CoreParameterTypeErrorsNameTheValue) {
    expect_error("children=\"4\"\n", "1:10", "number expected for 'children', found string \"4\"");
    expect_error("tcp_accept_no_cl=\"yes\"\n", "1:18",
                 "boolean value expected for 'tcp_accept_no_cl'");
    expect_error("log_prefix=abc\n", "1:12", "string value expected for 'log_prefix'");
    expect_error("DEBUG=2\n", "1:1", "unknown core parameter 'DEBUG' (did you mean 'debug'?)");
}

TEST(CfgParser, ListenForms) {
    Listen a;
    EXPECT_EQ(parse_listen("udp:127.0.0.1:17040", a), "");
    EXPECT_EQ(a.proto, pv::Proto::Udp);
    EXPECT_EQ(a.host, "127.0.0.1");
    EXPECT_EQ(a.port, 17040);
    Listen b;
    EXPECT_EQ(parse_listen("127.0.0.1:17041", b), "");
    EXPECT_EQ(b.proto, pv::Proto::None);
    Listen c;
    EXPECT_EQ(parse_listen("tcp:[::1]", c), "");
    EXPECT_EQ(c.host, "::1");
    EXPECT_EQ(c.port, 0);
    Listen d;
    EXPECT_EQ(parse_listen("udp:127.0.0.1:17042 advertise 192.0.2.10:5080", d), "");
    EXPECT_EQ(d.advertise_host, "192.0.2.10");
    EXPECT_EQ(d.advertise_port, 5080);
    Listen e;
    EXPECT_NE(parse_listen("http:127.0.0.1:80", e), "");
    Listen f;
    EXPECT_NE(parse_listen("udp:127.0.0.1:99999", f), "");
}

TEST(CfgParser, ListenInAConfig) {
    Loaded l("listen=udp:127.0.0.1:5062\nlisten=tcp:127.0.0.1:5062\n");
    ASSERT_TRUE(l.ok()) << l.messages();
    ASSERT_EQ(l.script->core.listens.size(), 2u);
    EXPECT_EQ(l.script->core.listens[1].proto, pv::Proto::Tcp);
}

// ---- loadmodule / modparam -----------------------------------------------------------

TEST(CfgParser, LoadmoduleSpellings) {
    Loaded l("mpath=\"/usr/lib/x86_64-linux-gnu/kamailio/modules/\"\nloadmodule \"sl.so\"\n"
             "loadmodule \"xlog\"\nloadmodule \"/usr/lib/kamailio/modules/textops.so\"\n");
    EXPECT_TRUE(l.ok()) << l.messages();
    EXPECT_TRUE(l.script->has_module("sl"));
    EXPECT_TRUE(l.script->has_module("xlog"));
    EXPECT_TRUE(l.script->has_module("textops"));
}

TEST(CfgParser, ModuleErrors) {
    expect_error("loadmodule \"tm.so\"\n", "1:12", "unknown module 'tm' (built-in modules: ");
    expect_error("loadmodule \"sl.so\"\nloadmodule \"sl.so\"\n", "2:12", "loaded twice");
    expect_error("modparam(\"xhttp\", \"url_skip\", \"^/x\")\n", "1:10", "is not loaded");
    expect_error(preamble() + "modparam(\"xhttp\", \"url_skipp\", \"^/x\")\n"
                              "event_route[xhttp:request] { drop; }\n",
                 "6:19", "module 'xhttp' has no parameter 'url_skipp' (parameters: url_skip, ");
    expect_error(preamble() + "modparam(\"xhttp\", \"no_reply_code\", \"500\")\n"
                              "event_route[xhttp:request] { drop; }\n",
                 "6:36", "takes an integer, found string \"500\"");
    expect_error(preamble() + "modparam(\"xhttp\", \"url_skip\", 5)\n"
                              "event_route[xhttp:request] { drop; }\n",
                 "6:31", "takes a string, found number 5");
    expect_error(preamble() + "modparam(\"xhttp\", \"url_skip\", \"(\")\n"
                              "event_route[xhttp:request] { drop; }\n",
                 "6:31", "bad regular expression");
}

TEST(CfgParser, ModuleDependenciesMayBeLoadedLater) {
    // Kamailio's default config loads xhttp before sl; dependencies are bound at init.
    Loaded later("loadmodule \"xhttp.so\"\nloadmodule \"sl.so\"\n"
                 "event_route[xhttp:request] { drop; }\n");
    EXPECT_TRUE(later.ok()) << later.messages();
    expect_error("loadmodule \"xhttp.so\"\nevent_route[xhttp:request] { drop; }\n", "1:1",
                 "module 'xhttp' needs module 'sl' (add loadmodule \"sl.so\")");
}

TEST(CfgParser, ModparamAdjacentStringsConcatenate) {
    Loaded l("loadmodule \"sl.so\"\nloadmodule \"xhttp.so\"\n"
             "modparam(\"xhttp\", \"url_match\", \"^/a\" \"b\")\n"
             "event_route[xhttp:request] { drop; }\n");
    EXPECT_TRUE(l.ok()) << l.messages();
}

// ---- diagnostics ----------------------------------------------------------------------

TEST(CfgDiag, MissingSemicolonIsReportedAtTheNextToken) {
    expect_error(request_cfg("$var(x) = 1\n    drop;"), "8:5", "missing ';' before 'drop'");
    expect_error(request_cfg("if ($var(a) == 1) { $var(x) = 1 }"), "7:33",
                 "missing ';' before '}'");
}

TEST(CfgDiag, EmptyBlocksAreErrors) {
    expect_error("request_route { }\n", "1:17", "empty block");
    expect_error(request_cfg("if (1 == $var(a)) { } else { ; }"), "7:21", "empty block");
}

TEST(CfgDiag, UnterminatedBlockPointsAtItsBrace) {
    expect_error("request_route {\n  drop;\n", "1:15", "unterminated block");
}

TEST(CfgDiag, UnknownNamesSuggestOrList) {
    EXPECT_NE(
        diags(request_cfg("xlg(\"a\");")).find("unknown function 'xlg' (did you mean 'xlog'?)"),
        std::string::npos);
    EXPECT_NE(diags("request_route { sl_send_reply(\"200\", \"OK\"); }")
                  .find("it is provided by module 'sl' (add loadmodule \"sl.so\")"),
              std::string::npos);
    EXPECT_NE(diags(request_cfg("foo_bar(1, 2);"))
                  .find("unknown function 'foo_bar' (missing loadmodule?)"),
              std::string::npos);
    EXPECT_NE(diags(request_cfg("$var(x) = $hdrr(A);"))
                  .find("unknown pseudo-variable $hdrr (did you mean $hdr"),
              std::string::npos);
    EXPECT_NE(diags(request_cfg("route(RELAI);", "route[RELAY] { drop; }"))
                  .find("route 'RELAI' is not defined (did you mean 'RELAY'?)"),
              std::string::npos);
    EXPECT_NE(diags(request_cfg("route(X);", "route[A] { drop; }\nroute[B] { drop; }"))
                  .find("route 'X' is not defined (routes: A, B)"),
              std::string::npos);
}

TEST(CfgDiag, WrongArityListsTheAcceptedCounts) {
    expect_error(request_cfg("xlog(\"L_INFO\", \"a\", \"b\");"), "7:1",
                 "function 'xlog' takes 1 or 2 parameters, found 3");
    expect_error(request_cfg("is_method();"), "7:1",
                 "function 'is_method' takes 1 parameter, found 0");
}

TEST(CfgDiag, FunctionParametersMustBeConstant) {
    // An unquoted PV is the same as the quoted one (Kamailio allows it for some functions).
    EXPECT_TRUE(Loaded(request_cfg("xlog($var(x));")).ok());
    expect_error(request_cfg("xlog(\"L_INFO\", \"a\" + $var(x));"), "7:16", "is not constant");
}

TEST(CfgDiag, BareWordsAreNotFunctionParameters) {
    // Kamailio takes bare words only in route(NAME); elsewhere they are undefined #!defines.
    expect_error(
        request_cfg("xlog(L_INFO, \"a\");"), "7:6",
        "parameter 1 of xlog() is not constant: quote it (\"L_INFO\"), or #!define L_INFO");
    EXPECT_TRUE(Loaded("#!define LVL \"L_INFO\"\n" + request_cfg("xlog(LVL, \"a\");")).ok());
}

TEST(CfgDiag, HeaderNamesAreTokens) {
    expect_error(request_cfg("$var(x) = $hdr(X-A B);"), "7:11", "invalid header name 'X-A B'");
}

TEST(CfgDiag, BadFormatPointsInsideTheString) {
    expect_error(request_cfg("xlog(\"L_INFO\", \"cost $5\\n\");"), "7:22",
                 "bad format \"cost $5\\n\": unknown pseudo-variable $5");
    // $$ is a literal dollar and is fine.
    EXPECT_TRUE(Loaded(request_cfg("xlog(\"L_INFO\", \"cost $$5\");")).ok());
}

TEST(CfgDiag, FunctionNotAllowedInTheRoute) {
    expect_error(request_cfg("xhttp_reply(\"200\", \"OK\", \"\", \"\");"), "7:1",
                 "function 'xhttp_reply' cannot be used in request_route");
}

TEST(CfgDiag, ReadOnlyAssignment) {
    expect_error(request_cfg("$rm = \"X\";"), "7:1",
                 "cannot assign to read-only pseudo-variable $rm");
}

TEST(CfgDiag, OperatorsThatDoNotExist) {
    expect_error(request_cfg("$var(x) = 5 % 2;"), "7:13", "'%' is not an operator: use 'mod'");
    expect_error(request_cfg("if ($var(a) !~ \"x\") drop;"), "7:13", "'!~' is not an operator");
    expect_error(request_cfg("if (1 == $var(a)) drop; elif ($var(a)) drop;"), "7:25",
                 "'elif' does not exist");
}

TEST(CfgDiag, BadRegexAndBadTransformation) {
    expect_error(request_cfg("if ($var(a) =~ \"(\") drop;"), "7:16",
                 "bad regular expression \"(\"");
    expect_error(request_cfg("$var(q) = $(var(x){s.lenn});"), "7:11",
                 "unknown transformation {s.lenn} (did you mean {s.len}?)");
    expect_error(request_cfg("$var(q) = $(var(x){zz.len});"), "7:11",
                 "unknown transformation class 'zz'");
}

// Constant operands of the wrong type are load-time errors (Kamailio's rve_check_type).
struct TypeCase {
    const char* expr;
    const char* col;  // "7:C" of the offending operand, "" if valid
};

class CfgTypeCheck : public ::testing::TestWithParam<TypeCase> {};

TEST_P(CfgTypeCheck, MatchesKamailio) {
    const TypeCase& c = GetParam();
    Loaded l(request_cfg(std::string("$var(r) = ") + c.expr + ";"));
    if (*c.col == 0) {
        EXPECT_TRUE(l.ok()) << c.expr << "\n" << l.messages();
        return;
    }
    EXPECT_EQ(l.diag.error_count(), 1u) << c.expr << "\n" << l.messages();
    EXPECT_NE(l.messages().find(std::string("test.cfg:") + c.col + ": error: type mismatch"),
              std::string::npos)
        << c.expr << "\n" << l.messages();
}

INSTANTIATE_TEST_SUITE_P(
    Table, CfgTypeCheck,
    ::testing::Values(TypeCase{"2 + \"1\"", "7:15"}, TypeCase{"1 + \"a\"", "7:15"},
                      TypeCase{"\"a\" + 1", ""}, TypeCase{"0 == \"a\"", "7:16"},
                      TypeCase{"0 == \"\"", "7:16"}, TypeCase{"\"a\" == 0", ""},
                      TypeCase{"\"a\" - 1", "7:11"}, TypeCase{"1 < \"a\"", "7:15"},
                      TypeCase{"1 eq \"a\"", "7:16"}, TypeCase{"1 eq 1", "7:11"},
                      TypeCase{"\"a\" eq 1", ""}, TypeCase{"-\"a\"", "7:12"},
                      TypeCase{"strlen(1)", "7:18"}, TypeCase{"(str)1 + \"a\"", ""},
                      TypeCase{"(int)\"a\" + 1", ""}, TypeCase{"1 + 2 + \"a\"", "7:19"},
                      TypeCase{"\"x\" + $var(y) - 1", "7:11"}, TypeCase{"$var(x) + 1 + \"a\"", ""},
                      TypeCase{"\"a\" =~ 1", ""}, TypeCase{"1 =~ \"a\"", "7:16"},
                      TypeCase{"1 + strlen(\"a\")", ""}, TypeCase{"\"a\" mod 2", "7:11"}));

TEST(CfgDiag, AssignmentForms) {
    // Kamailio: a plain PV on the left, no chained '=' (parentheses make it an expression).
    expect_error(request_cfg("$var(x) = $var(y) = 1;"), "7:19", "assignments cannot be chained");
    expect_error(request_cfg("($var(x)) = 1;"), "7:11",
                 "left side of '=' must be a pseudo-variable");
    expect_error(request_cfg("$(var(x){s.len}) = 1;"), "7:1",
                 "pseudo-variable with transformations");
    EXPECT_TRUE(Loaded(request_cfg("$var(y) = ($var(z) = 5) + 1;")).ok());
}

TEST(CfgDiag, IndexOnlyWhereAPvTakesOne) {
    expect_error(request_cfg("$var(x) = $(var(y)[0]);"), "7:11", "$var takes no index");
    EXPECT_TRUE(Loaded(request_cfg("$var(x) = $(hdr(Via)[1]) + $(avp(a)[*]);")).ok());
}

TEST(CfgDiag, CoreKeywordsOnlyInComparisons) {
    EXPECT_TRUE(Loaded(request_cfg(
                    "if (method == INVITE || src_ip == 10.0.0.0/8 || uri == myself) drop;"))
                    .ok());
    expect_error(request_cfg("$var(x) = method;"), "7:11",
                 "'method' can only be compared (method == ...); write $rm to use its value");
    expect_error(request_cfg("method = \"X\";"), "7:8", "left side of '='");
}

TEST(CfgDiag, RouteNamesAreOneToken) {
    expect_error("route[a-b] { drop; }\n", "1:8", "bad route name");
    expect_error("route[a b] { drop; }\n", "1:9", "unexpected space in route name");
    expect_error("reply_route[X] { drop; }\n", "1:1", "reply_route takes no name");
    EXPECT_TRUE(Loaded("event_route[my:custom-ev] { drop; }\n").ok());
}

TEST(CfgParser, KamailioSpellingsThatParse) {
    EXPECT_TRUE(Loaded(request_cfg("$var(a) = not $var(b); drop 1;")).ok());
    Loaded l(request_cfg("$var(a) = 99999999999;"));
    ASSERT_TRUE(l.ok()) << l.messages();
    // Wider numbers keep their low 32 bits (Kamailio: 1215752191).
    EXPECT_EQ(request_route(l).body.at(0)->expr->r->cval.i, 1215752191);
}

TEST(CfgDiag, ConstantConditionIsAWarning) {
    Loaded l(request_cfg("if (1 == 1) drop; while (0) drop; if ($var(x) == 1) drop;"));
    EXPECT_TRUE(l.ok()) << l.messages();
    std::string m = l.messages();
    EXPECT_NE(m.find("test.cfg:7:5: warning: constant value in if(...)"), std::string::npos) << m;
    EXPECT_NE(m.find("test.cfg:7:26: warning: constant value in while(...)"), std::string::npos)
        << m;
    EXPECT_EQ(m.find("7:39"), std::string::npos) << m;
}

TEST(CfgDiag, SwitchErrors) {
    expect_error(request_cfg("switch ($var(x)) { case 1: drop; case \"a\": drop; }"), "7:34",
                 "mixed integer and string case labels");
    expect_error(request_cfg("switch ($var(x)) { case $var(y): drop; }"), "7:25",
                 "bad case label '$var(y)'");
    expect_error(request_cfg("switch ($var(x)) { case 1: { drop; } }"), "7:28", "bad case body");
    expect_error(request_cfg("switch ($var(x)) { default: drop; default: drop; }"), "7:35",
                 "more than one 'default:'");
    expect_error(request_cfg("case 1: drop;"), "7:1", "'case' outside switch");
    Loaded l(request_cfg("switch ($var(x)) { }"));
    EXPECT_TRUE(l.ok()) << l.messages();
    EXPECT_NE(l.messages().find("warning: empty switch()"), std::string::npos);
}

TEST(CfgDiag, RouteBlockErrors) {
    expect_error("route[A] { drop; }\nroute[A] { drop; }\n", "2:1", "duplicate route 'A'");
    expect_error("event_route[badname] { drop; }\n", "1:1", "bad event_route name 'badname'");
    expect_error("failure_route { drop; }\n", "1:1", "failure_route needs a name");
    expect_error("request_route[X] { drop; }\n", "1:1", "request_route takes no name");
}

TEST(CfgDiag, EventCallbackNeedsKemi) {
    Loaded l("loadmodule \"sl.so\"\nloadmodule \"xhttp.so\"\n"
             "modparam(\"xhttp\", \"event_callback\", \"ksr_xhttp_event\")\n");
    EXPECT_NE(
        l.messages().find("test.cfg:2:1: error: module xhttp: event_callback \"ksr_xhttp_event\" "
                          "needs a KEMI engine"),
        std::string::npos)
        << l.messages();
}

TEST(CfgDiag, AllErrorsOfAFileAreReportedInSourceOrder) {
    Loaded l(request_cfg(R"cfg(
    foo_bar(1);
    $var(x) = 1
    drop;
    $rm = "x";
    if ($var(a) == 1) { }
    $var(y) = 5 % 2;
    xlog("L_INFO", "cost $5");)cfg",
                         "route[R] { $var(z) = 2 + \"1\"; route(NOPE); }"));
    EXPECT_EQ(l.diag.error_count(), 8u) << l.messages();
    uint32_t last = 0;
    for (const Diagnostic& d : l.diag.list()) {
        EXPECT_GE(d.pos.line, last) << l.messages();
        last = d.pos.line;
    }
}

TEST(CfgDiag, RecoveryAfterBadTopLevelItems) {
    Loaded l("children = ;\n@@@\nloadmodule sl.so\nrequest_route { drop; }\n"
             "bogus_word\nroute[X] { $var(a) = ; }\nroute[Y] { drop; }\n");
    EXPECT_GE(l.diag.error_count(), 4u) << l.messages();
    EXPECT_NE(l.script->request_route, nullptr) << l.messages();
    EXPECT_TRUE(l.script->named.count("Y")) << l.messages();
}

TEST(CfgDiag, MessagesWithPercentArePrintedVerbatim) {
    // DEFECT fixed: Kamailio used the config line as a printf format.
    Loaded l(request_cfg("$var(x) = \"%s%d%n\" % 2;"));
    std::string m = l.diag.format(l.script->sources);
    EXPECT_NE(m.find("$var(x) = \"%s%d%n\" % 2;"), std::string::npos) << m;
}

// Every prefix of a valid config must load without crashing (errors are expected).
TEST(CfgDiag, EveryPrefixOfAConfigLoads) {
    std::string full = request_cfg(R"cfg(
    if ($var(x) == 1 && $hdr(X-A) =~ "^a") { xlog("L_INFO", "a $var(x)\n"); }
    else if (!defined $avp(q)) { $avp(q) = "s" + 1; }
    switch ($var(x)) { case 1: case 2: route(R); break; default: exit; }
    while ($var(i) < 3) { $var(i) = $var(i) + 1; }
    $var(t) = $(hdr(X-A){s.substr,1,2});
    return (1 + 2) * 3;)cfg",
                                   "route[R] { drop; }");
    ASSERT_TRUE(Loaded(full).ok()) << Loaded(full).messages();
    for (size_t n = 0; n < full.size(); ++n) {
        Loaded l(full.substr(0, n));
        (void)l.messages();
    }
}

// Byte soup must not crash the front end either.
TEST(CfgDiag, GarbageDoesNotCrash) {
    const char* inputs[] = {
        "{{{{", "}}}}", "request_route {", "request_route { if ( }", "route[", "route[]",
        "event_route[a:b] { switch } }", "request_route { switch ($x) { case", "$$$$",
        "request_route { $var(x) = ((((((1 }", "modparam(", "modparam(\"a\",", "loadmodule",
        "request_route { return return; }", "request_route { while }", "x = = =",
        "request_route { route(); route(A, B); }", "request_route { $(var(x){s.substr,1,}) = 1; }",
        "request_route { if (1) else drop; }", "request_route { xlog(\"a\",); }",
        "listen=", "listen=udp:", "request_route { \"abc\"; 5; }", "request_route { - ; }"};
    for (const char* in : inputs) {
        Loaded l(in);
        EXPECT_GT(l.diag.error_count(), 0u) << in;
    }
}

}  // namespace
}  // namespace siphon::cfg::test
