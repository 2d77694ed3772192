// htable: named hash tables shared by all workers, Kamailio's htable module without the
// database and DMQ parts. Tables are declared with modparam("htable", "htable", "name=>...")
// and used from the script through $sht(name=>key) and the sht_* functions. This header is
// the C++ API other parts of siphon (RPC, KEMI) bind to.
//
// Locking: each table is an array of 2^size slots; every slot has its own re-entrant lock,
// so two workers touching different slots never wait for each other. All HtTable methods are
// thread-safe. A thread that holds a slot through lock_key() may keep using that slot (the
// lock is re-entrant per thread, as Kamailio's is per process).
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cfg/module.h"
#include "core/arena.h"
#include "core/value.h"

namespace re2 {
class RE2;
}

namespace siphon::cfg {
struct Script;
}

namespace siphon::modules {

// One value as a table stores it: an integer or a string owned by the holder.
struct HtValue {
    bool is_str = false;
    int32_t i = 0;
    std::string s;
};

// A copy of one item, for dumps and iterators.
struct HtItem {
    std::string name;
    HtValue value;
    int32_t expires_in = 0;  // seconds left; 0 = does not expire
};

// The attributes of one `htable` definition.
struct HtTableSpec {
    std::string name;
    uint32_t size_bits = 4;     // 2^size_bits slots
    uint32_t autoexpire = 0;    // seconds an item lives after its last update; 0 = forever
    bool has_initval = false;   // missing keys read as initval (and $shtinc creates them)
    int32_t initval = 0;
    bool updateexpire = true;   // an update restarts the item's lifetime
};

// Parses "name=>size=N;autoexpire=S;initval=V;updateexpire=0|1" (Kamailio's table spec).
// Returns an error message, or "" with `out` filled.
std::string parse_table_spec(std::string_view text, HtTableSpec& out);

// Matching operators of sht_rm_name/sht_rm_value and sht_match_name/sht_match_str_value.
enum class HtOp : uint8_t { Eq, Ne, StartsWith, Regex };

// A slot lock that the thread holding it may take again (Kamailio's ht_slot_lock is
// re-entrant per process). unlock() by a thread that does not hold it is refused.
class HtSlotLock {
public:
    void lock();
    bool try_lock();
    bool unlock();  // false if the calling thread does not hold the lock

private:
    std::mutex mu_;
    std::atomic<std::thread::id> owner_{};
    uint32_t depth_ = 0;  // extra acquisitions by the owner
};

class HtTable {
public:
    explicit HtTable(HtTableSpec spec);
    HtTable(const HtTable&) = delete;
    HtTable& operator=(const HtTable&) = delete;

    const HtTableSpec& spec() const { return spec_; }
    const std::string& name() const { return spec_.name; }
    size_t slot_count() const { return nslots_; }

    // Reads key. A string is copied into `arena` (valid until the arena is reset). A missing
    // or expired key reads as initval when the table has one, else returns false (null).
    bool get(std::string_view key, Arena& arena, Value& out);
    // Copies the stored value (no initval). False if missing or expired.
    bool get(std::string_view key, HtValue& out);
    // Stores v (int or string, copied); Null deletes the key. expire > 0 sets the item's
    // lifetime in seconds instead of the table's autoexpire (sht_setxs/sht_setxi); lifetimes
    // apply only to tables with autoexpire, as in Kamailio.
    void set(std::string_view key, const Value& v, int32_t expire = 0);
    // Deletes key; true if it was there.
    bool rm(std::string_view key);
    // Adds delta to an integer item and returns the new value in `result`. A missing or
    // expired key starts from initval when the table has one; otherwise, or for a string
    // item, returns false and changes nothing. Wraps around like Kamailio's int arithmetic.
    bool add(std::string_view key, int32_t delta, int32_t& result);
    // $shtex write: the item expires `seconds` from now (0: never). Ignored on tables
    // without autoexpire and for missing keys.
    void set_expire(std::string_view key, int32_t seconds);
    // $shtex read: seconds until the item expires; 0 if missing, not expiring, or the table
    // has no autoexpire.
    int32_t expires_in(std::string_view key);

