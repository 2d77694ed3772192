// JSON-RPC 2.0 over any transport: one request document in, one reply document out, as
// Kamailio's jsonrpcs builds it (same members, same pretty layout, same fault codes), with
// proper JSON-RPC errors where Kamailio sends nothing or an empty result (malformed JSON,
// invalid requests, wrongly typed parameters) and batch requests.
#pragma once

#include <string>
#include <string_view>

#include "modules/rpc/rpc.h"

namespace siphon::rpc {

class Runtime;

struct JsonrpcReply {
    int code = 200;              // HTTP status (Kamailio: the fault code, 200 on success)
    std::string reason = "OK";   // HTTP reason (Kamailio: the fault message)
    std::string body;            // empty: nothing to send (a batch of notifications)
    std::string reply_name;      // FIFO transport: the "reply_name" member of the request
};

// Handles one document (a request object or a batch array).
JsonrpcReply jsonrpc_process(Runtime& rt, std::string_view doc, bool pretty);

// Renders a value as JSON: pretty is cJSON's formatted layout (tabs, "key":<TAB>value),
// which Kamailio's jsonrpcs prints with pretty_format=1; otherwise compact.
std::string render_json(const Node& n, bool pretty);

// Parses JSON text into a Node (numbers: Int when integral and in range, else Double).
// Nesting deeper than max_depth is an error.
bool parse_json(std::string_view text, Node& out, std::string& err, int max_depth = 128);

// Where a JSON document ends in a stream ("{...}{...}"): the length of the first complete
// top-level value after leading whitespace, 0 when more bytes are needed, or npos when the
// text cannot start a JSON object or array.
size_t json_doc_length(std::string_view text);

}   // namespace siphon::rpc
