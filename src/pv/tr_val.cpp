// Value transformations, class "val" ({val.n0}, {val.ne}, {val.json}, {val.jsonqe}). They
// are documented for Kamailio's pv module but Kamailio 5.6.3 does not have them ("unknown
// transformation: [val]", measured); the documented behaviour is implemented:
//  - n0: null becomes integer 0; other values are unchanged;
//  - ne: null becomes ""; other values are unchanged;
//  - json: null becomes ""; a string is escaped for a JSON string without the quotes
//    ('"' and '\' escaped, control characters as \n \r \t \b \f or \u00XX; UTF-8 bytes are
//    kept); an integer is unchanged;
//  - jsonqe: as json, with the quotes; null becomes '""'; an integer is unchanged.
#include <cstring>

#include "pv/transform_defs.h"

namespace siphon::pv {

namespace {

using Args = std::span<const Value>;

constexpr char kEmpty[] = "";
constexpr char kQuotes[] = "\"\"";

bool tr_n0(Value& v, Args, Arena&) {
    if (v.is_null()) v = Value::of_int(0);
    return true;
}

bool tr_ne(Value& v, Args, Arena&) {
    if (v.is_null()) v = Value::of_str(std::string_view(kEmpty, 0));
    return true;
}

size_t escaped_size(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) {
        if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' ||
            c == '\f')
            n += 2;
        else if (c < 0x20)
            n += 6;
        else
            n += 1;
    }
    return n;
}

char* escape_into(char* o, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    for (unsigned char c : s) {
        char e = 0;
        switch (c) {
            case '"': e = '"'; break;
            case '\\': e = '\\'; break;
            case '\n': e = 'n'; break;
            case '\r': e = 'r'; break;
            case '\t': e = 't'; break;
            case '\b': e = 'b'; break;
            case '\f': e = 'f'; break;
            default: break;
        }
        if (e) {
            *o++ = '\\';
            *o++ = e;
        } else if (c < 0x20) {
            std::memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 15];
            o += 6;
        } else {
            *o++ = static_cast<char>(c);
        }
    }
    return o;
}

bool json(Value& v, Arena& arena, bool quoted) {
    if (v.is_int()) return true;
    if (v.is_null()) {
        v = Value::of_str(quoted ? std::string_view(kQuotes, 2) : std::string_view(kEmpty, 0));
        return true;
    }
    size_t n = escaped_size(v.s) + (quoted ? 2 : 0);
    if (n == 0) {
        v = Value::of_str(std::string_view(kEmpty, 0));
        return true;
    }
    char* buf = arena.alloc(n);
    char* o = buf;
    if (quoted) *o++ = '"';
    o = escape_into(o, v.s);
    if (quoted) *o++ = '"';
    v = Value::of_str(std::string_view(buf, n));
    return true;
}

bool tr_json(Value& v, Args, Arena& arena) { return json(v, arena, false); }
bool tr_jsonqe(Value& v, Args, Arena& arena) { return json(v, arena, true); }

constexpr TrArg S = TrArg::Str;

constexpr TrDef kValTr[] = {
    {"val", "n0", 0, 0, {S, S, S, S}, tr_n0},
    {"val", "ne", 0, 0, {S, S, S, S}, tr_ne},
    {"val", "json", 0, 0, {S, S, S, S}, tr_json},
    {"val", "jsonqe", 0, 0, {S, S, S, S}, tr_jsonqe},
};

}  // namespace

std::span<const TrDef> val_transformations() { return kValTr; }

}  // namespace siphon::pv
