// Modules corex and kex, compared with Kamailio 5.6.3 (same calls, measured results).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "module_test_util.h"

namespace siphon::cfg::test {
namespace {

constexpr const char* kKex = "loadmodule \"kex.so\"\n";

// ---- kex: flags -----------------------------------------------------------------------

TEST(Kex, FlagsArePerMessage) {
    Runner r(module_cfg(kKex, R"~($var(s0) = issflagset("3");
$var(b0) = isbflagset(3);
setsflag("3"); setbflag(3);
$var(s1) = issflagset("3");
$var(b1) = isbflagset("3", "0");
$var(sf) = $sf; $var(bf) = $bf;
$var(f) = 11;
setsflag("$var(f)");
$var(s2) = issflagset("$var(f)");
resetsflag("3"); $var(s3) = issflagset("3");
resetbflag(3); $var(b3) = isbflagset(3);
)~"));
    ASSERT_TRUE(r.ok()) << r.messages();
    for (int round = 0; round < 2; ++round) {   // the second message starts clean again
        r.run();
        EXPECT_EQ(r.show("$var(s0)") + r.show("$var(b0)"), "i:-1i:-1") << round;
        EXPECT_EQ(r.show("$var(s1)") + r.show("$var(b1)"), "i:1i:1");
        EXPECT_EQ(r.show("$var(sf)") + r.show("$var(bf)"), "i:8i:8");
        EXPECT_EQ(r.show("$var(s2)"), "i:1");
        EXPECT_EQ(r.show("$var(s3)") + r.show("$var(b3)"), "i:-1i:-1");
    }
}

TEST(Kex, FlagRangeAndBranches) {
    Runner r(module_cfg(kKex, R"~($var(a) = setsflag("32");
$var(b) = setsflag("-1");
$var(c) = setbflag(4, 1);
$var(d) = isbflagset(4, 1);
$var(e) = setbflag(31);
$var(f) = isbflagset(31);
$var(g) = setsflag("$hdr(X-None)");
$sf = 6; $var(h) = issflagset(2);
$bf = $null; $var(i) = $bf;
)~"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(a)") + r.show("$var(b)"), "i:-1i:-1");
    EXPECT_EQ(r.show("$var(c)") + r.show("$var(d)"), "i:-1i:-1");   // no branch 1
    EXPECT_EQ(r.show("$var(e)") + r.show("$var(f)"), "i:1i:1");
    EXPECT_EQ(r.show("$var(g)"), "i:-1");
    EXPECT_EQ(r.show("$var(h)"), "i:1");
    EXPECT_EQ(r.show("$var(i)"), "i:0");
}

// ---- kex: destination URI -------------------------------------------------------------

TEST(Kex, DestinationUri) {
    Runner r(module_cfg(kKex, R"~($var(du0) = $du;
$var(set0) = isdsturiset();
setdsturi("sip:$var(x)@10.0.0.1");
$var(du1) = $du;
$var(set1) = isdsturiset();
resetdsturi();
$var(set2) = isdsturiset();
$var(du2) = $du;
setdsturi("garbage"); $var(du3) = $du;
$du = "sip:1.2.3.4:5070"; $var(du4) = $du;
$du = 5; $var(du5) = $du;
$du = $null; $var(set6) = isdsturiset();
$du = "sip:x"; $du = ""; $var(set7) = isdsturiset();
pv_printf("$du", "sip:9.9.9.9;m=$rm"); $var(du8) = $du;
)~"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(du0)"), "i:0");   // $du null: the $var reads 0
    EXPECT_EQ(r.show("$var(set0)"), "i:-1");
    EXPECT_EQ(r.show("$var(du1)"), "s:sip:0@10.0.0.1");   // variables are expanded
    EXPECT_EQ(r.show("$var(set1)"), "i:1");
    EXPECT_EQ(r.show("$var(set2)") + r.show("$var(du2)"), "i:-1i:0");
    EXPECT_EQ(r.show("$var(du3)"), "s:garbage");
    EXPECT_EQ(r.show("$var(du4)"), "s:sip:1.2.3.4:5070");
    EXPECT_EQ(r.show("$var(du5)"), "s:sip:1.2.3.4:5070");   // an int is refused
    EXPECT_EQ(r.show("$var(set6)") + r.show("$var(set7)"), "i:-1i:-1");
    EXPECT_EQ(r.show("$var(du8)"), "s:sip:9.9.9.9;m=OPTIONS");
    r.run();   // a new message has no destination
    EXPECT_EQ(r.show("$var(set0)"), "i:-1");
    EXPECT_EQ(r.show("$du"), "s:sip:9.9.9.9;m=OPTIONS");   // read within the last message
}

TEST(Kex, PvPrintf) {
    Runner r(module_cfg(kKex, R"~(pv_printf("$var(p)", "m=$rm u=$rU");
pv_printf("$avp(p)", "");
avp_printf("$var(q)", "x$var(p)");
$var(r) = pv_printf("$var(e)", "$hdr(X-None)");
)~"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(p)"), "s:m=OPTIONS u=alice");
    EXPECT_EQ(r.show("$avp(p)"), "s:");
    EXPECT_EQ(r.show("$var(q)"), "s:xm=OPTIONS u=alice");
    EXPECT_EQ(r.show("$var(r)") + r.show("$var(e)"), "i:1s:<null>");

