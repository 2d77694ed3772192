// Tests of the line transformations ({line.*}). Values marked "Kamailio 5.6.3" were measured
// with xlog in Kamailio 5.6.3.
#include <gtest/gtest.h>

#include "pv_test_util.h"

namespace siphon::pv {
namespace {

using test::PvEnv;

std::string tr(PvEnv& e, std::string_view in, const std::string& t) {
    e.set_str("$var(l)", in);
    return e.eval("$(var(l){" + t + "})");
}

TEST(TrLine, CountAtSw) {
    PvEnv e;
    const char* l = "first\r\nsecond\nthird\n";
    // Kamailio 5.6.3: count=[3] at0=[first] at1=[second] at2=[third] at3=[] m1=[third]
    // m2=[second] m3=[first] m4=[] sw=[second] swx=[]
    EXPECT_EQ(tr(e, l, "line.count"), "int 3");
    EXPECT_EQ(tr(e, l, "line.at,0"), "first");
    EXPECT_EQ(tr(e, l, "line.at,1"), "second");
    EXPECT_EQ(tr(e, l, "line.at,2"), "third");
    EXPECT_EQ(tr(e, l, "line.at,3"), "");
    EXPECT_EQ(tr(e, l, "line.at,-1"), "third");
    EXPECT_EQ(tr(e, l, "line.at,-2"), "second");
    EXPECT_EQ(tr(e, l, "line.at,-3"), "first");
    EXPECT_EQ(tr(e, l, "line.at,-4"), "");
    EXPECT_EQ(tr(e, l, "line.sw,sec"), "second");
    EXPECT_EQ(tr(e, l, "line.sw,zz"), "");
    // Kamailio 5.6.3: "a\nb" count=[2] m1=[b]; "garbage" count=[1]
    EXPECT_EQ(tr(e, "a\nb", "line.count"), "int 2");
    EXPECT_EQ(tr(e, "a\nb", "line.at,-1"), "b");
    EXPECT_EQ(tr(e, "garbage", "line.count"), "int 1");
    // Kamailio 5.6.3: "x\r\ny\r\n" c=[2], {line.at,1}{s.len} = 1, {line.at,-1}{s.len} = 1
    EXPECT_EQ(tr(e, "x\r\ny\r\n", "line.count"), "int 2");
    EXPECT_EQ(tr(e, "x\r\ny\r\n", "line.at,1}{s.len"), "int 1");
    EXPECT_EQ(tr(e, "x\r\ny\r\n", "line.at,-1}{s.len"), "int 1");
    EXPECT_EQ(tr(e, "\n\n", "line.count"), "int 2");
    EXPECT_EQ(tr(e, "\n\n", "line.at,1"), "");
    EXPECT_EQ(tr(e, "\xc3\xa4\n\xc3\xb6", "line.at,1"), "\xc3\xb6");
}

TEST(TrLine, IndexFromAPvAndFailures) {
    PvEnv e;
    e.set("$var(i)", Value::of_int(1));
    EXPECT_EQ(tr(e, "a\nb\nc", "line.at,$var(i)"), "b");
    // Kamailio 5.6.3: an empty value fails (c=[]); an integer is its text (42 -> count 1).
    EXPECT_EQ(tr(e, "", "line.count"), "");
    e.set("$var(n)", Value::of_int(42));
    EXPECT_EQ(e.eval("$(var(n){line.count})"), "int 1");
    EXPECT_EQ(e.eval("$(avp(none){line.count})"), "");
    EXPECT_NE(e.parse_error("$(var(l){line.at,x})"), "");
    EXPECT_NE(e.parse_error("$(var(l){line.at})"), "");
    EXPECT_EQ(tr(e, "abc", "line.at,2147483647"), "");
    EXPECT_EQ(tr(e, "abc", "line.at,-2147483648"), "");
}

}  // namespace
}  // namespace siphon::pv
