// app_lua: Lua states per worker, the KSR object generated from the KEMI registry, the
// native lua_* functions and script reload. Lua 5.4 and LuaJIT (5.1 API) both build.
//
// Lua reports errors with longjmp, which skips C++ destructors: the C functions called
// from Lua keep only trivially destructible objects in the frames that may raise, and run
// C++ code (which may throw) behind a catch-all.
#include "modules/app_lua/app_lua.h"

#include <lua.hpp>
#include <re2/re2.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/log.h"
#include "modules/modules.h"

#ifndef LUA_OK
#define LUA_OK 0
#endif

namespace siphon::modules {

namespace {

// Kamailio's app_lua raises KSR.x.exit() as this error; pcall() sees exactly this text.
constexpr const char kExitMark[] = "~~ksr~exit~~";
constexpr int kMaxDepth = 32; // nested Lua runs (lua_run -> KSR.route -> lua_run ...)

} // namespace

// The per-worker state: both Lua states, the KEMI environment, the message in progress.
struct LuaWorker {
    LuaWorker(const cfg::Script& s, const kemi::Registry& r, int log_mode)
        : env(s, r), log_mode(log_mode), load_ctx{load_ws} {
        load_ws.scratch.resize(static_cast<size_t>(s.core.pv_buffer_size));
        load_ws.vars.resize(s.reg.var_count());
        ctx = &load_ctx;
    }
    ~LuaWorker() {
        if (main) lua_close(main);
        if (sandbox) lua_close(sandbox);
    }
    kemi::Env env;
    int log_mode = 0;
    lua_State* main = nullptr;    // the "load" scripts, lua_run, KEMI routing
    lua_State* sandbox = nullptr; // lua_dofile / lua_dostring
    uint64_t generation = 0;
    int depth = 0;
    // The message being processed; between messages (and for top-level code) a context
    // without message.
    pv::Ctx* ctx = nullptr;
    pv::WorkerState load_ws;
    pv::Ctx load_ctx;
};

namespace {

// Makes ctx current for the KSR functions while a Lua call runs.
class CtxScope {
public:
    CtxScope(LuaWorker& w, pv::Ctx& c) : w_(w), saved_(w.ctx) {
        w_.ctx = &c;
        ++w_.depth;
    }
    ~CtxScope() {
        w_.ctx = saved_;
        --w_.depth;
    }
    CtxScope(const CtxScope&) = delete;
    CtxScope& operator=(const CtxScope&) = delete;

private:
    LuaWorker& w_;
    pv::Ctx* saved_;
};

// Runs the KEMI function; false if it threw (logged).
bool guarded_invoke(LuaWorker& w, const kemi::Func& f, std::span<const Value> args, Value& ret,
                    int& rc) noexcept {
    try {
        rc = kemi::invoke(w.env, *w.ctx, f, args, ret);
        return true;
    } catch (const std::exception& e) {
        SLOG_ERR("app_lua", "KSR.%s: %s", f.full.c_str(), e.what());
    } catch (...) {
        SLOG_ERR("app_lua", "KSR.%s: unexpected exception", f.full.c_str());
    }
    return false;
}

// The C function behind every KSR.<module>.<name>. Upvalues: the Group, the LuaWorker.
int ksr_call(lua_State* L) {
    const auto* g = static_cast<const kemi::Group*>(lua_touserdata(L, lua_upvalueindex(1)));
    auto* w = static_cast<LuaWorker*>(lua_touserdata(L, lua_upvalueindex(2)));
    int argc = lua_gettop(L);
    const kemi::Func* f = argc <= static_cast<int>(kemi::kMaxParams) ? g->by_argc[argc] : nullptr;
    if (!f) {
        char takes[48];
        std::snprintf(takes, sizeof takes, "%s", g->arities().c_str());
        return luaL_error(L, "KSR.%s: expected %s argument(s), got %d", g->full.c_str(), takes,
                          argc);
    }
    Value args[kemi::kMaxParams];
    for (int i = 0; i < argc; ++i) {
        int idx = i + 1;
        if (f->params[static_cast<size_t>(i)] == kemi::Type::Int) {
            int isnum = 0;
            lua_Number n = lua_tonumberx(L, idx, &isnum);
            if (!isnum || lua_type(L, idx) == LUA_TBOOLEAN)
                return luaL_error(L, "bad argument #%d to 'KSR.%s' (integer expected, got %s)", idx,
                                  g->full.c_str(), luaL_typename(L, idx));
            if (n != std::floor(n) || n < -2147483648.0 || n > 2147483647.0)
                return luaL_error(
                    L, "bad argument #%d to 'KSR.%s' (number has no 32-bit integer value)", idx,
                    g->full.c_str());
            args[i] = Value::of_int(static_cast<int32_t>(n));
        } else {
            int t = lua_type(L, idx);
            if (t != LUA_TSTRING && t != LUA_TNUMBER)
                return luaL_error(L, "bad argument #%d to 'KSR.%s' (string expected, got %s)", idx,
                                  g->full.c_str(), luaL_typename(L, idx));
            size_t len = 0;
            const char* s = lua_tolstring(L, idx, &len);
            args[i] = Value::of_str(std::string_view(s, len));
        }
    }
    if (w->depth > kMaxDepth)
        return luaL_error(L, "KSR.%s: calls nested too deep", g->full.c_str());
    Value ret;
    int rc = -1;
    if (!guarded_invoke(*w, *f, std::span<const Value>(args, static_cast<size_t>(argc)), ret, rc))
        return luaL_error(L, "KSR.%s failed", g->full.c_str());
    if (w->env.exit_requested) {
        w->env.exit_requested = false;
        lua_pushstring(L, kExitMark);
        return lua_error(L);
    }
    switch (f->ret) {
        case kemi::Ret::Int: lua_pushinteger(L, rc); return 1;
        case kemi::Ret::Bool: lua_pushboolean(L, rc > 0); return 1;
        case kemi::Ret::None: lua_pushboolean(L, 0); return 1; // as Kamailio's app_lua
        case kemi::Ret::Xval:
            if (ret.is_int())
                lua_pushinteger(L, ret.i);
            else if (ret.is_str())
                lua_pushlstring(L, ret.s.data(), ret.s.size());
            else
                lua_pushnil(L);
            return 1;
    }
    return 0;
}

// Creates a state with the standard libraries and the KSR object.
lua_State* new_state(LuaWorker& w) {
    lua_State* L = luaL_newstate();
    if (!L) return nullptr;
    luaL_openlibs(L);
    lua_newtable(L); // KSR
    for (const kemi::Group& g : w.env.registry.groups()) {
        if (g.module.empty()) {
            lua_pushlightuserdata(L, const_cast<kemi::Group*>(&g));
            lua_pushlightuserdata(L, &w);
            lua_pushcclosure(L, ksr_call, 2);
            lua_setfield(L, -2, g.name.c_str());
        } else {
            lua_getfield(L, -1, g.module.c_str());
            if (lua_type(L, -1) != LUA_TTABLE) {
                lua_pop(L, 1);
                lua_newtable(L);
                lua_pushvalue(L, -1);
                lua_setfield(L, -3, g.module.c_str());
            }
            lua_pushlightuserdata(L, const_cast<kemi::Group*>(&g));
            lua_pushlightuserdata(L, &w);
            lua_pushcclosure(L, ksr_call, 2);
            lua_setfield(L, -2, g.name.c_str());
            lua_pop(L, 1);
        }
        if (w.log_mode & 1) SLOG_DBG("app_lua", "exporting KSR.%s(...)", g.full.c_str());
    }
    lua_setglobal(L, "KSR");
    return L;
}

bool is_exit(const char* msg) { return msg && std::strstr(msg, kExitMark); }

// Calls the function under the top nargs values. Ok, Exit (KSR.x.exit/drop) or Error.
kemi::Engine::Status pcall(lua_State* L, int nargs, std::string_view what) {
    int rc = lua_pcall(L, nargs, 0, 0);
    if (rc == LUA_OK) return kemi::Engine::Status::Ok;
    const char* msg = lua_tostring(L, -1);
    if (is_exit(msg)) {
        lua_pop(L, 1);
        return kemi::Engine::Status::Exit;
    }
    // Kamailio: "error from Lua: <file>:<line>: <message>" and "error executing: <fn>".
    SLOG_ERR("app_lua", "error from Lua: %s", msg ? msg : "unknown");
    SLOG_ERR("app_lua", "error executing: %.*s (err: %d)", static_cast<int>(what.size()),
             what.data(), rc);
    lua_pop(L, 1);
    return kemi::Engine::Status::Error;
}

// Loads and runs a chunk; the error text (with file:line) goes to err.
bool run_chunk(lua_State* L, std::string_view text, const std::string& chunkname,
               std::string& err) {
    if (luaL_loadbuffer(L, text.data(), text.size(), chunkname.c_str()) != LUA_OK) {
        const char* m = lua_tostring(L, -1);
        err = m ? m : "cannot load";
        lua_pop(L, 1);
        return false;
    }
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        const char* m = lua_tostring(L, -1);
        if (is_exit(m)) {
            lua_pop(L, 1);
            return true;
        }
        err = m ? m : "error";
        lua_pop(L, 1);
        return false;
    }
    return true;
}

bool read_file(const std::string& path, std::string& out, std::string& err) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        err = "cannot read Lua script \"" + path + "\": " + std::strerror(errno);
        return false;
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    out = ss.str();
    return true;
}

} // namespace

