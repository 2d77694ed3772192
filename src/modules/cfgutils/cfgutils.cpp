// cfgutils: random decisions, delays, global flags, a keyed lock set, core_hash() and
// running named routes by name, with Kamailio 5.6's cfgutils semantics. All state is
// shared by the workers (Kamailio keeps it in shared memory): atomics for the probability
// and the flags, a fixed array of locks that any worker may release.
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "cfg/interp.h"
#include "cfg/module.h"
#include "cfg/script.h"
#include "core/log.h"
#include "modules/modules.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;

// One entry of the lock set. A binary semaphore rather than a mutex: Kamailio's locks may
// be released by another process than the one that took them, and so may these (a
// std::mutex must be unlocked by its owner).
struct CfgLock {
    std::atomic<bool> held{false};
    void lock() {
        while (held.exchange(true, std::memory_order_acquire))
            held.wait(true, std::memory_order_relaxed);
    }
    bool try_lock() { return !held.exchange(true, std::memory_order_acquire); }
    void unlock() {
        held.store(false, std::memory_order_release);
        held.notify_one();
    }
};

struct CfgutilsData : cfg::ModuleData {
    // Parameters.
    int32_t initial_prob = 10;
    uint32_t initial_gflags = 0;
    int32_t lock_set_bits = 0;
    std::string hash_file;
    // Shared run-time state.
    std::atomic<int32_t> prob{10};
    std::atomic<uint32_t> gflags{0};
    std::atomic<uint64_t> rand_state{0};
    uint32_t lock_count = 0;
    std::unique_ptr<CfgLock[]> locks;
    const cfg::Script* script = nullptr;
};

CfgutilsData& data(CallArgs& a) { return *static_cast<CfgutilsData*>(a.mod); }

// Kamailio's core_hash() (case-sensitive) and core_case_hash() (ASCII letters folded) from
// core/hashes.h, including its use of plain (signed) char: bytes >= 0x80 are sign-extended
// before they are mixed in, so results match Kamailio for non-ASCII keys too. An empty s2
// is skipped. size must be a power of two, or 0 for the full hash.
uint32_t kamailio_core_hash(std::string_view s1, std::string_view s2, uint32_t size,
                            bool icase) {
    auto ch = [icase](char c) -> uint32_t {
        int v = static_cast<signed char>(c);
        if (icase && c >= 'A' && c <= 'Z') v |= 0x20;
        return static_cast<uint32_t>(v);
    };
    uint32_t h = 0;
    auto mix = [&](std::string_view s) {
        size_t i = 0;
        uint32_t v;
        for (; i + 4 <= s.size(); i += 4) {
            v = (ch(s[i]) << 24) + (ch(s[i + 1]) << 16) + (ch(s[i + 2]) << 8) + ch(s[i + 3]);
            h += v ^ (v >> 3);
        }
        v = 0;
        for (; i < s.size(); ++i) {
            v <<= 8;
            v += ch(s[i]);
        }
        h += v ^ (v >> 3);
    };
    mix(s1);
    if (!s2.empty()) mix(s2);
    h = (h + (h >> 11)) + ((h >> 13) + (h >> 23));
    return size ? (h & (size - 1)) : h;
}

// splitmix64 over a shared counter: lock-free, and each call gets its own value.
uint32_t next_random(CfgutilsData& d) {
    uint64_t z = d.rand_state.fetch_add(0x9E3779B97F4A7C15ULL, std::memory_order_relaxed);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return static_cast<uint32_t>(z >> 33);  // [0, 2^31), like kam_rand()
}

// ---- probability ----------------------------------------------------------------------

