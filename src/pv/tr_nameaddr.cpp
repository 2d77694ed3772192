// Name-address transformations, class "nameaddr" ({nameaddr.name}, {nameaddr.uri},
// {nameaddr.len}), and To-body transformations, class "tobody" ({tobody.uri},
// {tobody.display}, {tobody.tag}, {tobody.user}, {tobody.host}, {tobody.params}).
//
// nameaddr follows Kamailio 5.6.3's parse_nameaddr, measured:
//  - '"test" <sip:test@kamailio.net>;tag=1': name is the raw text before '<', quotes and
//    trailing space included ('"test" '), uri the text inside <>, len the length up to and
//    including '>' (30);
//  - a value without '<' is all URI: name "", uri the value, len its length;
//  - '<' without '>' fails (Kamailio returns a URI without its '<' and len 0 there).
// tobody reads the value as a To/From header body with the message parser
// (msg::parse_name_addr) and its URI with msg::parse_sip_uri; an unparsable body or URI fails,
// as in Kamailio. display keeps quotes ('"test"'), params is the text from the first
// parameter to the end ("tag=abc;x=1"), tag/user/host/display/params give "" when absent.
// Null, empty and integer values fail in both classes.
#include "msg/sip_parse.h"
#include "pv/transform_defs.h"

namespace siphon::pv {

namespace {

using Args = std::span<const Value>;

constexpr char kEmpty[] = "";

enum NaPart { kName, kUri, kLen };

template <int P>
bool tr_nameaddr(Value& v, Args, Arena&) {
    if (!v.is_str() || v.s.empty()) return false;
    std::string_view s = v.s;
    // '<' outside a quoted display name.
    size_t lt = std::string_view::npos;
    bool quoted = false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (quoted) {
            if (c == '\\' && i + 1 < s.size()) ++i;
            else if (c == '"') quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == '<') {
            lt = i;
            break;
        }
    }
    std::string_view name, uri;
    size_t len;
    if (lt == std::string_view::npos) {
        uri = s;
        len = s.size();
    } else {
        size_t gt = s.find('>', lt + 1);
        if (gt == std::string_view::npos) return false;
        name = s.substr(0, lt);
        uri = s.substr(lt + 1, gt - lt - 1);
        len = gt + 1;
    }
    switch (P) {
        case kName: return set_str(v, name);
        case kUri: return set_str(v, uri);
        default: v = Value::of_int(static_cast<int32_t>(len)); return true;
    }
}

enum TbPart { kTbUri, kTbDisplay, kTbTag, kTbUser, kTbHost, kTbParams };

template <int P>
bool tr_tobody(Value& v, Args, Arena&) {
    if (!v.is_str() || v.s.empty()) return false;
    msg::NameAddr na;
    msg::SipUri u;
    if (!msg::parse_name_addr(v.s, na) || !msg::parse_sip_uri(na.uri, u)) return false;
    switch (P) {
        case kTbUri: return set_str(v, na.uri);
        case kTbDisplay: return set_str(v, na.display);
        case kTbTag: return set_str(v, na.has_tag ? na.tag : std::string_view{});
        case kTbUser: return set_str(v, u.user);
        case kTbHost: return set_str(v, u.host);
        default: return set_str(v, na.params);
    }
}

constexpr TrArg S = TrArg::Str;

constexpr TrDef kNameaddrTr[] = {
    {"nameaddr", "name", 0, 0, {S, S, S, S}, tr_nameaddr<kName>},
    {"nameaddr", "uri", 0, 0, {S, S, S, S}, tr_nameaddr<kUri>},
    {"nameaddr", "len", 0, 0, {S, S, S, S}, tr_nameaddr<kLen>},
    {"tobody", "uri", 0, 0, {S, S, S, S}, tr_tobody<kTbUri>},
    {"tobody", "display", 0, 0, {S, S, S, S}, tr_tobody<kTbDisplay>},
    {"tobody", "tag", 0, 0, {S, S, S, S}, tr_tobody<kTbTag>},
    {"tobody", "user", 0, 0, {S, S, S, S}, tr_tobody<kTbUser>},
    {"tobody", "host", 0, 0, {S, S, S, S}, tr_tobody<kTbHost>},
    {"tobody", "params", 0, 0, {S, S, S, S}, tr_tobody<kTbParams>},
};

}  // namespace

std::span<const TrDef> nameaddr_transformations() { return kNameaddrTr; }

}  // namespace siphon::pv
