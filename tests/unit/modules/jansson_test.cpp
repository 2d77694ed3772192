// Module jansson: every expectation below was measured on Kamailio 5.6.3 with the same
// document, path and call (behavior-notes.md section 7 and the module's README).
#include <gtest/gtest.h>

#include <string>

#include "module_test_util.h"

namespace siphon::cfg::test {
namespace {

// jansson_get(path, json, $var(o)) with the document in X-J and the path in X-P; $var(o)
// starts as "unset" so a failed call shows it unchanged.
class JanssonGet : public ::testing::Test {
protected:
    JanssonGet()
        : r_(module_cfg("loadmodule \"jansson.so\"\n",
                        "$var(o) = \"unset\";\n"
                        "$var(r) = jansson_get(\"$hdr(X-P)\", \"$hdr(X-J)\", \"$var(o)\");\n")) {}
    void SetUp() override { ASSERT_TRUE(r_.ok()) << r_.messages(); }

    // "rc|value" for one call.
    std::string get(const std::string& json, const std::string& path) {
        r_.run(sip_request({{"X-J", json}, {"X-P", path}}));
        return r_.show("$var(r)") + "|" + r_.show("$var(o)");
    }

    Runner r_;
};

constexpr const char* kDoc =
    R"({"a":{"b":[1,{"c":"x"}]},"t":true,"f":false,"n":null,"big":12345678901,)"
    R"("neg":-5,"r":3.5,"s":"h\u00e9"})";

struct GetCase {
    const char* json;
    const char* path;
    const char* want;   // "rc|value"
};

TEST_F(JanssonGet, PathsAndValueTypes) {
    const GetCase cases[] = {
        {kDoc, "a.b[1].c", "i:1|s:x"},
        {kDoc, "t", "i:1|i:1"},
        {kDoc, "f", "i:1|i:0"},
        {kDoc, "n", "i:1|i:0"},  // null into a $var reads 0
        {kDoc, "big", "i:1|s:12345678901"},
        {kDoc, "neg", "i:1|i:-5"},
        {kDoc, "r", "i:1|s:3.5"},
        {kDoc, "s", "i:1|s:h\xc3\xa9"},
        {kDoc, "a", R"(i:1|s:{"b":[1,{"c":"x"}]})"},
        {kDoc, "a.", R"(i:1|s:{"b":[1,{"c":"x"}]})"},       // trailing '.' ignored
        {kDoc, "a.b[0x1].c", "i:1|s:x"},                     // strtol base 0
        {kDoc, "a.b[]", "i:1|i:1"},                           // "" reads as index 0
        {R"([5,6])", "[1]", "i:1|i:6"},
        {R"({"a":1})", "", R"(i:1|s:{"a":1})"},
    };
    for (const auto& c : cases) EXPECT_EQ(get(c.json, c.path), c.want) << c.json << " @ " << c.path;
}

TEST_F(JanssonGet, MissingPathIsFalseAndKeepsTarget) {
    const GetCase cases[] = {
        {kDoc, "nope", "i:-1|s:unset"},
        {kDoc, "a.b[5]", "i:-1|s:unset"},
        {kDoc, "a.b[x]", "i:-1|s:unset"},
        {kDoc, "a..b", "i:-1|s:unset"},
        {kDoc, "a.b[0", "i:-1|s:unset"},
        {kDoc, "a.b[0]x", "i:-1|s:unset"},
        {kDoc, "a.b[-1]", "i:-1|s:unset"},
        {kDoc, "t.x", "i:-1|s:unset"},
        {kDoc, "a[0]", "i:-1|s:unset"},
    };
    for (const auto& c : cases) EXPECT_EQ(get(c.json, c.path), c.want) << c.path;
}

TEST_F(JanssonGet, InvalidDocumentsAreFalse) {
    const GetCase cases[] = {
        {"{bad", "a", "i:-1|s:unset"},
        {"", "a", "i:-1|s:unset"},
        {R"({"x":1,"x":2})", "x", "i:-1|s:unset"},           // duplicate key
        {"5", "", "i:-1|s:unset"},                            // top level must be {} or []
        {R"("s")", "", "i:-1|s:unset"},
        {R"({"w":[1,2])", "w", "i:-1|s:unset"},               // unterminated
        {R"({"w":1} x)", "w", "i:-1|s:unset"},                // trailing text
        {R"({"w":"q\u0000r"})", "w", "i:-1|s:unset"},         // NUL needs JSON_ALLOW_NUL
        {R"({"w":1e400})", "w", "i:-1|s:unset"},              // real overflow
        {R"({"w":99999999999999999999})", "w", "i:-1|s:unset"},
        {R"({"w":-99999999999999999999})", "w", "i:-1|s:unset"},
        {R"({"w":"\ud800"})", "w", "i:-1|s:unset"},           // lone surrogate
        {"{\"w\":\"\xc3\"}", "w", "i:-1|s:unset"},            // bad UTF-8
        {R"({'w':1})", "w", "i:-1|s:unset"},
    };
    for (const auto& c : cases) EXPECT_EQ(get(c.json, c.path), c.want) << c.json;
}

TEST_F(JanssonGet, Numbers) {
    const GetCase cases[] = {
        {R"({"x":1.0})", "x", "i:1|s:1"},
        {R"({"x":1e300})", "x", "i:1|s:1e+300"},
        {R"({"x":0.1})", "x", "i:1|s:0.1"},
        {R"({"x":1e5})", "x", "i:1|s:100000"},
        {R"({"x":0.1234567890123456789})", "x", "i:1|s:0.123456789012346"},
        {R"({"x":2147483647})", "x", "i:1|i:2147483647"},
        {R"({"x":2147483648})", "x", "i:1|s:2147483648"},
        {R"({"x":-2147483648})", "x", "i:1|i:-2147483648"},
        {R"({"x":-2147483649})", "x", "i:1|s:-2147483649"},
        {R"({"x":123456789012345678})", "x", "i:1|s:123456789012345678"},
        {R"({"x":9223372036854775807})", "x", "i:1|s:9223372036854775807"},
        {R"({"x":-0})", "x", "i:1|i:0"},
    };
    for (const auto& c : cases) EXPECT_EQ(get(c.json, c.path), c.want) << c.json;
}

TEST_F(JanssonGet, ContainersPrintLikeJansson) {
    const GetCase cases[] = {
        // Key order kept, compact, reals with 17 digits and ".0", exponents without '+'.
        {R"({"x":{"z":1, "a":[1, 2]}})", "x", R"(i:1|s:{"z":1,"a":[1,2]})"},
        {R"({"w":[1e5, 12345678.9, 1.5e-300, 2.0e+20]})", "",
         R"(i:1|s:{"w":[100000.0,12345678.9,1.5000000000000001e-300,2e20]})"},
        {R"({"a":{"x":0.1,"y":1.0,"z":1e-7}})", "a",
         R"(i:1|s:{"x":0.10000000000000001,"y":1.0,"z":9.9999999999999995e-8})"},
        // Control characters as \uXXXX (upper case), '/' and UTF-8 as they are.
        {R"({"a":["\u0001\u001f/\u00e9\n\"\\"]})", "a",
         "i:1|s:[\"\\u0001\\u001F/\xc3\xa9\\n\\\"\\\\\"]"},
        {R"({"x":"\ud83d\ude00"})", "x", "i:1|s:\xf0\x9f\x98\x80"},
        {R"({"x":[]})", "x", "i:1|s:[]"},
        {R"({"x":{}})", "x", "i:1|s:{}"},
    };
    for (const auto& c : cases) EXPECT_EQ(get(c.json, c.path), c.want) << c.json;
}

