// textops: text operations on the message. This file has the functions configs use with
// xhttp and sl (is_method, append_to_reply, search, is_present_hf, has_body).
#include <re2/re2.h>

#include "cfg/module.h"
#include "core/log.h"
#include "modules/modules.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;

bool ieq(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// is_method("INVITE|OPTIONS"): the method list is split once at load time.
std::string fix_methods(std::span<cfg::FixedArg> args, cfg::ModuleData*) {
    auto list = std::make_shared<std::vector<std::string>>();
    std::string_view s = args[0].sval;
    while (!s.empty()) {
        size_t bar = s.find('|');
        std::string_view m = s.substr(0, bar);
        if (m.empty()) return "empty method name in \"" + args[0].sval + "\"";
        list->emplace_back(m);
        if (bar == std::string_view::npos) break;
        s.remove_prefix(bar + 1);
    }
    if (list->empty()) return "empty method list";
    args[0].data = list;
    return "";
}
int is_method(CallArgs& a) {
    if (!a.ctx.msg) return -1;
    std::string_view m = a.ctx.msg->method;
    if (a.ctx.msg->kind == msg::Kind::SipReply) return -1;
    auto* list = static_cast<const std::vector<std::string>*>(a.args[0].data.get());
    for (const auto& x : *list)
        if (ieq(x, m)) return 1;
    return -1;
}

int append_to_reply(CallArgs& a) {
    std::string_view s;
    if (!a.str(0, s)) return -1;
    if (!a.ctx.reply_hdrs) return -1;
    a.ctx.reply_hdrs->push_back(a.ctx.w.arena.copy(s));
    return 1;
}

bool search_in(const re2::RE2& re, std::string_view text) {
    return re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re);
}
std::string fix_icase_re(std::span<cfg::FixedArg> args, cfg::ModuleData*) {
    // search() is case-insensitive (observed); recompile with that option.
    re2::RE2::Options o;
    o.set_posix_syntax(true);
    o.set_case_sensitive(false);
    o.set_log_errors(false);
    auto re = std::make_shared<re2::RE2>(args[0].sval, o);
    if (!re->ok()) return "bad regular expression: " + re->error();
    args[0].re = re;
    return "";
}
int search(CallArgs& a) {
    return a.ctx.msg && search_in(*a.args[0].re, a.ctx.msg->raw) ? 1 : -1;
}
int search_body(CallArgs& a) {
    return a.ctx.msg && search_in(*a.args[0].re, a.ctx.msg->body) ? 1 : -1;
}
int is_present_hf(CallArgs& a) {
    std::string_view name;
    if (!a.ctx.msg || !a.str(0, name)) return -1;
    return a.ctx.msg->find(name) ? 1 : -1;
}
int has_body(CallArgs& a) { return a.ctx.msg && !a.ctx.msg->body.empty() ? 1 : -1; }

}  // namespace

const cfg::ModuleDef kTextopsModule{
    .name = "textops",
    .functions =
        {
            {"is_method", {ArgKind::Const}, 1, pv::kAnyRoute, is_method, fix_methods},
            {"append_to_reply", {ArgKind::Str}, 1, pv::kAnyRoute, append_to_reply},
            {"search", {ArgKind::Regex}, 1, pv::kAnyRoute, search, fix_icase_re},
            {"search_body", {ArgKind::Regex}, 1, pv::kAnyRoute, search_body, fix_icase_re},
            {"is_present_hf", {ArgKind::Str}, 1, pv::kAnyRoute, is_present_hf},
            {"has_body", {}, 0, pv::kAnyRoute, has_body},
        },
};

}  // namespace siphon::modules
