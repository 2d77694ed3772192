// htable: Kamailio's htable module (5.6) on threads. Tables live in the module's HtData,
// one per loaded config; values are copied into the table (the entry owns its strings).
// Expired items are dropped lazily when a key is touched and by a sweep thread that visits a
// bounded number of slots every second.
#include "modules/htable/htable.h"

#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <span>

#include "cfg/interp.h"
#include "cfg/script.h"
#include "core/log.h"
#include "modules/modules.h"
#include "msg/message.h"
#include "pv/pv.h"

namespace siphon::modules {

namespace {

using cfg::ArgKind;
using cfg::CallArgs;
using cfg::FixedArg;

constexpr const char* kLog = "htable";
// Slots the sweep thread visits per second, over all tables: bounds the work (and the time
// any slot is held) whatever the table sizes.
constexpr size_t kSweepSlotsPerTick = 4096;
// Kamailio caps iterator names at 32 bytes (HT_ITERATOR_NAME_SIZE).
constexpr size_t kIteratorNameMax = 32;
// Kamailio accepts size up to 31 (2^31 slots); siphon caps the slot array at 2^20.
constexpr uint32_t kMaxSizeBits = 20;

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// FNV-1a: the slot of a key. Any well-mixed hash will do; Kamailio's own order of items in
// dumps and iterators is not something scripts can rely on.
uint32_t hash_key(std::string_view s) {
    uint32_t h = 2166136261u;
    for (char c : s) {
        h ^= static_cast<uint8_t>(c);
        h *= 16777619u;
    }
    return h;
}

std::string_view trim(std::string_view s) {
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && ws(s.back())) s.remove_suffix(1);
    return s;
}

bool parse_uint(std::string_view s, uint32_t& out) {
    if (s.empty() || s.size() > 10) return false;
    uint64_t n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (n > UINT32_MAX) return false;
    out = static_cast<uint32_t>(n);
    return true;
}

int32_t wrap_add(int32_t a, int32_t b) {
    return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

bool op_match(HtOp op, std::string_view s, std::string_view text, const re2::RE2* re) {
    switch (op) {
        case HtOp::Eq: return s == text;
        case HtOp::Ne: return s != text;
        case HtOp::StartsWith: return s.substr(0, text.size()) == text;
        case HtOp::Regex:
            return re && re2::RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re);
    }
    return false;
}

// Regexes of htable are POSIX extended and case-insensitive (Kamailio compiles them with
// REG_EXTENDED | REG_ICASE | REG_NEWLINE).
std::shared_ptr<re2::RE2> compile_re(std::string_view pattern, std::string& err) {
    return cfg::compile_posix_regex(pattern, true, err);
}

// The count expression of $shtcn/$shtcv: an optional two-character operator, then text.
enum class CountKind : uint8_t { Regex, EndsWith, StartsWith, StrEq, IntEq, All };
struct CountExpr {
    CountKind kind = CountKind::Regex;
    std::string_view text;
};
CountExpr parse_count_expr(std::string_view e) {
    CountExpr c{CountKind::Regex, e};
    if (e.size() < 2) return c;
    std::string_view op = e.substr(0, 2);
    if (op == "~~") c.kind = CountKind::Regex;
    else if (op == "~%") c.kind = CountKind::EndsWith;
    else if (op == "%~") c.kind = CountKind::StartsWith;
    else if (op == "==") c.kind = CountKind::StrEq;
    else if (op == "eq") c.kind = CountKind::IntEq;
    else if (op == "**") c.kind = CountKind::All;
    else return c;
    c.text = e.substr(2);
    return c;
}

}  // namespace

// ---- table definitions ------------------------------------------------------------------

std::string parse_table_spec(std::string_view text, HtTableSpec& out) {
    out = HtTableSpec{};
    std::string_view s = trim(text);
    size_t arrow = s.find("=>");
    if (arrow == std::string_view::npos) return "expected \"name=>attributes\"";
    std::string_view name = trim(s.substr(0, arrow));
    if (name.empty()) return "missing table name before \"=>\"";
    out.name = std::string(name);
    std::string_view attrs = trim(s.substr(arrow + 2));
    while (!attrs.empty()) {
        size_t semi = attrs.find(';');
        std::string_view a = trim(attrs.substr(0, semi));
        attrs = semi == std::string_view::npos ? std::string_view{} : attrs.substr(semi + 1);
        if (a.empty()) continue;
        size_t eq = a.find('=');
        std::string_view key = trim(a.substr(0, eq));
        std::string_view val =
            eq == std::string_view::npos ? std::string_view{} : trim(a.substr(eq + 1));
        auto bad = [&] {
            return "invalid value \"" + std::string(val) + "\" for " + std::string(key);
        };
        uint32_t u = 0;
        if (key == "size") {
            if (!parse_uint(val, u)) return bad();
            // Kamailio: size <= 1 gives 8 slots, size > 31 gives 2^14.
            out.size_bits = u <= 1 ? 3 : u > 31 ? 14 : std::min(u, kMaxSizeBits);
        } else if (key == "autoexpire") {
            if (!parse_uint(val, u) || u > INT32_MAX / 1000) return bad();
            out.autoexpire = u;
        } else if (key == "initval") {
            int32_t v = 0;
            if (!str_to_int(val, v)) return bad();
            out.has_initval = true;
            out.initval = v;
        } else if (key == "updateexpire") {
            if (!parse_uint(val, u)) return bad();
            out.updateexpire = u != 0;
        } else if (key == "dmqreplicate") {
            if (!parse_uint(val, u)) return bad();
            if (u != 0) return "dmqreplicate needs DMQ replication, which siphon does not have";
        } else if (key == "coldelim" || key == "colnull") {
            // Only meaningful for tables loaded from a database; accepted and ignored.
        } else if (key == "dbtable" || key == "cols" || key == "dbmode" || key == "reloadat") {
            return std::string(key) +
                   " needs database support, which siphon's htable does not have";
        } else {
            return "unknown attribute \"" + std::string(key) +
                   "\" (size, autoexpire, initval, updateexpire)";
        }
    }
    return "";
}

// ---- slot lock --------------------------------------------------------------------------

// Only the owning thread ever stores its own id in owner_, so a relaxed load that sees the
// caller's id proves the caller holds the lock.
void HtSlotLock::lock() {
    const std::thread::id me = std::this_thread::get_id();
    if (owner_.load(std::memory_order_relaxed) == me) {
        ++depth_;
        return;
    }
    mu_.lock();
    owner_.store(me, std::memory_order_relaxed);
}

