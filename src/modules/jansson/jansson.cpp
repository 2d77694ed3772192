// jansson: JSON documents held in script variables, with Kamailio 5.6's jansson module
// semantics: its path syntax ("a.b[0].c", walked exactly as jansson_path.c does), its
// parser's strictness (top level must be an object or an array, duplicate keys, "\u0000"
// and integers beyond 64 bits are errors) and its compact output (key order preserved,
// reals printed with 17 significant digits). Parsing and printing use nlohmann-json; the
// header is included here only.
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_set>
#include <vector>

#include "cfg/module.h"
#include "core/log.h"
#include "modules/modules.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;
using Json = nlohmann::ordered_json;

// jansson's JSON_PARSER_MAX_DEPTH.
constexpr size_t kMaxDepth = 2048;
// Deeper documents can be built with jansson_set(); printing stops here instead of
// exhausting the worker's stack.
constexpr size_t kMaxDumpDepth = 8192;

// ---- parsing --------------------------------------------------------------------------

// Builds the document from nlohmann's SAX events and applies the checks jansson's
// json_loads(JSON_REJECT_DUPLICATES) makes that nlohmann does not.
class StrictBuilder {
public:
    explicit StrictBuilder(Json& root) : root_(root) {}

    bool null() { return add(Json(nullptr)); }
    bool boolean(bool b) { return add(Json(b)); }
    bool number_integer(Json::number_integer_t v) { return add(Json(v)); }
    bool number_unsigned(Json::number_unsigned_t v) {
        // jansson keeps integers in a long long: bigger ones are a parse error.
        if (v > static_cast<uint64_t>(INT64_MAX)) return fail("too big integer");
        return add(Json(static_cast<int64_t>(v)));
    }
    bool number_float(Json::number_float_t v, const std::string& text) {
        // nlohmann turns an integer literal that overflows 64 bits into a double; jansson
        // rejects it.
        if (text.find_first_of(".eE") == std::string::npos)
            return fail(text[0] == '-' ? "too big negative integer" : "too big integer");
        if (!std::isfinite(v)) return fail("real number overflow");
        return add(Json(v));
    }
    bool string(std::string& s) {
        if (s.find('\0') != std::string::npos)
            return fail("\\u0000 is not allowed without JSON_ALLOW_NUL");
        return add(Json(std::move(s)));
    }
    bool binary(Json::binary_t&) { return fail("binary values are not JSON"); }
    bool start_object(size_t) { return open(Json::object()); }
    bool key(std::string& k) {
        if (k.find('\0') != std::string::npos)
            return fail("\\u0000 is not allowed without JSON_ALLOW_NUL");
        if (!stack_.back().keys.insert(k).second) return fail("duplicate object key");
        key_ = std::move(k);
        return true;
    }
    bool end_object() {
        stack_.pop_back();
        return true;
    }
    bool start_array(size_t) { return open(Json::array()); }
    bool end_array() {
        stack_.pop_back();
        return true;
    }
    bool parse_error(size_t pos, const std::string&, const Json::exception& ex) {
        if (err_.empty()) err_ = ex.what();
        (void)pos;
        return false;
    }

    const std::string& error() const { return err_; }

private:
    struct Frame {
        Json* j;
        std::unordered_set<std::string> keys;   // objects only: duplicate detection
    };

    bool fail(const char* msg) {
        if (err_.empty()) err_ = msg;
        return false;
    }
    // Appends v to the open container. The object's vector is appended to directly: the
    // duplicate check above already ran, and ordered_map's own insert is a linear search.
    Json* place(Json&& v) {
        Json& parent = *stack_.back().j;
        if (parent.is_array()) {
            auto& arr = parent.get_ref<Json::array_t&>();
            arr.push_back(std::move(v));
            return &arr.back();
        }
        auto& obj = parent.get_ref<Json::object_t&>();
        auto& vec = static_cast<std::vector<std::pair<const std::string, Json>>&>(obj);
        vec.emplace_back(std::move(key_), std::move(v));
        return &vec.back().second;
    }
    bool add(Json&& v) {
        // jansson without JSON_DECODE_ANY: a bare scalar is not a document.
        if (stack_.empty()) return fail("'[' or '{' expected");
        place(std::move(v));
        return true;
    }
    bool open(Json&& c) {
        if (stack_.size() >= kMaxDepth) return fail("maximum parsing depth reached");
        Json* p;
        if (stack_.empty()) {
            root_ = std::move(c);
            p = &root_;
        } else {
            // The pointer stays valid: the parent is not touched while this child is open.
            p = place(std::move(c));
        }
        stack_.push_back({p, {}});
        return true;
    }

