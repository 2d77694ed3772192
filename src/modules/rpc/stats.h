// Statistics: Kamailio's counters manager. A statistic is "group:name" with an int64 value;
// it is a counter (sharded per worker so that the message path does not bounce one cache
// line between threads) or a computed value (memory, open TCP connections). Listing follows
// Kamailio's order: by group, then by name, byte-wise.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace siphon::rpc {

class Stat {
public:
    using Fn = std::function<int64_t()>;
    Stat(std::string group, std::string name, size_t shards, bool no_reset, Fn fn);

    const std::string& group() const { return group_; }
    const std::string& name() const { return name_; }
    std::string full_name() const { return group_ + ":" + name_; }
    bool no_reset() const { return no_reset_; }
    bool computed() const { return static_cast<bool>(fn_); }

    int64_t get() const;
    // shard: the worker number (any value is folded into range; 0 for other threads).
    void add(int64_t d, size_t shard = 0) {
        slots_[shard % nslots_].v.fetch_add(d, std::memory_order_relaxed);
    }
    void inc(size_t shard = 0) { add(1, shard); }
    // Sets the value (update_stat with no sign is an increment in Kamailio; this is for
    // gauges set by the code).
    void set(int64_t v);
    // Resets to 0; false for no_reset statistics (and computed ones that cannot be reset).
    bool reset();

private:
    struct alignas(64) Slot {
        std::atomic<int64_t> v{0};
    };
    std::string group_, name_;
    size_t nslots_;
    std::unique_ptr<Slot[]> slots_;
    bool no_reset_;
    Fn fn_;
    std::atomic<int64_t> base_{0};   // computed values: what reset subtracted
};

class Stats {
public:
    // shards: how many independent slots counters get (the number of workers).
    explicit Stats(size_t shards = 1) : shards_(shards ? shards : 1) {}
    void set_shards(size_t n) { shards_ = n ? n : 1; }

    // Registers a counter, or returns the existing one of that name (thread-safe; used for
    // statistics created at run time by update_stat()).
    Stat* add(std::string_view group, std::string_view name, bool no_reset = false);
    // A computed statistic. resettable: reset() subtracts the current value from later reads.
    Stat* add_fn(std::string_view group, std::string_view name, Stat::Fn fn, bool resettable);

    // "group:name", "group.name" or a bare name searched in every group.
    Stat* find(std::string_view name) const;
    // Kamailio's stats.get_statistics selectors: "all", "group:" (every statistic of the
    // group) or a bare statistic name. Unknown names select nothing.
    std::vector<Stat*> select(std::string_view spec) const;
    // stats.fetch also accepts "group.name" and "group:name".
    std::vector<Stat*> select_ex(std::string_view spec) const;
    std::vector<Stat*> all() const;
    std::vector<std::string> groups() const;

private:
    Stat* insert(std::string_view group, std::string_view name, bool no_reset, Stat::Fn fn);
    size_t shards_;
    mutable std::shared_mutex mu_;
    std::map<std::pair<std::string, std::string>, std::unique_ptr<Stat>, std::less<>> stats_;
};

}   // namespace siphon::rpc
