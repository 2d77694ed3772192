// Recursive-descent parser: tokens -> Script (core params, modules, routes with unresolved
// calls). The compile pass (compile.cpp) then resolves names.
#pragma once

#include <vector>

#include "cfg/lexer.h"
#include "cfg/script.h"

namespace siphon::cfg {

// Parses tokens into `script`. loadmodule/modparam/global parameters are applied as they are
// met (their order matters, as in Kamailio). Errors go to diag; parsing continues after an
// error at the next statement.
void parse_script(const std::vector<Token>& toks, std::span<const ModuleDef* const> modules,
                  Script& script, Diagnostics& diag);

// Applies a core parameter; returns an error message or "". Exposed for tests.
std::string set_core_param(CoreConfig& core, std::string_view name, const Value& v, bool is_bool_word);

// Parses a listen value ("udp:127.0.0.1:5060", "tcp:[::1]", "127.0.0.1:5070",
// "udp:1.2.3.4:5060 advertise 5.6.7.8:5080"). Returns an error message or "".
std::string parse_listen(std::string_view text, Listen& out);

}  // namespace siphon::cfg
