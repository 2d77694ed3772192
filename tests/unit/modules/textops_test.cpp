// textops and textopsx: header and body edits recorded as an edit list, applied by
// msg_apply_changes(), and the reply-side functions, compared with Kamailio 5.6.3.
#include <gtest/gtest.h>

#include <string>

#include "../cfg/test_util.h"
#include "module_test_util.h"
#include "msg/edit.h"

namespace siphon::modules {
namespace {

using cfg::test::Loaded;
using cfg::test::Runner;

std::string tx_cfg(std::string_view body, std::string_view extra = {}) {
    return cfg::test::module_cfg("loadmodule \"textopsx.so\"\n", body, extra);
}

constexpr std::string_view kReq =
    "OPTIONS sip:alice@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1;rport\r\n"
    "From: <sip:bob@example.org>;tag=f1\r\n"
    "To: <sip:alice@example.com>\r\n"
    "Call-ID: cid-1@192.0.2.1\r\n"
    "CSeq: 10 OPTIONS\r\n"
    "User-Agent: ua-1\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

constexpr std::string_view kMessage =
    "MESSAGE sip:alice@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1;rport\r\n"
    "From: <sip:bob@example.org>;tag=f1\r\n"
    "To: <sip:alice@example.com>\r\n"
    "Call-ID: cid-1@192.0.2.1\r\n"
    "CSeq: 10 MESSAGE\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 31\r\n"
    "\r\n"
    "line one xx\nline two xxx zzzzz\n";

struct TxRun {
    TxRun(std::string_view body, std::string_view req = kReq, std::string_view extra = {})
        : r(tx_cfg(body, extra)) {
        EXPECT_TRUE(r.ok()) << r.messages();
        if (r.ok()) res = r.run(req);
    }
    std::string operator[](const std::string& pv) { return r.show(pv); }
    Runner r;
    cfg::RunResult res;
};

TEST(Textops, HeaderEditsVisibleOnlyAfterApply) {
    TxRun t(R"(
        append_hf("X-A: 1\r\n");
        remove_hf("User-Agent");
        $var(a0) = $hdr(X-A);
        $var(u0) = $hdr(User-Agent);
        if (is_present_hf("X-A")) $var(p0) = "y"; else $var(p0) = "n";
        msg_apply_changes();
        $var(a1) = $hdr(X-A);
        if (is_present_hf("User-Agent")) $var(u1) = "y"; else $var(u1) = "n";
        if (is_present_hf("X-A")) $var(p1) = "y"; else $var(p1) = "n";
    )");
    EXPECT_EQ(t["$var(u0)"], "s:ua-1");
    EXPECT_EQ(t["$var(p0)"], "s:n");
    EXPECT_EQ(t["$var(a1)"], "s:1");
    EXPECT_EQ(t["$var(u1)"], "s:n");
    EXPECT_EQ(t["$var(p1)"], "s:y");
}

// $fU/$fd/$rU are parsed once per message and kept; a rebuilt message (new From header) and a
// rewritten R-URI must still be read afresh.
TEST(Textops, UriPvsSeeRebuiltFromAndRewrittenRuri) {
    TxRun t(R"(
        $var(f0) = $fU + "@" + $fd + " " + $fn;
        $var(r0) = $rU + "@" + $rd;
        remove_hf("From");
        append_hf("From: \"Carol\" <sip:carol@c.example.net>;tag=f9\r\n");
        $var(f1) = $fU;
        msg_apply_changes();
        $var(f2) = $fU + "@" + $fd + " " + $fn + " " + $ft;
        $ru = "sip:dave@d.example.net:5070";
        $var(r1) = $rU + "@" + $rd + ":" + $rp;
        $var(o1) = $oU;
    )");
    EXPECT_EQ(t["$var(f0)"], "s:bob@example.org ");  // a null $fn adds nothing
    EXPECT_EQ(t["$var(r0)"], "s:alice@example.com");
    EXPECT_EQ(t["$var(f1)"], "s:bob");  // edits are seen only after msg_apply_changes
    EXPECT_EQ(t["$var(f2)"], "s:carol@c.example.net \"Carol\" f9");
    EXPECT_EQ(t["$var(r1)"], "s:dave@d.example.net:5070");
    EXPECT_EQ(t["$var(o1)"], "s:alice");
}

TEST(Textops, InsertAndAppendPositions) {
    TxRun t(R"(
        append_hf("X-A: 1\r\n");
        insert_hf("X-I1: i1\r\n");
        insert_hf("X-I2: i2\r\n");
        insert_hf("X-IC: ic\r\n", "Call-ID");
        append_hf("X-AC: ac\r\n", "i");
        append_hf("X-N: n\r\n", "X-Missing");
        msg_apply_changes();
    )");
    EXPECT_EQ(t["$mb"],
              "s:OPTIONS sip:alice@example.com SIP/2.0\r\n"
              "X-I1: i1\r\n"
              "X-I2: i2\r\n"
              "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1;rport\r\n"
              "From: <sip:bob@example.org>;tag=f1\r\n"
              "To: <sip:alice@example.com>\r\n"
              "X-IC: ic\r\n"
              "Call-ID: cid-1@192.0.2.1\r\n"
              "X-AC: ac\r\n"
              "CSeq: 10 OPTIONS\r\n"
              "User-Agent: ua-1\r\n"
              "Content-Length: 0\r\n"
              "X-A: 1\r\n"
              "X-N: n\r\n"
              "\r\n");
}

TEST(Textops, RemoveHfCompactAndRegex) {
    TxRun t(R"(
        remove_hf("Contact"); $var(c) = $rc;
        remove_hf_re("^X-R"); $var(re) = $rc;
        remove_hf("X-None"); $var(n) = $rc;
        msg_apply_changes();
    )",
          cfg::test::sip_request({{"m", "<sip:a@h>"}, {"Contact", "<sip:b@h>"}, {"X-Rem", "1"},
                                  {"x-rfoo", "2"}, {"X-Keep", "3"}}));
    EXPECT_EQ(t["$var(c)"], "i:1");
    EXPECT_EQ(t["$var(re)"], "i:1");
    EXPECT_EQ(t["$var(n)"], "i:-1");
    std::string mb = t["$mb"];
    EXPECT_EQ(mb.find("\r\nm: "), std::string::npos) << mb;
    EXPECT_EQ(mb.find("Contact"), std::string::npos) << mb;
    EXPECT_EQ(mb.find("X-Rem"), std::string::npos) << mb;
    EXPECT_EQ(mb.find("x-rfoo"), std::string::npos) << mb;
    EXPECT_NE(mb.find("X-Keep: 3\r\n"), std::string::npos) << mb;
}

TEST(Textops, SearchHfFlags) {
    TxRun t(R"(
        $var(r) = "";
        if (search_hf("X-H", "two", "a")) $var(r) = $var(r) + "a ";
        if (search_hf("X-H", "two", "f")) $var(r) = $var(r) + "f ";
        if (search_hf("X-H", "two", "l")) $var(r) = $var(r) + "l ";
        if (search_hf("X-H", "^THREE$", "l")) $var(r) = $var(r) + "l3 ";
        if (search_hf("f", "example", "a")) $var(r) = $var(r) + "compact ";
        if (search_hf("X-H", "X-H", "a")) $var(r) = $var(r) + "name ";
    )",
          cfg::test::sip_request({{"X-H", "one two"}, {"X-H", "three"}}));
    EXPECT_EQ(t["$var(r)"], "s:a f l3 compact ");
}

