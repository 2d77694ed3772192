// Table-driven tests of one transformation class: each row gives the transformation, its
// input, its arguments and the expected result (or a failure). Included by the tr_*_test.cpp
// files; each defines find_tr() for its class and calls run_table().
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "core/arena.h"
#include "core/value.h"
#include "pv/transform_defs.h"

namespace siphon::pv::trtest {

inline Value S(std::string_view s) { return Value::of_str(s); }
inline Value I(int32_t i) { return Value::of_int(i); }
inline Value N() { return Value::null(); }

struct TrCase {
    std::string_view tr;
    Value in;
    Value args[2];
    size_t nargs;
    bool ok;
    Value out;
};

inline TrCase Ok(std::string_view tr, Value in, std::initializer_list<Value> args, Value out) {
    TrCase c{tr, in, {}, args.size(), true, out};
    std::copy(args.begin(), args.end(), c.args);
    return c;
}
inline TrCase Err(std::string_view tr, Value in, std::initializer_list<Value> args) {
    TrCase c{tr, in, {}, args.size(), false, Value::null()};
    std::copy(args.begin(), args.end(), c.args);
    return c;
}

// The definition named `name` in `defs` (nullptr if none).
inline const TrDef* find_in(std::span<const TrDef> defs, std::string_view name) {
    for (const TrDef& d : defs)
        if (d.name == name) return &d;
    return nullptr;
}

// A value as test output: <null>, int N, or a quoted string with \xNN escapes.
inline std::string show(const Value& v) {
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

// Runs every row against the class `defs` ("s", "url", ...: `cls` names it in the trace), as
// the pv layer applies a transformation: arguments already typed per the definition's kinds.
inline void run_table(std::span<const TrDef> defs, std::string_view cls,
                      std::initializer_list<TrCase> cases) {
    Arena arena;
    for (const TrCase& c : cases) {
        std::span<const Value> args(c.args, c.nargs);
        std::string where = "{" + std::string(cls) + "." + std::string(c.tr);
        for (const Value& a : args) where += "," + show(a);
        where += "} on " + show(c.in);
        SCOPED_TRACE(where);
        const TrDef* d = find_in(defs, c.tr);
        ASSERT_NE(d, nullptr);
        ASSERT_GE(args.size(), d->min_args);
        ASSERT_LE(args.size(), d->max_args);
        for (size_t k = 0; k < args.size(); ++k) {
            ASSERT_EQ(args[k].is_int(), d->kinds[k] == TrArg::Int) << "argument " << k;
        }
        Value v = c.in;
        bool ok = d->fn(v, args, arena);
        ASSERT_EQ(ok, c.ok) << "result " << show(v);
        if (!ok) continue;
        EXPECT_EQ(show(v), show(c.out));
    }
}

}  // namespace siphon::pv::trtest
