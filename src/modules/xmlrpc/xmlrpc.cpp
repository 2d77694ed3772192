// xmlrpc: Kamailio's XML-RPC interface to the RPC commands. HTTP GET/POST requests whose URL
// passes url_skip/url_match are taken before xhttp and run the route named by the `route`
// parameter (request_route by default), where dispatch_rpc() executes the method call in the
// body. Replies are always 200 OK; errors are XML-RPC faults (faultCode/faultString).
#include "modules/xmlrpc/xmlrpc.h"

#include <re2/re2.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "cfg/interp.h"
#include "core/log.h"
#include "modules/modules.h"
#include "modules/rpc/runtime.h"
#include "modules/sl/sl.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;
using rpc::Node;

// ---- XML-RPC documents --------------------------------------------------------------

class XmlReader {
public:
    explicit XmlReader(std::string_view t) : t_(t) {}

    bool parse_call(std::string& method, std::vector<Node>& params, std::string& err) {
        // The fault strings are xmlrpc.c's (open_doc()).
        skip_prolog();
        ws();
        size_t root = p_;
        if (!open("methodCall")) {
            bool element = p_ + 1 < t_.size() && t_[p_] == '<' &&
                           std::isalpha(static_cast<unsigned char>(t_[p_ + 1]));
            return fail(err, element && complete(root) ? "Root Element Is Not methodCall"
                                                       : kInvalidDoc);
        }
        if (!open("methodName"))
            return fail(err, complete(root) ? "Method Name Not Found" : kInvalidDoc);
        method = text_until('<');
        if (!close("methodName")) return fail(err, kInvalidDoc);
        if (open("params")) {
            while (open("param")) {
                Node v;
                if (!value(v, 0)) return fail(err, kInvalidDoc);
                if (!close("param")) return fail(err, kInvalidDoc);
                params.push_back(std::move(v));
            }
            if (!close("params")) return fail(err, kInvalidDoc);
        } else {
            empty_tag("params");
        }
        if (!close("methodCall")) return fail(err, kInvalidDoc);
        return true;
    }

private:
    static constexpr const char* kInvalidDoc = "Invalid XML-RPC Document";
    // Whether the document ends with the closing tag of the element whose start tag is at
    // `at` (tells a truncated document from a complete one of the wrong structure).
    bool complete(size_t at) const {
        if (at >= t_.size() || t_[at] != '<') return false;
        size_t e = at + 1;
        while (e < t_.size() && t_[e] != '>' && t_[e] != ' ' && t_[e] != '/' && t_[e] != '\t' &&
               t_[e] != '\r' && t_[e] != '\n')
            ++e;
        std::string close_tag = "</" + std::string(t_.substr(at + 1, e - at - 1)) + ">";
        size_t end = t_.size();
        while (end > 0 && (t_[end - 1] == ' ' || t_[end - 1] == '\t' || t_[end - 1] == '\r' ||
                           t_[end - 1] == '\n'))
            --end;
        return close_tag.size() > 3 && end >= close_tag.size() &&
               t_.compare(end - close_tag.size(), close_tag.size(), close_tag) == 0;
    }
    static bool fail(std::string& err, const char* what) {
        err = what;
        return false;
    }
    void ws() {
        while (p_ < t_.size() &&
               (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\r' || t_[p_] == '\n'))
            ++p_;
    }
    void skip_prolog() {
        for (;;) {
            ws();
            if (t_.compare(p_, 2, "<?") == 0) {
                size_t e = t_.find("?>", p_);
                p_ = e == std::string_view::npos ? t_.size() : e + 2;
            } else if (t_.compare(p_, 4, "<!--") == 0) {
                size_t e = t_.find("-->", p_);
                p_ = e == std::string_view::npos ? t_.size() : e + 3;
            } else {
                return;
            }
        }
    }
    bool open(std::string_view name) {
        ws();
        size_t save = p_;
        if (p_ < t_.size() && t_[p_] == '<' && t_.compare(p_ + 1, name.size(), name) == 0) {
            size_t q = p_ + 1 + name.size();
            while (q < t_.size() && (t_[q] == ' ' || t_[q] == '\t'))
                ++q;
            if (q < t_.size() && t_[q] == '>') {
                p_ = q + 1;
                return true;
            }
        }
        p_ = save;
        return false;
    }
    bool empty_tag(std::string_view name) {
        ws();
        std::string tag = "<" + std::string(name) + "/>";
        if (t_.compare(p_, tag.size(), tag) == 0) {
            p_ += tag.size();
            return true;
        }
        return false;
    }
    bool close(std::string_view name) {
        ws();
        std::string tag = "</" + std::string(name) + ">";
        if (t_.compare(p_, tag.size(), tag) != 0) return false;
        p_ += tag.size();
        return true;
    }
    std::string text_until(char stop) {
        size_t e = t_.find(stop, p_);
        if (e == std::string_view::npos) e = t_.size();
        std::string raw(t_.substr(p_, e - p_));
        p_ = e;
        return unescape(raw);
    }
    static std::string unescape(const std::string& s) {
        std::string o;
        for (size_t i = 0; i < s.size(); ++i) {
            if (s[i] != '&') {
                o += s[i];
                continue;
            }
            size_t semi = s.find(';', i);
            if (semi == std::string::npos) {
                o += s[i];
                continue;
            }
            std::string ent = s.substr(i + 1, semi - i - 1);
            if (ent == "lt")
                o += '<';
            else if (ent == "gt")
                o += '>';
            else if (ent == "amp")
                o += '&';
            else if (ent == "quot")
                o += '"';
            else if (ent == "apos")
                o += '\'';
            else if (!ent.empty() && ent[0] == '#') {
                long cp = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X')
                              ? std::strtol(ent.c_str() + 2, nullptr, 16)
                              : std::strtol(ent.c_str() + 1, nullptr, 10);
                if (cp <= 0 || cp > 0x10FFFF) continue;
                if (cp < 0x80) {
                    o += static_cast<char>(cp);
                } else if (cp < 0x800) {
                    o += static_cast<char>(0xC0 | (cp >> 6));
                    o += static_cast<char>(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    o += static_cast<char>(0xE0 | (cp >> 12));
                    o += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                    o += static_cast<char>(0x80 | (cp & 0x3F));
                } else {
                    o += static_cast<char>(0xF0 | (cp >> 18));
                    o += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
                    o += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                    o += static_cast<char>(0x80 | (cp & 0x3F));
                }
            } else {
                o += s.substr(i, semi - i + 1);
            }
            i = semi;
        }
        return o;
    }
    bool scalar(const char* tag, std::string& out) {
        if (empty_tag(tag)) {
            out.clear();
            return true;
        }
        if (!open(tag)) return false;
        out = text_until('<');
        return close(tag);
    }
    bool value(Node& out, int depth) {
        if (depth > 64) return false;
        if (!open("value")) return false;
        ws();
        std::string s;
        if (scalar("i4", s) || scalar("int", s) || scalar("i8", s)) {
            char* end = nullptr;
            long long v = std::strtoll(s.c_str(), &end, 10);
            if (s.empty() || *end) return false;
            out = Node::integer(v);
        } else if (scalar("double", s)) {
            char* end = nullptr;
            double v = std::strtod(s.c_str(), &end);
            if (s.empty() || *end) return false;
            out = Node::real(v);
        } else if (scalar("boolean", s)) {
            out = Node::boolean(s == "1" || s == "true");
        } else if (scalar("string", s) || scalar("dateTime.iso8601", s) || scalar("base64", s)) {
            out = Node::str(s);
        } else if (empty_tag("nil") || (open("nil") && close("nil"))) {
            out = Node();
        } else if (open("struct")) {
            out = Node::structure();
            while (open("member")) {
                if (!open("name")) return false;
                std::string name = text_until('<');
                if (!close("name")) return false;
                Node v;
                if (!value(v, depth + 1) || !close("member")) return false;
                out.set(name, std::move(v));
            }
            if (!close("struct")) return false;
        } else if (open("array")) {
            out = Node::array();
            if (open("data")) {
                Node v;
                while (ws(), t_.compare(p_, 7, "<value>") == 0) {
                    if (!value(v, depth + 1)) return false;
                    out.push(std::move(v));
                }
                if (!close("data")) return false;
            } else if (!empty_tag("data")) {
                return false;
            }
            if (!close("array")) return false;
        } else {
            // A value without a type element is a string.
            out = Node::str(text_until('<'));
        }
        return close("value");
    }

    std::string_view t_;
    size_t p_ = 0;
};

// xmlrpc.c's add_xmlrpc_reply_esc(): '<' and '&' are escaped, CR as &#xD; (escape_cr).
// '>' is written as is, except where it would close a "]]>" sequence (not allowed in XML
// character data).
void xml_escape(std::string& o, std::string_view s, bool escape_cr) {
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        switch (c) {
            case '<': o += "&lt;"; break;
            case '&': o += "&amp;"; break;
            case '>':
                if (i >= 2 && s[i - 1] == ']' && s[i - 2] == ']')
                    o += "&gt;";
                else
                    o += c;
                break;
            case '\r':
                if (escape_cr)
                    o += "&#xD;";
                else
                    o += c;
                break;
            default: o += c;
        }
    }
}

// One value without its <value> element, in the layout of xmlrpc.c (print_value,
// rpc_struct_add, array_prefix/array_suffix).
void xml_item(std::string& o, const Node& n, bool escape_cr) {
    switch (n.type()) {
        case Node::Type::Null: o += "<nil/>"; break;
        case Node::Type::Int:
            if (n.as_int() >= INT32_MIN && n.as_int() <= INT32_MAX)
                o += "<int>" + std::to_string(n.as_int()) + "</int>";
            else
                o += "<i8>" + std::to_string(n.as_int()) + "</i8>";
            break;
        case Node::Type::Double: {
            char b[512];
            std::snprintf(b, sizeof b, "%f", std::isfinite(n.as_double()) ? n.as_double() : 0.0);
            o += "<double>" + std::string(b) + "</double>";
            break;
        }
        case Node::Type::Bool:
            o += n.as_bool() ? "<boolean>1</boolean>" : "<boolean>0</boolean>";
            break;
        case Node::Type::Str:
            o += "<string>";
            xml_escape(o, n.as_str(), escape_cr);
            o += "</string>";
            break;
        case Node::Type::Struct:
            o += "<struct>";
            for (size_t i = 0; i < n.size(); ++i) {
                o += "<member><name>";
                xml_escape(o, n.key(i), escape_cr);
                o += "</name><value>";
                xml_item(o, n.member(i), escape_cr);
                o += "</value></member>";
            }
            o += "</struct>";
            break;
        case Node::Type::Array:
            o += "<array><data>\n";
            for (size_t i = 0; i < n.size(); ++i) {
                o += "<value>";
                xml_item(o, n.item(i), escape_cr);
                o += "</value>\n";
            }
            o += "</data></array>";
            break;
    }
}

// xmlrpc.c: FAULT_PREFIX, FAULT_BODY, FAULT_SUFFIX.
std::string fault_doc(int code, std::string_view msg, bool escape_cr) {
    std::string o =
        "<?xml version=\"1.0\"?>\n<methodResponse>\n<fault>\n<value>\n<struct>\n<member>\n"
        "<name>faultCode</name>\n<value><int>" +
        std::to_string(code) +
        "</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>";
    xml_escape(o, msg, escape_cr);
    o += "</string></value>\n</member>\n</struct>\n</value>\n</fault>\n</methodResponse>";
    return o;
}

// xmlrpc.c: SUCCESS_PREFIX, the values added (RET_ARRAY: the array; otherwise the value
// followed by a line feed; nothing added: an empty <value>), SUCCESS_SUFFIX.
std::string result_doc(const Node* v, bool escape_cr) {
    std::string o = "<?xml version=\"1.0\"?>\n<methodResponse>\n<params>\n<param>\n<value>";
    if (v) {
        xml_item(o, *v, escape_cr);
        if (v->type() != Node::Type::Array) o += "\n";
    }
    o += "</value>\n</param>\n</params>\n</methodResponse>";
    return o;
}

int send_xml(pv::Ctx& ctx, const XmlrpcData& d, const std::string& body) {
    SlData none;
    const SlData& sl = d.sl ? *d.sl : none;
    return http_send(ctx, sl, 200, "OK", "text/xml", body) < 0 ? -1 : 1;
}

void double_lf(std::string& s) {
    for (size_t i = 0; (i = s.find("\n\n", i)) != std::string::npos; i += 2)
        s.replace(i, 2, "\r\n");
}

int w_dispatch_rpc(CallArgs& a) {
    auto& d = *static_cast<XmlrpcData*>(a.mod);
    pv::Ctx& ctx = a.ctx;
    if (!ctx.msg || !ctx.msg->is_http() || !d.rt) {
        SLOG_ERR("xmlrpc", "dispatch_rpc() outside an HTTP request");
        return -1;
    }
    std::string body(ctx.msg->body);
    if (d.double_lf_to_crlf) double_lf(body);
    std::string method, err;
    std::vector<Node> params;
    XmlReader rd(body);
    if (!rd.parse_call(method, params, err)) {
        SLOG_ERR("xmlrpc", "invalid XML-RPC request: %s", err.c_str());
        return send_xml(ctx, d, fault_doc(400, err, d.escape_cr));
    }
    rpc::Call c(*d.rt, method, std::move(params));
    d.rt->execute(c);
    // An unknown method is fault 500 "Method Not Found" (the runtime's fault, as xmlrpc.c).
    if (c.failed())
        return send_xml(ctx, d, fault_doc(c.fault_code(), c.fault_message(), d.escape_cr));
    // A RET_ARRAY command: the array (empty when nothing was added); otherwise the value, or
    // an empty <value> when the command added nothing.
    if (!c.has_result() && !c.ret_array())
        return send_xml(ctx, d, result_doc(nullptr, d.escape_cr));
    Node r = c.take_result();
    return send_xml(ctx, d, result_doc(&r, d.escape_cr));
}

int w_xmlrpc_reply(CallArgs& a) {
    auto& d = *static_cast<XmlrpcData*>(a.mod);
    int32_t code;
    std::string_view reason;
    if (!a.integer(0, code) || !a.str(1, reason)) return -1;
    if (!a.ctx.msg || !a.ctx.msg->is_http()) return -1;
    if (code >= 200 && code < 300) {
        Node v = Node::str(reason);
        return send_xml(a.ctx, d, result_doc(&v, d.escape_cr));
    }
    return send_xml(a.ctx, d, fault_doc(code, reason, d.escape_cr));
}

std::string set_regex(std::shared_ptr<re2::RE2>& re, const Value& v) {
    std::string err;
    re = cfg::compile_posix_regex(v.s, false, err);
    if (!re) return "bad regular expression \"" + std::string(v.s) + "\": " + err;
    return "";
}

std::string init_xmlrpc(cfg::ModuleData& md, cfg::InitCtx& ic) {
    auto& d = static_cast<XmlrpcData&>(md);
    d.sl = static_cast<const SlData*>(ic.script.module_data("sl"));
    d.script = &ic.script;
    if (!d.event_callback.empty())
        return "event_callback needs a KEMI engine, which this build does not have yet";
    if (!d.route_name.empty()) {
        auto it = ic.script.named.find(d.route_name);
        if (it == ic.script.named.end()) return "route[" + d.route_name + "] is missing";
        d.route = it->second;
    } else {
        d.route = ic.script.request_route;
    }
    return "";
}

template <auto Member>
cfg::ParamDef flag_param(std::string_view name) {
    return {name, cfg::ParamType::Int, [](cfg::ModuleData& d, const Value& v) {
                static_cast<XmlrpcData&>(d).*Member = v.i != 0;
                return std::string();
            }};
}

}   // namespace

bool XmlrpcData::handle_http(pv::Ctx& ctx) {
    if (mode == 1 || !route || !script) return false;
    const msg::Message& m = *ctx.msg;
    // xmlrpc.c: only GET and POST requests go to the XML-RPC route.
    if (m.method != "POST" && m.method != "GET") return false;
    re2::StringPiece u(m.uri.data(), m.uri.size());
    if (url_skip && re2::RE2::PartialMatch(u, *url_skip)) return false;
    if (url_match && !re2::RE2::PartialMatch(u, *url_match)) return false;
    ctx.route_type = pv::kRequestRoute;
    cfg::RunResult r = cfg::run_route(*script, *route, ctx);
    if (!ctx.replied) {
        // Kamailio leaves the client waiting; answer with a fault instead.
        SLOG_ERR("xmlrpc", "the XML-RPC route ended without a reply");
        send_xml(ctx, *this, fault_doc(500, "No reply", escape_cr));
    }
    if (!r.exited && r.rc < 0) ctx.close_after = true;
    return true;
}

const cfg::ModuleDef kXmlrpcModule{
    .name = "xmlrpc",
    .deps = {"sl"},
    .create = [] { return std::unique_ptr<cfg::ModuleData>(new XmlrpcData); },
    .params =
        {
            {"route", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 static_cast<XmlrpcData&>(d).route_name = std::string(v.s);
                 return std::string();
             }},
            {"autoconversion", cfg::ParamType::Int,
             [](cfg::ModuleData&, const Value&) { return std::string(); }},
            flag_param<&XmlrpcData::escape_cr>("escape_cr"),
            flag_param<&XmlrpcData::double_lf_to_crlf>("double_lf_to_crlf"),
            {"mode", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 if (v.i != 0 && v.i != 1) return std::string("must be 0 or 1");
                 static_cast<XmlrpcData&>(d).mode = v.i;
                 return std::string();
             }},
            {"url_skip", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 return set_regex(static_cast<XmlrpcData&>(d).url_skip, v);
             }},
            {"url_match", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 return set_regex(static_cast<XmlrpcData&>(d).url_match, v);
             }},
            {"event_callback", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 static_cast<XmlrpcData&>(d).event_callback = std::string(v.s);
                 return std::string();
             }},
        },
    .functions =
        {
            {"dispatch_rpc", {}, 0, pv::kAnyRoute, w_dispatch_rpc},
            {"xmlrpc_reply", {ArgKind::Int, ArgKind::Str}, 2, pv::kAnyRoute, w_xmlrpc_reply},
        },
    .pvs = {},
    .transformations = {},
    .init = init_xmlrpc,
};

}   // namespace siphon::modules
