// Export tables of the built-in modules.
#pragma once

#include "cfg/module.h"

namespace siphon::modules {

extern const cfg::ModuleDef kCoreModule;
extern const cfg::ModuleDef kSlModule;
extern const cfg::ModuleDef kXhttpModule;
extern const cfg::ModuleDef kXlogModule;
extern const cfg::ModuleDef kTextopsModule;
extern const cfg::ModuleDef kPvModule;

}  // namespace siphon::modules
