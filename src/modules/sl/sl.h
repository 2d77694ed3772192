// Stateless replies (module sl). SIP replies are built from the request as Kamailio's sl
// does (notes 4.1); HTTP replies are built as a correct HTTP/1.x server would (no Via
// leak, no SIP header reflection, HTTP version of the request, connection semantics).
// Other modules (xhttp) bind to these functions.
#pragma once

#include <string>
#include <string_view>

#include "cfg/module.h"
#include "pv/context.h"

namespace siphon::modules {

struct SlData : cfg::ModuleData {
    std::string server_line;   // "Server: ...\r\n" or "" (server_signature=no)
    std::string tag_prefix;    // 32 hex chars, constant for this instance
};

// Sends a SIP reply (request was SIP) or an HTTP reply without body (HTTP request).
// Returns 1 on success, -1 on failure (as the script functions do).
int sl_send(pv::Ctx& ctx, const SlData& sl, int code, std::string_view reason);

// Sends an HTTP reply for the current HTTP request. ctype "" omits Content-Type. Refuses
// (returns -1) CR/LF in reason or ctype, a code outside 100..700, an empty reason, and a
// second reply for the same request.
int http_send(pv::Ctx& ctx, const SlData& sl, int code, std::string_view reason,
              std::string_view ctype, std::string_view body);

}  // namespace siphon::modules
