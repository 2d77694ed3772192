// Parsers for the SIP header bodies the core needs. All take a view (normally a
// Header::value) and fill views into it; they never allocate. Each returns false on
// malformed input.
#pragma once

#include <cstdint>
#include <string_view>

namespace siphon::msg {

// sip:/sips:/tel: URI, RFC 3261 19.1. "sip:user:pass@host:port;params?headers".
struct SipUri {
    std::string_view scheme;   // "sip", "sips", "tel" (as written)
    std::string_view user;
    std::string_view password;
    std::string_view host;     // IPv6 references keep their brackets
    std::string_view port;     // text, empty if absent
    uint16_t port_no = 0;      // 0 if absent
    std::string_view params;   // after the first ';' up to '?' (without the leading ';')
    std::string_view headers;  // after '?'
    std::string_view transport;  // value of the transport param, if any
};
bool parse_sip_uri(std::string_view s, SipUri& out);

// Value of parameter `name` (case-insensitive) in a ';'-separated list like "a=1;lr;b=2".
// found=true with an empty value for a flag parameter.
bool find_param(std::string_view params, std::string_view name, std::string_view& value);

// One Via entry (the first one if the header value holds several comma-separated).
struct Via {
    std::string_view protocol;   // "SIP/2.0/UDP" transport part: "UDP"
    std::string_view transport;
    std::string_view host;       // sent-by host
    std::string_view port;       // sent-by port text, may be empty
    uint16_t port_no = 0;
    std::string_view params;     // after the first ';' (without it), up to ',' or end
    std::string_view branch;
    bool has_rport = false;
    std::string_view rport;      // empty if "rport" without value
    bool has_received = false;
    std::string_view received;
    // Offsets into the parsed view, for editing: where params end (insertion point for
    // ";received=") and, if rport is present without value, the offset just after "rport".
    size_t params_end = 0;
    size_t rport_end = 0;
};
bool parse_via(std::string_view s, Via& out);

struct CSeq {
    std::string_view number;
    uint32_t num = 0;
    std::string_view method;
};
bool parse_cseq(std::string_view s, CSeq& out);

// name-addr or addr-spec with parameters: From, To, Contact, Record-Route entry.
// '"Alice" <sip:a@b>;tag=x' -> display "\"Alice\"", uri "sip:a@b", params "tag=x", tag "x".
struct NameAddr {
    std::string_view display;
    std::string_view uri;
    std::string_view params;
    std::string_view tag;
    bool has_tag = false;
};
bool parse_name_addr(std::string_view s, NameAddr& out);

}  // namespace siphon::msg
