#include "modules/app.h"

#include <ctime>

#include "cfg/interp.h"
#include "core/log.h"
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
}

void App::on_worker_start(int worker) { (void)worker; }

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
    ctx.reply_hdrs = &w.reply_hdrs;
    ctx.recv_time = std::time(nullptr);

    if (m.is_http()) {
        // RFC 9112 9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with keep-alive.
        ctx.http_keep_alive = m.http_minor >= 1 ? !m.conn_close : m.conn_keep_alive && !m.conn_close;
        if (!rcv.proto_is_stream()) ctx.http_keep_alive = true;
        if (!xhttp_) {
            const SlData* sl = static_cast<const SlData*>(s_.module_data("sl"));
            SlData none;
            http_send(ctx, sl ? *sl : none, 404, "Not Found", "", "");
            return !ctx.close_after;
        }
        return xhttp_handle(s_, *xhttp_, ctx);
    }
    if (m.kind == msg::Kind::SipRequest) {
        if (!s_.request_route) {
            SLOG_ERR("core", "no request_route {...}: SIP request dropped");
            return true;
        }
        ctx.route_type = pv::kRequestRoute;
        cfg::run_route(s_, *s_.request_route, ctx);
        return !ctx.close_after;
    }
    if (s_.reply_route) {
        ctx.route_type = pv::kReplyRoute;
        cfg::run_route(s_, *s_.reply_route, ctx);
    }
    return true;
}

}  // namespace siphon::modules