bool HtSlotLock::try_lock() {
    const std::thread::id me = std::this_thread::get_id();
    if (owner_.load(std::memory_order_relaxed) == me) {
        ++depth_;
        return true;
    }
    if (!mu_.try_lock()) return false;
    owner_.store(me, std::memory_order_relaxed);
    return true;
}

bool HtSlotLock::unlock() {
    if (owner_.load(std::memory_order_relaxed) != std::this_thread::get_id()) return false;
    if (depth_ > 0) {
        --depth_;
        return true;
    }
    owner_.store(std::thread::id{}, std::memory_order_relaxed);
    mu_.unlock();
    return true;
}

// ---- HtTable ----------------------------------------------------------------------------

class HtTable::Guard {
public:
    explicit Guard(HtSlotLock& l) : l_(l) { l_.lock(); }
    ~Guard() { l_.unlock(); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

private:
    HtSlotLock& l_;
};

HtTable::HtTable(HtTableSpec spec)
    : spec_(std::move(spec)), nslots_(size_t{1} << spec_.size_bits),
      slots_(std::make_unique<Slot[]>(nslots_)) {}

HtTable::Entry* HtTable::find_live(Slot& s, uint32_t hash, std::string_view key, int64_t now) {
    for (size_t i = 0; i < s.items.size(); ++i) {
        Entry& e = s.items[i];
        if (e.hash != hash || e.name != key) continue;
        if (expired(e, now)) {
            if (i + 1 != s.items.size()) e = std::move(s.items.back());
            s.items.pop_back();
            return nullptr;
        }
        return &e;
    }
    return nullptr;
}

int64_t HtTable::new_expiry(int64_t now, int32_t expire) const {
    // Lifetimes exist only in tables with autoexpire (Kamailio ignores an explicit expire on
    // the others: their items are never checked).
    if (spec_.autoexpire == 0) return 0;
    const uint32_t secs = expire > 0 ? static_cast<uint32_t>(expire) : spec_.autoexpire;
    return now + 1000 * static_cast<int64_t>(secs);
}

HtItem HtTable::item_of(const Entry& e, int64_t now) const {
    HtItem it;
    it.name = e.name;
    it.value = e.value;
    if (e.expires_ms != 0) it.expires_in = static_cast<int32_t>((e.expires_ms - now + 999) / 1000);
    return it;
}

bool HtTable::get(std::string_view key, Arena& arena, Value& out) {
    const uint32_t h = hash_key(key);
    Slot& s = slots_[slot_of(h)];
    {
        Guard g(s.lock);
        if (Entry* e = find_live(s, h, key, now_ms())) {
            // Copied while the slot is held: another worker may change or delete the item
            // as soon as the lock is released.
            out = e->value.is_str ? Value::of_str(arena.copy(e->value.s))
                                  : Value::of_int(e->value.i);
            return true;
        }
    }
    if (spec_.has_initval) {
        out = Value::of_int(spec_.initval);
        return true;
    }
    out = Value::null();
    return false;
}

bool HtTable::get(std::string_view key, HtValue& out) {
    const uint32_t h = hash_key(key);
    Slot& s = slots_[slot_of(h)];
    Guard g(s.lock);
    Entry* e = find_live(s, h, key, now_ms());
    if (!e) return false;
    out = e->value;
    return true;
}

void HtTable::set(std::string_view key, const Value& v, int32_t expire) {
    if (v.is_null()) {
        rm(key);
        return;
    }
    const uint32_t h = hash_key(key);
    Slot& s = slots_[slot_of(h)];
    const int64_t now = now_ms();
    Guard g(s.lock);
    Entry* e = find_live(s, h, key, now);
    if (!e) {
        s.items.push_back(Entry{h, std::string(key), {}, new_expiry(now, expire)});
        e = &s.items.back();
    } else if (expire > 0 || spec_.updateexpire) {
        e->expires_ms = new_expiry(now, expire);
    }
    e->value.is_str = v.is_str();
    if (v.is_str()) {
        e->value.s.assign(v.s);  // the table owns its copy of the string
        e->value.i = 0;
    } else {
        e->value.i = v.i;
        e->value.s.clear();
    }
}

bool HtTable::rm(std::string_view key) {
    const uint32_t h = hash_key(key);
    Slot& s = slots_[slot_of(h)];
    Guard g(s.lock);
    for (size_t i = 0; i < s.items.size(); ++i) {
        if (s.items[i].hash != h || s.items[i].name != key) continue;
        if (i + 1 != s.items.size()) s.items[i] = std::move(s.items.back());
        s.items.pop_back();
        return true;
    }
    return false;
}

bool HtTable::add(std::string_view key, int32_t delta, int32_t& result) {
    const uint32_t h = hash_key(key);
    Slot& s = slots_[slot_of(h)];
    const int64_t now = now_ms();
    Guard g(s.lock);
    Entry* e = find_live(s, h, key, now);
    if (!e) {
        // Kamailio (ht_cell_value_add): a missing or expired key is created only in a table
        // with an integer initval.
        if (!spec_.has_initval) return false;
        result = wrap_add(spec_.initval, delta);
        s.items.push_back(
            Entry{h, std::string(key), HtValue{false, result, {}}, new_expiry(now, 0)});
        return true;
    }
    if (e->value.is_str) return false;  // a string cannot be incremented
    e->value.i = wrap_add(e->value.i, delta);
    if (spec_.updateexpire) e->expires_ms = new_expiry(now, 0);
    result = e->value.i;
    return true;
}

void HtTable::set_expire(std::string_view key, int32_t seconds) {
    if (spec_.autoexpire == 0) return;
    const uint32_t h = hash_key(key);
    Slot& s = slots_[slot_of(h)];
    const int64_t now = now_ms();
    Guard g(s.lock);
    if (Entry* e = find_live(s, h, key, now))
        e->expires_ms = seconds > 0 ? now + 1000 * static_cast<int64_t>(seconds) : 0;
}

int32_t HtTable::expires_in(std::string_view key) {
    if (spec_.autoexpire == 0) return 0;
    const uint32_t h = hash_key(key);
    Slot& s = slots_[slot_of(h)];
    const int64_t now = now_ms();
    Guard g(s.lock);
    Entry* e = find_live(s, h, key, now);
    if (!e || e->expires_ms == 0) return 0;
    return static_cast<int32_t>((e->expires_ms - now + 999) / 1000);
}

size_t HtTable::rm_matching(bool by_value, HtOp op, std::string_view text, const re2::RE2* re) {
    size_t n = 0;
    const int64_t now = now_ms();
    for (size_t i = 0; i < nslots_; ++i) {
        Slot& s = slots_[i];
        Guard g(s.lock);
        for (size_t k = 0; k < s.items.size();) {
            const Entry& e = s.items[k];
            bool hit = expired(e, now);
            if (!hit && by_value) hit = e.value.is_str && op_match(op, e.value.s, text, re);
            else if (!hit) hit = op_match(op, e.name, text, re);
            if (!hit) {
                ++k;
                continue;
            }
            if (!expired(e, now)) ++n;
            if (k + 1 != s.items.size()) s.items[k] = std::move(s.items.back());
            s.items.pop_back();
        }
    }
    return n;
}

bool HtTable::any_matching(bool by_value, HtOp op, std::string_view text, const re2::RE2* re) {
    const int64_t now = now_ms();
    for (size_t i = 0; i < nslots_; ++i) {
        Slot& s = slots_[i];
        Guard g(s.lock);
        for (const Entry& e : s.items) {
            if (expired(e, now)) continue;
            if (by_value ? e.value.is_str && op_match(op, e.value.s, text, re)
                         : op_match(op, e.name, text, re))
                return true;
        }
    }
    return false;
}

int32_t HtTable::count(bool by_value, std::string_view expr, const re2::RE2* re) {
    const CountExpr ce = parse_count_expr(expr);
    if (ce.kind != CountKind::All && ce.text.empty()) return 0;
    int32_t ival = 0;
    if (ce.kind == CountKind::IntEq) {
        if (!by_value) return 0;  // Kamailio: "eq" compares integer values only
        if (!str_to_int(ce.text, ival)) return 0;
    }
    std::shared_ptr<re2::RE2> owned;
    if (ce.kind == CountKind::Regex && !re) {
        std::string err;
        owned = compile_re(ce.text, err);
        if (!owned) {
            SLOG_ERR(kLog, "bad regular expression [%.*s]: %s", static_cast<int>(ce.text.size()),
                     ce.text.data(), err.c_str());
            return 0;
        }
        re = owned.get();
    }
    int32_t n = 0;
    const int64_t now = now_ms();
    for (size_t i = 0; i < nslots_; ++i) {
        Slot& s = slots_[i];
        Guard g(s.lock);
        for (const Entry& e : s.items) {
            if (expired(e, now)) continue;
            if (ce.kind == CountKind::All) {
                ++n;
                continue;
            }
            if (ce.kind == CountKind::IntEq) {
                if (!e.value.is_str && e.value.i == ival) ++n;
                continue;
            }
            if (by_value && !e.value.is_str) continue;
            std::string_view t = by_value ? std::string_view(e.value.s) : std::string_view(e.name);
            bool hit = false;
            switch (ce.kind) {
                case CountKind::Regex:
                    hit = re2::RE2::PartialMatch(re2::StringPiece(t.data(), t.size()), *re);
                    break;
                case CountKind::EndsWith:
                    hit = t.size() >= ce.text.size() &&
                          t.substr(t.size() - ce.text.size()) == ce.text;
                    break;
                case CountKind::StartsWith: hit = t.substr(0, ce.text.size()) == ce.text; break;
                case CountKind::StrEq: hit = t == ce.text; break;
                default: break;
            }
            if (hit) ++n;
        }
    }
    return n;
}

void HtTable::reset() {
    for (size_t i = 0; i < nslots_; ++i) {
        Guard g(slots_[i].lock);
        slots_[i].items.clear();
    }
}

size_t HtTable::stored() {
    size_t n = 0;
    for (size_t i = 0; i < nslots_; ++i) {
        Guard g(slots_[i].lock);
        n += slots_[i].items.size();
    }
    return n;
}

std::vector<HtItem> HtTable::dump() {
    std::vector<HtItem> out;
    const int64_t now = now_ms();
    for (size_t i = 0; i < nslots_; ++i) {
        Guard g(slots_[i].lock);
        for (const Entry& e : slots_[i].items)
            if (!expired(e, now)) out.push_back(item_of(e, now));
    }
    return out;
}

void HtTable::snapshot_slot(size_t slot, std::vector<HtItem>& out) {
    out.clear();
    if (slot >= nslots_) return;
    const int64_t now = now_ms();
    Guard g(slots_[slot].lock);
    for (const Entry& e : slots_[slot].items)
        if (!expired(e, now)) out.push_back(item_of(e, now));
}

void HtTable::lock_key(std::string_view key) { slots_[slot_of(hash_key(key))].lock.lock(); }

bool HtTable::unlock_key(std::string_view key) {
    return slots_[slot_of(hash_key(key))].lock.unlock();
}

size_t HtTable::sweep(size_t first, size_t n) {
    const int64_t now = now_ms();
    size_t visited = 0;
    for (size_t i = first; i < nslots_ && visited < n; ++i, ++visited) {
        Slot& s = slots_[i];
        // A slot held by a script (sht_lock, a long iteration) is left for the next round.
        if (!s.lock.try_lock()) continue;
        std::erase_if(s.items, [&](const Entry& e) { return expired(e, now); });
        s.lock.unlock();
    }
    return visited;
}

// ---- module state ------------------------------------------------------------------------

HtData::HtData() = default;

HtData::~HtData() {
    {
        std::lock_guard<std::mutex> g(sweep_mu_);
        stop_ = true;
    }
    sweep_cv_.notify_all();
    if (sweeper_.joinable()) sweeper_.join();
}

HtTable* HtData::table(std::string_view name) const {
    for (const auto& t : tables)
        if (t->name() == name) return t.get();
    return nullptr;
}

std::string HtData::table_names() const {
    std::string s;
    for (const auto& t : tables) s += (s.empty() ? "" : ", ") + t->name();
    return s;
}

std::array<HtIterator, kHtIteratorsPerWorker>& HtData::iterators(const void* worker) {
    std::lock_guard<std::mutex> g(iters_mu_);
    return iters_[worker];  // std::map nodes are stable: the reference outlives the lock
}

void HtData::start_sweeper() {
    bool any = std::any_of(tables.begin(), tables.end(),
                           [](const auto& t) { return t->spec().autoexpire > 0; });
    if (!any || sweeper_.joinable()) return;
    sweeper_ = std::thread([this] { sweep_loop(); });
}

void HtData::sweep_loop() {
    std::vector<HtTable*> exp;
    for (const auto& t : tables)
        if (t->spec().autoexpire > 0) exp.push_back(t.get());
    std::vector<size_t> cursor(exp.size(), 0);
    const size_t share = std::max<size_t>(1, kSweepSlotsPerTick / exp.size());
    std::unique_lock<std::mutex> lk(sweep_mu_);
    while (!stop_) {
        sweep_cv_.wait_for(lk, std::chrono::seconds(1), [this] { return stop_; });
        if (stop_) break;
        lk.unlock();
        for (size_t i = 0; i < exp.size(); ++i) {
            cursor[i] += exp[i]->sweep(cursor[i], share);
            if (cursor[i] >= exp[i]->slot_count()) cursor[i] = 0;
        }
        lk.lock();
    }
}

HtData* htable_data(const cfg::Script& script) {
    return static_cast<HtData*>(script.module_data("htable"));
}

// ---- pseudo-variables -------------------------------------------------------------------

namespace {

// What a $sht-family fixup resolves: the table and the key format; for $shtcn/$shtcv a
// constant expression's compiled regex; for $shtitkey/$shtitval the iterator name.
struct PvRef {
    HtData* data = nullptr;
    HtTable* table = nullptr;
    pv::Format key;
    std::shared_ptr<re2::RE2> re;
    std::string iname;
};

const PvRef& ref_of(const pv::PvSpec& s) { return *static_cast<const PvRef*>(s.data.get()); }

std::string no_table(const HtData& d, std::string_view name) {
    std::string names = d.table_names();
    return "no hash table '" + std::string(name) + "' (" +
           (names.empty() ? std::string("no table is defined") : "tables: " + names) + ")";
}

// $sht(table=>key): the table is constant and must be defined; the key is a format string
// ("$ci::srcip"), rendered per access as in Kamailio.
std::string fix_sht(pv::PvSpec& spec, std::string_view inner, pv::Registry& reg) {
    auto* d = static_cast<HtData*>(reg.owner(spec.def->name));
    if (!d) return "the htable module is not loaded for this config";
    size_t arrow = inner.find("=>");
    if (arrow == std::string_view::npos) return "expected table=>key";
    std::string_view tname = trim(inner.substr(0, arrow));
    if (tname.empty()) return "missing table name before \"=>\"";
    HtTable* t = d->table(tname);
    if (!t) return no_table(*d, tname);
    auto ref = std::make_shared<PvRef>();
    ref->data = d;
    ref->table = t;
    std::string err;
    if (!pv::parse_format(inner.substr(arrow + 2), reg, ref->key, err)) return err;
    spec.data = ref;
    return "";
}

// $shtcn/$shtcv: a constant regex is compiled once here; a bad one is a load error.
std::string fix_shtc(pv::PvSpec& spec, std::string_view inner, pv::Registry& reg) {
    std::string err = fix_sht(spec, inner, reg);
    if (!err.empty()) return err;
    auto& ref = *static_cast<PvRef*>(spec.data.get());
    if (!ref.key.is_literal()) return "";
    CountExpr ce = parse_count_expr(ref.key.literal());
    if (ce.kind != CountKind::Regex || ce.text.empty()) return "";
    ref.re = compile_re(ce.text, err);
    if (!ref.re) return "bad regular expression \"" + std::string(ce.text) + "\": " + err;
    return "";
}

std::string fix_shtit(pv::PvSpec& spec, std::string_view inner, pv::Registry& reg) {
    auto* d = static_cast<HtData*>(reg.owner(spec.def->name));
    if (!d) return "the htable module is not loaded for this config";
    std::string_view name = trim(inner);
    if (name.empty()) return "missing iterator name";
    auto ref = std::make_shared<PvRef>();
    ref->data = d;
    ref->iname = std::string(name);
    spec.data = ref;
    return "";
}

bool render_key(pv::Ctx& c, const PvRef& r, std::string_view& key) {
    if (pv::render(c, r.key, key)) return true;
    SLOG_ERR(kLog, "cannot render the key of table [%s]", r.table->name().c_str());
    return false;
}

bool get_sht(pv::Ctx& c, const pv::PvSpec& s, Value& o) {
    const PvRef& r = ref_of(s);
    std::string_view key;
    return render_key(c, r, key) && r.table->get(key, c.w.arena, o);
}

bool set_sht(pv::Ctx& c, const pv::PvSpec& s, const Value& v) {
    const PvRef& r = ref_of(s);
    std::string_view key;
    if (!render_key(c, r, key)) return false;
    r.table->set(key, v);  // $null deletes
    return true;
}

bool get_shtex(pv::Ctx& c, const pv::PvSpec& s, Value& o) {
    const PvRef& r = ref_of(s);
    std::string_view key;
    if (!render_key(c, r, key)) return false;
    o = Value::of_int(r.table->expires_in(key));
    return true;
}

bool set_shtex(pv::Ctx& c, const pv::PvSpec& s, const Value& v) {
    const PvRef& r = ref_of(s);
    std::string_view key;
    if (!render_key(c, r, key)) return false;
    // Kamailio ignores a string; $null clears the lifetime like 0.
    if (v.is_str()) return true;
    r.table->set_expire(key, v.is_int() ? v.i : 0);
    return true;
}

bool add_out(pv::Ctx& c, const pv::PvSpec& s, int32_t delta, Value& o) {
    const PvRef& r = ref_of(s);
    std::string_view key;
    int32_t n = 0;
    if (!render_key(c, r, key) || !r.table->add(key, delta, n)) return false;  // null
    o = Value::of_int(n);
    return true;
}
bool get_shtinc(pv::Ctx& c, const pv::PvSpec& s, Value& o) { return add_out(c, s, 1, o); }
bool get_shtdec(pv::Ctx& c, const pv::PvSpec& s, Value& o) { return add_out(c, s, -1, o); }

bool count_out(pv::Ctx& c, const pv::PvSpec& s, bool by_value, Value& o) {
    const PvRef& r = ref_of(s);
    std::string_view expr;
    if (!render_key(c, r, expr)) return false;
    o = Value::of_int(r.table->count(by_value, expr, r.re.get()));
    return true;
}
bool get_shtcn(pv::Ctx& c, const pv::PvSpec& s, Value& o) { return count_out(c, s, false, o); }
bool get_shtcv(pv::Ctx& c, const pv::PvSpec& s, Value& o) { return count_out(c, s, true, o); }

HtIterator* find_iterator(std::array<HtIterator, kHtIteratorsPerWorker>& its, std::string_view name,
                          bool or_free) {
    HtIterator* free = nullptr;
    for (auto& it : its) {
        if (it.name.empty()) {
            if (!free) free = &it;
        } else if (it.name == name) {
            return &it;
        }
    }
    return or_free ? free : nullptr;
}

const HtItem* iterator_item(pv::Ctx& c, const pv::PvSpec& s) {
    const PvRef& r = ref_of(s);
    HtIterator* it = find_iterator(r.data->iterators(&c.w), r.iname, false);
    return it ? it->current() : nullptr;
}

bool get_shtitkey(pv::Ctx& c, const pv::PvSpec& s, Value& o) {
    const HtItem* item = iterator_item(c, s);
    if (!item) return false;
    o = Value::of_str(c.w.arena.copy(item->name));
    return true;
}

bool get_shtitval(pv::Ctx& c, const pv::PvSpec& s, Value& o) {
    const HtItem* item = iterator_item(c, s);
    if (!item) return false;
    o = item->value.is_str ? Value::of_str(c.w.arena.copy(item->value.s))
                           : Value::of_int(item->value.i);
    return true;
}

// ---- functions --------------------------------------------------------------------------

HtData& data_of(CallArgs& a) { return *static_cast<HtData*>(a.mod); }

// A table argument: a constant name is resolved (and checked) at load time, a dynamic one
// per call.
struct TableRef {
    HtTable* table;
};

std::string fix_table_at(std::span<FixedArg> args, cfg::ModuleData* mod, size_t i) {
    auto& d = *static_cast<HtData*>(mod);
    if (!args[i].fmt.is_literal()) return "";
    std::string_view name = args[i].fmt.literal();
    HtTable* t = d.table(name);
    if (!t) return no_table(d, name);
    args[i].data = std::make_shared<TableRef>(TableRef{t});
    return "";
}

HtTable* table_at(CallArgs& a, size_t i) {
    if (a.args[i].data) return static_cast<const TableRef*>(a.args[i].data.get())->table;
    std::string_view name;
    if (!a.str(i, name)) return nullptr;
    HtTable* t = data_of(a).table(name);
    if (!t)
        SLOG_ERR(kLog, "cannot get hash table [%.*s]", static_cast<int>(name.size()),
                 name.data());
    return t;
}

// A "table=>key" argument (sht_lock, sht_rm_name_re ...): the table part must be constant;
// the rest is a format string. With `regex`, a constant key is compiled once.
struct TableKey {
    HtTable* table = nullptr;
    pv::Format key;
    std::shared_ptr<re2::RE2> re;
};

std::string fix_table_key(FixedArg& a, HtData& d, bool regex) {
    pv::Format& f = a.fmt;
    if (f.segs.empty() || f.segs[0].pv) return "expected \"table=>key\" with a constant table name";
    const std::string& lit = f.segs[0].literal;
    size_t arrow = lit.find("=>");
    if (arrow == std::string::npos) return "expected \"table=>key\" with a constant table name";
    std::string_view tname = trim(std::string_view(lit).substr(0, arrow));
    auto tk = std::make_shared<TableKey>();
    tk->table = d.table(tname);
    if (!tk->table) return no_table(d, tname);
    // The key is the rest of the first literal followed by the remaining segments.
    tk->key.segs.push_back({lit.substr(arrow + 2), nullptr});
    for (size_t i = 1; i < f.segs.size(); ++i) tk->key.segs.push_back(std::move(f.segs[i]));
    if (tk->key.segs.size() > 1 && tk->key.segs[0].literal.empty())
        tk->key.segs.erase(tk->key.segs.begin());
    f.segs.clear();
    if (regex && tk->key.is_literal()) {
        std::string err;
        tk->re = compile_re(tk->key.literal(), err);
        if (!tk->re)
            return "bad regular expression \"" + std::string(tk->key.literal()) + "\": " + err;
    }
    a.data = tk;
    return "";
}

std::string fix_key_arg(std::span<FixedArg> args, cfg::ModuleData* mod) {
    return fix_table_key(args[0], *static_cast<HtData*>(mod), false);
}
std::string fix_re_arg(std::span<FixedArg> args, cfg::ModuleData* mod) {
    return fix_table_key(args[0], *static_cast<HtData*>(mod), true);
}

const TableKey& table_key(CallArgs& a) {
    return *static_cast<const TableKey*>(a.args[0].data.get());
}

bool render_key(CallArgs& a, const TableKey& tk, std::string_view& key) {
    if (pv::render(a.ctx, tk.key, key)) return true;
    SLOG_ERR(kLog, "cannot render the key for table [%s]", tk.table->name().c_str());
    return false;
}

// Compiles a regex given at run time; logs and returns null if it is bad.
std::shared_ptr<re2::RE2> runtime_re(std::string_view pattern) {
    std::string err;
    auto re = compile_re(pattern, err);
    if (!re)
        SLOG_ERR(kLog, "bad regular expression [%.*s]: %s", static_cast<int>(pattern.size()),
                 pattern.data(), err.c_str());
    return re;
}

int sht_rm_re(CallArgs& a, bool by_value) {
    const TableKey& tk = table_key(a);
    std::string_view pattern;
    if (!render_key(a, tk, pattern)) return -1;
    std::shared_ptr<re2::RE2> re = tk.re;
    if (!re && !(re = runtime_re(pattern))) return -1;
    tk.table->rm_matching(by_value, HtOp::Regex, pattern, re.get());
    return 1;
}
int w_sht_rm_name_re(CallArgs& a) { return sht_rm_re(a, false); }
int w_sht_rm_value_re(CallArgs& a) { return sht_rm_re(a, true); }

int w_sht_rm(CallArgs& a) {
    HtTable* t = table_at(a, 0);
    std::string_view key;
    if (!t || !a.str(1, key)) return -1;
    t->rm(key);  // true whether or not the key existed (Kamailio)
    return 1;
}

int w_sht_reset(CallArgs& a) {
    HtTable* t = table_at(a, 0);
    if (!t) return -1;
    t->reset();
    return 1;
}

int w_sht_lock(CallArgs& a) {
    const TableKey& tk = table_key(a);
    std::string_view key;
    if (!render_key(a, tk, key)) return -1;
    tk.table->lock_key(key);
    return 1;
}

int w_sht_unlock(CallArgs& a) {
    const TableKey& tk = table_key(a);
    std::string_view key;
    if (!render_key(a, tk, key)) return -1;
    if (tk.table->unlock_key(key)) return 1;
    SLOG_ERR(kLog, "sht_unlock: the slot of [%s=>%.*s] is not locked by this worker",
             tk.table->name().c_str(), static_cast<int>(key.size()), key.data());
    return -1;
}

// The match operators: sht_rm_name/sht_rm_value know "re" and "sw" in Kamailio 5.6;
// sht_match_name/sht_match_str_value also "eq" and "ne".
bool parse_op(std::string_view s, bool rm, HtOp& op) {
    if (s == "re") op = HtOp::Regex;
    else if (s == "sw") op = HtOp::StartsWith;
    else if (!rm && s == "eq") op = HtOp::Eq;
    else if (!rm && s == "ne") op = HtOp::Ne;
    else return false;
    return true;
}

struct OpRef {
    HtOp op;
    std::shared_ptr<re2::RE2> re;  // op "re" with a constant value
};

std::string fix_op(std::span<FixedArg> args, cfg::ModuleData* mod, bool rm) {
    std::string err = fix_table_at(args, mod, 0);
    if (!err.empty() || !args[1].fmt.is_literal()) return err;
    OpRef r{};
    std::string_view op = args[1].fmt.literal();
    if (!parse_op(op, rm, r.op))
        return "unsupported operator \"" + std::string(op) + "\" (" +
               (rm ? "re, sw" : "eq, ne, re, sw") + ")";
    if (r.op == HtOp::Regex && args[2].fmt.is_literal()) {
        r.re = compile_re(args[2].fmt.literal(), err);
        if (!r.re)
            return "bad regular expression \"" + std::string(args[2].fmt.literal()) +
                   "\": " + err;
    }
    args[1].data = std::make_shared<OpRef>(std::move(r));
    return "";
}
std::string fix_rm_op(std::span<FixedArg> args, cfg::ModuleData* mod) {
    return fix_op(args, mod, true);
}
std::string fix_match_op(std::span<FixedArg> args, cfg::ModuleData* mod) {
    return fix_op(args, mod, false);
}

// Evaluates the (table, op, value) arguments; false (logged) if one is unusable.
bool op_args(CallArgs& a, bool rm, HtTable*& t, HtOp& op, std::string_view& val,
             std::shared_ptr<re2::RE2>& re) {
    t = table_at(a, 0);
    if (!t || !a.str(2, val)) return false;
    if (a.args[1].data) {
        const auto& r = *static_cast<const OpRef*>(a.args[1].data.get());
        op = r.op;
        re = r.re;
    } else {
        std::string_view s;
        if (!a.str(1, s)) return false;
        if (!parse_op(s, rm, op)) {
            SLOG_WARN(kLog, "unsupported match operator: %.*s", static_cast<int>(s.size()),
                      s.data());
            return false;
        }
    }
    if (op == HtOp::Regex && !re && !(re = runtime_re(val))) return false;
    return true;
}

int sht_rm_op(CallArgs& a, bool by_value) {
    HtTable* t;
    HtOp op;
    std::string_view val;
    std::shared_ptr<re2::RE2> re;
    if (!op_args(a, true, t, op, val, re)) return -1;
    t->rm_matching(by_value, op, val, re.get());
    return 1;
}
int w_sht_rm_name(CallArgs& a) { return sht_rm_op(a, false); }
int w_sht_rm_value(CallArgs& a) { return sht_rm_op(a, true); }

int sht_match(CallArgs& a, bool by_value) {
    HtTable* t;
    HtOp op;
    std::string_view val;
    std::shared_ptr<re2::RE2> re;
    if (!op_args(a, false, t, op, val, re)) return -1;
    return t->any_matching(by_value, op, val, re.get()) ? 1 : -1;
}
int w_sht_match_name(CallArgs& a) { return sht_match(a, false); }
int w_sht_match_str_value(CallArgs& a) { return sht_match(a, true); }

std::string fix_table0(std::span<FixedArg> args, cfg::ModuleData* mod) {
    return fix_table_at(args, mod, 0);
}
std::string fix_table1(std::span<FixedArg> args, cfg::ModuleData* mod) {
    return fix_table_at(args, mod, 1);
}

// sht_setxs/sht_setxi return 1. (Kamailio 5.6.3's sht_setxi returns 0, which stops the
// script; that is a defect not reproduced.)
int w_sht_setxs(CallArgs& a) {
    HtTable* t = table_at(a, 0);
    std::string_view key, val;
    int32_t ex = 0;
    if (!t || !a.str(1, key) || !a.str(2, val) || !a.integer(3, ex)) return -1;
    t->set(key, Value::of_str(val), ex);
    return 1;
}

int w_sht_setxi(CallArgs& a) {
    HtTable* t = table_at(a, 0);
    std::string_view key;
    int32_t val = 0, ex = 0;
    if (!t || !a.str(1, key) || !a.integer(2, val) || !a.integer(3, ex)) return -1;
    t->set(key, Value::of_int(val), ex);
    return 1;
}

int w_sht_print(CallArgs& a) {
    // Kamailio's sht_print() dumps every table at L_ERR, for debugging.
    for (const auto& t : data_of(a).tables) {
        SLOG_ERR(kLog, "htable[%s] slots: %zu autoexpire: %u", t->name().c_str(), t->slot_count(),
                 t->spec().autoexpire);
        for (const HtItem& it : t->dump()) {
            if (it.value.is_str)
                SLOG_ERR(kLog, "\tcell: %s v-s:%s expires in: %d", it.name.c_str(),
                         it.value.s.c_str(), it.expires_in);
            else
                SLOG_ERR(kLog, "\tcell: %s v-i:%d expires in: %d", it.name.c_str(), it.value.i,
                         it.expires_in);
        }
    }
    return 1;
}

// ---- iterators --------------------------------------------------------------------------

// Iterators copy one slot at a time and hold no lock between script actions. (Kamailio keeps
// the current slot locked from sht_iterator_next to the next call, so a script that touches
// another slot meanwhile can deadlock against a second iterating process.)
int iterator_advance(HtIterator& it) {
    if (!it.started) {
        it.started = true;
        it.slot = 0;
        it.buf.clear();
        it.pos = 0;
    } else if (it.pos < it.buf.size()) {
        ++it.pos;
    }
    while (it.pos >= it.buf.size()) {
        if (it.slot >= it.table->slot_count()) {
            // At the end Kamailio forgets the position: the next call starts over.
            it.started = false;
            it.buf.clear();
            it.pos = 0;
            return -1;
        }
        it.table->snapshot_slot(it.slot++, it.buf);
        it.pos = 0;
    }
    return 1;
}

// Finds the named iterator of this worker that has a table; logs and returns null if none.
HtIterator* used_iterator(CallArgs& a, std::string_view& name) {
    if (!a.str(0, name)) return nullptr;
    HtIterator* it = find_iterator(data_of(a).iterators(&a.ctx.w), name, false);
    if (!it) {
        SLOG_ERR(kLog, "iterator not found [%.*s]", static_cast<int>(name.size()), name.data());
        return nullptr;
    }
    if (!it->table) {
        SLOG_ERR(kLog, "iterator not initialized [%.*s]", static_cast<int>(name.size()),
                 name.data());
        return nullptr;
    }
    return it;
}

const HtItem* current_item(CallArgs& a, HtIterator*& it) {
    std::string_view name;
    it = used_iterator(a, name);
    if (!it) return nullptr;
    if (!it->has_current())
        SLOG_ERR(kLog, "iterator not used [%.*s]", static_cast<int>(name.size()), name.data());
    return it->current();
}

int w_sht_iterator_start(CallArgs& a) {
    std::string_view name;
    if (!a.str(0, name)) return -1;
    auto& its = data_of(a).iterators(&a.ctx.w);
    HtIterator* it = find_iterator(its, name, true);
    if (!it) {
        SLOG_ERR(kLog, "no iterator available - max number is %zu", kHtIteratorsPerWorker);
        return -1;
    }
    if (it->name.empty()) {
        if (name.empty() || name.size() >= kIteratorNameMax) {
            SLOG_ERR(kLog, "bad iterator name [%.*s] (1 to %zu characters)",
                     static_cast<int>(name.size()), name.data(), kIteratorNameMax - 1);
            return -1;
        }
        it->name = std::string(name);
    }
    it->started = false;
    it->buf.clear();
    it->pos = 0;
    it->slot = 0;
    // As in Kamailio, an unknown table leaves the name taken until sht_iterator_end.
    it->table = table_at(a, 1);
    return it->table ? 1 : -1;
}

int w_sht_iterator_next(CallArgs& a) {
    std::string_view name;
    HtIterator* it = used_iterator(a, name);
    return it ? iterator_advance(*it) : -1;
}

int w_sht_iterator_end(CallArgs& a) {
    std::string_view name;
    if (!a.str(0, name)) return -1;
    HtIterator* it = find_iterator(data_of(a).iterators(&a.ctx.w), name, false);
    if (!it) {
        SLOG_ERR(kLog, "iterator not found [%.*s]", static_cast<int>(name.size()), name.data());
        return -1;
    }
    *it = HtIterator{};
    return 1;
}

// Removes the current item and moves on: 1 if there is a next item, -2 if that was the
// last one, -1 if the iterator has no current item (Kamailio's return codes).
int w_sht_iterator_rm(CallArgs& a) {
    HtIterator* it;
    const HtItem* item = current_item(a, it);
    if (!item) return -1;
    it->table->rm(item->name);
    return iterator_advance(*it) > 0 ? 1 : -2;
}

int w_sht_iterator_sets(CallArgs& a) {
    HtIterator* it;
    const HtItem* item = current_item(a, it);
    std::string_view v;
    if (!item || !a.str(1, v)) return -1;
    it->table->set(item->name, Value::of_str(v));
    HtValue& cur = it->buf[it->pos].value;
    cur.is_str = true;
    cur.s.assign(v);
    return 1;
}

int w_sht_iterator_seti(CallArgs& a) {
    HtIterator* it;
    const HtItem* item = current_item(a, it);
    int32_t v = 0;
    if (!item || !a.integer(1, v)) return -1;
    it->table->set(item->name, Value::of_int(v));
    HtValue& cur = it->buf[it->pos].value;
    cur.is_str = false;
    cur.i = v;
    cur.s.clear();
    return 1;
}

int w_sht_iterator_setex(CallArgs& a) {
    HtIterator* it;
    const HtItem* item = current_item(a, it);
    int32_t v = 0;
    if (!item || !a.integer(1, v)) return -1;
    it->table->set_expire(item->name, v);
    it->buf[it->pos].expires_in = it->table->spec().autoexpire > 0 && v > 0 ? v : 0;
    return 1;
}

// ---- module -----------------------------------------------------------------------------

std::string set_htable_param(cfg::ModuleData& md, const Value& v) {
    auto& d = static_cast<HtData&>(md);
    HtTableSpec spec;
    std::string err = parse_table_spec(v.s, spec);
    if (!err.empty()) return err;
    if (d.table(spec.name)) return "htable already configured [" + spec.name + "]";
    d.tables.push_back(std::make_unique<HtTable>(std::move(spec)));
    return "";
}

// The faked request event routes run with, as Kamailio's faked_msg.
constexpr std::string_view kFakedRequest =
    "OPTIONS sip:you@kamailio.org SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1\r\n"
    "From: <sip:you@kamailio.org>;tag=123\r\n"
    "To: <sip:you@kamailio.org>\r\n"
    "Call-ID: 123\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

class DiscardSink final : public pv::ReplySink {
public:
    bool send(std::string_view) override { return true; }
    bool send_to(const sockaddr*, socklen_t, std::string_view) override { return true; }
    bool is_stream() const override { return false; }
};

// event_route[htable:mod-init]: run once at load time, before any worker starts, to fill
// tables. It sees a faked OPTIONS request; $var values do not carry over to the workers.
void run_mod_init(const cfg::Script& script, const cfg::Route& route) {
    auto m = std::make_unique<msg::Message>();
    const std::string raw(kFakedRequest);
    if (msg::parse_head(raw, msg::Limits{}, *m).status != msg::ParseStatus::Done) return;
    m->raw = raw;
    pv::WorkerState w;
    w.scratch.resize(static_cast<size_t>(script.core.pv_buffer_size));
    w.vars.resize(script.reg.var_count());
    pv::RecvInfo rcv;
    std::snprintf(rcv.src_ip, sizeof rcv.src_ip, "127.0.0.1");
    std::snprintf(rcv.dst_ip, sizeof rcv.dst_ip, "127.0.0.1");
    rcv.src_port = rcv.dst_port = 5060;
    DiscardSink sink;
    pv::Ctx ctx{w};
    ctx.msg = m.get();
    ctx.rcv = &rcv;
    ctx.sink = &sink;
    ctx.reply_hdrs = &w.reply_hdrs;
    ctx.route_type = pv::kEventRoute;
    ctx.recv_time = static_cast<int64_t>(std::time(nullptr));
    cfg::run_route(script, route, ctx);
}

std::string init_htable(cfg::ModuleData& md, cfg::InitCtx& ic) {
    auto& d = static_cast<HtData&>(md);
    for (const auto& [name, r] : ic.script.events)
        if (name.starts_with("htable:") && name != "htable:mod-init")
            SLOG_WARN(kLog, "event_route[%s] is not supported and will never run", name.c_str());
    if (const cfg::Route* r = ic.script.event_route("htable:mod-init")) run_mod_init(ic.script, *r);
    d.start_sweeper();
    return "";
}

constexpr uint32_t kMainRoutes =
    pv::kRequestRoute | pv::kFailureRoute | pv::kOnReplyRoute | pv::kBranchRoute;

}  // namespace

const cfg::ModuleDef kHtableModule{
    .name = "htable",
    .create = [] { return std::unique_ptr<cfg::ModuleData>(new HtData); },
    .params =
        {
            {"htable", cfg::ParamType::Str, set_htable_param},
            {"timer_interval", cfg::ParamType::Int,
             [](cfg::ModuleData& d, const Value& v) {
                 // Accepted for compatibility: expired items are invisible at once and the
                 // sweep runs every second.
                 if (v.i <= 0) return std::string("must be a positive number of seconds");
                 static_cast<HtData&>(d).timer_interval = v.i;
                 return std::string();
             }},
        },
    .functions =
        {
            {"sht_print", {}, 0, kMainRoutes, w_sht_print},
            {"sht_rm", {ArgKind::Str, ArgKind::Str}, 2, pv::kAnyRoute, w_sht_rm, fix_table0},
            {"sht_rm_name_re", {ArgKind::Str}, 1, kMainRoutes, w_sht_rm_name_re, fix_re_arg},
            {"sht_rm_value_re", {ArgKind::Str}, 1, kMainRoutes, w_sht_rm_value_re, fix_re_arg},
            {"sht_rm_name", {ArgKind::Str, ArgKind::Str, ArgKind::Str}, 3, pv::kAnyRoute,
             w_sht_rm_name, fix_rm_op},
            {"sht_rm_value", {ArgKind::Str, ArgKind::Str, ArgKind::Str}, 3, pv::kAnyRoute,
             w_sht_rm_value, fix_rm_op},
            {"sht_setxs", {ArgKind::Str, ArgKind::Str, ArgKind::Str, ArgKind::Int}, 4,
             pv::kAnyRoute, w_sht_setxs, fix_table0},
            {"sht_setxi", {ArgKind::Str, ArgKind::Str, ArgKind::Int, ArgKind::Int}, 4,
             pv::kAnyRoute, w_sht_setxi, fix_table0},
            {"sht_reset", {ArgKind::Str}, 1, pv::kAnyRoute, w_sht_reset, fix_table0},
            {"sht_lock", {ArgKind::Str}, 1, pv::kAnyRoute, w_sht_lock, fix_key_arg},
            {"sht_unlock", {ArgKind::Str}, 1, pv::kAnyRoute, w_sht_unlock, fix_key_arg},
            {"sht_iterator_start", {ArgKind::Str, ArgKind::Str}, 2, pv::kAnyRoute,
             w_sht_iterator_start, fix_table1},
            {"sht_iterator_end", {ArgKind::Str}, 1, pv::kAnyRoute, w_sht_iterator_end},
            {"sht_iterator_next", {ArgKind::Str}, 1, pv::kAnyRoute, w_sht_iterator_next},
            {"sht_iterator_rm", {ArgKind::Str}, 1, pv::kAnyRoute, w_sht_iterator_rm},
            {"sht_iterator_sets", {ArgKind::Str, ArgKind::Str}, 2, pv::kAnyRoute,
             w_sht_iterator_sets},
            {"sht_iterator_seti", {ArgKind::Str, ArgKind::Int}, 2, pv::kAnyRoute,
             w_sht_iterator_seti},
            {"sht_iterator_setex", {ArgKind::Str, ArgKind::Int}, 2, pv::kAnyRoute,
             w_sht_iterator_setex},
            {"sht_match_name", {ArgKind::Str, ArgKind::Str, ArgKind::Str}, 3, pv::kAnyRoute,
             w_sht_match_name, fix_match_op},
            {"sht_has_name", {ArgKind::Str, ArgKind::Str, ArgKind::Str}, 3, pv::kAnyRoute,
             w_sht_match_name, fix_match_op},
            {"sht_match_str_value", {ArgKind::Str, ArgKind::Str, ArgKind::Str}, 3, pv::kAnyRoute,
             w_sht_match_str_value, fix_match_op},
            {"sht_has_str_value", {ArgKind::Str, ArgKind::Str, ArgKind::Str}, 3, pv::kAnyRoute,
             w_sht_match_str_value, fix_match_op},
        },
    .pvs =
        {
            {"sht", get_sht, set_sht, fix_sht, true},
            {"shtex", get_shtex, set_shtex, fix_sht, true},
            {"shtcn", get_shtcn, nullptr, fix_shtc, true},
            {"shtcv", get_shtcv, nullptr, fix_shtc, true},
            {"shtinc", get_shtinc, nullptr, fix_sht, true},
            {"shtdec", get_shtdec, nullptr, fix_sht, true},
            {"shtitkey", get_shtitkey, nullptr, fix_shtit, true},
            {"shtitval", get_shtitval, nullptr, fix_shtit, true},
        },
    .init = init_htable,
};

}  // namespace siphon::modules
