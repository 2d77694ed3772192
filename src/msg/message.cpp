#include "msg/message.h"

#include "msg/char_class.h"

namespace siphon::msg {

namespace {

using chars::lower;

// Canonical spellings, indexed by Hdr. Remote-Party-ID is Kamailio's HDR_RPID.
constexpr std::array<std::string_view, static_cast<size_t>(Hdr::kCount)> kCanonical = {
    "",
    "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Content-Length", "Content-Type",
    "Max-Forwards", "Record-Route", "Route", "User-Agent", "Server", "Allow", "Supported",
    "Require", "Proxy-Require", "Unsupported", "Event", "Expires", "Subject",
    "Content-Encoding", "Accept", "Accept-Language", "Authorization", "Proxy-Authorization",
    "WWW-Authenticate", "Proxy-Authenticate", "Date", "Organization", "Priority",
    "P-Asserted-Identity", "P-Preferred-Identity", "Refer-To", "Referred-By",
    "Session-Expires", "Min-SE", "Allow-Events", "Accept-Contact", "Reject-Contact",
    "Request-Disposition", "Identity", "Privacy", "Path", "Subscription-State", "Diversion",
    "Remote-Party-ID",
    "Host", "Connection", "Transfer-Encoding", "Expect", "Keep-Alive", "Upgrade", "TE",
    "Trailer",
};

struct Alias {
    std::string_view name;
    Hdr hdr;
};

// SIP compact forms, RFC 3261 7.3.3 and the RFCs that define the later ones (3265 o/u,
// 3515 r, 3892 b, 4028 x, 3841 a/j/d, 8224 y). Kamailio applies them to HTTP requests too.
constexpr Alias kCompact[] = {
    {"v", Hdr::Via},          {"f", Hdr::From},           {"t", Hdr::To},
    {"i", Hdr::CallId},       {"m", Hdr::Contact},        {"l", Hdr::ContentLength},
    {"c", Hdr::ContentType},  {"k", Hdr::Supported},      {"s", Hdr::Subject},
    {"e", Hdr::ContentEncoding}, {"o", Hdr::Event},       {"r", Hdr::ReferTo},
    {"b", Hdr::ReferredBy},   {"x", Hdr::SessionExpires}, {"u", Hdr::AllowEvents},
    {"a", Hdr::AcceptContact}, {"j", Hdr::RejectContact}, {"d", Hdr::RequestDisposition},
    {"y", Hdr::Identity},
};

constexpr size_t kMaxKnownName = 20;  // "P-Preferred-Identity"
constexpr size_t kSlots = 256;        // power of two, about 3.5x the number of names

constexpr char const_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

// Constant-time hash of a non-empty name: length, first, middle and last character. The
// multipliers were chosen so that the known names collide at most once (linear probing then
// finds any name within two slots).
template <class Lower>
constexpr uint32_t name_hash(std::string_view s, Lower lower_fn) {
    const size_t n = s.size();
    return static_cast<uint32_t>(n) * 7u + static_cast<uint8_t>(lower_fn(s[0])) * 41u +
           static_cast<uint8_t>(lower_fn(s[n - 1])) * 3u +
           static_cast<uint8_t>(lower_fn(s[n / 2]));
}

constexpr uint32_t name_hash_ct(std::string_view s) { return name_hash(s, const_lower); }

// Open-addressing table from the hash of a name to an entry (index + 1; 0 = empty). Built at
// compile time from the canonical and compact names; entries keep the name lowercased.
struct NameTable {
    struct Entry {
        std::array<char, kMaxKnownName> lower{};
        uint8_t len = 0;
        Hdr hdr = Hdr::Other;
    };
    std::array<Entry, static_cast<size_t>(Hdr::kCount) + std::size(kCompact)> entries{};
    std::array<uint8_t, kSlots> slots{};
    size_t count = 0;
    size_t max_probe = 0;

    constexpr void add(std::string_view name, Hdr h) {
        Entry& e = entries[count];
        for (size_t k = 0; k < name.size(); ++k) e.lower[k] = const_lower(name[k]);
        e.len = static_cast<uint8_t>(name.size());
        e.hdr = h;
        ++count;
        size_t i = name_hash_ct(name) & (kSlots - 1);
        size_t probe = 0;
        while (slots[i] != 0) {
            i = (i + 1) & (kSlots - 1);
            ++probe;
        }
        slots[i] = static_cast<uint8_t>(count);
        if (probe > max_probe) max_probe = probe;
    }
};

constexpr NameTable make_table() {
    NameTable t;
    for (size_t i = 1; i < kCanonical.size(); ++i) t.add(kCanonical[i], static_cast<Hdr>(i));
    for (const Alias& a : kCompact) t.add(a.name, a.hdr);
    return t;
}

constexpr NameTable kTable = make_table();

static_assert(kCanonical.back() == "Trailer", "kCanonical must follow the Hdr order");
static_assert(kTable.count < 255);
static_assert(kTable.max_probe <= 1, "re-tune name_hash: known names collide too often");

}  // namespace

Hdr header_token(std::string_view name) {
    const size_t n = name.size();
    if (n == 0 || n > kMaxKnownName) return Hdr::Other;
    const uint32_t h = name_hash(name, lower);
    for (size_t i = h & (kSlots - 1);; i = (i + 1) & (kSlots - 1)) {
        const uint8_t slot = kTable.slots[i];
        if (slot == 0) return Hdr::Other;
        const NameTable::Entry& e = kTable.entries[slot - 1];
        if (e.len != n) continue;
        size_t k = 0;
        while (k < n && lower(name[k]) == e.lower[k]) ++k;
        if (k == n) return e.hdr;
    }
}

std::string_view header_canonical_name(Hdr h) {
    const size_t i = static_cast<size_t>(h);
    return i < kCanonical.size() ? kCanonical[i] : std::string_view();
}

void Message::clear() {
    // The header array is not wiped: entries at or after header_count are meaningless.
    kind = Kind::SipRequest;
    raw = {};
    head = {};
    method = {};
    uri = {};
    version = {};
    status = 0;
    reason = {};
    http_minor = 1;
    header_count = 0;
    body = {};
    has_content_length = false;
    content_length = 0;
    chunked = false;
    expect_continue = false;
    conn_close = false;
    conn_keep_alive = false;
}

const Header* Message::find(Hdr h) const {
    for (size_t i = 0; i < header_count; ++i)
        if (headers[i].type == h) return &headers[i];
    return nullptr;
}

const Header* Message::find(std::string_view name) const {
    const Hdr h = header_token(name);
    if (h != Hdr::Other) return find(h);
    for (size_t i = 0; i < header_count; ++i)
        if (headers[i].type == Hdr::Other && chars::iequals(headers[i].name, name))
            return &headers[i];
    return nullptr;
}

}  // namespace siphon::msg
