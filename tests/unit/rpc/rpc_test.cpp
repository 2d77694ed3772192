// The RPC framework without a network: reply building, JSON rendering in Kamailio's layout,
// the JSON-RPC driver (errors, batches), the statistics registry and the Prometheus text.
#include <gtest/gtest.h>

#include <string>

#include "../cfg/test_util.h"
#include "modules/rpc/jsonrpc.h"
#include "modules/rpc/rpc.h"
#include "modules/rpc/runtime.h"
#include "modules/rpc/stats.h"
#include "modules/xhttp_prom/prom.h"

namespace siphon::rpc {
namespace {

using cfg::test::Loaded;

TEST(RpcNode, PrettyLayoutMatchesKamailio) {
    // core.psx as Kamailio 5.6 jsonrpcs prints it with pretty_format=1.
    Node r = Node::structure();
    r.set("jsonrpc", "2.0");
    Node& a = r.set("result", Node::array());
    Node& p = a.push(Node::structure());
    p.set("IDX", 0);
    p.set("PID", 14230);
    p.set("DSC", "main process - attendant");
    r.set("id", 1);
    EXPECT_EQ(render_json(r, true),
              "{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"result\":\t[{\n\t\t\t\"IDX\":\t0,\n\t\t\t\"PID\":"
              "\t14230,\n"
              "\t\t\t\"DSC\":\t\"main process - attendant\"\n\t\t}],\n\t\"id\":\t1\n}");
    EXPECT_EQ(render_json(r, false),
              "{\"jsonrpc\":\"2.0\",\"result\":[{\"IDX\":0,\"PID\":14230,\"DSC\":\"main process - "
              "attendant\"}],"
              "\"id\":1}");
}

TEST(RpcNode, EmptyContainersAndEscapes) {
    Node r = Node::structure();
    r.set("result", Node::structure());
    r.set("a", Node::array());
    r.set("s", "q\"\\\n\x01");
    EXPECT_EQ(render_json(r, true),
              "{\n\t\"result\":\t{\n\t},\n\t\"a\":\t[],\n\t\"s\":\t\"q\\\"\\\\\\n\\u0001\"\n}");
    Node d = Node::real(2.5);
    EXPECT_EQ(render_json(d, false), "2.500000");
    EXPECT_EQ(render_json(Node::real(3.0), false), "3");
}

TEST(RpcNode, StructAddOnArrayWrapsMember) {
    // jsonrpc_struct_add on an array: each member becomes a one-member object.
    Node a = Node::array();
    a.set("k", "v");
    EXPECT_EQ(render_json(a, false), "[{\"k\":\"v\"}]");
}

struct RtFixture : ::testing::Test {
    Loaded l{
        "loadmodule \"sl.so\"\nloadmodule \"xhttp.so\"\nloadmodule \"jsonrpcs.so\"\n"
        "loadmodule \"statistics.so\"\n"
        "modparam(\"jsonrpcs\", \"transport\", 1)\n"
        "modparam(\"statistics\", \"variable\", \"calls/no_reset\")\n"
        "modparam(\"statistics\", \"variable\", \"regs\")\n"
        "request_route { exit; }\nevent_route[xhttp:request] { jsonrpc_dispatch(); }\n"};
    std::unique_ptr<Runtime> rt;
    void SetUp() override {
        ASSERT_TRUE(l.ok()) << l.messages();
        rt = std::make_unique<Runtime>(*l.script, 2);
    }
    std::string run(std::string_view doc, int* code = nullptr) {
        JsonrpcReply r = jsonrpc_process(*rt, doc, false);
        if (code) *code = r.code;
        return r.body;
    }
};

TEST_F(RtFixture, ReplyShapes) {
    EXPECT_EQ(run(R"({"jsonrpc":"2.0","method":"core.echo","params":["a",1],"id":1})"),
              R"({"jsonrpc":"2.0","result":["a","1"],"id":1})");
    // RET_ARRAY with nothing added: an empty array; otherwise an empty object.
    EXPECT_EQ(run(R"({"jsonrpc":"2.0","method":"core.echo","id":"x"})"),
              R"({"jsonrpc":"2.0","result":[],"id":"x"})");
    EXPECT_EQ(
        run(R"({"jsonrpc":"2.0","method":"stats.reset_statistics","params":["regs"],"id":2})"),
        R"({"jsonrpc":"2.0","result":{},"id":2})");
    // Without id the reply has no id member (Kamailio answers notifications).
    EXPECT_EQ(run(R"({"jsonrpc":"2.0","method":"jsonrpc.echo","params":["x",5]})"),
              R"({"jsonrpc":"2.0","result":["x",5]})");
    // Params as an object: values taken in order.
    EXPECT_EQ(run(R"({"jsonrpc":"2.0","method":"core.prints","params":{"b":"1","a":"2"},"id":3})"),
              R"({"jsonrpc":"2.0","result":["1","2"],"id":3})");
}

TEST_F(RtFixture, Errors) {
    int code = 0;
    EXPECT_EQ(run(R"({"jsonrpc":"2.0","method":"no.such","id":1})", &code),
              R"({"jsonrpc":"2.0","error":{"code":500,"message":"Method Not Found"},"id":1})");
    EXPECT_EQ(code, 500);
    EXPECT_EQ(run(R"({"jsonrpc":"2.0","method":"core.echo")", &code),
              R"({"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse Error"},"id":null})");
    EXPECT_EQ(code, 400);
    EXPECT_EQ(run(R"({"method":"core.echo","id":4})", &code),
              R"({"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":4})");
    EXPECT_EQ(run(R"({"jsonrpc":"2.0","method":"core.echo","params":"x","id":5})"),
              R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid Parameters"},"id":5})");
    EXPECT_EQ(run(R"({"jsonrpc":"2.0","method":"corex.debug","params":["abc"],"id":6})"),
              R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid Parameters"},"id":6})");
    EXPECT_EQ(
        run(R"({"jsonrpc":"2.0","method":"stats.get_statistics","id":7})", &code),
        R"({"jsonrpc":"2.0","error":{"code":400,"message":)"
        R"("Please provide which stats to retrieve"},"id":7})");
    EXPECT_EQ(code, 400);
    // Deep nesting is refused before parsing, not a stack overflow.
    std::string deep = R"({"jsonrpc":"2.0","method":"core.echo","params":)" +
                       std::string(100000, '[') + std::string(100000, ']') + "}";
    EXPECT_NE(run(deep).find("-32700"), std::string::npos);
    EXPECT_NE(run("").find("-32700"), std::string::npos);
    EXPECT_NE(run("[]").find("-32600"), std::string::npos);
}

TEST_F(RtFixture, Batch) {
    EXPECT_EQ(
        run(R"([{"jsonrpc":"2.0","method":"core.prints","params":["a"],"id":1},)"
            R"({"jsonrpc":"2.0","method":"core.prints","params":["b"]},7])"),
        R"([{"jsonrpc":"2.0","result":["a"],"id":1},)"
        R"({"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null}])");
}

