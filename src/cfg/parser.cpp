#include "cfg/parser.h"

#include <cstring>

#include "core/log.h"

namespace siphon::cfg {

namespace {

bool is_route_keyword(std::string_view s) {
    return s == "route" || s == "request_route" || s == "reply_route" || s == "onreply_route" ||
           s == "failure_route" || s == "branch_route" || s == "onsend_route" ||
           s == "event_route";
}

// Core parameter kinds.
enum class PKind : uint8_t { Int, Bool, Str, StrOrId, Listen, Alias, Ignored };

struct CoreParam {
    const char* name;
    PKind kind;
};

// Parameters siphon acts on, and Kamailio parameters that are accepted for compatibility
// but have no effect here (memory managers, DNS cache, TLS before the TLS module exists).
constexpr CoreParam kCoreParams[] = {
    {"debug", PKind::Int}, {"log_stderror", PKind::Bool}, {"log_facility", PKind::StrOrId},
    {"log_prefix", PKind::Str}, {"log_name", PKind::Str}, {"children", PKind::Int},
    {"tcp_children", PKind::Int}, {"socket_workers", PKind::Int}, {"port", PKind::Int},
    {"listen", PKind::Listen}, {"alias", PKind::Alias}, {"disable_tcp", PKind::Bool},
    {"auto_aliases", PKind::Bool}, {"tcp_accept_no_cl", PKind::Bool},
    {"tcp_max_connections", PKind::Int}, {"tcp_connection_lifetime", PKind::Int},
    {"tcp_header_timeout", PKind::Int}, {"tcp_send_queue_max", PKind::Int},
    {"tcp_rd_buf_size", PKind::Int}, {"io_coalesce_us", PKind::Int},
    {"max_while_loops", PKind::Int},
    {"max_actions", PKind::Int}, {"pv_buffer_size", PKind::Int},
    {"max_request_line", PKind::Int}, {"max_headers", PKind::Int},
    {"max_header_bytes", PKind::Int}, {"max_body", PKind::Int},
    {"server_header", PKind::Str}, {"server_signature", PKind::Bool},
    {"user_agent_header", PKind::Str}, {"sip_warning", PKind::Bool}, {"mhomed", PKind::Int},
    // accepted, no effect
    {"memdbg", PKind::Ignored}, {"memlog", PKind::Ignored}, {"mem_join", PKind::Ignored},
    {"mem_safety", PKind::Ignored}, {"fork", PKind::Ignored}, {"enable_tls", PKind::Ignored},
    {"enable_sctp", PKind::Ignored}, {"tls_max_connections", PKind::Ignored},
    {"tls_threads_mode", PKind::Ignored}, {"use_dns_cache", PKind::Ignored},
    {"use_dns_failover", PKind::Ignored}, {"dns", PKind::Ignored}, {"rev_dns", PKind::Ignored},
    {"dns_try_ipv6", PKind::Ignored}, {"dns_retr_time", PKind::Ignored},
    {"dns_retr_no", PKind::Ignored}, {"dns_servers_no", PKind::Ignored},
    {"dns_use_search_list", PKind::Ignored}, {"dns_cache_init", PKind::Ignored},
    {"tcp_async", PKind::Ignored}, {"tcp_keepalive", PKind::Ignored},
    {"tcp_keepidle", PKind::Ignored}, {"tcp_keepintvl", PKind::Ignored},
    {"tcp_keepcnt", PKind::Ignored}, {"tcp_conn_wq_max", PKind::Ignored},
    {"tcp_wq_max", PKind::Ignored}, {"tcp_send_timeout", PKind::Ignored},
    {"tcp_connect_timeout", PKind::Ignored}, {"tcp_linger2", PKind::Ignored},
    {"tcp_reuse_port", PKind::Ignored}, {"tcp_crlf_ping", PKind::Ignored},
    {"tcp_defer_accept", PKind::Ignored}, {"tcp_delayed_ack", PKind::Ignored},
    {"tcp_syncnt", PKind::Ignored}, {"tcp_clone_rcvbuf", PKind::Ignored},
    {"tcp_source_ipv4", PKind::Ignored}, {"tcp_source_ipv6", PKind::Ignored},
    {"tcp_no_connect", PKind::Ignored}, {"tcp_fd_cache", PKind::Ignored},
    {"tcp_poll_method", PKind::Ignored}, {"tcp_buf_write", PKind::Ignored},
    {"latency_cfg_log", PKind::Ignored}, {"latency_log", PKind::Ignored},
    {"latency_limit_action", PKind::Ignored}, {"latency_limit_db", PKind::Ignored},
    {"shm_mem_size", PKind::Ignored}, {"pkg_mem_size", PKind::Ignored},
    {"udp4_raw", PKind::Ignored}, {"udp_mtu", PKind::Ignored},
    {"udp_mtu_try_proto", PKind::Ignored}, {"maxbuffer", PKind::Ignored},
    {"sql_buffer_size", PKind::Ignored}, {"phone2tel", PKind::Ignored},
    {"corelog", PKind::Ignored}, {"async_workers", PKind::Ignored},
    {"open_files_limit", PKind::Ignored}, {"shm_force_alloc", PKind::Ignored},
    {"stun_refresh_interval", PKind::Ignored}, {"reply_to_via", PKind::Ignored},
    {"check_via", PKind::Ignored}, {"dst_blocklist_init", PKind::Ignored},
    {"use_dst_blocklist", PKind::Ignored}, {"onsend_route_reply", PKind::Ignored},
    {"http_reply_parse", PKind::Ignored}, {"force_rport", PKind::Ignored},
    {"kemi.onsend_route_callback", PKind::Ignored}, {"kemi.reply_route_callback", PKind::Ignored},
    {"kemi.event_route_callback", PKind::Ignored}, {"advertised_address", PKind::Ignored},
    {"advertised_port", PKind::Ignored}, {"server_id", PKind::Ignored},
    {"statistics", PKind::Ignored}, {"uri_host_extra_chars", PKind::Ignored},
    {"received_route_mode", PKind::Ignored}, {"flags", PKind::Ignored},
};

const CoreParam* find_core_param(std::string_view n) {
    for (auto& p : kCoreParams)
        if (n == p.name) return &p;
    return nullptr;
}

bool bool_word(std::string_view s, int& out) {
    if (s == "yes" || s == "on" || s == "true" || s == "enable" || s == "enabled") {
        out = 1;
        return true;
    }
    if (s == "no" || s == "off" || s == "false" || s == "disable" || s == "disabled") {
        out = 0;
        return true;
    }
    return false;
}

class Parser {
public:
    Parser(const std::vector<Token>& t, std::span<const ModuleDef* const> mods, Script& s,
           Diagnostics& d)
        : toks_(t), mods_(mods), s_(s), d_(d) {}

    void run() {
        while (!at(Tok::End)) {
            size_t before = i_;
            top_level();
            if (i_ == before) ++i_;  // always progress
        }
        check_module_deps();
    }

