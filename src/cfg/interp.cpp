#include "cfg/interp.h"

#include <re2/re2.h>

#include <arpa/inet.h>

#include <cstring>

#include "core/log.h"
#include "msg/char_class.h"
#include "msg/sip_parse.h"

namespace siphon::cfg {

std::shared_ptr<re2::RE2> compile_posix_regex(std::string_view pattern, bool icase,
                                              std::string& err);

bool value_true(const Value& v) {
    if (v.is_int()) return v.i > 0;
    if (v.is_str()) {
        int32_t i;
        return str_to_int(v.s, i) && i > 0;
    }
    return false;
}

namespace {

enum class Flow : uint8_t { Next, Break, Return, Exit };

bool iequal(std::string_view a, std::string_view b) { return msg::chars::iequals(a, b); }

// `addr` inside the network "a.b.c.d/bits" (src_ip == 10.0.0.0/8). Host bits set in the
// network address are ignored, as Kamailio does (it warns and fixes the network).
bool in_network(std::string_view addr, std::string_view net) {
    size_t slash = net.find('/');
    if (slash == std::string_view::npos) return false;
    std::string a(addr), n(net.substr(0, slash));
    int bits = std::atoi(std::string(net.substr(slash + 1)).c_str());
    in_addr ia, na;
    if (inet_pton(AF_INET, a.c_str(), &ia) != 1 || inet_pton(AF_INET, n.c_str(), &na) != 1)
        return false;
    uint32_t mask = bits <= 0 ? 0 : bits >= 32 ? 0xffffffffu : ~((1u << (32 - bits)) - 1);
    return (ntohl(ia.s_addr) & mask) == (ntohl(na.s_addr) & mask);
}

// 32-bit wrap-around arithmetic, as Kamailio's int operations.
int32_t wrap(int64_t v) {
    return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
}

const char* file_of(const Script& s, SourcePos p) {
    return p.line && p.file < s.sources.size() ? s.sources.name(p.file).c_str() : "?";
}

class Exec {
public:
    Exec(const Script& s, pv::Ctx& c) : s_(s), c_(c) {}

    // Runs a route body. Returns the flow that ended it; `value` holds the route's value.
    Flow run_body(const std::vector<std::unique_ptr<Action>>& body, int32_t& value) {
        for (const auto& a : body) {
            Flow f = action(*a, value);
            if (f != Flow::Next) return f;
        }
        return Flow::Next;
    }

    bool dropped = false;

private:
    bool budget(const Action& a) {
        if (++c_.while_loops > static_cast<uint32_t>(s_.core.max_actions)) {
            SLOG_ERR("core", "%s:%u: script stopped: more than %d actions for one message",
                    file_of(s_, a.pos), a.pos.line, s_.core.max_actions);
            return false;
        }
        return true;
    }

