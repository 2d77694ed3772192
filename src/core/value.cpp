#include "core/value.h"

namespace siphon {

bool str_to_int(std::string_view s, int32_t& out) {
    size_t i = 0;
    bool neg = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        ++i;
    }
    if (i >= s.size()) return false;
    uint64_t v = 0;
    if (s.size() - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        i += 2;
        for (; i < s.size(); ++i) {
            char c = s[i];
            int d;
            if (c >= '0' && c <= '9') d = c - '0';
            else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
            else return false;
            v = v * 16 + d;
            if (v > 0xffffffffULL) return false;
        }
    } else {
        for (; i < s.size(); ++i) {
            char c = s[i];
            if (c < '0' || c > '9') return false;
            v = v * 10 + (c - '0');
            if (v > 0xffffffffULL) return false;
        }
    }
    // Kamailio keeps the low 32 bits (str2sint into an int), so large values wrap.
    uint32_t u = static_cast<uint32_t>(v);
    if (neg) u = 0u - u;
    out = static_cast<int32_t>(u);
    return true;
}

std::string_view int_to_str(int32_t v, char* buf) {
    char tmp[12];
    int n = 0;
    uint32_t u = v < 0 ? 0u - static_cast<uint32_t>(v) : static_cast<uint32_t>(v);
    do {
        tmp[n++] = static_cast<char>('0' + u % 10);
        u /= 10;
    } while (u);
    size_t len = 0;
    if (v < 0) buf[len++] = '-';
    while (n) buf[len++] = tmp[--n];
    return {buf, len};
}

}  // namespace siphon
