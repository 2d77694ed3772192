#include "pv/pv.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "core/log.h"

namespace siphon::pv {

std::string_view proto_name(Proto p) {
    switch (p) {
        case Proto::Udp: return "udp";
        case Proto::Tcp: return "tcp";
        case Proto::Tls: return "tls";
        case Proto::Sctp: return "sctp";
        case Proto::Ws: return "ws";
        case Proto::Wss: return "wss";
        default: return "none";
    }
}

void Registry::add_transformations(std::span<const TrDef> defs) {
    for (const TrDef& d : defs) {
        std::string key(d.cls);
        key += '.';
        key += d.name;
        trs_[key] = &d;
        tr_classes_[std::string(d.cls)] = 1;
    }
}

const PvDef* Registry::find_pv(std::string_view name) const {
    auto it = pvs_.find(name);
    return it == pvs_.end() ? nullptr : &it->second;
}

const TrDef* Registry::find_tr(std::string_view cls, std::string_view name) const {
    std::string key(cls);
    key += '.';
    key += name;
    auto it = trs_.find(key);
    return it == trs_.end() ? nullptr : it->second;
}

bool Registry::has_tr_class(std::string_view cls) const {
    return tr_classes_.find(cls) != tr_classes_.end();
}

std::vector<std::string_view> Registry::pv_names() const {
    std::vector<std::string_view> out;
    for (const auto& [name, def] : pvs_) out.emplace_back(name);
    return out;
}

std::vector<std::string_view> Registry::tr_class_names() const {
    std::vector<std::string_view> out;
    for (const auto& [name, n] : tr_classes_) out.emplace_back(name);
    return out;
}

std::vector<std::string_view> Registry::tr_names(std::string_view cls) const {
    std::vector<std::string_view> out;
    for (const auto& [key, def] : trs_) {
        std::string_view k = key;
        if (k.size() > cls.size() && k.substr(0, cls.size()) == cls && k[cls.size()] == '.')
            out.push_back(k.substr(cls.size() + 1));
    }
    return out;
}

std::string_view closest_name(std::string_view word, const std::vector<std::string_view>& names) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    // Edit distance counting a swap of neighbours as one edit (optimal string alignment),
    // case-insensitive: DEBUG vs debug and xlgo vs xlog are typos worth pointing at.
    auto distance = [&](std::string_view a, std::string_view b) {
        std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
        for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
        for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
        for (size_t i = 1; i <= a.size(); ++i)
            for (size_t j = 1; j <= b.size(); ++j) {
                size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
                d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
                if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                    lower(a[i - 2]) == lower(b[j - 1]))
                    d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        return d[a.size()][b.size()];
    };
    if (word.size() > 64) return {};
    // Very short names (most PVs) are too close to each other for a guess to help: only a
    // difference of case is suggested for them.
    size_t limit = word.size() <= 2 ? 0 : std::max<size_t>(1, word.size() / 3);
    std::string_view best;
    size_t best_d = limit + 1;
    for (std::string_view n : names) {
        if (n == word) continue;
        size_t d = distance(word, n);
        // Replacing every character is no hint ("$5" is not a typo of "$?").
        if (d > 0 && (d >= word.size() || d >= n.size())) continue;
        if (d < best_d) {
            best_d = d;
            best = n;
        }
    }
    return best;
}

