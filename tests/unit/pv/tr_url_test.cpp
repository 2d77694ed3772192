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
#include "tr_table.h"

namespace siphon::pv {
namespace {

using namespace trtest;

const TrDef* find_tr(std::string_view name) { return find_in(url_transformations(), name); }

void run(std::initializer_list<TrCase> cases) { run_table(url_transformations(), "url", cases); }


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
