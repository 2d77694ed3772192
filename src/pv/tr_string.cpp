// String transformations, class "s" ({s.len}, {s.substr,1,2}, {s.encode.base64}, ...).
//
// Behaviour follows Kamailio 5.6.3's pv module. Common rules:
//  - a null input fails every transformation (the PV then prints as an empty string);
//  - an integer input is treated as its decimal text ("123" for 123);
//  - results are strings unless stated (s.len, s.int and s.count give integers).
// Where Kamailio misbehaves (reads past the value, appends stray bytes, crashes) the correct
// behaviour is implemented instead; each such place says so. Integer inputs of tolower,
// toupper, unquote and unbracket stay integers, as in Kamailio.
#include <cstring>
#include <ctime>

#include "pv/digest.h"
#include "pv/transform_defs.h"

namespace siphon::pv {

namespace {

using Args = std::span<const Value>;

// Kamailio's transformation buffer is 64 KB; results that could grow without bound (prefixes,
// fmtlines) are refused past this size, as Kamailio refuses them.
constexpr size_t kMaxResult = 65535;

constexpr char kEmpty[] = "";
constexpr char kHexLower[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kBase64Std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kBase58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

// ---- helpers ---------------------------------------------------------------------------------


std::string_view format_uint(uint32_t u, char* buf) {
    char tmp[12];
    int n = 0;
    do {
        tmp[n++] = char('0' + u % 10);
        u /= 10;
    } while (u);
    int len = n;
    for (int i = 0; i < len; ++i) buf[i] = tmp[n - 1 - i];
    return {buf, static_cast<size_t>(len)};
}

// Text of the input: strings as they are, integers in decimal (placed in the arena so that
// results may point into it). Null has no text.
bool input_text(const Value& v, Arena& arena, std::string_view& out) {
    if (v.is_str()) {
        out = v.s;
        return true;
    }
    if (v.is_int()) {
        char buf[12];
        out = arena.copy(int_to_str(v.i, buf));
        return true;
    }
    return false;
}


// Kamailio takes the first character of the argument for the single-character transformations
// (count, before, after, rbefore, rafter, stripto); an empty argument fails.
bool arg_char(const Value& a, char& c) {
    char buf[12];
    std::string_view t;
    if (!arg_text(a, buf, t) || t.empty()) return false;
    c = t[0];
    return true;
}

bool arg_int(const Value& a, int32_t& out) {
    if (!a.is_int()) return false;
    out = a.i;
    return true;
}

bool set_int(Value& v, int32_t i) {
    v = Value::of_int(i);
    return true;
}

// memcpy that accepts an empty view (whose data() may be null).
void put(char* dst, std::string_view src) {
    if (!src.empty()) std::memcpy(dst, src.data(), src.size());
}

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// ---- length, numbers, digests ----------------------------------------------------------------

bool tr_len(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    return set_int(v, static_cast<int32_t>(s.size()));
}

// {s.int}: optional sign and decimal digits only, within the 32-bit range ("42abc", " 17",
// "0x10" and "1.5" fail; "", "-" and "+" give 0; "010" is 10).
bool tr_int(Value& v, Args, Arena&) {
    if (v.is_int()) return true;
    if (!v.is_str()) return false;
    std::string_view s = v.s;
    size_t i = 0;
    bool neg = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        ++i;
    }
    int64_t acc = 0;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        acc = acc * 10 + (s[i] - '0');
        if (acc > 2147483648LL) return false;
    }
    if (!neg && acc > 2147483647LL) return false;
    return set_int(v, static_cast<int32_t>(neg ? -acc : acc));
}

template <size_t N, void (*Fn)(std::string_view, uint8_t*)>
bool tr_digest(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    uint8_t d[N];
    Fn(s, d);
    char* out = arena.alloc(2 * N);
    hex_lower(d, N, out);
    return set_str(v, {out, 2 * N});
}

void md5_fn(std::string_view s, uint8_t* o) { md5(s, o); }
void sha256_fn(std::string_view s, uint8_t* o) { sha256(s, o); }
void sha384_fn(std::string_view s, uint8_t* o) { sha384(s, o); }
void sha512_fn(std::string_view s, uint8_t* o) { sha512(s, o); }

// ---- substrings ------------------------------------------------------------------------------

// {s.substr,offset,length}: length 0 means "to the end" and a length reaching past the end is
// clipped; a negative offset counts from the end (-1 is the last char). An offset outside the
// value (>= length, or below -length) or a negative length fails.
bool tr_substr(Value& v, Args args, Arena& arena) {
    int32_t off, len;
    if (!arg_int(args[0], off) || !arg_int(args[1], len) || len < 0) return false;
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    int64_t n = static_cast<int64_t>(s.size());
    int64_t i = off, j = len;
    int64_t start;
    if (i >= 0) {
        if (i >= n) return false;
        if (i + j >= n) j = 0;
        start = i;
    } else {
        i = -i;
        if (i > n) return false;
        if (i < j) j = 0;
        start = n - i;
    }
    int64_t count = j == 0 ? n - start : j;
    return set_str(v, s.substr(static_cast<size_t>(start), static_cast<size_t>(count)));
}

// Separator of {s.select}: one character, or one of the escapes \n \r \t \\ (as written in the
// script).
bool select_separator(const Value& a, char& c) {
    char buf[12];
    std::string_view t;
    if (!arg_text(a, buf, t)) return false;
    if (t.size() == 1) {
        c = t[0];
        return true;
    }
    if (t.size() == 2 && t[0] == '\\') {
        switch (t[1]) {
            case '\\': c = '\\'; return true;
            case 'n': c = '\n'; return true;
            case 'r': c = '\r'; return true;
            case 't': c = '\t'; return true;
            default: return false;
        }
    }
    return false;
}

// {s.select,index,sep}: field `index` of the value split on `sep`; empty fields count, a
// negative index counts from the end (-1 is the last field), an index past the fields gives
// an empty string (not a failure).
bool tr_select(Value& v, Args args, Arena& arena) {
    int32_t idx;
    char c;
    if (!arg_int(args[0], idx) || !select_separator(args[1], c)) return false;
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    int64_t n = static_cast<int64_t>(s.size());
    int64_t i = idx;
    if (i < 0) {
        int64_t end = n - 1, p = n - 1;
        i = -i - 1;
        while (p >= 0) {
            if (s[static_cast<size_t>(p)] == c) {
                if (i == 0) break;
                end = p - 1;
                --i;
            }
            --p;
        }
        if (i != 0) return set_str(v, {});
        return set_str(v, s.substr(static_cast<size_t>(p + 1), static_cast<size_t>(end - p)));
    }
    int64_t start = 0, p = 0;
    while (p < n) {
        if (s[static_cast<size_t>(p)] == c) {
            if (i == 0) break;
            start = p + 1;
            --i;
        }
        ++p;
    }
    if (i != 0) return set_str(v, {});
    return set_str(v, s.substr(static_cast<size_t>(start), static_cast<size_t>(p - start)));
}

// {s.strip,n} / {s.striptail,n}: drop n chars from the start / end; n <= 0 keeps the value,
// n >= length gives "".
bool tr_strip_impl(Value& v, Args args, Arena& arena, bool tail) {
    int32_t n;
    if (!arg_int(args[0], n)) return false;
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    if (n <= 0) return set_str(v, s);
    if (static_cast<size_t>(n) >= s.size()) return set_str(v, {});
    return set_str(v, tail ? s.substr(0, s.size() - n) : s.substr(static_cast<size_t>(n)));
}
bool tr_strip(Value& v, Args a, Arena& ar) { return tr_strip_impl(v, a, ar, false); }
bool tr_striptail(Value& v, Args a, Arena& ar) { return tr_strip_impl(v, a, ar, true); }

// {s.stripto,c} (in Kamailio 5.6 though not in its cookbook): the value from the first
// occurrence of the character c on; "" when c does not occur.
bool tr_stripto(Value& v, Args args, Arena& arena) {
    char c;
    if (!arg_char(args[0], c)) return false;
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    size_t pos = s.find(c);
    if (pos == std::string_view::npos) return set_str(v, {});
    return set_str(v, s.substr(pos));
}

// {s.before,c} / {s.after,c} / {s.rbefore,c} / {s.rafter,c}: split at the first (or, for the
// r-forms, the last) occurrence of the character c. When c is absent, before/rbefore give the
// whole value and after/rafter give "". Kamailio 5.6.3's rbefore/rafter scan forwards past the
// end of the value (returning garbage or crashing); the cookbook behaviour is implemented.
bool tr_split_impl(Value& v, Args args, Arena& arena, bool last, bool after) {
    char c;
    if (!arg_char(args[0], c)) return false;
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    size_t pos = last ? s.rfind(c) : s.find(c);
    if (pos == std::string_view::npos) return set_str(v, after ? std::string_view{} : s);
    return set_str(v, after ? s.substr(pos + 1) : s.substr(0, pos));
}
bool tr_before(Value& v, Args a, Arena& ar) { return tr_split_impl(v, a, ar, false, false); }
bool tr_after(Value& v, Args a, Arena& ar) { return tr_split_impl(v, a, ar, false, true); }
bool tr_rbefore(Value& v, Args a, Arena& ar) { return tr_split_impl(v, a, ar, true, false); }
bool tr_rafter(Value& v, Args a, Arena& ar) { return tr_split_impl(v, a, ar, true, true); }

// {s.count,c}: number of occurrences of the character c (an integer).
bool tr_count(Value& v, Args args, Arena& arena) {
    char c;
    if (!arg_char(args[0], c)) return false;
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    int32_t n = 0;
    for (char ch : s) n += ch == c;
    return set_int(v, n);
}

// ---- hex, 7-bit ------------------------------------------------------------------------------

bool tr_encode_hexa(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    char* out = arena.alloc(2 * s.size() + 1);
    for (size_t i = 0; i < s.size(); ++i) {
        auto b = static_cast<uint8_t>(s[i]);
        out[2 * i] = kHexLower[b >> 4];
        out[2 * i + 1] = kHexLower[b & 0x0f];
    }
    return set_str(v, {out, 2 * s.size()});
}

// {s.decode.hexa}: upper or lower case digits; a non-hex digit fails; an odd trailing digit is
// ignored ("61626" gives "ab").
bool tr_decode_hexa(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    size_t n = s.size() / 2;
    char* out = arena.alloc(n + 1);
    for (size_t i = 0; i < n; ++i) {
        int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<char>(hi << 4 | lo);
    }
    return set_str(v, {out, n});
}

// {s.encode.7bit}: GSM-style packing of 8 chars into 7 octets, printed as uppercase hex. Bytes
// are not masked to 7 bits, as in Kamailio; past the last char a zero byte is used.
bool tr_encode_7bit(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    char* out = arena.alloc(2 * s.size() + 1);
    size_t j = 0;
    int nleft = 1;
    for (size_t i = 0; i < s.size(); ++i) {
        auto cur = static_cast<uint8_t>(s[i]);
        uint8_t next = i + 1 < s.size() ? static_cast<uint8_t>(s[i + 1]) : 0;
        auto octet = static_cast<uint8_t>((cur >> (nleft - 1)) | (next << (8 - nleft)));
        out[j++] = kHexUpper[octet >> 4];
        out[j++] = kHexUpper[octet & 0x0f];
        if (++nleft == 8) {
            ++i;
            nleft = 1;
        }
    }
    return set_str(v, {out, j});
}

// {s.decode.7bit}: inverse of the above (every 7 octets give 8 chars). The input must be an
// even number of hex digits; Kamailio reads past odd input and decodes non-hex digits into
// arbitrary bytes, here both fail.
bool tr_decode_7bit(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    if (s.size() % 2) return false;
    size_t octets = s.size() / 2;
    char* out = arena.alloc(octets + octets / 7 + 1);
    size_t j = 0;
    int nleft = 1;
    uint8_t oldfill = 0;
    for (size_t i = 0; i < octets; ++i) {
        int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        auto b = static_cast<uint8_t>(hi << 4 | lo);
        auto fill = static_cast<uint8_t>(b >> (8 - nleft));
        auto c = static_cast<uint8_t>(static_cast<uint8_t>(b << (nleft - 1)) & 0x7f);
        out[j++] = static_cast<char>(c | oldfill);
        oldfill = fill;
        if (++nleft == 8) {
            out[j++] = static_cast<char>(oldfill);
            nleft = 1;
            oldfill = 0;
        }
    }
    return set_str(v, {out, j});
}

// ---- base58 ----------------------------------------------------------------------------------

// Base-58 conversion is quadratic in the length. Kamailio fails only when the result outgrows
// its 64 KB buffer (about 47 KB of input, seconds of CPU per call); siphon bounds the work at
// inputs of 8 KB (Kamailio's default pv_buffer_size), about 1 ms, and fails above that.
constexpr size_t kBase58MaxInput = 8192;

bool tr_encode_base58(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    if (s.size() > kBase58MaxInput) return false;
    const auto* bin = reinterpret_cast<const uint8_t*>(s.data());
    size_t n = s.size();
    size_t zeros = 0;
    while (zeros < n && bin[zeros] == 0) ++zeros;
    size_t size = (n - zeros) * 138 / 100 + 1;
    auto* buf = reinterpret_cast<uint8_t*>(arena.alloc(size));
    std::memset(buf, 0, size);
    // Base-58 digits, most significant first, built by repeated multiply-add.
    ptrdiff_t high = static_cast<ptrdiff_t>(size) - 1;
    for (size_t i = zeros; i < n; ++i) {
        uint32_t carry = bin[i];
        ptrdiff_t j = static_cast<ptrdiff_t>(size) - 1;
        for (; j > high || carry; --j) {
            carry += 256u * buf[j];
            buf[j] = static_cast<uint8_t>(carry % 58);
            carry /= 58;
        }
        high = j;
    }
    size_t first = 0;
    while (first < size && buf[first] == 0) ++first;
    size_t len = zeros + (size - first);
    char* out = arena.alloc(len + 1);
    std::memset(out, '1', zeros);
    for (size_t k = first, o = zeros; k < size; ++k, ++o) out[o] = kBase58[buf[k]];
    return set_str(v, {out, len});
}

int base58_value(uint8_t c) {
    const char* p = c ? std::strchr(kBase58, c) : nullptr;
    return p ? static_cast<int>(p - kBase58) : -1;
}

// {s.decode.base58}: each leading '1' is a zero byte, the rest is a big-endian base-58
// number; a character outside the alphabet fails. Kamailio 5.6.3 appends a NUL to the result
// and drops the zero bytes of leading '1's; the correct decoding is produced here.
bool tr_decode_base58(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    if (s.size() > kBase58MaxInput * 138 / 100 + 1) return false;
    size_t n = s.size();
    size_t zeros = 0;
    while (zeros < n && s[zeros] == '1') ++zeros;
    // The number needs at most one byte per remaining digit (58 < 256).
    size_t cap = n - zeros;
    auto* num = reinterpret_cast<uint8_t*>(arena.alloc(cap + 1));
    std::memset(num, 0, cap + 1);
    size_t used = 0;  // significant bytes, kept at the end of num[0..cap)
    for (size_t i = zeros; i < n; ++i) {
        int d = base58_value(static_cast<uint8_t>(s[i]));
        if (d < 0) return false;
        uint32_t carry = static_cast<uint32_t>(d);
        size_t k = 0;
        for (; (k < used || carry) && k < cap; ++k) {
            size_t idx = cap - 1 - k;
            carry += 58u * num[idx];
            num[idx] = static_cast<uint8_t>(carry & 0xff);
            carry >>= 8;
        }
        if (carry) return false;
        used = k;
    }
    char* out = arena.alloc(zeros + used + 1);
    std::memset(out, 0, zeros);
    std::memcpy(out + zeros, num + (cap - used), used);
    return set_str(v, {out, zeros + used});
}

// ---- base64 ----------------------------------------------------------------------------------

std::string_view base64_encode(std::string_view s, const char* table, bool pad, Arena& arena) {
    const auto* in = reinterpret_cast<const uint8_t*>(s.data());
    size_t n = s.size();
    char* out = arena.alloc((n + 2) / 3 * 4 + 1);
    size_t j = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t b = uint32_t(in[i]) << 16 | uint32_t(in[i + 1]) << 8 | in[i + 2];
        out[j++] = table[b >> 18];
        out[j++] = table[(b >> 12) & 0x3f];
        out[j++] = table[(b >> 6) & 0x3f];
        out[j++] = table[b & 0x3f];
    }
    if (n - i == 1) {
        uint32_t b = uint32_t(in[i]) << 16;
        out[j++] = table[b >> 18];
        out[j++] = table[(b >> 12) & 0x3f];
        if (pad) {
            out[j++] = '=';
            out[j++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t b = uint32_t(in[i]) << 16 | uint32_t(in[i + 1]) << 8;
        out[j++] = table[b >> 18];
        out[j++] = table[(b >> 12) & 0x3f];
        out[j++] = table[(b >> 6) & 0x3f];
        if (pad) out[j++] = '=';
    }
    return {out, j};
}

int base64_value(char c, const char* table) {
    if (c == 0) return -1;
    const char* p = std::strchr(table, c);
    return p ? static_cast<int>(p - table) : -1;
}

// Standard base64: length a multiple of 4, at most two '=' and only at the end, every other
// char in the alphabet. "" decodes to "". Kamailio does not check the characters (it decodes
// '-', '_', '!' or an inner '=' into arbitrary bytes); such input fails here.
bool base64_decode_std(std::string_view s, Arena& arena, std::string_view& out) {
    size_t n = s.size();
    if (n == 0) {
        out = {};
        return true;
    }
    if (n % 4) return false;
    size_t pad = 0;
    while (pad < n && s[n - 1 - pad] == '=') ++pad;
    if (pad > 2) return false;
    size_t body = n - pad;
    size_t olen = n / 4 * 3 - pad;
    char* o = arena.alloc(olen + 3);
    size_t j = 0;
    for (size_t i = 0; i < body; i += 4) {
        uint32_t block = 0;
        size_t k = 0;
        for (; k < 4 && i + k < body; ++k) {
            int d = base64_value(s[i + k], kBase64Std);
            if (d < 0) return false;
            block |= static_cast<uint32_t>(d) << (18 - 6 * k);
        }
        for (size_t b = 0; b + 1 < k; ++b) o[j++] = static_cast<char>(block >> (16 - 8 * b));
    }
    out = {o, olen};
    return true;
}

// Base64-url as decoded by Kamailio: any length, trailing '=' counted as padding; the output
// length is (6 * length / 8) - padding and must be positive (so "" and a lone char fail).
// Characters before the padding must be in the url alphabet.
bool base64_decode_url(std::string_view s, Arena& arena, std::string_view& out) {
    int64_t n = static_cast<int64_t>(s.size());
    int64_t pad = 0;
    while (pad < n && s[static_cast<size_t>(n - 1 - pad)] == '=') ++pad;
    int64_t olen = ((n * 6) >> 3) - pad;
    if (olen <= 0) return false;
    int64_t end = n - pad;
    char* o = arena.alloc(static_cast<size_t>(olen) + 1);
    int64_t idx = 0;
    for (int64_t i = 0; i < end; idx += 3) {
        uint32_t block = 0;
        for (int k = 0; k < 4 && i < end; ++k) {
            int d = base64_value(s[static_cast<size_t>(i++)], kBase64Url);
            if (d < 0) return false;
            block |= static_cast<uint32_t>(d) << (18 - 6 * k);
        }
        for (int k = 0; k < 3 && idx + k < olen; ++k) {
            o[idx + k] = static_cast<char>(block >> (16 - 8 * k));
        }
    }
    out = {o, static_cast<size_t>(olen)};
    return true;
}

// Adds the '=' padding that {s.decode.base64t} / {s.decode.base64urlt} accept to be missing.
std::string_view add_padding(std::string_view s, Arena& arena) {
    if (s.size() % 4 == 0) return s;
    size_t padded = s.size() + (4 - s.size() % 4);
    char* p = arena.alloc(padded);
    std::memcpy(p, s.data(), s.size());
    std::memset(p + s.size(), '=', padded - s.size());
    return {p, padded};
}

bool tr_encode_base64(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    return set_str(v, base64_encode(s, kBase64Std, true, arena));
}
bool tr_encode_base64t(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    return set_str(v, base64_encode(s, kBase64Std, false, arena));
}
bool tr_encode_base64url(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    return set_str(v, base64_encode(s, kBase64Url, true, arena));
}
bool tr_encode_base64urlt(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    return set_str(v, base64_encode(s, kBase64Url, false, arena));
}
bool tr_decode_base64(Value& v, Args, Arena& arena) {
    std::string_view s, out;
    if (!input_text(v, arena, s) || !base64_decode_std(s, arena, out)) return false;
    return set_str(v, out);
}
bool tr_decode_base64t(Value& v, Args, Arena& arena) {
    std::string_view s, out;
    if (!input_text(v, arena, s) || !base64_decode_std(add_padding(s, arena), arena, out)) {
        return false;
    }
    return set_str(v, out);
}
bool tr_decode_base64url(Value& v, Args, Arena& arena) {
    std::string_view s, out;
    if (!input_text(v, arena, s) || !base64_decode_url(s, arena, out)) return false;
    return set_str(v, out);
}
bool tr_decode_base64urlt(Value& v, Args, Arena& arena) {
    std::string_view s, out;
    if (!input_text(v, arena, s) || !base64_decode_url(add_padding(s, arena), arena, out)) {
        return false;
    }
    return set_str(v, out);
}

// ---- escaping --------------------------------------------------------------------------------

// {s.escape.common}: backslash before ', " and \, and NUL written as \0 (SQL-style).
bool tr_escape_common(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    char* out = arena.alloc(2 * s.size() + 1);
    size_t j = 0;
    for (char c : s) {
        switch (c) {
            case '\'':
            case '"':
            case '\\':
                out[j++] = '\\';
                out[j++] = c;
                break;
            case '\0':
                out[j++] = '\\';
                out[j++] = '0';
                break;
            default:
                out[j++] = c;
        }
    }
    return set_str(v, {out, j});
}

// {s.unescape.common}: \' \" \\ \0 decoded; any other backslash is kept as it is.
bool tr_unescape_common(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    char* out = arena.alloc(s.size() + 1);
    size_t j = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            char n = s[i + 1];
            if (n == '\'' || n == '"' || n == '\\') {
                out[j++] = n;
                ++i;
                continue;
            }
            if (n == '0') {
                out[j++] = '\0';
                ++i;
                continue;
            }
        }
        out[j++] = s[i];
    }
    return set_str(v, {out, j});
}