std::string quote_for_message(std::string_view s) {
    constexpr size_t kMax = 60;
    std::string out = "\"";
    for (size_t i = 0; i < s.size(); ++i) {
        if (i == kMax) {
            out += "...";
            break;
        }
        unsigned char c = static_cast<unsigned char>(s[i]);
        switch (c) {
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '"': out += "\\\""; break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\x%02x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
    return out;
}

namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Finds the index of the bracket closing the one at text[open]; honours nesting of (), {}
// and [] and skips quoted strings. npos if unbalanced.
size_t find_close(std::string_view text, size_t open) {
    char stack[64];
    int depth = 0;
    for (size_t i = open; i < text.size(); ++i) {
        char c = text[i];
        if (c == '"' || c == '\'') {
            size_t j = text.find(c, i + 1);
            if (j == std::string_view::npos) return j;
            i = j;
            continue;
        }
        if (c == '(' || c == '{' || c == '[') {
            if (depth == 64) return std::string_view::npos;
            stack[depth++] = c == '(' ? ')' : c == '{' ? '}' : ']';
        } else if (c == ')' || c == '}' || c == ']') {
            if (depth == 0 || stack[depth - 1] != c) return std::string_view::npos;
            if (--depth == 0) return i;
        }
    }
    return std::string_view::npos;
}

// Splits transformation arguments on top-level commas.
std::vector<std::string_view> split_args(std::string_view s) {
    std::vector<std::string_view> out;
    size_t start = 0;
    int depth = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '(' || c == '{' || c == '[') ++depth;
        else if (c == ')' || c == '}' || c == ']') --depth;
        else if (c == ',' && depth == 0) {
            out.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    out.push_back(s.substr(start));
    return out;
}

bool parse_tr(std::string_view body, Registry& reg, TrStep& step, std::string& err) {
    // body: "s.substr,1,2" (without braces)
    size_t comma = body.find(',');
    std::string_view head = body.substr(0, comma);
    size_t dot = head.find('.');
    if (dot == std::string_view::npos) {
        err = "invalid transformation {" + std::string(body) + "}";
        return false;
    }
    std::string_view cls = head.substr(0, dot);
    std::string_view name = head.substr(dot + 1);
    auto list = [](const std::vector<std::string_view>& names) {
        std::string out;
        for (std::string_view n : names) {
            if (!out.empty()) out += ", ";
            out += n;
        }
        return out;
    };
    if (!reg.has_tr_class(cls)) {
        err = "unknown transformation class '" + std::string(cls) + "' in {" +
              std::string(body) + "} (classes: " + list(reg.tr_class_names()) + ")";
        return false;
    }
    step.def = reg.find_tr(cls, name);
    if (!step.def) {
        std::vector<std::string_view> names = reg.tr_names(cls);
        std::string_view near = closest_name(name, names);
        err = "unknown transformation {" + std::string(head) + "}";
        if (!near.empty())
            err += " (did you mean {" + std::string(cls) + "." + std::string(near) + "}?)";
        else
            err += " (class '" + std::string(cls) + "' has: " + list(names) + ")";
        return false;
    }
    std::vector<std::string_view> args;
    if (comma != std::string_view::npos) {
        if (step.def->whole_arg) args.push_back(body.substr(comma + 1));
        else args = split_args(body.substr(comma + 1));
    }
    // A separator argument may itself be a comma: {s.select,2,,} splits on ','.
    if (args.size() == static_cast<size_t>(step.def->max_args) + 1 && args.size() >= 2 &&
        args.back().empty() && args[args.size() - 2].empty()) {
        std::string_view whole = body.substr(comma + 1);
        args.pop_back();
        args.back() = whole.substr(whole.size() - 1);
    }
    if (args.size() < step.def->min_args || args.size() > step.def->max_args) {
        size_t lo = step.def->min_args, hi = step.def->max_args;
        std::string takes = std::to_string(lo);
        if (hi != lo) takes += (hi == lo + 1 ? " or " : " to ") + std::to_string(hi);
        err = "transformation {" + std::string(head) + "} takes " + takes + " parameter" +
              (hi == 1 ? "" : "s") + ", found " + std::to_string(args.size());
        return false;
    }
    for (size_t i = 0; i < args.size(); ++i) {
        TrArgSpec a;
        std::string_view t = args[i];
        if (!t.empty() && t[0] == '$') {
            std::string perr;
            a.pv = parse_pv_exact(t, reg, perr);
            if (!a.pv) {
                err = "invalid parameter " + std::to_string(i + 1) + " of {" + std::string(head) +
                      "}: " + perr;
                return false;
            }
        } else if (step.def->kinds[i] == TrArg::Int) {
            int32_t v;
            if (!str_to_int(t, v)) {
                err = "invalid parameter " + std::to_string(i + 1) + " of {" + std::string(head) +
                      "}: integer expected";
                return false;
            }
            a.constant = Value::of_int(v);
        } else {
            // Constant text; kept in the step's own storage (see below).
            a.constant = Value::of_str(t);
        }
        step.args.push_back(std::move(a));
    }
    if (step.def->prepare) {
        Value consts[4];
        for (size_t i = 0; i < step.args.size(); ++i)
            if (!step.args[i].pv) consts[i] = step.args[i].constant;
        std::string e =
            step.def->prepare(std::span<const Value>(consts, step.args.size()), reg, step.data);
        if (!e.empty()) {
            err = "transformation {" + std::string(head) + "}: " + e;
            return false;
        }
    }
    return true;
}

}  // namespace

std::unique_ptr<PvSpec> parse_pv(std::string_view text, Registry& reg, size_t& used,
                                 std::string& err) {
    if (text.size() < 2 || text[0] != '$') {
        err = "not a pseudo-variable";
        return nullptr;
    }
    auto spec = std::make_unique<PvSpec>();
    std::string_view name, inner, rest;
    bool has_inner = false;
    size_t end;
    if (text[1] == '(') {
        // $(name(inner){tr}...[index])
        size_t close = find_close(text, 1);
        if (close == std::string_view::npos) {
            err = "unbalanced brackets in " + std::string(text);
            return nullptr;
        }
        std::string_view body = text.substr(2, close - 2);
        end = close + 1;
        size_t i = 0;
        while (i < body.size() && is_name_char(body[i])) ++i;
        name = body.substr(0, i);
        if (i < body.size() && body[i] == '(') {
            size_t c = find_close(body, i);
            if (c == std::string_view::npos) {
                err = "unbalanced brackets in " + std::string(text);
                return nullptr;
            }
            inner = body.substr(i + 1, c - i - 1);
            has_inner = true;
            i = c + 1;
        }
        rest = body.substr(i);
    } else if (text[1] == '?') {
        // $? is Kamailio's third spelling of $rc.
        name = text.substr(1, 1);
        end = 2;
    } else {
        size_t i = 1;
        while (i < text.size() && is_name_char(text[i])) ++i;
        name = text.substr(1, i - 1);
        if (i < text.size() && text[i] == '(') {
            size_t c = find_close(text, i);
            if (c == std::string_view::npos) {
                err = "unbalanced brackets in " + std::string(text);
                return nullptr;
            }
            inner = text.substr(i + 1, c - i - 1);
            has_inner = true;
            i = c + 1;
        }
        end = i;
    }
    if (name.empty()) {
        err = "missing pseudo-variable name in " + std::string(text.substr(0, end));
        return nullptr;
    }
    spec->text = std::string(text.substr(0, end));
    spec->def = reg.find_pv(name);
    if (!spec->def) {
        err = "unknown pseudo-variable $" + std::string(name);
        std::string_view near = closest_name(name, reg.pv_names());
        if (!near.empty()) err += " (did you mean $" + std::string(near) + "?)";
        return nullptr;
    }
    if (spec->def->needs_inner && !has_inner) {
        err = "$" + std::string(name) + " needs a name: $" + std::string(name) + "(...)";
        return nullptr;
    }
    if (has_inner && !spec->def->fixup) {
        err = "$" + std::string(name) + " takes no name";
        return nullptr;
    }
    spec->inner = std::string(inner);
    spec->ival = spec->def->ival;
    if (spec->def->fixup) {
        std::string e = spec->def->fixup(*spec, inner, reg);
        if (!e.empty()) {
            err = "bad pseudo-variable " + spec->text + ": " + e;
            return nullptr;
        }
    }
    // Transformations and index (only in the $(...) form).
    size_t i = 0;
    while (i < rest.size()) {
        char c = rest[i];
        if (c == '{') {
            size_t close = find_close(rest, i);
            if (close == std::string_view::npos) {
                err = "unbalanced transformation in " + spec->text;
                return nullptr;
            }
            TrStep step;
            if (!parse_tr(rest.substr(i + 1, close - i - 1), reg, step, err)) return nullptr;
            spec->trs.push_back(std::move(step));
            i = close + 1;
        } else if (c == '[') {
            size_t close = rest.find(']', i);
            if (close == std::string_view::npos) {
                err = "unbalanced index in " + spec->text;
                return nullptr;
            }
            std::string_view idx = rest.substr(i + 1, close - i - 1);
            if (!spec->def->indexed) {
                // Kamailio: 'pvar "var" does not get index param'.
                err = "$" + std::string(spec->def->name) + " takes no index: " + spec->text;
                return nullptr;
            }
            if (idx == "*") {
                spec->index.kind = PvIndex::Kind::All;
            } else if (!idx.empty() && idx[0] == '$') {
                std::string perr;
                spec->index.pv = parse_pv_exact(idx, reg, perr);
                if (!spec->index.pv) {
                    err = "bad index in " + spec->text + ": " + perr;
                    return nullptr;
                }
                spec->index.kind = PvIndex::Kind::Pv;
            } else {
                int32_t n;
                if (!str_to_int(idx, n)) {
                    err = "bad index in " + spec->text;
                    return nullptr;
                }
                spec->index.kind = PvIndex::Kind::Num;
                spec->index.n = n;
            }
            i = close + 1;
        } else {
            err = "unexpected '" + std::string(1, c) + "' in " + spec->text;
            return nullptr;
        }
    }
    // Constant transformation arguments point into the spec's text; re-point them at owned
    // copies so the views stay valid for the life of the spec.
    for (auto& step : spec->trs)
        for (auto& a : step.args)
            if (!a.pv && a.constant.is_str()) {
                a.storage = std::make_shared<std::string>(a.constant.s);
                a.constant.s = *a.storage;
            }
    used = end;
    return spec;
}

std::unique_ptr<PvSpec> parse_pv_exact(std::string_view text, Registry& reg, std::string& err) {
    size_t used = 0;
    auto spec = parse_pv(text, reg, used, err);
    if (spec && used != text.size()) {
        err = "unexpected text after " + spec->text;
        return nullptr;
    }
    return spec;
}

bool parse_format(std::string_view text, Registry& reg, Format& out, std::string& err) {
    out.segs.clear();
    std::string lit;
    size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c != '$') {
            lit += c;
            ++i;
            continue;
        }
        if (i + 1 < text.size() && text[i + 1] == '$') {
            lit += '$';
            i += 2;
            continue;
        }
        size_t used = 0;
        auto spec = parse_pv(text.substr(i), reg, used, err);
        if (!spec) {
            err = "bad format " + quote_for_message(text) + ": " + err;
            return false;
        }
        if (!lit.empty()) {
            out.segs.push_back({std::move(lit), nullptr});
            lit.clear();
        }
        out.segs.push_back({{}, std::move(spec)});
        i += used;
    }
    if (!lit.empty() || out.segs.empty()) out.segs.push_back({std::move(lit), nullptr});
    return true;
}

