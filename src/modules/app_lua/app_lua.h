// app_lua: the Lua KEMI engine. `modparam("app_lua", "load", FILE)` names the script;
// with `cfgengine "lua"` its ksr_request_route() / ksr_reply_route() handle SIP and module
// event callbacks (xhttp's event_callback) are Lua functions. The native config can call
// into Lua with lua_run(), lua_runstring(), lua_dofile() and lua_dostring().
//
// Each worker thread has its own Lua state (Kamailio: one per process), created in the
// worker's thread, with the KSR object generated from the KEMI registry. As in Kamailio,
// lua_dofile()/lua_dostring() use a second state of their own.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cfg/module.h"
#include "cfg/script.h"
#include "modules/kemi/kemi.h"

namespace siphon::modules {

struct LuaWorker;

class AppLua final : public cfg::ModuleData, public kemi::Engine {
public:
    AppLua();
    ~AppLua() override;

    // Parameters.
    std::vector<std::string> load_paths; // "load", may be given several times
    bool reload_enabled = true;          // "reload"
    int log_mode = 0;                    // "log_mode": bit 1 logs each export at start

    // Called by the module's init hook once the config is compiled: reads and checks the
    // scripts (syntax and top-level code run in a probe state). Returns an error or "".
    std::string init(cfg::Script& script);

    // kemi::Engine
    void prepare(int workers) override;
    void worker_init(int worker) override;
    Status run(pv::Ctx& ctx, std::string_view func,
               std::span<const std::string_view> args) override;
    bool reload(std::string& err) override;

    // The native functions (1 ok, -1 error). lua_run: a function of the loaded scripts;
    // lua_runstring: code in the same state; lua_dofile/lua_dostring: the second state.
    int lua_run(pv::Ctx& ctx, std::string_view func, std::span<const std::string_view> args);
    int lua_runstring(pv::Ctx& ctx, std::string_view code);
    int lua_dofile(pv::Ctx& ctx, std::string_view path);
    int lua_dostring(pv::Ctx& ctx, std::string_view code);

    const kemi::Registry* registry() const { return registry_.get(); }
    // Generation of the loaded scripts; grows by one per successful reload.
    uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

private:
    struct Source {
        std::string path;
        std::string text;
    };
    LuaWorker& worker(pv::Ctx& ctx);
    LuaWorker& worker_at(int id);
    void refresh(LuaWorker& w);
    std::vector<Source> sources();
    bool read_sources(std::vector<Source>& out, std::string& err) const;

    const cfg::Script* script_ = nullptr;
    std::unique_ptr<kemi::Registry> registry_;
    std::mutex mu_; // guards sources_
    std::vector<Source> sources_;
    std::atomic<uint64_t> generation_{1};
    std::vector<std::unique_ptr<LuaWorker>> workers_;
};

} // namespace siphon::modules
