// The compile pass: resolves every name in the parsed script (pseudo-variables, functions by
// name and arity, route targets, regexes, format strings) and checks what can be checked
// before the server starts, so that a config accepted by `siphon -c` cannot fail on an
// unknown name at run time.
#include <re2/re2.h>

#include <fstream>
#include <sstream>

#include "cfg/interp.h"
#include "cfg/lexer.h"
#include "cfg/parser.h"
#include "cfg/script.h"
#include "core/log.h"

namespace siphon::cfg {

std::shared_ptr<re2::RE2> compile_posix_regex(std::string_view pattern, bool icase, std::string& err) {
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

class Compiler {
public:
    Compiler(Script& s, Diagnostics& d) : s_(s), d_(d) {}

    void run() {
        for (auto& r : s_.routes) {
            cur_ = r.get();
            actions(r->body);
        }
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
                if (a.expr) expr(*a.expr);
                break;
            case Action::Kind::If:
            case Action::Kind::While:
                expr(*a.expr);
                if (a.expr->kind == Expr::Kind::Int || a.expr->kind == Expr::Kind::Str)
                    d_.warning(a.expr->pos, std::string("constant value in ") +
                                                (a.kind == Action::Kind::If ? "if(...)" : "while(...)"));
                actions(a.body);
                actions(a.else_body);
                break;
            case Action::Kind::Switch:
                expr(*a.expr);
                actions(a.body);
                break;
            case Action::Kind::Block: actions(a.body); break;
            default: break;
        }
    }

    bool is_const(const Expr& e) const { return e.kind == Expr::Kind::Int || e.kind == Expr::Kind::Str; }

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
                    d_.error(e.pos, "read-only pseudo-variable " + e.sval + " on the left side of '='");
                expr(*e.r);
                return;
            }
            case Expr::Kind::Unary: expr(*e.l); return;
            case Expr::Kind::Call: return call(*e.call, e);
            case Expr::Kind::Binary: break;
        }
        expr(*e.l);
        expr(*e.r);
        // Constant operands of different types are a load-time error, as in Kamailio:
        // `2 + "1"` and `0 == "a"` are type mismatches; `"a" + 1` is allowed.
        if (e.l->kind == Expr::Kind::Int && e.r->kind == Expr::Kind::Str &&
            (e.op == Op::Add || e.op == Op::Eq || e.op == Op::Ne || e.op == Op::Sub ||
             e.op == Op::Mul || e.op == Op::Div || e.op == Op::Mod)) {
            d_.error(e.r->pos, "bad expression: type mismatch: str instead of int");
            return;
        }
        if (e.op == Op::Match || e.op == Op::NoMatch) {
            if (e.r->kind == Expr::Kind::Str) {
                std::string err;
                e.re = compile_posix_regex(e.r->sval, true, err);
                if (!e.re) d_.error(e.r->pos, "bad regular expression \"" + e.r->sval + "\": " + err);
            } else if (e.r->kind == Expr::Kind::Int) {
                d_.error(e.r->pos, "bad expression: regular expression expected");
            }
        }
        // QUIRK: `X == ""` is rewritten into strempty(X) (notes 1.10); `X != ""` becomes its
        // exact negation (Kamailio's asymmetry there is a defect).
        if ((e.op == Op::Eq || e.op == Op::Ne) && e.r->kind == Expr::Kind::Str && e.r->sval.empty() &&
            !is_const(*e.l)) {
            auto se = std::make_unique<Expr>();
            se->kind = Expr::Kind::Unary;
            se->op = Op::Strempty;
            se->pos = e.pos;
            se->l = std::move(e.l);
            if (e.op == Op::Eq) {
                e.kind = Expr::Kind::Unary;
                e.op = Op::Strempty;
                e.l = std::move(se->l);
            } else {
                e.kind = Expr::Kind::Unary;
                e.op = Op::Not;
                e.l = std::move(se);
            }
            e.r.reset();
        }
    }

    void call(Call& c, Expr& e) {
        if (c.name == "route") {
            c.is_route = true;
            if (c.raw_args.size() != 1) {
                d_.error(c.pos, "route() takes exactly one route name");
                return;
            }
            Expr& a = *c.raw_args[0];
            if (a.kind == Expr::Kind::Str || a.kind == Expr::Kind::Int) {
                std::string name = a.kind == Expr::Kind::Str ? a.sval : std::to_string(a.cval.i);
                auto it = s_.named.find(name);
                if (it == s_.named.end()) {
                    std::string avail;
                    for (auto& [n, r] : s_.named) avail += (avail.empty() ? "" : ", ") + n;
                    d_.error(a.pos, "route '" + name + "' is not defined" +
                                        (avail.empty() ? std::string() : " (routes: " + avail + ")"));
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
        bool name_known = false;
        for (auto& m : s_.modules)
            for (auto& f : m.def->functions)
                if (f.name == c.name) {
                    name_known = true;
                    if (n >= f.min_args && n <= f.args.size() && !found) {
                        found = &f;
                        mod = m.data.get();
                    }
                }
        if (!found) {
            if (name_known)
                d_.error(c.pos, "function '" + c.name + "' does not take " + std::to_string(n) +
                                    " parameter" + (n == 1 ? "" : "s"));
            else
                d_.error(c.pos, "unknown function '" + c.name + "' (missing loadmodule?)");
            return;
        }
        c.fn = found;
        c.mod = mod;
        uint32_t mask = route_mask(cur_->kind);
        if (cur_->kind != RouteKind::Named && !(found->routes & mask))
            d_.error(c.pos, "function '" + c.name + "' cannot be used in " + route_kind_name(cur_->kind));
        c.args.resize(n);
        bool ok = true;
        for (size_t i = 0; i < n; ++i) ok &= fix_arg(c, i);
        if (ok && found->fixup) {
            std::string err = found->fixup(c.args, mod);
            if (!err.empty()) d_.error(c.pos, c.name + ": " + err);
        }
        (void)e;
    }

    bool fix_arg(Call& c, size_t i) {
        Expr& a = *c.raw_args[i];
        FixedArg& f = c.args[i];
        f.kind = c.fn->args[i];
        std::string where = "parameter " + std::to_string(i + 1) + " of " + c.name;
        std::string text;
        if (a.kind == Expr::Kind::Str) text = a.sval;
        else if (a.kind == Expr::Kind::Int) text = std::to_string(a.cval.i);
        else if (a.kind == Expr::Kind::Pv) text = a.sval;  // unquoted PV: same as "$pv"
        else {
            d_.error(a.pos, where + " is not constant");
            return false;
        }
        f.sval = text;
        std::string err;
        switch (f.kind) {
            case ArgKind::Const: return true;
            case ArgKind::Str:
                if (!pv::parse_format(text, s_.reg, f.fmt, err)) {
                    d_.error(a.pos, where + ": " + err);
                    return false;
                }
                return true;
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
                if (!pv::parse_format(text, s_.reg, f.fmt, err)) {
                    d_.error(a.pos, where + ": " + err);
                    return false;
                }
                if (f.fmt.is_literal()) {
                    d_.error(a.pos, where + ": integer expected, found \"" + text + "\"");
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
                    d_.error(a.pos, where + ": bad regular expression: " + err);
                    return false;
                }
                return true;
        }
        return true;
    }

    Script& s_;
    Diagnostics& d_;
    const Route* cur_ = nullptr;
};

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
            script->modules.push_back({m, m->create ? m->create() : std::make_unique<ModuleData>()});
    auto toks = lex_config(opt.path, opt.text, lo, script->sources, diag);
    parse_script(toks, opt.modules, *script, diag);
    Compiler(*script, diag).run();
    if (diag.error_count() == 0) {
        InitCtx ictx{*script};
        for (auto& m : script->modules) {
            if (!m.def->init) continue;
            std::string err = m.def->init(*m.data, ictx);
            if (!err.empty()) diag.error(SourcePos{}, "module " + std::string(m.def->name) + ": " + err);
        }
    }
    return script;
}

}  // namespace siphon::cfg