// Percent-escaping for SIP URI user / param parts (RFC 3261 unreserved plus the part's own
// unreserved set), lowercase hex. Any byte outside printable ASCII (< 32 or > 126, so every
// UTF-8 byte) fails, as in Kamailio.
bool escape_sip(Value& v, Arena& arena, const char* keep) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    char* out = arena.alloc(3 * s.size() + 1);
    size_t j = 0;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u < 32 || u > 126) return false;
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (alnum || std::strchr(keep, c) != nullptr) {
            out[j++] = c;
        } else {
            out[j++] = '%';
            out[j++] = kHexLower[u >> 4];
            out[j++] = kHexLower[u & 0x0f];
        }
    }
    return set_str(v, {out, j});
}
// user-unreserved: & = + $ , ; ? /  ('/' is escaped by Kamailio despite the RFC; matched)
bool tr_escape_user(Value& v, Args, Arena& arena) {
    return escape_sip(v, arena, "-_.!~*'()&=+$,;?");
}
// param-unreserved: [ ] / : & + $
bool tr_escape_param(Value& v, Args, Arena& arena) {
    return escape_sip(v, arena, "-_.!~*'()[]/:&+$");
}

// {s.unescape.user} / {s.unescape.param}: %XX decoded ('+' stays '+'). A bad or truncated
// escape, or one decoding to a byte outside printable ASCII, fails.
bool tr_unescape_sip(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    char* out = arena.alloc(s.size() + 1);
    size_t j = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out[j++] = s[i];
            continue;
        }
        if (i + 2 >= s.size()) return false;
        int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) return false;
        int c = hi << 4 | lo;
        if (c < 32 || c > 126) return false;
        out[j++] = static_cast<char>(c);
        i += 2;
    }
    return set_str(v, {out, j});
}

