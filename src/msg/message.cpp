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

constexpr uint32_t name_hash_ct(std::string_view s) {
    uint32_t h = static_cast<uint32_t>(s.size());
    for (char c : s) h = h * 31u + static_cast<uint8_t>(const_lower(c));
    return h;
}

// Open-addressing table from hash(lowercased name) to an index into kEntries (+1; 0 = empty).
// Built at compile time from the canonical and compact names.
struct NameTable {
    struct Entry {
        std::string_view name;  // canonical or compact spelling
        Hdr hdr = Hdr::Other;
    };
    std::array<Entry, static_cast<size_t>(Hdr::kCount) + std::size(kCompact)> entries{};
    std::array<uint8_t, kSlots> slots{};
    size_t count = 0;

    constexpr void add(std::string_view name, Hdr h) {
        entries[count] = Entry{name, h};
        ++count;
        size_t i = name_hash_ct(name) & (kSlots - 1);
        while (slots[i] != 0) i = (i + 1) & (kSlots - 1);
        slots[i] = static_cast<uint8_t>(count);
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

}  // namespace

Hdr header_token(std::string_view name) {
    const size_t n = name.size();
    if (n == 0 || n > kMaxKnownName) return Hdr::Other;
    uint32_t h = static_cast<uint32_t>(n);
    for (char c : name) h = h * 31u + static_cast<uint8_t>(lower(c));
    for (size_t i = h & (kSlots - 1);; i = (i + 1) & (kSlots - 1)) {
        const uint8_t slot = kTable.slots[i];
        if (slot == 0) return Hdr::Other;
        const NameTable::Entry& e = kTable.entries[slot - 1];
        if (chars::iequals(e.name, name)) return e.hdr;
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
