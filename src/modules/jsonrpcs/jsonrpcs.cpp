#include "modules/jsonrpcs/jsonrpcs.h"

#include <string>

#include "core/log.h"
#include "modules/modules.h"
#include "modules/rpc/jsonrpc.h"
#include "modules/xhttp/xhttp.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;

// $jsonrpl(code|text|body): the reply of the last jsonrpc_exec() of this worker (Kamailio
// keeps it per process).
struct PlainReply {
    bool set = false;
    int code = 0;
    std::string text, body;
};
thread_local PlainReply t_plain;

JsonrpcsData& data_of(CallArgs& a) {
    return *static_cast<JsonrpcsData*>(a.mod);
}

int w_jsonrpc_dispatch(CallArgs& a) {
    JsonrpcsData& d = data_of(a);
    pv::Ctx& ctx = a.ctx;
    if (!ctx.msg || !ctx.msg->is_http()) {
        SLOG_DBG("jsonrpcs", "jsonrpc_dispatch(): not an HTTP request");
        return -1;
    }
    auto* x = static_cast<XhttpData*>(d.xhttp);
    if (!x || !d.rt) {
        SLOG_ERR("jsonrpcs", "jsonrpc_dispatch() needs the xhttp module");
        return -1;
    }
    rpc::JsonrpcReply r = rpc::jsonrpc_process(*d.rt, ctx.msg->body, d.pretty);
    if (r.body.empty() && r.code == 200) {
        // A batch made only of notifications: nothing to answer but the HTTP request.
        return xhttp_reply(ctx, *x, 204, "No Content", "", "") < 0 ? -1 : 1;
    }
    return xhttp_reply(ctx, *x, r.code, r.reason, "application/json", r.body) < 0 ? -1 : 1;
}

int w_jsonrpc_exec(CallArgs& a) {
    JsonrpcsData& d = data_of(a);
    std::string_view cmd;
    if (!a.str(0, cmd) || cmd.empty()) {
        SLOG_ERR("jsonrpcs", "cannot get the rpc command parameter");
        return -1;
    }
    if (!d.rt) return -1;
    rpc::JsonrpcReply r = rpc::jsonrpc_process(*d.rt, cmd, d.pretty);
    t_plain.set = true;
    t_plain.code = r.code;
    t_plain.text = r.reason;
    t_plain.body = r.body;
    return 1;
}

std::string fix_jsonrpl(pv::PvSpec& spec, std::string_view inner, pv::Registry&) {
    if (inner == "code")
        spec.ival = 0;
    else if (inner == "text")
        spec.ival = 1;
    else if (inner == "body")
        spec.ival = 2;
    else
        return "unknown inner name [" + std::string(inner) + "] (code, text or body)";
    return "";
}

bool get_jsonrpl(pv::Ctx& ctx, const pv::PvSpec& spec, Value& out) {
    switch (spec.ival) {
        case 0: out = Value::of_int(t_plain.code); return true;
        case 1:
            if (!t_plain.set) return false;
            out = Value::of_str(t_plain.text);
            return true;
        case 2:
            if (!t_plain.set) return false;
            out = Value::of_str(t_plain.body);
            return true;
        default: return false;
    }
}

std::string init_jsonrpcs(cfg::ModuleData& md, cfg::InitCtx& ic) {
    auto& d = static_cast<JsonrpcsData&>(md);
    d.xhttp = ic.script.module_data("xhttp");
    if (d.transport < 0 || d.transport > 15)
        return "transport must be a sum of 1, 2, 4 and 8 (or 0)";
    if (d.transport == kJsonrpcHttp && !d.xhttp) return "the http transport needs the xhttp module";
    return "";
}

// jsonrpcs_mod.c: jsonrpc.echo (RET_ARRAY): a string, then an int if given.
void rpc_echo(rpc::Call& c) {
    std::string s;
    if (c.scan_str(s) != rpc::Scan::Ok) return;
    c.add(rpc::Node::str(s));
    int64_t i;
    if (c.scan_int(i) == rpc::Scan::Ok) c.add(rpc::Node::integer(i));
}

// Mode values are octal in Kamailio's config (0600); siphon's lexer reads 0600 as decimal
// 600, so decimal values whose digits are all octal digits are read as octal.
int mode_value(int v) {
    if (v <= 0777) return v;
    int r = 0, mul = 1;
    for (int x = v; x > 0; x /= 10) {
        int dgt = x % 10;
        if (dgt > 7) return v & 0777;
        r += dgt * mul;
        mul *= 8;
    }
    return r & 0777;
}

template <auto Member>
cfg::ParamDef str_param(std::string_view name) {
    return {name, cfg::ParamType::Str, [](cfg::ModuleData& d, const Value& v) {
                static_cast<JsonrpcsData&>(d).*Member = std::string(v.s);
                return std::string();
            }};
}

}   // namespace

const cfg::ModuleDef kJsonrpcsModule{
    .name = "jsonrpcs",
    .deps = {},
    .create = [] { return std::unique_ptr<cfg::ModuleData>(new JsonrpcsData); },
    .params =
        {
            {"pretty_format", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 static_cast<JsonrpcsData&>(d).pretty = v.i != 0;
                 return std::string();
             }},
            {"transport", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 if (v.i < 0 || v.i > 15)
                     return std::string("must be a sum of 1, 2, 4 and 8 (or 0)");
                 static_cast<JsonrpcsData&>(d).transport = v.i;
                 return std::string();
             }},
            str_param<&JsonrpcsData::fifo_name>("fifo_name"),
            {"fifo_mode", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 static_cast<JsonrpcsData&>(d).fifo_mode = mode_value(v.i);
                 return std::string();
             }},
            str_param<&JsonrpcsData::fifo_user>("fifo_user"),
            str_param<&JsonrpcsData::fifo_group>("fifo_group"),
            str_param<&JsonrpcsData::fifo_reply_dir>("fifo_reply_dir"),
            str_param<&JsonrpcsData::dgram_socket>("dgram_socket"),
            {"dgram_workers", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 if (v.i < 1) return std::string("must be at least 1");
                 static_cast<JsonrpcsData&>(d).dgram_workers = v.i;
                 return std::string();
             }},
            {"dgram_mode", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 static_cast<JsonrpcsData&>(d).dgram_mode = mode_value(v.i);
                 return std::string();
             }},
            str_param<&JsonrpcsData::dgram_user>("dgram_user"),
            str_param<&JsonrpcsData::dgram_group>("dgram_group"),
            {"dgram_timeout", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 static_cast<JsonrpcsData&>(d).dgram_timeout = v.i > 0 ? v.i : 2000;
                 return std::string();
             }},
            str_param<&JsonrpcsData::tcp_socket>("tcp_socket"),
        },
    .functions =
        {
            {"jsonrpc_dispatch", {}, 0, pv::kRequestRoute | pv::kEventRoute, w_jsonrpc_dispatch},
            {"jsonrpc_exec", {ArgKind::Str}, 1, pv::kAnyRoute, w_jsonrpc_exec},
        },
    .pvs = {{"jsonrpl", get_jsonrpl, nullptr, fix_jsonrpl, true}},
    .transformations = {},
    .init = init_jsonrpcs,
    .rpcs = {{"jsonrpc.echo", rpc_echo, "Sample echo command", cfg::kRpcRetArray}},
};

}   // namespace siphon::modules