    // A module's dependencies may be loaded after it: Kamailio binds them when modules are
    // initialised (its default config loads xhttp before sl), so only presence counts.
    void check_module_deps() {
        for (const LoadedModule& m : s_.modules)
            for (std::string_view dep : m.def->deps)
                if (!s_.has_module(dep))
                    d_.error(m.pos, "module '" + std::string(m.def->name) + "' needs module '" +
                                        std::string(dep) + "' (add loadmodule \"" +
                                        std::string(dep) + ".so\")");
    }

private:
    const Token& cur() const { return toks_[i_]; }
    const Token& peek(size_t k = 1) const {
        size_t j = i_ + k;
        return j < toks_.size() ? toks_[j] : toks_.back();
    }
    bool at(Tok k) const { return cur().kind == k; }
    bool at_ident(std::string_view s) const { return at(Tok::Ident) && cur().text == s; }
    const Token& next() {
        const Token& t = toks_[i_];
        if (i_ + 1 < toks_.size()) ++i_;
        return t;
    }
    bool accept(Tok k) {
        if (!at(k)) return false;
        next();
        return true;
    }
    bool expect(Tok k, const char* what) {
        if (accept(k)) return true;
        // A byte that starts no token was already reported by the lexer.
        if (!at(Tok::Unknown))
            error(cur().pos, std::string("expected ") + what + ", found " + describe(cur()));
        return false;
    }
    static std::string describe(const Token& t) {
        switch (t.kind) {
            case Tok::End: return "end of file";
            case Tok::String: return "string " + pv::quote_for_message(t.text);
            case Tok::Int: return "number " + std::to_string(t.ival);
            default: return "'" + t.text + "'";
        }
    }
    void error(SourcePos p, std::string msg) {
        // One error per position: cascades from the same token add nothing.
        if (p.file == last_err_.file && p.line == last_err_.line && p.col == last_err_.col &&
            d_.error_count())
            return;
        last_err_ = p;
        d_.error(p, std::move(msg));
    }
    // Skips to just after the next ';' at the current nesting depth, or stops before a '}'
    // that closes the current block. A stray ')' is skipped with the rest of the statement.
    void recover_statement() {
        int depth = 0;
        while (!at(Tok::End)) {
            if (at(Tok::LBrace) || at(Tok::LParen)) ++depth;
            else if (at(Tok::RParen) && depth == 0) {
            } else if (at(Tok::RBrace) || at(Tok::RParen)) {
                if (depth == 0) return;
                --depth;
                if (depth == 0 && at(Tok::RBrace)) {
                    next();
                    return;
                }
            } else if (at(Tok::Semi) && depth == 0) {
                next();
                return;
            }
            next();
        }
    }
    // Top level: skip to a token that starts a line and looks like a top-level item.
    void recover_top() {
        next();
        recover_top_here();
    }
    // Same, but the current token may itself be the next item.
    void recover_top_here() {
        while (!at(Tok::End)) {
            const Token& t = cur();
            if (t.line_start && t.kind == Tok::Ident &&
                (is_route_keyword(t.text) || t.text == "loadmodule" || t.text == "modparam" ||
                 peek().kind == Tok::Assign))
                return;
            next();
        }
    }

    // ---- top level ----------------------------------------------------------------------
    void top_level() {
        if (accept(Tok::Semi)) return;
        if (at(Tok::Unknown)) return recover_top();  // the lexer reported it
        if (!at(Tok::Ident)) {
            error(cur().pos, "unexpected " + describe(cur()) + " at top level");
            recover_top();
            return;
        }
        const std::string& w = cur().text;
        if (is_route_keyword(w)) return route_block();
        if (w == "loadmodule") return loadmodule();
        if (w == "modparam") return modparam();
        if (w == "cfgengine") {
            next();
            if (at(Tok::String)) s_.core.cfgengine = next().text;
            else error(cur().pos, "cfgengine needs a quoted engine name");
            accept(Tok::Semi);
            return;
        }
        if ((w == "mpath" || w == "loadpath") && peek().kind == Tok::Assign) {
            next();
            next();
            if (at(Tok::String)) s_.core.mpath = next().text;
            else error(cur().pos, "mpath needs a quoted path");
            accept(Tok::Semi);
            return;
        }
        if ((w == "mpath" || w == "loadpath") && peek().kind == Tok::String) {
            next();
            s_.core.mpath = next().text;
            accept(Tok::Semi);
            return;
        }
        if (peek().kind == Tok::Assign) return global_param();
        error(cur().pos, "unexpected '" + w + "' at top level (a parameter needs '=')");
        recover_top();
    }

    // Collects the value tokens of `name = value`: up to ';' or the end of the line.
    std::vector<const Token*> param_value_tokens() {
        std::vector<const Token*> v;
        uint32_t line = cur().pos.line;
        uint32_t file = cur().pos.file;
        while (!at(Tok::End) && !at(Tok::Semi)) {
            if (!v.empty() && (cur().pos.line != line || cur().pos.file != file)) break;
            v.push_back(&next());
            line = v.back()->end.line;
        }
        accept(Tok::Semi);
        return v;
    }
    static std::string glue(const std::vector<const Token*>& v) {
        std::string s;
        for (size_t k = 0; k < v.size(); ++k) {
            if (k && v[k]->space_before) s += ' ';
            if (v[k]->kind == Tok::String) s += v[k]->text;  // quoted names (listen ... "x")
            else if (v[k]->kind == Tok::Int) s += std::to_string(v[k]->ival);
            else s += v[k]->text;
        }
        return s;
    }