std::string_view value_text(Ctx& ctx, const Value& v) {
    if (v.is_str()) return v.s;
    if (v.is_int()) {
        char* buf = ctx.w.arena.alloc(12);
        return int_to_str(v.i, buf);
    }
    return "<null>";
}

namespace {

bool apply_trs(Ctx& ctx, const PvSpec& spec, Value& v) {
    Value args[4];
    for (const TrStep& step : spec.trs) {
        size_t n = step.args.size();
        for (size_t k = 0; k < n; ++k) {
            const TrArgSpec& a = step.args[k];
            if (a.pv) {
                Value av;
                if (!get_pv(ctx, *a.pv, av)) av = Value::of_str("");
                if (step.def->kinds[k] == TrArg::Int && !av.is_int()) {
                    int32_t x;
                    if (!str_to_int(av.s, x)) return false;
                    av = Value::of_int(x);
                } else if (step.def->kinds[k] == TrArg::Str && av.is_int()) {
                    av = Value::of_str(value_text(ctx, av));
                }
                args[k] = av;
            } else {
                args[k] = a.constant;
            }
        }
        std::span<const Value> sp(args, n);
        bool ok = step.def->fn_data ? step.def->fn_data(ctx, v, sp, ctx.w.arena, step.data.get())
                                    : step.def->fn(v, sp, ctx.w.arena);
        if (!ok) return false;
    }
    return true;
}

}  // namespace

