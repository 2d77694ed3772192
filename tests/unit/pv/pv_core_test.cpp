// Tests of core pseudo-variables added for script breadth: R-URI rewriting ($ru $rU $rd $rp
// and the original $ou $oU $od $op), $hfl/$hflc, identity headers ($ai $pu $pU $pd $pn $re
// $rt $di), digest credentials ($au $ad $aU $ar $adu $aa), $dd/$dp, $bs, $csb, $vz and $vn.
#include <gtest/gtest.h>

#include "pv_test_util.h"

namespace siphon::pv {
namespace {

using test::PvEnv;

const char* kInvite =
    "INVITE sip:bob:secret@b.example.com:5070;transport=tcp SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1, SIP/2.0/TCP 10.0.0.2;branch=z9hG4bK2\r\n"
    "Via: SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK3\r\n"
    "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
    "From: \"Alice\" <sip:alice@a.example.com>;tag=ft\r\n"
    "To: <sip:bob@b.example.com>\r\n"
    "Call-ID: c1\r\n"
    "CSeq: 7 INVITE\r\n"
    "Contact: <sip:alice@10.0.0.1>, \"x, y\" <sip:z@10.0.0.9>\r\n"
    "P-Asserted-Identity: \"PAI\" <sip:+100@pai.example.com>\r\n"
    "P-Preferred-Identity: \"Pref\" <sip:pref@ppi.example.com>\r\n"
    "Remote-Party-ID: <sip:rpid@r.example.com>;party=calling\r\n"
    "Refer-To: <sip:target@t.example.com>\r\n"
    "Diversion: <sip:div@d.example.com>;reason=unconditional\r\n"
    "Proxy-Authorization: Digest username=\"alice@a.example.com\", realm=\"a.example.com\", "
    "nonce=\"n\", uri=\"sip:b.example.com\", response=\"r\", algorithm=MD5\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "v=0\n";

// Kamailio 5.6.3, same message and assignments: Q3 ru=[sip:carol:secret@b.example.com:5070;
// transport=tcp] ou=[sip:bob:secret@...] oU=[bob]; Q4 ru=[sip:carol:secret@c.example.com:5080;
// transport=tcp] rd=[c.example.com] rp=[5080]; Q5 ($rp = $null) ru=[sip:carol:secret@
// c.example.com;transport=tcp]; Q6 ($rU = "") ru=[sip:c.example.com;transport=tcp] rU=[<null>].
// Kamailio accepts $ru = "not a uri" (then $ru and $rd read <null>); siphon refuses it.
TEST(PvCore, RequestUriRewrite) {
    PvEnv e;
    ASSERT_TRUE(e.set_message(kInvite));
    EXPECT_EQ(e.eval("$rU"), "bob");
    EXPECT_EQ(e.eval("$rp"), "int 5070");
    ASSERT_TRUE(e.set_str("$rU", "carol"));
    EXPECT_EQ(e.eval("$ru"), "sip:carol:secret@b.example.com:5070;transport=tcp");
    EXPECT_EQ(e.eval("$rU"), "carol");
    ASSERT_TRUE(e.set_str("$rd", "c.example.com"));
    EXPECT_EQ(e.eval("$rd"), "c.example.com");
    ASSERT_TRUE(e.set("$rp", Value::of_int(5080)));
    EXPECT_EQ(e.eval("$ru"), "sip:carol:secret@c.example.com:5080;transport=tcp");
    ASSERT_TRUE(e.set("$rp", Value::null()));
    EXPECT_EQ(e.eval("$ru"), "sip:carol:secret@c.example.com;transport=tcp");
    EXPECT_EQ(e.eval("$rp"), "int 5060");  // no port: 5060, as Kamailio (compat case 113)
    ASSERT_TRUE(e.set_str("$rU", ""));  // removes the whole userinfo
    EXPECT_EQ(e.eval("$ru"), "sip:c.example.com;transport=tcp");
    EXPECT_EQ(e.eval("$rU"), "<null>");
    ASSERT_TRUE(e.set_str("$rU", "d\xc3\xa9"));
    EXPECT_EQ(e.eval("$ru"), "sip:d\xc3\xa9@c.example.com;transport=tcp");
    // The received R-URI stays visible as $ou/$oU/$od/$op.
    EXPECT_EQ(e.eval("$ou"), "sip:bob:secret@b.example.com:5070;transport=tcp");
    EXPECT_EQ(e.eval("$oU"), "bob");
    EXPECT_EQ(e.eval("$od"), "b.example.com");
    EXPECT_EQ(e.eval("$op"), "int 5070");
    // A whole new URI; an invalid one is refused and changes nothing.
    ASSERT_TRUE(e.set_str("$ru", "sip:x@y.example.com"));
    EXPECT_EQ(e.eval("$rd"), "y.example.com");
    EXPECT_FALSE(e.set_str("$ru", "not a uri"));
    EXPECT_FALSE(e.set("$ru", Value::of_int(3)));
    EXPECT_FALSE(e.set_str("$rd", ""));
    EXPECT_FALSE(e.set_str("$rp", "70000"));
    EXPECT_EQ(e.eval("$ru"), "sip:x@y.example.com");
    EXPECT_EQ(e.eval("$(ru{uri.host})"), "y.example.com");
    // The next message starts from its own R-URI.
    e.next_message();
    EXPECT_EQ(e.eval("$rU"), "bob");
}

// A module that replaces msg->uri itself (textops subst_uri) after an assignment wins.
TEST(PvCore, ModuleRewriteOfTheRequestLineWins) {
    PvEnv e;
    ASSERT_TRUE(e.set_message(kInvite));
    ASSERT_TRUE(e.set_str("$rU", "x"));
    EXPECT_EQ(e.eval("$rU"), "x");
    EXPECT_EQ(request_uri(e.ctx()), "sip:x:secret@b.example.com:5070;transport=tcp");
    std::string other = "sip:m@n.example.com";
    e.ctx().msg->uri = other;
    EXPECT_EQ(e.eval("$ru"), "sip:m@n.example.com");
    set_request_uri(e.ctx(), "sip:api@set.example.com");
    EXPECT_EQ(e.eval("$rd"), "set.example.com");
}

TEST(PvCore, TelRequestUriPartsAreNotWritable) {
    PvEnv e;
    ASSERT_TRUE(e.set_message("INVITE tel:+1234 SIP/2.0\r\nCall-ID: x\r\n\r\n"));
    EXPECT_EQ(e.eval("$rU"), "+1234");
    EXPECT_FALSE(e.set_str("$rU", "5"));
    EXPECT_FALSE(e.set_str("$rd", "h"));
    EXPECT_FALSE(e.set("$rp", Value::of_int(5060)));
    EXPECT_EQ(e.eval("$ru"), "tel:+1234");
    ASSERT_TRUE(e.set_str("$ru", "sip:5@h"));
    EXPECT_EQ(e.eval("$rU"), "5");
}

TEST(PvCore, RequestUriNotWritableOnReplies) {
    PvEnv e;
    ASSERT_TRUE(e.set_message("SIP/2.0 200 OK\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n"));
    EXPECT_FALSE(e.set_str("$ru", "sip:a@b"));
    EXPECT_EQ(e.eval("$ru"), "<null>");
}

TEST(PvCore, HeaderBodyLists) {
    PvEnv e;
    ASSERT_TRUE(e.set_message(kInvite));
    // Kamailio 5.6.3 on this message: hflc=[3] hdrc=[2]
    // hfl1=[SIP/2.0/TCP 10.0.0.2;branch=z9hG4bK2] hflm1=[<null>] rr1=[<sip:p2.example.com;lr>]
    // ctc=[2] ct1=[<sip:alice@10.0.0.1>] (Kamailio returns the first Contact for [1]; siphon
    // the second)
    EXPECT_EQ(e.eval("$hflc(Via)"), "int 3");
    EXPECT_EQ(e.eval("$hdrc(Via)"), "int 2");
    EXPECT_EQ(e.eval("$(hfl(Via)[1])"), "SIP/2.0/TCP 10.0.0.2;branch=z9hG4bK2");
    EXPECT_EQ(e.eval("$(hfl(Via)[2])"), "SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK3");
    EXPECT_EQ(e.eval("$(hfl(Via)[-1])"), "<null>");
    EXPECT_EQ(e.eval("$(hfl(Via)[3])"), "<null>");
    EXPECT_EQ(e.eval("$hfl(Record-Route)"), "<sip:p1.example.com;lr>");
    EXPECT_EQ(e.eval("$(hfl(Record-Route)[1])"), "<sip:p2.example.com;lr>");
    EXPECT_EQ(e.eval("$hflc(Record-Route)"), "int 2");
    EXPECT_EQ(e.eval("$hflc(Contact)"), "int 2");
    // A comma inside a quoted display name does not split.
    EXPECT_EQ(e.eval("$(hfl(Contact)[1])"), "\"x, y\" <sip:z@10.0.0.9>");
    // Other headers: as $hdr / $hdrc.
    EXPECT_EQ(e.eval("$hfl(Call-ID)"), "c1");
    EXPECT_EQ(e.eval("$hflc(Call-ID)"), "int 1");
    EXPECT_EQ(e.eval("$hflc(X-None)"), "int 0");
}

// Kamailio 5.6.3 on this message: ai=[sip:+100@pai.example.com] pu=[sip:pref@ppi.example.com]
// pU=[pref] pd=[ppi.example.com] pn=["Pref"] re=[sip:rpid@r.example.com]
// rt=[sip:target@t.example.com] di=[sip:div@d.example.com] au=[alice] ad=[a.example.com]
// aU=[alice@a.example.com] ar=[a.example.com] adu=[sip:b.example.com] aa=[MD5] bs=[4]
// csb=[7 INVITE]
TEST(PvCore, IdentityHeaders) {
    PvEnv e;
    ASSERT_TRUE(e.set_message(kInvite));
    EXPECT_EQ(e.eval("$ai"), "sip:+100@pai.example.com");
    EXPECT_EQ(e.eval("$pu"), "sip:pref@ppi.example.com");
    EXPECT_EQ(e.eval("$pU"), "pref");
    EXPECT_EQ(e.eval("$pd"), "ppi.example.com");
    EXPECT_EQ(e.eval("$pn"), "\"Pref\"");
    EXPECT_EQ(e.eval("$re"), "sip:rpid@r.example.com");
    EXPECT_EQ(e.eval("$rt"), "sip:target@t.example.com");
    EXPECT_EQ(e.eval("$di"), "sip:div@d.example.com");
    EXPECT_EQ(e.eval("$bs"), "int 4");
    EXPECT_EQ(e.eval("$csb"), "7 INVITE");
    PvEnv none;
    ASSERT_TRUE(none.set_message("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n"));
    EXPECT_EQ(none.eval("$ai"), "<null>");
    EXPECT_EQ(none.eval("$pU"), "<null>");
    EXPECT_EQ(none.eval("$au"), "<null>");
}

TEST(PvCore, DigestCredentials) {
    PvEnv e;
    ASSERT_TRUE(e.set_message(kInvite));
    EXPECT_EQ(e.eval("$au"), "alice");
    EXPECT_EQ(e.eval("$ad"), "a.example.com");
    EXPECT_EQ(e.eval("$aU"), "alice@a.example.com");
    EXPECT_EQ(e.eval("$ar"), "a.example.com");
    EXPECT_EQ(e.eval("$adu"), "sip:b.example.com");
    EXPECT_EQ(e.eval("$aa"), "MD5");
    // Proxy-Authorization wins over Authorization for every method, REGISTER included; fields
    // the credentials lack read "" (Kamailio 5.6.3, compat case 117).
    PvEnv r;
    ASSERT_TRUE(r.set_message(
        "REGISTER sip:a.example.com SIP/2.0\r\nCall-ID: x\r\n"
        "Authorization: Digest username=\"bob\",realm=\"r\"\r\n"
        "Proxy-Authorization: Digest username=\"carol\"\r\n\r\n"));
    EXPECT_EQ(r.eval("$au"), "carol");
    EXPECT_EQ(r.eval("$ad"), "");
    EXPECT_EQ(r.eval("$ar"), "");
    EXPECT_EQ(r.eval("$aa"), "");
    PvEnv a;
    ASSERT_TRUE(a.set_message(
        "REGISTER sip:a.example.com SIP/2.0\r\nCall-ID: x\r\n"
        "Authorization: Digest username=\"bob\",realm=\"r\"\r\n\r\n"));
    EXPECT_EQ(a.eval("$au"), "bob");
    EXPECT_EQ(a.eval("$ar"), "r");
    PvEnv b;
    ASSERT_TRUE(b.set_message(
        "REGISTER sip:a SIP/2.0\r\nCall-ID: x\r\nAuthorization: Basic Ym9iOnB3\r\n\r\n"));
    EXPECT_EQ(b.eval("$au"), "<null>");
}

TEST(PvCore, DestinationUriParts) {
    PvEnv e;
    EXPECT_EQ(e.eval("$dd"), "<null>");
    EXPECT_EQ(e.eval("$du"), "<null>");
    EXPECT_FALSE(e.set("$du", Value::of_int(1)));
    ASSERT_TRUE(e.set_str("$du", "sip:x@y.example.com"));
    EXPECT_EQ(e.eval("$dd"), "y.example.com");
    EXPECT_EQ(e.eval("$dp"), "int 0");
    ASSERT_TRUE(e.set("$du", Value::null()));
    EXPECT_EQ(e.eval("$du"), "<null>");
    e.ctx().dst_uri = "sip:proxy.example.com:5090;transport=tcp";
    EXPECT_EQ(e.eval("$dd"), "proxy.example.com");
    EXPECT_EQ(e.eval("$dp"), "int 5090");
}

TEST(PvCore, BranchAndScriptFlags) {
    PvEnv e;
    EXPECT_EQ(e.eval("$bf"), "int 0");
    ASSERT_TRUE(e.set("$bf", Value::of_int(5)));
    ASSERT_TRUE(e.set("$sf", Value::of_int(-1)));
    EXPECT_EQ(e.eval("$bf"), "int 5");
    EXPECT_EQ(e.eval("$sf"), "int -1");
    EXPECT_FALSE(e.set_str("$bf", "3"));
    ASSERT_TRUE(e.set("$bf", Value::null()));
    EXPECT_EQ(e.eval("$bf"), "int 0");
}

TEST(PvCore, VzAndVn) {
    PvEnv e;
    // Kamailio 5.6.3: $vz(a) = "zz"; $vn(b) = 3 -> [zz] [3]; unset $vn(c) [<null>], unset
    // $vz(c) [0]; $vn(b) = $null -> [<null>]
    e.set_str("$vz(a)", "zz");
    e.set("$vn(b)", Value::of_int(3));
    EXPECT_EQ(e.eval("$vz(a)"), "zz");
    EXPECT_EQ(e.eval("$var(a)"), "zz");  // $vz is $var
    EXPECT_EQ(e.eval("$vn(b)"), "int 3");
    EXPECT_EQ(e.eval("$vn(c)"), "<null>");
    EXPECT_EQ(e.eval("$vz(c)"), "int 0");
    EXPECT_EQ(e.eval("$var(b)"), "int 0");  // separate from $vn(b)
    e.set("$vn(b)", Value::null());
    EXPECT_EQ(e.eval("$vn(b)"), "<null>");
    // Both persist across messages (per worker).
    e.set_str("$vn(p)", "keep");
    e.next_message();
    EXPECT_EQ(e.eval("$vn(p)"), "keep");
    EXPECT_EQ(e.eval("$vz(a)"), "zz");
}

}  // namespace
}  // namespace siphon::pv
