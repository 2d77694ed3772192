// htable.* RPC commands over the htable module's C++ API (htable/htable.h), with the names,
// reply shapes and fault texts of Kamailio 5.6's htable module (ht_api / htable.c rpc_*).
#include "modules/rpc/module_rpcs.h"

#include <algorithm>

#include "modules/htable/htable.h"
#include "modules/rpc/runtime.h"

namespace siphon::rpc {

namespace {

using modules::HtData;
using modules::HtItem;
using modules::HtTable;

HtData* data(Call& c) {
    return static_cast<HtData*>(c.module());
}

HtTable* table_arg(Call& c, const char* missing) {
    std::string name;
    if (c.scan_str(name) != Scan::Ok) {
        if (!c.failed()) c.fault(500, missing);
        return nullptr;
    }
    HtTable* t = data(c)->table(name);
    if (!t) c.fault(500, "No such htable");
    return t;
}

Node value_node(const HtItem& it) {
    return it.value.is_str ? Node::str(it.value.s) : Node::integer(it.value.i);
}

void ht_get(Call& c) {
    HtTable* t = table_arg(c, "Not enough parameters (htable name and key name)");
    if (!t) return;
    std::string key;
    if (c.scan_str(key) != Scan::Ok) {
        if (!c.failed()) c.fault(500, "Not enough parameters (htable name and key name)");
        return;
    }
    modules::HtValue v;
    if (!t->get(key, v)) {
        c.fault(500, "Key name doesn't exist in htable.");
        return;
    }
    int32_t left = t->expires_in(key);
    Node& r = c.add_struct();
    Node& item = r.set("item", Node::structure());
    item.set("name", key);
    item.set("value", v.is_str ? Node::str(v.s) : Node::integer(v.i));
    item.set("flags", v.is_str ? 2 : 0);   // AVP_VAL_STR
    if (left > 0)
        item.set("expire", left);
    else
        item.set("expire", "NEVER");
}

void ht_set(Call& c, bool integer) {
    const char* missing = "Not enough parameters (htable name, key name and value)";
    HtTable* t = table_arg(c, missing);
    if (!t) return;
    std::string key, sval;
    int64_t ival = 0;
    if (c.scan_str(key) != Scan::Ok) {
        if (!c.failed()) c.fault(500, missing);
        return;
    }
    Scan s = integer ? c.scan_int(ival) : c.scan_str(sval);
    if (s != Scan::Ok) {
        if (!c.failed()) c.fault(500, missing);
        return;
    }
    if (integer)
        t->set(key, Value::of_int(static_cast<int32_t>(ival)));
    else
        t->set(key, Value::of_str(sval));
    c.add(Node::str("Ok. Key set to new value."));
}
void ht_sets(Call& c) {
    ht_set(c, false);
}
void ht_seti(Call& c) {
    ht_set(c, true);
}

void ht_delete(Call& c) {
    HtTable* t = table_arg(c, "Not enough parameters (htable name & key name)");
    if (!t) return;
    std::string key;
    if (c.scan_str(key) != Scan::Ok) {
        if (!c.failed()) c.fault(500, "Not enough parameters (htable name & key name)");
        return;
    }
    if (!t->rm(key)) {
        c.fault(404, "Key not found in htable.");
        return;
    }
    c.add(Node::str("Ok. Key deleted."));
}

// Kamailio's core_case_hash() (core/hashes.h), which htable uses to place a key: its slot
// numbers are what htable.dump reports as "entry", so they are computed the same way here
// whatever the table's own layout. A-Z are folded to lower case; the bytes are (signed)
// chars, as in Kamailio's x86-64 build; unsigned arithmetic gives the same bits.
uint32_t kamailio_case_hash(std::string_view s) {
    auto b = [](char c) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
        return static_cast<uint32_t>(static_cast<int32_t>(static_cast<signed char>(c)));
    };
    uint32_t h = 0, v = 0;
    size_t i = 0;
    for (; i + 4 <= s.size(); i += 4) {
        v = (b(s[i]) << 24) + (b(s[i + 1]) << 16) + (b(s[i + 2]) << 8) + b(s[i + 3]);
        h += v ^ (v >> 3);
    }
    v = 0;
    for (; i < s.size(); ++i) {
        v <<= 8;
        v += b(s[i]);
    }
    h += v ^ (v >> 3);
    return (h + (h >> 11)) + ((h >> 13) + (h >> 23));
}

void ht_dump(Call& c) {
    HtTable* t = table_arg(c, "No htable name given");
    if (!t) return;
    // Grouped by Kamailio's slot number, in slot order; inside a slot by hash (Kamailio keeps
    // the items of a slot sorted by their hash).
    std::vector<HtItem> items = t->dump();
    const uint32_t mask = static_cast<uint32_t>(t->slot_count() - 1);
    std::vector<std::pair<uint32_t, size_t>> order;   // (hash, index in items)
    order.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i)
        order.emplace_back(kamailio_case_hash(items[i].name), i);
    std::stable_sort(order.begin(), order.end(), [mask](const auto& a, const auto& b) {
        uint32_t sa = a.first & mask, sb = b.first & mask;
        return sa != sb ? sa < sb : a.first < b.first;
    });
    for (size_t i = 0; i < order.size();) {
        uint32_t slot_no = order[i].first & mask;
        size_t j = i;
        while (j < order.size() && (order[j].first & mask) == slot_no)
            ++j;
        Node& e = c.add_struct();
        e.set("entry", static_cast<int64_t>(slot_no));
        e.set("size", static_cast<int64_t>(j - i));
        Node& slot = e.set("slot", Node::array());
        for (; i < j; ++i) {
            const HtItem& it = items[order[i].second];
            Node& x = slot.push(Node::structure());
            x.set("name", it.name);
            x.set("value", value_node(it));
            x.set("type", it.value.is_str ? "str" : "int");
        }
    }
}

