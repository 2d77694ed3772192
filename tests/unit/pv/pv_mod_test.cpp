// Tests of the pv module functions (pv_isset, pv_unset, is_int, typeof,
// xavp_params_explode) through a loaded config. Values marked "Kamailio 5.6.3" were measured
// with the same script in Kamailio 5.6.3.
#include <gtest/gtest.h>

#include "../cfg/test_util.h"

namespace siphon::cfg::test {
namespace {

TEST(PvModule, TypeofAndIsInt) {
    // Kamailio 5.6.3: TY1 int, TY2 str, TY3 null, II1 no ($var(s) = "5" is not an int)
    Runner r(request_cfg(R"cfg(
    $var(i) = 5; $var(s) = "5";
    $var(t1) = 0; $var(t2) = 0; $var(t3) = 0; $var(t4) = 0; $var(i1) = 0; $var(i2) = 0;
    if (typeof("$var(i)", "int")) $var(t1) = 1;
    if (typeof("$var(s)", "str")) $var(t2) = 1;
    if (typeof("$avp(nx)", "null")) $var(t3) = 1;
    if (typeof("$var(i)", "str")) $var(t4) = 1;
    if (is_int("$var(s)")) $var(i1) = 1;
    if (is_int("$var(i)")) $var(i2) = 1;
    )cfg"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(t1)"), "i:1");
    EXPECT_EQ(r.show("$var(t2)"), "i:1");
    EXPECT_EQ(r.show("$var(t3)"), "i:1");
    EXPECT_EQ(r.show("$var(t4)"), "i:0");
    EXPECT_EQ(r.show("$var(i1)"), "i:0");
    EXPECT_EQ(r.show("$var(i2)"), "i:1");
}

TEST(PvModule, TypeofRejectsUnknownTypes) {
    Loaded l(request_cfg(R"cfg(if (typeof("$var(i)", "float")) exit;)cfg"));
    EXPECT_FALSE(l.ok());
    EXPECT_NE(l.messages().find("unknown type"), std::string::npos) << l.messages();
}

TEST(PvModule, XavpParamsExplode) {
    // Kamailio 5.6.3: "a=1;b=2;c" -> a=[1] b=[2] c=[]
    Runner r(request_cfg(R"cfg(
    $var(k) = "a=1;b=2;c";
    xavp_params_explode("$var(k)", "pe");
    $var(a) = $xavp(pe=>a); $var(b) = $xavp(pe=>b); $var(c) = $xavp(pe=>c);
    $var(n) = $cnt($xavp(pe));
    xavp_params_explode("x=\"q w\"", "pe");
    $var(x) = $xavp(pe=>x); $var(old) = $xavp(pe[1]=>a);
    if (xavp_params_explode("", "pe")) $var(e) = 1; else $var(e) = -1;
    )cfg"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(a)"), "s:1");
    EXPECT_EQ(r.show("$var(b)"), "s:2");
    EXPECT_EQ(r.show("$var(c)"), "s:");
    EXPECT_EQ(r.show("$var(n)"), "i:1");
    EXPECT_EQ(r.show("$var(x)"), "s:q w");
    EXPECT_EQ(r.show("$var(old)"), "s:1");
    EXPECT_EQ(r.show("$var(e)"), "i:-1");
}

TEST(PvModule, RuriRewriteInAScript) {
    Runner r(request_cfg(R"cfg(
    $rU = "carol";
    $var(u) = $ru;
    $var(o) = $ou;
    $var(h) = $(ru{uri.host});
    )cfg"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(u)"), "s:sip:carol@example.com");
    EXPECT_EQ(r.show("$var(o)"), "s:sip:alice@example.com");
    EXPECT_EQ(r.show("$var(h)"), "s:example.com");
}

TEST(PvModule, PvIssetAndUnset) {
    Runner r(request_cfg(R"cfg(
    $xavp(x=>y) = 1;
    $var(a) = 0; $var(b) = 0;
    if (pv_isset("$xavp(x=>y)")) $var(a) = 1;
    pv_unset("$xavp(x=>y)");
    if (pv_isset("$xavp(x=>y)")) $var(b) = 1;
    )cfg"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(a)"), "i:1");
    EXPECT_EQ(r.show("$var(b)"), "i:0");
}

}  // namespace
}  // namespace siphon::cfg::test