TEST(Textops, ReplaceAndSubstOnHeaders) {
    TxRun t(R"(
        replace("alice", "ALICE"); $var(a) = $rc;
        replace_all("bob", "BOB"); $var(b) = $rc;
        subst('/^X-S: ([a-z]+) ([a-z]+)/X-S: \2 \1 $rU/'); $var(c) = $rc;
        subst('/^X-G: a/X-G: b/g'); $var(d) = $rc;
        replace("nomatch", "x"); $var(e) = $rc;
        msg_apply_changes();
    )",
          cfg::test::sip_request({{"X-S", "hello world"}, {"X-G", "a1"}, {"X-G", "a2"}}));
    EXPECT_EQ(t["$var(a)"], "i:1");
    EXPECT_EQ(t["$var(e)"], "i:-1");
    // The request line is not touched by replace().
    EXPECT_EQ(t["$ru"], "s:sip:alice@example.com");
    EXPECT_EQ(t["$hdr(To)"], "s:<sip:ALICE@example.com>");
    EXPECT_EQ(t["$hdr(From)"], "s:<sip:BOB@example.org>;tag=f1");
    EXPECT_EQ(t["$hdr(X-S)"], "s:world hello alice");
    EXPECT_EQ(t["$(hdr(X-G)[1])"], "s:b2");
}

