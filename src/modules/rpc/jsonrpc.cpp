#include "modules/rpc/jsonrpc.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "modules/rpc/runtime.h"

namespace siphon::rpc {

namespace {

// Keys keep their order: params given as an object are taken positionally.
using json = nlohmann::ordered_json;

void escape_into(std::string& o, std::string_view s) {
    o += '"';
    for (unsigned char c : s) {
        switch (c) {
            case '"': o += "\\\""; break;
            case '\\': o += "\\\\"; break;
            case '\b': o += "\\b"; break;
            case '\f': o += "\\f"; break;
            case '\n': o += "\\n"; break;
            case '\r': o += "\\r"; break;
            case '\t': o += "\\t"; break;
            default:
                if (c < 0x20) {
                    char b[8];
                    std::snprintf(b, sizeof b, "\\u%04x", c);
                    o += b;
                } else {
                    o += static_cast<char>(c);
                }
        }
    }
    o += '"';
}

// cJSON's print_number.
void number_into(std::string& o, double d) {
    char b[64];
    if (!std::isfinite(d)) {
        o += "null";
        return;
    }
    if (std::fabs(std::floor(d) - d) <= std::numeric_limits<double>::epsilon() &&
        std::fabs(d) < 1.0e60)
        std::snprintf(b, sizeof b, "%.0f", d);
    else if (std::fabs(d) < 1.0e-6 || std::fabs(d) > 1.0e9)
        std::snprintf(b, sizeof b, "%e", d);
    else
        std::snprintf(b, sizeof b, "%f", d);
    o += b;
}

void render_into(std::string& o, const Node& n, bool pretty, int depth) {
    switch (n.type()) {
        case Node::Type::Null: o += "null"; break;
        case Node::Type::Int: o += std::to_string(n.as_int()); break;
        case Node::Type::Double: number_into(o, n.as_double()); break;
        case Node::Type::Bool: o += n.as_bool() ? "true" : "false"; break;
        case Node::Type::Str: escape_into(o, n.as_str()); break;
        case Node::Type::Array:
            o += '[';
            for (size_t i = 0; i < n.size(); ++i) {
                if (i) o += pretty ? ", " : ",";
                render_into(o, n.item(i), pretty, depth + 1);
            }
            o += ']';
            break;
        case Node::Type::Struct:
            o += '{';
            if (pretty) o += '\n';
            for (size_t i = 0; i < n.size(); ++i) {
                if (pretty) o.append(static_cast<size_t>(depth), '\t');
                escape_into(o, n.key(i));
                o += pretty ? ":\t" : ":";
                render_into(o, n.member(i), pretty, depth + 1);
                if (i + 1 < n.size()) o += ',';
                if (pretty) o += '\n';
            }
            if (pretty) o.append(static_cast<size_t>(depth > 0 ? depth - 1 : 0), '\t');
            o += '}';
            break;
    }
}

Node from_json(const json& j) {
    switch (j.type()) {
        case json::value_t::null: return Node();
        case json::value_t::boolean: return Node::boolean(j.get<bool>());
        case json::value_t::number_integer: return Node::integer(j.get<int64_t>());
        case json::value_t::number_unsigned: {
            uint64_t u = j.get<uint64_t>();
            if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                return Node::integer(static_cast<int64_t>(u));
            return Node::real(static_cast<double>(u));
        }
        case json::value_t::number_float: return Node::real(j.get<double>());
        case json::value_t::string: return Node::str(j.get_ref<const std::string&>());
        case json::value_t::array: {
            Node a = Node::array();
            for (auto& e : j)
                a.push(from_json(e));
            return a;
        }
        case json::value_t::object: {
            Node s = Node::structure();
            for (auto& [k, v] : j.items())
                s.set(k, from_json(v));
            return s;
        }
        default: return Node();
    }
}

// Whether the nesting depth of a JSON text, counted outside strings, stays within max.
bool depth_ok(std::string_view t, int max_depth) {
    int depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < t.size(); ++i) {
        char c = t[i];
        if (in_str) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"')
            in_str = true;
        else if (c == '[' || c == '{') {
            if (++depth > max_depth) return false;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return true;
}

bool parse(std::string_view text, json& out, int max_depth) {
    if (!depth_ok(text, max_depth)) return false;
    out = json::parse(text.begin(), text.end(), nullptr, false);
    return !out.is_discarded();
}

struct Single {
    Node response;   // the response object; Null for a notification in a batch
    int http_code = 200;
    std::string http_reason = "OK";
    std::string reply_name;
};

std::string_view std_message(int code) {
    // jsonrpcs_mod.c: _jsonrpc_error_table.
    switch (code) {
        case kParseError: return "Parse Error";
        case kInvalidRequest: return "Invalid Request";
        case -32601: return "Method Not Found";
        case kInvalidParams: return "Invalid Parameters";
        case kInternalError: return "Internal Error";
        case -32000: return "Execution Error";
        default: return "Unexpected Error";
    }
}

Node error_response(int code, std::string_view message, const Node* id) {
    Node r = Node::structure();
    r.set("jsonrpc", "2.0");
    Node& e = r.set("error", Node::structure());
    e.set("code", code);
    e.set("message", message);
    if (id)
        r.set("id", *id);
    else
        r.set("id", Node());
    return r;
}

void set_http(Single& s, int code, const std::string& message) {
    if (code >= 100 && code <= 599) {
        s.http_code = code;
        s.http_reason = message;
    } else {
        s.http_code =
            (code == kParseError || code == kInvalidRequest || code == kInvalidParams) ? 400 : 500;
        s.http_reason = std::string(std_message(code));
    }
    // The reason goes on the status line: no control characters.
    for (char& c : s.http_reason)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    if (s.http_reason.empty()) s.http_reason = "Error";
}

Single process_one(Runtime& rt, const json& req) {
    Single s;
    const Node* idp = nullptr;
    Node id;
    if (req.is_object()) {
        auto it = req.find("id");
        if (it != req.end()) {
            id = from_json(*it);
            idp = &id;
        }
    }
    auto invalid = [&](int code, std::string_view msg) {
        s.response = error_response(code, msg, idp);
        set_http(s, code, std::string(msg));
        return s;
    };
    if (!req.is_object()) return invalid(kInvalidRequest, "Invalid Request");
    auto ver = req.find("jsonrpc");
    if (ver == req.end() || !ver->is_string() || ver->get_ref<const std::string&>() != "2.0")
        return invalid(kInvalidRequest, "Invalid Request");
    auto meth = req.find("method");
    if (meth == req.end() || !meth->is_string()) return invalid(kInvalidRequest, "Invalid Request");
    auto rn = req.find("reply_name");
    if (rn != req.end() && rn->is_string()) s.reply_name = rn->get<std::string>();
    std::vector<Node> params;
    auto p = req.find("params");
    if (p != req.end()) {
        if (p->is_array()) {
            for (auto& e : *p)
                params.push_back(from_json(e));
        } else if (p->is_object()) {
            // Names are ignored, only the order counts (jsonrpcs docs, "Important Remarks").
            for (auto& [k, v] : p->items())
                params.push_back(from_json(v));
        } else if (!p->is_null()) {
            return invalid(kInvalidParams, "Invalid Parameters");
        }
    }
    Call c(rt, meth->get<std::string>(), std::move(params));
    rt.execute(c);
    Node r = Node::structure();
    r.set("jsonrpc", "2.0");
    if (c.failed()) {
        Node& e = r.set("error", Node::structure());
        e.set("code", c.fault_code());
        e.set("message", c.fault_message());
        set_http(s, c.fault_code(), c.fault_message());
    } else {
        r.set("result", c.take_result());
    }
    // jsonrpcs answers requests without id too, just without the id member.
    if (idp) r.set("id", id);
    s.response = std::move(r);
    return s;
}

}   // namespace

std::string render_json(const Node& n, bool pretty) {
    std::string o;
    render_into(o, n, pretty, 1);
    return o;
}

bool parse_json(std::string_view text, Node& out, std::string& err, int max_depth) {
    json j;
    if (!parse(text, j, max_depth)) {
        err = "invalid JSON";
        return false;
    }
    out = from_json(j);
    return true;
}

size_t json_doc_length(std::string_view t) {
    size_t i = 0;
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
        ++i;
    if (i == t.size()) return 0;
    if (t[i] != '{' && t[i] != '[') return std::string_view::npos;
    int depth = 0;
    bool in_str = false;
    for (; i < t.size(); ++i) {
        char c = t[i];
        if (in_str) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"')
            in_str = true;
        else if (c == '{' || c == '[')
            ++depth;
        else if (c == '}' || c == ']') {
            if (--depth == 0) return i + 1;
        }
    }
    return 0;
}

JsonrpcReply jsonrpc_process(Runtime& rt, std::string_view doc, bool pretty) {
    JsonrpcReply out;
    json req;
    if (!parse(doc, req, 128)) {
        // Kamailio logs "invalid json doc" and sends nothing (the client hangs); answer
        // with the JSON-RPC parse error instead.
        Single s;
        s.response = error_response(kParseError, std_message(kParseError), nullptr);
        set_http(s, kParseError, "");
        out.code = s.http_code;
        out.reason = s.http_reason;
        out.body = render_json(s.response, pretty);
        return out;
    }
    if (req.is_array()) {
        // JSON-RPC 2.0 batch: an array of responses, none for notifications.
        if (req.empty()) {
            Single s;
            s.response = error_response(kInvalidRequest, std_message(kInvalidRequest), nullptr);
            set_http(s, kInvalidRequest, "");
            out.code = s.http_code;
            out.reason = s.http_reason;
            out.body = render_json(s.response, pretty);
            return out;
        }
        Node all = Node::array();
        for (auto& r : req) {
            bool notification = r.is_object() && r.find("id") == r.end();
            Single s = process_one(rt, r);
            if (!notification) all.push(std::move(s.response));
        }
        if (all.size()) out.body = render_json(all, pretty);
        return out;
    }
    Single s = process_one(rt, req);
    out.code = s.http_code;
    out.reason = s.http_reason;
    out.reply_name = s.reply_name;
    out.body = render_json(s.response, pretty);
    return out;
}

}   // namespace siphon::rpc