TEST_F(RtFixture, Statistics) {
    Stats& st = rt->stats();
    ASSERT_NE(st.find("calls"), nullptr);
    EXPECT_EQ(st.find("calls")->group(), "script");
    st.find("calls")->add(5, 1);
    st.find("regs")->add(2, 0);
    st.find("regs")->add(3, 1);
    EXPECT_EQ(st.find("script:regs")->get(), 5);
    EXPECT_EQ(
        run(R"({"jsonrpc":"2.0","method":"stats.get_statistics","params":["script:"],"id":1})"),
        R"({"jsonrpc":"2.0","result":["script:calls = 5","script:regs = 5"],"id":1})");
    EXPECT_EQ(run(R"({"jsonrpc":"2.0","method":"stats.fetchn","params":["script.regs"],"id":1})"),
              R"({"jsonrpc":"2.0","result":{"script.regs":5},"id":1})");
    run(R"({"jsonrpc":"2.0","method":"stats.reset_statistics","params":["script:"],"id":1})");
    EXPECT_EQ(st.find("regs")->get(), 0);
    EXPECT_EQ(st.find("calls")->get(), 5);   // no_reset
    // Groups sorted, names sorted byte-wise (core:bad_URIs_rcvd before core:bad_msg_hdr).
    auto core = st.select("core:");
    ASSERT_GE(core.size(), 2u);
    EXPECT_EQ(core[0]->name(), "bad_URIs_rcvd");
    EXPECT_EQ(core[1]->name(), "bad_msg_hdr");
    EXPECT_TRUE(st.select("nonexistent").empty());
}

