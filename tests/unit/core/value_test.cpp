#include <gtest/gtest.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/value.h"

namespace siphon {
namespace {

struct IntCase {
    const char* in;
    bool ok;
    int32_t out;
};

TEST(StrToInt, KamailioConversionRules) {
    // rval_get_int: sign, decimal or 0x hex, the whole string must be numeric; leading zeros
    // are decimal (notes 1.10).
    const IntCase cases[] = {
        {"0", true, 0},          {"42", true, 42},       {"-12", true, -12},
        {"+5", true, 5},         {"0x10", true, 16},     {"0X1f", true, 31},
        {"010", true, 10},       {"", false, 0},         {"-", false, 0},
        {"12abc", false, 0},     {" 12", false, 0},      {"abc", false, 0},
        {"0x", false, 0},        {"2147483647", true, 2147483647},
        {"2147483648", true, INT32_MIN},                 {"4294967295", true, -1},
        {"99999999999", false, 0}, {"-2147483648", true, INT32_MIN},
    };
    for (const auto& c : cases) {
        int32_t v = 0;
        EXPECT_EQ(str_to_int(c.in, v), c.ok) << c.in;
        if (c.ok) {
            EXPECT_EQ(v, c.out) << c.in;
        }
    }
}

TEST(IntToStr, Extremes) {
    char buf[12];
    EXPECT_EQ(int_to_str(0, buf), "0");
    EXPECT_EQ(int_to_str(-1, buf), "-1");
    EXPECT_EQ(int_to_str(INT32_MIN, buf), "-2147483648");
    EXPECT_EQ(int_to_str(INT32_MAX, buf), "2147483647");
}

TEST(Arena, CopyAndResetKeepsCapacity) {
    Arena a(1024);
    std::string_view s = a.copy("hello");
    EXPECT_EQ(s, "hello");
    // A large allocation spills into a new block; after reset one grown block remains.
    char* big = a.alloc(10000);
    big[9999] = 'x';
    EXPECT_GE(a.capacity(), 11024u);
    a.reset();
    size_t cap = a.capacity();
    EXPECT_GE(cap, 1024u);
    a.alloc(100);
    EXPECT_EQ(a.capacity(), cap);
    EXPECT_TRUE(a.copy("").empty());
}

TEST(StrBuilder, TruncatesAndFlags) {
    char buf[8];
    StrBuilder b(buf, sizeof buf);
    b.append("abc");
    b.append_int(-42);
    EXPECT_EQ(b.view(), "abc-42");
    EXPECT_FALSE(b.overflow());
    b.append("xyz");
    EXPECT_TRUE(b.overflow());
    EXPECT_EQ(b.size(), 8u);
}

TEST(LogLevel, ParsesNamesAndNumbers) {
    int l = 99;
    EXPECT_TRUE(parse_log_level("L_INFO", l));
    EXPECT_EQ(l, kLogInfo);
    EXPECT_TRUE(parse_log_level("DBG", l));
    EXPECT_EQ(l, kLogDbg);
    EXPECT_TRUE(parse_log_level("-1", l));
    EXPECT_EQ(l, kLogErr);
    EXPECT_FALSE(parse_log_level("L_NOPE", l));
    EXPECT_FALSE(parse_log_level("", l));
    EXPECT_EQ(log_level_name(kLogWarn), "WARNING");
}

}  // namespace
}  // namespace siphon