    Flow action(const Action& a, int32_t& value) {
        if (!budget(a)) return Flow::Exit;
        switch (a.kind) {
            case Action::Kind::Expr: {
                Value v;
                if (!eval(*a.expr, v)) {
                    if (stop_) return Flow::Exit;
                    // Evaluation failed (division by zero...): the action is skipped.
                    value = -1;
                    return Flow::Next;
                }
                if (stop_) return Flow::Exit;
                // An assignment's value is 1; a call's is its return code, which the call
                // already stored in $rc (assignments leave $rc alone, as in Kamailio).
                value = a.expr->kind == Expr::Kind::Assign ? 1 : to_int(v);
                return Flow::Next;
            }
            case Action::Kind::If: {
                Value v;
                bool ok = eval(*a.expr, v);
                if (stop_) return Flow::Exit;
                // An if whose branch is missing is worth 1 (Kamailio's "default is continue").
                value = 1;
                const auto& branch = ok && value_true(v) ? a.body : a.else_body;
                return run_body(branch, value);
            }
            case Action::Kind::While: {
                uint32_t n = 0;
                value = 1;
                for (;;) {
                    Value v;
                    bool ok = eval(*a.expr, v);
                    if (stop_) return Flow::Exit;
                    // Unlike if(), while() loops on any non-zero value (measured: a
                    // counter starting at -3 loops up to 0); a function call is true only
                    // when it returns > 0 (measured: an iterator returning -1 ends the loop).
                    if (!ok) break;
                    if (a.expr->kind == Expr::Kind::Call ? !value_true(v)
                                                         : to_int(v, a.expr.get()) == 0)
                        break;
                    // max_while_loops = 0 disables the guard (max_actions still applies).
                    if (s_.core.max_while_loops > 0 &&
                        ++n > static_cast<uint32_t>(s_.core.max_while_loops)) {
                        SLOG_ERR("core", "%s:%u:%u: runaway while: more than %d loops",
                                 file_of(s_, a.pos), a.pos.line, a.pos.col,
                                 s_.core.max_while_loops);
                        value = -1;
                        break;
                    }
                    Flow f = run_body(a.body, value);
                    if (f == Flow::Break) break;
                    if (f != Flow::Next) return f;
                    if (!budget(a)) return Flow::Exit;
                }
                return Flow::Next;
            }
            case Action::Kind::Switch: {
                Value v;
                bool ok = eval(*a.expr, v);
                if (stop_) return Flow::Exit;
                value = 1;  // no matching case: 1
                size_t start = SIZE_MAX;
                if (ok) {
                    for (const auto& cs : a.cases) {
                        if (cs.is_default) continue;
                        if (case_matches(cs, v, a.switch_on_str)) {
                            start = cs.start;
                            break;
                        }
                    }
                }
                if (start == SIZE_MAX)
                    for (const auto& cs : a.cases)
                        if (cs.is_default) start = cs.start;
                if (start == SIZE_MAX) return Flow::Next;
                for (size_t i = start; i < a.body.size(); ++i) {
                    Flow f = action(*a.body[i], value);
                    if (f == Flow::Break) return Flow::Next;
                    if (f != Flow::Next) return f;
                }
                return Flow::Next;
            }
            case Action::Kind::Block: return run_body(a.body, value);
            case Action::Kind::Return: {
                value = 1;
                if (a.expr) {
                    Value v;
                    if (eval(*a.expr, v)) value = to_int(v);
                    if (stop_) return Flow::Exit;
                }
                return Flow::Return;
            }
            case Action::Kind::Exit:
                value = 0;
                if (a.expr) {
                    Value v;
                    if (eval(*a.expr, v)) value = to_int(v);
                }
                return Flow::Exit;
            case Action::Kind::Drop:
                dropped = true;
                value = 0;
                return Flow::Exit;
            case Action::Kind::Break:
                // break is worth 0: a route or switch left by it returns 0 (measured).
                value = 0;
                return Flow::Break;
        }
        return Flow::Next;
    }

    bool case_matches(const Action::Case& cs, const Value& v, bool on_str) {
        if (on_str) {
            std::string_view t = text(v);
            return cs.label.is_str() && t == cs.label.s;
        }
        // The value is converted to int: "2" matches `case 2:`, and a non-numeric string or
        // a missing value is 0 and matches `case 0:` (both observed).
        return cs.label.is_int() && cs.label.i == to_int(v);
    }

    std::string_view text(const Value& v) {
        if (v.is_str()) return v.s;
        if (v.is_int()) return pv::value_text(c_, v);
        return {};
    }

    int32_t to_int(const Value& v, const Expr* where = nullptr) {
        if (v.is_int()) return v.i;
        if (v.is_str()) {
            int32_t i;
            if (str_to_int(v.s, i)) return i;
            if (where)
                SLOG_WARN("core",
                          "%s:%u:%u: automatic string to int conversion for \"%.*s\" failed",
                          file_of(s_, where->pos), where->pos.line, where->pos.col,
                          static_cast<int>(v.s.size() > 64 ? 64 : v.s.size()), v.s.data());
        }
        return 0;
    }