// rand_event(): true with the current probability; 0 and 100 never draw.
int rand_event(CallArgs& a) {
    CfgutilsData& d = data(a);
    int32_t p = d.prob.load(std::memory_order_relaxed);
    if (p <= 0) return -1;
    if (p >= 100) return 1;
    double r = static_cast<double>(next_random(d)) / 2147483648.0;
    return r < static_cast<double>(p) / 100.0 ? 1 : -1;
}
// rand_set_prob(N): N is fixed at load time (fixup_prob: a constant 0..100).
int rand_set_prob(CallArgs& a) {
    data(a).prob.store(a.args[0].ival, std::memory_order_relaxed);
    return 1;
}
std::string fix_prob(std::span<cfg::FixedArg> args, cfg::ModuleData*) {
    if (!args[0].is_const) return "probability must be a constant number";
    if (args[0].ival < 0 || args[0].ival > 100)
        return "invalid probability <" + std::to_string(args[0].ival) + ">";
    return "";
}
int rand_reset_prob(CallArgs& a) {
    CfgutilsData& d = data(a);
    d.prob.store(d.initial_prob, std::memory_order_relaxed);
    return 1;
}
// rand_get_prob() returns the probability itself, so a probability of 0 stops the script
// (Kamailio's get_prob() does the same).
int rand_get_prob(CallArgs& a) { return data(a).prob.load(std::memory_order_relaxed); }

// ---- delays ---------------------------------------------------------------------------

// sleep(s) / usleep(us) block the calling worker thread, as they block a Kamailio worker
// process: the worker handles nothing else meanwhile.
int w_sleep(CallArgs& a) {
    int32_t s;
    if (!a.integer(0, s)) {
        SLOG_ERR("cfgutils", "cannot get time interval value");
        return -1;
    }
    if (s < 0) {
        // Kamailio casts to unsigned and sleeps for decades; refuse instead.
        SLOG_ERR("cfgutils", "negative time interval %d", s);
        return -1;
    }
    std::this_thread::sleep_for(std::chrono::seconds(s));
    return 1;
}
int w_usleep(CallArgs& a) {
    int32_t us;
    if (!a.integer(0, us)) {
        SLOG_ERR("cfgutils", "cannot get time interval value");
        return -1;
    }
    if (us < 0) {
        SLOG_ERR("cfgutils", "negative time interval %d", us);
        return -1;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(us));
    return 1;
}

// ---- global flags ---------------------------------------------------------------------

// The flag index is a constant 0..31 (fixup_gflags); it is kept as a bit mask.
std::string fix_gflag(std::span<cfg::FixedArg> args, cfg::ModuleData*) {
    if (!args[0].is_const) return "bad number <" + args[0].sval + ">";
    if (args[0].ival < 0 || args[0].ival > 31)
        return "flag <" + std::to_string(args[0].ival) + "> out of range [0..31]";
    return "";
}
uint32_t gflag_mask(CallArgs& a) { return 1u << a.args[0].ival; }
int set_gflag(CallArgs& a) {
    data(a).gflags.fetch_or(gflag_mask(a), std::memory_order_relaxed);
    return 1;
}
int reset_gflag(CallArgs& a) {
    data(a).gflags.fetch_and(~gflag_mask(a), std::memory_order_relaxed);
    return 1;
}
int is_gflag(CallArgs& a) {
    return (data(a).gflags.load(std::memory_order_relaxed) & gflag_mask(a)) ? 1 : -1;
}

// ---- locks ----------------------------------------------------------------------------

enum class LockOp { Lock, Unlock, Try };

// The key picks one of 2^lock_set_size locks by core_case_hash(), so keys differing only
// in case, and colliding keys, share a lock. Without lock_set_size the call fails at run
// time (measured: -1 and "lock set not initialized").
int lock_op(CallArgs& a, LockOp op) {
    std::string_view key;
    if (!a.str(0, key)) {
        SLOG_ERR("cfgutils", "cannot get first parameter");
        return -1;
    }
    CfgutilsData& d = data(a);
    if (!d.locks) {
        SLOG_ERR("cfgutils",
                 "lock set not initialized (attempt to do op: %d on: %.*s) - see param "
                 "lock_set_size",
                 static_cast<int>(op), static_cast<int>(key.size()), key.data());
        return -1;
    }
    CfgLock& l = d.locks[kamailio_core_hash(key, {}, d.lock_count, true)];
    switch (op) {
        case LockOp::Lock: l.lock(); return 1;
        case LockOp::Unlock: l.unlock(); return 1;
        case LockOp::Try: return l.try_lock() ? 1 : -1;
    }
    return -1;
}
int w_lock(CallArgs& a) { return lock_op(a, LockOp::Lock); }
int w_unlock(CallArgs& a) { return lock_op(a, LockOp::Unlock); }
int w_trylock(CallArgs& a) { return lock_op(a, LockOp::Try); }