TEST_F(RtFixture, CountersFromMessages) {
    msg::Message m;
    m.kind = msg::Kind::SipRequest;
    m.method = "INVITE";
    rt->counters().received(0, m);
    m.method = "FOO";
    rt->counters().received(1, m);
    rt->counters().sent(0, "SIP/2.0 404 Not Here\r\n", false);
    rt->counters().sent(1, "HTTP/1.1 200 OK\r\n", true);
    rt->counters().sent(1, "HTTP/1.1 503 Busy\r\n", true);
    Stats& st = rt->stats();
    EXPECT_EQ(st.find("core:rcv_requests")->get(), 2);
    EXPECT_EQ(st.find("rcv_requests_invite")->get(), 1);
    EXPECT_EQ(st.find("unsupported_methods")->get(), 1);
    EXPECT_EQ(st.find("sl:404_replies")->get(), 1);
    EXPECT_EQ(st.find("sl:200_replies")->get(), 1);
    EXPECT_EQ(st.find("sl:5xx_replies")->get(), 1);
    EXPECT_EQ(st.find("sl:sent_replies")->get(), 3);
    EXPECT_EQ(st.find("http:replies_2xx")->get(), 1);
    EXPECT_EQ(st.find("http:replies_5xx")->get(), 1);
}

TEST_F(RtFixture, MethodsAndHelp) {
    auto& ms = rt->methods();
    for (size_t i = 1; i < ms.size(); ++i)
        EXPECT_LT(ms[i - 1].name, ms[i].name);
    EXPECT_NE(rt->find("jsonrpc.echo"), nullptr);
    EXPECT_EQ(
        run(R"({"jsonrpc":"2.0","method":"system.methodHelp","params":["core.uptime"],"id":1})"),
        R"({"jsonrpc":"2.0","result":"Returns uptime of SIP server.","id":1})");
    EXPECT_EQ(run(R"({"jsonrpc":"2.0","method":"system.methodHelp","params":["x.y"],"id":1})"),
              R"({"jsonrpc":"2.0","error":{"code":400,"message":"command not found"},"id":1})");
}

TEST_F(RtFixture, LogLevel) {
    int before = log_config().level.load();
    EXPECT_EQ(
        run(R"({"jsonrpc":"2.0","method":"corex.debug","params":[2],"id":1})"),
        R"({"jsonrpc":"2.0","result":{"old":)" + std::to_string(before) + R"(,"new":2},"id":1})");
    EXPECT_EQ(run(R"({"jsonrpc":"2.0","method":"cfg.get","params":["core","debug"],"id":1})"),
              R"({"jsonrpc":"2.0","result":2,"id":1})");
    log_config().level.store(before);
}

TEST(JsonDocLength, Streams) {
    EXPECT_EQ(json_doc_length(R"( {"a":"}"} {"b":1})"), 10u);
    EXPECT_EQ(json_doc_length(R"({"a":[1,2)"), 0u);
    EXPECT_EQ(json_doc_length("   "), 0u);
    EXPECT_EQ(json_doc_length("garbage"), std::string_view::npos);
}

}   // namespace
}   // namespace siphon::rpc