    bool call(const Call& c, Value& out) {
        if (c.is_route) {
            const Route* r = c.route;
            if (!r) {
                Value nv;
                if (!eval(*c.route_expr, nv)) return false;
                std::string_view name = text(nv);
                auto it = s_.named.find(name);
                if (it == s_.named.end()) {
                    SLOG_ERR("core", "%s:%u: route \"%.*s\" not found", file_of(s_, c.pos),
                             c.pos.line, static_cast<int>(name.size()), name.data());
                    out = Value::of_int(-1);
                    return true;
                }
                r = it->second;
            }
            if (++c_.route_depth > 100) {
                --c_.route_depth;
                SLOG_ERR("core", "%s:%u: route recursion too deep", file_of(s_, c.pos), c.pos.line);
                out = Value::of_int(-1);
                return true;
            }
            int32_t v = 1;
            Flow f = run_body(r->body, v);
            --c_.route_depth;
            if (f == Flow::Exit) {
                stop_ = true;
                return true;
            }
            if (f == Flow::Break) v = 0;  // break ends the route; the caller continues
            else if (f == Flow::Return && v == 0) {
                stop_ = true;  // `return 0` in a sub-route stops the script
                return true;
            }
            c_.last_rc = v;
            out = Value::of_int(v);
            return true;
        }
        CallArgs args{c_, std::span<FixedArg>(const_cast<FixedArg*>(c.args.data()), c.args.size()),
                      c.mod};
        int r = c.fn->fn(args);
        c_.last_rc = r;
        if (r == 0) {
            stop_ = true;
            return true;
        }
        out = Value::of_int(r);
        return true;
    }

    // `X == myself`: the host of X (a SIP URI or a bare host) is one of this server's
    // addresses: a listen address, an alias, or the address the message arrived on
    // (Kamailio's check_self). An explicit port must be one we listen on.
    bool myself(const Value& v) {
        if (!v.is_str()) return false;
        std::string_view host = v.s;
        uint16_t port = 0;
        msg::SipUri u;
        if (msg::parse_sip_uri(v.s, u)) {
            host = u.host;
            port = u.port_no;
        }
        if (host.size() > 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2);
        auto port_ok = [&](uint16_t p) {
            return port == 0 || port == (p ? p : static_cast<uint16_t>(s_.core.port));
        };
        if (c_.rcv && host == std::string_view(c_.rcv->dst_ip) && port_ok(c_.rcv->dst_port))
            return true;
        for (const Listen& l : s_.core.listens) {
            if ((iequal(host, l.host) && port_ok(l.port)) ||
                (!l.advertise_host.empty() && iequal(host, l.advertise_host) &&
                 port_ok(l.advertise_port ? l.advertise_port : l.port)))
                return true;
        }
        for (const std::string& a : s_.core.aliases) {
            std::string_view ah = a, ap;
            size_t colon = ah.rfind(':');
            if (colon != std::string_view::npos && ah.find(']') == std::string_view::npos) {
                ap = ah.substr(colon + 1);
                ah = ah.substr(0, colon);
            }
            // An alias without a port matches any port (Kamailio's grep_aliases).
            int32_t apn = 0;
            if (iequal(host, ah) &&
                (ap.empty() || port == 0 || (str_to_int(ap, apn) && port == apn)))
                return true;
        }
        return false;
    }

    bool match(const Expr& e, const Value& l) {
        Value lv = l;
        std::string_view subject = text(lv);
        if (e.re)
            return re2::RE2::PartialMatch(re2::StringPiece(subject.data(), subject.size()), *e.re);
        Value rv;
        if (!eval(*e.r, rv)) return false;
        std::string err;
        // A dynamic pattern is compiled per evaluation (Kamailio does the same).
        auto re = compile_posix_regex(text(rv), true, err);
        if (!re) {
            SLOG_ERR("core", "%s:%u: bad regular expression: %s", file_of(s_, e.pos), e.pos.line,
                     err.c_str());
            return false;
        }
        return re2::RE2::PartialMatch(re2::StringPiece(subject.data(), subject.size()), *re);
    }

    // Equality with Kamailio's coercion: the right operand takes the left one's type; an
    // undefined left operand compares as the empty value of the right one's type; an
    // undefined right operand equals only an undefined left one.
    bool equal(const Value& l, const Value& r, const Expr& e) {
        if (l.is_null()) {
            if (r.is_null()) return true;
            if (r.is_int()) return r.i == 0;
            return r.s.empty();
        }
        if (r.is_null()) return false;
        if (l.is_int()) return l.i == to_int(r, &e);
        return l.s == text(r);
    }

