// Parameter-list transformations, class "param" ({param.value,name[,sep]}, {param.in,...},
// {param.valueat,i[,sep]}, {param.name,i[,sep]}, {param.count[,sep]}), over values such as
// "a=1;b=2" or, with sep '&', query strings. The separator defaults to ';' and must be exactly
// one character.
//
// The list is read the way Kamailio 5.6.3's SIP parameter parser reads it:
//  - one trailing separator is ignored ("a=1;" is one parameter), unless it is the whole value;
//  - a name runs up to whitespace, ',', '=' or the separator, and may be empty (";a=1" has two
//    parameters, the first with an empty name); a name without '=' has an empty value;
//  - whitespace (' ', '\t', '\r', '\n') is skipped around '=' and after a value or a
//    separator, but not before the first name (" a=1" fails);
//  - a value is a token up to whitespace, ',' or the separator, or a '...' / "..." quoted
//    string returned without its quotes (no escapes inside); "a=" at the very end gives an
//    empty value;
//  - ',' (unless it is the separator) or '>' after a parameter ends the list, the rest being
//    ignored;
//  - the whole transformation fails on an empty value followed by more text ("b=&c=3"), on
//    text after a value that is not the separator ("a=x y", "a=\"x\"y"), on an unterminated
//    quote, on a missing name after a separator ("a=1;;"), and on an empty input.
// Names compare case-insensitively and the last duplicate wins. Values are returned raw (not
// URL-decoded). A null input fails; an integer input is read as its decimal text.
#include "msg/char_class.h"
#include "pv/transform_defs.h"

namespace siphon::pv {

namespace {

using Args = std::span<const Value>;

constexpr char kEmpty[] = "";

struct Param {
    std::string_view name;
    std::string_view body;
};

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Calls f(param) for each parameter in order. Returns false when the list does not parse (the
// caller must then ignore whatever f saw).
template <typename F>
bool for_each_param(std::string_view s, char sep, F&& f) {
    if (s.size() > 1 && s.back() == sep) s.remove_suffix(1);
    size_t p = 0, n = s.size();
    auto skip_ws = [&] {
        while (p < n && is_ws(s[p])) ++p;
    };
    while (true) {
        Param prm;
        size_t nb = p;
        while (p < n && !is_ws(s[p]) && s[p] != ',' && s[p] != '=' && s[p] != sep) ++p;
        prm.name = s.substr(nb, p - nb);
        skip_ws();
        if (p == n) {
            f(prm);
            return true;
        }
        if (s[p] == '=') {
            ++p;
            skip_ws();
            if (p == n) {
                f(prm);
                return true;
            }
            if (s[p] == '"' || s[p] == '\'') {
                if (n - p < 2) return false;
                size_t close = s.find(s[p], p + 1);
                if (close == std::string_view::npos) return false;
                prm.body = s.substr(p + 1, close - p - 1);
                p = close + 1;
            } else {
                size_t vb = p;
                while (p < n && !is_ws(s[p]) && s[p] != ',' && s[p] != sep) ++p;
                if (p == vb) return false;
                prm.body = s.substr(vb, p - vb);
            }
            skip_ws();
            if (p == n) {
                f(prm);
                return true;
            }
        }
        if ((sep != ',' && s[p] == ',') || (sep != '>' && s[p] == '>')) {
            f(prm);
            return true;
        }
        if (s[p] != sep) return false;
        ++p;
        skip_ws();
        if (p == n) return false;
        f(prm);
    }
}

// The list text: a non-empty string, or an integer in decimal (copied into the arena, since
// results point into the text).
bool list_text(const Value& v, Arena& arena, std::string_view& out) {
    if (v.is_str()) {
        out = v.s;
    } else if (v.is_int()) {
        char buf[12];
        out = arena.copy(int_to_str(v.i, buf));
    } else {
        return false;
    }
    return !out.empty();
}

// Optional separator argument at args[i]: exactly one character; ';' when absent.
bool separator(Args args, size_t i, char& sep) {
    sep = ';';
    if (args.size() <= i) return true;
    char buf[12];
    std::string_view t;
    if (!arg_text(args[i], buf, t) || t.size() != 1) return false;
    sep = t[0];
    return true;
}

using msg::chars::iequals;

// Looks `name` up; `found`/`body` describe the last parameter with that name.
bool lookup(Value& v, Args args, Arena& arena, bool& found, std::string_view& body) {
    char sep;
    char buf[12];
    std::string_view name, s;
    if (!arg_text(args[0], buf, name) || name.empty() || !separator(args, 1, sep)) return false;
    if (!list_text(v, arena, s)) return false;
    found = false;
    return for_each_param(s, sep, [&](const Param& p) {
        if (iequals(p.name, name)) {
            found = true;
            body = p.body;
        }
    });
}

// {param.value,name[,sep]}: the value of the last parameter called `name`, "" if none.
bool tr_param_value(Value& v, Args args, Arena& arena) {
    bool found;
    std::string_view body;
    if (!lookup(v, args, arena, found, body)) return false;
    return set_str(v, found ? body : std::string_view{});
}

// {param.in,name[,sep]}: integer 1 when a parameter called `name` exists, else 0.
bool tr_param_in(Value& v, Args args, Arena& arena) {
    bool found;
    std::string_view body;
    if (!lookup(v, args, arena, found, body)) return false;
    v = Value::of_int(found ? 1 : 0);
    return true;
}

// {param.valueat,i[,sep]} / {param.name,i[,sep]}: parameter at 0-based position i; a negative
// i counts from the end (-1 is the last); a position outside the list gives "".
bool tr_param_at(Value& v, Args args, Arena& arena, bool want_name) {
    char sep;
    if (!args[0].is_int() || !separator(args, 1, sep)) return false;
    std::string_view s;
    if (!list_text(v, arena, s)) return false;
    int64_t count = 0;
    if (!for_each_param(s, sep, [&](const Param&) { ++count; })) return false;
    int64_t idx = args[0].i;
    if (idx < 0) idx += count;
    if (idx < 0 || idx >= count) return set_str(v, {});
    int64_t pos = 0;
    Param hit;
    for_each_param(s, sep, [&](const Param& p) {
        if (pos++ == idx) hit = p;
    });
    return set_str(v, want_name ? hit.name : hit.body);
}
bool tr_param_valueat(Value& v, Args a, Arena& ar) { return tr_param_at(v, a, ar, false); }
bool tr_param_name(Value& v, Args a, Arena& ar) { return tr_param_at(v, a, ar, true); }

// {param.count[,sep]}: number of parameters (an integer); the separator is the only argument.
bool tr_param_count(Value& v, Args args, Arena& arena) {
    char sep;
    if (!separator(args, 0, sep)) return false;
    std::string_view s;
    if (!list_text(v, arena, s)) return false;
    int32_t count = 0;
    if (!for_each_param(s, sep, [&](const Param&) { ++count; })) return false;
    v = Value::of_int(count);
    return true;
}

constexpr TrArg I = TrArg::Int;
constexpr TrArg S = TrArg::Str;

constexpr TrDef kParamTr[] = {
    {"param", "value", 1, 2, {S, S, S, S}, tr_param_value},
    {"param", "in", 1, 2, {S, S, S, S}, tr_param_in},
    {"param", "valueat", 1, 2, {I, S, S, S}, tr_param_valueat},
    {"param", "name", 1, 2, {I, S, S, S}, tr_param_name},
    {"param", "count", 0, 1, {S, S, S, S}, tr_param_count},
};

}  // namespace

std::span<const TrDef> param_transformations() { return kParamTr; }

}  // namespace siphon::pv
