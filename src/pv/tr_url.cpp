// HTTP URL transformations, class "url" ({url.path}, {url.querystring}), as provided by
// Kamailio 5.6.3's xhttp module:
//  - path: the part before the first '?' (the whole value when there is none); no decoding;
//  - querystring: everything after the first '?', including any "#fragment"; "" without '?'.
// A null value fails. An integer value is returned unchanged by both (Kamailio keeps its
// integer type, so even {url.querystring} of 123 is 123).
#include "pv/transform_defs.h"

namespace siphon::pv {

namespace {

using Args = std::span<const Value>;

constexpr char kEmpty[] = "";

bool tr_url_part(Value& v, bool query) {
    if (v.is_int()) return true;
    if (!v.is_str()) return false;
    std::string_view s = v.s;
    size_t q = s.find('?');
    std::string_view part;
    if (query) {
        part = q == std::string_view::npos ? std::string_view(kEmpty, 0) : s.substr(q + 1);
    } else {
        part = q == std::string_view::npos ? s : s.substr(0, q);
    }
    if (part.empty()) part = std::string_view(kEmpty, 0);
    v = Value::of_str(part);
    return true;
}

bool tr_url_path(Value& v, Args, Arena&) { return tr_url_part(v, false); }
bool tr_url_querystring(Value& v, Args, Arena&) { return tr_url_part(v, true); }

constexpr TrArg S = TrArg::Str;

constexpr TrDef kUrlTr[] = {
    {"url", "path", 0, 0, {S, S, S, S}, tr_url_path},
    {"url", "querystring", 0, 0, {S, S, S, S}, tr_url_querystring},
};

}  // namespace

std::span<const TrDef> url_transformations() { return kUrlTr; }

}  // namespace siphon::pv