    bool eval(const Expr& e, Value& out) {
        switch (e.kind) {
            case Expr::Kind::Int:
            case Expr::Kind::Str: out = e.cval; return true;
            case Expr::Kind::Pv:
                if (!pv::get_pv(c_, *e.pv, out)) out = Value::null();
                return true;
            case Expr::Kind::Myself: out = Value::of_str(""); return true;  // see myself()
            case Expr::Kind::Call: return call(*e.call, out);
            case Expr::Kind::Assign: {
                Value v;
                if (e.r->kind == Expr::Kind::Pv) {
                    // A variable whose transformation failed is an error on the right of an
                    // assignment in Kamailio ("non existing right pvar"): the action fails and
                    // the target is left null ($var then reads 0), not set to "" (measured).
                    bool tr_failed = false;
                    if (!pv::get_pv(c_, *e.r->pv, v, &tr_failed)) v = Value::null();
                    if (tr_failed) {
                        SLOG_ERR("core", "%s:%u: transformation of %s failed: %s set to null",
                                 file_of(s_, e.pos), e.pos.line, e.r->pv->text.c_str(),
                                 e.pv->text.c_str());
                        pv::set_pv(c_, *e.pv, Value::null());
                        return false;
                    }
                } else if (!eval(*e.r, v) || stop_) {
                    return false;
                }
                if (!pv::set_pv(c_, *e.pv, v)) {
                    SLOG_ERR("core", "%s:%u: failed to assign %s", file_of(s_, e.pos), e.pos.line,
                            e.pv->text.c_str());
                    return false;
                }
                out = Value::of_int(1);  // an assignment's value is 1 (observed)
                return true;
            }
            case Expr::Kind::Unary: return unary(e, out);
            case Expr::Kind::Binary: return binary(e, out);
        }
        return false;
    }

    bool unary(const Expr& e, Value& out) {
        Value v;
        if (e.op == Op::Defined) {
            if (e.l->kind == Expr::Kind::Pv) {
                out = Value::of_int(pv::get_pv(c_, *e.l->pv, v) && !v.is_null() ? 1 : 0);
                return true;
            }
            if (!eval(*e.l, v)) return false;
            out = Value::of_int(v.is_null() ? 0 : 1);
            return true;
        }
        if (!eval(*e.l, v) || stop_) return false;
        switch (e.op) {
            case Op::Not: out = Value::of_int(value_true(v) ? 0 : 1); return true;
            case Op::Neg:
                out = Value::of_int(wrap(-static_cast<int64_t>(to_int(v, &e))));
                return true;
            case Op::BitNot: out = Value::of_int(~to_int(v, &e)); return true;
            case Op::Strlen: out = Value::of_int(static_cast<int32_t>(text(v).size())); return true;
            case Op::Strempty:
                // An int (even 0) prints as text and is not empty; an undefined value is.
                out = Value::of_int(v.is_null() || (v.is_str() && v.s.empty()) ? 1 : 0);
                return true;
            case Op::CastInt: out = Value::of_int(to_int(v, &e)); return true;
            case Op::CastStr:
                out = v.is_null() ? Value::of_str("") : Value::of_str(text(v));
                return true;
            default: return false;
        }
    }