// {s.escape.csv}: RFC 4180 field, enclosed in double quotes with inner quotes doubled.
bool tr_escape_csv(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    char* out = arena.alloc(2 * s.size() + 2);
    size_t j = 0;
    out[j++] = '"';
    for (char c : s) {
        if (c == '"') out[j++] = '"';
        out[j++] = c;
    }
    out[j++] = '"';
    return set_str(v, {out, j});
}

// {s.urlencode.param}: everything but ASCII letters, digits and - _ . ~ is percent-encoded
// with lowercase hex (UTF-8 bytes included, space as %20).
bool tr_urlencode_param(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    char* out = arena.alloc(3 * s.size() + 1);
    size_t j = 0;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        bool keep = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '-' || c == '_' || c == '.' || c == '~';
        if (keep) {
            out[j++] = c;
        } else {
            out[j++] = '%';
            out[j++] = kHexLower[u >> 4];
            out[j++] = kHexLower[u & 0x0f];
        }
    }
    return set_str(v, {out, j});
}

// {s.urldecode.param}: %XX decoded (any byte), '+' becomes a space. A '%' not followed by two
// hex digits is kept literally (Kamailio turns such input into arbitrary bytes or drops the
// '%').
bool tr_urldecode_param(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    char* out = arena.alloc(s.size() + 1);
    size_t j = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
            if (hi >= 0 && lo >= 0) {
                out[j++] = static_cast<char>(hi << 4 | lo);
                i += 2;
                continue;
            }
            out[j++] = c;
        } else if (c == '+') {
            out[j++] = ' ';
        } else {
            out[j++] = c;
        }
    }
    return set_str(v, {out, j});
}

