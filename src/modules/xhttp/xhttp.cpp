#include "modules/xhttp/xhttp.h"

#include <re2/re2.h>

#include "cfg/interp.h"
#include "core/log.h"
#include "modules/kemi/kemi.h"
#include "modules/modules.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;

std::string set_regex(std::shared_ptr<re2::RE2>& re, std::string& text, const Value& v) {
    std::string err;
    // url_skip/url_match: POSIX extended, case-sensitive, unanchored (notes 3.6).
    re = cfg::compile_posix_regex(v.s, false, err);
    if (!re) return "bad regular expression \"" + std::string(v.s) + "\": " + err;
    text = std::string(v.s);
    return "";
}

std::string init_xhttp(cfg::ModuleData& d, cfg::InitCtx& ic) {
    auto& x = static_cast<XhttpData&>(d);
    x.sl = static_cast<const SlData*>(ic.script.module_data("sl"));
    if (!x.event_callback.empty()) {
        // The callback replaces event_route[xhttp:request] (it wins when both exist); it
        // needs the KEMI engine that routes (Kamailio: "failed to find kemi engine").
        x.engine = kemi::routing_engine(ic.script);
        if (!x.engine)
            return "event_callback \"" + x.event_callback +
                   "\" needs a KEMI engine: cfgengine \"lua\" and loadmodule \"app_lua.so\"";
        return "";
    }
    x.route = ic.script.event_route("xhttp:request");
    if (!x.route) return "event_route[xhttp:request] is missing";
    return "";
}

int w_xhttp_reply(CallArgs& a) {
    int32_t code;
    std::string_view reason, ctype, body;
    if (!a.integer(0, code)) {
        SLOG_ERR("xhttp", "no reply code value");
        return -1;
    }
    if (!a.str(1, reason) || !a.str(2, ctype) || !a.str(3, body)) {
        SLOG_ERR("xhttp", "unable to get reply parameters");
        return -1;
    }
    return xhttp_reply(a.ctx, *static_cast<XhttpData*>(a.mod), code, reason, ctype, body);
}

// {url.path} / {url.querystring} come from the transformation table (pv/tr_url.cpp).

}  // namespace

int xhttp_reply(pv::Ctx& ctx, const XhttpData& x, int code, std::string_view reason,
                std::string_view ctype, std::string_view body) {
    if (!ctx.msg || !ctx.msg->is_http()) {
        SLOG_ERR("xhttp", "xhttp_reply() outside an HTTP request");
        return -1;
    }
    if (ctx.has_reply_body) {
        // As Kamailio: the reply already has a body (set_reply_body()). The Content-Type line
        // is added before the body is refused, so a later sl_send_reply() carries it too.
        if (!ctype.empty() && ctx.reply_hdrs && ctype.find_first_of("\r\n") == std::string_view::npos) {
            std::string_view line = ctx.w.arena.copy(std::string("Content-Type: ").append(ctype).append("\r\n"));
            ctx.reply_hdrs->push_back(line);
        }
        SLOG_ERR("xhttp", "a reply body was already set (set_reply_body): reply not sent");
        return -1;
    }
    return http_send(ctx, *x.sl, code, reason, ctype, body);
}

bool xhttp_handle(const cfg::Script& script, XhttpData& x, pv::Ctx& ctx) {
    std::string_view url = ctx.msg->uri;
    re2::StringPiece u(url.data(), url.size());
    bool skip = (x.url_skip && re2::RE2::PartialMatch(u, *x.url_skip)) ||
                (x.url_match && !re2::RE2::PartialMatch(u, *x.url_match));
    if (skip) {
        // Kamailio leaves a skipped request unanswered (the client hangs); answer 404.
        http_send(ctx, *x.sl, 404, "Not Found", "", "");
        return !ctx.close_after;
    }
    ctx.route_type = pv::kEventRoute;
    if (x.engine) {
        // KEMI: the callback gets one argument, "xhttp:request"; its return value never
        // closes the connection (measured). A failed script is answered 500.
        std::string_view ev = "xhttp:request";
        auto st = x.engine->run(ctx, x.event_callback, {&ev, 1});
        if (st == kemi::Engine::Status::NotFound)
            SLOG_ERR("xhttp", "event_callback: no function %s() in the KEMI script", x.event_callback.c_str());
        bool failed = st == kemi::Engine::Status::NotFound || st == kemi::Engine::Status::Error;
        int code = failed ? 500 : x.no_reply_code;
        if (!ctx.replied && code) {
            if (!failed)
                SLOG_ERR("xhttp", "%s() ended without a reply: answering %d", x.event_callback.c_str(), code);
            http_send(ctx, *x.sl, code, code == 500 ? "Internal Server Error" : "No Reply", "", "");
        }
        return !ctx.close_after;
    }
    cfg::RunResult r = cfg::run_route(script, *x.route, ctx);
    if (!ctx.replied && x.no_reply_code) {
        SLOG_ERR("xhttp", "event_route[xhttp:request] ended without a reply for %.*s %.*s: answering %d",
                static_cast<int>(ctx.msg->method.size()), ctx.msg->method.data(),
                static_cast<int>(url.size() > 200 ? 200 : url.size()), url.data(), x.no_reply_code);
        http_send(ctx, *x.sl, x.no_reply_code,
                  x.no_reply_code == 500 ? "Internal Server Error" : "No Reply", "", "");
    }
    // A negative route result closes the connection after the reply (Kamailio's way to
    // say "reply then close").
    if (!r.exited && r.rc < 0) ctx.close_after = true;
    return !ctx.close_after;
}

const cfg::ModuleDef kXhttpModule{
    .name = "xhttp",
    .deps = {"sl"},
    .create = [] { return std::unique_ptr<cfg::ModuleData>(new XhttpData); },
    .params =
        {
            {"url_skip", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 auto& x = static_cast<XhttpData&>(d);
                 return set_regex(x.url_skip, x.url_skip_text, v);
             }},
            {"url_match", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 auto& x = static_cast<XhttpData&>(d);
                 return set_regex(x.url_match, x.url_match_text, v);
             }},
            {"event_callback", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 static_cast<XhttpData&>(d).event_callback = std::string(v.s);
                 return std::string();
             }},
            {"no_reply_code", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 if (v.i != 0 && (v.i < 100 || v.i > 599)) return std::string("must be 0 or 100..599");
                 static_cast<XhttpData&>(d).no_reply_code = v.i;
                 return std::string();
             }},
        },
    .functions =
        {
            {"xhttp_reply", {ArgKind::Int, ArgKind::Str, ArgKind::Str, ArgKind::Str}, 4,
             pv::kEventRoute, w_xhttp_reply},
        },
    .pvs = {},
    .transformations = {pv::url_transformations()},
    .init = init_xhttp,
};

}  // namespace siphon::modules
