// Line transformations, class "line" ({line.count}, {line.at,pos}, {line.sw,prefix}), as in
// Kamailio 5.6.3 (measured):
//  - lines end at '\n'; a final '\n' does not start another line; a '\r' ending a returned
//    line is dropped ("a\r\nb" -> "a", "b");
//  - count: number of lines, an integer ("a\nb" 2, "first\r\nsecond\nthird\n" 3, "x" 1);
//  - at,pos: line at 0-based pos; negative counts from the end (-1 the last line); out of
//    range gives "";
//  - sw,prefix: the first line starting with prefix, "" if none (or if prefix is empty);
//  - null and empty values fail; an integer is read as its decimal text.
#include <cstring>

#include "pv/transform_defs.h"

namespace siphon::pv {

namespace {

using Args = std::span<const Value>;

constexpr char kEmpty[] = "";

// A line without its trailing CR.
bool set_line(Value& v, std::string_view s) {
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    return set_str(v, s);
}

bool input(Value& v, Arena& arena, std::string_view& s) {
    if (v.is_int()) {
        char buf[12];
        s = arena.copy(int_to_str(v.i, buf));
        return true;
    }
    if (!v.is_str() || v.s.empty()) return false;
    s = v.s;
    return true;
}

// Calls f(line) for each line; stops when f returns false.
template <typename F>
void each_line(std::string_view s, F&& f) {
    size_t p = 0;
    while (p < s.size()) {
        size_t nl = s.find('\n', p);
        size_t e = nl == std::string_view::npos ? s.size() : nl;
        if (!f(s.substr(p, e - p))) return;
        if (nl == std::string_view::npos) return;
        p = nl + 1;
    }
}

int32_t count_lines(std::string_view s) {
    int32_t n = 0;
    each_line(s, [&](std::string_view) { return ++n, true; });
    return n;
}

bool tr_count(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input(v, arena, s)) return false;
    v = Value::of_int(count_lines(s));
    return true;
}

bool tr_at(Value& v, Args args, Arena& arena) {
    std::string_view s;
    if (!args[0].is_int() || !input(v, arena, s)) return false;
    int64_t idx = args[0].i;
    if (idx < 0) idx += count_lines(s);
    std::string_view hit;
    int64_t i = 0;
    if (idx >= 0)
        each_line(s, [&](std::string_view l) {
            if (i++ != idx) return true;
            hit = l;
            return false;
        });
    return set_line(v, hit);
}

bool tr_sw(Value& v, Args args, Arena& arena) {
    std::string_view s;
    if (!args[0].is_str() || !input(v, arena, s)) return false;
    std::string_view prefix = args[0].s, hit;
    if (!prefix.empty())
        each_line(s, [&](std::string_view l) {
            if (l.substr(0, prefix.size()) != prefix) return true;
            hit = l;
            return false;
        });
    return set_line(v, hit);
}

constexpr TrArg I = TrArg::Int;
constexpr TrArg S = TrArg::Str;

constexpr TrDef kLineTr[] = {
    {"line", "count", 0, 0, {S, S, S, S}, tr_count},
    {"line", "at", 1, 1, {I, S, S, S}, tr_at},
    {"line", "sw", 1, 1, {S, S, S, S}, tr_sw},
};

}  // namespace

std::span<const TrDef> line_transformations() { return kLineTr; }

}  // namespace siphon::pv
