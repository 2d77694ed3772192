// Tests of the URI transformations ({uri.*}). Values marked "Kamailio 5.6.3" were measured
// by running the same expressions with xlog in Kamailio 5.6.3.
#include <gtest/gtest.h>

#include "pv_test_util.h"

namespace siphon::pv {
namespace {

using test::PvEnv;

std::string tr(PvEnv& e, std::string_view in, const std::string& t) {
    e.set_str("$var(u)", in);
    return e.eval("$(var(u){" + t + "})");
}

TEST(TrUri, PartsOfAFullUri) {
    PvEnv e;
    const char* u =
        "sip:alice:pw@server.com:5061;nat=yes;transport=tcp;lr;ttl=5;user=phone;maddr=1.2.3.4;"
        "method=INVITE;r2=on?X=1&Y=2";
    // Kamailio 5.6.3: user=[alice] host=[server.com] domain=[server.com] pw=[pw] port=[5061]
    // params=[nat=yes;...;r2=on] nat=[yes] hdrs=[X=1&Y=2] tr=[tcp] ttl=[5] up=[phone]
    // maddr=[1.2.3.4] m=[INVITE] lr=[] r2=[on] sch=[sip]
    EXPECT_EQ(tr(e, u, "uri.user"), "alice");
    EXPECT_EQ(tr(e, u, "uri.host"), "server.com");
    EXPECT_EQ(tr(e, u, "uri.domain"), "server.com");
    EXPECT_EQ(tr(e, u, "uri.passwd"), "pw");
    EXPECT_EQ(tr(e, u, "uri.port"), "int 5061");
    EXPECT_EQ(tr(e, u, "uri.params"),
              "nat=yes;transport=tcp;lr;ttl=5;user=phone;maddr=1.2.3.4;method=INVITE;r2=on");
    EXPECT_EQ(tr(e, u, "uri.param,nat"), "yes");
    EXPECT_EQ(tr(e, u, "uri.param,NAT"), "yes");
    EXPECT_EQ(tr(e, u, "uri.param,none"), "");
    EXPECT_EQ(tr(e, u, "uri.headers"), "X=1&Y=2");
    EXPECT_EQ(tr(e, u, "uri.transport"), "tcp");
    EXPECT_EQ(tr(e, u, "uri.ttl"), "5");
    EXPECT_EQ(tr(e, u, "uri.uparam"), "phone");
    EXPECT_EQ(tr(e, u, "uri.maddr"), "1.2.3.4");
    EXPECT_EQ(tr(e, u, "uri.method"), "INVITE");
    EXPECT_EQ(tr(e, u, "uri.lr"), "");
    EXPECT_EQ(tr(e, u, "uri.r2"), "on");
    EXPECT_EQ(tr(e, u, "uri.scheme"), "sip");
}

TEST(TrUri, MissingPartsAreEmpty) {
    PvEnv e;
    // Kamailio 5.6.3 on "sip:server.com": port=[] nat=[] lr=[]
    EXPECT_EQ(tr(e, "sip:server.com", "uri.user"), "");
    EXPECT_EQ(tr(e, "sip:server.com", "uri.port"), "");
    EXPECT_EQ(tr(e, "sip:server.com", "uri.param,nat"), "");
    EXPECT_EQ(tr(e, "sip:server.com", "uri.lr"), "");
    EXPECT_EQ(tr(e, "sip:server.com", "uri.headers"), "");
    EXPECT_EQ(tr(e, "sip:server.com", "uri.passwd"), "");
}

TEST(TrUri, InvalidInputsFail) {
    PvEnv e;
    // Kamailio 5.6.3: "garbage" -> user=[] host=[] and {uri.user}{s.len} = [] (the chain
    // stops at the failed step).
    EXPECT_EQ(tr(e, "garbage", "uri.user"), "");
    EXPECT_EQ(tr(e, "garbage", "uri.user}{s.len"), "");
    EXPECT_EQ(tr(e, "", "uri.host"), "");
    EXPECT_EQ(tr(e, "sip:", "uri.host"), "");
    EXPECT_EQ(tr(e, "sip:a b@c", "uri.host"), "");
    EXPECT_EQ(e.eval("$(avp(nothing){uri.user})"), "");
    // An integer is read as its text, which is no URI (Kamailio 5.6.3: "invalid uri [42]").
    e.set("$var(i)", Value::of_int(42));
    EXPECT_EQ(e.eval("$(var(i){uri.user})"), "");
}

TEST(TrUri, TelAndIpv6AndUtf8) {
    PvEnv e;
    // Kamailio 5.6.3: tel:+1234;phone-context=x -> user=[+1234] host=[] sch=[tel]
    EXPECT_EQ(tr(e, "tel:+1234;phone-context=x", "uri.user"), "+1234");
    EXPECT_EQ(tr(e, "tel:+1234;phone-context=x", "uri.host"), "");
    EXPECT_EQ(tr(e, "tel:+1234;phone-context=x", "uri.scheme"), "tel");
    // Kamailio 5.6.3: host=[[2001:db8::1]] port=[5071] lr=[]
    EXPECT_EQ(tr(e, "sips:[2001:db8::1]:5071;lr", "uri.host"), "[2001:db8::1]");
    EXPECT_EQ(tr(e, "sips:[2001:db8::1]:5071;lr", "uri.port"), "int 5071");
    EXPECT_EQ(tr(e, "sips:[2001:db8::1]:5071;lr", "uri.scheme"), "sips");
    // Kamailio 5.6.3 refuses UTF-8 in a URI ("invalid uri [sip:jürgen@bär.de]": user=[]).
    EXPECT_EQ(tr(e, "sip:j\xc3\xbcrgen@b\xc3\xa4r.de", "uri.user"), "");
}

TEST(TrUri, RoutingForms) {
    PvEnv e;
    const char* o = "sip:alice@server.com:5060;nat=yes;transport=tcp;line=xyz";
    // As documented (Kamailio 5.6.3 prints these three truncated).
    EXPECT_EQ(tr(e, o, "uri.duri"), "sip:server.com:5060;transport=tcp");
    EXPECT_EQ(tr(e, o, "uri.saor"), "sip:alice@server.com");
    EXPECT_EQ(tr(e, o, "uri.suri"), "sip:alice@server.com:5060;transport=tcp");
    EXPECT_EQ(tr(e, "sip:server.com", "uri.duri"), "sip:server.com");
    EXPECT_EQ(tr(e, "sip:server.com", "uri.saor"), "sip:server.com");
    EXPECT_EQ(tr(e, "sip:server.com", "uri.suri"), "sip:server.com");
    // Kamailio 5.6.3: tosock=[tcp:server.com:5060], [udp:1.2.3.4:5070], and without a
    // transport parameter "" ("unknown transport protocol").
    EXPECT_EQ(tr(e, o, "uri.tosocket"), "tcp:server.com:5060");
    EXPECT_EQ(tr(e, "sip:alice@1.2.3.4:5070;transport=udp", "uri.tosocket"), "udp:1.2.3.4:5070");
    EXPECT_EQ(tr(e, "sip:server.com", "uri.tosocket"), "");
    EXPECT_EQ(tr(e, "sips:h;transport=TLS", "uri.tosocket"), "tls:h:5061");
}

TEST(TrUri, ParamNameFromAPv) {
    PvEnv e;
    e.set_str("$var(n)", "transport");
    EXPECT_EQ(tr(e, "sip:h;transport=ws", "uri.param,$var(n)"), "ws");
    EXPECT_NE(e.parse_error("$(var(u){uri.param})"), "");   // the name is required
    EXPECT_NE(e.parse_error("$(var(u){uri.nope})"), "");
}

TEST(TrUri, ChainsWithOtherFamilies) {
    PvEnv e;
    EXPECT_EQ(tr(e, "\"A\" <sip:bob@h.com:5080>;tag=1", "nameaddr.uri}{uri.port}{s.len"), "int 4");
    EXPECT_EQ(tr(e, "sip:ALICE@h", "uri.user}{s.tolower"), "alice");
}

}  // namespace
}  // namespace siphon::pv