    void global_param() {
        const Token& name_tok = next();
        next();  // '='
        SourcePos vpos = cur().pos;
        auto vals = param_value_tokens();
        const CoreParam* p = find_core_param(name_tok.text);
        if (!p) {
            std::vector<std::string_view> names;
            for (auto& cp : kCoreParams) names.emplace_back(cp.name);
            std::string_view near = pv::closest_name(name_tok.text, names);
            error(name_tok.pos,
                  "unknown core parameter '" + name_tok.text + "'" +
                      (near.empty() ? std::string()
                                    : " (did you mean '" + std::string(near) + "'?)"));
            return;
        }
        if (vals.empty()) {
            error(vpos, "missing value for '" + name_tok.text + "'");
            return;
        }
        switch (p->kind) {
            case PKind::Ignored: return;
            case PKind::Listen: {
                Listen l;
                std::string err = parse_listen(glue(vals), l);
                if (err.empty() && l.proto != pv::Proto::None && l.proto != pv::Proto::Udp &&
                    l.proto != pv::Proto::Tcp)
                    err = "listen on " + std::string(pv::proto_name(l.proto)) +
                          " is not supported: siphon serves udp and tcp";
                if (!err.empty()) error(vpos, err);
                l.pos = vpos;
                s_.core.listens.push_back(std::move(l));
                return;
            }
            case PKind::Alias: s_.core.aliases.push_back(glue(vals)); return;
            default: break;
        }
        // A byte that starts no token was reported by the lexer already.
        for (const Token* t : vals)
            if (t->kind == Tok::Unknown) return;
        // Scalar values: [-] Int | Ident | String
        Value v;
        bool is_word = false;
        if (vals.size() == 2 && vals[0]->kind == Tok::Minus && vals[1]->kind == Tok::Int) {
            v = Value::of_int(static_cast<int32_t>(-vals[1]->ival));
        } else if (vals.size() != 1) {
            error(vals[1]->pos, "unexpected " + describe(*vals[1]) + " in value of '" +
                                    name_tok.text + "'");
            return;
        } else if (vals[0]->kind == Tok::Int) {
            v = Value::of_int(static_cast<int32_t>(vals[0]->ival));
        } else if (vals[0]->kind == Tok::String) {
            v = Value::of_str(vals[0]->text);
        } else if (vals[0]->kind == Tok::Ident) {
            v = Value::of_str(vals[0]->text);
            is_word = true;
        } else {
            error(vpos, "bad value " + describe(*vals[0]) + " for '" + name_tok.text + "'");
            return;
        }
        std::string err = set_core_param(s_.core, name_tok.text, v, is_word);
        if (!err.empty()) error(vpos, err);
    }

    void loadmodule() {
        SourcePos pos = next().pos;
        if (!at(Tok::String)) {
            error(cur().pos, "loadmodule needs a quoted module name, found " + describe(cur()));
            recover_top_here();
            return;
        }
        const Token& t = next();
        accept(Tok::Semi);
        if (t.text.find('\n') != std::string::npos) {
            // Strings may span lines, so a missing closing quote swallows what follows.
            error(t.pos, "module name " + pv::quote_for_message(t.text) +
                             " runs over several lines: missing closing quote?");
            recover_top_here();
            return;
        }
        std::string_view n = t.text;
        size_t slash = n.rfind('/');
        if (slash != std::string_view::npos) n.remove_prefix(slash + 1);
        if (n.size() > 3 && n.substr(n.size() - 3) == ".so") n.remove_suffix(3);
        const ModuleDef* def = nullptr;
        for (const ModuleDef* m : mods_)
            if (m->name == n) def = m;
        if (!def) {
            std::string avail;
            std::vector<std::string_view> names;
            for (const ModuleDef* m : mods_)
                if (m->name != "core") {
                    avail += (avail.empty() ? "" : ", ") + std::string(m->name);
                    names.push_back(m->name);
                }
            std::string_view near = pv::closest_name(n, names);
            error(t.pos, "unknown module '" + std::string(n) + "' (" +
                             (near.empty() ? "built-in modules: " + avail
                                           : "did you mean '" + std::string(near) + "'?") +
                             ")");
            failed_modules_.emplace_back(n);
            return;
        }
        if (s_.has_module(def->name)) {
            error(t.pos, "module '" + std::string(n) + "' is loaded twice");
            return;
        }
        s_.modules.push_back(
            {def, def->create ? def->create() : std::make_unique<ModuleData>(), pos});
        for (const auto& pv : def->pvs) s_.reg.add_pv(pv, s_.modules.back().data.get());
        for (auto span : def->transformations) s_.reg.add_transformations(span);
    }

    void modparam() {
        next();
        if (!expect(Tok::LParen, "'('")) return recover_top_here();
        if (!at(Tok::String)) {
            error(cur().pos, "modparam: module name must be a quoted string");
            return recover_top_here();
        }
        const Token& mod = next();
        if (!expect(Tok::Comma, "','")) return recover_top_here();
        if (!at(Tok::String)) {
            error(cur().pos, "modparam: parameter name must be a quoted string");
            return recover_top_here();
        }
        const Token& pname = next();
        if (!expect(Tok::Comma, "','")) return recover_top_here();
        Value v;
        SourcePos vpos = cur().pos;
        bool neg = accept(Tok::Minus);
        if (at(Tok::Int)) v = Value::of_int(static_cast<int32_t>(neg ? -next().ival : next().ival));
        else if (at(Tok::String) && !neg) {
            std::string text = next().text;
            while (at(Tok::String)) text += next().text;  // adjacent literals
            owned_.push_back(std::make_unique<std::string>(std::move(text)));
            v = Value::of_str(*owned_.back());
        } else {
            error(cur().pos, "modparam: value must be a number or a quoted string");
            return recover_top_here();
        }
        if (!expect(Tok::RParen, "')'")) return recover_top_here();
        accept(Tok::Semi);
        std::string_view mname = mod.text;
        const LoadedModule* lm = nullptr;
        for (auto& m : s_.modules)
            if (m.def->name == mname) lm = &m;
        if (!lm) {
            // The loadmodule of an unknown module was reported already.
            for (const std::string& f : failed_modules_)
                if (f == mname) return;
            error(mod.pos,
                  "modparam: module '" + mod.text + "' is not loaded (loadmodule must come first)");
            return;
        }
        const ParamDef* pd = nullptr;
        for (auto& p : lm->def->params)
            if (p.name == pname.text) pd = &p;
        if (!pd) {
            std::string avail;
            for (auto &p : lm->def->params)
                avail += (avail.empty() ? "" : ", ") + std::string(p.name);
            error(pname.pos, "module '" + mod.text + "' has no parameter '" + pname.text +
                                 "' (parameters: " + (avail.empty() ? "none" : avail) + ")");
            return;
        }
        if (pd->type == ParamType::Int && !v.is_int()) {
            // Kamailio accepts no string for an int parameter ("parameter <x> of type <2:int>
            // not found"); a quoted number is a string too.
            error(vpos, "parameter '" + pname.text + "' of module '" + mod.text +
                            "' takes an integer, found string " + pv::quote_for_message(v.s));
            return;
        }
        if (pd->type == ParamType::Str && !v.is_str()) {
            error(vpos, "parameter '" + pname.text + "' of module '" + mod.text +
                            "' takes a string, found number " + std::to_string(v.i));
            return;
        }
        std::string err = pd->set(*lm->data, v);
        if (!err.empty()) error(vpos, "modparam " + mod.text + "." + pname.text + ": " + err);
    }

    // ---- routes -------------------------------------------------------------------------
    // Reads a block name inside [...]: an identifier, a number or a string; event_route
    // names are glued tokens such as "xhttp:request" / "my:custom-ev".
    bool route_name(std::string& out, bool event) {
        if (!expect(Tok::LBracket, "'['")) return false;
        std::string name;
        bool first = true;
        while (!at(Tok::RBracket) && !at(Tok::End) && !at(Tok::LBrace)) {
            const Token& t = next();
            if (!first && t.space_before) {
                error(t.pos, "unexpected space in route name");
                return false;
            }
            if (!event && (!first || (t.kind != Tok::Ident && t.kind != Tok::Int &&
                                      t.kind != Tok::String))) {
                error(t.pos, "bad route name: an identifier, a number or a quoted string is "
                             "expected, found " + describe(t));
                return false;
            }
            if (t.kind == Tok::Int) name += std::to_string(t.ival);
            else name += t.text;
            first = false;
        }
        if (!expect(Tok::RBracket, "']'")) return false;
        if (name.empty()) {
            error(cur().pos, "empty route name");
            return false;
        }
        out = std::move(name);
        return true;
    }