TEST_F(JanssonGet, DeepNesting) {
    std::string ok(2048, '['), too_deep(2049, '[');
    ok += std::string(2048, ']');
    too_deep += std::string(2049, ']');
    EXPECT_EQ(get(ok, "[0][0]"), "i:1|s:" + std::string(2046, '[') + std::string(2046, ']'));
    EXPECT_EQ(get(too_deep, ""), "i:-1|s:unset");
}

TEST(Jansson, NullIntoAvpDeletesIt) {
    Runner r(module_cfg("loadmodule \"jansson.so\"\n",
                        "$avp(q) = \"keep\";\n"
                        "$var(r1) = jansson_get(\"n\", '{\"n\":null}', \"$avp(q)\");\n"
                        "$var(a1) = $avp(q);\n"
                        "$var(r2) = jansson_get(\"i\", '{\"i\":7}', \"$avp(q)\");\n"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(r1)"), "i:1");
    EXPECT_EQ(r.show("$var(a1)"), "i:0");  // $var from a missing AVP
    EXPECT_EQ(r.show("$avp(q)"), "i:7");
    EXPECT_EQ(r.show("$(avp(q)[1])"), "null");
}

// A document longer than pv_buffer_size passed as one variable is read whole.
TEST(Jansson, LargeDocumentInVariable) {
    Runner r(module_cfg("loadmodule \"jansson.so\"\n",
                        "$var(j) = $hdr(X-J);\n"
                        "$var(r) = jansson_array_size(\"l\", \"$var(j)\", \"$var(n)\");\n"));
    ASSERT_TRUE(r.ok()) << r.messages();
    std::string doc = "{\"l\":[";
    for (int i = 0; i < 3000; ++i) doc += (i ? ",1234" : "1234");
    doc += "]}";
    r.run(sip_request({{"X-J", doc}}));
    EXPECT_EQ(r.show("$var(r)"), "i:1");
    EXPECT_EQ(r.show("$var(n)"), "i:3000");
}

TEST(Jansson, GetFieldReadsAPathIn56) {
    Runner r(module_cfg("loadmodule \"jansson.so\"\n",
                        "$var(r) = jansson_get_field('{\"a.b\":1,\"a\":{\"b\":2}}', \"a.b\", "
                        "\"$var(o)\");\n"
                        "$var(j) = '{\"k\":[3,4]}';\n"
                        "$var(r2) = jansson_pv_get(\"k[1]\", \"$var(j)\", \"$var(o2)\");\n"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(r)"), "i:1");
    EXPECT_EQ(r.show("$var(o)"), "i:2");
    EXPECT_EQ(r.show("$var(r2)"), "i:1");
    EXPECT_EQ(r.show("$var(o2)"), "i:4");
}

TEST(Jansson, ArraySize) {
    Runner r(module_cfg("loadmodule \"jansson.so\"\n",
                        "$var(n) = '{\"o\":{\"x\":1},\"l\":[[1,2]]}';\n"
                        "$var(a) = jansson_array_size(\"l\", \"$var(n)\", \"$var(s1)\");\n"
                        "$var(s2) = 99;\n"
                        "$var(b) = jansson_array_size(\"o\", \"$var(n)\", \"$var(s2)\");\n"
                        "$var(c) = jansson_array_size(\"zz\", \"$var(n)\", \"$var(s3)\");\n"
                        "$var(d) = jansson_array_size(\"\", \"[1,2,3]\", \"$var(s4)\");\n"
                        "$var(e) = jansson_array_size(\"\", \"[\", \"$var(s5)\");\n"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(a)") + r.show("$var(s1)"), "i:1i:1");
    EXPECT_EQ(r.show("$var(b)") + r.show("$var(s2)"), "i:-1i:99");
    EXPECT_EQ(r.show("$var(c)"), "i:-1");
    EXPECT_EQ(r.show("$var(d)") + r.show("$var(s4)"), "i:1i:3");
    EXPECT_EQ(r.show("$var(e)"), "i:-1");
}

// The README's jansson_set() walk-through, with the outputs Kamailio 5.6.3 printed.
TEST(JanssonSet, ReadmeSequence) {
    Runner r(module_cfg(
        "loadmodule \"jansson.so\"\n",
        R"~(jansson_set("string", "mystr", "my input string", "$var(myjson)");
$var(s1) = $var(myjson);
jansson_set("integer", "count", 9000, "$var(myjson)");
jansson_set("true", "mybool", 0, "$var(myjson)");
jansson_set("real", "pi", "3.14159", "$var(myjson)");
$var(s2) = $var(myjson);
jansson_set("obj", "myobj", '{"foo":"bar"}', "$var(myjson)");
jansson_set("str", "myobj.foo", "baz", "$var(myjson)");
jansson_set("str", "count", "over", "$var(myjson)");
$var(s3) = $var(myjson);
jansson_set("real", "r1", "1", "$var(r)"); jansson_set("real", "r2", "0.1", "$var(r)");
jansson_set("real", "r3", "1e300", "$var(r)"); jansson_set("real", "r4", "1e-5", "$var(r)");
jansson_set("real", "r5", "100000", "$var(r)"); jansson_set("real", "r6", "-2.5e20", "$var(r)");
)~"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(s1)"), R"(s:{"mystr":"my input string"})");
    EXPECT_EQ(r.show("$var(s2)"),
              R"(s:{"mystr":"my input string","count":9000,"mybool":true,)"
              R"("pi":3.1415899999999999})");
    EXPECT_EQ(r.show("$var(s3)"),
              R"(s:{"mystr":"my input string","count":"over","mybool":true,)"
              R"("pi":3.1415899999999999,"myobj":{"foo":"baz"}})");
    EXPECT_EQ(r.show("$var(r)"),
              R"(s:{"r1":1.0,"r2":0.10000000000000001,"r3":1.0000000000000001e300,)"
              R"("r4":1.0000000000000001e-5,"r5":100000.0,"r6":-2.5e20})");
}

struct SetCase {
    const char* start;   // initial $var(x) ("" leaves it unset = int 0)
    const char* call;    // jansson_set(...) or jansson_append(...) on $var(x)
    const char* want;    // "rc|$var(x)"
};

TEST(JanssonSet, Cases) {
    const SetCase cases[] = {
        {"", R"~(jansson_set("int", "i", "", "$var(x)"))~", R"(i:1|s:{"i":0})"},
        {"", R"~(jansson_set("int", "i", " +7", "$var(x)"))~", R"(i:1|s:{"i":7})"},
        {"", R"~(jansson_set("int", "i", "7x", "$var(x)"))~", "i:-1|i:0"},
        {"", R"~(jansson_set("int", "i", "99999999999999999999", "$var(x)"))~",
         R"(i:1|s:{"i":9223372036854775807})"},
        {"", R"~(jansson_set("real", "i", "inf", "$var(x)"))~", "i:-1|i:0"},
        {"", R"~(jansson_set("real", "i", "nan", "$var(x)"))~", "i:-1|i:0"},
        {"", R"~(jansson_set("bogus", "i", "1", "$var(x)"))~", "i:-1|i:0"},
        {"", R"~(jansson_set("INT", "i", "1", "$var(x)"))~", "i:-1|i:0"},
        {"", R"~(jansson_set("int", "", "1", "$var(x)"))~", "i:-1|i:0"},
        {"", R"~(jansson_set("int", "a.b.c", "1", "$var(x)"))~", R"(i:1|s:{"a":{"b":{"c":1}}})"},
        {"", R"~(jansson_set("int", "l[0]", "1", "$var(x)"))~", "i:-1|i:0"},
        {R"({"l":[1,2]})", R"~(jansson_set("int", "l[1]", "5", "$var(x)"))~",
         R"(i:1|s:{"l":[1,5]})"},
        {R"({"l":[1,2]})", R"~(jansson_set("int", "l[2]", "5", "$var(x)"))~",
         R"(i:-1|s:{"l":[1,2]})"},
        {"", R"~(jansson_set("obj", "o", "[1]", "$var(x)"))~", "i:-1|i:0"},
        {"", R"~(jansson_set("array", "o", "{}", "$var(x)"))~", "i:-1|i:0"},
        {"", R"~(jansson_set("obj", "o", "{bad", "$var(x)"))~", "i:-1|i:0"},
        {"notjson", R"~(jansson_set("int", "i", "1", "$var(x)"))~", "i:-1|s:notjson"},
        {"[1]", R"~(jansson_set("int", "i", "1", "$var(x)"))~", "i:-1|s:[1]"},
        {"[1]", R"~(jansson_set("int", "[0]", "9", "$var(x)"))~", "i:1|s:[9]"},
        {R"({"a":1})", R"~(jansson_set("int", "a.", "9", "$var(x)"))~", R"(i:-1|s:{"a":1})"},
        {R"({"a":1})", R"~(jansson_set("int", "a.b", "9", "$var(x)"))~", R"(i:-1|s:{"a":1})"},
        {R"({"a":1})", R"~(jansson_set("null", "n", "9", "$var(x)"))~",
         R"(i:1|s:{"a":1,"n":null})"},
        {R"({"a":1})", R"~(jansson_set("false", "f", "", "$var(x)"))~",
         R"(i:1|s:{"a":1,"f":false})"},
        {R"({"a":1,"b":2})", R"~(jansson_set("int", "a", "3", "$var(x)"))~",
         R"(i:1|s:{"a":3,"b":2})"},
        {"", R"~(jansson_set("str", "u", "h\xc3\xa9", "$var(x)"))~", "i:1|s:{\"u\":\"h\xc3\xa9\"}"},
        {"", R"~(jansson_set("str", "u", "h\xe9", "$var(x)"))~", "i:-1|i:0"},
        {"", R"~(jansson_set("str", "c", "a\tb\"c\\d/e\x01", "$var(x)"))~",
         R"(i:1|s:{"c":"a\tb\"c\\d/e\u0001"})"},
        {"", R"~(jansson_set("str", "e", "", "$var(x)"))~", R"(i:1|s:{"e":""})"},
        {"", R"~(jansson_set("str", "x.", "v", "$var(x)"))~", "i:-1|i:0"},
        {"", R"~(jansson_set("str", "..", "v", "$var(x)"))~", "i:-1|i:0"},
        // jansson_append
        {"[]", R"~(jansson_append("int", "", "0", "$var(x)"))~", "i:1|s:[0]"},
        {R"({"b":2, "c":3})", R"~(jansson_append("obj", "", '{"a":1, "b":100}', "$var(x)"))~",
         R"(i:1|s:{"b":100,"c":3,"a":1})"},
        {R"({"b":2})", R"~(jansson_append("int", "", "1", "$var(x)"))~", R"(i:-1|s:{"b":2})"},
        {R"({"b":2})", R"~(jansson_append("int", "b", "1", "$var(x)"))~", R"(i:-1|s:{"b":2})"},
        {R"({"o":{"x":1},"l":[]})", R"~(jansson_append("obj", "o", '{"y":2}', "$var(x)"))~",
         R"(i:1|s:{"o":{"x":1,"y":2},"l":[]})"},
        {R"({"l":[]})", R"~(jansson_append("array", "l", "[1,2]", "$var(x)"))~",
         R"(i:1|s:{"l":[[1,2]]})"},
        {R"({"l":[[1,2]]})", R"~(jansson_append("int", "l[0]", "3", "$var(x)"))~",
         R"(i:1|s:{"l":[3]})"},
        {R"({"l":[]})", R"~(jansson_append("int", "nokey", "3", "$var(x)"))~",
         R"(i:-1|s:{"l":[]})"},
        {R"({"l":[]})", R"~(jansson_append("int", "new.key", "3", "$var(x)"))~",
         R"(i:-1|s:{"l":[]})"},
    };
    for (const auto& c : cases) {
        std::string body;
        if (*c.start) body += std::string("$var(x) = '") + c.start + "';\n";
        else body += "$var(x) = 0;\n";
        body += std::string("$var(rc) = ") + c.call + ";\n";
        Runner r(module_cfg("loadmodule \"jansson.so\"\n", body));
        ASSERT_TRUE(r.ok()) << c.call << "\n" << r.messages();
        r.run();
        EXPECT_EQ(r.show("$var(rc)") + "|" + r.show("$var(x)"), c.want) << c.call;
    }
}

TEST(JanssonSet, AppendBuildsArrayAndList) {
    Runner r(module_cfg("loadmodule \"jansson.so\"\n",
                        R"~($var(myarray) = '[]';
$var(i) = 0;
while ($var(i) < 5) {
    jansson_append("int", "", "$var(i)", "$var(myarray)");
    $var(i) = $var(i) + 1;
}
jansson_set("array", "list", "$var(myarray)", "$var(myjson)");
jansson_append("int", "list", 5, "$var(myjson)");
)~"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(myarray)"), "s:[0,1,2,3,4]");
    EXPECT_EQ(r.show("$var(myjson)"), R"(s:{"list":[0,1,2,3,4,5]})");
}

TEST(JanssonLoad, ReadOnlyResultIsALoadError) {
    Runner r(module_cfg("loadmodule \"jansson.so\"\n",
                        "jansson_get(\"a\", \"{}\", \"$rm\");\n"));
    EXPECT_FALSE(r.ok());
    EXPECT_NE(r.messages().find("read-only"), std::string::npos) << r.messages();
}

}  // namespace
}  // namespace siphon::cfg::test