TEST(Textops, BodyEditsFixContentLength) {
    TxRun t(R"(
        replace_body("line", "LINE");
        replace_body_all("x+", "Y");
        subst_body('/z{3}/q/g');
        $var(before) = $(rb{s.len});
        msg_apply_changes();
    )",
          kMessage);
    EXPECT_EQ(t["$var(before)"], "i:31");
    EXPECT_EQ(t["$rb"], "s:LINE one Y\nline two Y qzz\n");
    EXPECT_EQ(t["$cl"], "i:26");
}

TEST(Textops, SetBody) {
    TxRun t(R"(
        set_body("new body\n", "text/x-new");
        append_hf("X-A: 1\r\n");
        msg_apply_changes();
    )",
          kMessage);
    EXPECT_EQ(t["$rb"], "s:new body\n");
    EXPECT_EQ(t["$cl"], "i:9");
    EXPECT_EQ(t["$hdr(Content-Type)"], "s:text/x-new");
    std::string mb = t["$mb"];
    EXPECT_NE(mb.find("Content-Length: 9\r\nContent-Type: text/x-new\r\nX-A: 1\r\n\r\nnew body\n"),
              std::string::npos)
        << mb;
    // A request without Content-Length gets one.
    TxRun u(R"(
        set_body("abc", "text/plain");
        msg_apply_changes();
    )",
          "MESSAGE sip:a@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK-2\r\nCall-ID: x\r\n\r\n");
    EXPECT_EQ(u["$cl"], "i:3");
    EXPECT_EQ(u["$rb"], "s:abc");
}

TEST(Textops, SubstUriChangesRuAtOnce) {
    TxRun t(R"(
        subst_uri('/alice/bob/');
        $var(a) = $ru;
        subst_uri('/^sip:([a-z]+)@/sip:9\1@/');
        $var(b) = $rU;
        if (subst_uri('/nomatch/x/')) $var(c) = "yes"; else $var(c) = "no";
        $var(mb0) = $(mb{s.len});
        msg_apply_changes();
    )");
    EXPECT_EQ(t["$var(a)"], "s:sip:bob@example.com");
    EXPECT_EQ(t["$var(b)"], "s:9bob");
    EXPECT_EQ(t["$var(c)"], "s:no");
    EXPECT_EQ(t["$ru"], "s:sip:9bob@example.com");
    std::string mb = t["$mb"];
    EXPECT_EQ(mb.find("OPTIONS sip:9bob@example.com SIP/2.0\r\n"), 2u) << mb;
}

TEST(Textops, SubstUriAfterRuAssignment) {
    TxRun t(R"(
        $ru = "sip:carol@example.net";
        subst_uri('/carol/dave/');
        $var(a) = $ru;
        msg_apply_changes();
    )");
    EXPECT_EQ(t["$var(a)"], "s:sip:dave@example.net");
    EXPECT_EQ(t["$ru"], "s:sip:dave@example.net");
    std::string mb = t["$mb"];
    EXPECT_EQ(mb.find("OPTIONS sip:dave@example.net SIP/2.0\r\n"), 2u) << mb;
}