    void route_block() {
        const Token& kw = next();
        auto r = std::make_unique<Route>();
        r->pos = kw.pos;
        std::string name;
        bool named = at(Tok::LBracket);
        if (named && !route_name(name, kw.text == "event_route")) {
            skip_block();
            return;
        }
        const std::string& k = kw.text;
        if (k == "route" || k == "request_route") {
            if (named && k == "route" && name != "0" && name != "DEFAULT_ROUTE")
                r->kind = RouteKind::Named;
            else if (named && k == "request_route") {
                error(kw.pos, "request_route takes no name");
                r->kind = RouteKind::Request;
            } else
                r->kind = RouteKind::Request;
        } else if (k == "reply_route") {
            if (named) error(kw.pos, "reply_route takes no name");
            r->kind = RouteKind::Reply;
        } else if (k == "onreply_route")
            r->kind = named && name != "0" ? RouteKind::OnReply : RouteKind::Reply;
        else if (k == "failure_route") r->kind = RouteKind::Failure;
        else if (k == "branch_route") r->kind = RouteKind::Branch;
        else if (k == "onsend_route") r->kind = RouteKind::OnSend;
        else r->kind = RouteKind::Event;
        if ((r->kind == RouteKind::Failure || r->kind == RouteKind::Branch ||
             r->kind == RouteKind::Event) && !named) {
            error(kw.pos, k + " needs a name: " + k + "[NAME]");
        }
        if (r->kind == RouteKind::Event && named) {
            // word(:word)+ as Kamailio requires
            size_t c = name.find(':');
            if (c == std::string::npos || c == 0 || c + 1 == name.size())
                error(kw.pos, "bad event_route name '" + name + "': expected module:event");
        }
        r->name = name;
        current_route_ = r->kind;
        if (!block(r->body, true)) return;
        register_route(std::move(r), kw.pos);
    }

    void register_route(std::unique_ptr<Route> r, SourcePos pos) {
        auto add_map = [&](std::map<std::string, const Route*, std::less<>>& m, const char* what) {
            if (m.count(r->name)) {
                error(pos, std::string("duplicate ") + what + " '" + r->name + "'");
                return;
            }
            m[r->name] = r.get();
        };
        switch (r->kind) {
            case RouteKind::Request:
                // request_route and route may both appear (Kamailio accepts it); the bodies run
                // as one, the first block first.
                if (s_.request_route) {
                    auto* first = const_cast<Route*>(s_.request_route);
                    for (auto& a : r->body) first->body.push_back(std::move(a));
                    return;
                }
                s_.request_route = r.get();
                break;
            case RouteKind::Named: add_map(s_.named, "route"); break;
            case RouteKind::Reply:
                if (s_.reply_route) error(pos, "duplicate reply_route");
                s_.reply_route = r.get();
                break;
            case RouteKind::OnReply: add_map(s_.onreply, "onreply_route"); break;
            case RouteKind::Failure: add_map(s_.failure, "failure_route"); break;
            case RouteKind::Branch: add_map(s_.branch, "branch_route"); break;
            case RouteKind::OnSend:
                if (s_.onsend_route) error(pos, "duplicate onsend_route");
                s_.onsend_route = r.get();
                break;
            case RouteKind::Event: add_map(s_.events, "event_route"); break;
        }
        s_.routes.push_back(std::move(r));
    }

    void skip_block() {
        if (!at(Tok::LBrace)) return recover_top();
        int depth = 0;
        while (!at(Tok::End)) {
            if (at(Tok::LBrace)) ++depth;
            if (at(Tok::RBrace) && --depth == 0) {
                next();
                return;
            }
            next();
        }
    }

    // '{' statements '}' -- an empty block is an error, as in Kamailio; a block with only
    // ';' is fine.
    bool block(std::vector<std::unique_ptr<Action>>& out, bool route_body = false) {
        SourcePos open = cur().pos;
        if (!expect(Tok::LBrace, "'{'")) {
            if (route_body) recover_top();
            return false;
        }
        bool any = false;
        while (!at(Tok::RBrace) && !at(Tok::End)) {
            any = true;
            size_t before = i_;
            statement(out);
            if (i_ == before) next();
        }
        if (at(Tok::End)) {
            error(open, "unterminated block: missing '}'");
            return false;
        }
        if (!any)
            error(cur().pos,
                  "empty block: a block needs at least one statement ('{ ; }' is allowed)");
        next();
        return true;
    }

    std::unique_ptr<Action> make(Action::Kind k, SourcePos p) {
        auto a = std::make_unique<Action>();
        a->kind = k;
        a->pos = p;
        return a;
    }

    // A statement, or a block, as the body of if/else/while.
    void body(std::vector<std::unique_ptr<Action>>& out) {
        if (at(Tok::LBrace)) {
            block(out);
            return;
        }
        statement(out);
    }

    // Every action ends with ';', even the last one of a block (Kamailio). A missing one is
    // reported at the token that follows, as Kamailio does; at the end of the file the
    // unterminated block is the better report.
    void end_statement() {
        if (accept(Tok::Semi)) return;
        if (at(Tok::End)) return;
        error(cur().pos, "missing ';' before " + describe(cur()));
        // Do not consume: the next statement may start here.
    }