// ---- character classes, whitespace -----------------------------------------------------------

bool tr_numeric(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    char* out = arena.alloc(s.size() + 1);
    size_t j = 0;
    for (char c : s) {
        if (c >= '0' && c <= '9') out[j++] = c;
    }
    return set_str(v, {out, j});
}

// {s.tolower} / {s.toupper}: ASCII letters only. An integer input is returned unchanged (still
// an integer), as Kamailio does.
bool tr_case(Value& v, Arena& arena, bool upper) {
    if (v.is_int()) return true;
    if (!v.is_str()) return false;
    std::string_view s = v.s;
    char* out = arena.alloc(s.size() + 1);
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        out[i] = c;
    }
    return set_str(v, {out, s.size()});
}
bool tr_tolower(Value& v, Args, Arena& arena) { return tr_case(v, arena, false); }
bool tr_toupper(Value& v, Args, Arena& arena) { return tr_case(v, arena, true); }

// {s.trim} / {s.ltrim} / {s.rtrim}: whitespace is ' ', '\t', '\r', '\n' (not '\v' or NUL).
bool tr_trim_impl(Value& v, Arena& arena, bool left, bool right) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    size_t b = 0, e = s.size();
    if (left) {
        while (b < e && is_ws(s[b])) ++b;
    }
    if (right) {
        while (e > b && is_ws(s[e - 1])) --e;
    }
    return set_str(v, s.substr(b, e - b));
}
bool tr_trim(Value& v, Args, Arena& arena) { return tr_trim_impl(v, arena, true, true); }
bool tr_ltrim(Value& v, Args, Arena& arena) { return tr_trim_impl(v, arena, true, false); }
bool tr_rtrim(Value& v, Args, Arena& arena) { return tr_trim_impl(v, arena, false, true); }

