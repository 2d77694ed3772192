// Pseudo-variables, transformations and format strings. Names are resolved when the config
// is loaded: a PvSpec points at its PvDef and carries whatever the definition pre-computed
// from the inner name (a header token, a variable slot), so reading one per message is a
// direct call.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "pv/context.h"
#include "pv/transform_defs.h"

namespace siphon::pv {

struct PvSpec;
class Registry;

// Reads the variable into out. Returns false (and leaves out Null) when it has no value.
// String results may point into the message, the arena or static storage.
using PvGetter = bool (*)(Ctx& ctx, const PvSpec& spec, Value& out);
// Writes v (Null means "$null": delete/reset). Returns false on failure (logged).
using PvSetter = bool (*)(Ctx& ctx, const PvSpec& spec, const Value& v);
// Called at load time with the inner name ("x" for $var(x)); fills spec fields. Returns an
// error message or "" on success.
using PvFixup = std::string (*)(PvSpec& spec, std::string_view inner, Registry& reg);

struct PvDef {
    std::string_view name;
    PvGetter get = nullptr;
    PvSetter set = nullptr;
    PvFixup fixup = nullptr;     // null: the PV takes no inner name
    bool needs_inner = false;    // $hdr needs "(Name)"
    int32_t ival = 0;            // copied into PvSpec::ival before the fixup runs
    bool indexed = false;        // accepts an index: $(hdr(Via)[1]), $(avp(a)[*])
};

struct PvSpec;

struct TrArgSpec {
    Value constant;                  // used when pv is null
    std::shared_ptr<std::string> storage;  // owns constant.s
    std::unique_ptr<PvSpec> pv;
};

struct TrStep {
    const TrDef* def = nullptr;
    std::vector<TrArgSpec> args;
    std::shared_ptr<const void> data;  // built by TrDef::prepare at load time
};

struct PvIndex {
    enum class Kind : uint8_t { None, Num, All, Pv } kind = Kind::None;
    int32_t n = 0;
    std::unique_ptr<PvSpec> pv;
};

struct PvSpec {
    const PvDef* def = nullptr;
    std::string text;         // as written, for messages
    std::string inner;        // inner name as written
    // Fixup results, owned by the spec.
    int32_t ival = 0;         // slot index / header token / sub-kind
    std::string sval;         // normalised name
    std::shared_ptr<void> data;
    std::unique_ptr<PvSpec> dyn_inner;  // inner name given as a PV ($hdr($var(h)))
    PvIndex index;
    std::vector<TrStep> trs;
};

// A format string ("OK - [$si:$sp]") split into literals and PVs at load time.
struct Format {
    struct Segment {
        std::string literal;
        std::unique_ptr<PvSpec> pv;
    };
    std::vector<Segment> segs;
    bool is_literal() const { return segs.empty() || (segs.size() == 1 && !segs[0].pv); }
    std::string_view literal() const { return segs.empty() ? std::string_view{} : segs[0].literal; }
};

// What the config layer knows about pseudo-variables and transformations. Built once
// before the config is parsed; read-only afterwards except for the variable slot tables,
// which only grow while the config is being loaded.
class Registry {
public:
    // owner: the state of the module that exports the PV (its ModuleData), handed back to
    // the PV's fixup through owner() so a module needs no global to find its instance.
    void add_pv(const PvDef& def, void* owner = nullptr) {
        pvs_[std::string(def.name)] = def;
        if (owner) owners_[std::string(def.name)] = owner;
    }
    void* owner(std::string_view pv_name) const {
        auto it = owners_.find(pv_name);
        return it == owners_.end() ? nullptr : it->second;
    }
    void add_transformations(std::span<const TrDef> defs);
    const PvDef* find_pv(std::string_view name) const;
    const TrDef* find_tr(std::string_view cls, std::string_view name) const;
    bool has_tr_class(std::string_view cls) const;

