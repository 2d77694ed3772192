// A script value: null, a 32-bit signed integer or a string. Strings are views; who owns the
// bytes depends on where the value came from (the message buffer, the worker's arena, or a
// variable's own storage) and is stated by the producer. Kamailio's arithmetic is 32-bit
// signed with wrap-around, which the helpers below reproduce.
#pragma once

#include <cstdint>
#include <string_view>

namespace siphon {

struct Value {
    enum class Type : uint8_t { Null, Int, Str };
    Type type = Type::Null;
    int32_t i = 0;
    std::string_view s;

    static Value null() { return {}; }
    static Value of_int(int32_t v) {
        Value r;
        r.type = Type::Int;
        r.i = v;
        return r;
    }
    static Value of_str(std::string_view v) {
        Value r;
        r.type = Type::Str;
        r.s = v;
        return r;
    }
    bool is_null() const { return type == Type::Null; }
    bool is_int() const { return type == Type::Int; }
    bool is_str() const { return type == Type::Str; }
};

// Kamailio's string to int conversion (rval_get_int / str2sint): optional sign, decimal or
// 0x-hex, whole string must be numeric. Returns false if it is not (caller then uses 0 and
// may warn). Leading zeros are decimal ("010" is 10).
bool str_to_int(std::string_view s, int32_t& out);

// Decimal text of v into buf (at least 12 bytes); returns the view into buf.
std::string_view int_to_str(int32_t v, char* buf);

}  // namespace siphon
