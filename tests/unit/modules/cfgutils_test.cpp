// Module cfgutils, compared with Kamailio 5.6.3 (values measured with the same calls).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "module_test_util.h"

namespace siphon::cfg::test {
namespace {

constexpr const char* kLoad = "loadmodule \"cfgutils.so\"\n";

TEST(Cfgutils, CoreHashMatchesKamailio) {
    Runner r(module_cfg(kLoad, R"~($var(h1) = core_hash("abc", "", 4);
$var(h2) = core_hash("abc", "def", 4);
$var(h3) = core_hash("", "", 0);
$var(h4) = core_hash("hello world", "", 10);
$var(h5) = core_hash("cid-1@192.0.2.1", "xyz", 16);
$var(h6) = core_hash("ABC", "", 4);
$var(h7) = core_hash("abc", "", -3);
$var(h8) = core_hash("a", "", 31);
$var(h9) = core_hash("abcdefghijklmnopq", "", 30);
$var(h10) = core_hash("h\xc3\xa9llo", "", 12);
$var(s) = 16;
$var(h11) = core_hash("$ci", "", "$var(s)");
$var(h12) = core_hash("cid-1@192.0.2.1", "", 16);
)~"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(h1)"), "i:3");
    EXPECT_EQ(r.show("$var(h2)"), "i:2");
    EXPECT_EQ(r.show("$var(h3)"), "i:1");
    EXPECT_EQ(r.show("$var(h4)"), "i:378");
    EXPECT_EQ(r.show("$var(h5)"), "i:42658");
    EXPECT_EQ(r.show("$var(h6)"), "i:4");
    EXPECT_EQ(r.show("$var(h7)"), "i:1");
    EXPECT_EQ(r.show("$var(h8)"), "i:110");
    EXPECT_EQ(r.show("$var(h9)"), "i:473696885");
    EXPECT_EQ(r.show("$var(h10)"), "i:63");   // bytes >= 0x80 are signed chars
    EXPECT_EQ(r.show("$var(h11)"), r.show("$var(h12)"));   // variables in the arguments
}

TEST(Cfgutils, Probability) {
    Runner r(module_cfg(std::string(kLoad) +
                            "modparam(\"cfgutils\", \"initial_probability\", 15)\n",
                        R"~($var(p0) = rand_get_prob();
rand_set_prob("100"); $var(e100) = rand_event();
rand_set_prob("0"); $var(e0) = rand_event();
rand_reset_prob(); $var(p1) = rand_get_prob();
rand_set_prob(50);
$var(i) = 0; $var(t) = 0;
while ($var(i) < 90) { if (rand_event()) { $var(t) = $var(t) + 1; } $var(i) = $var(i) + 1; }
)~"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(p0)"), "i:15");
    EXPECT_EQ(r.show("$var(e100)"), "i:1");
    EXPECT_EQ(r.show("$var(e0)"), "i:-1");
    EXPECT_EQ(r.show("$var(p1)"), "i:15");
    int32_t t = r.get("$var(t)").i;
    EXPECT_GT(t, 15);   // 90 draws at 50%: far outside these bounds is a broken generator
    EXPECT_LT(t, 75);
}