    // $var / $shv / AVP names -> slot numbers.
    int32_t var_slot(std::string_view name) { return intern(var_names_, name); }
    int32_t shv_slot(std::string_view name) { return intern(shv_names_, name); }
    int32_t avp_id(std::string_view name) { return intern(avp_names_, name); }
    size_t var_count() const { return var_names_.size(); }
    size_t shv_count() const { return shv_names_.size(); }
    // Known names, for the hints of "unknown name" diagnostics: PV classes ("var", "hdr"),
    // transformation classes ("s", "uri") and the transformations of one class ("len").
    std::vector<std::string_view> pv_names() const;
    std::vector<std::string_view> tr_class_names() const;
    std::vector<std::string_view> tr_names(std::string_view cls) const;
    const std::vector<std::string>& shv_names() const { return shv_order_; }

private:
    int32_t intern(std::map<std::string, int32_t, std::less<>>& m, std::string_view name) {
        auto it = m.find(name);
        if (it != m.end()) return it->second;
        int32_t id = static_cast<int32_t>(m.size());
        m.emplace(std::string(name), id);
        if (&m == &shv_names_) shv_order_.emplace_back(name);
        return id;
    }
    std::map<std::string, PvDef, std::less<>> pvs_;
    std::map<std::string, void*, std::less<>> owners_;
    std::map<std::string, const TrDef*, std::less<>> trs_;
    std::map<std::string, int, std::less<>> tr_classes_;
    std::map<std::string, int32_t, std::less<>> var_names_, shv_names_, avp_names_;
    std::vector<std::string> shv_order_;
};

// The name in `names` closest to `word` (edit distance at most a third of its length, at
// least 1), or "" when none is close enough. For "did you mean" hints.
std::string_view closest_name(std::string_view word, const std::vector<std::string_view>& names);

// `s` in double quotes for a diagnostic: control characters and quotes escaped (\n, \t,
// \", \xNN), long text shortened with "...", so a message always stays on one line.
std::string quote_for_message(std::string_view s);

// Parses one PV at the start of text ("$var(x)", "$(hdr(A){s.len})", "$si"). On success
// returns the spec and sets `used` to the bytes consumed. On failure returns null with err.
std::unique_ptr<PvSpec> parse_pv(std::string_view text, Registry& reg, size_t& used,
                                 std::string& err);
// Parses a whole string as exactly one PV.
std::unique_ptr<PvSpec> parse_pv_exact(std::string_view text, Registry& reg, std::string& err);

// Parses a format string. "$$" is a literal '$'; a '$' that starts no PV is an error, as in
// Kamailio ("bad PVE format").
bool parse_format(std::string_view text, Registry& reg, Format& out, std::string& err);

// Reads a PV including index and transformations. Returns false for null. A failed
// transformation yields an empty string (true), as Kamailio prints it, and sets *tr_failed
// when given (an assignment from it is an error in Kamailio: the target is set to null).
bool get_pv(Ctx& ctx, const PvSpec& spec, Value& out, bool* tr_failed = nullptr);
bool set_pv(Ctx& ctx, const PvSpec& spec, const Value& v);
inline bool pv_writable(const PvSpec& spec) { return spec.def && spec.def->set; }

// Renders a format into the arena (the result is valid until the arena is reset). Null PVs
// print as "<null>". Returns false if the result exceeded the worker's scratch buffer
// (pv_buffer_size).
bool render(Ctx& ctx, const Format& fmt, std::string_view& out);

// Text of a value for printing (ints formatted into the arena).
std::string_view value_text(Ctx& ctx, const Value& v);

// The current Request-URI of a SIP request: as rewritten by $ru/$rU/$rd/$rp in this message,
// else msg->uri. A module that replaces msg->uri itself after such an assignment wins (the
// assignment is then forgotten). set_request_uri() stores `uri` (copied into the arena) as
// the rewritten R-URI.
std::string_view request_uri(const Ctx& ctx);
void set_request_uri(Ctx& ctx, std::string_view uri);
// request_uri() parsed, from the per-message cache that $rU/$rd/$rp read too (parsed once
// per R-URI text); null for a message that is not a SIP request or a URI that does not parse.
const msg::SipUri* parsed_request_uri(Ctx& ctx);

// The core PVs ($si, $rm, $hdr, $var, ...) and transformation families.
void register_core(Registry& reg);

}  // namespace siphon::pv