AppLua::AppLua() = default;
AppLua::~AppLua() = default;

bool AppLua::read_sources(std::vector<Source>& out, std::string& err) const {
    out.clear();
    for (const std::string& p : load_paths) {
        Source s;
        s.path = p;
        if (!read_file(p, s.text, err)) return false;
        out.push_back(std::move(s));
    }
    return true;
}

std::vector<AppLua::Source> AppLua::sources() {
    std::lock_guard lk(mu_);
    return sources_;
}

std::string AppLua::init(cfg::Script& script) {
    script_ = &script;
    std::vector<Source> srcs;
    std::string err;
    if (!read_sources(srcs, err)) return err;
    if (srcs.empty() && script.core.cfgengine == "lua")
        return "cfgengine \"lua\" needs a script: modparam(\"app_lua\", \"load\", "
               "\"/path/file.lua\")";
    // $shv names exist only when the config declares them; declare those the scripts
    // mention so that KSR.pv.get("$shv(n)") and KSR.pvx.shv_get("n") reach shared slots.
    static const re2::RE2 kShv(R"(\$shv\(([^)$]+)\))");
    static const re2::RE2 kShvFn(R"(shv_(?:get|sets|seti)\s*\(\s*["']([^"']+)["'])");
    for (const Source& s : srcs)
        for (const re2::RE2* re : {&kShv, &kShvFn}) {
            re2::StringPiece in(s.text);
            std::string name;
            while (re2::RE2::FindAndConsume(&in, *re, &name)) script.reg.shv_slot(name);
        }
    registry_ = std::make_unique<kemi::Registry>(script);
    // Probe: load every script once in a scratch state (Kamailio does the same at start).
    LuaWorker probe(script, *registry_, 0);
    probe.main = new_state(probe);
    if (!probe.main) return "cannot create a Lua state";
    for (const Source& s : srcs)
        if (!run_chunk(probe.main, s.text, "@" + s.path, err))
            return "failed to load Lua script: " + err;
    std::lock_guard lk(mu_);
    sources_ = std::move(srcs);
    return "";
}

