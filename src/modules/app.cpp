#include "modules/app.h"

#include <ctime>
#include <optional>

#include "cfg/interp.h"
#include "core/log.h"
#include "modules/rpc/runtime.h"
#include "modules/kemi/kemi.h"
#include "modules/sl/sl.h"
#include "modules/xhttp/xhttp.h"

namespace siphon::modules {

App::App(const cfg::Script& script, int workers) : s_(script) {
    for (int i = 0; i < workers; ++i) {
        auto w = std::make_unique<pv::WorkerState>();
        w->id = i;
        w->scratch.resize(static_cast<size_t>(script.core.pv_buffer_size));
        w->vars.resize(script.reg.var_count());
        ws_.push_back(std::move(w));
    }
    for (size_t i = 0; i < script.reg.shv_count(); ++i)
        shv_.slots.push_back(std::make_unique<pv::SharedVars::Slot>());
    shv_.start_time = std::time(nullptr);
    xhttp_ = static_cast<XhttpData*>(script.module_data("xhttp"));
    engine_ = kemi::routing_engine(script);
    any_engine_ = kemi::any_engine(script);
    if (any_engine_) any_engine_->prepare(workers);
}

bool App::reload_scripts() {
    if (!any_engine_) {
        SLOG_NOTICE("core", "reload requested: no KEMI script is loaded");
        return false;
    }
    std::string err;
    if (!any_engine_->reload(err)) {
        SLOG_ERR("app_lua", "reload failed, the running script stays: %s", err.c_str());
        return false;
    }
    SLOG_NOTICE("app_lua", "script reloaded; each worker runs it before its next message");
    return true;
}

void App::on_worker_start(int worker) {
    if (rt_) rt_->on_worker_start(worker);
    // Each worker builds its own Lua state in its own thread.
    if (any_engine_) any_engine_->worker_init(worker);
}

bool App::on_message(int worker, msg::Message& m, pv::RecvInfo& rcv, pv::ReplySink& sink) {
    pv::WorkerState& w = *ws_[static_cast<size_t>(worker)];
    w.arena.reset();
    w.avps.clear();
    w.reply_hdrs.clear();
    ++w.msg_id;
    pv::Ctx ctx{w};
    ctx.shv = &shv_;
    ctx.msg = &m;
    ctx.rcv = &rcv;
    ctx.sink = &sink;
    // Statistics: what arrived, and (through the wrapped sink) what is answered.
    std::optional<rpc::CountingSink> counting;
    if (rt_) {
        rt_->counters().received(static_cast<size_t>(worker), m);
        ctx.sink = &counting.emplace(rt_->counters(), static_cast<size_t>(worker), sink, m.is_http());
    }
    ctx.reply_hdrs = &w.reply_hdrs;
    ctx.recv_time = std::time(nullptr);

    if (m.is_http()) {
        // RFC 9112 9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with keep-alive.
        ctx.http_keep_alive = m.http_minor >= 1 ? !m.conn_close : m.conn_keep_alive && !m.conn_close;
        if (!rcv.proto_is_stream()) ctx.http_keep_alive = true;
        // Modules with URLs of their own (xmlrpc) see the request before xhttp.
        if (rt_ && rt_->dispatch_http(ctx)) return !ctx.close_after;
        if (!xhttp_) {
            const SlData* sl = static_cast<const SlData*>(s_.module_data("sl"));
            SlData none;
            http_send(ctx, sl ? *sl : none, 404, "Not Found", "", "");
            return !ctx.close_after;
        }
        return xhttp_handle(s_, *xhttp_, ctx);
    }
    if (engine_) {
        // cfgengine "lua": ksr_request_route() / ksr_reply_route() of the KEMI script.
        bool req = m.kind == msg::Kind::SipRequest;
        ctx.route_type = req ? pv::kRequestRoute : pv::kReplyRoute;
        auto st = engine_->run(ctx, req ? "ksr_request_route" : "ksr_reply_route", {});
        if (st == kemi::Engine::Status::NotFound && req)
            SLOG_ERR("app_lua", "no function ksr_request_route() in the Lua script: SIP request dropped");
        return !ctx.close_after;
    }
    if (m.kind == msg::Kind::SipRequest) {
        if (!s_.request_route) {
            SLOG_ERR("core", "no request_route {...}: SIP request dropped");
            return true;
        }
        ctx.route_type = pv::kRequestRoute;
        cfg::RunResult r = cfg::run_route(s_, *s_.request_route, ctx);
        if (r.dropped && rt_) rt_->counters().dropped(static_cast<size_t>(worker), true);
        return !ctx.close_after;
    }
    if (s_.reply_route) {
        ctx.route_type = pv::kReplyRoute;
        cfg::RunResult r = cfg::run_route(s_, *s_.reply_route, ctx);
        if (r.dropped && rt_) rt_->counters().dropped(static_cast<size_t>(worker), false);
    }
    return true;
}

}  // namespace siphon::modules