namespace siphon::modules {
namespace {

TEST(Prom, ParseDefinitions) {
    PromDef d;
    EXPECT_EQ(
        parse_prom_def("name=cnt01; label=method:IP; help='Total; of it'", PromKind::Counter, d),
        "");
    EXPECT_EQ(d.name, "cnt01");
    EXPECT_EQ(d.labels, (std::vector<std::string>{"method", "IP"}));
    EXPECT_EQ(d.help, "Total; of it");
    EXPECT_EQ(parse_prom_def("name=h; buckets=1:2.5", PromKind::Histogram, d), "");
    EXPECT_EQ(d.buckets, (std::vector<double>{1, 2.5}));
    EXPECT_EQ(parse_prom_def("name=h2", PromKind::Histogram, d), "");
    EXPECT_EQ(d.buckets.size(), 11u);
    EXPECT_NE(parse_prom_def("label=a", PromKind::Gauge, d), "");
    EXPECT_NE(parse_prom_def("name=h; buckets=2:1", PromKind::Histogram, d), "");
    EXPECT_NE(parse_prom_def("name=c; label=a:b:c:d", PromKind::Counter, d), "");
    EXPECT_NE(parse_prom_def("name=1bad", PromKind::Counter, d), "");
}

TEST(Prom, Render) {
    PromMetrics m;
    PromDef d;
    ASSERT_EQ(parse_prom_def("name=c; label=method", PromKind::Counter, d), "");
    ASSERT_EQ(m.declare(d), "");
    ASSERT_EQ(parse_prom_def("name=g; help='A gauge'", PromKind::Gauge, d), "");
    ASSERT_EQ(m.declare(d), "");
    ASSERT_EQ(parse_prom_def("name=h; buckets=1:2", PromKind::Histogram, d), "");
    ASSERT_EQ(m.declare(d), "");
    EXPECT_NE(m.declare(d), "");   // twice
    EXPECT_EQ(m.counter_inc("c", 3, {"IN\"V\\"}), "");
    EXPECT_NE(m.counter_inc("c", 3, {}), "");   // label count
    EXPECT_NE(m.counter_inc("c", -1, {"x"}), "");
    EXPECT_EQ(m.gauge_set("g", -12.5, {}), "");
    EXPECT_EQ(m.histogram_observe("h", 1.5, {}), "");
    EXPECT_EQ(m.histogram_observe("h", 0.5, {}), "");
    EXPECT_NE(m.gauge_set("c", 1, {"x"}), "");   // wrong kind
    PromOptions o;
    o.metadata_flags = 3;
    o.tags = {{"job", "x"}};
    std::string text = m.render_user(o, 1700000000123);
    EXPECT_EQ(text,
              "# TYPE kamailio_c counter\n"
              "kamailio_c{method=\"IN\\\"V\\\\\",job=\"x\"} 3 1700000000123\n"
              "# HELP kamailio_g A gauge\n"
              "# TYPE kamailio_g gauge\n"
              "kamailio_g{job=\"x\"} -12.5 1700000000123\n"
              "# TYPE kamailio_h histogram\n"
              "kamailio_h_bucket{job=\"x\",le=\"1.000000\"} 1 1700000000123\n"
              "kamailio_h_bucket{job=\"x\",le=\"2.000000\"} 2 1700000000123\n"
              "kamailio_h_bucket{job=\"x\",le=\"+Inf\"} 2 1700000000123\n"
              "kamailio_h_sum{job=\"x\"} 2 1700000000123\n"
              "kamailio_h_count{job=\"x\"} 2 1700000000123\n");
    o.timestamp_format = "sf";
    o.tags.clear();
    o.metadata_flags = 0;
    EXPECT_NE(m.render_user(o, 1700000000123).find("kamailio_g -12.5 1700000000.123\n"),
              std::string::npos);
}

TEST(Prom, InternalStatsNames) {
    rpc::Stats st(1);
    st.add("core", "rcv_requests")->add(4);
    st.add("my-group", "a-b")->add(1);
    PromMetrics m;
    PromOptions o;
    o.stats = {"all"};
    std::string text = m.render(o, &st, 0, 1000);
    EXPECT_NE(text.find("\nkamailio_core_rcv_requests 4 1000\n"), std::string::npos);
    EXPECT_NE(text.find("\nkamailio_my_group_a_b 1 1000\n"), std::string::npos);
    EXPECT_EQ(prom_metric_name("1xx"), "_1xx");
}

}   // namespace
}   // namespace siphon::modules
