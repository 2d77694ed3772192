// KEMI: the functions a scripting engine (app_lua) offers as KSR.<module>.<name>. The
// registry is generated, once per runtime, from the export tables of the loaded modules:
// every native function (cfg::FuncDef) becomes a KEMI function with parameter types taken
// from its ArgKinds, and Kamailio's KEMI catalog (kemi/modules.md) supplies the exact
// names, parameter types and return kinds wherever Kamailio has them. Functions that only
// exist in KEMI (KSR.pv.*, KSR.hdr.*, KSR.kx.*, KSR.x.*, KSR.xhttp.get_hu ...) come from
// small tables of their own. Engines bind the registry generically: no per-function glue.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cfg/module.h"
#include "cfg/script.h"
#include "core/value.h"
#include "pv/context.h"
#include "pv/pv.h"

namespace siphon::kemi {

// Kamailio's SR_KEMIP_* parameter types.
enum class Type : uint8_t { Int, Str };
// Return kinds: Int (>0 true, <0 false, 0 "stop" left to the script), Bool, Xval (null,
// int or string), None (void; engines return false, as Kamailio's app_lua does).
enum class Ret : uint8_t { None, Int, Bool, Xval };

inline constexpr size_t kMaxParams = 6; // SR_KEMI_PARAMS_MAX

struct Call;
class Env;
// A KEMI-only implementation. Returns the function's int result (Bool: >0 true); an Xval
// function stores its value in Call::ret.
using Impl = int (*)(Call& c);

// A static table entry: `sig` is one letter per parameter, 'i' int or 's' string.
struct Spec {
    std::string_view module; // "" for KSR.<name>
    std::string_view name;
    Ret ret;
    std::string_view sig;
    Impl impl;
};

// One entry of Kamailio's KEMI catalog (signature only; bound to a native function of the
// same name and arity when the module has one).
struct CatalogEntry {
    std::string_view module;
    std::string_view name;
    Ret ret;
    std::string_view sig;
};
std::span<const CatalogEntry> catalog();

// One exported function.
struct Func {
    std::string module; // KEMI module ("" = KSR.<name>, "pv", "sl", ...)
    std::string name;
    std::string full; // "sl.sl_send_reply", "info"
    Ret ret = Ret::Int;
    std::vector<Type> params;
    Impl impl = nullptr;                  // KEMI-only implementation, or
    const cfg::FuncDef* native = nullptr; // the native function it calls
    cfg::ModuleData* mod = nullptr;
    bool from_catalog = false; // name and signature are Kamailio's
};

// Functions sharing a name, told apart by the number of arguments.
struct Group {
    std::string module, name, full;
    const Func* by_argc[kMaxParams + 1] = {};
    std::string arities() const; // "1 or 2"
};

// The exports of one runtime. Built once after the config is loaded; read-only afterwards
// and shared by every worker.
class Registry {
public:
    explicit Registry(const cfg::Script& script);
    const std::vector<std::unique_ptr<Func>>& funcs() const { return funcs_; }
    const std::vector<Group>& groups() const { return groups_; }
    const Group* find(std::string_view module, std::string_view name) const;
    // Kamailio catalog entries of loaded modules that have no implementation here.
    const std::vector<const CatalogEntry*>& missing() const { return missing_; }

private:
    void add(std::unique_ptr<Func> f);
    std::vector<std::unique_ptr<Func>> funcs_;
    std::vector<Group> groups_;
    std::map<std::string, size_t, std::less<>> index_; // full name -> group
    std::vector<const CatalogEntry*> missing_;
};

// KEMI-only tables provided by a module (KSR.xhttp.get_hu, KSR.pvx.*, KSR.app_lua.*), by
// module name; empty for modules without any.
std::span<const Spec> module_extras(std::string_view module);
// The KEMI module name of a native module: "pv" exports as "pvx", "core" as "".
std::string_view kemi_module_name(std::string_view module);

// A header change requested through KSR.hdr.* for the current message. Kamailio keeps such
// changes as lumps applied when the message is forwarded; they are not visible to $hdr.
struct HeaderEdit {
    enum class Op : uint8_t { Append, AppendAfter, Insert, InsertBefore, Remove } op;
    std::string text;   // header line(s) for Append/Insert, name for Remove
    std::string anchor; // header name for AppendAfter / InsertBefore
};

// Per-worker KEMI state, shared by the engine states of one worker (the Lua states of
// lua_run and lua_dofile). Owned by the engine; used by one thread only.
class Env {
public:
    Env(const cfg::Script& script, const Registry& registry);
    ~Env();
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;