bool get_pv(Ctx& ctx, const PvSpec& spec, Value& out, bool* tr_failed) {
    out = Value::null();
    if (!spec.def->get) return false;
    bool ok = spec.def->get(ctx, spec, out);
    if (!ok) out = Value::null();
    if (spec.trs.empty()) return ok;
    // Transformations run on null too (most fail on it); a failed transformation prints
    // as an empty string, not as <null> (observed).
    if (!apply_trs(ctx, spec, out)) {
        out = Value::of_str("");
        if (tr_failed) *tr_failed = true;
        return true;
    }
    return !out.is_null();
}

bool set_pv(Ctx& ctx, const PvSpec& spec, const Value& v) {
    if (!spec.def->set) return false;
    return spec.def->set(ctx, spec, v);
}

bool render(Ctx& ctx, const Format& fmt, std::string_view& out) {
    if (fmt.is_literal()) {
        out = fmt.literal();
        return true;
    }
    // Render into the arena directly: size the text first from the pieces.
    std::string_view parts[64];
    size_t np = fmt.segs.size();
    std::vector<std::string_view> big;
    std::string_view* p = parts;
    if (np > 64) {
        big.resize(np);
        p = big.data();
    }
    size_t total = 0;
    for (size_t i = 0; i < np; ++i) {
        const auto& seg = fmt.segs[i];
        if (!seg.pv) {
            p[i] = seg.literal;
        } else {
            Value v;
            if (get_pv(ctx, *seg.pv, v)) p[i] = value_text(ctx, v);
            else p[i] = "<null>";
        }
        total += p[i].size();
    }
    size_t limit = ctx.w.scratch.empty() ? 8192 : ctx.w.scratch.size();
    if (total > limit) {
        SLOG_ERR("core", "format result too long: %zu bytes, pv_buffer_size is %zu", total, limit);
        return false;
    }
    char* dst = ctx.w.arena.alloc(total);
    size_t off = 0;
    for (size_t i = 0; i < np; ++i) {
        if (!p[i].empty()) std::memcpy(dst + off, p[i].data(), p[i].size());
        off += p[i].size();
    }
    out = std::string_view(dst, total);
    return true;
}

}  // namespace siphon::pv
