// htable module: $sht and friends, the sht_* functions, expiry, iterators and concurrent
// access, compared with what Kamailio 5.6.3 does.
#include "modules/htable/htable.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "../cfg/test_util.h"

namespace siphon::modules {
namespace {

using cfg::test::Loaded;
using cfg::test::Runner;

// A config with htable loaded, the given modparam lines and request_route `body`.
std::string ht_cfg(std::string_view params, std::string_view body, std::string_view extra = {}) {
    std::string s = cfg::test::preamble();
    s += "loadmodule \"htable.so\"\n";
    s += params;
    s += "\nrequest_route {\n";
    s += body;
    s += "\n}\n";
    s += extra;
    s += "\nevent_route[xhttp:request] {\n    xhttp_reply(\"200\", \"OK\", \"\", \"\");\n}\n";
    return s;
}

std::string table(std::string_view spec) {
    return "modparam(\"htable\", \"htable\", \"" + std::string(spec) + "\")\n";
}

// Loads the config, runs request_route once and keeps the runner for reads.
struct Once {
    Once(std::string_view params, std::string_view body, std::string_view extra = {})
        : r(ht_cfg(params, body, extra)) {
        EXPECT_TRUE(r.ok()) << r.messages();
        if (r.ok()) res = r.run();
    }
    std::string operator[](const std::string& pv) { return r.show(pv); }
    Runner r;
    cfg::RunResult res;
};

// The load errors of a config, or "" if it loads.
std::string load_errors(std::string_view params, std::string_view body) {
    log_config().level.store(kLogCrit);
    Loaded l(ht_cfg(params, body));
    log_config().level.store(kLogWarn);
    return l.ok() ? std::string() : l.messages();
}

// ---- table definitions -------------------------------------------------------------------

TEST(Htable, TableSpecParsing) {
    HtTableSpec s;
    EXPECT_EQ(parse_table_spec("a=>size=8;autoexpire=7200;initval=-3;updateexpire=0;", s), "");
    EXPECT_EQ(s.name, "a");
    EXPECT_EQ(s.size_bits, 8u);
    EXPECT_EQ(s.autoexpire, 7200u);
    EXPECT_TRUE(s.has_initval);
    EXPECT_EQ(s.initval, -3);
    EXPECT_FALSE(s.updateexpire);

    // Defaults, and Kamailio's clamping of size (<= 1 gives 8 slots, > 31 gives 2^14).
    EXPECT_EQ(parse_table_spec(" b => ", s), "");
    EXPECT_EQ(s.name, "b");
    EXPECT_EQ(s.size_bits, 4u);
    EXPECT_EQ(s.autoexpire, 0u);
    EXPECT_FALSE(s.has_initval);
    EXPECT_TRUE(s.updateexpire);
    EXPECT_EQ(parse_table_spec("c=>size=0", s), "");
    EXPECT_EQ(s.size_bits, 3u);
    EXPECT_EQ(parse_table_spec("c=>size=40", s), "");
    EXPECT_EQ(s.size_bits, 14u);
    EXPECT_EQ(parse_table_spec("c=>size=25", s), "");
    EXPECT_EQ(s.size_bits, 20u);  // siphon's cap

    const char* bad[] = {"a", "=>size=2", "a=>foo=1", "a=>size=x", "a=>autoexpire=-1",
                         "a=>initval=abc", "a=>dbtable=t", "a=>dmqreplicate=1"};
    for (const char* b : bad) EXPECT_NE(parse_table_spec(b, s), "") << b;
}

TEST(Htable, DefinitionErrorsAreLoadErrors) {
    EXPECT_NE(load_errors(table("a=>size=4") + table("a=>size=5"), "").find("already configured"),
              std::string::npos);
    EXPECT_NE(load_errors(table("a=>bogus=1"), "").find("unknown attribute"), std::string::npos);
    EXPECT_NE(load_errors(table("a=>size=4;dbtable=x"), "").find("database"), std::string::npos);
}

TEST(Htable, UnknownTableIsALoadError) {
    // Kamailio accepts $sht(zz=>k) at start-up and fails on every access; siphon refuses it.
    std::string e = load_errors(table("a=>size=4"), "$var(x) = $sht(zz=>k);");
    EXPECT_NE(e.find("no hash table 'zz' (tables: a)"), std::string::npos) << e;
    EXPECT_NE(load_errors(table("a=>size=4"), "sht_rm(\"zz\", \"k\");"), "");
    EXPECT_NE(load_errors(table("a=>size=4"), "sht_lock(\"zz=>k\");"), "");
    EXPECT_NE(load_errors(table("a=>size=4"), "sht_iterator_start(\"i\", \"zz\");"), "");
    EXPECT_NE(load_errors(table("a=>size=4"), "$var(x) = $sht(a);"), "");
    EXPECT_NE(load_errors("", "$var(x) = $sht(a=>k);"), "");
}

TEST(Htable, BadConstantRegexOrOperatorIsALoadError) {
    EXPECT_NE(load_errors(table("a=>size=4"), "$var(x) = $shtcn(a=>[);"), "");
    EXPECT_NE(load_errors(table("a=>size=4"), "sht_rm_name_re(\"a=>[\");"), "");
    // Kamailio 5.6 knows only "re" and "sw" for sht_rm_name/sht_rm_value.
    EXPECT_NE(load_errors(table("a=>size=4"), "sht_rm_name(\"a\", \"ew\", \"x\");"), "");
    EXPECT_NE(load_errors(table("a=>size=4"), "sht_match_name(\"a\", \"xx\", \"x\");"), "");
}

// ---- $sht, $shtinc, $shtdec --------------------------------------------------------------

TEST(Htable, SetGetDeleteAndInitval) {
    Once t(table("a=>size=4;") + table("b=>size=4;initval=5;"), R"cfg(
        $sht(a=>x) = 1;
        $sht(a=>s) = "str";
        $var(r) = $sht(a=>x) + 1;
        $sht(a=>gone) = "v";
        $sht(a=>gone) = $null;
        $sht(b=>k) = $null;
        $sht(a=>) = "empty";)cfg");
    EXPECT_EQ(t["$var(r)"], "i:2");
    EXPECT_EQ(t["$sht(a=>x)"], "i:1");
    EXPECT_EQ(t["$sht(a=>s)"], "s:str");
    EXPECT_EQ(t["$sht(a=>gone)"], "null");
    EXPECT_EQ(t["$sht(a=>nope)"], "null");
    EXPECT_EQ(t["$sht(b=>nope)"], "i:5");  // initval instead of $null
    EXPECT_EQ(t["$sht(b=>k)"], "i:5");
    EXPECT_EQ(t["$sht(a=>)"], "s:empty");
    EXPECT_EQ(t["$shtcn(b=>**)"], "i:0");
}

TEST(Htable, KeysWithVariables) {
    Once t(table("a=>size=4;"), R"cfg(
        $var(k) = "n1";
        $sht(a=>$var(k)) = 5;
        $sht(a=>$var(k)::$si) = "src";
        $var(r1) = $sht(a=>n1);
        $var(r2) = $sht(a=>n1::127.0.0.1);)cfg");
    EXPECT_EQ(t["$var(r1)"], "i:5");
    EXPECT_EQ(t["$var(r2)"], "s:src");
    EXPECT_EQ(t["$sht(a=>n1::127.0.0.1)"], "s:src");
}

TEST(Htable, IncrementAndDecrement) {
    Once t(table("a=>size=4;") + table("b=>size=4;initval=5;"), R"cfg(
        $sht(a=>x) = 1;
        $sht(a=>s) = "str";
        $sht(a=>s12) = "12";
        $sht(a=>big) = 2147483647;
        $var(i) = $shtinc(a=>x);
        if ($shtinc(a=>new) == $null) $var(j) = "null";
        if ($shtinc(a=>s) == $null) $var(k) = "null";
        if ($shtinc(a=>s12) == $null) $var(m) = "null";
        $var(l) = $shtdec(b=>nn);
        $var(n) = $shtinc(a=>big);
        $sht(b=>str) = "s";
        if ($shtinc(b=>str) == $null) $var(o) = "null";)cfg");
    EXPECT_EQ(t["$var(i)"], "i:2");
    EXPECT_EQ(t["$sht(a=>x)"], "i:2");
    // No initval: a missing key is not created; strings are never incremented.
    EXPECT_EQ(t["$var(j)"], "s:null");
    EXPECT_EQ(t["$sht(a=>new)"], "null");
    EXPECT_EQ(t["$var(k)"], "s:null");
    EXPECT_EQ(t["$var(m)"], "s:null");
    EXPECT_EQ(t["$sht(a=>s12)"], "s:12");
    // initval: the missing key starts at initval and is stored.
    EXPECT_EQ(t["$var(l)"], "i:4");
    EXPECT_EQ(t["$sht(b=>nn)"], "i:4");
    EXPECT_EQ(t["$var(n)"], "i:-2147483648");  // 32-bit wrap-around
    EXPECT_EQ(t["$var(o)"], "s:null");
}

// ---- counting ---------------------------------------------------------------------------

TEST(Htable, CountNamesAndValues) {
    // Measured on Kamailio 5.6.3: regexes are case-insensitive; value tests see only strings
    // except "eq", which compares integers.
    Once t(table("a=>size=4;") + table("e=>size=2;"), R"cfg(
        $sht(a=>n1) = 5; $sht(a=>n2) = "x5"; $sht(a=>m3) = "5"; $sht(a=>k1) = "Abc";
        $var(re) = "^N";)cfg");
    EXPECT_EQ(t["$shtcn(a=>**)"], "i:4");
    EXPECT_EQ(t["$shtcn(a=>%~n)"], "i:2");
    EXPECT_EQ(t["$shtcn(a=>~%1)"], "i:2");
    EXPECT_EQ(t["$shtcn(a=>==n1)"], "i:1");
    EXPECT_EQ(t["$shtcn(a=>~~^N)"], "i:2");
    EXPECT_EQ(t["$shtcn(a=>^N)"], "i:2");
    EXPECT_EQ(t["$shtcn(a=>$var(re))"], "i:2");
    EXPECT_EQ(t["$shtcn(a=>.*)"], "i:4");
    EXPECT_EQ(t["$shtcn(a=>eq5)"], "i:0");  // "eq" is for values only
    EXPECT_EQ(t["$shtcv(a=>5)"], "i:2");
    EXPECT_EQ(t["$shtcv(a=>.*)"], "i:3");
    EXPECT_EQ(t["$shtcv(a=>eq5)"], "i:1");
    EXPECT_EQ(t["$shtcv(a=>==5)"], "i:1");
    EXPECT_EQ(t["$shtcv(a=>%~x)"], "i:1");
    EXPECT_EQ(t["$shtcv(a=>^a)"], "i:1");
    EXPECT_EQ(t["$shtcn(e=>.*)"], "i:0");
}

// ---- deleting ---------------------------------------------------------------------------

TEST(Htable, RegexDeletes) {
    Once t(table("r=>size=4;"), R"cfg(
        $sht(r=>Alice) = "x"; $sht(r=>alina) = "Yes"; $sht(r=>bob) = "yes";
        $sht(r=>num) = 5; $sht(r=>zed) = "no";
        $var(a) = sht_rm_name_re("r=>^al");
        $var(c1) = $shtcn(r=>**);
        $var(b) = sht_rm_value_re("r=>^YES");
        $var(c2) = $shtcn(r=>**);
        $var(c) = sht_rm_name_re("r=>^nomatch");
        $var(re) = "^z";
        $var(d) = sht_rm_name_re("r=>$var(re)");
        $var(c3) = $shtcn(r=>**);
        $var(re) = "[";
        $var(e) = sht_rm_name_re("r=>$var(re)");)cfg");
    EXPECT_EQ(t["$var(a)"], "i:1");
    EXPECT_EQ(t["$var(c1)"], "i:3");  // Alice and alina: case-insensitive
    EXPECT_EQ(t["$var(b)"], "i:1");
    EXPECT_EQ(t["$var(c2)"], "i:2");  // bob; the integer 5 is never a value match
    EXPECT_EQ(t["$var(c)"], "i:1");   // nothing matched is still success
    EXPECT_EQ(t["$var(d)"], "i:1");
    EXPECT_EQ(t["$var(c3)"], "i:1");
    EXPECT_EQ(t["$sht(r=>num)"], "i:5");
    EXPECT_EQ(t["$var(e)"], "i:-1");  // a bad regex at run time
}

TEST(Htable, RmNameRmValueResetAndRm) {
    Once t(table("a=>size=4;"), R"cfg(
        $sht(a=>p1) = "v1"; $sht(a=>p2) = 7; $sht(a=>q1) = "v3"; $sht(a=>q2) = "w";
        $var(r1) = sht_rm_name("a", "sw", "p");
        $var(c1) = $shtcn(a=>**);
        $var(r2) = sht_rm_value("a", "re", "^V");
        $var(c2) = $shtcn(a=>**);
        $var(r3) = sht_rm("a", "q2");
        $var(r4) = sht_rm("a", "q2");
        $var(c3) = $shtcn(a=>**);
        $var(t) = "zz";
        $var(r5) = sht_rm("$var(t)", "x");
        $var(r6) = sht_reset("$var(t)");
        $sht(a=>z) = 1;
        $var(r7) = sht_reset("a");
        $var(c4) = $shtcn(a=>**);
        $var(op) = "ew";
        $var(r8) = sht_rm_name("a", "$var(op)", "x");)cfg");
    EXPECT_EQ(t["$var(r1)"], "i:1");
    EXPECT_EQ(t["$var(c1)"], "i:2");
    EXPECT_EQ(t["$var(r2)"], "i:1");
    EXPECT_EQ(t["$var(c2)"], "i:1");
    EXPECT_EQ(t["$var(r3)"], "i:1");
    EXPECT_EQ(t["$var(r4)"], "i:1");  // a missing key is still success (Kamailio)
    EXPECT_EQ(t["$var(c3)"], "i:0");
    EXPECT_EQ(t["$var(r5)"], "i:-1");  // unknown table given at run time
    EXPECT_EQ(t["$var(r6)"], "i:-1");
    EXPECT_EQ(t["$var(r7)"], "i:1");
    EXPECT_EQ(t["$var(c4)"], "i:0");
    EXPECT_EQ(t["$var(r8)"], "i:-1");  // unsupported operator given at run time
}

TEST(Htable, MatchFunctions) {
    Once t(table("a=>size=4;"), R"cfg(
        $sht(a=>alice) = "Bob"; $sht(a=>carol) = 5;
        $var(r1) = sht_match_name("a", "eq", "alice");
        $var(r2) = sht_match_name("a", "eq", "ALICE");
        $var(r3) = sht_match_name("a", "ne", "alice");
        $var(r4) = sht_match_name("a", "re", "^AL");
        $var(r5) = sht_has_name("a", "sw", "ca");
        $var(r6) = sht_has_name("a", "sw", "zz");
        $var(r7) = sht_match_str_value("a", "eq", "Bob");
        $var(r8) = sht_match_str_value("a", "eq", "5");
        $var(r9) = sht_has_str_value("a", "re", "^b");)cfg");
    EXPECT_EQ(t["$var(r1)"], "i:1");
    EXPECT_EQ(t["$var(r2)"], "i:-1");
    EXPECT_EQ(t["$var(r3)"], "i:1");
    EXPECT_EQ(t["$var(r4)"], "i:1");
    EXPECT_EQ(t["$var(r5)"], "i:1");
    EXPECT_EQ(t["$var(r6)"], "i:-1");
    EXPECT_EQ(t["$var(r7)"], "i:1");
    EXPECT_EQ(t["$var(r8)"], "i:-1");  // integer values are not strings
    EXPECT_EQ(t["$var(r9)"], "i:1");
}

// ---- iterators --------------------------------------------------------------------------

TEST(Htable, IteratorWalksEveryItem) {
    Once t(table("a=>size=4;") + table("e=>size=2;"), R"cfg(
        $sht(a=>k1) = "v1"; $sht(a=>k2) = 2; $sht(a=>k3) = "v3";
        $var(c) = 0; $var(out) = "";
        sht_iterator_start("i1", "a");
        while (sht_iterator_next("i1") > 0) {
            $var(c) = $var(c) + 1;
            $var(out) = $var(out) + $shtitkey(i1) + "=" + $shtitval(i1) + ";";
        }
        if ($shtitkey(i1) == $null) $var(after) = "null";
        $var(again) = sht_iterator_next("i1");
        $var(key2) = $shtitkey(i1);
        sht_iterator_end("i1");
        $var(ended) = sht_iterator_next("i1");
        $var(r1) = sht_iterator_start("i2", "e");
        $var(r2) = sht_iterator_next("i2");
        sht_iterator_end("i2");
        $var(r3) = sht_iterator_next("nope");)cfg");
    EXPECT_EQ(t["$var(c)"], "i:3");
    std::string out = t["$var(out)"];
    EXPECT_NE(out.find("k1=v1;"), std::string::npos) << out;
    EXPECT_NE(out.find("k2=2;"), std::string::npos) << out;
    EXPECT_NE(out.find("k3=v3;"), std::string::npos) << out;
    EXPECT_EQ(t["$var(after)"], "s:null");
    // After the end, Kamailio's next call starts over from the first slot.
    EXPECT_EQ(t["$var(again)"], "i:1");
    EXPECT_NE(t["$var(key2)"], "null");
    EXPECT_EQ(t["$var(ended)"], "i:-1");
    EXPECT_EQ(t["$var(r1)"], "i:1");
    EXPECT_EQ(t["$var(r2)"], "i:-1");  // empty table
    EXPECT_EQ(t["$var(r3)"], "i:-1");
}

// The loop as Kamailio's documentation writes it. Kamailio evaluates a function call inside
// while() as (result > 0), so -1 ends the loop.
TEST(Htable, IteratorLoopIdiom) {
    Once t(table("a=>size=4;"), R"cfg(
        $sht(a=>k1) = "v1"; $sht(a=>k2) = 2;
        $var(c) = 0;
        sht_iterator_start("i1", "a");
        while (sht_iterator_next("i1")) {
            $var(c) = $var(c) + 1;
        }
        sht_iterator_end("i1");)cfg");
    EXPECT_EQ(t["$var(c)"], "i:2");
}

TEST(Htable, IteratorChangesItems) {
    Once t(table("c=>size=1;autoexpire=100;"), R"cfg(
        $sht(c=>k1) = "a"; $sht(c=>k2) = 7; $sht(c=>k3) = "b";
        sht_iterator_start("i", "c");
        sht_iterator_next("i");
        $var(k) = $shtitkey(i);
        $var(s) = sht_iterator_sets("i", "new");
        $var(v) = $sht(c=>$var(k));
        $var(vi) = $shtitval(i);
        $var(si) = sht_iterator_seti("i", "42");
        $var(w) = $sht(c=>$var(k));
        $var(se) = sht_iterator_setex("i", "55");
        $var(x) = $shtex(c=>$var(k));
        $var(rm1) = sht_iterator_rm("i");
        $var(rm2) = sht_iterator_rm("i");
        $var(rm3) = sht_iterator_rm("i");
        $var(rm4) = sht_iterator_rm("i");
        sht_iterator_end("i");
        $var(left) = $shtcn(c=>**);)cfg");
    EXPECT_EQ(t["$var(s)"], "i:1");
    EXPECT_EQ(t["$var(v)"], "s:new");
    EXPECT_EQ(t["$var(vi)"], "s:new");
    EXPECT_EQ(t["$var(si)"], "i:1");
    EXPECT_EQ(t["$var(w)"], "i:42");
    EXPECT_EQ(t["$var(se)"], "i:1");
    EXPECT_EQ(t["$var(x)"], "i:55");
    // Removing moves on: 1 while items remain, -2 after the last, then -1 (no current item).
    EXPECT_EQ(t["$var(rm1)"], "i:1");
    EXPECT_EQ(t["$var(rm2)"], "i:1");
    EXPECT_EQ(t["$var(rm3)"], "i:-2");
    EXPECT_EQ(t["$var(rm4)"], "i:-1");
    EXPECT_EQ(t["$var(left)"], "i:0");
}

TEST(Htable, IteratorLimitsAndUnknownTable) {
    Once t(table("a=>size=4;"), R"cfg(
        $var(r1) = sht_iterator_start("i1", "a");
        $var(r2) = sht_iterator_start("i2", "a");
        $var(r3) = sht_iterator_start("i3", "a");
        $var(r4) = sht_iterator_start("i4", "a");
        $var(r5) = sht_iterator_start("i5", "a");
        $var(r6) = sht_iterator_start("i1", "a");
        sht_iterator_end("i1"); sht_iterator_end("i2"); sht_iterator_end("i3");
        sht_iterator_end("i4");
        $var(t) = "zz";
        $var(r7) = sht_iterator_start("i1", "$var(t)");
        $var(r8) = sht_iterator_next("i1");
        $var(r9) = sht_iterator_end("i1");
        $var(r10) = sht_iterator_end("i1");)cfg");
    EXPECT_EQ(t["$var(r4)"], "i:1");
    EXPECT_EQ(t["$var(r5)"], "i:-1");  // four iterators per worker, as in Kamailio
    EXPECT_EQ(t["$var(r6)"], "i:1");   // restarting an existing one is fine
    EXPECT_EQ(t["$var(r7)"], "i:-1");
    EXPECT_EQ(t["$var(r8)"], "i:-1");
    EXPECT_EQ(t["$var(r9)"], "i:1");
    EXPECT_EQ(t["$var(r10)"], "i:-1");
}

// ---- expiry -----------------------------------------------------------------------------

TEST(Htable, ExpireReadAndWrite) {
    Once t(table("a=>size=4;") + table("c=>size=4;autoexpire=100;") +
               table("d=>size=4;autoexpire=100;updateexpire=0;"),
           R"cfg(
        $sht(c=>x) = 1;
        $var(c1) = $shtex(c=>x);
        $shtex(c=>x) = 10;
        $var(c2) = $shtex(c=>x);
        $sht(c=>x) = 2;
        $var(c3) = $shtex(c=>x);
        $sht(d=>x) = 1;
        $shtex(d=>x) = 50;
        $sht(d=>x) = 2;
        $var(d1) = $shtex(d=>x);
        $sht(a=>x) = 1;
        $shtex(a=>x) = 50;
        $var(a1) = $shtex(a=>x);
        $var(n1) = $shtex(c=>missing);
        $shtex(c=>x) = 0;
        $var(c4) = $shtex(c=>x);
        $var(s1) = sht_setxs("c", "sx", "v", "10");
        $var(s2) = sht_setxi("c", "ix", "7", "20");
        $var(s3) = sht_setxs("a", "sx", "v", "10");)cfg");
    EXPECT_EQ(t["$var(c1)"], "i:100");
    EXPECT_EQ(t["$var(c2)"], "i:10");
    EXPECT_EQ(t["$var(c3)"], "i:100");  // an update restarts the lifetime
    EXPECT_EQ(t["$var(d1)"], "i:50");   // ... unless updateexpire=0
    EXPECT_EQ(t["$var(a1)"], "i:0");    // no autoexpire: no lifetimes at all
    EXPECT_EQ(t["$var(n1)"], "i:0");
    EXPECT_EQ(t["$var(c4)"], "i:0");    // 0: never expires
    EXPECT_EQ(t["$var(s1)"], "i:1");
    EXPECT_EQ(t["$var(s2)"], "i:1");    // Kamailio 5.6.3 returns 0 here (stops the script)
    EXPECT_EQ(t["$var(s3)"], "i:1");
    EXPECT_EQ(t["$sht(c=>sx)"], "s:v");
    EXPECT_EQ(t["$shtex(c=>sx)"], "i:10");
    EXPECT_EQ(t["$sht(c=>ix)"], "i:7");
    EXPECT_EQ(t["$shtex(c=>ix)"], "i:20");
    EXPECT_EQ(t["$sht(a=>sx)"], "s:v");
    EXPECT_EQ(t["$shtex(a=>sx)"], "i:0");
}

TEST(Htable, ItemsExpireLazilyAndAreSwept) {
    Once t(table("e=>size=4;autoexpire=1;") + table("b=>size=4;autoexpire=1;initval=10;"), R"cfg(
        $sht(e=>lazy) = "v";
        $sht(e=>swept) = "w";
        $sht(b=>n) = 3;
        $var(ex) = $shtex(e=>lazy);)cfg");
    EXPECT_EQ(t["$var(ex)"], "i:1");
    EXPECT_EQ(t["$sht(e=>lazy)"], "s:v");
    HtData* d = htable_data(t.r.script());
    ASSERT_NE(d, nullptr);
    HtTable* e = d->table("e");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->stored(), 2u);

    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    EXPECT_EQ(t["$sht(e=>lazy)"], "null");
    EXPECT_EQ(t["$shtcn(e=>**)"], "i:0");
    EXPECT_EQ(t["$shtex(e=>lazy)"], "i:0");
    // An expired integer starts again from initval (Kamailio's ht_cell_value_add).
    EXPECT_EQ(t["$shtinc(b=>n)"], "i:11");

