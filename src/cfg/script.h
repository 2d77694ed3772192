// The compiled config: core parameters, loaded modules, and route blocks made of Action and
// Expr nodes whose names (functions, routes, pseudo-variables, regexes) were resolved at load
// time. Immutable once loaded, shared read-only by all workers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cfg/diag.h"
#include "cfg/module.h"
#include "pv/pv.h"

namespace re2 {
class RE2;
}

namespace siphon::cfg {

enum class Op : uint8_t {
    // binary
    Or, And, BitOr, BitAnd, BitXor, Shl, Shr,
    Eq, Ne, Match, NoMatch, StrEq, StrNe, IntEq, IntNe,
    Lt, Gt, Le, Ge, Add, Sub, Mul, Div, Mod,
    // unary
    Not, Neg, BitNot, Defined, Strlen, Strempty, CastInt, CastStr,
};

struct Call;
struct Route;

struct Expr {
    enum class Kind : uint8_t { Int, Str, Pv, Unary, Binary, Call, Assign, Myself };
    Kind kind = Kind::Int;
    Op op = Op::Add;
    SourcePos pos;
    SourcePos end;
    Value cval;                          // Int / Str constants (Str views into sval)
    std::string sval;
    std::unique_ptr<pv::PvSpec> pv;      // Pv, and the target of Assign
    std::unique_ptr<Expr> l, r;
    std::unique_ptr<Call> call;
    std::shared_ptr<re2::RE2> re;        // Match with a constant pattern
    bool const_folded = false;
    // A core keyword read as its PV (method -> $rm): Kamailio allows these only as the left
    // operand of a comparison.
    bool keyword = false;
    // Str: an "address/bits" network, compared with a keyword address (src_ip == 10.0.0.0/8).
    bool net = false;
    // Str: a bare word written as a call argument (route(RELAY)); only route() takes those.
    bool bare_word = false;
};

struct Call {
    std::string name;
    SourcePos pos;        // name
    SourcePos close;      // closing parenthesis
    std::vector<std::unique_ptr<Expr>> raw_args;   // as parsed
    // Resolved:
    const FuncDef* fn = nullptr;
    ModuleData* mod = nullptr;
    std::vector<FixedArg> args;
    // route(NAME): the target, or a dynamic name expression.
    bool is_route = false;
    const Route* route = nullptr;
    std::unique_ptr<Expr> route_expr;
};

struct Action {
    enum class Kind : uint8_t { Expr, If, Switch, While, Return, Exit, Drop, Break, Block };
    Kind kind = Kind::Expr;
    SourcePos pos;
    std::unique_ptr<Expr> expr;                      // Expr / condition / return value
    std::vector<std::unique_ptr<Action>> body;       // If-then, While, Block, Switch body
    std::vector<std::unique_ptr<Action>> else_body;
    // Switch: labels pointing into body (fall-through runs on from the label).
    struct Case {
        bool is_default = false;
        Value label;
        std::string label_text;
        size_t start = 0;
    };
    std::vector<Case> cases;
    bool switch_on_str = false;
};

enum class RouteKind : uint8_t {
    Request, Named, Reply, OnReply, Failure, Branch, OnSend, Event
};

struct Route {
    RouteKind kind = RouteKind::Named;
    std::string name;
    SourcePos pos;
    std::vector<std::unique_ptr<Action>> body;
};

struct Listen {
    pv::Proto proto = pv::Proto::None;   // None: every enabled transport (udp and tcp)
    std::string host;                    // address or name, IPv6 without brackets
    uint16_t port = 0;                   // 0: the `port` parameter (5060)
    std::string advertise_host;
    uint16_t advertise_port = 0;
    std::string name;
    SourcePos pos;
};

// Core parameters (global `name = value` lines).
struct CoreConfig {
    int debug = 0;              // L_WARN, Kamailio's default
    bool log_stderror = false;
    std::string log_facility = "LOG_DAEMON";
    std::string log_prefix;
    int children = 8;
    int tcp_children = 0;       // 0: same as children
    int socket_workers = 0;
    int port = 5060;
    std::vector<Listen> listens;
    std::vector<std::string> aliases;
    bool disable_tcp = false;
    bool auto_aliases = true;
    bool tcp_accept_no_cl = false;
    int tcp_max_connections = 4096;
    int tcp_connection_lifetime = 120;   // seconds idle
    int tcp_header_timeout = 10;         // seconds to receive a complete request head
    int tcp_send_queue_max = 1 << 20;    // bytes queued per connection before it is dropped
    int tcp_rd_buf_size = 0;             // accepted for compatibility
    int io_coalesce_us = 10;             // busy worker's pause before blocking in epoll
    int max_while_loops = 100;
    int max_actions = 1000000;           // per message; stops runaway scripts
    int pv_buffer_size = 8192;
    int max_request_line = 8192;
    int max_headers = 100;
    int max_header_bytes = 65536;
    int max_body = 1 << 20;
    std::string server_header;           // full "Server: x" line, "" = default
    bool server_signature = true;
    std::string user_agent_header;
    bool sip_warning = false;
    std::string cfgengine = "native";
    std::string mpath;
    int mhomed = 0;
};

struct Script {
    SourceSet sources;
    pv::Registry reg;
    CoreConfig core;
    std::vector<LoadedModule> modules;
    std::vector<std::unique_ptr<Route>> routes;   // all blocks, owned here
    const Route* request_route = nullptr;
    const Route* reply_route = nullptr;
    const Route* onsend_route = nullptr;
    std::map<std::string, const Route*, std::less<>> named;      // route[NAME]
    std::map<std::string, const Route*, std::less<>> onreply;
    std::map<std::string, const Route*, std::less<>> failure;
    std::map<std::string, const Route*, std::less<>> branch;
    std::map<std::string, const Route*, std::less<>> events;     // event_route[a:b]

    const Route* event_route(std::string_view name) const {
        auto it = events.find(name);
        return it == events.end() ? nullptr : it->second;
    }
    ModuleData* module_data(std::string_view name) const {
        for (auto& m : modules)
            if (m.def->name == name) return m.data.get();
        return nullptr;
    }
    bool has_module(std::string_view name) const { return module_data(name) != nullptr; }
};

struct LoadOptions {
    std::string path;                        // config file (for messages and includes)
    const std::string* text = nullptr;       // content instead of reading `path`
    std::vector<std::pair<std::string, std::string>> defines;   // -A
    std::span<const ModuleDef* const> modules;                  // built-in modules
};

// Reads, parses and compiles a config. All problems go to diag; the script is usable only
// if diag.error_count() == 0.
std::unique_ptr<Script> load_script(const LoadOptions& opt, Diagnostics& diag);

}  // namespace siphon::cfg
