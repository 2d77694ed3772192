// SIP header-body parsers: URI, parameters, Via, CSeq, name-addr. Table-driven; each input
// sits flush against a guard page.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "guard_page.h"
#include "msg/sip_parse.h"

namespace siphon::msg {
namespace {

using testing::GuardedBuffer;

std::string case_name(size_t index, std::string_view input) {
    return std::to_string(index) + "_" + testing::param_name(input.substr(0, 40));
}

// ---------------------------------------------------------------------------------------
// URIs

struct UriCase {
    std::string input;
    std::string scheme, user, password, host, port;
    uint16_t port_no;
    std::string params, headers, transport;
};

const std::vector<UriCase> kUris = {
    {"sip:alice@atlanta.com", "sip", "alice", "", "atlanta.com", "", 0, "", "", ""},
    {"sip:alice:secretword@atlanta.com;transport=tcp", "sip", "alice", "secretword",
     "atlanta.com", "", 0, "transport=tcp", "", "tcp"},
    {"sips:alice@atlanta.com?subject=project%20x&priority=urgent", "sips", "alice", "",
     "atlanta.com", "", 0, "", "subject=project%20x&priority=urgent", ""},
    {"sip:+1-212-555-1212:1234@gateway.com;user=phone", "sip", "+1-212-555-1212", "1234",
     "gateway.com", "", 0, "user=phone", "", ""},
    {"sips:1212@gateway.com", "sips", "1212", "", "gateway.com", "", 0, "", "", ""},
    {"sip:alice@192.0.2.4", "sip", "alice", "", "192.0.2.4", "", 0, "", "", ""},
    {"sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com", "sip", "", "", "atlanta.com", "",
     0, "method=REGISTER", "to=alice%40atlanta.com", ""},
    {"sip:alice;day=tuesday@atlanta.com", "sip", "alice;day=tuesday", "", "atlanta.com", "", 0,
     "", "", ""},
    {"sip:[2001:db8::10]:5070;transport=TLS", "sip", "", "", "[2001:db8::10]", "5070", 5070,
     "transport=TLS", "", "TLS"},
    {"sip:host:5060", "sip", "", "", "host", "5060", 5060, "", "", ""},
    {"SIP:User@Host.Example:65535;lr", "SIP", "User", "", "Host.Example", "65535", 65535, "lr",
     "", ""},
    {"tel:+1-201-555-0123", "tel", "+1-201-555-0123", "", "", "", 0, "", "", ""},
    {"tel:7042;phone-context=example.com", "tel", "7042", "", "", "", 0,
     "phone-context=example.com", "", ""},
    {"sip:127.0.0.1:17010;transport=tcp;lr", "sip", "", "", "127.0.0.1", "17010", 17010,
     "transport=tcp;lr", "", "tcp"},
    {"sip:user@host;maddr=239.255.255.1;ttl=15", "sip", "user", "", "host", "", 0,
     "maddr=239.255.255.1;ttl=15", "", ""},
    {"sip:u@h?", "sip", "u", "", "h", "", 0, "", "", ""},
    {"sip:my_host.example", "sip", "", "", "my_host.example", "", 0, "", "", ""},
    {"sip:u@[::1]", "sip", "u", "", "[::1]", "", 0, "", "", ""},
    {"sip:a@b;transport=udp?x=1;y=2", "sip", "a", "", "b", "", 0, "transport=udp", "x=1;y=2",
     "udp"},
};

class SipUriValid : public ::testing::TestWithParam<UriCase> {};

TEST_P(SipUriValid, Parses) {
    const UriCase& c = GetParam();
    GuardedBuffer g(c.input);
    SipUri u;
    ASSERT_TRUE(parse_sip_uri(g.view(), u));
    EXPECT_EQ(u.scheme, c.scheme);
    EXPECT_EQ(u.user, c.user);
    EXPECT_EQ(u.password, c.password);
    EXPECT_EQ(u.host, c.host);
    EXPECT_EQ(u.port, c.port);
    EXPECT_EQ(u.port_no, c.port_no);
    EXPECT_EQ(u.params, c.params);
    EXPECT_EQ(u.headers, c.headers);
    EXPECT_EQ(u.transport, c.transport);
}

INSTANTIATE_TEST_SUITE_P(Msg, SipUriValid, ::testing::ValuesIn(kUris), [](const auto& info) {
    return case_name(info.index, info.param.input);
});

const std::vector<std::string> kBadUris = {
    "",
    "sip",
    ":x",
    "http://example.com/",
    "sip:",
    "sip:@host",
    "sip:user@",
    "sip:host:",
    "sip:host:0",
    "sip:host:65536",
    "sip:host:12a",
    "sip:[::1",
    "sip:[]",
    "sip:ho st",
    "sip:host;=x",
    "sip:host;a=",
    "tel:",
    "tel:;x=1",
    "sip:host>x",
    "sip:user@host\r\n",
    "sip:ho!st",
    "<sip:a@b>",
    "sip:a@b;x=\"unterminated",
};

class SipUriInvalid : public ::testing::TestWithParam<std::string> {};

TEST_P(SipUriInvalid, Rejects) {
    GuardedBuffer g(GetParam());
    SipUri u;
    EXPECT_FALSE(parse_sip_uri(g.view(), u));
}

INSTANTIATE_TEST_SUITE_P(Msg, SipUriInvalid, ::testing::ValuesIn(kBadUris),
                         [](const auto& info) { return case_name(info.index, info.param); });

// ---------------------------------------------------------------------------------------
// find_param

struct ParamCase {
    std::string params, name;
    bool found;
    std::string value;
};

const std::vector<ParamCase> kParams = {
    {"a=1;lr;b=2", "lr", true, ""},
    {"a=1;lr;b=2", "b", true, "2"},
    {"a=1;lr;b=2", "A", true, "1"},
    {"a=1;lr;b=2", "c", false, ""},
    {"transport=TCP", "TRANSPORT", true, "TCP"},
    {" a = 1 ; b = 2 ", "b", true, "2"},
    {"x=\"q;r\";y=1", "y", true, "1"},
    {"x=\"q;r\";y=1", "x", true, "\"q;r\""},
    {"", "a", false, ""},
    {"a=1;a=2", "a", true, "1"},
    {"maddr=[::1]", "maddr", true, "[::1]"},
    {"=1;a=2", "a", false, ""},
    {"lrx;lr", "lr", true, ""},
    {"branch=z9hG4bK-1;received=10.0.0.1", "received", true, "10.0.0.1"},
    {"a=1;", "a", true, "1"},
};

class FindParam : public ::testing::TestWithParam<ParamCase> {};

TEST_P(FindParam, Finds) {
    const ParamCase& c = GetParam();
    GuardedBuffer g(c.params);
    std::string_view v = "unchanged";
    EXPECT_EQ(find_param(g.view(), c.name, v), c.found);
    if (c.found) {
        EXPECT_EQ(v, c.value);
    }
}

INSTANTIATE_TEST_SUITE_P(Msg, FindParam, ::testing::ValuesIn(kParams), [](const auto& info) {
    return case_name(info.index, info.param.params + "_" + info.param.name);
});

// ---------------------------------------------------------------------------------------
// Via

struct ViaCase {
    std::string input;
    std::string protocol, transport, host, port;
    uint16_t port_no;
    std::string params, branch;
    bool has_rport;
    std::string rport;
    bool has_received;
    std::string received;
};

const std::vector<ViaCase> kVias = {
    {"SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds", "SIP/2.0/UDP", "UDP",
     "pc33.atlanta.com", "", 0, "branch=z9hG4bK776asdhds", "z9hG4bK776asdhds", false, "", false,
     ""},
    {"SIP/2.0/UDP 127.0.0.1:17099;branch=z9hG4bK-abc-1;rport", "SIP/2.0/UDP", "UDP",
     "127.0.0.1", "17099", 17099, "branch=z9hG4bK-abc-1;rport", "z9hG4bK-abc-1", true, "", false,
     ""},
    {"SIP/2.0/TCP 10.0.0.1:5060;rport=5061;received=192.0.2.1;branch=z9hG4bKx", "SIP/2.0/TCP",
     "TCP", "10.0.0.1", "5060", 5060, "rport=5061;received=192.0.2.1;branch=z9hG4bKx",
     "z9hG4bKx", true, "5061", true, "192.0.2.1"},
    {"SIP / 2.0 / UDP first.example.com: 4000;ttl=16;maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1",
     "SIP / 2.0 / UDP", "UDP", "first.example.com", "4000", 4000,
     "ttl=16;maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1", "z9hG4bKa7c6a8dlze.1", false, "", false,
     ""},
    {"SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2", "SIP/2.0/UDP", "UDP", "a",
     "", 0, "branch=z9hG4bK1", "z9hG4bK1", false, "", false, ""},
    {"SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bK3", "SIP/2.0/TLS", "TLS", "[2001:db8::1]",
     "5061", 5061, "branch=z9hG4bK3", "z9hG4bK3", false, "", false, ""},
    {"sip/2.0/ws df7jal23ls0d.invalid;rport;branch=z9hG4bKhjhs8ass877", "sip/2.0/ws", "ws",
     "df7jal23ls0d.invalid", "", 0, "rport;branch=z9hG4bKhjhs8ass877", "z9hG4bKhjhs8ass877", true,
     "", false, ""},
    {"SIP/2.0/UDP host", "SIP/2.0/UDP", "UDP", "host", "", 0, "", "", false, "", false, ""},
    {"SIP/2.0/UDP host\r\n ;branch=z9hG4bK1", "SIP/2.0/UDP", "UDP", "host", "", 0,
     "branch=z9hG4bK1", "z9hG4bK1", false, "", false, ""},
    {"  SIP/2.0/UDP host;branch=\"quoted\"  ", "SIP/2.0/UDP", "UDP", "host", "", 0,
     "branch=\"quoted\"", "\"quoted\"", false, "", false, ""},
    {"SIP/2.0/UDP host:5060 , SIP/2.0/TCP other", "SIP/2.0/UDP", "UDP", "host", "5060", 5060, "",
     "", false, "", false, ""},
    {"SIP/2.0/SCTP h;received=[::1];rport", "SIP/2.0/SCTP", "SCTP", "h", "", 0,
     "received=[::1];rport", "", true, "", true, "[::1]"},
};

class ViaValid : public ::testing::TestWithParam<ViaCase> {};

TEST_P(ViaValid, Parses) {
    const ViaCase& c = GetParam();
    GuardedBuffer g(c.input);
    Via v;
    ASSERT_TRUE(parse_via(g.view(), v));
    EXPECT_EQ(v.protocol, c.protocol);
    EXPECT_EQ(v.transport, c.transport);
    EXPECT_EQ(v.host, c.host);
    EXPECT_EQ(v.port, c.port);
    EXPECT_EQ(v.port_no, c.port_no);
    EXPECT_EQ(v.params, c.params);
    EXPECT_EQ(v.branch, c.branch);
    EXPECT_EQ(v.has_rport, c.has_rport);
    EXPECT_EQ(v.rport, c.rport);
    EXPECT_EQ(v.has_received, c.has_received);
    EXPECT_EQ(v.received, c.received);
    if (!v.params.empty()) {
        EXPECT_EQ(v.params_end, static_cast<size_t>(v.params.data() - g.data()) + v.params.size());
    }
}

INSTANTIATE_TEST_SUITE_P(Msg, ViaValid, ::testing::ValuesIn(kVias), [](const auto& info) {
    return case_name(info.index, info.param.input);
});

// The edit Kamailio's sl does on the top Via: fill an empty rport, append ;received=.
TEST(MsgSipParse, ViaEditOffsets) {
    const std::string s = "SIP/2.0/UDP 127.0.0.1:17099;branch=z9hG4bK-abc-1;rport";
    Via v;
    ASSERT_TRUE(parse_via(s, v));
    EXPECT_EQ(v.rport_end, s.size());
    EXPECT_EQ(v.params_end, s.size());
    std::string edited = s.substr(0, v.rport_end) + "=59562" + s.substr(v.rport_end, v.params_end -
                                                                        v.rport_end);
    edited += ";received=127.0.0.1" + s.substr(v.params_end);
    EXPECT_EQ(edited,
              "SIP/2.0/UDP 127.0.0.1:17099;branch=z9hG4bK-abc-1;rport=59562;received=127.0.0.1");

    const std::string t = "SIP/2.0/UDP h:1;rport;branch=x , SIP/2.0/UDP other";
    ASSERT_TRUE(parse_via(t, v));
    EXPECT_EQ(t.substr(0, v.rport_end), "SIP/2.0/UDP h:1;rport");
    EXPECT_EQ(t.substr(0, v.params_end), "SIP/2.0/UDP h:1;rport;branch=x");

    const std::string u = "SIP/2.0/UDP h:1 ";
    ASSERT_TRUE(parse_via(u, v));
    EXPECT_EQ(v.params_end, 15u);
    EXPECT_EQ(v.rport_end, 0u);

    ASSERT_TRUE(parse_via("SIP/2.0/UDP h;rport=1", v));
    EXPECT_EQ(v.rport_end, 0u);
}

const std::vector<std::string> kBadVias = {
    "",
    "SIP/2.0/UDP",
    "SIP/2.0/UDPhost",
    "SIP/3.0/UDP h",
    "XIP/2.0/UDP h",
    "SIP/2.0 UDP h",
    "SIP/2.0/ h",
    "SIP/2.0/UDP :5060",
    "SIP/2.0/UDP h:",
    "SIP/2.0/UDP h:99999",
    "SIP/2.0/UDP h;",
    "SIP/2.0/UDP h;branch=",
    "SIP/2.0/UDP h;rport=abc",
    "SIP/2.0/UDP h junk",
    "SIP/2.0/UDP h;a=\"x",
    "SIP/2.0/UDP [::1",
    "SIP/2.0/UDP h;;branch=x",
};

class ViaInvalid : public ::testing::TestWithParam<std::string> {};

TEST_P(ViaInvalid, Rejects) {
    GuardedBuffer g(GetParam());
    Via v;
    EXPECT_FALSE(parse_via(g.view(), v));
}

INSTANTIATE_TEST_SUITE_P(Msg, ViaInvalid, ::testing::ValuesIn(kBadVias),
                         [](const auto& info) { return case_name(info.index, info.param); });

// ---------------------------------------------------------------------------------------
// CSeq

struct CSeqCase {
    std::string input;
    bool ok;
    uint32_t num;
    std::string method;
};

const std::vector<CSeqCase> kCSeqs = {
    {"314159 INVITE", true, 314159, "INVITE"},
    {"1 ACK", true, 1, "ACK"},
    {"  42 OPTIONS  ", true, 42, "OPTIONS"},
    {"4294967295 BYE", true, 4294967295u, "BYE"},
    {"0 REGISTER", true, 0, "REGISTER"},
    {"1\r\n INVITE", true, 1, "INVITE"},
    {"7\tfoo", true, 7, "foo"},
    {"", false, 0, ""},
    {"INVITE", false, 0, ""},
    {"1", false, 0, ""},
    {"1 ", false, 0, ""},
    {"1INVITE", false, 0, ""},
    {"-1 INVITE", false, 0, ""},
    {"4294967296 INVITE", false, 0, ""},
    {"1 INVITE extra", false, 0, ""},
    {"1 INV/ITE", false, 0, ""},
    {"abc INVITE", false, 0, ""},
};

class CSeqParse : public ::testing::TestWithParam<CSeqCase> {};

TEST_P(CSeqParse, Parses) {
    const CSeqCase& c = GetParam();
    GuardedBuffer g(c.input);
    CSeq cs;
    ASSERT_EQ(parse_cseq(g.view(), cs), c.ok);
    if (!c.ok) return;
    EXPECT_EQ(cs.num, c.num);
    EXPECT_EQ(cs.number, std::to_string(c.num));
    EXPECT_EQ(cs.method, c.method);
}

INSTANTIATE_TEST_SUITE_P(Msg, CSeqParse, ::testing::ValuesIn(kCSeqs), [](const auto& info) {
    return case_name(info.index, info.param.input);
});

// ---------------------------------------------------------------------------------------
// name-addr / addr-spec

struct NameAddrCase {
    std::string input;
    std::string display, uri, params;
    bool has_tag;
    std::string tag;
};

const std::vector<NameAddrCase> kNameAddrs = {
    {"\"Alice\" <sip:alice@example.com>;tag=fromtag1", "\"Alice\"", "sip:alice@example.com",
     "tag=fromtag1", true, "fromtag1"},
    {"<sip:probe@127.0.0.1>", "", "sip:probe@127.0.0.1", "", false, ""},
    {"sip:a@b;tag=x", "", "sip:a@b", "tag=x", true, "x"},
    {"Bob <sip:bob@biloxi.com>;tag=a6c85cf", "Bob", "sip:bob@biloxi.com", "tag=a6c85cf", true,
     "a6c85cf"},
    {"  \"A \\\"quoted\\\" name\"  <sip:x@y> ; tag = t1 ; foo ", "\"A \\\"quoted\\\" name\"",
     "sip:x@y", "tag = t1 ; foo", true, "t1"},
    {"<sip:c@d;lr>;expires=3600, <sip:e@f>", "", "sip:c@d;lr", "expires=3600", false, ""},
    {"sip:a@b, sip:c@d", "", "sip:a@b", "", false, ""},
    {"*", "", "*", "", false, ""},
    {"Anonymous <sip:anonymous@anonymous.invalid>;tag=hyh8", "Anonymous",
     "sip:anonymous@anonymous.invalid", "tag=hyh8", true, "hyh8"},
    {"\"\" <sip:x@y>", "\"\"", "sip:x@y", "", false, ""},
    {"tel:+123;tag=9", "", "tel:+123", "tag=9", true, "9"},
    {"<urn:service:sos>", "", "urn:service:sos", "", false, ""},
    {"Caf\xc3\xa9 Owner <sip:x@y>", "Caf\xc3\xa9 Owner", "sip:x@y", "", false, ""},
    {"<sip:x@y>;tag", "", "sip:x@y", "tag", true, ""},
    {"<sip:a@b>\r\n ;tag=1", "", "sip:a@b", "tag=1", true, "1"},
    {"\"Bob\"<sip:b@c>;tag=\"q,t\";x=1", "\"Bob\"", "sip:b@c", "tag=\"q,t\";x=1", true,
     "\"q,t\""},
    {"<sip:a@b?Route=%3Csip:c%3E>", "", "sip:a@b?Route=%3Csip:c%3E", "", false, ""},
};

class NameAddrValid : public ::testing::TestWithParam<NameAddrCase> {};

TEST_P(NameAddrValid, Parses) {
    const NameAddrCase& c = GetParam();
    GuardedBuffer g(c.input);
    NameAddr na;
    ASSERT_TRUE(parse_name_addr(g.view(), na));
    EXPECT_EQ(na.display, c.display);
    EXPECT_EQ(na.uri, c.uri);
    EXPECT_EQ(na.params, c.params);
    EXPECT_EQ(na.has_tag, c.has_tag);
    EXPECT_EQ(na.tag, c.tag);
}

INSTANTIATE_TEST_SUITE_P(Msg, NameAddrValid, ::testing::ValuesIn(kNameAddrs),
                         [](const auto& info) { return case_name(info.index, info.param.input); });

const std::vector<std::string> kBadNameAddrs = {
    "",
    "   ",
    "<sip:x@y",
    "<>",
    "\"Alice <sip:x@y>",
    "\"Alice\" sip:x@y",
    "<sip:x@y> junk",
    "<sip:x@y>;=1",
    "<sip:x@y>;tag=",
    "<sip:x@y>;tag=\"open",
    "a<b<c>",
    "sip:x@y\"z",
    "<sip:x@y>>",
};

class NameAddrInvalid : public ::testing::TestWithParam<std::string> {};

TEST_P(NameAddrInvalid, Rejects) {
    GuardedBuffer g(GetParam());
    NameAddr na;
    EXPECT_FALSE(parse_name_addr(g.view(), na));
}

INSTANTIATE_TEST_SUITE_P(Msg, NameAddrInvalid, ::testing::ValuesIn(kBadNameAddrs),
                         [](const auto& info) { return case_name(info.index, info.param); });

}  // namespace
}  // namespace siphon::msg
