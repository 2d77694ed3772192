// Per-worker KEMI state: pseudo-variable names parsed at run time, native calls with their
// arguments prepared as the config compiler would, header edits of the current message.
#include <cstring>

#include "core/log.h"
#include "modules/kemi/kemi.h"

namespace siphon::kemi {

namespace {

// Enough distinct names for any real script; a script that builds names from message data
// (KSR.pv.get("$hdr(" .. x .. ")")) only makes the cache start over, never grow unbounded
// (the memory problem the KEMI documentation warns about).
constexpr size_t kPvCacheMax = 4096;
constexpr size_t kFixedCacheMax = 1024;

void set_literal(pv::Format& fmt, std::string_view text) {
    if (fmt.segs.size() != 1) fmt.segs.resize(1);
    fmt.segs[0].pv.reset();
    fmt.segs[0].literal.assign(text.data(), text.size());
}

bool needs_preparation(const cfg::FuncDef& fd, size_t argc) {
    if (fd.fixup) return true;
    for (size_t i = 0; i < argc; ++i) {
        cfg::ArgKind k = fd.args[i];
        if (k == cfg::ArgKind::Pv || k == cfg::ArgKind::Regex) return true;
    }
    return false;
}

} // namespace

Env::Env(const cfg::Script& s, const Registry& r) : script(s), registry(r), reg_(s.reg) {}
Env::~Env() = default;

const pv::PvSpec* Env::pv(std::string_view name) {
    auto it = pv_cache_.find(name);
    if (it != pv_cache_.end()) return it->second.get();
    std::string err;
    auto spec = pv::parse_pv_exact(name, reg_, err);
    if (!spec) {
        SLOG_ERR("kemi", "cannot get pv spec for [%.*s]: %s", static_cast<int>(name.size()),
                 name.data(), err.c_str());
        return nullptr;
    }
    if (pv_cache_.size() >= kPvCacheMax) pv_cache_.clear();
    const pv::PvSpec* p = spec.get();
    pv_cache_.emplace(std::string(name), std::move(spec));
    return p;
}

std::vector<HeaderEdit>& Env::header_edits(pv::Ctx& ctx) {
    if (edits_worker_ != &ctx.w || edits_msg_ != ctx.w.msg_id) {
        edits_.clear();
        edits_worker_ = &ctx.w;
        edits_msg_ = ctx.w.msg_id;
    }
    return edits_;
}

int Env::call_native(pv::Ctx& ctx, std::string_view who, const cfg::FuncDef& fd,
                     cfg::ModuleData* mod, std::span<const Value> args) {
    const int wl = static_cast<int>(who.size());
    if (!ctx.msg) {
        SLOG_ERR("kemi", "KSR.%.*s: no message is being processed", wl, who.data());
        return -1;
    }
    size_t argc = args.size();
    char numbuf[kMaxParams][12];
    std::string_view text[kMaxParams];
    for (size_t i = 0; i < argc; ++i)
        text[i] = args[i].is_int() ? int_to_str(args[i].i, numbuf[i]) : args[i].s;

    // Fills one FixedArg as the compile pass does for a constant parameter.
    auto fill = [&](cfg::FixedArg& f, size_t i, std::string& err) {
        f.kind = fd.args[i];
        f.is_const = false;
        f.ival = 0;
        f.sval.assign(text[i].data(), text[i].size());
        f.data.reset();
        switch (f.kind) {
            case cfg::ArgKind::Int:
                if (args[i].is_int()) {
                    f.is_const = true;
                    f.ival = args[i].i;
                } else if (str_to_int(text[i], f.ival)) {
                    f.is_const = true;
                } else {
                    err = "parameter " + std::to_string(i + 1) + ": integer expected, got \"" +
                          std::string(text[i].substr(0, 64)) + "\"";
                    return false;
                }
                return true;
            case cfg::ArgKind::Str:
            case cfg::ArgKind::Const: set_literal(f.fmt, text[i]); return true;
            case cfg::ArgKind::Pv:
                f.pv = pv::parse_pv_exact(text[i], reg_, err);
                if (!f.pv) err = "parameter " + std::to_string(i + 1) + ": " + err;
                return f.pv != nullptr;
            case cfg::ArgKind::Regex:
                f.re = cfg::compile_posix_regex(text[i], false, err);
                if (!f.re)
                    err = "parameter " + std::to_string(i + 1) + ": bad regular expression: " + err;
                return f.re != nullptr;
        }
        return true;
    };

    std::string err;
    if (needs_preparation(fd, argc)) {
        // Regexes, PV names and fixup results depend only on the argument text: prepare
        // them once per distinct call, as the config compiler does once per call site.
        const cfg::FuncDef* fp = &fd;
        std::string key(reinterpret_cast<const char*>(&fp), sizeof fp); // the address
        for (size_t i = 0; i < argc; ++i) {
            key += args[i].is_int() ? 'i' : 's';
            key += std::to_string(text[i].size());
            key += ':';
            key += text[i];
        }
        std::shared_ptr<std::vector<cfg::FixedArg>> fixed;
        auto it = fixed_cache_.find(key);
        if (it != fixed_cache_.end()) {
            fixed = it->second;
        } else {
            fixed = std::make_shared<std::vector<cfg::FixedArg>>(argc);
            for (size_t i = 0; i < argc; ++i)
                if (!fill((*fixed)[i], i, err)) {
                    SLOG_ERR("kemi", "KSR.%.*s: %s", wl, who.data(), err.c_str());
                    return -1;
                }
            if (fd.fixup) {
                err = fd.fixup(*fixed, mod);
                if (!err.empty()) {
                    SLOG_ERR("kemi", "KSR.%.*s: %s", wl, who.data(), err.c_str());
                    return -1;
                }
            }
            if (fixed_cache_.size() >= kFixedCacheMax) fixed_cache_.clear();
            fixed_cache_.emplace(std::move(key), fixed);
        }
        cfg::CallArgs ca{ctx, std::span<cfg::FixedArg>(*fixed), mod};
        return fd.fn(ca);
    }

    // Plain strings and ints: reuse one argument vector per function (a nested call of the
    // same function, through KSR.route() or lua_run(), gets its own).
    Scratch& sc = scratch_[&fd];
    std::vector<cfg::FixedArg> local;
    std::vector<cfg::FixedArg>& fa = sc.busy ? local : sc.args;
    if (fa.size() != argc) fa.resize(argc);
    for (size_t i = 0; i < argc; ++i)
        if (!fill(fa[i], i, err)) {
            SLOG_ERR("kemi", "KSR.%.*s: %s", wl, who.data(), err.c_str());
            return -1;
        }
    bool was_busy = sc.busy;
    sc.busy = true;
    cfg::CallArgs ca{ctx, std::span<cfg::FixedArg>(fa), mod};
    int r = fd.fn(ca);
    sc.busy = was_busy; // unordered_map nodes do not move: sc is still valid
    return r;
}

int invoke(Env& env, pv::Ctx& ctx, const Func& f, std::span<const Value> args, Value& ret) {
    Call c{env, ctx, f, args, Value::null()};
    int r = -1;
    if (f.impl)
        r = f.impl(c);
    else if (f.native)
        r = env.call_native(ctx, f.full, *f.native, f.mod, args);
    ret = c.ret;
    return r;
}

} // namespace siphon::kemi
