// Regression tests for sl replies found by fuzz/fuzz_kemi: a reply without a body passes an
// empty view with a null data() to the reply writer, which must not hand it to memcpy
// (undefined behaviour reported by UBSan at src/modules/sl/sl.cpp Out::put).
#include <gtest/gtest.h>

#include <string>

#include "../cfg/test_util.h"
#include "../kemi/kemi_test_util.h"

namespace siphon::modules {
namespace {

using cfg::test::Runner;

TEST(SlReplyRegress, NativeReplyWithoutBody) {
    Runner r(cfg::test::request_cfg("sl_send_reply(\"200\", \"OK\");"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    const std::string& out = r.sent();
    ASSERT_EQ(out.rfind("SIP/2.0 200 OK\r\n", 0), 0u) << out;
    EXPECT_NE(out.find("Content-Length: 0\r\n\r\n"), std::string::npos) << out;
    EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n") << out;
}

// The fuzzer's path: KSR.sl.sl_send_reply from Lua.
TEST(SlReplyRegress, KemiReplyWithoutBody) {
    kemi::test::Harness h;
    ASSERT_TRUE(h.ok()) << h.messages();
    EXPECT_EQ(h.run("return KSR.sl.sl_send_reply(200, 'OK')"), "ok:number:1");
    const std::string& out = h.sent();
    ASSERT_EQ(out.rfind("SIP/2.0 200 OK\r\n", 0), 0u) << out;
    EXPECT_NE(out.find("Content-Length: 0\r\n\r\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace siphon::modules