void AppLua::prepare(int workers) {
    if (workers_.size() < static_cast<size_t>(workers))
        workers_.resize(static_cast<size_t>(workers));
}

LuaWorker& AppLua::worker_at(int id) {
    size_t i = id < 0 ? 0 : static_cast<size_t>(id);
    // prepare() sized the table before the workers started; a table grown here serves
    // single-threaded users (tests, tools) only.
    if (i >= workers_.size()) workers_.resize(i + 1);
    std::unique_ptr<LuaWorker>& w = workers_[i];
    if (!w) {
        w = std::make_unique<LuaWorker>(*script_, *registry_, log_mode);
        w->main = new_state(*w);
        w->generation = generation();
        std::string err;
        for (const Source& s : sources())
            if (!run_chunk(w->main, s.text, "@" + s.path, err))
                SLOG_ERR("app_lua", "failed to load Lua script in worker %d: %s", id, err.c_str());
    }
    return *w;
}

LuaWorker& AppLua::worker(pv::Ctx& ctx) { return worker_at(ctx.w.id); }

void AppLua::worker_init(int worker) {
    if (script_ && registry_) worker_at(worker);
}

// Runs the reloaded scripts in the worker's existing state before its next message, as
// Kamailio does (globals the new code does not assign survive).
void AppLua::refresh(LuaWorker& w) {
    uint64_t g = generation();
    if (g == w.generation || w.depth > 0) return;
    w.generation = g;
    std::string err;
    for (const Source& s : sources())
        if (!run_chunk(w.main, s.text, "@" + s.path, err))
            SLOG_ERR("app_lua", "reloading Lua script: %s", err.c_str());
    SLOG_DBG("app_lua", "Lua scripts reloaded (generation %llu)",
             static_cast<unsigned long long>(g));
}

