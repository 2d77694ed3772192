// textops: text operations on the message. Searches read the message as received; header and
// body changes (append_hf, remove_hf, subst, replace, set_body ...) are recorded as edits in
// the message context (msg/edit.h) and become visible to reads after msg_apply_changes()
// (textopsx), as Kamailio's lumps do. set_reply_body() and append_to_reply() shape the next
// reply built by sl_send_reply()/xhttp_reply().
#include "modules/textops/textops.h"

#include <re2/re2.h>

#include <cstring>

#include "cfg/script.h"
#include "core/log.h"
#include "core/subst.h"
#include "modules/modules.h"
#include "msg/char_class.h"

namespace siphon::modules {

namespace textops {

bool header_matches(const msg::Header& h, msg::Hdr tok, std::string_view name) {
    if (tok != msg::Hdr::Other) return h.type == tok;
    return h.type == msg::Hdr::Other && msg::chars::iequals(h.name, name);
}

size_t headers_end(const msg::Message& m) {
    if (m.header_count) {
        const msg::Header& h = m.headers[m.header_count - 1];
        return msg::offset_in(m, h.line) + h.line.size();
    }
    size_t nl = m.head.find('\n');
    return nl == std::string_view::npos ? m.head.size() : nl + 1;
}

size_t headers_begin(const msg::Message& m) {
    size_t nl = m.head.find('\n');
    return nl == std::string_view::npos ? m.head.size() : nl + 1;
}

}  // namespace textops

namespace {

using cfg::ArgKind;
using cfg::CallArgs;
using textops::header_matches;
using textops::headers_begin;
using textops::headers_end;

bool ieq(std::string_view a, std::string_view b) { return msg::chars::iequals(a, b); }

// ---- sed-like substitution expressions ('/re/repl/flags') ---------------------------------

struct ReplPiece {
    enum Kind : uint8_t { Text, Ref, Uri } kind = Text;
    int ref = 0;
    std::string text;  // Text: format source, compiled at init
    pv::Format fmt;    // until then (and for KEMI calls, whose arguments are values): literal
};

struct SubstExpr {
    std::unique_ptr<re2::RE2> re;
    std::vector<ReplPiece> repl;
    bool global = false;
    int max_ref = 0;
};

struct TextopsData : cfg::ModuleData {
    // Substitutions of the config whose replacement formats are compiled once the registry
    // is complete (init).
    std::vector<std::shared_ptr<SubstExpr>> pending;
    bool initialized = false;
};

std::string parse_subst(std::string_view s, SubstExpr& out) {
    SubstSpec spec;
    std::string err = split_subst(s, spec);
    if (!err.empty()) return err;
    out.global = spec.global;
    out.re = compile_subst(spec, err);
    if (!out.re) return err;
    const std::string& repl_text = spec.repl;
    // Replacement: \0-\9 back references, \u the Request-URI, \n \r \t, \x the character x;
    // everything else is a format string ($var(x) ...).
    std::string text, lit;  // format source ($$ for a literal $) and plain text
    auto flush = [&] {
        if (text.empty()) return;
        ReplPiece p;
        p.text = std::move(text);
        p.fmt.segs.push_back({std::move(lit), nullptr});
        out.repl.push_back(std::move(p));
        text.clear();
        lit.clear();
    };
    for (size_t k = 0; k < repl_text.size(); ++k) {
        char c = repl_text[k];
        if (c != '\\' || k + 1 == repl_text.size()) {
            text += c;
            lit += c;
            continue;
        }
        char e = repl_text[++k];
        if (e >= '0' && e <= '9') {
            flush();
            ReplPiece p;
            p.kind = ReplPiece::Ref;
            p.ref = e - '0';
            if (p.ref > out.max_ref) out.max_ref = p.ref;
            out.repl.push_back(std::move(p));
        } else if (e == 'u') {
            flush();
            ReplPiece p;
            p.kind = ReplPiece::Uri;
            out.repl.push_back(std::move(p));
        } else if (e == 'n') {
            text += '\n';
            lit += '\n';
        } else if (e == 'r') {
            text += '\r';
            lit += '\r';
        } else if (e == 't') {
            text += '\t';
            lit += '\t';
        } else if (e == '$') {
            text += "$$";
            lit += '$';
        } else {
            text += e;
            lit += e;
        }
    }
    flush();
    if (out.max_ref > out.re->NumberOfCapturingGroups())
        return "back reference \\" + std::to_string(out.max_ref) + " without a group";
    return "";
}

std::string fix_subst(std::span<cfg::FixedArg> args, cfg::ModuleData* mod) {
    auto e = std::make_shared<SubstExpr>();
    std::string err = parse_subst(args[0].sval, *e);
    if (!err.empty()) return err + " in \"" + args[0].sval + "\"";
    if (!mod) return "the textops module is not loaded";
    auto* td = static_cast<TextopsData*>(mod);
    if (!td->initialized) td->pending.push_back(e);
    args[0].data = e;
    return "";
}

std::string init_textops(cfg::ModuleData& d, cfg::InitCtx& ic) {
    auto& td = static_cast<TextopsData&>(d);
    for (auto& e : td.pending)
        for (auto& p : e->repl) {
            if (p.kind != ReplPiece::Text) continue;
            std::string err;
            if (!pv::parse_format(p.text, ic.script.reg, p.fmt, err)) return err;
        }
    td.pending.clear();
    td.initialized = true;
    return "";
}

// Renders the replacement of one match into the arena.
bool render_repl(pv::Ctx& ctx, const SubstExpr& e, const re2::StringPiece* groups,
                 std::string_view& out) {
    Arena& a = ctx.w.arena;
    std::string_view parts[32];
    size_t n = 0, total = 0;
    std::string joined;
    bool many = e.repl.size() > std::size(parts);
    for (const ReplPiece& p : e.repl) {
        std::string_view s;
        switch (p.kind) {
            case ReplPiece::Ref: s = std::string_view(groups[p.ref].data(), groups[p.ref].size()); break;
            case ReplPiece::Uri:
                if (ctx.msg && ctx.msg->kind == msg::Kind::SipRequest) s = ctx.msg->uri;
                break;
            case ReplPiece::Text:
                if (!pv::render(ctx, p.fmt, s)) return false;
                break;
        }
        if (many) joined += s;
        else parts[n++] = s;
        total += s.size();
    }
    if (many) {
        out = a.copy(joined);
        return true;
    }
    char* buf = a.alloc(total ? total : 1);
    size_t o = 0;
    for (size_t k = 0; k < n; ++k) {
        std::memcpy(buf + o, parts[k].data(), parts[k].size());
        o += parts[k].size();
    }
    out = {buf, total};
    return true;
}

// Runs the substitution over `text` (which starts at offset `base` of the message when
// `record` is set). Calls emit(match_offset_in_text, match_len, replacement) per match.
template <class Emit>
int run_subst(pv::Ctx& ctx, const SubstExpr& e, std::string_view text, Emit emit) {
    re2::StringPiece in(text.data(), text.size());
    re2::StringPiece groups[10];
    const int ngroups = e.max_ref + 1;
    size_t pos = 0;
    int count = 0;
    while (pos <= text.size()) {
        if (!e.re->Match(in, pos, text.size(), re2::RE2::UNANCHORED, groups, ngroups)) break;
        size_t mo = static_cast<size_t>(groups[0].data() - text.data());
        size_t ml = groups[0].size();
        std::string_view repl;
        if (!render_repl(ctx, e, groups, repl)) return -1;
        emit(mo, ml, repl);
        ++count;
        if (!e.global) break;
        pos = mo + (ml ? ml : 1);
    }
    return count;
}

// The body as an offset range of m.raw; false when the body is not stored there (a decoded
// chunked HTTP body), so edits cannot refer to it.
bool body_range(const msg::Message& m, size_t& from, size_t& to) {
    from = m.head.size();
    to = m.raw.size();
    if (m.body.empty()) return from <= to;
    const char* b = m.body.data();
    if (b < m.raw.data() || b + m.body.size() > m.raw.data() + m.raw.size()) return false;
    from = msg::offset_in(m, m.body);
    to = from + m.body.size();
    return true;
}

int subst_in(CallArgs& a, size_t from, size_t to) {
    msg::Message* m = a.ctx.msg;
    if (from > to || to > m->raw.size()) return -1;
    auto* e = static_cast<const SubstExpr*>(a.args[0].data.get());
    std::string_view region = m->raw.substr(from, to - from);
    int n = run_subst(a.ctx, *e, region, [&](size_t off, size_t len, std::string_view repl) {
        a.ctx.edits.add(a.ctx.w.arena, from + off, len, repl);
    });
    return n > 0 ? 1 : -1;
}

// subst('/re/repl/flags'): over the headers and the body (not the start line).
int subst(CallArgs& a) {
    if (!a.ctx.msg) return -1;
    return subst_in(a, headers_begin(*a.ctx.msg), a.ctx.msg->raw.size());
}
int subst_body(CallArgs& a) {
    size_t from, to;
    if (!a.ctx.msg || !body_range(*a.ctx.msg, from, to)) return -1;
    return subst_in(a, from, to);
}
// subst_uri('/re/repl/flags'): on the current Request-URI (as rewritten by $ru or an earlier
// subst_uri); $ru shows the new value at once, msg_apply_changes() writes it into the request
// line, as with Kamailio's new R-URI.
int subst_uri(CallArgs& a) {
    msg::Message* m = a.ctx.msg;
    if (!m || m->kind != msg::Kind::SipRequest) return -1;
    auto* e = static_cast<const SubstExpr*>(a.args[0].data.get());
    std::string_view uri = pv::request_uri(a.ctx);
    std::string out;
    size_t last = 0;
    int n = run_subst(a.ctx, *e, uri, [&](size_t off, size_t len, std::string_view repl) {
        out.append(uri.substr(last, off - last));
        out.append(repl);
        last = off + len;
    });
    if (n <= 0) return -1;
    out.append(uri.substr(last));
    pv::set_request_uri(a.ctx, out);
    return 1;
}

// ---- replace* ------------------------------------------------------------------------------
// The replacement text is taken literally (Kamailio does not expand variables in it).

std::string fix_icase_re(std::span<cfg::FixedArg> args, cfg::ModuleData*);

int replace_in(CallArgs& a, size_t from, size_t to, bool all) {
    msg::Message* m = a.ctx.msg;
    if (from > to || to > m->raw.size()) return -1;
    std::string_view txt;
    if (!a.str(1, txt)) return -1;
    txt = a.ctx.w.arena.copy(txt);
    std::string_view region = m->raw.substr(from, to - from);
    re2::StringPiece in(region.data(), region.size());
    re2::StringPiece g;
    size_t pos = 0;
    int count = 0;
    while (pos <= region.size()) {
        if (!a.args[0].re->Match(in, pos, region.size(), re2::RE2::UNANCHORED, &g, 1)) break;
        size_t mo = static_cast<size_t>(g.data() - region.data());
        if (g.empty() && all) break;  // an empty match ends replace_all (as Kamailio)
        a.ctx.edits.add(a.ctx.w.arena, from + mo, g.size(), txt);
        ++count;
        if (!all) break;
        pos = mo + g.size();
    }
    return count ? 1 : -1;
}
int replace(CallArgs& a) {
    if (!a.ctx.msg) return -1;
    return replace_in(a, headers_begin(*a.ctx.msg), a.ctx.msg->raw.size(), false);
}
int replace_all(CallArgs& a) {
    if (!a.ctx.msg) return -1;
    return replace_in(a, headers_begin(*a.ctx.msg), a.ctx.msg->raw.size(), true);
}
int replace_body(CallArgs& a) {
    size_t from, to;
    if (!a.ctx.msg || !body_range(*a.ctx.msg, from, to)) return -1;
    return replace_in(a, from, to, false);
}
int replace_body_all(CallArgs& a) {
    size_t from, to;
    if (!a.ctx.msg || !body_range(*a.ctx.msg, from, to)) return -1;
    return replace_in(a, from, to, true);
}

// ---- headers -------------------------------------------------------------------------------

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
    // search() and the replace family are case-insensitive (REG_ICASE, observed).
    for (auto& arg : args) {
        if (arg.kind != ArgKind::Regex) continue;
        re2::RE2::Options o;
        o.set_posix_syntax(true);
        o.set_case_sensitive(false);
        o.set_log_errors(false);
        auto re = std::make_shared<re2::RE2>(arg.sval, o);
        if (!re->ok()) return "bad regular expression: " + re->error();
        arg.re = re;
    }
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

// search_hf(hf, re, flags): flags a (all), f (first), l (last).
std::string fix_search_hf(std::span<cfg::FixedArg> args, cfg::ModuleData* mod) {
    std::string err = fix_icase_re(args, mod);
    if (!err.empty()) return err;
    if (args.size() > 2) {
        const std::string& f = args[2].sval;
        if (f != "a" && f != "f" && f != "l" && !f.empty())
            return "invalid flags \"" + f + "\" (a, f or l)";
    }
    return "";
}
int search_hf(CallArgs& a) {
    const msg::Message* m = a.ctx.msg;
    std::string_view name;
    if (!m || !a.str(0, name)) return -1;
    char flag = a.args.size() > 2 && !a.args[2].sval.empty() ? a.args[2].sval[0] : 'a';
    msg::Hdr tok = msg::header_token(name);
    const msg::Header* last = nullptr;
    for (size_t i = 0; i < m->header_count; ++i) {
        const msg::Header& h = m->headers[i];
        if (!header_matches(h, tok, name)) continue;
        if (flag == 'l') {
            last = &h;
            continue;
        }
        if (search_in(*a.args[1].re, h.value)) return 1;
        if (flag == 'f') return -1;
    }
    return last && search_in(*a.args[1].re, last->value) ? 1 : -1;
}

// append_hf(txt[, hdr]): after the last header, or after the last header named hdr (after
// the last header when there is none of that name).
int append_hf(CallArgs& a) {
    const msg::Message* m = a.ctx.msg;
    std::string_view txt;
    if (!m || !a.str(0, txt)) return -1;
    size_t off = headers_end(*m);
    if (a.args.size() > 1) {
        std::string_view name;
        if (!a.str(1, name)) return -1;
        msg::Hdr tok = msg::header_token(name);
        const msg::Header* found = nullptr;
        for (size_t i = 0; i < m->header_count; ++i)
            if (header_matches(m->headers[i], tok, name)) found = &m->headers[i];
        // A missing anchor header: after the last header, as Kamailio.
        if (found) off = msg::offset_in(*m, found->line) + found->line.size();
    }
    a.ctx.edits.add(a.ctx.w.arena, off, 0, a.ctx.w.arena.copy(txt));
    return 1;
}
// insert_hf(txt[, hdr]): before the first header, or before the first header named hdr
// (after the last header when there is none of that name).
int insert_hf(CallArgs& a) {
    const msg::Message* m = a.ctx.msg;
    std::string_view txt;
    if (!m || !a.str(0, txt)) return -1;
    size_t off = headers_begin(*m);
    if (a.args.size() > 1) {
        std::string_view name;
        if (!a.str(1, name)) return -1;
        msg::Hdr tok = msg::header_token(name);
        const msg::Header* found = nullptr;
        for (size_t i = 0; i < m->header_count && !found; ++i)
            if (header_matches(m->headers[i], tok, name)) found = &m->headers[i];
        // A missing anchor header: after the last header, as Kamailio.
        off = found ? msg::offset_in(*m, found->line) : headers_end(*m);
    } else if (m->header_count) {
        off = msg::offset_in(*m, m->headers[0].line);
    }
    a.ctx.edits.add(a.ctx.w.arena, off, 0, a.ctx.w.arena.copy(txt));
    return 1;
}

void remove_line(pv::Ctx& ctx, const msg::Header& h) {
    size_t off = msg::offset_in(*ctx.msg, h.line);
    if (!ctx.edits.deleted(off, h.line.size())) ctx.edits.add(ctx.w.arena, off, h.line.size(), {});
}

// remove_hf(name): every header with that name (compact forms honoured).
int remove_hf(CallArgs& a) {
    const msg::Message* m = a.ctx.msg;
    std::string_view name;
    if (!m || !a.str(0, name)) return -1;
    msg::Hdr tok = msg::header_token(name);
    int n = 0;
    for (size_t i = 0; i < m->header_count; ++i)
        if (header_matches(m->headers[i], tok, name)) {
            remove_line(a.ctx, m->headers[i]);
            ++n;
        }
    return n ? 1 : -1;
}
// remove_hf_re(re): every header whose name matches (case-insensitive).
int remove_hf_re(CallArgs& a) {
    const msg::Message* m = a.ctx.msg;
    if (!m) return -1;
    int n = 0;
    for (size_t i = 0; i < m->header_count; ++i)
        if (search_in(*a.args[0].re, m->headers[i].name)) {
            remove_line(a.ctx, m->headers[i]);
            ++n;
        }
    return n ? 1 : -1;
}

// ---- bodies --------------------------------------------------------------------------------

std::string_view header_line(Arena& arena, std::string_view name, std::string_view value) {
    size_t n = name.size() + 2 + value.size() + 2;
    char* p = arena.alloc(n);
    size_t o = 0;
    for (std::string_view s : {name, std::string_view(": "), value, std::string_view("\r\n")}) {
        std::memcpy(p + o, s.data(), s.size());
        o += s.size();
    }
    return {p, n};
}

// set_body(txt, content_type): replaces the body and the Content-Type header; the
// Content-Length value follows the new body when the changes are applied.
int set_body(CallArgs& a) {
    const msg::Message* m = a.ctx.msg;
    std::string_view txt, ctype;
    if (!m || !a.str(0, txt) || !a.str(1, ctype)) return -1;
    if (txt.empty()) {
        SLOG_ERR("textops", "set_body(): empty body");
        return -1;
    }
    Arena& ar = a.ctx.w.arena;
    msg::EditList& ed = a.ctx.edits;
    txt = ar.copy(txt);
    size_t body_off, body_end;
    if (!body_range(*m, body_off, body_end)) {
        SLOG_ERR("textops", "set_body(): the body cannot be replaced on this message");
        return -1;
    }
    if (body_end > body_off && !ed.deleted(body_off, body_end - body_off))
        ed.add(ar, body_off, body_end - body_off, {});
    if (const msg::Header* ct = m->find(msg::Hdr::ContentType)) remove_line(a.ctx, *ct);
    const size_t end = headers_end(*m);
    if (!m->find(msg::Hdr::ContentLength)) {
        char digits[12];
        ed.add(ar, end, 0, header_line(ar, "Content-Length", int_to_str(static_cast<int>(txt.size()), digits)));
    }
    ed.add(ar, end, 0, header_line(ar, "Content-Type", ctype));
    ed.add(ar, body_off, 0, txt);
    return 1;
}

// set_reply_body(txt, content_type): the body of the next reply; its Content-Type goes with
// the headers added by append_to_reply(), in call order.
int set_reply_body(CallArgs& a) {
    std::string_view txt, ctype;
    if (!a.str(0, txt) || !a.str(1, ctype)) return -1;
    if (!a.ctx.reply_hdrs) return -1;
    if (a.ctx.has_reply_body) {
        SLOG_ERR("textops", "set_reply_body(): the reply already has a body");
        return -1;
    }
    Arena& ar = a.ctx.w.arena;
    a.ctx.reply_hdrs->push_back(header_line(ar, "Content-Type", ctype));
    a.ctx.reply_body = ar.copy(txt);
    a.ctx.has_reply_body = true;
    return 1;
}

std::unique_ptr<cfg::ModuleData> create_textops() { return std::make_unique<TextopsData>(); }

}  // namespace

const cfg::ModuleDef kTextopsModule{
    .name = "textops",
    .create = create_textops,
    .functions =
        {
            {"is_method", {ArgKind::Const}, 1, pv::kAnyRoute, is_method, fix_methods},
            {"append_to_reply", {ArgKind::Str}, 1, pv::kAnyRoute, append_to_reply},
            {"search", {ArgKind::Regex}, 1, pv::kAnyRoute, search, fix_icase_re},
            {"search_body", {ArgKind::Regex}, 1, pv::kAnyRoute, search_body, fix_icase_re},
            {"search_hf", {ArgKind::Str, ArgKind::Regex, ArgKind::Const}, 3, pv::kAnyRoute,
             search_hf, fix_search_hf},
            {"is_present_hf", {ArgKind::Str}, 1, pv::kAnyRoute, is_present_hf},
            {"has_body", {}, 0, pv::kAnyRoute, has_body},
            {"append_hf", {ArgKind::Str, ArgKind::Str}, 1, pv::kAnyRoute, append_hf},
            {"insert_hf", {ArgKind::Str, ArgKind::Str}, 1, pv::kAnyRoute, insert_hf},
            {"remove_hf", {ArgKind::Str}, 1, pv::kAnyRoute, remove_hf},
            {"remove_hf_re", {ArgKind::Regex}, 1, pv::kAnyRoute, remove_hf_re, fix_icase_re},
            {"subst", {ArgKind::Const}, 1, pv::kAnyRoute, subst, fix_subst},
            {"subst_uri", {ArgKind::Const}, 1, pv::kAnyRoute, subst_uri, fix_subst},
            {"subst_body", {ArgKind::Const}, 1, pv::kAnyRoute, subst_body, fix_subst},
            {"replace", {ArgKind::Regex, ArgKind::Const}, 2, pv::kAnyRoute, replace, fix_icase_re},
            {"replace_all", {ArgKind::Regex, ArgKind::Const}, 2, pv::kAnyRoute, replace_all,
             fix_icase_re},
            {"replace_body", {ArgKind::Regex, ArgKind::Const}, 2, pv::kAnyRoute, replace_body,
             fix_icase_re},
            {"replace_body_all", {ArgKind::Regex, ArgKind::Const}, 2, pv::kAnyRoute,
             replace_body_all, fix_icase_re},
            {"set_body", {ArgKind::Str, ArgKind::Str}, 2, pv::kAnyRoute, set_body},
            {"set_reply_body", {ArgKind::Str, ArgKind::Str}, 2, pv::kAnyRoute, set_reply_body},
        },
    .init = init_textops,
};

}  // namespace siphon::modules