    void statement(std::vector<std::unique_ptr<Action>>& out) {
        const Token& t = cur();
        if (accept(Tok::Semi)) return;
        if (t.kind == Tok::LBrace) {
            // Kamailio's grammar has blocks only as bodies of if/else/while (a syntax error
            // elsewhere); the block is still parsed for the errors inside it.
            error(t.pos, "a '{ ... }' block is allowed only as the body of if, else or while");
            auto a = make(Action::Kind::Block, t.pos);
            block(a->body);
            out.push_back(std::move(a));
            return;
        }
        if (t.kind == Tok::Ident) {
            const std::string& w = t.text;
            if (w == "if") return if_stmt(out);
            if (w == "switch") return switch_stmt(out);
            if (w == "while") return while_stmt(out);
            if (w == "else") {
                error(t.pos, "'else' without 'if'");
                next();
                return;
            }
            if (w == "elif" && peek().kind == Tok::LParen) {
                error(t.pos, "'elif' does not exist: write 'else if'");
                next();
                auto cond = expr();
                if (!cond) return recover_statement();
                std::vector<std::unique_ptr<Action>> ignored;
                body(ignored);
                return;
            }
            if (w == "return" || w == "exit") {
                auto a = make(w == "return" ? Action::Kind::Return : Action::Kind::Exit, t.pos);
                next();
                if (!at(Tok::Semi)) {
                    if (at(Tok::LParen) && peek().kind == Tok::RParen) {
                        next();
                        next();
                    } else {
                        a->expr = expr();
                        if (!a->expr) return recover_statement();
                    }
                }
                end_statement();
                out.push_back(std::move(a));
                return;
            }
            if (w == "drop" || w == "break") {
                auto a = make(w == "drop" ? Action::Kind::Drop : Action::Kind::Break, t.pos);
                next();
                if (w == "drop" && at(Tok::LParen) && peek().kind == Tok::RParen) {
                    next();
                    next();
                } else if (w == "drop" && !at(Tok::Semi)) {
                    // `drop N` parses in Kamailio; the value does not matter for a drop.
                    a->expr = expr();
                    if (!a->expr) return recover_statement();
                }
                end_statement();
                out.push_back(std::move(a));
                return;
            }
            if (w == "case" || w == "default") {
                error(t.pos, "'" + w + "' outside switch");
                return recover_statement();
            }
        }
        // Expression statement: assignment or function call.
        SourcePos p = t.pos;
        auto e = expr();
        if (!e) return recover_statement();
        if (e->kind != Expr::Kind::Assign && e->kind != Expr::Kind::Call) {
            error(p, "statement has no effect: expected an assignment or a function call");
            return recover_statement();
        }
        auto a = make(Action::Kind::Expr, p);
        a->expr = std::move(e);
        end_statement();
        out.push_back(std::move(a));
    }

    void if_stmt(std::vector<std::unique_ptr<Action>>& out) {
        auto a = make(Action::Kind::If, next().pos);
        a->expr = expr();
        if (!a->expr) return recover_statement();
        body(a->body);
        if (at_ident("else")) {
            next();
            body(a->else_body);
        }
        out.push_back(std::move(a));
    }

    void while_stmt(std::vector<std::unique_ptr<Action>>& out) {
        auto a = make(Action::Kind::While, next().pos);
        a->expr = expr();
        if (!a->expr) return recover_statement();
        body(a->body);
        out.push_back(std::move(a));
    }

    void switch_stmt(std::vector<std::unique_ptr<Action>>& out) {
        auto a = make(Action::Kind::Switch, next().pos);
        a->expr = expr();
        if (!a->expr) return recover_statement();
        if (!expect(Tok::LBrace, "'{'")) return recover_statement();
        bool has_int = false, has_str = false;
        SourcePos open = toks_[i_ - 1].pos;
        SourcePos first_int{}, first_str{};
        bool has_default = false;
        while (!at(Tok::RBrace) && !at(Tok::End)) {
            if (at_ident("case") || at_ident("default")) {
                Action::Case c;
                SourcePos cp = cur().pos;
                if (next().text == "default") {
                    c.is_default = true;
                    if (has_default) error(cp, "bad switch: more than one 'default:' label");
                    has_default = true;
                } else {
                    bool neg = accept(Tok::Minus);
                    if (at(Tok::Int)) {
                        int64_t v = next().ival;
                        c.label = Value::of_int(static_cast<int32_t>(neg ? -v : v));
                        if (!has_int) first_int = cp;
                        has_int = true;
                    } else if (at(Tok::String) && !neg) {
                        c.label_text = next().text;
                        while (at(Tok::String)) c.label_text += next().text;
                        if (!has_str) first_str = cp;
                        has_str = true;
                    } else {
                        error(cur().pos, "bad case label " + describe(cur()) +
                                             ": a number or a quoted string is required");
                        // Skip to the ':' and keep a label that never matches, so the
                        // statements after it still parse.
                        while (!at(Tok::End) && !at(Tok::Colon) && !at(Tok::RBrace) &&
                               !at(Tok::Semi))
                            next();
                        if (!at(Tok::Colon)) {
                            recover_statement();
                            continue;
                        }
                    }
                }
                if (!expect(Tok::Colon, "':'")) {
                    recover_statement();
                    continue;
                }
                if (at(Tok::LBrace))
                    error(cur().pos, "bad case body: a case cannot start with a { } block");
                c.start = a->body.size();
                a->cases.push_back(std::move(c));
                continue;
            }
            if (a->cases.empty()) {
                error(cur().pos, "statement in switch before the first case");
                recover_statement();
                continue;
            }
            size_t before = i_;
            statement(a->body);
            if (i_ == before) next();
        }
        if (has_int && has_str) {
            // Point at the first label of the minority kind... the later of the two firsts.
            bool str_later = first_str.line > first_int.line ||
                             (first_str.line == first_int.line && first_str.col > first_int.col);
            error(str_later ? first_str : first_int, "bad switch: mixed integer and string case "
                                                     "labels (all labels must be of one type)");
        }
        if (a->cases.empty() && at(Tok::RBrace)) d_.warning(open, "empty switch()");
        a->switch_on_str = has_str;
        for (auto& c : a->cases)
            if (!c.is_default && has_str) c.label = Value::of_str(c.label_text);
        expect(Tok::RBrace, "'}'");
        out.push_back(std::move(a));
    }

    // ---- expressions --------------------------------------------------------------------
    std::unique_ptr<Expr> node(Expr::Kind k, SourcePos p) {
        auto e = std::make_unique<Expr>();
        e->kind = k;
        e->pos = p;
        return e;
    }
    // A binary node spans its operands: messages about it point at its first operand.
    std::unique_ptr<Expr> bin(Op op, std::unique_ptr<Expr> l, std::unique_ptr<Expr> r) {
        auto e = node(Expr::Kind::Binary, l->pos);
        e->op = op;
        e->end = r->end;
        e->l = std::move(l);
        e->r = std::move(r);
        return e;
    }

    std::unique_ptr<Expr> expr() { return assign(); }

    // `$pv = expr`. Kamailio's grammar takes a plain pseudo-variable on the left and no
    // second '=' on the right (an assignment inside an expression needs parentheses).
    std::unique_ptr<Expr> assign() {
        bool plain_pv = at(Tok::Pv) && peek().kind == Tok::Assign;
        auto l = log_or();
        if (!l) return nullptr;
        if (at(Tok::Assign)) {
            SourcePos p = cur().pos;
            next();
            if (!plain_pv || l->kind != Expr::Kind::Pv || l->keyword) {
                error(p, "left side of '=' must be a pseudo-variable such as $var(name)");
                return nullptr;
            }
            auto r = log_or();
            if (!r) return nullptr;
            if (at(Tok::Assign)) {
                error(cur().pos, "assignments cannot be chained: assign each variable separately");
                return nullptr;
            }
            auto e = node(Expr::Kind::Assign, l->pos);
            e->end = r->end;
            e->pv = std::move(l->pv);
            e->sval = l->sval;
            e->r = std::move(r);
            return e;
        }
        return l;
    }

