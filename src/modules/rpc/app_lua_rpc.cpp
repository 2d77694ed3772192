// app_lua.* RPC commands over the app_lua module (app_lua/app_lua.h), with Kamailio 5.6's
// names and replies (app_lua_api.c: app_lua_rpc_reload / app_lua_rpc_list).
#include "modules/app_lua/app_lua.h"
#include "modules/rpc/module_rpcs.h"
#include "modules/rpc/rpc.h"

namespace siphon::rpc {

namespace {

modules::AppLua& lua(Call& c) {
    return *static_cast<modules::AppLua*>(c.module());
}

// app_lua.reload [pos]: reloads the scripts in every worker (before its next message).
void lua_reload(Call& c) {
    modules::AppLua& l = lua(c);
    if (!l.reload_enabled) {
        c.fault(500, "Reload disabled");
        return;
    }
    int64_t pos = -1;
    if (c.scan_int(pos) == Scan::Bad) return;
    if (pos >= 0 && static_cast<size_t>(pos) >= l.load_paths.size()) {
        c.fault(500, "Invalid script position");
        return;
    }
    std::string err;
    if (!l.reload(err)) c.fault(500, err.empty() ? "Reload Failed" : "Reload Failed: " + err);
}

// app_lua.list: "N: [path]" for each loaded script (the last one, as Kamailio adds them
// one by one to a reply that keeps the last value).
void lua_list(Call& c) {
    modules::AppLua& l = lua(c);
    for (size_t i = 0; i < l.load_paths.size(); ++i)
        c.add(Node::str(std::to_string(i) + ": [" + l.load_paths[i] + "]"));
}

const cfg::RpcDef kAppLuaRpcs[] = {
    {"app_lua.reload", lua_reload, "Reload lua script"},
    {"app_lua.list", lua_list, "list lua scripts"},
};

}   // namespace

std::span<const cfg::RpcDef> app_lua_rpcs() {
    return kAppLuaRpcs;
}

cfg::ModuleData* app_lua_module(const cfg::Script& script) {
    return script.module_data("app_lua");
}

}   // namespace siphon::rpc
