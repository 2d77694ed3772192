// xhttp_rpc: a browsable HTML interface to the RPC commands (Kamailio's xhttp_rpc module).
// dispatch_xhttp_rpc() answers URLs under /<xhttp_rpc_root>:
//   /rpc                  the command groups ("core", "stats", ...)
//   /rpc/GROUP            the commands of a group, with their help
//   /rpc/GROUP/METHOD     a form for the parameters; with ?arg=... the command runs and its
//                         reply is shown as nested tables
// Commands not named group.command are left out, as in Kamailio.
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "core/log.h"
#include "modules/modules.h"
#include "modules/rpc/runtime.h"
#include "modules/xhttp/xhttp.h"

namespace siphon::modules {

namespace {

using cfg::CallArgs;
using rpc::Node;

struct XhttpRpcData : cfg::ModuleData, rpc::RuntimeUser {
    std::string root = "rpc";
    const XhttpData* xhttp = nullptr;
    rpc::Runtime* rt = nullptr;
    void bind(rpc::Runtime& r) override { rt = &r; }
};

std::string esc(std::string_view s) {
    std::string o;
    for (char c : s) {
        switch (c) {
            case '<': o += "&lt;"; break;
            case '>': o += "&gt;"; break;
            case '&': o += "&amp;"; break;
            case '"': o += "&quot;"; break;
            case '\'': o += "&#39;"; break;
            default: o += c;
        }
    }
    return o;
}

int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string url_decode(std::string_view s) {
    std::string o;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+')
            o += ' ';
        else if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 &&
                 hexval(s[i + 2]) >= 0) {
            o += static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            o += s[i];
        }
    }
    return o;
}

// kamcmd-like typing of a parameter typed in the form: integers become numbers.
Node param_node(const std::string& v) {
    char* end = nullptr;
    long long i = std::strtoll(v.c_str(), &end, 10);
    if (!v.empty() && *end == '\0') return Node::integer(i);
    return Node::str(v);
}

void render(std::string& o, const Node& n) {
    switch (n.type()) {
        case Node::Type::Null: o += "<i>null</i>"; break;
        case Node::Type::Int: o += std::to_string(n.as_int()); break;
        case Node::Type::Double: {
            char b[64];
            std::snprintf(b, sizeof b, "%g", n.as_double());
            o += b;
            break;
        }
        case Node::Type::Bool: o += n.as_bool() ? "true" : "false"; break;
        case Node::Type::Str: o += "<pre>" + esc(n.as_str()) + "</pre>"; break;
        case Node::Type::Struct:
            o += "<table class=\"struct\">";
            for (size_t i = 0; i < n.size(); ++i) {
                o += "<tr><th>" + esc(n.key(i)) + "</th><td>";
                render(o, n.member(i));
                o += "</td></tr>";
            }
            o += "</table>";
            break;
        case Node::Type::Array:
            o += "<table class=\"array\">";
            for (size_t i = 0; i < n.size(); ++i) {
                o += "<tr><td>";
                render(o, n.item(i));
                o += "</td></tr>";
            }
            o += "</table>";
            break;
    }
}

std::string page(const std::string& title, const std::string& nav, const std::string& body) {
    return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + esc(title) +
           "</title><style>body{font-family:sans-serif}table{border-collapse:collapse}"
           "th,td{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top}"
           "pre{margin:0}.fault{color:#a00}</style></head><body>\n<h1>" +
           esc(title) + "</h1>\n<p id=\"nav\">" + nav + "</p>\n" + body + "\n</body></html>\n";
}