    Runner ro(module_cfg(kKex, "pv_printf(\"$rm\", \"x\");\n"));
    EXPECT_FALSE(ro.ok());
}

// ---- kex: is_myself -------------------------------------------------------------------

struct SelfCase {
    const char* arg;
    const char* want;
};

void check_self(const std::string& head, std::initializer_list<SelfCase> cases) {
    Runner r(module_cfg(head, "$var(r) = is_myself(\"$hdr(X-U)\");\n"));
    ASSERT_TRUE(r.ok()) << r.messages();
    for (const auto& c : cases) {
        r.run(sip_request({{"X-U", c.arg}}));
        EXPECT_EQ(r.show("$var(r)"), c.want) << c.arg;
    }
}

TEST(Kex, IsMyselfListenAndAliases) {
    check_self(std::string(kKex) +
                   "listen=udp:127.0.0.1:5070\n"
                   "alias=\"alias.example.com\"\n"
                   "alias=other.example.net:5099\n"
                   "auto_aliases=no\n",
               {
                   {"sip:127.0.0.1", "i:1"},
                   {"127.0.0.1", "i:1"},
                   {"sip:127.0.0.1:5070", "i:1"},
                   {"sip:u@127.0.0.1:5070;transport=udp", "i:1"},
                   {"sips:127.0.0.1", "i:1"},
                   {"sip:127.0.0.1:5999", "i:-1"},
                   {"sip:127.0.0.1;transport=tcp", "i:-1"},   // udp listen only
                   {"sip:u@127.0.0.2", "i:-1"},
                   {"sip:127.000.0.1", "i:-1"},
                   {"sip:127.0.0.1.", "i:-1"},
                   {"sip:alias.example.com", "i:1"},
                   {"sip:ALIAS.example.com:1234", "i:1"},   // alias without port: any port
                   {"sip:sub.alias.example.com", "i:-1"},
                   {"sip:other.example.net", "i:1"},
                   {"sip:other.example.net:5099", "i:1"},
                   {"sip:other.example.net:5098", "i:-1"},
                   {"sip:bad@", "i:-1"},
                   {"127.0.0.1:5070", "i:-1"},   // not a URI: compared whole
                   {"SIP:127.0.0.1", "i:-1"},   // scheme is case-sensitive here
                   {"tel:127.0.0.1", "i:-1"},
                   {"sip:[::1]", "i:-1"},
               });
}

TEST(Kex, IsMyselfListenForms) {
    // No transport in the listen: udp and tcp; IPv6 compared as addresses.
    check_self(std::string(kKex) + "listen=[::1]:5060\nlisten=127.0.0.1\nauto_aliases=no\n",
               {
                   {"sip:[::1]", "i:1"},
                   {"sip:[0:0::1]:5060;transport=tcp", "i:1"},
                   {"sip:[::1]:5060;transport=tls", "i:-1"},
                   {"::1", "i:1"},
                   {"[::1]", "i:1"},
                   {"sip:127.0.0.1:5060", "i:1"},   // port parameter default
                   {"sip:127.0.0.1:5061", "i:-1"},
               });
    // A wildcard listen is the wildcard address only.
    check_self(std::string(kKex) + "listen=udp:0.0.0.0:5080\nauto_aliases=no\n",
               {{"sip:0.0.0.0:5080", "i:1"}, {"sip:127.0.0.1:5080", "i:-1"}});
    // No listen: every IPv4 interface address (loopback at least) on the port parameter.
    check_self(std::string(kKex) + "port=5088\nauto_aliases=no\n",
               {{"sip:127.0.0.1:5088", "i:1"}, {"sip:127.0.0.1:5089", "i:-1"}});
    // advertise: the advertised address is local too, on either port.
    check_self(std::string(kKex) +
                   "listen=udp:127.0.0.1:5070 advertise 203.0.113.7:5090\nauto_aliases=no\n",
               {{"sip:203.0.113.7:5090", "i:1"},
                {"sip:203.0.113.7:5070", "i:1"},
                {"sip:203.0.113.7", "i:1"},
                {"sip:203.0.113.7:5071", "i:-1"},
                {"sip:127.0.0.1:5070;transport=tcp", "i:-1"},
                {"sip:127.0.0.1;transport=foo", "i:1"}});
}