    Json& root_;
    std::vector<Frame> stack_;
    std::string key_;
    std::string err_;
};

// json_loads() stops at the first NUL of its C string; so does this.
std::string_view until_nul(std::string_view s) {
    size_t z = s.find('\0');
    return z == std::string_view::npos ? s : s.substr(0, z);
}

bool parse_json(std::string_view text, Json& out, std::string& err) {
    text = until_nul(text);
    StrictBuilder b(out);
    bool ok = false;
    try {
        ok = Json::sax_parse(text.begin(), text.end(), &b);
    } catch (const std::exception& e) {
        err = e.what();
        return false;
    }
    if (!ok) err = b.error().empty() ? "invalid JSON" : b.error();
    return ok;
}

// Logs a parse failure as jansson_get does: the text, then the reason. Long documents are
// cut so one bad request cannot flood the log.
void log_parse_error(std::string_view what, std::string_view text, const std::string& err) {
    int n = static_cast<int>(text.size() > 256 ? 256 : text.size());
    SLOG_ERR("jansson", "failed to parse %.*s: %.*s%s", static_cast<int>(what.size()),
             what.data(), n, text.data(), text.size() > 256 ? "..." : "");
    SLOG_ERR("jansson", "json error: %s", err.c_str());
}

// ---- printing -------------------------------------------------------------------------

// jansson's jsonp_dtostr() with the default precision (17): "%.17g", ".0" added when the
// text would read back as an integer, exponent without '+' and leading zeros ("1e300").
void dump_real(double d, std::string& out) {
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%.17g", d);
    if (n <= 0 || static_cast<size_t>(n) >= sizeof buf - 3) return;
    std::string s(buf, static_cast<size_t>(n));
    if (s.find('.') == std::string::npos && s.find('e') == std::string::npos) s += ".0";
    size_t e = s.find('e');
    if (e != std::string::npos) {
        size_t start = e + 1;
        size_t end = start + 1;
        if (s[start] == '-') ++start;
        while (end < s.size() && s[end] == '0') ++end;
        if (end != start) s.erase(start, end - start);
    }
    out += s;
}

// jansson's dump_string() without JSON_ENSURE_ASCII / JSON_ESCAPE_SLASH: only '"', '\\'
// and control characters are escaped, the short forms where JSON has them, else
// "\u00XX" with upper-case hex. Non-ASCII UTF-8 is copied as is.
void dump_string(std::string_view s, std::string& out) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04X", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
}

// json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER).
bool dump(const Json& j, std::string& out, size_t depth = 0) {
    if (depth > kMaxDumpDepth) return false;
    switch (j.type()) {
        case Json::value_t::null: out += "null"; return true;
        case Json::value_t::boolean: out += j.get<bool>() ? "true" : "false"; return true;
        case Json::value_t::number_integer: out += std::to_string(j.get<int64_t>()); return true;
        case Json::value_t::number_unsigned: out += std::to_string(j.get<uint64_t>()); return true;
        case Json::value_t::number_float: dump_real(j.get<double>(), out); return true;
        case Json::value_t::string: dump_string(j.get_ref<const std::string&>(), out); return true;
        case Json::value_t::array: {
            out += '[';
            bool first = true;
            for (const Json& e : j) {
                if (!first) out += ',';
                first = false;
                if (!dump(e, out, depth + 1)) return false;
            }
            out += ']';
            return true;
        }
        case Json::value_t::object: {
            out += '{';
            bool first = true;
            for (const auto& kv : j.get_ref<const Json::object_t&>()) {
                if (!first) out += ',';
                first = false;
                dump_string(kv.first, out);
                out += ':';
                if (!dump(kv.second, out, depth + 1)) return false;
            }
            out += '}';
            return true;
        }
        default: return false;
    }
}

// ---- values into script variables ------------------------------------------------------

