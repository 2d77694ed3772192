// Tests of {re.subst}. Values marked "Kamailio 5.6.3" were measured with xlog in Kamailio
// 5.6.3 (textops module).
#include <gtest/gtest.h>

#include "pv_test_util.h"

namespace siphon::pv {
namespace {

using test::PvEnv;

std::string tr(PvEnv& e, std::string_view in, const std::string& t) {
    e.set_str("$var(r)", in);
    return e.eval("$(var(r){" + t + "})");
}

TEST(TrRe, SubstWithBackrefsAndFlags) {
    PvEnv e;
    const char* u = "sip:AliceA@server.com";
    // Kamailio 5.6.3: [server.com-AliceA] [sip:alicea@server.com] [sip:XliceX@server.com]
    // [sip:AliceA@server.com] [sip:A<illi>ceA@server.com]
    EXPECT_EQ(tr(e, u, "re.subst,/^sip:(.*)@(.*)/\\2-\\1/"), "server.com-AliceA");
    EXPECT_EQ(tr(e, u, "re.subst,/A/a/g"), "sip:alicea@server.com");
    EXPECT_EQ(tr(e, u, "re.subst,/a/X/gi"), "sip:XliceX@server.com");
    EXPECT_EQ(tr(e, u, "re.subst,/nomatch/X/"), u);
    EXPECT_EQ(tr(e, u, "re.subst,/(l)(i)/<\\2\\1\\0>/"), "sip:A<illi>ceA@server.com");
    EXPECT_EQ(tr(e, "aXbXc", "re.subst,/X/-/"), "a-bXc");
    // Commas and escaped separators inside the expression.
    EXPECT_EQ(tr(e, "a,b,c", "re.subst,/,/;/g"), "a;b;c");
    EXPECT_EQ(tr(e, "a/b", "re.subst,/\\//|/"), "a|b");
    EXPECT_EQ(tr(e, "a/b", "re.subst,#/#\\t#"), "a\tb");
    // Result chained into another transformation.
    EXPECT_EQ(tr(e, "abc", "re.subst,/b/BBB/}{s.len"), "int 5");
    // UTF-8 passes through unchanged.
    EXPECT_EQ(tr(e, "gr\xc3\xbc\xc3\x9f", "re.subst,/gr/Gr/"), "Gr\xc3\xbc\xc3\x9f");
    // Whole value replaced by nothing.
    EXPECT_EQ(tr(e, "abc", "re.subst,/abc//"), "");
}

// Kamailio 5.6.3 (compat case 118): without s, '.' stops at a newline and ^ matches at a line
// start; with s, '.' matches a newline and ^ only the start of the text.
TEST(TrRe, MultilineFlag) {
    PvEnv e;
    EXPECT_EQ(tr(e, "a\nb", "re.subst,/^b/X/"), "a\nX");
    EXPECT_EQ(tr(e, "a\nb", "re.subst,/^b/X/s"), "a\nb");
    EXPECT_EQ(tr(e, "a\nb", "re.subst,/a.b/X/"), "a\nb");
    EXPECT_EQ(tr(e, "a\nb", "re.subst,/a.b/X/s"), "X");
}

TEST(TrRe, Failures) {
    PvEnv e;
    // Kamailio 5.6.3: an empty match fails ("Matched string is empty"): [] []
    EXPECT_EQ(tr(e, "aaa", "re.subst,/a*/X/g"), "");
    EXPECT_EQ(tr(e, "aaa", "re.subst,/x*/-/g"), "");
    // Kamailio 5.6.3: an empty value fails (r=[]); an integer is its text (42 -> [x2]).
    EXPECT_EQ(tr(e, "", "re.subst,/^/x/"), "");
    e.set("$var(i)", Value::of_int(42));
    EXPECT_EQ(e.eval("$(var(i){re.subst,/4/x/})"), "x2");
    EXPECT_EQ(e.eval("$(avp(none){re.subst,/a/b/})"), "");
}

TEST(TrRe, LoadTimeErrors) {
    PvEnv e;
    // Kamailio 5.6.3 refuses an unknown flag at load time too ("unknown flag").
    EXPECT_NE(e.parse_error("$(var(r){re.subst,/a/b/q})"), "");
    EXPECT_NE(e.parse_error("$(var(r){re.subst,/a/b})"), "");
    EXPECT_NE(e.parse_error("$(var(r){re.subst,/a[/b/})"), "");
    EXPECT_NE(e.parse_error("$(var(r){re.subst,/(a)/\\2/})"), "");
    EXPECT_NE(e.parse_error("$(var(r){re.subst})"), "");
    EXPECT_EQ(e.parse_error("$(var(r){re.subst,/(a)/\\1/})"), "");
}

TEST(TrRe, PseudoVariablesInTheReplacement) {
    PvEnv e;
    // Kamailio 5.6.3: $var(f) = "one"; $(var(f){re.subst,/o/$var(f)/}) = [onene]
    e.set_str("$var(f)", "one");
    EXPECT_EQ(e.eval("$(var(f){re.subst,/o/$var(f)/})"), "onene");
    EXPECT_EQ(e.eval("$(var(f){re.subst,/(o)(n)/$var(f)-\\2\\1/g})"), "one-noe");
    EXPECT_EQ(e.eval("$(var(f){re.subst,/o/[$avp(none)]/})"), "[<null>]ne");
    EXPECT_NE(e.parse_error("$(var(f){re.subst,/o/$/})"), "");
    EXPECT_NE(e.parse_error("$(var(f){re.subst,/o/$nosuchpv/})"), "");
}

TEST(TrRe, ExpressionFromAPv) {
    PvEnv e;
    e.set_str("$var(e)", "/o/0/g");
    EXPECT_EQ(tr(e, "foo", "re.subst,$var(e)"), "f00");
    e.set_str("$var(e)", "/bad");
    EXPECT_EQ(tr(e, "foo", "re.subst,$var(e)"), "");
    e.set_str("$var(e)", "/o/$var(e)/");  // no PVs in a replacement read from a PV
    EXPECT_EQ(tr(e, "foo", "re.subst,$var(e)"), "");
}

}  // namespace
}  // namespace siphon::pv