// rand_get_prob() returns the probability, so at 0 the script stops, as in Kamailio.
TEST(Cfgutils, GetProbZeroStopsScript) {
    Runner r(module_cfg(kLoad, "rand_set_prob(\"0\");\nrand_get_prob();\n$var(after) = 1;\n"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(after)"), "i:0");
}

TEST(Cfgutils, LoadErrors) {
    const char* bad[] = {
        "rand_set_prob(\"101\");",
        "rand_set_prob(\"$var(x)\");",
        "set_gflag(\"32\");",
        "is_gflag(\"-1\");",
        "reset_gflag(\"$var(x)\");",
        "lock(\"a\", \"b\");",   // 5.6 takes one key
        "sleep(\"abc\");",
    };
    for (const char* b : bad) {
        Runner r(module_cfg(kLoad, b));
        EXPECT_FALSE(r.ok()) << b;
    }
    Runner p(module_cfg(std::string(kLoad) +
                            "modparam(\"cfgutils\", \"initial_probability\", 200)\n",
                        ""));
    EXPECT_FALSE(p.ok());
    // shvar initial values belong to module pv, not cfgutils (Kamailio refuses it too).
    Runner s(module_cfg(std::string(kLoad) + "modparam(\"cfgutils\", \"shvar\", \"a=i:1\")\n", ""));
    EXPECT_FALSE(s.ok());
}

TEST(Cfgutils, GlobalFlagsAreShared) {
    Runner r(module_cfg(std::string(kLoad) + "modparam(\"cfgutils\", \"initial_gflags\", 5)\n",
                        R"~($var(g0) = is_gflag("0");
$var(g1) = is_gflag("1");
$var(g2) = is_gflag("2");
if ($hdr(X-Step) == "1") { set_gflag("1"); reset_gflag("0"); }
)~"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run(sip_request({{"X-Step", "1"}}));
    EXPECT_EQ(r.show("$var(g0)") + r.show("$var(g1)") + r.show("$var(g2)"), "i:1i:-1i:1");
    r.run();   // the next message sees the change
    EXPECT_EQ(r.show("$var(g0)") + r.show("$var(g1)") + r.show("$var(g2)"), "i:-1i:1i:1");
}

TEST(Cfgutils, LockWithoutLockSetFailsAtRunTime) {
    Runner r(module_cfg(kLoad, "$var(l) = lock(\"abc\");\n$var(u) = unlock(\"abc\");\n"
                               "$var(t) = trylock(\"abc\");\n"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(l)") + r.show("$var(u)") + r.show("$var(t)"), "i:-1i:-1i:-1");
}

TEST(Cfgutils, LockTrylockUnlock) {
    Runner r(module_cfg(std::string(kLoad) + "modparam(\"cfgutils\", \"lock_set_size\", 20)\n",
                        R"~($var(a) = lock("abc");
$var(b) = trylock("ABC");
$var(c) = unlock("abc");
$var(d) = trylock("abc");
$var(e) = unlock("abc");
$var(f) = unlock("abc");
$var(g) = trylock("$ci");
unlock("$ci");
)~"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(a)"), "i:1");
    EXPECT_EQ(r.show("$var(b)"), "i:-1");   // the key hash ignores case: same lock
    EXPECT_EQ(r.show("$var(c)"), "i:1");
    EXPECT_EQ(r.show("$var(d)"), "i:1");
    EXPECT_EQ(r.show("$var(e)"), "i:1");
    EXPECT_EQ(r.show("$var(f)"), "i:1");    // unlocking a free lock is harmless
    EXPECT_EQ(r.show("$var(g)"), "i:1");
}

TEST(Cfgutils, RoutesByName) {
    Runner r(module_cfg(kLoad, R"~($var(c1) = check_route_exists("R1");
$var(c2) = check_route_exists("NOPE");
$var(n) = "R1";
$var(c3) = check_route_exists("$var(n)");
$var(c4) = check_route_exists("");
$var(c5) = check_route_exists("0");
$var(r1) = route_if_exists("R1"); $var(rc1) = $rc;
$var(r2) = route_if_exists("NOPE");
$var(r3) = route_if_exists("RNEG");
$var(r4) = route_if_exists("RLAST");
$var(done) = 1;
)~",
                        R"~(route[R1] { $var(in) = 1; return 7; }
route[RNEG] { return -3; }
route[RLAST] { $var(zz) = 1; is_gflag("30"); }
)~"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(c1)") + r.show("$var(c2)") + r.show("$var(c3)"), "i:1i:-1i:1");
    EXPECT_EQ(r.show("$var(c4)") + r.show("$var(c5)"), "i:-1i:1");
    EXPECT_EQ(r.show("$var(in)"), "i:1");
    EXPECT_EQ(r.show("$var(r1)") + r.show("$var(rc1)"), "i:7i:7");
    EXPECT_EQ(r.show("$var(r2)"), "i:-1");
    EXPECT_EQ(r.show("$var(r3)"), "i:-3");
    EXPECT_EQ(r.show("$var(r4)"), "i:-1");
    EXPECT_EQ(r.show("$var(done)"), "i:1");
}

// exit, return 0 and break inside the route stop the caller too (notes 1.7; break measured).
TEST(Cfgutils, RouteIfExistsStopsScript) {
    for (const char* body : {"exit;", "return 0;", "break;", "drop;"}) {
        Runner r(module_cfg(kLoad, "$var(after) = 0;\nroute_if_exists(\"RX\");\n$var(after) = 1;\n",
                            std::string("route[RX] { $var(in) = 1; ") + body +
                                " $var(in) = 2; }\n"));
        ASSERT_TRUE(r.ok()) << r.messages();
        r.run();
        EXPECT_EQ(r.show("$var(in)"), "i:1") << body;
        EXPECT_EQ(r.show("$var(after)"), "i:0") << body;
    }
}

TEST(Cfgutils, RouteIfExistsRecursionIsBounded) {
    Runner r(module_cfg(kLoad,
                        "$var(n) = 0;\n$var(r) = route_if_exists(\"REC\");\n$var(done) = 1;\n",
                        "route[REC] { $var(n) = $var(n) + 1; route_if_exists(\"REC\"); }\n"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(done)"), "i:1");
    EXPECT_EQ(r.show("$var(n)"), "i:100");
}

TEST(Cfgutils, SleepBlocksTheWorker) {
    Runner r(module_cfg(kLoad, R"~($var(a) = sleep("0");
$var(x) = 20000;
$var(b) = usleep("$var(x)");
$var(c) = usleep("-1");
$var(s) = "abc";
$var(d) = sleep("$var(s)");
)~"));
    ASSERT_TRUE(r.ok()) << r.messages();
    auto t0 = std::chrono::steady_clock::now();
    r.run();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - t0).count();
    EXPECT_GE(ms, 20);
    EXPECT_EQ(r.show("$var(a)") + r.show("$var(b)"), "i:1i:1");
    EXPECT_EQ(r.show("$var(c)") + r.show("$var(d)"), "i:-1i:-1");
}

// Several workers sharing one loaded config, each on its own thread.
class SharedScript {
public:
    explicit SharedScript(const std::string& cfg) : loaded_(cfg) {
        log_config().level.store(kLogCrit);
        if (!loaded_.ok()) return;
        for (size_t i = 0; i < loaded_.script->reg.shv_count(); ++i)
            shv_.slots.push_back(std::make_unique<pv::SharedVars::Slot>());
    }
    ~SharedScript() { log_config().level.store(kLogWarn); }
    bool ok() const { return loaded_.ok(); }
    std::string messages() const { return loaded_.messages(); }
    Script& script() { return *loaded_.script; }
    pv::SharedVars& shv() { return shv_; }

private:
    Loaded loaded_;
    pv::SharedVars shv_;
};

class Worker {
public:
    explicit Worker(SharedScript& s) : s_(s), sink_(true) {
        w_.scratch.resize(static_cast<size_t>(s.script().core.pv_buffer_size));
        w_.vars.resize(s.script().reg.var_count());
        raw_ = std::string(kSipRequest);
    }
    // Runs route[name] for a new message.
    RunResult run(const std::string& name) {
        m_.clear();
        msg::ParseResult pr = msg::parse_head(raw_, msg::Limits{}, m_);
        m_.raw = raw_;
        m_.body = std::string_view(raw_).substr(pr.consumed);
        w_.arena.reset();
        ++w_.msg_id;
        pv::Ctx ctx{w_};
        ctx.shv = &s_.shv();
        ctx.msg = &m_;
        ctx.rcv = &rcv_;
        ctx.sink = &sink_;
        ctx.reply_hdrs = &w_.reply_hdrs;
        return run_route(s_.script(), *s_.script().named.at(name), ctx);
    }
    int32_t var_int(const std::string& pv_text) {
        std::string err;
        auto spec = pv::parse_pv_exact(pv_text, s_.script().reg, err);
        pv::Ctx ctx{w_};
        ctx.shv = &s_.shv();
        Value v;
        if (!spec || !pv::get_pv(ctx, *spec, v) || !v.is_int()) return INT32_MIN;
        return v.i;
    }

private:
    SharedScript& s_;
    pv::WorkerState w_;
    std::string raw_;
    msg::Message m_;
    pv::RecvInfo rcv_;
    CaptureSink sink_;
};

// Two workers increment a shared counter with a read / sleep / write that loses updates
// unless lock() serialises them.
TEST(CfgutilsLocks, MutualExclusionBetweenWorkers) {
    SharedScript s(module_cfg(std::string(kLoad) + "modparam(\"cfgutils\", \"lock_set_size\", 4)\n",
                              ";", R"~(route[INC] {
    lock("counter");
    $var(t) = $shv(c);
    usleep("200");
    $shv(c) = $var(t) + 1;
    unlock("counter");
}
)~"));
    ASSERT_TRUE(s.ok()) << s.messages();
    constexpr int kRuns = 40;
    auto work = [&s] {
        Worker w(s);
        for (int i = 0; i < kRuns; ++i) w.run("INC");
    };
    std::thread a(work), b(work);
    a.join();
    b.join();
    Worker w(s);
    EXPECT_EQ(w.var_int("$shv(c)"), 2 * kRuns);
}

// A lock taken by one worker blocks another until released, and may be released by a
// third (Kamailio's locks are not owned by the process that took them).
TEST(CfgutilsLocks, BlockingAndForeignUnlock) {
    SharedScript s(module_cfg(std::string(kLoad) + "modparam(\"cfgutils\", \"lock_set_size\", 2)\n",
                              ";", R"~(route[LOCK] { $var(r) = lock("k"); }
route[TRY] { $var(r) = trylock("k"); }
route[UNLOCK] { $var(r) = unlock("k"); }
)~"));
    ASSERT_TRUE(s.ok()) << s.messages();
    Worker a(s), c(s);
    a.run("LOCK");
    EXPECT_EQ(a.var_int("$var(r)"), 1);
    c.run("TRY");
    EXPECT_EQ(c.var_int("$var(r)"), -1);

    std::atomic<bool> got{false};
    std::thread tb([&s, &got] {
        Worker b(s);
        b.run("LOCK");
        got = true;
        b.run("UNLOCK");
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(got.load());   // still waiting
    c.run("UNLOCK");            // released by a worker that did not take it
    tb.join();
    EXPECT_TRUE(got.load());
    c.run("TRY");
    EXPECT_EQ(c.var_int("$var(r)"), 1);
}

}  // namespace
}  // namespace siphon::cfg::test
