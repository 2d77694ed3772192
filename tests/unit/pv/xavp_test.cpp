// Tests of $xavp and $xavu. Values marked "Kamailio 5.6.3" were measured with xlog in
// Kamailio 5.6.3 running the same assignments in order.
#include <gtest/gtest.h>

#include "pv_test_util.h"

namespace siphon::pv {
namespace {

using test::PvEnv;

Value I(int32_t i) { return Value::of_int(i); }

TEST(Xavp, AssignmentWithoutIndexAddsARoot) {
    PvEnv e;
    e.set("$xavp(r=>a)", I(1));
    e.set_str("$xavp(r=>b)", "x");
    e.set("$xavp(r=>a)", I(2));
    // Kamailio 5.6.3: a=[2] a1=[<null>] b=[<null>] cnt=[2]
    EXPECT_EQ(e.eval("$xavp(r=>a)"), "int 2");
    EXPECT_EQ(e.eval("$xavp(r[0]=>a[1])"), "<null>");
    EXPECT_EQ(e.eval("$xavp(r=>b)"), "<null>");
    EXPECT_EQ(e.eval("$cnt($xavp(r=>a))"), "int 2");
    EXPECT_EQ(e.eval("$xavp(r[1]=>b)"), "x");
    EXPECT_EQ(e.eval("$xavp(r[-1]=>a)"), "int 1");
    // Kamailio 5.6.3: after $xavp(r[0]=>a) = 3: a=[3] a1=[2] a2=[<null>]
    e.set("$xavp(r[0]=>a)", I(3));
    EXPECT_EQ(e.eval("$xavp(r=>a)"), "int 3");
    EXPECT_EQ(e.eval("$xavp(r[0]=>a[1])"), "int 2");
    EXPECT_EQ(e.eval("$xavp(r[0]=>a[2])"), "<null>");
    // Kamailio 5.6.3: after $xavp(r) = "top": r=[top] r1=[<<xavp:0x...>>] a=[<null>]
    // a0 ($xavp(r[1]=>a)) = [3] cnt($xavp(r)) = [4]
    e.set_str("$xavp(r)", "top");
    EXPECT_EQ(e.eval("$xavp(r)"), "top");
    EXPECT_EQ(e.eval("$xavp(r[1])"), "<<xavp>>");
    EXPECT_EQ(e.eval("$xavp(r=>a)"), "<null>");
    EXPECT_EQ(e.eval("$xavp(r[1]=>a)"), "int 3");
    EXPECT_EQ(e.eval("$cnt($xavp(r))"), "int 4");
    EXPECT_EQ(e.eval("$cnt($xavp(r[3]))"), "int 1");
    EXPECT_EQ(e.eval("$cnt($xavp(r[4]))"), "int 0");
    // A field cannot be added to a plain value.
    EXPECT_FALSE(e.set("$xavp(r[0]=>z)", I(1)));
}

TEST(Xavp, ReplaceAndRemove) {
    PvEnv e;
    e.set_str("$xavp(s=>f)", "one");
    e.set_str("$xavp(s[0]=>f[0])", "two");
    // Kamailio 5.6.3: f=[two] f1=[<null>]
    EXPECT_EQ(e.eval("$xavp(s=>f)"), "two");
    EXPECT_EQ(e.eval("$xavp(s=>f[1])"), "<null>");
    e.set_str("$xavp(s[0]=>g)", "G");
    e.set("$xavp(s[0]=>f)", Value::null());
    EXPECT_EQ(e.eval("$xavp(s=>f)"), "<null>");
    EXPECT_EQ(e.eval("$xavp(s=>g)"), "G");
    e.set("$xavp(x)", I(1));
    e.set("$xavp(x)", I(2));
    e.set("$xavp(x)", Value::null());
    EXPECT_EQ(e.eval("$xavp(x)"), "int 1");
    e.set("$xavp(x)", I(3));
    e.set("$xavp(x[*])", Value::null());
    EXPECT_EQ(e.eval("$xavp(x)"), "<null>");
    EXPECT_EQ(e.eval("$xavp(s=>g)"), "G");
    EXPECT_EQ(e.eval("$xavp(nope)"), "<null>");
    EXPECT_EQ(e.eval("$xavp(nope=>f)"), "<null>");
    e.set_str("$xavp(u=>n)", "gr\xc3\xbc\xc3\x9f");
    EXPECT_EQ(e.eval("$(xavp(u=>n){s.len})"), "int 6");
}

TEST(Xavp, PerMessage) {
    PvEnv e;
    e.set("$xavp(a)", I(1));
    e.set("$xavu(b)", I(1));
    e.next_message();
    EXPECT_EQ(e.eval("$xavp(a)"), "<null>");
    EXPECT_EQ(e.eval("$xavu(b)"), "<null>");
}

TEST(Xavu, UniqueValues) {
    PvEnv e;
    e.set("$xavu(u=>f)", I(1));
    e.set("$xavu(u=>f)", I(2));
    e.set_str("$xavu(u=>g)", "g");
    e.set("$xavu(w)", I(5));
    e.set("$xavu(w)", I(6));
    // Kamailio 5.6.3: f=[2] g=[g] w=[6]
    EXPECT_EQ(e.eval("$xavu(u=>f)"), "int 2");
    EXPECT_EQ(e.eval("$xavu(u=>g)"), "g");
    EXPECT_EQ(e.eval("$xavu(w)"), "int 6");
    EXPECT_EQ(e.eval("$cnt($xavu(w))"), "int 1");
    e.set("$xavu(w)", Value::null());
    EXPECT_EQ(e.eval("$xavu(w)"), "<null>");
    e.set("$xavu(u=>f)", Value::null());
    EXPECT_EQ(e.eval("$xavu(u=>f)"), "<null>");
    EXPECT_EQ(e.eval("$xavu(u=>g)"), "g");
}

TEST(Xavp, NameErrors) {
    PvEnv e;
    EXPECT_NE(e.parse_error("$xavp()"), "");
    EXPECT_NE(e.parse_error("$xavp(a[x])"), "");
    EXPECT_NE(e.parse_error("$xavp(a=>)"), "");
    EXPECT_NE(e.parse_error("$xavu(a[0])"), "");
    EXPECT_EQ(e.parse_error("$xavp(a[-1]=>b[*])"), "");
}

}  // namespace
}  // namespace siphon::pv