    bool binary(const Expr& e, Value& out) {
        Value l;
        if (e.op == Op::And || e.op == Op::Or) {
            bool lt = eval(*e.l, l) && value_true(l);
            if (stop_) return false;
            if (e.op == Op::And && !lt) return out = Value::of_int(0), true;
            if (e.op == Op::Or && lt) return out = Value::of_int(1), true;
            Value r;
            bool rt = eval(*e.r, r) && value_true(r);
            if (stop_) return false;
            out = Value::of_int(rt ? 1 : 0);
            return true;
        }
        if (!eval(*e.l, l) || stop_) return false;
        if (e.op == Op::Match || e.op == Op::NoMatch) {
            bool m = match(e, l);
            out = Value::of_int((e.op == Op::Match) == m ? 1 : 0);
            return true;
        }
        if ((e.op == Op::Eq || e.op == Op::Ne) && (e.r->kind == Expr::Kind::Myself || e.r->net)) {
            bool m = e.r->net ? in_network(text(l), e.r->sval) : myself(l);
            out = Value::of_int((e.op == Op::Eq) == m ? 1 : 0);
            return true;
        }
        Value r;
        if (!eval(*e.r, r) || stop_) return false;
        switch (e.op) {
            case Op::Eq: out = Value::of_int(equal(l, r, e) ? 1 : 0); return true;
            case Op::Ne: out = Value::of_int(equal(l, r, e) ? 0 : 1); return true;
            case Op::StrEq:
            case Op::StrNe: {
                bool eq =
                    l.is_null() || r.is_null() ? l.is_null() && r.is_null() : text(l) == text(r);
                out = Value::of_int((e.op == Op::StrEq) == eq ? 1 : 0);
                return true;
            }
            case Op::IntEq:
                out = Value::of_int(to_int(l, &e) == to_int(r, &e) ? 1 : 0);
                return true;
            case Op::IntNe:
                out = Value::of_int(to_int(l, &e) != to_int(r, &e) ? 1 : 0);
                return true;
            case Op::Add:
                // String on the left (or an undefined left operand) concatenates.
                if (l.is_str() || l.is_null()) {
                    std::string_view a = l.is_str() ? l.s : std::string_view{};
                    std::string_view b = r.is_null() ? std::string_view{} : text(r);
                    char* buf = c_.w.arena.alloc(a.size() + b.size());
                    if (!a.empty()) std::memcpy(buf, a.data(), a.size());
                    if (!b.empty()) std::memcpy(buf + a.size(), b.data(), b.size());
                    out = Value::of_str(std::string_view(buf, a.size() + b.size()));
                    return true;
                }
                out = Value::of_int(wrap(static_cast<int64_t>(l.i) + to_int(r, &e)));
                return true;
            default: break;
        }
        int32_t a = to_int(l, &e), b = to_int(r, &e);
        switch (e.op) {
            case Op::Sub: out = Value::of_int(wrap(static_cast<int64_t>(a) - b)); return true;
            case Op::Mul: out = Value::of_int(wrap(static_cast<int64_t>(a) * b)); return true;
            case Op::Div:
            case Op::Mod:
                if (b == 0) {
                    SLOG_ERR("core", "%s:%u:%u: division by zero", file_of(s_, e.pos), e.pos.line,
                             e.pos.col);
                    return false;
                }
                // -2147483648 / -1 wraps instead of trapping (Kamailio dies with SIGFPE).
                if (a == INT32_MIN && b == -1) out = Value::of_int(e.op == Op::Div ? INT32_MIN : 0);
                else out = Value::of_int(e.op == Op::Div ? a / b : a % b);
                return true;
            case Op::BitOr: out = Value::of_int(a | b); return true;
            case Op::BitAnd: out = Value::of_int(a & b); return true;
            case Op::BitXor: out = Value::of_int(a ^ b); return true;
            case Op::Shl:
                out =
                    Value::of_int(wrap(static_cast<int64_t>(static_cast<uint32_t>(a) << (b & 31))));
                return true;
            case Op::Shr: out = Value::of_int(a >> (b & 31)); return true;
            case Op::Lt: out = Value::of_int(a < b); return true;
            case Op::Gt: out = Value::of_int(a > b); return true;
            case Op::Le: out = Value::of_int(a <= b); return true;
            case Op::Ge: out = Value::of_int(a >= b); return true;
            default: return false;
        }
    }

    const Script& s_;
    pv::Ctx& c_;
    bool stop_ = false;
};

}  // namespace

RunResult run_route(const Script& script, const Route& route, pv::Ctx& ctx) {
    Exec ex(script, ctx);
    int32_t value = 1;
    Flow f = ex.run_body(route.body, value);
    RunResult r;
    r.rc = value;
    r.exited = f == Flow::Exit;
    r.dropped = ex.dropped;
    if (f == Flow::Break) r.rc = 0;
    return r;
}

}  // namespace siphon::cfg