    const cfg::Script& script;
    const Registry& registry;

    // The pseudo-variable named `name` ("$var(x)", "$hdr(From)"), parsed once and cached.
    // Null (and logged) when the name is not a valid PV.
    const pv::PvSpec* pv(std::string_view name);

    // The pseudo-variable registry of this worker (a copy of the config's: run-time names
    // may add $var slots, which are per worker anyway).
    pv::Registry& pv_registry() { return reg_; }

    // Set by KSR.x.exit() / KSR.x.drop(); the engine stops the script and clears them.
    bool exit_requested = false;
    bool drop_requested = false; // KSR.x.drop() or KSR.set_drop()

    // KSR.hdr.* changes for the message being processed.
    std::vector<HeaderEdit>& header_edits(pv::Ctx& ctx);

    // Calls a native function with KEMI values converted to its ArgKinds (a string is a
    // literal: no pseudo-variable expansion). `who` names the function in log lines.
    int call_native(pv::Ctx& ctx, std::string_view who, const cfg::FuncDef& fd,
                    cfg::ModuleData* mod, std::span<const Value> args);

private:
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    pv::Registry reg_; // copy of the script's registry: PV names met at run time
    std::unordered_map<std::string, std::unique_ptr<pv::PvSpec>, Hash, std::equal_to<>> pv_cache_;
    struct Scratch {
        std::vector<cfg::FixedArg> args;
        bool busy = false;
    };
    std::unordered_map<const cfg::FuncDef*, Scratch> scratch_;
    std::unordered_map<std::string, std::shared_ptr<std::vector<cfg::FixedArg>>, Hash,
                       std::equal_to<>>
        fixed_cache_;
    std::vector<HeaderEdit> edits_;
    uint32_t edits_msg_ = 0;
    const pv::WorkerState* edits_worker_ = nullptr;
};

// One call of a KEMI function.
struct Call {
    Env& env;
    pv::Ctx& ctx;
    const Func& fn;
    std::span<const Value> args;
    Value ret; // Xval result; strings must stay valid until the engine copies them

    int32_t i(size_t k) const { return args[k].i; }
    std::string_view s(size_t k) const { return args[k].s; }
};

// Runs f with already type-checked arguments (args.size() == f.params.size()).
int invoke(Env& env, pv::Ctx& ctx, const Func& f, std::span<const Value> args, Value& ret);

// A scripting engine (app_lua): what the dispatcher and xhttp need from it.
class Engine {
public:
    virtual ~Engine() = default;
    enum class Status : uint8_t { Ok, Exit, NotFound, Error };
    // Sizes the per-worker state; called once before the workers start.
    virtual void prepare(int workers) = 0;
    // Creates the state of one worker in that worker's thread (else done on first use).
    virtual void worker_init(int worker) = 0;
    // Runs the script function `func` for the message of ctx (worker ctx.w.id), with string
    // arguments. Errors are logged by the engine; NotFound (no such function) is left to
    // the caller to report, since a missing ksr_reply_route is not an error.
    virtual Status run(pv::Ctx& ctx, std::string_view func,
                       std::span<const std::string_view> args) = 0;
    // Re-reads the script files; on success every worker runs them again before its next
    // message. A script that fails to load is reported in err and the old one stays.
    virtual bool reload(std::string& err) = 0;
};

// The engine that routes messages: the module of cfgengine when it is not "native", or
// null. Reports an unknown or not-loaded engine in err.
Engine* routing_engine(const cfg::Script& script, std::string* err = nullptr);
// An engine module loaded by the config (app_lua), whatever cfgengine says; null if none.
Engine* any_engine(const cfg::Script& script);

} // namespace siphon::kemi