    // Deletes every item whose name (by_value=false) or string value (by_value=true) matches.
    // Integer values never match a value test. Returns the number deleted.
    size_t rm_matching(bool by_value, HtOp op, std::string_view text, const re2::RE2* re);
    // True if some item's name / string value matches.
    bool any_matching(bool by_value, HtOp op, std::string_view text, const re2::RE2* re);
    // $shtcn / $shtcv: counts names / string values matching `expr`, which may start with
    // Kamailio's operators "~~" (regex), "%~" (starts with), "~%" (ends with), "==" (equal),
    // "eq" (integer value equal, values only), "**" (all items); otherwise it is a regex.
    // `re` is the compiled regex when the caller has one (null: compiled here if needed).
    int32_t count(bool by_value, std::string_view expr, const re2::RE2* re);
    // Deletes everything.
    void reset();
    // Items held in memory, expired ones not yet removed included (for statistics).
    size_t stored();
    // A copy of every live item, slot by slot.
    std::vector<HtItem> dump();
    // A copy of the live items of one slot (iterators walk the table slot by slot).
    void snapshot_slot(size_t slot, std::vector<HtItem>& out);

    // sht_lock / sht_unlock: holds the slot of key across script actions.
    void lock_key(std::string_view key);
    bool unlock_key(std::string_view key);

    // Removes expired items from up to n slots starting at `first`, skipping slots another
    // thread holds. Returns the number of slots visited. Used by the sweep thread.
    size_t sweep(size_t first, size_t n);

private:
    struct Entry {
        uint32_t hash;
        std::string name;    // owned copy: the item outlives the message that stored it
        HtValue value;
        int64_t expires_ms;  // steady-clock milliseconds; 0 = never
    };
    struct Slot {
        HtSlotLock lock;
        std::vector<Entry> items;
    };
    class Guard;

    size_t slot_of(uint32_t hash) const { return hash & (nslots_ - 1); }
    // Finds key in a locked slot; drops it first if it has expired.
    Entry* find_live(Slot& s, uint32_t hash, std::string_view key, int64_t now);
    int64_t new_expiry(int64_t now, int32_t expire) const;
    bool expired(const Entry& e, int64_t now) const {
        return e.expires_ms != 0 && now >= e.expires_ms;
    }
    HtItem item_of(const Entry& e, int64_t now) const;

    HtTableSpec spec_;
    size_t nslots_;
    std::unique_ptr<Slot[]> slots_;
};

// Per-worker iterator state (sht_iterator_*). At most four per worker, as in Kamailio.
struct HtIterator {
    std::string name;             // empty: free
    HtTable* table = nullptr;     // null: started on an unknown table
    size_t slot = 0;              // next slot to copy
    std::vector<HtItem> buf;      // items of the current slot
    size_t pos = 0;
    bool started = false;         // sht_iterator_next ran at least once
    bool has_current() const { return started && pos < buf.size(); }
    const HtItem* current() const { return has_current() ? &buf[pos] : nullptr; }
};
inline constexpr size_t kHtIteratorsPerWorker = 4;

// The module's state for one loaded config: the tables (fixed after load) and the sweep
// thread that drops expired items.
struct HtData final : cfg::ModuleData {
    HtData();
    ~HtData() override;

    // The table called name, or null. Lock-free: the table list does not change after load.
    HtTable* table(std::string_view name) const;
    // Names of all tables, comma separated (for messages).
    std::string table_names() const;

    // The iterators of one worker (keyed by its WorkerState). The returned array belongs to
    // that worker's thread only.
    std::array<HtIterator, kHtIteratorsPerWorker>& iterators(const void* worker);

    // Starts the sweep thread if some table has autoexpire (called by the init hook).
    void start_sweeper();

    std::vector<std::unique_ptr<HtTable>> tables;   // definition order
    int32_t timer_interval = 20;                    // accepted for compatibility


private:
    void sweep_loop();

    std::mutex iters_mu_;
    std::map<const void*, std::array<HtIterator, kHtIteratorsPerWorker>> iters_;
    std::mutex sweep_mu_;
    std::condition_variable sweep_cv_;
    bool stop_ = false;
    std::thread sweeper_;
};

// The htable instance of a loaded config, or null if the module is not loaded.
HtData* htable_data(const cfg::Script& script);

}  // namespace siphon::modules