// ---- corex ----------------------------------------------------------------------------

TEST(Corex, AliasSubdomainsMakeIsMyselfTrue) {
    check_self(std::string(kKex) +
                   "loadmodule \"corex.so\"\n"
                   "modparam(\"corex\", \"alias_subdomains\", \"sub.example.org\")\n"
                   "modparam(\"corex\", \"alias_subdomains\", \"udp:port.example.org:5077\")\n"
                   "listen=udp:127.0.0.1:5060\nauto_aliases=no\n",
               {
                   {"sip:sub.example.org", "i:1"},
                   {"sip:a.b.sub.example.org", "i:1"},
                   {"sip:xsub.example.org", "i:-1"},
                   {"sip:a.sub.example.org:5088", "i:1"},
                   {"sip:A.SUB.example.ORG", "i:1"},
                   {"sip:a.port.example.org:5077", "i:1"},
                   {"sip:a.port.example.org", "i:1"},
                   {"sip:a.port.example.org:5078", "i:-1"},
                   {"sip:a.port.example.org;transport=tcp", "i:-1"},
                   {"sip:example.org", "i:-1"},
               });
    Runner bad(module_cfg("loadmodule \"corex.so\"\n"
                          "modparam(\"corex\", \"alias_subdomains\", \"udp:\")\n",
                          ""));
    EXPECT_FALSE(bad.ok());
}

TEST(Corex, ExtendedFlags) {
    Runner r(module_cfg("loadmodule \"corex.so\"\n", R"~($var(a) = isxflagset("40");
$var(b) = setxflag("40");
$var(c) = isxflagset("40");
$var(d) = isxflagset("41");
$var(e) = setxflag("64");
resetxflag("40"); $var(f) = isxflagset("40");
setxflag("63"); $var(g) = isxflagset("63");
)~"));
    ASSERT_TRUE(r.ok()) << r.messages();
    for (int round = 0; round < 2; ++round) {
        r.run();
        EXPECT_EQ(r.show("$var(a)"), "i:-1") << round;
        EXPECT_EQ(r.show("$var(b)") + r.show("$var(c)") + r.show("$var(d)"), "i:1i:1i:-1");
        EXPECT_EQ(r.show("$var(e)") + r.show("$var(f)") + r.show("$var(g)"), "i:-1i:-1i:1");
    }
}

TEST(Corex, SocketNamesAndMessageKind) {
    Runner r(module_cfg("loadmodule \"corex.so\"\nlisten=udp:127.0.0.1:5999 name \"sock1\"\n",
                        R"~($var(a) = is_socket_name("sock1");
$var(b) = is_socket_name("nope");
$var(c) = is_incoming();
$var(d) = is_faked_msg();
)~"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(a)") + r.show("$var(b)"), "i:1i:-1");
    EXPECT_EQ(r.show("$var(c)") + r.show("$var(d)"), "i:-1i:-1");
}

TEST(Corex, FileReadWrite) {
    std::string dir = ::testing::TempDir();
    std::string f = dir + "/siphon_corex_fw.txt";
    std::string f0 = dir + "/siphon_corex_fw0.txt";
    std::remove(f.c_str());
    std::remove(f0.c_str());
    Runner r(module_cfg("loadmodule \"corex.so\"\n",
                        "$var(a) = file_write(\"$hdr(X-F)\", \"hello $rm\");\n"
                        "$var(b) = file_read(\"$hdr(X-F)\", \"$var(c)\");\n"
                        "$var(d) = \"keep\";\n"
                        "$var(e) = file_read(\"$hdr(X-F)-missing\", \"$var(d)\");\n"
                        "$var(g) = file_write(\"/nonexistent-dir/x\", \"x\");\n"
                        "$var(h) = file_write(\"$hdr(X-F0)\", \"\");\n"
                        "$var(i) = file_read(\"\", \"$var(d)\");\n"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run(sip_request({{"X-F", f}, {"X-F0", f0}}));
    EXPECT_EQ(r.show("$var(a)") + r.show("$var(b)"), "i:1i:1");
    EXPECT_EQ(r.show("$var(c)"), "s:hello OPTIONS");
    EXPECT_EQ(r.show("$var(e)") + r.show("$var(d)"), "i:-1s:keep");
    EXPECT_EQ(r.show("$var(g)"), "i:-1");
    EXPECT_EQ(r.show("$var(h)"), "i:-1");   // empty content is refused, no file made
    EXPECT_EQ(r.show("$var(i)"), "i:-1");
    std::ifstream in(f0);
    EXPECT_FALSE(in.good());
    std::remove(f.c_str());

    Runner ro(module_cfg("loadmodule \"corex.so\"\n", "file_read(\"/tmp/x\", \"$rm\");\n"));
    EXPECT_FALSE(ro.ok());
}

}  // namespace
}  // namespace siphon::cfg::test
