// Helpers for the module tests: a config with extra modules loaded, and SIP requests
// carrying test input in headers (JSON and paths need no escaping there).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../cfg/test_util.h"

namespace siphon::cfg::test {

// The common preamble, then `head` (loadmodule/modparam/core lines), request_route `body`
// and any extra blocks.
inline std::string module_cfg(std::string_view head, std::string_view body,
                              std::string_view extra = {}) {
    std::string s = preamble();
    s += head;
    s += "\nrequest_route {\n";
    s += body;
    s += "\n}\n";
    s += extra;
    s += "\nevent_route[xhttp:request] {\n    xhttp_reply(\"200\", \"OK\", \"\", \"\");\n}\n";
    return s;
}

// An OPTIONS request with extra headers.
inline std::string sip_request(const std::vector<std::pair<std::string, std::string>>& hdrs) {
    std::string s =
        "OPTIONS sip:alice@example.com SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1;rport\r\n"
        "From: <sip:bob@example.org>;tag=f1\r\n"
        "To: <sip:alice@example.com>\r\n"
        "Call-ID: cid-1@192.0.2.1\r\n"
        "CSeq: 10 OPTIONS\r\n"
        "Max-Forwards: 70\r\n";
    for (const auto& [n, v] : hdrs) s += n + ": " + v + "\r\n";
    s += "Content-Length: 0\r\n\r\n";
    return s;
}

}  // namespace siphon::cfg::test
