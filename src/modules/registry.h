// The modules built into siphon, in the order `siphon -h` lists them.
#pragma once

#include <span>

#include "cfg/module.h"

namespace siphon::modules {

std::span<const cfg::ModuleDef* const> builtin();

}  // namespace siphon::modules