// ---- hashing --------------------------------------------------------------------------

// core_hash(s1, s2, size): Kamailio's core_hash() over s1 and (when not empty) s2 into a
// table of 2^size slots (size <= 0 means 2), plus one so that the result is always true.
int w_core_hash(CallArgs& a) {
    std::string_view s1, s2;
    int32_t size;
    if (!a.str(0, s1)) {
        SLOG_ERR("cfgutils", "invalid s1 parameter");
        return -1;
    }
    if (!a.str(1, s2)) {
        SLOG_ERR("cfgutils", "invalid s2 parameter");
        return -1;
    }
    if (!a.integer(2, size)) {
        SLOG_ERR("cfgutils", "invalid size parameter");
        return -1;
    }
    // "1 << size" as C computes it on x86 (the shift count is taken modulo 32).
    uint32_t slots = size <= 0 ? 2u : (1u << (static_cast<uint32_t>(size) & 31u));
    return static_cast<int>(kamailio_core_hash(s1, s2, slots, false) + 1u);
}

// ---- routes ---------------------------------------------------------------------------

// route[NAME] blocks only; "0" names request_route, which Kamailio stores as route 0.
const cfg::Route* find_route(const cfg::Script& s, std::string_view name) {
    auto it = s.named.find(name);
    if (it != s.named.end()) return it->second;
    if (name == "0") return s.request_route;
    return nullptr;
}

int check_route_exists(CallArgs& a) {
    std::string_view name;
    if (!a.str(0, name)) {
        SLOG_ERR("cfgutils", "invalid route parameter");
        return -1;
    }
    return find_route(*data(a).script, name) ? 1 : -1;
}

// route_if_exists(NAME) runs route[NAME] and returns its value; a route that ends the
// script (exit, drop, return 0, and measured: break) makes this return 0, which stops the
// caller as well (notes 1.7). A missing route is -1.
int route_if_exists(CallArgs& a) {
    std::string_view name;
    if (!a.str(0, name)) {
        SLOG_ERR("cfgutils", "invalid route parameter");
        return -1;
    }
    const cfg::Script& s = *data(a).script;
    const cfg::Route* r = find_route(s, name);
    if (!r) return -1;
    // Shares the interpreter's recursion guard: a route that runs itself by name stops.
    if (a.ctx.route_depth >= 100) {
        SLOG_ERR("cfgutils", "route_if_exists(\"%.*s\"): recursion too deep",
                 static_cast<int>(name.size()), name.data());
        return -1;
    }
    ++a.ctx.route_depth;
    cfg::RunResult rr = cfg::run_route(s, *r, a.ctx);
    --a.ctx.route_depth;
    if (rr.exited) return 0;
    return rr.rc;
}

// ---- debugging ------------------------------------------------------------------------

// abort(): kills the server for a core dump, as Kamailio's does.
int w_abort(CallArgs&) {
    SLOG(kLogCrit, "cfgutils", "abort called");
    std::abort();
}
// pkg/shm memory reports: siphon has no pkg or shm pools; these succeed and log nothing.
int mem_status(CallArgs&) { return 1; }

// ---- module ---------------------------------------------------------------------------

