// The module framework. A module is one ModuleDef table: its parameters, script functions,
// pseudo-variables, transformations and hooks. `loadmodule "x.so"` enables the built-in
// module named x; functions are resolved by name and arity when the config is compiled.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cfg/diag.h"
#include "core/value.h"
#include "pv/context.h"
#include "pv/pv.h"

namespace re2 {
class RE2;
}

namespace re2 {
class RE2;
}

namespace siphon::rpc {
class Call;
}

namespace siphon::cfg {

struct Script;

// Compiles a Kamailio (POSIX extended) regular expression for RE2 (cfg/compile.cpp); null and
// `err` set when it does not compile. Used by modules that take regexes in parameters.
std::shared_ptr<re2::RE2> compile_posix_regex(std::string_view pattern, bool icase,
                                              std::string& err);

// Per-runtime state of one module (its parameters and whatever init builds). Modules derive
// from it; the framework owns the object.
struct ModuleData {
    virtual ~ModuleData() = default;
};

// How a function parameter is prepared at load time.
enum class ArgKind : uint8_t {
    Str,     // a format string ("text $var(x)"), rendered per call
    Int,     // an int constant, or a format string converted per call ("$var(code)")
    Pv,      // a writable pseudo-variable ("$var(out)")
    Regex,   // a constant POSIX extended regex, compiled once
    Const,   // a constant string (no PV expansion)
};

struct FixedArg {
    ArgKind kind = ArgKind::Str;
    bool is_const = false;        // Int: value known at load time
    int32_t ival = 0;
    std::string sval;             // constant text as written
    pv::Format fmt;
    std::unique_ptr<pv::PvSpec> pv;
    std::shared_ptr<re2::RE2> re;
    std::shared_ptr<void> data;   // a function's own fixup result
};

// Arguments of one call, with helpers to evaluate them in the message's context.
struct CallArgs {
    pv::Ctx& ctx;
    std::span<FixedArg> args;
    ModuleData* mod;

    // Renders a Str/Const arg into the arena; false if rendering failed.
    bool str(size_t i, std::string_view& out) const;
    // Int arg: the constant, or the rendered text converted. False (and logged) if not an int.
    bool integer(size_t i, int32_t& out) const;
};

// Returns Kamailio's action result: >0 true, <0 false, 0 stops the script.
using FuncImpl = int (*)(CallArgs& a);
// Optional extra load-time check of the fixed args; returns an error message or "".
using FuncFixup = std::string (*)(std::span<FixedArg> args, ModuleData* mod);

struct FuncDef {
    std::string_view name;
    std::vector<ArgKind> args;   // max arity = args.size()
    uint8_t min_args = 0;
    uint32_t routes = pv::kAnyRoute;
    FuncImpl fn = nullptr;
    FuncFixup fixup = nullptr;
};

enum class ParamType : uint8_t { Int, Str };

struct ParamDef {
    std::string_view name;
    ParamType type;
    // Stores the value; returns an error message or "". May be called several times for
    // parameters that accumulate (e.g. htable definitions).
    std::string (*set)(ModuleData& data, const Value& v);
};

// An RPC command a module exports (Kamailio's rpc_export_t). The handler reads its
// parameters from and writes its reply to the Call (modules/rpc/rpc.h).
enum RpcFlags : uint32_t {
    kRpcRetArray = 1,   // Kamailio's RET_ARRAY: every value added goes into one result array
};

struct RpcDef {
    std::string_view name;   // "core.version"
    void (*fn)(rpc::Call& c) = nullptr;
    std::string_view help;   // system.methodHelp
    uint32_t flags = 0;
};

struct InitCtx {
    Script& script;
};

struct ModuleDef {
    std::string_view name;
    std::vector<std::string_view> deps;             // modules that must be loaded first
    std::unique_ptr<ModuleData> (*create)() = nullptr;
    std::vector<ParamDef> params;
    std::vector<FuncDef> functions;
    std::vector<pv::PvDef> pvs;
    std::vector<std::span<const pv::TrDef>> transformations;
    // After the whole config is compiled: check cross references (routes, regexes).
    // Returns an error message or "".
    std::string (*init)(ModuleData& data, InitCtx& ctx) = nullptr;
    std::vector<RpcDef> rpcs;                       // RPC commands
};

struct LoadedModule {
    const ModuleDef* def;
    std::unique_ptr<ModuleData> data;
    SourcePos pos;   // the loadmodule line (unknown for modules loaded implicitly)
};

}  // namespace siphon::cfg
