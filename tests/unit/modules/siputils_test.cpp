// siputils module: URI checks and comparisons (RFC 3261 19.1.4), R-URI parameters, E.164 and
// character-class tests, To-tag and hop checks, each against Kamailio 5.6.3's results where
// siphon matches them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../cfg/test_util.h"

namespace siphon::modules {
namespace {

using cfg::test::Loaded;
using cfg::test::Runner;

std::string su_cfg(std::string_view body, std::string_view params = {}) {
    std::string s = cfg::test::preamble();
    s += "loadmodule \"siputils.so\"\n";
    s += params;
    s += "\nrequest_route {\n";
    s += body;
    s += "\n}\n";
    s += "\nevent_route[xhttp:request] {\n    xhttp_reply(\"200\", \"OK\", \"\", \"\");\n}\n";
    return s;
}

// One call per case: `call` is a function call text; the result lands in $var(rN).
struct Case {
    std::string call;
    int expected;
};

// Runs every call once against `request` and checks each return code.
void check_calls(const std::vector<Case>& cases,
                 std::string_view request = cfg::test::kSipRequest, std::string_view params = {}) {
    std::string body;
    for (size_t i = 0; i < cases.size(); ++i)
        body += "    $var(r" + std::to_string(i) + ") = " + cases[i].call + ";\n";
    Runner r(su_cfg(body, params));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run(request);
    for (size_t i = 0; i < cases.size(); ++i)
        EXPECT_EQ(r.show("$var(r" + std::to_string(i) + ")"),
                  "i:" + std::to_string(cases[i].expected))
            << cases[i].call;
}

std::string cmp(std::string_view fn, std::string_view a, std::string_view b) {
    return std::string(fn) + "(\"" + std::string(a) + "\", \"" + std::string(b) + "\")";
}

// ---- cmp_uri ---------------------------------------------------------------------------

TEST(Siputils, CmpUriEquivalentPerRfc3261) {
    // The equivalent pairs listed in RFC 3261 19.1.4.
    const char* eq[][2] = {
        {"sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"},
        {"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"},
        {"sip:carol@chicago.com", "sip:carol@chicago.com;security=on"},
        {"sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"},
        {"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
         "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"},
        {"sip:alice@atlanta.com?subject=project%20x&priority=urgent",
         "sip:alice@atlanta.com?priority=urgent&subject=project%20x"},
    };
    std::vector<Case> cases;
    for (auto& p : eq) {
        cases.push_back({cmp("cmp_uri", p[0], p[1]), 1});
        cases.push_back({cmp("cmp_uri", p[1], p[0]), 1});
    }
    check_calls(cases);
}

TEST(Siputils, CmpUriNotEquivalentPerRfc3261) {
    // The non-equivalent pairs listed in RFC 3261 19.1.4.
    const char* ne[][2] = {
        {"SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"},
        {"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"},
        {"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"},
        {"sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"},
        {"sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"},
        {"sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"},
        {"sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"},
    };
    std::vector<Case> cases;
    for (auto& p : ne) {
        cases.push_back({cmp("cmp_uri", p[0], p[1]), -1});
        cases.push_back({cmp("cmp_uri", p[1], p[0]), -1});
    }
    check_calls(cases);
}

TEST(Siputils, CmpUriOtherRules) {
    check_calls({
        {cmp("cmp_uri", "sip:a@b", "sips:a@b"), -1},
        {cmp("cmp_uri", "sip:a:pw@b", "sip:a@b"), -1},
        {cmp("cmp_uri", "sip:a@b;user=phone", "sip:a@b"), -1},
        {cmp("cmp_uri", "sip:a@b;ttl=5", "sip:a@b"), -1},
        {cmp("cmp_uri", "sip:a@b;method=INVITE", "sip:a@b"), -1},
        {cmp("cmp_uri", "sip:a@b;lr;maddr=1.2.3.4", "sip:a@b;lr"), -1},
        {cmp("cmp_uri", "sip:a@b;lr", "sip:a@b"), 1},
        {cmp("cmp_uri", "sip:a@b;lr", "sip:a@b;lr=on"), -1},
        {cmp("cmp_uri", "sip:a@b;x=1;lr", "sip:a@b;lr;X=1"), 1},
        {cmp("cmp_uri", "sip:a@b;x=A", "sip:a@b;x=a"), 1},
        {cmp("cmp_uri", "sip:a@b;lr;x=1", "sip:a@b;lr;x=2"), -1},
        {cmp("cmp_uri", "sip:%41@b", "sip:A@b"), 1},
        {cmp("cmp_uri", "sip:a%3bb@h", "sip:a%3Bb@h"), 1},  // escaped reserved stays escaped
        {cmp("cmp_uri", "sip:a@b?X=1", "sip:a@b?x=2"), -1},
        {cmp("cmp_uri", "tel:+123", "tel:+123"), 1},
        {cmp("cmp_uri", "garbage", "sip:a@b"), -2},
        {cmp("cmp_uri", "sip:a@b", "garbage"), -2},
        {cmp("cmp_uri", "", ""), -2},
    });
}

TEST(Siputils, CmpUriWithVariables) {
    check_calls({{"cmp_uri(\"$ru\", \"sip:alice@EXAMPLE.com\")", 1},
                 {"cmp_uri(\"$fu\", \"sip:bob@example.org;tag=x\")", 1},
                 {"cmp_uri(\"$ru\", \"$fu\")", -1}});
}

// ---- cmp_aor ---------------------------------------------------------------------------

TEST(Siputils, CmpAor) {
    // Kamailio 5.6.3's results, except the escaped user (siphon unescapes, as cmp_uri).
    check_calls({
        {cmp("cmp_aor", "sip:a@b", "sip:a@b:5060"), 1},
        {cmp("cmp_aor", "sip:a@b;x=1", "sip:a@B"), 1},
        {cmp("cmp_aor", "sip:A@b", "sip:a@b"), -1},
        {cmp("cmp_aor", "sips:a@b", "sip:a@b"), 1},
        {cmp("cmp_aor", "sip:a@b:5070", "sip:a@b"), -1},
        {cmp("cmp_aor", "sip:a@b:5060", "sip:a@b:5060"), 1},
        {cmp("cmp_aor", "sip:a:p@b", "sip:a@b"), 1},
        {cmp("cmp_aor", "sip:%61@b", "sip:a@b"), 1},
        {cmp("cmp_aor", "sip:a@b?h=1", "sip:a@b"), 1},
        {cmp("cmp_aor", "garbage", "sip:a@b"), -2},
        {cmp("cmp_aor", "a@b", "sip:a@b"), -2},
        {cmp("cmp_aor", "tel:123", "tel:123"), 1},
    });
}

TEST(Siputils, CmpHdrName) {
    check_calls({
        {cmp("cmp_hdr_name", "From", "f"), 1},
        {cmp("cmp_hdr_name", "FROM", "from"), 1},
        {cmp("cmp_hdr_name", "X-A", "x-a"), 1},
        {cmp("cmp_hdr_name", "X-A", "X-B"), -1},
        {cmp("cmp_hdr_name", "Via", "From"), -1},
        {cmp("cmp_hdr_name", "v", "VIA"), 1},
    });
}

// ---- URI checks ------------------------------------------------------------------------

TEST(Siputils, IsUri) {
    check_calls({
        {"is_uri(\"sip:a@b\")", 1},
        {"is_uri(\"sips:a@b:5061;x=1?h=v\")", 1},
        {"is_uri(\"tel:+123\")", 1},
        {"is_uri(\"SIP:A@B\")", 1},
        {"is_uri(\"urn:service:sos\")", 1},
        {"is_uri(\"$ru\")", 1},
        {"is_uri(\"a@b\")", -1},
        {"is_uri(\"http://x\")", -1},
        {"is_uri(\"\")", -1},
        {"is_uri(\"sip:\")", -1},
        {"is_uri(\"sip:a@\")", -1},
        {"is_uri(\"sip:b:99999\")", -1},
        {"is_uri(\"sip:a b@c\")", -1},  // Kamailio accepts the space
        {"is_uri(\"urn:\")", -1},
    });
}

TEST(Siputils, IsE164) {
    check_calls({
        {"is_e164(\"+1234567\")", 1},
        {"is_e164(\"1234567\")", -1},
        {"is_e164(\"+12\")", 1},
        {"is_e164(\"+1\")", -1},
        {"is_e164(\"+123456789012345\")", 1},
        {"is_e164(\"+1234567890123456\")", -1},
        {"is_e164(\"+12a4567\")", -1},
        {"is_e164(\"\")", -1},
        {"is_e164(\"+\")", -1},
        {"is_e164(\"+0123\")", 1},
        {"is_uri_user_e164(\"sip:+1234@x\")", 1},
        {"is_uri_user_e164(\"sip:1234@x\")", -1},
        {"is_uri_user_e164(\"junk\")", -1},
    });
    // e164_max_len counts the '+'.
    check_calls({{"is_e164(\"+1234\")", 1}, {"is_e164(\"+12345\")", -1}}, cfg::test::kSipRequest,
                "modparam(\"siputils\", \"e164_max_len\", 5)\n");
}

TEST(Siputils, CharacterClassChecks) {
    check_calls({
        {"is_numeric(\"123\")", 1},
        {"is_numeric(\"\")", -2},
        {"is_numeric(\"+1\")", -2},
        {"is_numeric(\"12a\")", -2},
        {"is_alphanum(\"aZ09\")", 1},
        {"is_alphanum(\"\")", -2},
        {"is_alphanum(\"a-b\")", -3},
        {"is_alphanumex(\"a-b.c\", \"-.\")", 1},
        {"is_alphanumex(\"a-b_c\", \"-.\")", -3},
        {"is_tel_number(\"+123\")", 1},
        {"is_tel_number(\"123\")", 1},
        {"is_tel_number(\"+\")", -2},
        {"is_tel_number(\"\")", -2},
        {"is_tel_number(\"1+2\")", -2},
        {"is_tel_number(\"+0123\")", -2},
    });
}

// ---- R-URI parameters ------------------------------------------------------------------

constexpr std::string_view kParamRequest =
    "OPTIONS sip:alice@example.com;p1;p2=v2;lr SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
    "From: <sip:bob@example.org>;tag=f1\r\n"
    "To: <sip:alice@example.com>;tag=t9\r\n"
    "Call-ID: cid-2\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

TEST(Siputils, UriParam) {
    // Measured on Kamailio 5.6.3: names and values are case-sensitive; the one-argument form
    // wants a parameter without value.
    check_calls(
        {
            {"uri_param(\"p1\")", 1},
            {"uri_param(\"p2\")", -1},
            {"uri_param(\"p2\", \"v2\")", 1},
            {"uri_param(\"p2\", \"V2\")", -1},
            {"uri_param(\"P2\", \"v2\")", -1},
            {"uri_param(\"p1\", \"\")", 1},
            {"uri_param(\"p3\")", -1},
            {"uri_param(\"p3\", \"x\")", -1},
            {"uri_param_any(\"p1\")", 1},
            {"uri_param_any(\"p2\")", 1},
            {"uri_param_any(\"p3\")", -1},
        },
        kParamRequest);
}

TEST(Siputils, GetUriParamAndAddUriParam) {
    Runner r(su_cfg(R"cfg(
        $var(g1) = "unset"; $var(g2) = "unset"; $var(g3) = "unset";
        $var(r1) = get_uri_param("p1", "$var(g1)");
        $var(r2) = get_uri_param("p2", "$var(g2)");
        $var(r3) = get_uri_param("p3", "$var(g3)");
        $var(r4) = add_uri_param("nat=yes");
        $var(ru) = $ru;
        $var(r5) = uri_param("nat", "yes");
        $var(r6) = add_uri_param("");
        $var(ru2) = $ru;)cfg"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run(kParamRequest);
    EXPECT_EQ(r.show("$var(r1)"), "i:1");
    EXPECT_EQ(r.show("$var(g1)"), "s:");
    EXPECT_EQ(r.show("$var(r2)"), "i:1");
    EXPECT_EQ(r.show("$var(g2)"), "s:v2");
    EXPECT_EQ(r.show("$var(r3)"), "i:-1");
    EXPECT_EQ(r.show("$var(g3)"), "s:unset");
    EXPECT_EQ(r.show("$var(r4)"), "i:1");
    EXPECT_EQ(r.show("$var(ru)"), "s:sip:alice@example.com;p1;p2=v2;lr;nat=yes");
    EXPECT_EQ(r.show("$var(r5)"), "i:1");  // the checks read the rewritten R-URI
    EXPECT_EQ(r.show("$var(r6)"), "i:1");  // an empty parameter changes nothing
    EXPECT_EQ(r.show("$var(ru2)"), "s:sip:alice@example.com;p1;p2=v2;lr;nat=yes");
}

TEST(Siputils, AddUriParamGoesBeforeUriHeaders) {
    Runner r(su_cfg(R"cfg(
        $ru = "sips:bob@example.com;maddr=10.0.0.1?h=1&k=2";
        $var(r) = add_uri_param("nat=yes");
        $var(ru) = $ru;)cfg"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run(kParamRequest);
    EXPECT_EQ(r.show("$var(r)"), "i:1");
    // Kamailio 5.6 rebuilds this URI as "sip:" + parts and loses the '@' (unparsable).
    EXPECT_EQ(r.show("$var(ru)"), "s:sips:bob@example.com;maddr=10.0.0.1;nat=yes?h=1&k=2");
}

TEST(Siputils, GetUriParamNeedsAWritableVariable) {
    log_config().level.store(kLogCrit);
    Loaded l(su_cfg("get_uri_param(\"p\", \"$si\");"));
    log_config().level.store(kLogWarn);
    EXPECT_FALSE(l.ok());
}

// ---- message checks --------------------------------------------------------------------

TEST(Siputils, MessageChecks) {
    check_calls({
        {"has_totag()", -1},
        {"is_request()", 1},
        {"is_reply()", -1},
        {"is_first_hop()", 1},
        {"is_first_hop(\"1\")", 1},
        {"is_user(\"bob\")", -1},  // no credentials are ever authorized
    });
    check_calls({{"has_totag()", 1}}, kParamRequest);
}

TEST(Siputils, FirstHopCountsViaEntries) {
    const std::string two_headers =
        "OPTIONS sip:a@b SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-2\r\n"
        "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
        "From: <sip:b@c>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n";
    const std::string one_header_two_entries =
        "OPTIONS sip:a@b SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-2, SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
        "From: <sip:b@c>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n";
    check_calls({{"is_first_hop()", -1}}, two_headers);
    check_calls({{"is_first_hop()", -1}}, one_header_two_entries);
}

TEST(Siputils, ReplyChecks) {
    const std::string reply =
        "SIP/2.0 200 OK\r\n"
        "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
        "From: <sip:b@c>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n";
    check_calls(
        {{"is_reply()", 1}, {"is_request()", -1}, {"has_totag()", 1}, {"is_first_hop()", -1}},
        reply);
}

TEST(Siputils, RouteRestrictionsAndParams) {
    log_config().level.store(kLogCrit);
    Loaded bad_param(su_cfg("", "modparam(\"siputils\", \"e164_max_len\", 1)\n"));
    Loaded unknown(su_cfg("", "modparam(\"siputils\", \"options_accept\", \"x\")\n"));
    log_config().level.store(kLogWarn);
    EXPECT_FALSE(bad_param.ok());
    EXPECT_FALSE(unknown.ok());
}

}  // namespace
}  // namespace siphon::modules
