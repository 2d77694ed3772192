// The interpreter: runs a compiled route against one message. Semantics are Kamailio's:
// an action's value >0 is true, <0 false, 0 stops the whole script; `$rc` holds the last
// value; route(R) returns R's `return` value or the value of its last action.
#pragma once

#include "cfg/script.h"
#include "pv/context.h"

namespace siphon::cfg {

struct RunResult {
    int32_t rc = 1;        // the route's value (return value or last action's value)
    bool exited = false;   // exit/drop/0-return stopped the script
    bool dropped = false;  // drop was executed
};

// Runs a top-level route (request_route, event_route[...]). Thread-safe for distinct ctx.
RunResult run_route(const Script& script, const Route& route, pv::Ctx& ctx);

// Truthiness of a value as in `if (...)`: ints > 0; strings converted to int first.
bool value_true(const Value& v);

}  // namespace siphon::cfg