// {s.rmws}: every ' ', '\t', '\r', '\n' removed.
bool tr_rmws(Value& v, Args, Arena& arena) {
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    char* out = arena.alloc(s.size() + 1);
    size_t j = 0;
    for (char c : s) {
        if (!is_ws(c)) out[j++] = c;
    }
    return set_str(v, {out, j});
}

// {s.unquote}: strips one pair of matching surrounding ' or " quotes. An integer input is
// returned unchanged.
bool tr_unquote(Value& v, Args, Arena&) {
    if (v.is_int()) return true;
    if (!v.is_str()) return false;
    std::string_view s = v.s;
    if (s.size() >= 2 && s.front() == s.back() && (s.front() == '"' || s.front() == '\'')) {
        return set_str(v, s.substr(1, s.size() - 2));
    }
    return set_str(v, s);
}

// {s.unbracket}: strips one surrounding pair of (), [], {} or <>. An integer input is returned
// unchanged.
bool tr_unbracket(Value& v, Args, Arena&) {
    if (v.is_int()) return true;
    if (!v.is_str()) return false;
    std::string_view s = v.s;
    if (s.size() >= 2) {
        char f = s.front(), l = s.back();
        if ((f == '(' && l == ')') || (f == '[' && l == ']') || (f == '{' && l == '}') ||
            (f == '<' && l == '>')) {
            return set_str(v, s.substr(1, s.size() - 2));
        }
    }
    return set_str(v, s);
}