bool AppLua::reload(std::string& err) {
    if (!reload_enabled) {
        err = "reload is disabled (modparam(\"app_lua\", \"reload\", 0))";
        return false;
    }
    if (!script_ || !registry_) {
        err = "app_lua is not initialized";
        return false;
    }
    std::vector<Source> srcs;
    if (!read_sources(srcs, err)) return false;
    // Check the new scripts in a probe state first: a broken script keeps the old one.
    LuaWorker probe(*script_, *registry_, 0);
    probe.main = new_state(probe);
    if (!probe.main) {
        err = "cannot create a Lua state";
        return false;
    }
    for (const Source& s : srcs)
        if (!run_chunk(probe.main, s.text, "@" + s.path, err)) return false;
    {
        std::lock_guard lk(mu_);
        sources_ = std::move(srcs);
    }
    generation_.fetch_add(1, std::memory_order_acq_rel);
    return true;
}

kemi::Engine::Status AppLua::run(pv::Ctx& ctx, std::string_view func,
                                 std::span<const std::string_view> args) {
    if (!script_) return Status::Error;
    LuaWorker& w = worker(ctx);
    refresh(w);
    if (w.depth > kMaxDepth) {
        SLOG_ERR("app_lua", "Lua calls nested too deep");
        return Status::Error;
    }
    lua_State* L = w.main;
    std::string name(func);
    lua_getglobal(L, name.c_str());
    if (lua_type(L, -1) != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return Status::NotFound;
    }
    for (std::string_view a : args)
        lua_pushlstring(L, a.data(), a.size());
    CtxScope scope(w, ctx);
    w.env.exit_requested = false;
    Status st = pcall(L, static_cast<int>(args.size()), func);
    return st;
}

int AppLua::lua_run(pv::Ctx& ctx, std::string_view func, std::span<const std::string_view> args) {
    Status st = run(ctx, func, args);
    if (st == Status::NotFound) {
        SLOG_ERR("app_lua", "lua_run: no Lua function \"%.*s\"", static_cast<int>(func.size()),
                 func.data());
        return -1;
    }
    // KSR.x.exit() ends only the Lua function; the native route goes on.
    return st == Status::Error ? -1 : 1;
}

int AppLua::lua_runstring(pv::Ctx& ctx, std::string_view code) {
    if (!script_) return -1;
    LuaWorker& w = worker(ctx);
    refresh(w);
    CtxScope scope(w, ctx);
    if (luaL_loadbuffer(w.main, code.data(), code.size(), "=lua_runstring") != LUA_OK) {
        const char* m = lua_tostring(w.main, -1);
        SLOG_ERR("app_lua", "lua_runstring: %s", m ? m : "cannot load");
        lua_pop(w.main, 1);
        return -1;
    }
    return pcall(w.main, 0, "lua_runstring") == Status::Error ? -1 : 1;
}

int AppLua::lua_dostring(pv::Ctx& ctx, std::string_view code) {
    if (!script_) return -1;
    LuaWorker& w = worker(ctx);
    if (!w.sandbox) w.sandbox = new_state(w);
    CtxScope scope(w, ctx);
    if (luaL_loadbuffer(w.sandbox, code.data(), code.size(), "=lua_dostring") != LUA_OK) {
        const char* m = lua_tostring(w.sandbox, -1);
        SLOG_ERR("app_lua", "lua_dostring: %s", m ? m : "cannot load");
        lua_pop(w.sandbox, 1);
        return -1;
    }
    return pcall(w.sandbox, 0, "lua_dostring") == Status::Error ? -1 : 1;
}

int AppLua::lua_dofile(pv::Ctx& ctx, std::string_view path) {
    if (!script_) return -1;
    LuaWorker& w = worker(ctx);
    if (!w.sandbox) w.sandbox = new_state(w);
    CtxScope scope(w, ctx);
    std::string p(path);
    if (luaL_loadfile(w.sandbox, p.c_str()) != LUA_OK) {
        const char* m = lua_tostring(w.sandbox, -1);
        SLOG_ERR("app_lua", "lua_dofile: %s", m ? m : "cannot load");
        lua_pop(w.sandbox, 1);
        return -1;
    }
    return pcall(w.sandbox, 0, p) == Status::Error ? -1 : 1;
}

