// Export tables of the built-in modules.
#pragma once

#include "cfg/module.h"

namespace siphon::modules {

extern const cfg::ModuleDef kCoreModule;
extern const cfg::ModuleDef kSlModule;
extern const cfg::ModuleDef kXhttpModule;
extern const cfg::ModuleDef kXlogModule;
extern const cfg::ModuleDef kTextopsModule;
extern const cfg::ModuleDef kTextopsxModule;
extern const cfg::ModuleDef kPvModule;
extern const cfg::ModuleDef kAppLuaModule;
extern const cfg::ModuleDef kKemixModule;
extern const cfg::ModuleDef kJsonrpcsModule;
extern const cfg::ModuleDef kStatisticsModule;
extern const cfg::ModuleDef kXhttpPromModule;
extern const cfg::ModuleDef kXmlrpcModule;
extern const cfg::ModuleDef kXhttpRpcModule;
extern const cfg::ModuleDef kHtableModule;
extern const cfg::ModuleDef kSiputilsModule;
extern const cfg::ModuleDef kJanssonModule;
extern const cfg::ModuleDef kCfgutilsModule;
extern const cfg::ModuleDef kCorexModule;
extern const cfg::ModuleDef kKexModule;

}  // namespace siphon::modules
