// Building the KEMI registry from the loaded modules' export tables and Kamailio's KEMI
// catalog, and finding the configured engine.
#include <algorithm>

#include "modules/kemi/kemi.h"

namespace siphon::kemi {

std::span<const Spec> core_specs();  // kemi_core.cpp
std::span<const Spec> xhttp_specs(); // kemi_modules.cpp
std::span<const Spec> pvx_specs();
std::span<const Spec> app_lua_specs(); // app_lua.cpp

std::span<const Spec> module_extras(std::string_view module) {
    if (module == "xhttp") return xhttp_specs();
    if (module == "pv") return pvx_specs();
    if (module == "app_lua") return app_lua_specs();
    return {};
}

std::string_view kemi_module_name(std::string_view module) {
    // Kamailio exports the pv module's functions as KSR.pvx and kemix as KSR.kx; core
    // functions live directly under KSR.
    if (module == "core") return "";
    if (module == "pv") return "pvx";
    if (module == "kemix") return "kx";
    return module;
}

std::string Group::arities() const {
    std::vector<size_t> n;
    for (size_t i = 0; i <= kMaxParams; ++i)
        if (by_argc[i]) n.push_back(i);
    std::string s;
    for (size_t k = 0; k < n.size(); ++k) {
        if (k) s += k + 1 == n.size() ? " or " : ", ";
        s += std::to_string(n[k]);
    }
    return s;
}

namespace {

std::vector<Type> parse_sig(std::string_view sig) {
    std::vector<Type> v;
    for (char c : sig)
        v.push_back(c == 'i' ? Type::Int : Type::Str);
    return v;
}

std::string full_name(std::string_view module, std::string_view name) {
    return module.empty() ? std::string(name) : std::string(module) + "." + std::string(name);
}

} // namespace

void Registry::add(std::unique_ptr<Func> f) {
    f->full = full_name(f->module, f->name);
    size_t argc = f->params.size();
    if (argc > kMaxParams) return;
    auto it = index_.find(f->full);
    if (it == index_.end()) {
        Group g;
        g.module = f->module;
        g.name = f->name;
        g.full = f->full;
        it = index_.emplace(f->full, groups_.size()).first;
        groups_.push_back(std::move(g));
    }
    Group& g = groups_[it->second];
    if (g.by_argc[argc]) return; // the first definition of a name and arity wins
    g.by_argc[argc] = f.get();
    funcs_.push_back(std::move(f));
}

const Group* Registry::find(std::string_view module, std::string_view name) const {
    auto it = index_.find(full_name(module, name));
    return it == index_.end() ? nullptr : &groups_[it->second];
}

Registry::Registry(const cfg::Script& script) {
    auto from_spec = [](const Spec& s, cfg::ModuleData* mod) {
        auto f = std::make_unique<Func>();
        f->module = std::string(s.module);
        f->name = std::string(s.name);
        f->ret = s.ret;
        f->params = parse_sig(s.sig);
        f->impl = s.impl;
        f->mod = mod;
        f->from_catalog = true;
        return f;
    };
    auto taken = [&](std::string_view module, std::string_view name, size_t argc) {
        const Group* g = find(module, name);
        return g && g->by_argc[argc];
    };

    // 1. The core: KSR.*, KSR.pv, KSR.hdr, KSR.kx, KSR.x.
    for (const Spec& s : core_specs())
        add(from_spec(s, nullptr));

    for (const cfg::LoadedModule& lm : script.modules) {
        std::string_view km = kemi_module_name(lm.def->name);
        // 2. The module's KEMI-only functions.
        for (const Spec& s : module_extras(lm.def->name))
            add(from_spec(s, lm.data.get()));
        // 3. Kamailio's catalog, bound to the native function of the same name and arity.
        for (const CatalogEntry& e : catalog()) {
            if (e.module != km) continue;
            size_t argc = e.sig.size();
            if (taken(km, e.name, argc)) continue;
            const cfg::FuncDef* fd = nullptr;
            for (const cfg::FuncDef& d : lm.def->functions)
                if (d.name == e.name && d.min_args <= argc && argc <= d.args.size()) {
                    fd = &d;
                    break;
                }
            if (!fd) {
                missing_.push_back(&e);
                continue;
            }
            auto f = std::make_unique<Func>();
            f->module = std::string(km);
            f->name = std::string(e.name);
            f->ret = e.ret;
            f->params = parse_sig(e.sig);
            f->native = fd;
            f->mod = lm.data.get();
            f->from_catalog = true;
            add(std::move(f));
        }
        // 4. Every other native function, under its own name, once per arity it accepts.
        // Parameter types follow the ArgKinds: Int is a KEMI int, everything else a string.
        for (const cfg::FuncDef& d : lm.def->functions) {
            for (size_t argc = d.min_args; argc <= d.args.size() && argc <= kMaxParams; ++argc) {
                if (taken(km, d.name, argc)) continue;
                auto f = std::make_unique<Func>();
                f->module = std::string(km);
                f->name = std::string(d.name);
                f->ret = Ret::Int;
                for (size_t i = 0; i < argc; ++i)
                    f->params.push_back(d.args[i] == cfg::ArgKind::Int ? Type::Int : Type::Str);
                f->native = &d;
                f->mod = lm.data.get();
                add(std::move(f));
            }
        }
    }
}

Engine* any_engine(const cfg::Script& script) {
    for (const cfg::LoadedModule& m : script.modules)
        if (auto* e = dynamic_cast<Engine*>(m.data.get())) return e;
    return nullptr;
}

Engine* routing_engine(const cfg::Script& script, std::string* err) {
    const std::string& ce = script.core.cfgengine;
    if (ce.empty() || ce == "native" || ce == "default") return nullptr;
    if (ce == "lua") {
        if (auto* e = dynamic_cast<Engine*>(script.module_data("app_lua"))) return e;
        if (err) *err = "cfgengine \"lua\" needs loadmodule \"app_lua.so\"";
        return nullptr;
    }
    if (err) *err = "unknown cfgengine \"" + ce + "\" (siphon has: native, lua)";
    return nullptr;
}

} // namespace siphon::kemi