// jansson_to_val() as measured on 5.6.3: objects and arrays as compact JSON text, strings
// as they are, true/false as 1/0, reals as "%.15g" text, integers as ints when they fit 32
// bits and as decimal text otherwise, null as $null (a $var then reads 0).
bool to_value(pv::Ctx& ctx, const Json& j, Value& out) {
    switch (j.type()) {
        case Json::value_t::object:
        case Json::value_t::array: {
            std::string s;
            if (!dump(j, s)) {
                SLOG_ERR("jansson", "JSON value too deeply nested to print");
                return false;
            }
            out = Value::of_str(ctx.w.arena.copy(s));
            return true;
        }
        case Json::value_t::string:
            out = Value::of_str(ctx.w.arena.copy(j.get_ref<const std::string&>()));
            return true;
        case Json::value_t::boolean: out = Value::of_int(j.get<bool>() ? 1 : 0); return true;
        case Json::value_t::number_float: {
            char buf[64];
            int n = std::snprintf(buf, sizeof buf, "%.15g", j.get<double>());
            out = Value::of_str(ctx.w.arena.copy(std::string_view(buf, static_cast<size_t>(n))));
            return true;
        }
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned: {
            int64_t v = j.is_number_unsigned() ? static_cast<int64_t>(j.get<uint64_t>())
                                               : j.get<int64_t>();
            if (v >= INT32_MIN && v <= INT32_MAX) {
                out = Value::of_int(static_cast<int32_t>(v));
            } else {
                out = Value::of_str(ctx.w.arena.copy(std::to_string(v)));
            }
            return true;
        }
        case Json::value_t::null: out = Value::null(); return true;
        default: return false;
    }
}

// ---- paths ----------------------------------------------------------------------------

Json* object_get(Json* j, const char* key) {
    if (!j || !j->is_object()) return nullptr;
    auto it = j->find(key);
    return it == j->end() ? nullptr : &*it;
}
Json* array_get(Json* j, size_t index) {
    if (!j || !j->is_array() || index >= j->size()) return nullptr;
    return &(*j)[index];
}

// json_path_get() of jansson_path.c, step for step: '.' separates keys, "[n]" indexes
// arrays (n read by strtol base 0, so "0x1" and "" work), a trailing '.' is ignored, an
// empty path is the whole document, anything else that does not resolve is null.
Json* path_get(Json& root, std::string_view path_in) {
    static constexpr const char* kDelims = ".[";
    static constexpr const char* kClose = "]";
    std::string buf(until_nul(path_in));
    char* peek = buf.data();
    char* token = buf.data();
    Json* cursor = &root;
    const char* expect = kDelims;
    char delim = '\0';
    if (*token == '[') {
        expect = kClose;
        ++token;
    }
    while (peek && *peek && cursor) {
        char* last_peek = peek;
        peek = std::strpbrk(peek, expect);
        if (peek) {
            if (!token && peek != last_peek) return nullptr;
            delim = *peek;
            *peek++ = '\0';
        } else if (expect != kDelims || !token) {
            return nullptr;
        }
        if (expect == kDelims) {
            if (token) cursor = object_get(cursor, token);
            expect = delim == '[' ? kClose : kDelims;
            token = peek;
        } else {
            char* end;
            size_t index = static_cast<size_t>(std::strtol(token, &end, 0));
            if (*end) return nullptr;
            cursor = array_get(cursor, index);
            token = nullptr;
            expect = kDelims;
        }
    }
    return cursor;
}

// json_object_set(): replaces in place (keeping the key's position) or appends.
void object_set(Json& obj, const std::string& key, const Json& v) { obj[key] = v; }

