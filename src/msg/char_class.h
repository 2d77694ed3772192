// Character classes and ASCII helpers shared by the msg parsers. Internal to src/msg; the
// tables are constant and may be used from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace siphon::msg::chars {

inline constexpr uint8_t kToken = 1;     // tchar, RFC 9110 5.6.2 (superset of RFC 3261 token)
inline constexpr uint8_t kHex = 2;       // HEXDIG
inline constexpr uint8_t kDigit = 4;     // DIGIT
inline constexpr uint8_t kHostChar = 8;  // hostname / IPv4 characters (alnum, '-', '.', '_')
inline constexpr uint8_t kWs = 16;       // SP / HTAB

constexpr std::array<uint8_t, 256> make_classes() {
    std::array<uint8_t, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] |= kToken | kHex | kDigit | kHostChar;
    for (int c = 'a'; c <= 'z'; ++c) t[c] |= kToken | kHostChar;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kToken | kHostChar;
    for (int c = 'a'; c <= 'f'; ++c) t[c] |= kHex;
    for (int c = 'A'; c <= 'F'; ++c) t[c] |= kHex;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<uint8_t>(c)] |= kToken;
    t['-'] |= kHostChar;
    t['.'] |= kHostChar;
    t['_'] |= kHostChar;  // not in RFC 1035 host names, but seen in practice; Kamailio accepts
    t[' '] |= kWs;
    t['\t'] |= kWs;
    return t;
}

inline constexpr std::array<uint8_t, 256> kClass = make_classes();

constexpr std::array<char, 256> make_lower() {
    std::array<char, 256> t{};
    for (int c = 0; c < 256; ++c)
        t[c] = static_cast<char>((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c);
    return t;
}

inline constexpr std::array<char, 256> kLower = make_lower();

inline bool is(char c, uint8_t cls) { return (kClass[static_cast<uint8_t>(c)] & cls) != 0; }
inline bool is_token(char c) { return is(c, kToken); }
inline bool is_digit(char c) { return is(c, kDigit); }
inline bool is_hex(char c) { return is(c, kHex); }
inline bool is_ws(char c) { return c == ' ' || c == '\t'; }
// Linear white space as it appears inside SIP header values: SP, HTAB and the CR/LF of a
// folded line (RFC 3261 25.1, LWS).
inline bool is_lws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
inline char lower(char c) { return kLower[static_cast<uint8_t>(c)]; }

inline int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    return lower(c) - 'a' + 10;
}

// ASCII case-insensitive equality.
inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

inline bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

inline std::string_view trim_ws(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && is_ws(s[b])) ++b;
    while (e > b && is_ws(s[e - 1])) --e;
    return s.substr(b, e - b);
}

inline std::string_view trim_lws(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && is_lws(s[b])) ++b;
    while (e > b && is_lws(s[e - 1])) --e;
    return s.substr(b, e - b);
}

}  // namespace siphon::msg::chars