// ---- prefixes, replace, rm -------------------------------------------------------------------

// {s.prefixes[,len]} / {s.prefixes.quoted[,len]}: "1,12,123" or "'1','12','123'"; len limits
// the longest prefix when 0 < len < length. "" gives "".
bool tr_prefixes_impl(Value& v, Args args, Arena& arena, bool quoted) {
    int32_t limit = 0;
    if (!args.empty() && !arg_int(args[0], limit)) return false;
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    size_t max = s.size();
    if (limit > 0 && static_cast<size_t>(limit) < max) max = static_cast<size_t>(limit);
    if (max == 0) return set_str(v, {});
    uint64_t total = uint64_t(max) * (max + 1) / 2 + uint64_t(max) * (quoted ? 3 : 1) - 1;
    if (total > kMaxResult) return false;
    char* out = arena.alloc(static_cast<size_t>(total) + 1);
    size_t j = 0;
    for (size_t i = 1; i <= max; ++i) {
        if (i > 1) out[j++] = ',';
        if (quoted) out[j++] = '\'';
        std::memcpy(out + j, s.data(), i);
        j += i;
        if (quoted) out[j++] = '\'';
    }
    return set_str(v, {out, j});
}
bool tr_prefixes(Value& v, Args a, Arena& ar) { return tr_prefixes_impl(v, a, ar, false); }
bool tr_prefixes_quoted(Value& v, Args a, Arena& ar) { return tr_prefixes_impl(v, a, ar, true); }

// Replaces every non-overlapping occurrence of `match` (scanning left to right) by `repl`.
std::string_view replace_all(std::string_view s, std::string_view match, std::string_view repl,
                             Arena& arena) {
    size_t count = 0;
    for (size_t pos = s.find(match); pos != std::string_view::npos;
         pos = s.find(match, pos + match.size())) {
        ++count;
    }
    if (count == 0) return s;
    size_t len = s.size() - count * match.size() + count * repl.size();
    char* out = arena.alloc(len + 1);
    size_t j = 0, from = 0;
    for (size_t pos = s.find(match); pos != std::string_view::npos;
         pos = s.find(match, pos + match.size())) {
        put(out + j, s.substr(from, pos - from));
        j += pos - from;
        put(out + j, repl);
        j += repl.size();
        from = pos + match.size();
    }
    put(out + j, s.substr(from));
    j += s.size() - from;
    return {out, j};
}

// {s.replace,match,repl}: all occurrences, multi-char match allowed; an empty match fails, an
// empty replacement removes.
bool tr_replace(Value& v, Args args, Arena& arena) {
    char b1[12], b2[12];
    std::string_view match, repl;
    if (!arg_text(args[0], b1, match) || !arg_text(args[1], b2, repl) || match.empty()) {
        return false;
    }
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    return set_str(v, replace_all(s, match, repl, arena));
}

// {s.rm,match}: removes every occurrence of `match`. As in Kamailio, backslash escapes in the
// written argument are decoded first: \n, \r, \t, a doubled backslash, and "\x" for "x".
bool tr_rm(Value& v, Args args, Arena& arena) {
    char b1[12];
    std::string_view match;
    if (!arg_text(args[0], b1, match) || match.empty()) return false;
    if (match.find('\\') != std::string_view::npos) {
        char* m = arena.alloc(match.size());
        size_t j = 0, i = 0;
        for (; i + 1 < match.size(); ++i) {
            if (match[i] == '\\') {
                char n = match[++i];
                m[j++] = n == 'n' ? '\n' : n == 'r' ? '\r' : n == 't' ? '\t' : n;
            } else {
                m[j++] = match[i];
            }
        }
        if (i == match.size() - 1) m[j++] = match[i];
        match = {m, j};
    }
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    return set_str(v, replace_all(s, match, {}, arena));
}

