// Tests of the value transformations ({val.*}). Kamailio 5.6.3 does not have this class
// ("unknown transformation: [val]", measured); expected values follow the documentation.
#include <gtest/gtest.h>

#include "pv_test_util.h"

namespace siphon::pv {
namespace {

using test::PvEnv;

TEST(TrVal, NullDefaults) {
    PvEnv e;
    EXPECT_EQ(e.eval("$(avp(none){val.n0})"), "int 0");
    EXPECT_EQ(e.eval("$(avp(none){val.ne})"), "");
    EXPECT_EQ(e.eval("$(avp(none){val.json})"), "");
    EXPECT_EQ(e.eval("$(avp(none){val.jsonqe})"), "\"\"");
    e.set_str("$var(s)", "x");
    EXPECT_EQ(e.eval("$(var(s){val.n0})"), "x");
    EXPECT_EQ(e.eval("$(var(s){val.ne})"), "x");
    e.set("$var(i)", Value::of_int(-7));
    EXPECT_EQ(e.eval("$(var(i){val.n0})"), "int -7");
    EXPECT_EQ(e.eval("$(var(i){val.jsonqe})"), "int -7");
    EXPECT_EQ(e.eval("$(var(i){val.json})"), "int -7");
}

TEST(TrVal, JsonEscaping) {
    PvEnv e;
    e.set_str("$var(x)", "\"name\" <sip:name@a.com>");
    EXPECT_EQ(e.eval("$(var(x){val.json})"), "\\\"name\\\" <sip:name@a.com>");
    EXPECT_EQ(e.eval("$(var(x){val.jsonqe})"), "\"\\\"name\\\" <sip:name@a.com>\"");
    e.set_str("$var(x)", std::string_view("a\\b\n\t\x01/\xc3\xa9", 9));
    EXPECT_EQ(e.eval("$(var(x){val.json})"), "a\\\\b\\n\\t\\u0001/\xc3\xa9");
    e.set_str("$var(x)", "");
    EXPECT_EQ(e.eval("$(var(x){val.json})"), "");
    EXPECT_EQ(e.eval("$(var(x){val.jsonqe})"), "\"\"");
    EXPECT_EQ(e.eval("$(var(x){val.jsonqe}{s.len})"), "int 2");
    EXPECT_NE(e.parse_error("$(var(x){val.json,1})"), "");
}

}  // namespace
}  // namespace siphon::pv