    template <typename Next>
    std::unique_ptr<Expr> left_assoc(Next next_level, std::initializer_list<std::pair<Tok, Op>> ops,
                                     std::initializer_list<std::pair<const char*, Op>> words = {}) {
        auto l = (this->*next_level)();
        if (!l) return nullptr;
        for (;;) {
            bool found = false;
            Op op{};
            for (auto& [k, o] : ops)
                if (at(k)) found = true, op = o;
            if (!found && at(Tok::Ident))
                for (auto& [w, o] : words)
                    if (cur().text == w) found = true, op = o;
            if (!found) return l;
            next();
            std::unique_ptr<Expr> r;
            if (l->keyword) r = keyword_operand(op);
            if (!r) r = (this->*next_level)();
            if (!r) return nullptr;
            l = bin(op, std::move(l), std::move(r));
        }
    }

    std::unique_ptr<Expr> log_or() {
        return left_assoc(&Parser::log_and, {{Tok::LogOr, Op::Or}}, {{"or", Op::Or}});
    }
    std::unique_ptr<Expr> log_and() {
        return left_assoc(&Parser::bit_or, {{Tok::LogAnd, Op::And}}, {{"and", Op::And}});
    }
    std::unique_ptr<Expr> bit_or() {
        return left_assoc(&Parser::bit_and, {{Tok::BitOr, Op::BitOr}});
    }
    // Kamailio QUIRK: '^' binds tighter than '&'.
    std::unique_ptr<Expr> bit_and() {
        return left_assoc(&Parser::bit_xor, {{Tok::BitAnd, Op::BitAnd}});
    }
    std::unique_ptr<Expr> bit_xor() {
        return left_assoc(&Parser::shl, {{Tok::BitXor, Op::BitXor}});
    }
    // '>>' binds tighter than '<<'.
    std::unique_ptr<Expr> shl() { return left_assoc(&Parser::shr, {{Tok::Shl, Op::Shl}}); }
    std::unique_ptr<Expr> shr() { return left_assoc(&Parser::equality, {{Tok::Shr, Op::Shr}}); }
    // Kamailio QUIRK: equality binds tighter than shifts and bitwise operators.
    // '!~' does not exist in Kamailio (a syntax error there): say what to write instead.
    std::unique_ptr<Expr> equality() {
        auto e = left_assoc(&Parser::relational,
                            {{Tok::Eq, Op::Eq}, {Tok::Ne, Op::Ne}, {Tok::Match, Op::Match}},
                            {{"eq", Op::StrEq}, {"ne", Op::StrNe}, {"ieq", Op::IntEq},
                             {"ine", Op::IntNe}});
        if (e && at(Tok::NoMatch)) {
            error(cur().pos, "'!~' is not an operator: write !(a =~ b)");
            return nullptr;
        }
        return e;
    }
    std::unique_ptr<Expr> relational() {
        return left_assoc(
            &Parser::additive,
            {{Tok::Lt, Op::Lt}, {Tok::Gt, Op::Gt}, {Tok::Le, Op::Le}, {Tok::Ge, Op::Ge}});
    }
    std::unique_ptr<Expr> additive() {
        return left_assoc(&Parser::multiplicative, {{Tok::Plus, Op::Add}, {Tok::Minus, Op::Sub}});
    }
    std::unique_ptr<Expr> multiplicative() {
        auto e = left_assoc(&Parser::unary, {{Tok::Star, Op::Mul}, {Tok::Slash, Op::Div}},
                            {{"mod", Op::Mod}});
        if (e && at(Tok::Percent)) {
            error(cur().pos, "'%' is not an operator: use 'mod' for the remainder");
            return nullptr;
        }
        return e;
    }
    // The right side of a comparison with a core keyword may be a bare word (method == INVITE)
    // or, for addresses, a network (src_ip == 10.0.0.0/8), as in Kamailio.
    std::unique_ptr<Expr> keyword_operand(Op op) {
        if (at(Tok::Ident) && peek().kind != Tok::LParen && !keyword_pv(cur().text) &&
            cur().text != "myself" && !is_proto_word(cur().text) && cur().text != "strlen" &&
            cur().text != "strempty" && cur().text != "defined" && cur().text != "not") {
            auto e = node(Expr::Kind::Str, cur().pos);
            e->end = cur().end;
            e->sval = next().text;
            return e;
        }
        if ((op == Op::Eq || op == Op::Ne) && at(Tok::Ipv4) && peek().kind == Tok::Slash &&
            peek(2).kind == Tok::Int) {
            auto e = node(Expr::Kind::Str, cur().pos);
            e->sval = next().text;
            next();
            const Token& bits = next();
            e->end = bits.end;
            if (bits.ival > 32) error(bits.pos, "bad network mask /" + std::to_string(bits.ival));
            e->sval += "/" + std::to_string(bits.ival);
            e->net = true;
            return e;
        }
        return nullptr;
    }
    static bool is_proto_word(std::string_view w) {
        return w == "UDP" || w == "TCP" || w == "TLS" || w == "SCTP" || w == "WS" || w == "WSS" ||
               w == "INET" || w == "INET6" || w == "udp" || w == "tcp" || w == "tls" ||
               w == "sctp" || w == "ws" || w == "wss";
    }

    std::unique_ptr<Expr> unary() {
        Op op;
        if (at(Tok::Not) || at_ident("not")) op = Op::Not;
        else if (at(Tok::Minus)) op = Op::Neg;
        else if (at(Tok::BitNot)) op = Op::BitNot;
        else return defined_level();
        SourcePos p = next().pos;
        auto c = unary();
        if (!c) return nullptr;
        // Fold "-<int>" into a negative constant.
        if (op == Op::Neg && c->kind == Expr::Kind::Int) {
            c->cval.i = static_cast<int32_t>(0u - static_cast<uint32_t>(c->cval.i));
            c->pos = p;
            return c;
        }
        auto e = node(Expr::Kind::Unary, p);
        e->op = op;
        e->end = c->end;
        e->l = std::move(c);
        return e;
    }
    std::unique_ptr<Expr> defined_level() {
        if (at_ident("defined")) {
            SourcePos p = next().pos;
            auto c = defined_level();
            if (!c) return nullptr;
            auto e = node(Expr::Kind::Unary, p);
            e->op = Op::Defined;
            e->end = c->end;
            e->l = std::move(c);
            return e;
        }
        return cast_level();
    }
    std::unique_ptr<Expr> cast_level() {
        if (at(Tok::LParen) && peek().kind == Tok::Ident &&
            (peek().text == "int" || peek().text == "str") && peek(2).kind == Tok::RParen) {
            SourcePos p = next().pos;
            Op op = next().text == "int" ? Op::CastInt : Op::CastStr;
            next();
            auto c = cast_level();
            if (!c) return nullptr;
            auto e = node(Expr::Kind::Unary, p);
            e->op = op;
            e->end = c->end;
            e->l = std::move(c);
            return e;
        }
        return primary();
    }