namespace {

using cfg::ArgKind;
using cfg::CallArgs;

AppLua& data(CallArgs& a) { return *static_cast<AppLua*>(a.mod); }

int w_lua_run(CallArgs& a) {
    std::string_view parts[4];
    for (size_t i = 0; i < a.args.size(); ++i)
        if (!a.str(i, parts[i])) return -1;
    return data(a).lua_run(a.ctx, parts[0],
                           std::span<const std::string_view>(parts + 1, a.args.size() - 1));
}
int w_lua_runstring(CallArgs& a) {
    std::string_view s;
    return a.str(0, s) ? data(a).lua_runstring(a.ctx, s) : -1;
}
int w_lua_dostring(CallArgs& a) {
    std::string_view s;
    return a.str(0, s) ? data(a).lua_dostring(a.ctx, s) : -1;
}
int w_lua_dofile(CallArgs& a) {
    std::string_view s;
    return a.str(0, s) ? data(a).lua_dofile(a.ctx, s) : -1;
}

std::string init_app_lua(cfg::ModuleData& d, cfg::InitCtx& ic) {
    return static_cast<AppLua&>(d).init(ic.script);
}

// KSR.app_lua.*: the same operations from a KEMI script.
int k_run(kemi::Call& c) {
    auto* a = static_cast<AppLua*>(c.fn.mod);
    std::string_view parts[4];
    for (size_t i = 0; i < c.args.size(); ++i)
        parts[i] = c.s(i);
    return a->lua_run(c.ctx, parts[0],
                      std::span<const std::string_view>(parts + 1, c.args.size() - 1));
}
int k_runstring(kemi::Call& c) {
    return static_cast<AppLua*>(c.fn.mod)->lua_runstring(c.ctx, c.s(0));
}
int k_dostring(kemi::Call& c) {
    return static_cast<AppLua*>(c.fn.mod)->lua_dostring(c.ctx, c.s(0));
}
int k_dofile(kemi::Call& c) { return static_cast<AppLua*>(c.fn.mod)->lua_dofile(c.ctx, c.s(0)); }

constexpr kemi::Spec kAppLuaKemi[] = {
    {"app_lua", "run", kemi::Ret::Int, "s", k_run},
    {"app_lua", "run_p1", kemi::Ret::Int, "ss", k_run},
    {"app_lua", "run_p2", kemi::Ret::Int, "sss", k_run},
    {"app_lua", "run_p3", kemi::Ret::Int, "ssss", k_run},
    {"app_lua", "runstring", kemi::Ret::Int, "s", k_runstring},
    {"app_lua", "dostring", kemi::Ret::Int, "s", k_dostring},
    {"app_lua", "dofile", kemi::Ret::Int, "s", k_dofile},
};

} // namespace

const cfg::ModuleDef kAppLuaModule{
    .name = "app_lua",
    .create = [] { return std::unique_ptr<cfg::ModuleData>(new AppLua); },
    .params =
        {
            {"load", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 if (v.s.empty()) return std::string("empty script path");
                 static_cast<AppLua&>(d).load_paths.emplace_back(v.s);
                 return std::string();
             }},
            {"reload", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 static_cast<AppLua&>(d).reload_enabled = v.i != 0;
                 return std::string();
             }},
            {"log_mode", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 static_cast<AppLua&>(d).log_mode = v.i;
                 return std::string();
             }},
        },
    .functions =
        {
            {"lua_run",
             {ArgKind::Str, ArgKind::Str, ArgKind::Str, ArgKind::Str},
             1,
             pv::kAnyRoute,
             w_lua_run},
            {"lua_runstring", {ArgKind::Str}, 1, pv::kAnyRoute, w_lua_runstring},
            {"lua_dostring", {ArgKind::Str}, 1, pv::kAnyRoute, w_lua_dostring},
            {"lua_dofile", {ArgKind::Str}, 1, pv::kAnyRoute, w_lua_dofile},
        },
    .init = init_app_lua,
};

} // namespace siphon::modules

namespace siphon::kemi {
std::span<const Spec> app_lua_specs() { return modules::kAppLuaKemi; }
} // namespace siphon::kemi
