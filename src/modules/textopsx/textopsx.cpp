// textopsx: msg_apply_changes() rebuilds the message from the edits recorded by textops
// (append_hf, remove_hf, subst, set_body ...) so that later reads see them;
// change_reply_status() rewrites the status line of a SIP reply in a reply route.
#include <cstdio>
#include <cstring>

#include "cfg/module.h"
#include "core/log.h"
#include "modules/modules.h"
#include "msg/edit.h"
#include "pv/pv.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;

// msg_apply_changes(): SIP requests in request_route and SIP replies in reply routes.
// Reply headers and a reply body added so far are dropped, as Kamailio does.
int msg_apply_changes(CallArgs& a) {
    pv::Ctx& c = a.ctx;
    msg::Message* m = c.msg;
    const bool req_ok = m && m->kind == msg::Kind::SipRequest && c.route_type == pv::kRequestRoute;
    const bool rpl_ok = m && m->kind == msg::Kind::SipReply &&
                        (c.route_type == pv::kReplyRoute || c.route_type == pv::kOnReplyRoute);
    if (!req_ok && !rpl_ok) {
        SLOG_ERR("textopsx", "msg_apply_changes(): invalid usage - not in request route or a reply");
        return -1;
    }
    if (req_ok) {
        // A rewritten Request-URI ($ru, subst_uri) goes into the request line.
        std::string_view ru = pv::request_uri(c);
        if (ru.data() != m->uri.data() || ru.size() != m->uri.size())
            c.edits.add(c.w.arena, msg::offset_in(*m, m->uri), m->uri.size(), ru);
    }
    if (!msg::rebuild_message(*m, c.edits, c.w.arena)) {
        // The message is no longer usable for the script: stop it, as Kamailio does.
        SLOG_ERR("textopsx", "msg_apply_changes(): the changed message does not parse");
        c.edits.clear();
        return 0;
    }
    c.edits.clear();
    if (c.reply_hdrs) c.reply_hdrs->clear();
    c.has_reply_body = false;
    c.reply_body = {};
    return 1;
}

// change_reply_status(code, reason): a SIP reply's status in a reply route. The class of a
// provisional or positive reply cannot change; $rs shows the new code at once, $rr the new
// reason after msg_apply_changes().
int change_reply_status(CallArgs& a) {
    pv::Ctx& c = a.ctx;
    msg::Message* m = c.msg;
    int32_t code;
    std::string_view reason;
    if (!a.integer(0, code) || !a.str(1, reason)) return -1;
    if (!m || m->kind != msg::Kind::SipReply) {
        SLOG_ERR("textopsx", "change_reply_status(): not a SIP reply");
        return -1;
    }
    if (code < 100 || code > 699) {
        SLOG_ERR("textopsx", "change_reply_status(): wrong status code: %d", code);
        return -1;
    }
    if ((code < 300 || m->status < 300) && code / 100 != m->status / 100) {
        SLOG_ERR("textopsx", "change_reply_status(): the class of provisional or positive final "
                             "replies cannot be changed");
        return -1;
    }
    if (reason.find_first_of("\r\n") != std::string_view::npos) return -1;
    // The status line is "SIP/2.0 CODE REASON": the edit covers "CODE REASON".
    size_t nl = m->head.find('\n');
    std::string_view line = m->head.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return -1;
    char buf[16];
    int n = std::snprintf(buf, sizeof buf, "%03d ", code);
    size_t len = static_cast<size_t>(n) + reason.size();
    char* p = c.w.arena.alloc(len);
    std::memcpy(p, buf, static_cast<size_t>(n));
    std::memcpy(p + n, reason.data(), reason.size());
    c.edits.add(c.w.arena, sp + 1, line.size() - sp - 1, {p, len});
    // As Kamailio: the code is visible at once ($rs), the reason after msg_apply_changes().
    m->status = code;
    return 1;
}

}  // namespace

const cfg::ModuleDef kTextopsxModule{
    .name = "textopsx",
    .functions =
        {
            {"msg_apply_changes", {}, 0, pv::kAnyRoute, msg_apply_changes},
            {"change_reply_status", {ArgKind::Int, ArgKind::Str}, 2,
             pv::kReplyRoute | pv::kOnReplyRoute, change_reply_status},
        },
};

}  // namespace siphon::modules