    // Core keywords usable in expressions, mapped to the pseudo-variable they read.
    static const char* keyword_pv(std::string_view w) {
        static constexpr std::pair<const char*, const char*> kw[] = {
            {"method", "$rm"}, {"uri", "$ru"}, {"src_ip", "$si"}, {"src_port", "$sp"},
            {"dst_ip", "$Ri"}, {"dst_port", "$Rp"}, {"proto", "$pr"}, {"status", "$rs"},
            {"from_uri", "$fu"}, {"to_uri", "$tu"}, {"af", "$af"}};
        for (auto& [k, v] : kw)
            if (w == k) return v;
        return nullptr;
    }

    std::unique_ptr<Expr> primary() {
        const Token& t = cur();
        switch (t.kind) {
            case Tok::Int: {
                auto e = node(Expr::Kind::Int, t.pos);
                e->end = t.end;
                // Wider numbers keep their low 32 bits, as Kamailio does (99999999999 is
                // 1215752191).
                e->cval = Value::of_int(static_cast<int32_t>(static_cast<uint32_t>(t.ival)));
                next();
                return e;
            }
            case Tok::String: {
                auto e = node(Expr::Kind::Str, t.pos);
                e->sval = next().text;
                while (at(Tok::String)) e->sval += next().text;  // "a" "b" -> "ab"
                e->end = toks_[i_ ? i_ - 1 : 0].end;
                return e;
            }
            case Tok::Ipv4: {
                auto e = node(Expr::Kind::Str, t.pos);
                e->sval = t.text;
                e->end = t.end;
                next();
                return e;
            }
            case Tok::Pv: {
                auto e = node(Expr::Kind::Pv, t.pos);
                e->sval = t.text;
                e->end = t.end;
                next();
                return e;
            }
            case Tok::LParen: {
                next();
                auto e = expr();
                if (!e) return nullptr;
                if (!expect(Tok::RParen, "')'")) return nullptr;
                return e;
            }
            case Tok::Ident: {
                const std::string& w = t.text;
                if ((w == "strlen" || w == "strempty") && peek().kind == Tok::LParen) {
                    SourcePos p = next().pos;
                    next();
                    auto c = expr();
                    if (!c || !expect(Tok::RParen, "')'")) return nullptr;
                    auto e = node(Expr::Kind::Unary, p);
                    e->op = w == "strlen" ? Op::Strlen : Op::Strempty;
                    e->l = std::move(c);
                    e->end = toks_[i_ - 1].end;
                    return e;
                }
                if (peek().kind == Tok::LParen) return call();
                if (w == "myself") {
                    auto e = node(Expr::Kind::Myself, t.pos);
                    e->end = t.end;
                    next();
                    return e;
                }
                if (w == "msg" && peek().kind == Tok::Colon && peek(2).kind == Tok::Ident &&
                    peek(2).text == "len") {
                    auto e = node(Expr::Kind::Pv, t.pos);
                    e->keyword = true;
                    e->sval = "$ml";
                    e->end = peek(2).end;
                    next(); next(); next();
                    return e;
                }
                if (const char* pv = keyword_pv(w)) {
                    auto e = node(Expr::Kind::Pv, t.pos);
                    e->keyword = true;
                    e->sval = pv;
                    e->end = t.end;
                    next();
                    return e;
                }
                if (is_proto_word(w)) {
                    auto e = node(Expr::Kind::Str, t.pos);
                    e->end = t.end;
                    std::string v = w == "INET" ? "ipv4" : w == "INET6" ? "ipv6" : w;
                    for (auto& ch : v) ch = static_cast<char>(std::tolower(ch));
                    e->sval = v;
                    next();
                    return e;
                }
                // A bare identifier is a function call without parentheses (Kamailio
                // accepts `t_relay;`), valid only as a statement.
                if (peek().kind == Tok::Semi) return call();
                error(t.pos, "unexpected '" + w + "'");
                return nullptr;
            }
            case Tok::Unknown:
                return nullptr;  // reported by the lexer
            default:
                error(t.pos, "unexpected " + describe(t) + " in expression");
                return nullptr;
        }
    }

    std::unique_ptr<Expr> call() {
        const Token& n = next();
        auto e = node(Expr::Kind::Call, n.pos);
        e->call = std::make_unique<Call>();
        Call& c = *e->call;
        c.name = n.text;
        c.pos = n.pos;
        c.close = n.end;
        if (accept(Tok::LParen)) {
            if (!at(Tok::RParen)) {
                for (;;) {
                    // A bare word argument (route(RELAY), xlog(L_INFO, ...)) is its text.
                    if (at(Tok::Ident) &&
                        (peek().kind == Tok::Comma || peek().kind == Tok::RParen) &&
                        !keyword_pv(cur().text) && cur().text != "myself") {
                        auto w = node(Expr::Kind::Str, cur().pos);
                        w->end = cur().end;
                        w->bare_word = true;
                        w->sval = next().text;
                        c.raw_args.push_back(std::move(w));
                        if (accept(Tok::Comma)) continue;
                        break;
                    }
                    auto a = expr();
                    if (!a) return nullptr;
                    c.raw_args.push_back(std::move(a));
                    if (accept(Tok::Comma)) continue;
                    break;
                }
            }
            c.close = cur().pos;
            if (!expect(Tok::RParen, "')' or ','")) return nullptr;
        }
        e->end = toks_[i_ ? i_ - 1 : 0].end;
        return e;
    }