int w_dispatch(CallArgs& a) {
    auto& d = *static_cast<XhttpRpcData*>(a.mod);
    pv::Ctx& ctx = a.ctx;
    if (!ctx.msg || !ctx.msg->is_http() || !d.xhttp || !d.rt) {
        SLOG_ERR("xhttp_rpc", "dispatch_xhttp_rpc() outside an HTTP request");
        return -1;
    }
    std::string_view url = ctx.msg->uri;
    std::string_view query;
    size_t q = url.find('?');
    if (q != std::string_view::npos) {
        query = url.substr(q + 1);
        url = url.substr(0, q);
    }
    std::string prefix = "/" + d.root;
    auto reply = [&](int code, const char* reason, const std::string& html) {
        return xhttp_reply(ctx, *d.xhttp, code, reason, "text/html; charset=utf-8", html) < 0 ? -1
                                                                                              : 1;
    };
    if (url.substr(0, prefix.size()) != prefix ||
        (url.size() > prefix.size() && url[prefix.size()] != '/'))
        return reply(404, "Not Found", page("Not found", "", "<p>Unknown URL.</p>"));
    std::vector<std::string> parts;
    std::string_view rest = url.substr(prefix.size());
    while (!rest.empty()) {
        if (rest.front() == '/') {
            rest.remove_prefix(1);
            continue;
        }
        size_t sl = rest.find('/');
        parts.push_back(url_decode(rest.substr(0, sl)));
        rest.remove_prefix(sl == std::string_view::npos ? rest.size() : sl);
    }
    // Groups and their commands.
    std::map<std::string, std::vector<const rpc::Method*>> groups;
    for (auto& m : d.rt->methods()) {
        size_t dot = m.name.find('.');
        if (dot == std::string::npos || dot == 0) continue;
        groups[m.name.substr(0, dot)].push_back(&m);
    }
    std::string home = "<a href=\"" + esc(prefix) + "\">" + esc(d.root) + "</a>";
    if (parts.empty()) {
        std::string b = "<ul id=\"groups\">";
        for (auto& [g, ms] : groups)
            b += "<li><a href=\"" + esc(prefix + "/" + g) + "\">" + esc(g) + "</a> (" +
                 std::to_string(ms.size()) + ")</li>";
        b += "</ul>";
        return reply(200, "OK", page("RPC commands", home, b));
    }
    auto git = groups.find(parts[0]);
    if (git == groups.end())
        return reply(404, "Not Found", page("Not found", home, "<p>No such group.</p>"));
    std::string gnav =
        home + " / <a href=\"" + esc(prefix + "/" + parts[0]) + "\">" + esc(parts[0]) + "</a>";
    if (parts.size() == 1) {
        std::string b = "<table id=\"commands\"><tr><th>command</th><th>help</th></tr>";
        for (auto* m : git->second)
            b += "<tr><td><a href=\"" + esc(prefix + "/" + parts[0] + "/" + m->name) + "\">" +
                 esc(m->name) + "</a></td><td>" + esc(m->help) + "</td></tr>";
        b += "</table>";
        return reply(200, "OK", page(parts[0], gnav, b));
    }
    const rpc::Method* m = d.rt->find(parts[1]);
    if (!m || parts.size() > 2 || m->name.compare(0, parts[0].size() + 1, parts[0] + ".") != 0)
        return reply(404, "Not Found", page("Not found", gnav, "<p>No such command.</p>"));
    // Parameters: ?arg=a&arg=b, or one arg with values separated by spaces.
    std::vector<Node> params;
    bool run = false;
    std::string typed;
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view kv = query.substr(0, amp);
        query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
        size_t eq = kv.find('=');
        std::string k = url_decode(kv.substr(0, eq));
        std::string v = eq == std::string_view::npos ? "" : url_decode(kv.substr(eq + 1));
        if (k == "run") run = true;
        if (k != "arg") continue;
        run = true;
        typed += (typed.empty() ? "" : " ") + v;
        size_t p = 0;
        while (p < v.size()) {
            size_t sp = v.find(' ', p);
            std::string w = v.substr(p, sp == std::string::npos ? std::string::npos : sp - p);
            if (!w.empty()) params.push_back(param_node(w));
            p = sp == std::string::npos ? v.size() : sp + 1;
        }
    }
    std::string b =
        "<p id=\"help\">" + esc(m->help) + "</p>\n<form method=\"get\" action=\"" +
        esc(prefix + "/" + parts[0] + "/" + m->name) +
        "\"><input type=\"text\" name=\"arg\" size=\"60\" value=\"" + esc(typed) +
        "\" placeholder=\"parameters, separated by spaces\"> <input type=\"submit\" name=\"run\" "
        "value=\"Execute\"></form>\n";
    if (run) {
        rpc::Call c(*d.rt, m->name, std::move(params));
        d.rt->execute(c);
        if (c.failed()) {
            b += "<p class=\"fault\" id=\"result\">Error " + std::to_string(c.fault_code()) + ": " +
                 esc(c.fault_message()) + "</p>";
        } else {
            b += "<div id=\"result\">";
            render(b, c.take_result());
            b += "</div>";
        }
    }
    return reply(200, "OK", page(m->name, gnav, b));
}

std::string init_xhttp_rpc(cfg::ModuleData& md, cfg::InitCtx& ic) {
    auto& d = static_cast<XhttpRpcData&>(md);
    d.xhttp = static_cast<const XhttpData*>(ic.script.module_data("xhttp"));
    if (!d.xhttp) return "the xhttp module must be loaded";
    return "";
}

}   // namespace

const cfg::ModuleDef kXhttpRpcModule{
    .name = "xhttp_rpc",
    .deps = {"xhttp"},
    .create = [] { return std::unique_ptr<cfg::ModuleData>(new XhttpRpcData); },
    .params =
        {
            {"xhttp_rpc_root", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 std::string r(v.s);
                 while (!r.empty() && r.front() == '/')
                     r.erase(r.begin());
                 while (!r.empty() && r.back() == '/')
                     r.pop_back();
                 if (r.empty()) return std::string("must not be empty");
                 static_cast<XhttpRpcData&>(d).root = r;
                 return std::string();
             }},
            {"xhttp_rpc_buf_size", cfg::ParamType::Int,
             [](cfg::ModuleData&, const Value&) { return std::string(); }},
        },
    .functions =
        {
            {"dispatch_xhttp_rpc", {}, 0, pv::kRequestRoute | pv::kEventRoute, w_dispatch},
        },
    .pvs = {},
    .transformations = {},
    .init = init_xhttp_rpc,
};

}   // namespace siphon::modules
