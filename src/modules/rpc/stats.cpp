#include "modules/rpc/stats.h"

#include <mutex>

namespace siphon::rpc {

Stat::Stat(std::string group, std::string name, size_t shards, bool no_reset, Fn fn)
    : group_(std::move(group)),
      name_(std::move(name)),
      nslots_(fn ? 1 : (shards ? shards : 1)),
      slots_(new Slot[nslots_]),
      no_reset_(no_reset),
      fn_(std::move(fn)) {}

int64_t Stat::get() const {
    if (fn_) return fn_() - base_.load(std::memory_order_relaxed);
    int64_t v = 0;
    for (size_t i = 0; i < nslots_; ++i)
        v += slots_[i].v.load(std::memory_order_relaxed);
    return v;
}

void Stat::set(int64_t v) {
    for (size_t i = 1; i < nslots_; ++i)
        slots_[i].v.store(0, std::memory_order_relaxed);
    slots_[0].v.store(v, std::memory_order_relaxed);
}

bool Stat::reset() {
    if (no_reset_) return false;
    if (fn_) {
        base_.store(fn_(), std::memory_order_relaxed);
        return true;
    }
    for (size_t i = 0; i < nslots_; ++i)
        slots_[i].v.store(0, std::memory_order_relaxed);
    return true;
}

Stat* Stats::insert(std::string_view group, std::string_view name, bool no_reset, Stat::Fn fn) {
    std::unique_lock lk(mu_);
    auto key = std::make_pair(std::string(group), std::string(name));
    auto it = stats_.find(key);
    if (it != stats_.end()) return it->second.get();
    auto st = std::make_unique<Stat>(key.first, key.second, shards_, no_reset, std::move(fn));
    Stat* p = st.get();
    stats_.emplace(std::move(key), std::move(st));
    return p;
}

Stat* Stats::add(std::string_view group, std::string_view name, bool no_reset) {
    return insert(group, name, no_reset, nullptr);
}

Stat* Stats::add_fn(std::string_view group, std::string_view name, Stat::Fn fn, bool resettable) {
    return insert(group, name, !resettable, std::move(fn));
}

Stat* Stats::find(std::string_view name) const {
    std::shared_lock lk(mu_);
    size_t sep = name.find_first_of(":.");
    if (sep != std::string_view::npos) {
        auto it = stats_.find(
            std::make_pair(std::string(name.substr(0, sep)), std::string(name.substr(sep + 1))));
        if (it != stats_.end()) return it->second.get();
    }
    for (auto& [k, v] : stats_)
        if (k.second == name) return v.get();
    return nullptr;
}

std::vector<Stat*> Stats::select(std::string_view spec) const {
    std::vector<Stat*> out;
    std::shared_lock lk(mu_);
    if (spec == "all") {
        for (auto& [k, v] : stats_)
            out.push_back(v.get());
    } else if (!spec.empty() && spec.back() == ':') {
        std::string_view g = spec.substr(0, spec.size() - 1);
        for (auto& [k, v] : stats_)
            if (k.first == g) out.push_back(v.get());
    } else {
        for (auto& [k, v] : stats_)
            if (k.second == spec) {
                out.push_back(v.get());
                break;
            }
    }
    return out;
}

std::vector<Stat*> Stats::select_ex(std::string_view spec) const {
    auto v = select(spec);
    if (!v.empty()) return v;
    size_t sep = spec.find_first_of(":.");
    if (sep == std::string_view::npos || sep + 1 >= spec.size()) return v;
    if (Stat* s = find(spec)) v.push_back(s);
    return v;
}

std::vector<Stat*> Stats::all() const {
    return select("all");
}

std::vector<std::string> Stats::groups() const {
    std::vector<std::string> g;
    std::shared_lock lk(mu_);
    for (auto& [k, v] : stats_)
        if (g.empty() || g.back() != k.first) g.push_back(k.first);
    return g;
}

}   // namespace siphon::rpc
