// RPC commands of modules whose export tables have none, over their C++ APIs: htable.* and
// app_lua.*. The runtime registers them when the module is loaded.
#pragma once

#include <span>

#include "cfg/module.h"
#include "cfg/script.h"

namespace siphon::rpc {

std::span<const cfg::RpcDef> htable_rpcs();
// The htable module's data in this config, or null when it is not loaded.
cfg::ModuleData* htable_module(const cfg::Script& script);

std::span<const cfg::RpcDef> app_lua_rpcs();
cfg::ModuleData* app_lua_module(const cfg::Script& script);

}   // namespace siphon::rpc