// ---- time, hashing, formatting ---------------------------------------------------------------

// {s.ftime,format}: strftime() of the value as epoch seconds, local time. A string value must
// be unsigned decimal ("+5" accepted, "" is 0) up to 4294967295, which wraps to 32-bit signed
// as in Kamailio ("4294967295" is -1); "-1" or "abc" as a string fails, the integer -1 works.
bool tr_ftime(Value& v, Args args, Arena& arena) {
    char b1[12];
    std::string_view fmt;
    if (!arg_text(args[0], b1, fmt)) return false;
    int32_t secs;
    if (v.is_int()) {
        secs = v.i;
    } else if (v.is_str()) {
        std::string_view s = v.s;
        size_t i = 0;
        if (i < s.size() && s[i] == '+') ++i;
        uint64_t acc = 0;
        for (; i < s.size(); ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            acc = acc * 10 + static_cast<uint64_t>(s[i] - '0');
            if (acc > 0xffffffffULL) return false;
        }
        secs = static_cast<int32_t>(static_cast<uint32_t>(acc));
    } else {
        return false;
    }
    char* zfmt = arena.alloc(fmt.size() + 1);
    put(zfmt, fmt);
    zfmt[fmt.size()] = '\0';
    time_t t = secs;
    struct tm tmv;
    std::memset(&tmv, 0, sizeof(tmv));
    localtime_r(&t, &tmv);
    // A small buffer first; a format that does not fit gets Kamailio's 64 KB.
    size_t cap = 256 + 16 * fmt.size();
    char* out = arena.alloc(cap);
    size_t n = strftime(out, cap, zfmt, &tmv);
    if (n == 0 && !fmt.empty() && cap < kMaxResult) {
        out = arena.alloc(kMaxResult);
        n = strftime(out, kMaxResult, zfmt, &tmv);
    }
    return set_str(v, {out, n});
}

// Kamailio's core_hash() over one string: 4-byte big-endian words of *signed* chars, then the
// remaining bytes, mixed and folded. With a non-zero size the result is hash & (size - 1).
uint32_t core_hash(std::string_view s, uint32_t size) {
    auto sx = [](char c) { return static_cast<uint32_t>(static_cast<int32_t>(
                               static_cast<signed char>(c))); };
    uint32_t h = 0, v;
    size_t i = 0;
    for (; i + 4 <= s.size(); i += 4) {
        v = (sx(s[i]) << 24) + (sx(s[i + 1]) << 16) + (sx(s[i + 2]) << 8) + sx(s[i + 3]);
        h += v ^ (v >> 3);
    }
    v = 0;
    for (; i < s.size(); ++i) {
        v <<= 8;
        v += sx(s[i]);
    }
    h += v ^ (v >> 3);
    h = (h + (h >> 11)) + ((h >> 13) + (h >> 23));
    return size ? (h & (size - 1)) : h;
}

// {s.corehash[,n]}: the core hash as unsigned decimal text (a string, not an integer); with n
// the result is hash & (n - 1), n taken as unsigned (so -1 masks off the lowest bit).
bool tr_corehash(Value& v, Args args, Arena& arena) {
    int32_t n = 0;
    if (!args.empty() && !arg_int(args[0], n)) return false;
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    char buf[12];
    return set_str(v, arena.copy(format_uint(core_hash(s, static_cast<uint32_t>(n)), buf)));
}

// {s.fmtlines,n,m} / {s.fmtlinet,n,m}: lines of n chars joined by "\r\n", every line after
// the first indented by m spaces (tabs). n <= 0 or m < 0 fails, as does a result over 64 KB.
// Kamailio 5.6.3 breaks after each of the first n-1 chars instead of every n chars; the
// documented layout is produced here.
bool tr_fmtline_impl(Value& v, Args args, Arena& arena, char indent) {
    int32_t n, m;
    if (!arg_int(args[0], n) || !arg_int(args[1], m) || n <= 0 || m < 0) return false;
    std::string_view s;
    if (!input_text(v, arena, s)) return false;
    if (s.size() <= static_cast<size_t>(n)) return set_str(v, s);
    uint64_t breaks = (s.size() - 1) / static_cast<size_t>(n);
    uint64_t total = s.size() + breaks * (2 + static_cast<uint64_t>(m));
    if (total > kMaxResult) return false;
    char* out = arena.alloc(static_cast<size_t>(total));
    size_t j = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (i != 0 && i % static_cast<size_t>(n) == 0) {
            out[j++] = '\r';
            out[j++] = '\n';
            std::memset(out + j, indent, static_cast<size_t>(m));
            j += static_cast<size_t>(m);
        }
        out[j++] = s[i];
    }
    return set_str(v, {out, j});
}
bool tr_fmtlines(Value& v, Args a, Arena& ar) { return tr_fmtline_impl(v, a, ar, ' '); }
bool tr_fmtlinet(Value& v, Args a, Arena& ar) { return tr_fmtline_impl(v, a, ar, '\t'); }

constexpr TrArg I = TrArg::Int;
constexpr TrArg S = TrArg::Str;

