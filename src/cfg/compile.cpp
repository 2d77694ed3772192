// The compile pass: resolves every name in the parsed script (pseudo-variables, functions by
// name and arity, route targets, regexes, format strings) and checks what can be checked
// before the server starts, so that a config accepted by `siphon -c` cannot fail on an
// unknown name at run time.
#include <re2/re2.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "cfg/interp.h"
#include "cfg/lexer.h"
#include "cfg/parser.h"
#include "cfg/script.h"
#include "core/log.h"

namespace siphon::cfg {

std::shared_ptr<re2::RE2> compile_posix_regex(std::string_view pattern, bool icase,
                                              std::string& err) {
    re2::RE2::Options o;
    o.set_posix_syntax(true);
    o.set_case_sensitive(!icase);
    o.set_log_errors(false);
    o.set_max_mem(8 << 20);
    auto re = std::make_shared<re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), o);
    if (!re->ok()) {
        err = re->error();
        return nullptr;
    }
    return re;
}

namespace {

uint32_t route_mask(RouteKind k) {
    switch (k) {
        case RouteKind::Request: return pv::kRequestRoute;
        case RouteKind::Named: return pv::kAnyRoute;  // checked where it is called from
        case RouteKind::Reply: return pv::kReplyRoute | pv::kOnReplyRoute;
        case RouteKind::OnReply: return pv::kOnReplyRoute;
        case RouteKind::Failure: return pv::kFailureRoute;
        case RouteKind::Branch: return pv::kBranchRoute;
        case RouteKind::OnSend: return pv::kOnSendRoute;
        case RouteKind::Event: return pv::kEventRoute | pv::kRequestRoute;
    }
    return pv::kAnyRoute;
}

const char* route_kind_name(RouteKind k) {
    switch (k) {
        case RouteKind::Request: return "request_route";
        case RouteKind::Named: return "route";
        case RouteKind::Reply: return "reply_route";
        case RouteKind::OnReply: return "onreply_route";
        case RouteKind::Failure: return "failure_route";
        case RouteKind::Branch: return "branch_route";
        case RouteKind::OnSend: return "onsend_route";
        case RouteKind::Event: return "event_route";
    }
    return "route";
}

std::string join(const std::vector<std::string_view>& names) {
    std::string out;
    for (std::string_view n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out;
}

// The static type of an expression, as Kamailio's config checker infers it: constants and
// casts have a type, pseudo-variables only get one at run time.
enum class SType : uint8_t { None, Int, Str };

const char* stype_name(SType t) { return t == SType::Int ? "int" : "str"; }

bool is_int_only_op(Op op) {
    switch (op) {
        case Op::Sub: case Op::Mul: case Op::Div: case Op::Mod: case Op::BitOr:
        case Op::BitAnd: case Op::BitXor: case Op::Shl: case Op::Shr: case Op::And:
        case Op::Or: case Op::Lt: case Op::Gt: case Op::Le: case Op::Ge: case Op::IntEq:
        case Op::IntNe:
            return true;
        default: return false;
    }
}

class Compiler {
public:
    Compiler(Script& s, Diagnostics& d, std::span<const ModuleDef* const> builtin)
        : s_(s), d_(d), builtin_(builtin) {}

    void run() {
        for (auto& r : s_.routes) {
            cur_ = r.get();
            actions(r->body);
        }
    }
    // Second walk: the rewrites that must not influence the type check.
    void finish() {
        for (auto& r : s_.routes) finish_actions(r->body);
    }

private:
    void actions(std::vector<std::unique_ptr<Action>>& list) {
        for (auto& a : list) action(*a);
    }
    void action(Action& a) {
        switch (a.kind) {
            case Action::Kind::Expr:
            case Action::Kind::Return:
            case Action::Kind::Exit:
            case Action::Kind::Drop:
                if (a.expr) root(*a.expr);
                break;
            case Action::Kind::If:
            case Action::Kind::While:
                // Kamailio warns about a condition that cannot change ("constant value in
                // if(...)"); the config is still valid.
                if (is_const_tree(*a.expr))
                    d_.warning(a.expr->pos,
                               std::string("constant value in ") +
                                   (a.kind == Action::Kind::If ? "if(...)" : "while(...)"));
                root(*a.expr);
                actions(a.body);
                actions(a.else_body);
                break;
            case Action::Kind::Switch:
                root(*a.expr);
                actions(a.body);
                break;
            case Action::Kind::Block: actions(a.body); break;
            default: break;
        }
    }

    // A whole expression of a statement: names first, then the type check (one report per
    // expression, as Kamailio).
    void root(Expr& e) {
        size_t before = d_.error_count();
        expr(e);
        keywords(e, false);
        if (d_.error_count() != before) return;
        const Expr* bad = nullptr;
        SType bad_t = SType::None, want_t = SType::None;
        if (!check_type(e, bad, bad_t, want_t) && bad)
            d_.error(bad->pos, "type mismatch: expected " + std::string(stype_name(want_t)) +
                                   ", found " + stype_name(bad_t) + " " + describe(*bad));
    }

    // Core keywords (method, uri, src_ip ...) exist in Kamailio only as the left operand of a
    // comparison; elsewhere the PV must be written ($rm, $ru, $si ...).
    void keywords(const Expr& e, bool allowed) {
        if (e.kind == Expr::Kind::Pv && e.keyword && !allowed) {
            d_.error(e.pos, "'" + keyword_text(e) + "' can only be compared (" + keyword_text(e) +
                                " == ...); write " + e.sval + " to use its value");
            return;
        }
        bool cmp = e.kind == Expr::Kind::Binary &&
                   (e.op == Op::Eq || e.op == Op::Ne || e.op == Op::Match || e.op == Op::Lt ||
                    e.op == Op::Gt || e.op == Op::Le || e.op == Op::Ge);
        if (e.l) keywords(*e.l, cmp);
        if (e.r) keywords(*e.r, false);
    }
    std::string keyword_text(const Expr& e) const {
        if (e.pos.line && e.pos.line == e.end.line && e.pos.file < s_.sources.size()) {
            std::string_view line = s_.sources.line_text(e.pos.file, e.pos.line);
            if (e.end.col > e.pos.col && e.end.col - 1 <= line.size())
                return std::string(line.substr(e.pos.col - 1, e.end.col - e.pos.col));
        }
        return e.sval;
    }

    static bool is_const_tree(const Expr& e) {
        switch (e.kind) {
            case Expr::Kind::Int:
            case Expr::Kind::Str: return true;
            case Expr::Kind::Unary: return e.op != Op::Defined && is_const_tree(*e.l);
            case Expr::Kind::Binary: return is_const_tree(*e.l) && is_const_tree(*e.r);
            default: return false;
        }
    }

    // The text of an expression as written (one line), for messages.
    std::string describe(const Expr& e) const {
        if (e.kind == Expr::Kind::Int) return std::to_string(e.cval.i);
        if (e.kind == Expr::Kind::Str) return pv::quote_for_message(e.sval);
        if (e.pos.line && e.pos.line == e.end.line && e.end.col > e.pos.col &&
            e.pos.file < s_.sources.size()) {
            std::string_view line = s_.sources.line_text(e.pos.file, e.pos.line);
            if (e.end.col - 1 <= line.size())
                return "'" + std::string(line.substr(e.pos.col - 1, e.end.col - e.pos.col)) + "'";
        }
        return "expression";
    }

    // Kamailio's static type rules (core/rvalue.c rve_check_type): integer operators refuse a
    // string operand; `+`, `==`, `!=` refuse an int on the left with a string on the right
    // (a string on the left with an int on the right is fine); `eq`, `ne`, `=~` also refuse
    // an int on the left; strlen/strempty/defined refuse an int. Returns false with the
    // offending subexpression.
    bool check_type(const Expr& e, const Expr*& bad, SType& bad_t, SType& want_t,
                    SType *out = nullptr) {
        SType t = SType::None, t1 = SType::None, t2 = SType::None;
        auto fail = [&](const Expr* b, SType bt, SType wt) {
            bad = b;
            bad_t = bt;
            want_t = wt;
            return false;
        };
        switch (e.kind) {
            case Expr::Kind::Int: t = SType::Int; break;
            case Expr::Kind::Str: t = SType::Str; break;
            case Expr::Kind::Call: t = SType::Int; break;
            case Expr::Kind::Assign:
                if (!check_type(*e.r, bad, bad_t, want_t)) return false;
                t = SType::Int;
                break;
            case Expr::Kind::Pv:
            case Expr::Kind::Myself: t = SType::None; break;
            case Expr::Kind::Unary:
                if (!check_type(*e.l, bad, bad_t, want_t, &t1)) return false;
                switch (e.op) {
                    case Op::Not: case Op::Neg: case Op::BitNot:
                        if (t1 == SType::Str) return fail(e.l.get(), t1, SType::Int);
                        t = SType::Int;
                        break;
                    case Op::Strlen: case Op::Strempty: case Op::Defined:
                        if (t1 == SType::Int) return fail(e.l.get(), t1, SType::Str);
                        t = SType::Int;
                        break;
                    case Op::CastInt: t = SType::Int; break;
                    case Op::CastStr: t = SType::Str; break;
                    default: break;
                }
                break;
            case Expr::Kind::Binary: {
                if (!check_type(*e.l, bad, bad_t, want_t, &t1)) return false;
                if (is_int_only_op(e.op)) {
                    if (t1 == SType::Str) return fail(e.l.get(), t1, SType::Int);
                    if (!check_type(*e.r, bad, bad_t, want_t, &t2)) return false;
                    if (t2 == SType::Str) return fail(e.r.get(), t2, SType::Int);
                    t = SType::Int;
                    break;
                }
                if (!check_type(*e.r, bad, bad_t, want_t, &t2)) return false;
                if (t1 != t2 && t1 != SType::None && t2 != SType::None &&
                    !(t1 == SType::Str && t2 == SType::Int))
                    return fail(e.r.get(), t2, t1);
                if (e.op == Op::StrEq || e.op == Op::StrNe || e.op == Op::Match ||
                    e.op == Op::NoMatch) {
                    if (t1 == SType::Int) return fail(e.l.get(), t1, SType::Str);
                }
                t = e.op == Op::Add ? t1 : SType::Int;
                break;
            }
        }
        if (out) *out = t;
        return true;
    }

    void pv(Expr& e) {
        std::string err;
        e.pv = pv::parse_pv_exact(e.sval, s_.reg, err);
        if (!e.pv) d_.error(e.pos, err);
    }

    void expr(Expr& e) {
        switch (e.kind) {
            case Expr::Kind::Int: return;
            case Expr::Kind::Str: e.cval = Value::of_str(e.sval); return;
            case Expr::Kind::Myself: return;
            case Expr::Kind::Pv: return pv(e);
            case Expr::Kind::Assign: {
                std::string err;
                e.pv = pv::parse_pv_exact(e.sval, s_.reg, err);
                if (!e.pv) d_.error(e.pos, err);
                else if (!pv::pv_writable(*e.pv))
                    d_.error(e.pos, "cannot assign to read-only pseudo-variable " + e.sval);
                else if (!e.pv->trs.empty())
                    d_.error(e.pos,
                             "cannot assign to a pseudo-variable with transformations: " + e.sval);
                expr(*e.r);
                return;
            }
            case Expr::Kind::Unary: expr(*e.l); return;
            case Expr::Kind::Call: return call(*e.call);
            case Expr::Kind::Binary: break;
        }
        expr(*e.l);
        expr(*e.r);
        if (e.op == Op::Match || e.op == Op::NoMatch) {
            // A constant pattern is compiled once; Kamailio's =~ is POSIX extended and
            // case-insensitive.
            if (e.r->kind == Expr::Kind::Str || e.r->kind == Expr::Kind::Int) {
                std::string pat =
                    e.r->kind == Expr::Kind::Str ? e.r->sval : std::to_string(e.r->cval.i);
                std::string err;
                e.re = compile_posix_regex(pat, true, err);
                if (!e.re)
                    d_.error(e.r->pos,
                             "bad regular expression " + pv::quote_for_message(pat) + ": " + err);
            }
        }
        // QUIRK: `X == ""` is rewritten into strempty(X) (notes 1.10); `X != ""` becomes its
        // exact negation (Kamailio's asymmetry there is a defect). Type checking happens on
        // the tree as written, so this runs after it (see root()).
    }

    // Applied after the type check: rewrites `X == ""` / `X != ""`.
    static void rewrite_empty(Expr& e) {
        if (e.l) rewrite_empty(*e.l);
        if (e.r) rewrite_empty(*e.r);
        if (e.kind != Expr::Kind::Binary || (e.op != Op::Eq && e.op != Op::Ne)) return;
        if (e.r->kind != Expr::Kind::Str || !e.r->sval.empty() || is_const_tree(*e.l)) return;
        auto se = std::make_unique<Expr>();
        se->kind = Expr::Kind::Unary;
        se->op = Op::Strempty;
        se->pos = e.pos;
        se->end = e.end;
        se->l = std::move(e.l);
        e.r.reset();
        e.kind = Expr::Kind::Unary;
        if (e.op == Op::Eq) {
            e.op = Op::Strempty;
            e.l = std::move(se->l);
        } else {
            e.op = Op::Not;
            e.l = std::move(se);
        }
    }

    void finish_actions(std::vector<std::unique_ptr<Action>>& list) {
        for (auto& a : list) {
            if (a->expr) finish_expr(*a->expr);
            finish_actions(a->body);
            finish_actions(a->else_body);
        }
    }
    void finish_expr(Expr& e) {
        rewrite_empty(e);
        if (e.kind == Expr::Kind::Call && e.call && e.call->route_expr)
            finish_expr(*e.call->route_expr);
    }

    void call(Call& c) {
        if (c.name == "route") {
            c.is_route = true;
            if (c.raw_args.size() != 1) {
                d_.error(c.pos, "route() takes exactly one route name, found " +
                                    std::to_string(c.raw_args.size()));
                return;
            }
            Expr& a = *c.raw_args[0];
            if (a.kind == Expr::Kind::Str || a.kind == Expr::Kind::Int) {
                std::string name = a.kind == Expr::Kind::Str ? a.sval : std::to_string(a.cval.i);
                auto it = s_.named.find(name);
                if (it == s_.named.end()) {
                    // Kamailio's -c accepts this and fails at start-up; siphon reports it here.
                    std::vector<std::string_view> names;
                    for (auto& [n, r] : s_.named) names.emplace_back(n);
                    std::string msg = "route '" + name + "' is not defined";
                    std::string_view near = pv::closest_name(name, names);
                    if (!near.empty()) msg += " (did you mean '" + std::string(near) + "'?)";
                    else if (!names.empty()) msg += " (routes: " + join(names) + ")";
                    else msg += " (there is no route[...] block)";
                    d_.error(a.pos, msg);
                    return;
                }
                c.route = it->second;
            } else {
                expr(a);
                c.route_expr = std::move(c.raw_args[0]);
            }
            return;
        }
        size_t n = c.raw_args.size();
        const FuncDef* found = nullptr;
        ModuleData* mod = nullptr;
        std::vector<std::pair<size_t, size_t>> arities;
        for (auto& m : s_.modules)
            for (auto& f : m.def->functions)
                if (f.name == c.name) {
                    arities.emplace_back(f.min_args, f.args.size());
                    if (n >= f.min_args && n <= f.args.size() && !found) {
                        found = &f;
                        mod = m.data.get();
                    }
                }
        if (!found) {
            if (!arities.empty()) return arity_error(c, n, arities);
            return unknown_function(c);
        }
        c.fn = found;
        c.mod = mod;
        uint32_t mask = route_mask(cur_->kind);
        if (cur_->kind != RouteKind::Named && !(found->routes & mask))
            d_.error(c.pos,
                     "function '" + c.name + "' cannot be used in " + route_kind_name(cur_->kind));
        c.args.resize(n);
        bool ok = true;
        for (size_t i = 0; i < n; ++i) ok &= fix_arg(c, i);
        if (ok && found->fixup) {
            std::string err = found->fixup(c.args, mod);
            if (!err.empty()) d_.error(c.pos, c.name + "(): " + err);
        }
    }

    void arity_error(const Call& c, size_t n, std::vector<std::pair<size_t, size_t>> ar) {
        std::vector<size_t> counts;
        for (auto [lo, hi] : ar)
            for (size_t k = lo; k <= hi; ++k) counts.push_back(k);
        std::sort(counts.begin(), counts.end());
        counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
        std::string takes;
        for (size_t k = 0; k < counts.size(); ++k) {
            if (k) takes += k + 1 == counts.size() ? " or " : ", ";
            takes += std::to_string(counts[k]);
        }
        d_.error(c.pos, "function '" + c.name + "' takes " + takes + " parameter" +
                            (counts.size() == 1 && counts[0] == 1 ? "" : "s") + ", found " +
                            std::to_string(n));
    }

    void unknown_function(const Call& c) {
        // A built-in module that was not loaded?
        for (const ModuleDef* m : builtin_) {
            if (s_.has_module(m->name)) continue;
            for (auto& f : m->functions)
                if (f.name == c.name) {
                    d_.error(c.pos, "unknown function '" + c.name +
                                        "': it is provided by module '" + std::string(m->name) +
                                        "' (add loadmodule \"" + std::string(m->name) + ".so\")");
                    return;
                }
        }
        std::vector<std::string_view> names{"route"};
        for (auto& m : s_.modules)
            for (auto& f : m.def->functions) names.push_back(f.name);
        std::string_view near = pv::closest_name(c.name, names);
        if (!near.empty())
            d_.error(c.pos, "unknown function '" + c.name + "' (did you mean '" +
                                std::string(near) + "'?)");
        else
            d_.error(c.pos, "unknown function '" + c.name + "' (missing loadmodule?)");
    }

    // Where, inside the string literal `str`, the byte `offset` of its value is: exact when
    // the literal was written on one line without escapes, else the literal's start.
    SourcePos pos_in_string(const Expr& str, size_t offset) const {
        SourcePos p = str.pos;
        if (!p.line || p.file >= s_.sources.size()) return p;
        std::string_view line = s_.sources.line_text(p.file, p.line);
        size_t start = p.col;  // just after the opening quote
        if (start == 0 || start - 1 >= line.size() ||
            (line[start - 1] != '"' && line[start - 1] != '\''))
            return p;
        if (start + offset > line.size() ||
            line.substr(start, offset) != std::string_view(str.sval).substr(0, offset))
            return p;
        p.col = static_cast<uint32_t>(start + offset + 1);
        return p;
    }

    // Offset of the first '$' of a format that does not start a valid PV, or npos.
    size_t bad_format_offset(std::string_view text) {
        for (size_t i = 0; i < text.size(); ++i) {
            if (text[i] != '$') continue;
            if (i + 1 < text.size() && text[i + 1] == '$') {
                ++i;
                continue;
            }
            size_t used = 0;
            std::string err;
            if (!pv::parse_pv(text.substr(i), s_.reg, used, err)) return i;
            i += used - 1;
        }
        return std::string_view::npos;
    }

    bool format_arg(const Call& c, size_t i, std::string_view text, pv::Format& fmt) {
        std::string err;
        if (pv::parse_format(text, s_.reg, fmt, err)) return true;
        const Expr& a = *c.raw_args[i];
        SourcePos p = a.pos;
        if (a.kind == Expr::Kind::Str) {
            size_t off = bad_format_offset(text);
            if (off != std::string_view::npos) p = pos_in_string(a, off);
        }
        d_.error(p, "parameter " + std::to_string(i + 1) + " of " + c.name + "(): " + err +
                        " (write $$ for a literal '$')");
        return false;
    }

    bool fix_arg(Call& c, size_t i) {
        Expr& a = *c.raw_args[i];
        FixedArg& f = c.args[i];
        f.kind = c.fn->args[i];
        std::string where = "parameter " + std::to_string(i + 1) + " of " + c.name + "()";
        std::string text;
        if (a.bare_word) {
            // Kamailio: "function xlog: parameter 1 is not constant"; an unknown word is often
            // a #!define that is not defined.
            d_.error(a.pos, where + " is not constant: quote it (\"" + a.sval +
                                "\"), or #!define " + a.sval);
            return false;
        }
        if (a.kind == Expr::Kind::Str) text = a.sval;
        else if (a.kind == Expr::Kind::Int) text = std::to_string(a.cval.i);
        else if (a.kind == Expr::Kind::Pv) {
            // An unquoted PV means the same as "$pv". Kamailio takes it only for functions
            // with fparam fixups (jansson_get(.., $var(j), ..)); siphon takes it everywhere.
            text = a.sval;
        } else {
            d_.error(a.pos, where + " is not constant: function parameters are literals, "
                                    "with pseudo-variables inside quoted strings");
            return false;
        }
        f.sval = text;
        std::string err;
        switch (f.kind) {
            case ArgKind::Const: return true;
            case ArgKind::Str: return format_arg(c, i, text, f.fmt);
            case ArgKind::Int: {
                if (a.kind == Expr::Kind::Int) {
                    f.is_const = true;
                    f.ival = a.cval.i;
                    return true;
                }
                int32_t v;
                if (str_to_int(text, v)) {
                    f.is_const = true;
                    f.ival = v;
                    return true;
                }
                if (!format_arg(c, i, text, f.fmt)) return false;
                if (f.fmt.is_literal()) {
                    d_.error(a.pos,
                             where + ": integer expected, found " + pv::quote_for_message(text));
                    return false;
                }
                return true;
            }
            case ArgKind::Pv:
                f.pv = pv::parse_pv_exact(text, s_.reg, err);
                if (!f.pv) {
                    d_.error(a.pos, where + ": " + err);
                    return false;
                }
                return true;
            case ArgKind::Regex:
                f.re = compile_posix_regex(text, false, err);
                if (!f.re) {
                    d_.error(a.pos, where + ": bad regular expression " +
                                        pv::quote_for_message(text) + ": " + err);
                    return false;
                }
                return true;
        }
        return true;
    }

    Script& s_;
    Diagnostics& d_;
    std::span<const ModuleDef* const> builtin_;
    const Route* cur_ = nullptr;
};

// Diagnostics in reading order: the parser and the compile pass report in two sweeps, the
// reader wants them in the order of the text, included files where they are included. The
// order of a position is that of the first token at or after it in the (flattened) token
// stream; positionless diagnostics (module start-up) come last, in their own order.
void sort_into(const Diagnostics& from, const std::vector<Token>& toks, Diagnostics& to) {
    struct At {
        uint32_t line, col;
        size_t index;
    };
    std::vector<std::vector<At>> by_file;
    for (size_t i = 0; i < toks.size(); ++i) {
        const SourcePos& p = toks[i].pos;
        if (!p.line) continue;
        if (p.file >= by_file.size()) by_file.resize(p.file + 1);
        std::vector<At>& v = by_file[p.file];
        // A file included twice: its second copy continues the order of the first.
        if (!v.empty() &&
            (v.back().line > p.line || (v.back().line == p.line && v.back().col > p.col)))
            continue;
        v.push_back({p.line, p.col, i});
    }
    auto order = [&](const Diagnostic& d) -> std::pair<size_t, uint64_t> {
        const SourcePos& p = d.pos;
        if (!p.line) return {SIZE_MAX, 0};
        uint64_t sub = (static_cast<uint64_t>(p.line) << 32) | p.col;
        if (p.file >= by_file.size() || by_file[p.file].empty()) return {SIZE_MAX - 1, sub};
        const std::vector<At>& v = by_file[p.file];
        auto it = std::lower_bound(v.begin(), v.end(), p, [](const At& a, const SourcePos& q) {
            return a.line < q.line || (a.line == q.line && a.col < q.col);
        });
        size_t idx = it == v.end() ? v.back().index + 1 : it->index;
        return {idx, sub};
    };
    std::vector<std::pair<std::pair<size_t, uint64_t>, const Diagnostic*>> v;
    for (const Diagnostic& d : from.list()) v.push_back({order(d), &d});
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [key, d] : v) {
        if (d->severity == Diagnostic::Severity::Error) to.error(d->pos, d->message);
        else to.warning(d->pos, d->message);
    }
}

}  // namespace

std::unique_ptr<Script> load_script(const LoadOptions& opt, Diagnostics& diag) {
    auto script = std::make_unique<Script>();
    pv::register_core(script->reg);
    LexOptions lo;
    lo.defines = opt.defines;
    lo.predefined = {"SIPHON", "KAMAILIO_5", "KAMAILIO_5_6", "KAMAILIO_5_6_3"};
    // Core functions need no loadmodule.
    for (const ModuleDef* m : opt.modules)
        if (m->name == "core")
            script->modules.push_back(
                {m, m->create ? m->create() : std::make_unique<ModuleData>(), {}});
    Diagnostics local;
    auto toks = lex_config(opt.path, opt.text, lo, script->sources, local);
    parse_script(toks, opt.modules, *script, local);
    Compiler comp(*script, local, opt.modules);
    comp.run();
    comp.finish();
    if (local.error_count() == 0) {
        InitCtx ictx{*script};
        for (auto& m : script->modules) {
            if (!m.def->init) continue;
            std::string err = m.def->init(*m.data, ictx);
            if (!err.empty()) local.error(m.pos, "module " + std::string(m.def->name) + ": " + err);
        }
    }
    sort_into(local, toks, diag);
    return script;
}

}  // namespace siphon::cfg