// json_path_set() of jansson_path.c with its append mode: intermediate objects are created
// for missing keys followed by '.', arrays are never created, an index must exist. The
// end of the path decides: a key sets (or, appending, extends the array or merges the
// object found there), an index replaces that element, an empty key appends to the
// current array or merges into the current object. Returns false (logged) on failure.
bool path_set(Json& root, std::string_view path_in, const Json& value, bool append) {
    static constexpr const char* kDelims = ".[";
    static constexpr const char* kClose = "]";
    std::string buf(until_nul(path_in));
    char* base = buf.data();
    char* peek = base;
    char* token = base;
    Json* cursor = &root;
    Json* parent = nullptr;
    const char* expect = kDelims;
    char delim = '\0';
    long index_saved = -1;
    auto pos = [&](const char* p) { return p ? static_cast<long>(p - base) : 0L; };
    if (*token == '[') {
        expect = kClose;
        ++token;
    }
    while (peek && *peek && cursor) {
        char* last_peek = peek;
        peek = std::strpbrk(last_peek, expect);
        if (peek) {
            if (!token && peek != last_peek) {
                SLOG_ERR("jansson", "unexpected trailing chars in JSON path at pos %ld",
                         pos(last_peek));
                return false;
            }
            delim = *peek;
            *peek++ = '\0';
        } else {
            if (expect == kDelims) break;
            SLOG_ERR("jansson", "missing ']' in JSON path \"%s\"", std::string(path_in).c_str());
            return false;
        }
        if (expect == kDelims) {
            if (token) {
                if (token[0] == '\0') {
                    SLOG_ERR("jansson", "empty token at pos %ld", pos(peek));
                    return false;
                }
                parent = cursor;
                cursor = object_get(parent, token);
                if (!cursor) {
                    if (!parent->is_object()) {
                        SLOG_ERR("jansson", "object expected at pos %ld", pos(peek));
                        return false;
                    }
                    if (delim != '.') {
                        SLOG_ERR("jansson", "new array is not allowed at pos %ld", pos(peek));
                        return false;
                    }
                    object_set(*parent, token, Json::object());
                    cursor = object_get(parent, token);
                }
            }
            expect = delim == '[' ? kClose : kDelims;
            token = peek;
        } else {
            parent = cursor;
            if (!parent->is_array()) {
                SLOG_ERR("jansson", "array expected at pos %ld", pos(peek));
                return false;
            }
            char* end;
            long index = std::strtol(token, &end, 0);
            if (*end) {
                SLOG_ERR("jansson", "invalid array index at pos %ld", pos(peek));
                return false;
            }
            cursor = array_get(parent, static_cast<size_t>(index));
            if (!cursor) {
                SLOG_ERR("jansson", "array index out of bound at pos %ld", pos(peek));
                return false;
            }
            index_saved = index;
            token = nullptr;
            expect = kDelims;
        }
    }

    if (token && append) {
        Json* target = *token ? object_get(cursor, token) : cursor;
        if (target && target->is_array()) {
            target->push_back(value);
        } else if (target && target->is_object() && value.is_object()) {
            for (const auto& kv : value.get_ref<const Json::object_t&>())
                object_set(*target, kv.first, kv.second);
        } else {
            SLOG_ERR("jansson", "JSON array or object expected at pos %ld", pos(peek));
            return false;
        }
    } else if (token && *token) {
        if (!cursor->is_object()) {
            SLOG_ERR("jansson", "JSON object expected at pos %ld", pos(peek));
            return false;
        }
        object_set(*cursor, token, value);
    } else if (index_saved != -1 && parent && parent->is_array()) {
        (*parent)[static_cast<size_t>(index_saved)] = value;
    } else {
        SLOG_ERR("jansson", "invalid JSON path at pos %ld", pos(peek));
        return false;
    }
    return true;
}

// ---- script functions -----------------------------------------------------------------

// Reads a string argument. A parameter that is exactly one variable ("$var(json)") is read
// directly, so documents longer than pv_buffer_size work as they do in Kamailio.
bool arg_text(CallArgs& a, size_t i, std::string_view& out) {
    const cfg::FixedArg& f = a.args[i];
    if (f.kind == ArgKind::Str && f.fmt.segs.size() == 1 && f.fmt.segs[0].pv) {
        Value v;
        if (!pv::get_pv(a.ctx, *f.fmt.segs[0].pv, v)) {
            out = "<null>";
            return true;
        }
        out = pv::value_text(a.ctx, v);
        return true;
    }
    return a.str(i, out);
}

bool store(pv::Ctx& ctx, const pv::PvSpec& dst, const Value& v) {
    if (!pv::set_pv(ctx, dst, v)) {
        SLOG_ERR("jansson", "cannot set %s", dst.text.c_str());
        return false;
    }
    return true;
}

int get_impl(CallArgs& a, std::string_view path, std::string_view src, const pv::PvSpec& dst) {
    try {
        Json doc;
        std::string err;
        if (!parse_json(src, doc, err)) {
            log_parse_error("json", src, err);
            return -1;
        }
        // A missing path is false and leaves the destination unchanged (notes 7).
        Json* v = path_get(doc, path);
        if (!v) return -1;
        Value out;
        if (!to_value(a.ctx, *v, out)) return -1;
        return store(a.ctx, dst, out) ? 1 : -1;
    } catch (const std::exception& e) {
        SLOG_ERR("jansson", "%s", e.what());
        return -1;
    }
}