    const std::vector<Token>& toks_;
    std::span<const ModuleDef* const> mods_;
    Script& s_;
    Diagnostics& d_;
    size_t i_ = 0;
    SourcePos last_err_{};
    RouteKind current_route_ = RouteKind::Request;
    std::vector<std::unique_ptr<std::string>> owned_;
    std::vector<std::string> failed_modules_;   // loadmodule names that were not found
};

}  // namespace

std::string set_core_param(CoreConfig& c, std::string_view name, const Value& v, bool is_word) {
    const CoreParam* p = find_core_param(name);
    if (!p) return "unknown core parameter '" + std::string(name) + "'";
    int b = 0;
    // What was found, for the messages: Kamailio does not convert between the kinds (a quoted
    // "4" is not a number, a bare word is not a string).
    auto found = [&]() -> std::string {
        if (v.is_int()) return "number " + std::to_string(v.i);
        if (is_word) return "'" + std::string(v.s) + "'";
        return "string " + pv::quote_for_message(v.s);
    };
    switch (p->kind) {
        case PKind::Bool:
            if (v.is_int()) b = v.i != 0;
            else if (!is_word || !bool_word(v.s, b))
                return "boolean value expected for '" + std::string(name) + "' (yes/no, on/off, " +
                       "true/false, a number), found " + found();
            break;
        case PKind::Int:
            if (v.is_int()) b = v.i;
            else if (is_word && bool_word(v.s, b)) {
            } else if (is_word && name == "debug") {
                if (!parse_log_level(v.s, b)) return "bad log level '" + std::string(v.s) + "'";
            } else
                return "number expected for '" + std::string(name) + "', found " + found();
            break;
        case PKind::Str:
            if (!v.is_str() || is_word)
                return "string value expected for '" + std::string(name) + "' (quote it), found " +
                       found();
            break;
        case PKind::StrOrId:
            if (!v.is_str())
                return "string value expected for '" + std::string(name) + "', found " + found();
            break;
        default: return "";
    }
    auto positive = [&](int& field, int min) -> std::string {
        if (b < min) return "'" + std::string(name) + "' must be at least " + std::to_string(min);
        field = b;
        return "";
    };
    if (name == "debug") c.debug = b;
    else if (name == "log_stderror") c.log_stderror = b;
    else if (name == "log_facility") {
        int f;
        if (!parse_log_facility(v.s, f)) return "unknown log facility '" + std::string(v.s) + "'";
        c.log_facility = std::string(v.s);
    } else if (name == "log_prefix") c.log_prefix = std::string(v.s);
    else if (name == "log_name") {
    } else if (name == "children") return positive(c.children, 1);
    else if (name == "tcp_children") return positive(c.tcp_children, 1);
    else if (name == "socket_workers") return positive(c.socket_workers, 1);
    else if (name == "port") {
        if (b < 1 || b > 65535) return "port out of range";
        c.port = b;
    } else if (name == "disable_tcp") c.disable_tcp = b;
    else if (name == "auto_aliases") c.auto_aliases = b;
    else if (name == "tcp_accept_no_cl") c.tcp_accept_no_cl = b;
    else if (name == "tcp_max_connections") return positive(c.tcp_max_connections, 1);
    else if (name == "tcp_connection_lifetime") return positive(c.tcp_connection_lifetime, 1);
    else if (name == "tcp_header_timeout") return positive(c.tcp_header_timeout, 1);
    else if (name == "tcp_send_queue_max") return positive(c.tcp_send_queue_max, 4096);
    else if (name == "tcp_rd_buf_size") c.tcp_rd_buf_size = b;
    else if (name == "io_coalesce_us") {
        if (b < 0 || b > 1000) return "'io_coalesce_us' must be between 0 and 1000";
        c.io_coalesce_us = b;
    }
    else if (name == "max_while_loops") return positive(c.max_while_loops, 0);
    else if (name == "max_actions") return positive(c.max_actions, 1);
    else if (name == "pv_buffer_size") return positive(c.pv_buffer_size, 256);
    else if (name == "max_request_line") return positive(c.max_request_line, 64);
    else if (name == "max_headers") {
        if (b < 1 || b > 256) return "max_headers must be between 1 and 256";
        c.max_headers = b;
    } else if (name == "max_header_bytes") return positive(c.max_header_bytes, 256);
    else if (name == "max_body") return positive(c.max_body, 0);
    else if (name == "server_header") c.server_header = std::string(v.s);
    else if (name == "server_signature") c.server_signature = b;
    else if (name == "user_agent_header") c.user_agent_header = std::string(v.s);
    else if (name == "sip_warning") c.sip_warning = b;
    else if (name == "mhomed") c.mhomed = b;
    return "";
}

std::string parse_listen(std::string_view text, Listen& out) {
    // proto:host:port [advertise host:port] [name "x"]
    std::string_view main = text;
    std::string_view adv;
    size_t sp = text.find(' ');
    if (sp != std::string_view::npos) {
        main = text.substr(0, sp);
        std::string_view rest = text.substr(sp + 1);
        while (!rest.empty()) {
            size_t e = rest.find(' ');
            std::string_view word = rest.substr(0, e);
            rest = e == std::string_view::npos ? std::string_view{} : rest.substr(e + 1);
            size_t e2 = rest.find(' ');
            std::string_view val = rest.substr(0, e2);
            rest = e2 == std::string_view::npos ? std::string_view{} : rest.substr(e2 + 1);
            if (word == "advertise" || word == "as") adv = val;
            else if (word == "name") out.name = std::string(val);
            else if (word == "virtual") {
            } else
                return "unexpected '" + std::string(word) + "' in listen";
            if (val.empty()) return "missing value after '" + std::string(word) + "' in listen";
        }
    }
    auto lower = [](std::string_view s) {
        std::string r(s);
        for (auto& ch : r) ch = static_cast<char>(std::tolower(ch));
        return r;
    };
    size_t c = main.find(':');
    if (c != std::string_view::npos && main[0] != '[') {
        std::string p = lower(main.substr(0, c));
        pv::Proto pr = pv::Proto::None;
        if (p == "udp") pr = pv::Proto::Udp;
        else if (p == "tcp") pr = pv::Proto::Tcp;
        else if (p == "tls") pr = pv::Proto::Tls;
        else if (p == "sctp") pr = pv::Proto::Sctp;
        else if (p == "ws" || p == "wss" || p == "http" || p == "https")
            return "'" + p + "' is not a transport for listen (use udp or tcp)";
        if (pr != pv::Proto::None) {
            out.proto = pr;
            main = main.substr(c + 1);
        }
    }
    // host[:port]
    std::string_view host = main, port;
    if (!main.empty() && main[0] == '[') {
        size_t rb = main.find(']');
        if (rb == std::string_view::npos) return "unterminated IPv6 address in listen";
        host = main.substr(1, rb - 1);
        if (rb + 1 < main.size()) {
            if (main[rb + 1] != ':') return "bad listen address '" + std::string(main) + "'";
            port = main.substr(rb + 2);
        }
    } else {
        size_t pc = main.rfind(':');
        if (pc != std::string_view::npos) {
            host = main.substr(0, pc);
            port = main.substr(pc + 1);
        }
    }
    if (host.empty()) return "missing address in listen";
    out.host = std::string(host);
    if (!port.empty()) {
        int32_t p;
        if (!str_to_int(port, p) || p < 1 || p > 65535)
            return "bad port '" + std::string(port) + "' in listen";
        out.port = static_cast<uint16_t>(p);
    }
    if (!adv.empty()) {
        size_t pc = adv.rfind(':');
        std::string_view ah = adv, ap;
        if (pc != std::string_view::npos && adv.find(']') == std::string_view::npos) {
            ah = adv.substr(0, pc);
            ap = adv.substr(pc + 1);
        }
        out.advertise_host = std::string(ah);
        if (!ap.empty()) {
            int32_t p;
            if (!str_to_int(ap, p) || p < 1 || p > 65535) return "bad advertise port in listen";
            out.advertise_port = static_cast<uint16_t>(p);
        }
    }
    return "";
}

void parse_script(const std::vector<Token>& toks, std::span<const ModuleDef* const> modules,
                  Script& script, Diagnostics& diag) {
    Parser p(toks, modules, script, diag);
    p.run();
}

}  // namespace siphon::cfg