constexpr TrDef kStringTr[] = {
    {"s", "len", 0, 0, {S, S, S, S}, tr_len},
    {"s", "int", 0, 0, {S, S, S, S}, tr_int},
    {"s", "md5", 0, 0, {S, S, S, S}, tr_digest<16, md5_fn>},
    {"s", "sha256", 0, 0, {S, S, S, S}, tr_digest<32, sha256_fn>},
    {"s", "sha384", 0, 0, {S, S, S, S}, tr_digest<48, sha384_fn>},
    {"s", "sha512", 0, 0, {S, S, S, S}, tr_digest<64, sha512_fn>},
    {"s", "substr", 2, 2, {I, I, S, S}, tr_substr},
    {"s", "select", 2, 2, {I, S, S, S}, tr_select},
    {"s", "encode.7bit", 0, 0, {S, S, S, S}, tr_encode_7bit},
    {"s", "decode.7bit", 0, 0, {S, S, S, S}, tr_decode_7bit},
    {"s", "encode.hexa", 0, 0, {S, S, S, S}, tr_encode_hexa},
    {"s", "decode.hexa", 0, 0, {S, S, S, S}, tr_decode_hexa},
    {"s", "encode.base58", 0, 0, {S, S, S, S}, tr_encode_base58},
    {"s", "decode.base58", 0, 0, {S, S, S, S}, tr_decode_base58},
    {"s", "encode.base64", 0, 0, {S, S, S, S}, tr_encode_base64},
    {"s", "decode.base64", 0, 0, {S, S, S, S}, tr_decode_base64},
    {"s", "encode.base64t", 0, 0, {S, S, S, S}, tr_encode_base64t},
    {"s", "decode.base64t", 0, 0, {S, S, S, S}, tr_decode_base64t},
    {"s", "encode.base64url", 0, 0, {S, S, S, S}, tr_encode_base64url},
    {"s", "decode.base64url", 0, 0, {S, S, S, S}, tr_decode_base64url},
    {"s", "encode.base64urlt", 0, 0, {S, S, S, S}, tr_encode_base64urlt},
    {"s", "decode.base64urlt", 0, 0, {S, S, S, S}, tr_decode_base64urlt},
    {"s", "escape.common", 0, 0, {S, S, S, S}, tr_escape_common},
    {"s", "unescape.common", 0, 0, {S, S, S, S}, tr_unescape_common},
    {"s", "escape.user", 0, 0, {S, S, S, S}, tr_escape_user},
    {"s", "unescape.user", 0, 0, {S, S, S, S}, tr_unescape_sip},
    {"s", "escape.param", 0, 0, {S, S, S, S}, tr_escape_param},
    {"s", "unescape.param", 0, 0, {S, S, S, S}, tr_unescape_sip},
    {"s", "escape.csv", 0, 0, {S, S, S, S}, tr_escape_csv},
    {"s", "numeric", 0, 0, {S, S, S, S}, tr_numeric},
    {"s", "tolower", 0, 0, {S, S, S, S}, tr_tolower},
    {"s", "toupper", 0, 0, {S, S, S, S}, tr_toupper},
    {"s", "strip", 1, 1, {I, S, S, S}, tr_strip},
    {"s", "striptail", 1, 1, {I, S, S, S}, tr_striptail},
    {"s", "stripto", 1, 1, {S, S, S, S}, tr_stripto},
    {"s", "prefixes", 0, 1, {I, S, S, S}, tr_prefixes},
    {"s", "prefixes.quoted", 0, 1, {I, S, S, S}, tr_prefixes_quoted},
    {"s", "replace", 2, 2, {S, S, S, S}, tr_replace},
    {"s", "ftime", 1, 1, {S, S, S, S}, tr_ftime},
    {"s", "trim", 0, 0, {S, S, S, S}, tr_trim},
    {"s", "rtrim", 0, 0, {S, S, S, S}, tr_rtrim},
    {"s", "ltrim", 0, 0, {S, S, S, S}, tr_ltrim},
    {"s", "rm", 1, 1, {S, S, S, S}, tr_rm},
    {"s", "rmws", 0, 0, {S, S, S, S}, tr_rmws},
    {"s", "corehash", 0, 1, {I, S, S, S}, tr_corehash},
    {"s", "unquote", 0, 0, {S, S, S, S}, tr_unquote},
    {"s", "unbracket", 0, 0, {S, S, S, S}, tr_unbracket},
    {"s", "count", 1, 1, {S, S, S, S}, tr_count},
    {"s", "before", 1, 1, {S, S, S, S}, tr_before},
    {"s", "after", 1, 1, {S, S, S, S}, tr_after},
    {"s", "rbefore", 1, 1, {S, S, S, S}, tr_rbefore},
    {"s", "rafter", 1, 1, {S, S, S, S}, tr_rafter},
    {"s", "fmtlines", 2, 2, {I, I, S, S}, tr_fmtlines},
    {"s", "fmtlinet", 2, 2, {I, I, S, S}, tr_fmtlinet},
    {"s", "urlencode.param", 0, 0, {S, S, S, S}, tr_urlencode_param},
    {"s", "urldecode.param", 0, 0, {S, S, S, S}, tr_urldecode_param},
};

}  // namespace

bool arg_text(const Value& a, char* buf, std::string_view& out) {
    if (a.is_str()) {
        out = a.s;
        return true;
    }
    if (a.is_int()) {
        out = int_to_str(a.i, buf);
        return true;
    }
    return false;
}

std::span<const TrDef> string_transformations() { return kStringTr; }

}  // namespace siphon::pv