// The path and the document are parameters path_i and json_i; the result goes to param 2.
int get_from_args(CallArgs& a, size_t path_i, size_t json_i) {
    std::string_view path, src;
    if (!arg_text(a, json_i, src)) {
        SLOG_ERR("jansson", "cannot get json string value");
        return -1;
    }
    if (!a.str(path_i, path)) {
        SLOG_ERR("jansson", "cannot get path string value");
        return -1;
    }
    return get_impl(a, path, src, *a.args[2].pv);
}

// jansson_get(path, json, $dst)
int w_jansson_get(CallArgs& a) { return get_from_args(a, 0, 1); }

// jansson_get_field(json, field, $dst): in 5.6 the same as jansson_get with the first two
// parameters swapped, so the field is read as a path (measured: "a.b" finds {"a":{"b":..}}).
int w_jansson_get_field(CallArgs& a) { return get_from_args(a, 1, 0); }

// jansson_pv_get(path, $src, $dst): the document is the value of a variable.
int w_jansson_pv_get(CallArgs& a) {
    std::string_view path;
    if (!a.str(0, path)) {
        SLOG_ERR("jansson", "cannot get path string value");
        return -1;
    }
    Value v;
    if (!pv::get_pv(a.ctx, *a.args[1].pv, v) || !v.is_str()) {
        SLOG_ERR("jansson", "cannot get json string value");
        return -1;
    }
    return get_impl(a, path, v.s, *a.args[2].pv);
}

// jansson_array_size(path, json, $dst)
int w_jansson_array_size(CallArgs& a) {
    std::string_view path, src;
    if (!arg_text(a, 1, src)) {
        SLOG_ERR("jansson", "cannot get json string value");
        return -1;
    }
    if (!a.str(0, path)) {
        SLOG_ERR("jansson", "cannot get path string value");
        return -1;
    }
    try {
        Json doc;
        std::string err;
        if (!parse_json(src, doc, err)) {
            log_parse_error("json", src, err);
            return -1;
        }
        Json* v = path_get(doc, path);
        if (!v) {
            SLOG_ERR("jansson", "failed to find %.*s in json", static_cast<int>(path.size()),
                     path.data());
            return -1;
        }
        if (!v->is_array()) {
            SLOG_ERR("jansson", "value at %.*s is not an array", static_cast<int>(path.size()),
                     path.data());
            return -1;
        }
        int32_t n = static_cast<int32_t>(v->size());
        return store(a.ctx, *a.args[2].pv, Value::of_int(n)) ? 1 : -1;
    } catch (const std::exception& e) {
        SLOG_ERR("jansson", "%s", e.what());
        return -1;
    }
}

bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;
        for (size_t k = 1; k <= n; ++k) {
            unsigned char cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

// The value for jansson_set/jansson_append from its type name, as janssonmod_set() reads it:
// numbers with strtoll/strtod (whole text, leading blanks allowed, "" is 0, out-of-range
// integers clamp), objects and arrays parsed, strings must be UTF-8. Returns false (logged).
bool make_value(std::string_view type, std::string_view text, Json& out) {
    std::string s(until_nul(text));
    if (type == "object" || type == "obj" || type == "array") {
        bool want_obj = type != "array";
        std::string err;
        if (!parse_json(s, out, err)) {
            SLOG_ERR("jansson", "parsing failed for \"%s\"", s.c_str());
            SLOG_ERR("jansson", "value error: %s", err.c_str());
            return false;
        }
        if (want_obj ? !out.is_object() : !out.is_array()) {
            SLOG_ERR("jansson", "value to add is not an %s", want_obj ? "object" : "array");
            return false;
        }
        return true;
    }
    if (type == "string" || type == "str") {
        if (!valid_utf8(s)) {
            SLOG_ERR("jansson", "value to add is not a string");
            return false;
        }
        out = Json(std::move(s));
        return true;
    }
    if (type == "integer" || type == "int") {
        char* end;
        errno = 0;
        long long v = std::strtoll(s.c_str(), &end, 10);
        if (*end) {
            SLOG_ERR("jansson", "parsing int failed for \"%s\"", s.c_str());
            return false;
        }
        out = Json(static_cast<int64_t>(v));
        return true;
    }
    if (type == "real") {
        char* end;
        double d = std::strtod(s.c_str(), &end);
        if (*end) {
            SLOG_ERR("jansson", "parsing real failed for \"%s\"", s.c_str());
            return false;
        }
        // json_real() refuses NaN and infinities.
        if (!std::isfinite(d)) {
            SLOG_ERR("jansson", "value to add is not a real");
            return false;
        }
        out = Json(d);
        return true;
    }
    if (type == "true") {
        out = Json(true);
        return true;
    }
    if (type == "false") {
        out = Json(false);
        return true;
    }
    if (type == "null") {
        out = Json(nullptr);
        return true;
    }
    SLOG_ERR("jansson", "unrecognized input type \"%.*s\"", static_cast<int>(type.size()),
             type.data());
    return false;
}

int set_impl(CallArgs& a, bool append) {
    std::string_view type, path, text;
    if (!a.str(0, type)) {
        SLOG_ERR("jansson", "cannot get type string value");
        return -1;
    }
    if (!arg_text(a, 2, text)) {
        SLOG_ERR("jansson", "cannot get value string");
        return -1;
    }
    if (!a.str(1, path)) {
        SLOG_ERR("jansson", "cannot get path string value");
        return -1;
    }
    const pv::PvSpec& dst = *a.args[3].pv;
    try {
        Json value;
        if (!make_value(type, text, value)) return -1;
        // The document is the variable's current text; a variable that holds no string
        // (unset, an int) starts a new object, as in Kamailio.
        Value cur;
        std::string_view doc_text = "{}";
        if (pv::get_pv(a.ctx, dst, cur) && cur.is_str()) doc_text = cur.s;
        Json doc;
        std::string err;
        if (!parse_json(doc_text, doc, err)) {
            log_parse_error("result", doc_text, err);
            return -1;
        }
        if (!path_set(doc, path, value, append)) return -1;
        std::string out;
        if (!dump(doc, out)) {
            SLOG_ERR("jansson", "JSON document too deeply nested to print");
            return -1;
        }
        return store(a.ctx, dst, Value::of_str(a.ctx.w.arena.copy(out))) ? 1 : -1;
    } catch (const std::exception& e) {
        SLOG_ERR("jansson", "%s", e.what());
        return -1;
    }
}

// jansson_set(type, path, value, $json)
int w_jansson_set(CallArgs& a) { return set_impl(a, false); }
// jansson_append(type, path, value, $json)
int w_jansson_append(CallArgs& a) { return set_impl(a, true); }

// The destination must be writable (Kamailio would crash on a read-only one).
std::string fix_writable(std::span<cfg::FixedArg> args, cfg::ModuleData*) {
    const cfg::FixedArg& f = args.back();
    if (f.pv && !pv::pv_writable(*f.pv)) return "result variable " + f.pv->text + " is read-only";
    return "";
}

}  // namespace

const cfg::ModuleDef kJanssonModule{
    .name = "jansson",
    .functions =
        {
            {"jansson_get", {ArgKind::Str, ArgKind::Str, ArgKind::Pv}, 3, pv::kAnyRoute,
             w_jansson_get, fix_writable},
            {"jansson_pv_get", {ArgKind::Str, ArgKind::Pv, ArgKind::Pv}, 3, pv::kAnyRoute,
             w_jansson_pv_get, fix_writable},
            {"jansson_get_field", {ArgKind::Str, ArgKind::Str, ArgKind::Pv}, 3, pv::kAnyRoute,
             w_jansson_get_field, fix_writable},
            {"jansson_array_size", {ArgKind::Str, ArgKind::Str, ArgKind::Pv}, 3, pv::kAnyRoute,
             w_jansson_array_size, fix_writable},
            {"jansson_set", {ArgKind::Str, ArgKind::Str, ArgKind::Str, ArgKind::Pv}, 4,
             pv::kAnyRoute, w_jansson_set, fix_writable},
            {"jansson_append", {ArgKind::Str, ArgKind::Str, ArgKind::Str, ArgKind::Pv}, 4,
             pv::kAnyRoute, w_jansson_append, fix_writable},
        },
};

}  // namespace siphon::modules