std::string init_cfgutils(cfg::ModuleData& md, cfg::InitCtx& ic) {
    auto& d = static_cast<CfgutilsData&>(md);
    d.script = &ic.script;
    if (d.initial_prob < 0 || d.initial_prob > 100)
        return "invalid probability <" + std::to_string(d.initial_prob) + ">";
    d.prob.store(d.initial_prob);
    d.gflags.store(d.initial_gflags);
    d.rand_state.store((static_cast<uint64_t>(std::random_device{}()) << 32) ^
                       std::random_device{}());
    // Kamailio hashes hash_file at start-up for its RPC commands and fails if it cannot.
    struct stat st;
    if (!d.hash_file.empty() && stat(d.hash_file.c_str(), &st) != 0)
        return "could not hash the config file: cannot stat " + d.hash_file;
    if (d.lock_set_bits > 0) {
        int bits = d.lock_set_bits;
        if (bits > 14) {
            SLOG_WARN("cfgutils", "lock set size too large (%d), making it 14", bits);
            bits = 14;
        }
        d.lock_count = 1u << bits;
        d.locks = std::make_unique<CfgLock[]>(d.lock_count);
    }
    return "";
}

}  // namespace

const cfg::ModuleDef kCfgutilsModule{
    .name = "cfgutils",
    .create = [] { return std::unique_ptr<cfg::ModuleData>(new CfgutilsData); },
    .params =
        {
            {"initial_probability", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 static_cast<CfgutilsData&>(d).initial_prob = v.i;
                 return std::string();
             }},
            {"initial_gflags", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 static_cast<CfgutilsData&>(d).initial_gflags = static_cast<uint32_t>(v.i);
                 return std::string();
             }},
            {"lock_set_size", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 static_cast<CfgutilsData&>(d).lock_set_bits = v.i;
                 return std::string();
             }},
            {"hash_file", cfg::ParamType::Str,
             [](cfg::ModuleData& d, const Value& v) {
                 static_cast<CfgutilsData&>(d).hash_file = std::string(v.s);
                 return std::string();
             }},
        },
    .functions =
        {
            {"rand_event", {}, 0, pv::kAnyRoute, rand_event},
            {"rand_set_prob", {ArgKind::Int}, 1, pv::kAnyRoute, rand_set_prob, fix_prob},
            {"rand_reset_prob", {}, 0, pv::kAnyRoute, rand_reset_prob},
            {"rand_get_prob", {}, 0, pv::kAnyRoute, rand_get_prob},
            {"sleep", {ArgKind::Int}, 1, pv::kAnyRoute, w_sleep},
            {"usleep", {ArgKind::Int}, 1, pv::kAnyRoute, w_usleep},
            {"abort", {}, 0, pv::kAnyRoute, w_abort},
            {"pkg_status", {}, 0, pv::kAnyRoute, mem_status},
            {"pkg_summary", {}, 0, pv::kAnyRoute, mem_status},
            {"shm_status", {}, 0, pv::kAnyRoute, mem_status},
            {"shm_summary", {}, 0, pv::kAnyRoute, mem_status},
            {"set_gflag", {ArgKind::Int}, 1, pv::kAnyRoute, set_gflag, fix_gflag},
            {"reset_gflag", {ArgKind::Int}, 1, pv::kAnyRoute, reset_gflag, fix_gflag},
            {"is_gflag", {ArgKind::Int}, 1, pv::kAnyRoute, is_gflag, fix_gflag},
            {"lock", {ArgKind::Str}, 1, pv::kAnyRoute, w_lock},
            {"unlock", {ArgKind::Str}, 1, pv::kAnyRoute, w_unlock},
            {"trylock", {ArgKind::Str}, 1, pv::kAnyRoute, w_trylock},
            {"core_hash", {ArgKind::Str, ArgKind::Str, ArgKind::Int}, 3, pv::kAnyRoute,
             w_core_hash},
            {"check_route_exists", {ArgKind::Str}, 1, pv::kAnyRoute, check_route_exists},
            {"route_if_exists", {ArgKind::Str}, 1, pv::kAnyRoute, route_if_exists},
        },
    .init = init_cfgutils,
};

}  // namespace siphon::modules