    // The sweep thread removes what nobody touches, within about a second.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    while (e->stored() != 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(e->stored(), 0u);
}

// ---- concurrency ------------------------------------------------------------------------

// A worker thread of its own running the loaded script, as the server's workers do.
class Worker {
public:
    explicit Worker(const cfg::Script& s) : s_(s), m_(std::make_unique<msg::Message>()) {
        w_.scratch.resize(static_cast<size_t>(s.core.pv_buffer_size));
        w_.vars.resize(s.reg.var_count());
        raw_.assign(cfg::test::kSipRequest);
        msg::ParseResult pr = msg::parse_head(raw_, msg::Limits{}, *m_);
        EXPECT_EQ(pr.status, msg::ParseStatus::Done);
        m_->raw = raw_;
        std::snprintf(rcv_.src_ip, sizeof rcv_.src_ip, "127.0.0.1");
        std::snprintf(rcv_.dst_ip, sizeof rcv_.dst_ip, "127.0.0.1");
    }
    void run() {
        w_.arena.reset();
        w_.avps.clear();
        w_.reply_hdrs.clear();
        pv::Ctx ctx{w_};
        ctx.msg = m_.get();
        ctx.rcv = &rcv_;
        ctx.sink = &sink_;
        ctx.reply_hdrs = &w_.reply_hdrs;
        cfg::run_route(s_, *s_.request_route, ctx);
    }

private:
    const cfg::Script& s_;
    pv::WorkerState w_;
    std::unique_ptr<msg::Message> m_;
    std::string raw_;
    pv::RecvInfo rcv_;
    cfg::test::CaptureSink sink_{false};
};

TEST(Htable, ConcurrentIncrementsAndLockedUpdatesAreExact) {
    Runner r(ht_cfg(table("a=>size=4;initval=0;") + table("b=>size=2;"), R"cfg(
        $var(n) = $shtinc(a=>hits);
        sht_lock("b=>x");
        $sht(b=>x) = $sht(b=>x) + 1;
        sht_unlock("b=>x");
        $sht(b=>$var(n)) = $var(n);)cfg",
                    "event_route[htable:mod-init] {\n    $sht(b=>x) = 0;\n}\n"));
    ASSERT_TRUE(r.ok()) << r.messages();
    constexpr int kThreads = 8, kRuns = 2000;
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([&] {
            Worker w(r.script());
            for (int k = 0; k < kRuns; ++k) w.run();
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(r.show("$sht(a=>hits)"), "i:" + std::to_string(kThreads * kRuns));
    EXPECT_EQ(r.show("$sht(b=>x)"), "i:" + std::to_string(kThreads * kRuns));
    // Every increment returned a distinct value: one key per value, plus "x".
    EXPECT_EQ(r.show("$shtcn(b=>**)"), "i:" + std::to_string(kThreads * kRuns + 1));
}

TEST(Htable, LockIsReentrantForTheHolder) {
    Once t(table("a=>size=4;"), R"cfg(
        $var(l1) = sht_lock("a=>k");
        $var(l2) = sht_lock("a=>k");
        $sht(a=>k) = "inside";
        $var(u1) = sht_unlock("a=>k");
        $var(u2) = sht_unlock("a=>k");
        $var(u3) = sht_unlock("a=>k");)cfg");
    EXPECT_EQ(t["$var(l1)"], "i:1");
    EXPECT_EQ(t["$var(l2)"], "i:1");
    EXPECT_EQ(t["$sht(a=>k)"], "s:inside");
    EXPECT_EQ(t["$var(u1)"], "i:1");
    EXPECT_EQ(t["$var(u2)"], "i:1");
    EXPECT_EQ(t["$var(u3)"], "i:-1");  // not held any more
}

// ---- module state -----------------------------------------------------------------------

TEST(Htable, ModInitRouteFillsTables) {
    Once t(table("a=>size=4;"), "$var(x) = $sht(a=>init);",
           "event_route[htable:mod-init] {\n"
           "    $sht(a=>init) = \"yes\";\n"
           "    $sht(a=>m) = $rm;\n}\n");
    EXPECT_EQ(t["$var(x)"], "s:yes");
    EXPECT_EQ(t["$sht(a=>m)"], "s:OPTIONS");  // the faked request, as in Kamailio
}

TEST(Htable, EachConfigHasItsOwnTables) {
    Once one(table("a=>size=4;"), "$sht(a=>k) = 1;");
    Once two(table("a=>size=4;"), "$sht(a=>k) = 2;");
    EXPECT_EQ(one["$sht(a=>k)"], "i:1");
    EXPECT_EQ(two["$sht(a=>k)"], "i:2");
}

TEST(Htable, CppApi) {
    Once t(table("a=>size=4;") + table("b=>size=4;initval=1;"), "$var(x) = $sht(a=>fromapi);");
    HtData* d = htable_data(t.r.script());
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->table_names(), "a, b");
    HtTable* a = d->table("a");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(d->table("zz"), nullptr);
    a->set("fromapi", Value::of_str("hello"));
    t.r.run();
    EXPECT_EQ(t["$var(x)"], "s:hello");

    HtValue v;
    EXPECT_TRUE(a->get("fromapi", v));
    EXPECT_TRUE(v.is_str);
    EXPECT_EQ(v.s, "hello");
    EXPECT_FALSE(a->get("missing", v));
    int32_t n = 0;
    EXPECT_FALSE(a->add("missing", 1, n));
    EXPECT_TRUE(d->table("b")->add("c", 5, n));
    EXPECT_EQ(n, 6);
    a->set("i", Value::of_int(3));
    std::vector<HtItem> items = a->dump();
    EXPECT_EQ(items.size(), 2u);
    EXPECT_TRUE(a->rm("i"));
    EXPECT_FALSE(a->rm("i"));
    a->set("fromapi", Value::null());
    EXPECT_EQ(a->dump().size(), 0u);
}

TEST(Htable, PrintReturnsTrue) {
    Once t(table("a=>size=1;"), "$sht(a=>k) = 1; $sht(a=>s) = \"v\"; $var(r) = sht_print();");
    EXPECT_EQ(t["$var(r)"], "i:1");
}

}  // namespace
}  // namespace siphon::modules