void ht_flush(Call& c) {
    HtTable* t = table_arg(c, "No htable name given");
    if (!t) return;
    t->reset();
}

void ht_reload(Call& c) {
    HtTable* t = table_arg(c, "No htable name given");
    if (!t) return;
    // Tables are loaded from a database only; siphon's htable has none.
    c.fault(500, "No htable db_url");
}

void ht_list_tables(Call& c) {
    auto& tables = data(c)->tables;
    // Kamailio keeps its tables in a list that grows at the head: newest first.
    for (auto it = tables.rbegin(); it != tables.rend(); ++it) {
        const auto& sp = (*it)->spec();
        Node& s = c.add_struct();
        s.set("name", sp.name);
        s.set("dbtable", "");
        s.set("dbmode", 0);
        s.set("expire", static_cast<int64_t>(sp.autoexpire));
        s.set("updateexpire", sp.updateexpire ? 1 : 0);
        s.set("size", static_cast<int64_t>((*it)->slot_count()));
        s.set("dmqreplicate", 0);
    }
}

void ht_stats(Call& c) {
    auto& tables = data(c)->tables;
    std::vector<HtItem> items;
    for (auto it = tables.rbegin(); it != tables.rend(); ++it) {
        HtTable& t = **it;
        int64_t all = 0, mn = -1, mx = 0;
        for (size_t i = 0; i < t.slot_count(); ++i) {
            items.clear();
            t.snapshot_slot(i, items);
            int64_t n = static_cast<int64_t>(items.size());
            all += n;
            mn = mn < 0 ? n : std::min(mn, n);
            mx = std::max(mx, n);
        }
        Node& s = c.add_struct();
        s.set("name", t.name());
        s.set("slots", static_cast<int64_t>(t.slot_count()));
        s.set("all", all);
        s.set("min", mn < 0 ? 0 : mn);
        s.set("max", mx);
    }
}

const cfg::RpcDef kHtableRpcs[] = {
    {"htable.get", ht_get, "Get one key from a hash table."},
    {"htable.sets", ht_sets, "Set one key in a hash table to a string value."},
    {"htable.seti", ht_seti, "Set one key in a hash table to an integer value."},
    {"htable.delete", ht_delete, "Delete one key from a hash table."},
    {"htable.dump", ht_dump, "Dump the content of a hash table.", cfg::kRpcRetArray},
    {"htable.flush", ht_flush, "Empty the hash table."},
    {"htable.reload", ht_reload, "Reload hash table."},
    {"htable.listTables", ht_list_tables, "List all htables.", cfg::kRpcRetArray},
    {"htable.stats", ht_stats, "Statistics about htables.", cfg::kRpcRetArray},
};

}   // namespace

std::span<const cfg::RpcDef> htable_rpcs() {
    return kHtableRpcs;
}

cfg::ModuleData* htable_module(const cfg::Script& script) {
    return modules::htable_data(script);
}

}   // namespace siphon::rpc
