// Tests of the name-address ({nameaddr.*}) and To-body ({tobody.*}) transformations. Values
// marked "Kamailio 5.6.3" were measured with xlog in Kamailio 5.6.3.
#include <gtest/gtest.h>

#include "pv_test_util.h"

namespace siphon::pv {
namespace {

using test::PvEnv;

std::string tr(PvEnv& e, std::string_view in, const std::string& t) {
    e.set_str("$var(n)", in);
    return e.eval("$(var(n){" + t + "})");
}

TEST(TrNameaddr, Parts) {
    PvEnv e;
    const char* n = "\"test\" <sip:test@kamailio.net>;tag=abc;x=1";
    // Kamailio 5.6.3: name=["test" ] uri=[sip:test@kamailio.net] len=[30]
    EXPECT_EQ(tr(e, n, "nameaddr.name"), "\"test\" ");
    EXPECT_EQ(tr(e, n, "nameaddr.uri"), "sip:test@kamailio.net");
    EXPECT_EQ(tr(e, n, "nameaddr.len"), "int 30");
    // Kamailio 5.6.3: name=[] uri=[sip:test@kamailio.net] len=[21]
    EXPECT_EQ(tr(e, "sip:test@kamailio.net", "nameaddr.name"), "");
    EXPECT_EQ(tr(e, "sip:test@kamailio.net", "nameaddr.uri"), "sip:test@kamailio.net");
    EXPECT_EQ(tr(e, "sip:test@kamailio.net", "nameaddr.len"), "int 21");
    // Kamailio 5.6.3: name=[Bob ] uri=[sip:bob@b.com] len=[19]
    EXPECT_EQ(tr(e, "Bob <sip:bob@b.com>", "nameaddr.name"), "Bob ");
    EXPECT_EQ(tr(e, "Bob <sip:bob@b.com>", "nameaddr.len"), "int 19");
    // Kamailio 5.6.3: "garbage" is all URI: uri=[garbage] len=[7]
    EXPECT_EQ(tr(e, "garbage", "nameaddr.uri"), "garbage");
    EXPECT_EQ(tr(e, "garbage", "nameaddr.len"), "int 7");
    // A '<' inside the quoted name does not start the URI.
    EXPECT_EQ(tr(e, "\"a<b\" <sip:x@y>", "nameaddr.uri"), "sip:x@y");
    EXPECT_EQ(tr(e, "\"J\xc3\xbcrgen\" <sip:j@y>", "nameaddr.name"), "\"J\xc3\xbcrgen\" ");
}

TEST(TrNameaddr, Failures) {
    PvEnv e;
    // '<' without '>' fails (Kamailio 5.6.3 gives uri=[sip:a@b] len=[0] there).
    EXPECT_EQ(tr(e, "\"x\" <sip:a@b", "nameaddr.uri"), "");
    // Kamailio 5.6.3: an empty value fails (n=[]).
    EXPECT_EQ(tr(e, "", "nameaddr.uri"), "");
    EXPECT_EQ(e.eval("$(avp(none){nameaddr.uri})"), "");
    e.set("$var(i)", Value::of_int(5));
    EXPECT_EQ(e.eval("$(var(i){nameaddr.len})"), "");
}

TEST(TrTobody, Parts) {
    PvEnv e;
    const char* n = "\"test\" <sip:test@kamailio.net>;tag=abc;x=1";
    // Kamailio 5.6.3: uri=[sip:test@kamailio.net] disp=["test"] tag=[abc] user=[test]
    // host=[kamailio.net] params=[tag=abc;x=1]
    EXPECT_EQ(tr(e, n, "tobody.uri"), "sip:test@kamailio.net");
    EXPECT_EQ(tr(e, n, "tobody.display"), "\"test\"");
    EXPECT_EQ(tr(e, n, "tobody.tag"), "abc");
    EXPECT_EQ(tr(e, n, "tobody.user"), "test");
    EXPECT_EQ(tr(e, n, "tobody.host"), "kamailio.net");
    EXPECT_EQ(tr(e, n, "tobody.params"), "tag=abc;x=1");
    // Kamailio 5.6.3: uri=[sip:bob@b.com] disp=[] tag=[9] params=[tag=9]
    EXPECT_EQ(tr(e, "sip:bob@b.com;tag=9", "tobody.uri"), "sip:bob@b.com");
    EXPECT_EQ(tr(e, "sip:bob@b.com;tag=9", "tobody.display"), "");
    EXPECT_EQ(tr(e, "sip:bob@b.com;tag=9", "tobody.tag"), "9");
    EXPECT_EQ(tr(e, "sip:bob@b.com;tag=9", "tobody.params"), "tag=9");
    // Kamailio 5.6.3: disp=[Bob] (an unquoted name is trimmed)
    EXPECT_EQ(tr(e, "Bob <sip:bob@b.com>", "tobody.display"), "Bob");
    EXPECT_EQ(tr(e, "Bob <sip:bob@b.com>", "tobody.tag"), "");
    EXPECT_EQ(tr(e, "<sip:b.com>", "tobody.user"), "");
}

TEST(TrTobody, Failures) {
    PvEnv e;
    // Kamailio 5.6.3: "garbage" -> uri=[]
    EXPECT_EQ(tr(e, "garbage", "tobody.uri"), "");
    EXPECT_EQ(tr(e, "", "tobody.uri"), "");
    EXPECT_EQ(tr(e, "<sip:a@b", "tobody.uri"), "");
    EXPECT_EQ(e.eval("$(avp(none){tobody.uri})"), "");
}

}  // namespace
}  // namespace siphon::pv
