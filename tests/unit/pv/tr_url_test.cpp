// Tests of the HTTP URL transformations ({url.path}, {url.querystring}). Expected values are
// those of Kamailio 5.6.3's xhttp module.
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <span>
#include <string>

#include "core/arena.h"
#include "core/value.h"
#include "pv/transform_defs.h"

namespace siphon::pv {
namespace {

Value S(std::string_view s) { return Value::of_str(s); }
Value I(int32_t i) { return Value::of_int(i); }
Value N() { return Value::null(); }

struct TrCase {
    std::string_view tr;
    Value in;
    Value args[2];
    size_t nargs;
    bool ok;
    Value out;
};

TrCase Ok(std::string_view tr, Value in, std::initializer_list<Value> args, Value out) {
    TrCase c{tr, in, {}, args.size(), true, out};
    std::copy(args.begin(), args.end(), c.args);
    return c;
}
TrCase Err(std::string_view tr, Value in, std::initializer_list<Value> args) {
    TrCase c{tr, in, {}, args.size(), false, Value::null()};
    std::copy(args.begin(), args.end(), c.args);
    return c;
}

const TrDef* find_tr(std::string_view name) {
    for (const TrDef& d : url_transformations()) {
        if (d.name == name) return &d;
    }
    return nullptr;
}

std::string show(const Value& v) {
    if (v.is_null()) return "<null>";
    if (v.is_int()) return "int " + std::to_string(v.i);
    std::string out = "\"";
    for (char c : v.s) {
        auto u = static_cast<unsigned char>(c);
        if (u >= 32 && u < 127 && c != '"' && c != '\\') {
            out += c;
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        }
    }
    return out + "\"";
}

void run(std::initializer_list<TrCase> cases) {
    Arena arena;
    for (const TrCase& c : cases) {
        std::span<const Value> args(c.args, c.nargs);
        std::string where = "{url." + std::string(c.tr);
        for (const Value& a : args) where += "," + show(a);
        where += "} on " + show(c.in);
        SCOPED_TRACE(where);
        const TrDef* d = find_tr(c.tr);
        ASSERT_NE(d, nullptr);
        ASSERT_GE(args.size(), d->min_args);
        ASSERT_LE(args.size(), d->max_args);
        for (size_t k = 0; k < args.size(); ++k) {
            ASSERT_EQ(args[k].is_int(), d->kinds[k] == TrArg::Int) << "argument " << k;
        }
        Value v = c.in;
        bool ok = d->fn(v, std::span<const Value>(args), arena);
        ASSERT_EQ(ok, c.ok) << "result " << show(v);
        if (!ok) continue;
        EXPECT_EQ(show(v), show(c.out));
    }
}


// path: before the first '?'; querystring: after it, fragment included. An integer is
// returned unchanged by both (Kamailio keeps its integer type); null fails.
TEST(TrUrl, PathAndQueryString) {
    run({
        Ok("path", S("/p/a%20th/x.y?q=1&b=two%20w&c#frag"), {}, S("/p/a%20th/x.y")),
        Ok("querystring", S("/p/a%20th/x.y?q=1&b=two%20w&c#frag"), {}, S("q=1&b=two%20w&c#frag")),
        Ok("path", S("/a?"), {}, S("/a")),
        Ok("querystring", S("/a?"), {}, S("")),
        Ok("path", S("/a"), {}, S("/a")),
        Ok("querystring", S("/a"), {}, S("")),
        Ok("path", S("?x"), {}, S("")),
        Ok("querystring", S("?x"), {}, S("x")),
        Ok("path", S(""), {}, S("")),
        Ok("querystring", S(""), {}, S("")),
        Ok("path", S("?"), {}, S("")),
        Ok("querystring", S("?"), {}, S("")),
        Ok("path", S("http://example.com/abs?x=1"), {}, S("http://example.com/abs")),
        Ok("querystring", S("http://example.com/abs?x=1"), {}, S("x=1")),
        Ok("path", S("/a?b?c"), {}, S("/a")),
        Ok("querystring", S("/a?b?c"), {}, S("b?c")),
        Ok("path", S("/a#f?x"), {}, S("/a#f")),
        Ok("querystring", S("/a#f?x"), {}, S("x")),
        Ok("path", S("/caf\303\251?q=\303\251"), {}, S("/caf\303\251")),
        Ok("querystring", S("/caf\303\251?q=\303\251"), {}, S("q=\303\251")),
        Ok("path", I(123), {}, I(123)),
        Ok("querystring", I(123), {}, I(123)),
        Err("path", N(), {}),
        Err("querystring", N(), {}),
    });
}

TEST(TrUrl, TableIsWellFormed) {
    auto defs = url_transformations();
    ASSERT_EQ(defs.size(), 2u);
    for (const TrDef& d : defs) {
        EXPECT_EQ(d.cls, "url");
        EXPECT_EQ(d.min_args, 0);
        EXPECT_EQ(d.max_args, 0);
        EXPECT_NE(d.fn, nullptr);
    }
    EXPECT_NE(find_tr("path"), nullptr);
    EXPECT_NE(find_tr("querystring"), nullptr);
}

// Both parts are views into the input.
TEST(TrUrl, PartsPointIntoInput) {
    Arena arena;
    std::string url = "/a/b?x=1&y=2";
    Value v = S(url);
    ASSERT_TRUE(find_tr("path")->fn(v, {}, arena));
    EXPECT_EQ(v.s, "/a/b");
    EXPECT_EQ(v.s.data(), url.data());
    v = S(url);
    ASSERT_TRUE(find_tr("querystring")->fn(v, {}, arena));
    EXPECT_EQ(v.s, "x=1&y=2");
    EXPECT_EQ(v.s.data(), url.data() + 5);
}

}  // namespace
}  // namespace siphon::pv
