// Regular expression transformation {re.subst,/re/repl/flags} (Kamailio's textops class
// "re"), on RE2 in POSIX mode (leftmost-longest, linear time):
//  - the first character of the expression is the separator; a separator inside the regex or
//    the replacement is written escaped ("\/");
//  - the replacement may use \0 (the whole match) to \9 (groups), \\, \n, \r, \t; a group
//    number above the regex's group count is a load-time error;
//  - flags: i (ignore case), g (every match), s ('.' matches a newline and ^/$ match only
//    at the ends of the text; without it '.' stops at a newline and ^/$ match at line
//    boundaries, measured: compat case 118); any other flag is a load-time error;
//    splitting and regex options are core/subst.h's, shared with textops' subst*;
//  - no match returns the value unchanged; a match of zero length fails the transformation,
//    as in Kamailio 5.6.3 ("Matched string is empty"); null and empty values fail; an
//    integer is read as its decimal text ("42" with /4/x/ gives "x2", measured);
//  - pseudo-variables in the replacement are expanded, once per use, before matching
//    ("/o/$var(f)/" with $var(f) = "one" turns "one" into "onene", as Kamailio 5.6.3 does,
//    measured); a '$' that starts no pseudo-variable is a load-time error;
//  - a constant expression is compiled once at load time; an expression given as a PV
//    ({re.subst,$var(e)}) is compiled each time it is used, and may not use
//    pseudo-variables in its replacement (the transformation then fails).
#include <re2/re2.h>

#include <cstring>
#include <memory>
#include <string>

#include "core/subst.h"
#include "pv/pv.h"
#include "pv/transform_defs.h"

namespace siphon::pv {

namespace {

using Args = std::span<const Value>;

constexpr char kEmpty[] = "";

struct Subst {
    std::unique_ptr<RE2> re;
    // Replacement pieces: a literal run (group < 0, no pv), a back reference (group >= 0)
    // or a pseudo-variable.
    struct Piece {
        int group = -1;
        std::string text;
        std::shared_ptr<PvSpec> pv;
    };
    std::vector<Piece> repl;
    bool global = false;
};

// reg: where pseudo-variables of the replacement are resolved; null when they are not allowed.
std::string parse_subst(std::string_view e, Subst& out, Registry* reg) {
    SubstSpec spec;
    std::string err = split_subst(e, spec);
    if (!err.empty()) return err;
    const std::string& r = spec.repl;
    std::string lit;
    auto flush = [&] {
        if (!lit.empty()) out.repl.push_back({-1, std::move(lit)});
        lit.clear();
    };
    for (size_t i = 0; i < r.size(); ++i) {
        char c = r[i];
        if (c == '$') {
            if (!reg) return "pseudo-variables in the replacement are not supported here";
            size_t used = 0;
            auto spec_pv = parse_pv(std::string_view(r).substr(i), *reg, used, err);
            if (!spec_pv) return "bad pseudo-variable in the replacement: " + err;
            flush();
            out.repl.push_back({-1, {}, std::shared_ptr<PvSpec>(std::move(spec_pv))});
            i += used - 1;
            continue;
        }
        if (c != '\\' || i + 1 >= r.size()) {
            lit += c;
            continue;
        }
        char n = r[++i];
        if (n >= '0' && n <= '9') {
            flush();
            out.repl.push_back({n - '0', {}});
        } else if (n == 'n') {
            lit += '\n';
        } else if (n == 'r') {
            lit += '\r';
        } else if (n == 't') {
            lit += '\t';
        } else {
            lit += n;  // "\\", "\/" and any other escaped character stand for themselves
        }
    }
    flush();
    out.global = spec.global;
    out.re = compile_subst(spec, err);
    if (!out.re) return err;
    for (const auto& p : out.repl)
        if (p.group > out.re->NumberOfCapturingGroups())
            return "back reference \\" + std::to_string(p.group) + " but the regex has " +
                   std::to_string(out.re->NumberOfCapturingGroups()) + " group(s)";
    return "";
}

std::string prepare(Args args, Registry& reg, std::shared_ptr<const void>& data) {
    if (!args[0].is_str()) return "";  // given as a PV: compiled when used
    auto s = std::make_shared<Subst>();
    std::string err = parse_subst(args[0].s, *s, &reg);
    if (!err.empty()) return err;
    data = s;
    return "";
}

bool run(Ctx& ctx, const Subst& sub, Value& v, Arena& arena) {
    std::string_view s;
    if (v.is_int()) {
        char buf[12];
        s = arena.copy(int_to_str(v.i, buf));
    } else if (v.is_str() && !v.s.empty()) {
        s = v.s;
    } else {
        return false;
    }
    // Values of the replacement's pseudo-variables, read once (null prints as "<null>").
    constexpr size_t kMaxPvs = 16;
    std::string_view pvtext[kMaxPvs];
    size_t npv = 0;
    for (const auto& p : sub.repl)
        if (p.pv) {
            if (npv == kMaxPvs) return false;
            Value pv;
            pvtext[npv++] = get_pv(ctx, *p.pv, pv) ? value_text(ctx, pv) : "<null>";
        }
    constexpr int kMaxGroups = 10;
    re2::StringPiece m[kMaxGroups];
    int ngroups = std::min(kMaxGroups, sub.re->NumberOfCapturingGroups() + 1);
    re2::StringPiece text(s.data(), s.size());
    // Two passes: the size of the result, then the result.
    size_t total = 0;
    char* out = nullptr;
    for (int pass = 0; pass < 2; ++pass) {
        size_t pos = 0, off = 0;
        auto put = [&](std::string_view t) {
            if (pass == 1 && !t.empty()) std::memcpy(out + off, t.data(), t.size());
            off += t.size();
        };
        bool any = false;
        while (pos <= s.size() &&
               sub.re->Match(text, pos, s.size(), RE2::UNANCHORED, m, ngroups)) {
            if (m[0].empty()) return false;
            any = true;
            size_t mb = static_cast<size_t>(m[0].data() - s.data());
            put(s.substr(pos, mb - pos));
            size_t k = 0;
            for (const auto& p : sub.repl) {
                if (p.pv) put(pvtext[k++]);
                else if (p.group < 0) put(p.text);
                else if (p.group < ngroups && m[p.group].data())
                    put(std::string_view(m[p.group].data(), m[p.group].size()));
            }
            pos = mb + m[0].size();
            if (!sub.global) break;
        }
        if (!any) {
            v = Value::of_str(s);
            return true;
        }
        put(s.substr(pos));
        if (pass == 0) {
            total = off;
            out = arena.alloc(total ? total : 1);
        }
    }
    v = Value::of_str(total ? std::string_view(out, total) : std::string_view(kEmpty, 0));
    return true;
}

bool tr_subst(Ctx& ctx, Value& v, Args args, Arena& arena, const void* data) {
    if (data) return run(ctx, *static_cast<const Subst*>(data), v, arena);
    // Expression from a PV: compiled for this use.
    if (!args[0].is_str()) return false;
    Subst sub;
    if (!parse_subst(args[0].s, sub, nullptr).empty()) return false;
    return run(ctx, sub, v, arena);
}

constexpr TrArg S = TrArg::Str;

constexpr TrDef kReTr[] = {
    {"re", "subst", 1, 1, {S, S, S, S}, nullptr, prepare, tr_subst, true},
};

}  // namespace

std::span<const TrDef> re_transformations() { return kReTr; }

}  // namespace siphon::pv