TEST(Textops, SetReplyBodyAndAppendToReplyOrder) {
    TxRun t(R"(
        append_to_reply("X-First: 1\r\n");
        set_reply_body("hello $rU\n", "text/x-r");
        append_to_reply("X-Last: 2\r\n");
        sl_send_reply("404", "Not Here");
    )");
    const std::string& s = t.r.sent();
    EXPECT_NE(s.find("CSeq: 10 OPTIONS\r\nX-First: 1\r\nContent-Type: text/x-r\r\nX-Last: 2\r\n"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("Content-Length: 12\r\n\r\nhello alice\n"), std::string::npos) << s;
}

TEST(Textops, ApplyDropsEarlierReplyHeaders) {
    TxRun t(R"(
        append_to_reply("X-Lost: 1\r\n");
        set_reply_body("lost\n", "text/plain");
        append_hf("X-A: 1\r\n");
        msg_apply_changes();
        append_to_reply("X-Kept: $hdr(X-A)\r\n");
        sl_send_reply("200", "OK");
    )");
    const std::string& s = t.r.sent();
    EXPECT_EQ(s.find("X-Lost"), std::string::npos) << s;
    EXPECT_NE(s.find("X-Kept: 1\r\n"), std::string::npos) << s;
    EXPECT_NE(s.find("Content-Length: 0\r\n"), std::string::npos) << s;
}

TEST(Textops, PendingEditsDoNotChangeTheReply) {
    TxRun t(R"(
        remove_hf("From");
        replace("f1", "changed");
        append_hf("X-A: 1\r\n");
        sl_send_reply("200", "OK");
    )");
    const std::string& s = t.r.sent();
    EXPECT_NE(s.find("From: <sip:bob@example.org>;tag=f1\r\n"), std::string::npos) << s;
    EXPECT_EQ(s.find("X-A"), std::string::npos) << s;
}

TEST(Textops, HttpRequests) {
    // event_route: header functions work, msg_apply_changes() refuses.
    std::string cfg = cfg::test::preamble() + "loadmodule \"textopsx.so\"\n" +
                      "event_route[xhttp:request] {\n"
                      "    append_hf(\"X-A: 1\\r\\n\"); $var(a) = $rc;\n"
                      "    msg_apply_changes(); $var(b) = $rc;\n"
                      "    if (search_hf(\"User-Agent\", \"^te\", \"a\")) $var(c) = 1; else $var(c) = 0;\n"
                      "    set_reply_body(\"rb\\n\", \"text/x-a\");\n"
                      "    if (!xhttp_reply(\"200\", \"OK\", \"text/plain\", \"x\")) sl_send_reply(\"500\", \"Failed\");\n"
                      "}\n";
    Runner h(cfg);
    ASSERT_TRUE(h.ok()) << h.messages();
    h.run_http();
    EXPECT_EQ(h.show("$var(a)"), "i:1");
    EXPECT_EQ(h.show("$var(b)"), "i:-1");
    EXPECT_EQ(h.show("$var(c)"), "i:1");
    EXPECT_EQ(h.show("$hdr(X-A)"), "null");
    const std::string& s = h.sent();
    EXPECT_EQ(s.rfind("HTTP/1.1 500 Failed\r\n", 0), 0u) << s;
    EXPECT_NE(s.find("Content-Type: text/x-a\r\nContent-Type: text/plain\r\n"), std::string::npos) << s;
    EXPECT_NE(s.find("\r\n\r\nrb\n"), std::string::npos) << s;
}

TEST(Textops, LoadErrors) {
    log_config().level.store(kLogCrit);
    Loaded bad_subst(tx_cfg("subst('/a(b/x/');"));
    EXPECT_FALSE(bad_subst.ok());
    Loaded bad_ref(tx_cfg("subst('/ab/\\1/');"));
    EXPECT_FALSE(bad_ref.ok());
    Loaded bad_flag(tx_cfg("subst('/ab/x/q');"));
    EXPECT_FALSE(bad_flag.ok());
    Loaded bad_hf(tx_cfg("search_hf(\"X\", \"a\", \"z\");"));
    EXPECT_FALSE(bad_hf.ok());
    // change_reply_status() belongs to reply routes.
    Loaded crs(tx_cfg("change_reply_status(404, \"Not Found\");"));
    EXPECT_FALSE(crs.ok());
    Loaded crs_reply(tx_cfg("xlog(\"x\");", "reply_route {\n    change_reply_status(404, \"Not Found\");\n}\n"));
    EXPECT_TRUE(crs_reply.ok()) << crs_reply.messages();
    log_config().level.store(kLogWarn);
}

TEST(EditList, OrderAndContentLength) {
    Arena arena;
    std::string raw =
        "MESSAGE sip:a@h SIP/2.0\r\nCall-ID: x\r\nContent-Length: 3\r\n\r\nabc";
    msg::Message m;
    msg::ParseResult pr = msg::parse_head(raw, msg::Limits{}, m);
    ASSERT_EQ(pr.status, msg::ParseStatus::Done);
    m.raw = raw;
    m.body = std::string_view(raw).substr(pr.consumed);
    msg::EditList ed;
    size_t body = m.head.size();
    ed.add(arena, body, 3, {});
    ed.add(arena, body, 0, "hello");
    size_t first = raw.find("Call-ID");
    ed.add(arena, first, 0, "X-2: b\r\n");
    ed.add(arena, first, 0, "X-3: c\r\n");
    ed.add(arena, 0, 0, "");  // an empty edit changes nothing
    EXPECT_EQ(ed.count, 5u);
    EXPECT_TRUE(ed.deleted(body, 3));
    EXPECT_FALSE(ed.deleted(body, 4));
    std::string_view out = msg::apply_edits(m, ed, arena);
    EXPECT_EQ(out,
              "MESSAGE sip:a@h SIP/2.0\r\nX-2: b\r\nX-3: c\r\nCall-ID: x\r\nContent-Length: 5\r\n\r\n"
              "hello");
    ASSERT_TRUE(msg::rebuild_message(m, ed, arena));
    EXPECT_EQ(m.body, "hello");
    EXPECT_EQ(m.content_length, 5u);
    EXPECT_NE(m.find("X-3"), nullptr);
}

}  // namespace
}  // namespace siphon::modules
