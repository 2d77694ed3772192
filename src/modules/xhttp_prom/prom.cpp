#include "modules/xhttp_prom/prom.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

#include "modules/rpc/stats.h"

namespace siphon::modules {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool valid_name(std::string_view s) {
    if (s.empty()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

bool valid_label(std::string_view s) {
    if (s.empty() || s.substr(0, 2) == "__") return false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

bool parse_double(std::string_view s, double& out) {
    s = trim(s);
    if (s.empty()) return false;
    std::string t(s);
    char* end = nullptr;
    out = std::strtod(t.c_str(), &end);
    return *end == '\0' && std::isfinite(out);
}

// Shortest text that reads back as the same double; integral values without a fraction.
std::string fmt_double(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string fmt_le(double b) {
    // xhttp_prom prints bucket bounds with %f; dashboards built for it match on that text.
    char buf[64];
    std::snprintf(buf, sizeof buf, "%f", b);
    return buf;
}

int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::string timestamp(const PromOptions& o, int64_t now_ms) {
    char buf[48];
    if (o.timestamp_format == "s") {
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(now_ms / 1000));
    } else if (o.timestamp_format == "sf") {
        std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(now_ms / 1000),
                      static_cast<long long>(now_ms % 1000));
    } else {
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(now_ms));
    }
    return buf;
}

// {a="x",b="y"} from label names/values plus the global tags (and an extra pair).
std::string label_set(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      const PromOptions& o, std::string_view extra_name = {},
                      std::string_view extra_value = {}) {
    std::string s;
    auto add = [&](std::string_view n, std::string_view v) {
        s += s.empty() ? "{" : ",";
        s.append(n);
        s += "=\"";
        s += prom_label_value(v);
        s += '"';
    };
    for (size_t i = 0; i < names.size() && i < values.size(); ++i)
        add(names[i], values[i]);
    for (auto& [n, v] : o.tags)
        add(n, v);
    if (!extra_name.empty()) add(extra_name, extra_value);
    if (!s.empty()) s += '}';
    return s;
}

std::string_view kind_name(PromKind k) {
    switch (k) {
        case PromKind::Counter: return "counter";
        case PromKind::Gauge: return "gauge";
        default: return "histogram";
    }
}

}   // namespace

std::string prom_metric_name(std::string_view s) {
    std::string o(s);
    for (size_t i = 0; i < o.size(); ++i) {
        char c = o[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                  (c >= '0' && c <= '9');
        if (!ok) o[i] = '_';
    }
    if (o.empty() || (o[0] >= '0' && o[0] <= '9')) o.insert(o.begin(), '_');
    return o;
}

std::string prom_label_value(std::string_view s) {
    std::string o;
    o.reserve(s.size());
    for (char c : s) {
        if (c == '\\')
            o += "\\\\";
        else if (c == '"')
            o += "\\\"";
        else if (c == '\n')
            o += "\\n";
        else
            o += c;
    }
    return o;
}

std::string parse_prom_def(std::string_view text, PromKind kind, PromDef& out) {
    out = PromDef{};
    out.kind = kind;
    bool have_label = false, have_buckets = false;
    while (!text.empty()) {
        // Attributes are separated by ';'; a quoted help may contain ';'.
        size_t eq = text.find('=');
        if (eq == std::string_view::npos) {
            if (!trim(text).empty()) return "bad attribute \"" + std::string(trim(text)) + "\"";
            break;
        }
        std::string_view key = trim(text.substr(0, eq));
        text.remove_prefix(eq + 1);
        text = trim(text);
        std::string value;
        if (!text.empty() && (text.front() == '\'' || text.front() == '"')) {
            char q = text.front();
            size_t end = text.find(q, 1);
            if (end == std::string_view::npos) return "unterminated quote in " + std::string(key);
            value = std::string(text.substr(1, end - 1));
            text.remove_prefix(end + 1);
            size_t semi = text.find(';');
            text.remove_prefix(semi == std::string_view::npos ? text.size() : semi + 1);
        } else {
            size_t semi = text.find(';');
            value = std::string(trim(text.substr(0, semi)));
            text.remove_prefix(semi == std::string_view::npos ? text.size() : semi + 1);
        }
        if (key == "name") {
            if (!valid_name(value)) return "invalid metric name \"" + value + "\"";
            out.name = value;
        } else if (key == "label") {
            if (have_label) return "only one label attribute is allowed";
            have_label = true;
            std::string_view v = value;
            while (!v.empty()) {
                size_t c = v.find(':');
                std::string_view l = v.substr(0, c);
                if (!valid_label(l)) return "invalid label name \"" + std::string(l) + "\"";
                out.labels.emplace_back(l);
                v.remove_prefix(c == std::string_view::npos ? v.size() : c + 1);
            }
            if (out.labels.size() > 3) return "at most three labels are allowed";
        } else if (key == "buckets" && kind == PromKind::Histogram) {
            have_buckets = true;
            std::string_view v = value;
            while (!v.empty()) {
                size_t c = v.find(':');
                double b;
                if (!parse_double(v.substr(0, c), b))
                    return "bad bucket value in \"" + value + "\"";
                if (!out.buckets.empty() && b <= out.buckets.back())
                    return "bucket values must increase";
                out.buckets.push_back(b);
                v.remove_prefix(c == std::string_view::npos ? v.size() : c + 1);
            }
            if (out.buckets.empty()) return "at least one bucket value is needed";
        } else if (key == "help") {
            for (char ch : value)
                if (ch == '\n') return "help must be one line";
            out.help = value;
        } else {
            return "unknown attribute \"" + std::string(key) + "\"";
        }
    }
    if (out.name.empty()) return "the name attribute is mandatory";
    if (kind == PromKind::Histogram) {
        for (auto& l : out.labels)
            if (l == "le") return "a histogram cannot have a label named le";
        if (!have_buckets) out.buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    }
    return "";
}

std::string parse_prom_tags(std::string_view text,
                            std::vector<std::pair<std::string, std::string>>& out) {
    out.clear();
    while (!text.empty()) {
        size_t comma = text.find(',');
        std::string_view kv = trim(text.substr(0, comma));
        text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
        if (kv.empty()) continue;
        size_t eq = kv.find('=');
        if (eq == std::string_view::npos)
            return "tag \"" + std::string(kv) + "\" is not name=value";
        std::string_view k = trim(kv.substr(0, eq)), v = trim(kv.substr(eq + 1));
        if (!valid_label(k)) return "invalid tag name \"" + std::string(k) + "\"";
        if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
            v = v.substr(1, v.size() - 2);
        out.emplace_back(k, v);
    }
    return "";
}

std::string PromMetrics::declare(PromDef def) {
    for (auto& m : metrics_)
        if (m->def.name == def.name) return "metric \"" + def.name + "\" is declared twice";
    auto m = std::make_unique<Metric>();
    m->def = std::move(def);
    metrics_.push_back(std::move(m));
    return "";
}

PromMetrics::Metric* PromMetrics::find(std::string_view name, PromKind kind,
                                       const std::vector<std::string>& lv, std::string& err) {
    for (auto& m : metrics_)
        if (m->def.name == name) {
            if (m->def.kind != kind) {
                err =
                    "metric " + std::string(name) + " is a " + std::string(kind_name(m->def.kind));
                return nullptr;
            }
            if (m->def.labels.size() != lv.size()) {
                err = "metric " + std::string(name) + " takes " +
                      std::to_string(m->def.labels.size()) + " label values, got " +
                      std::to_string(lv.size());
                return nullptr;
            }
            return m.get();
        }
    err = "metric " + std::string(name) + " is not declared";
    return nullptr;
}

PromMetrics::Series& PromMetrics::series_of(Metric& m, const std::vector<std::string>& lv) {
    for (auto& s : m.series)
        if (s->lv == lv) {
            s->last_used = steady_ms();
            return *s;
        }
    auto s = std::make_unique<Series>();
    s->lv = lv;
    if (m.def.kind == PromKind::Histogram) s->buckets.assign(m.def.buckets.size() + 1, 0);
    s->last_used = steady_ms();
    m.series.push_back(std::move(s));
    return *m.series.back();
}

std::string PromMetrics::counter_inc(std::string_view name, int64_t n,
                                     const std::vector<std::string>& lv) {
    if (n < 0) return "counter increment must not be negative";
    std::string err;
    Metric* m = find(name, PromKind::Counter, lv, err);
    if (!m) return err;
    std::lock_guard lk(m->mu);
    series_of(*m, lv).ivalue += n;
    return "";
}

std::string PromMetrics::counter_reset(std::string_view name, const std::vector<std::string>& lv) {
    std::string err;
    Metric* m = find(name, PromKind::Counter, lv, err);
    if (!m) return err;
    std::lock_guard lk(m->mu);
    series_of(*m, lv).ivalue = 0;
    return "";
}

std::string PromMetrics::gauge_set(std::string_view name, double v,
                                   const std::vector<std::string>& lv) {
    std::string err;
    Metric* m = find(name, PromKind::Gauge, lv, err);
    if (!m) return err;
    std::lock_guard lk(m->mu);
    series_of(*m, lv).dvalue = v;
    return "";
}

std::string PromMetrics::gauge_inc(std::string_view name, double v,
                                   const std::vector<std::string>& lv) {
    std::string err;
    Metric* m = find(name, PromKind::Gauge, lv, err);
    if (!m) return err;
    std::lock_guard lk(m->mu);
    series_of(*m, lv).dvalue += v;
    return "";
}

std::string PromMetrics::gauge_reset(std::string_view name, const std::vector<std::string>& lv) {
    return gauge_set(name, 0, lv);
}

std::string PromMetrics::histogram_observe(std::string_view name, double v,
                                           const std::vector<std::string>& lv) {
    std::string err;
    Metric* m = find(name, PromKind::Histogram, lv, err);
    if (!m) return err;
    std::lock_guard lk(m->mu);
    Series& s = series_of(*m, lv);
    size_t i = 0;
    while (i < m->def.buckets.size() && v > m->def.buckets[i])
        ++i;
    ++s.buckets[i];
    s.sum += v;
    ++s.count;
    return "";
}

std::string PromMetrics::render_user(const PromOptions& o, int64_t now_ms) {
    std::string out;
    std::string ts = " " + timestamp(o, now_ms);
    int64_t now_steady = steady_ms();
    for (auto& mp : metrics_) {
        Metric& m = *mp;
        std::lock_guard lk(m.mu);
        // xhttp_prom_timeout: series not used for that long are dropped.
        if (o.timeout_ms > 0) {
            std::erase_if(m.series, [&](const std::unique_ptr<Series>& s) {
                return now_steady - s->last_used > o.timeout_ms;
            });
        }
        if (m.series.empty()) continue;
        std::string name = o.prefix + m.def.name;
        if ((o.metadata_flags & 2) && !m.def.help.empty())
            out += "# HELP " + name + " " + m.def.help + "\n";
        if (o.metadata_flags & 1)
            out += "# TYPE " + name + " " + std::string(kind_name(m.def.kind)) + "\n";
        for (auto& sp : m.series) {
            Series& s = *sp;
            switch (m.def.kind) {
                case PromKind::Counter:
                    out += name + label_set(m.def.labels, s.lv, o) + " " +
                           std::to_string(s.ivalue) + ts + "\n";
                    break;
                case PromKind::Gauge:
                    out += name + label_set(m.def.labels, s.lv, o) + " " + fmt_double(s.dvalue) +
                           ts + "\n";
                    break;
                case PromKind::Histogram: {
                    uint64_t cum = 0;
                    for (size_t i = 0; i <= m.def.buckets.size(); ++i) {
                        cum += s.buckets[i];
                        std::string le =
                            i < m.def.buckets.size() ? fmt_le(m.def.buckets[i]) : "+Inf";
                        out += name + "_bucket" + label_set(m.def.labels, s.lv, o, "le", le) + " " +
                               std::to_string(cum) + ts + "\n";
                    }
                    out += name + "_sum" + label_set(m.def.labels, s.lv, o) + " " +
                           fmt_double(s.sum) + ts + "\n";
                    out += name + "_count" + label_set(m.def.labels, s.lv, o) + " " +
                           std::to_string(s.count) + ts + "\n";
                    break;
                }
            }
        }
    }
    return out;
}

std::string PromMetrics::render(const PromOptions& o, rpc::Stats* stats, int64_t uptime_s,
                                int64_t now_ms) {
    std::string out;
    std::string user = render_user(o, now_ms);
    std::set<std::string> names;
    for (auto& m : metrics_)
        names.insert(o.prefix + m->def.name);
    if (!user.empty()) out += "# User defined metrics\n" + user;
    std::string ts = " " + timestamp(o, now_ms);
    std::string tags = label_set({}, {}, o);
    if (o.uptime_stat) {
        if (!out.empty()) out += "\n";
        out += "# Uptime (in seconds)\n";
        out += prom_metric_name(o.prefix + "uptime") + tags + " " + std::to_string(uptime_s) + ts +
               "\n";
        names.insert(prom_metric_name(o.prefix + "uptime"));
    }
    if (stats && !o.stats.empty()) {
        std::vector<rpc::Stat*> sel;
        std::set<rpc::Stat*> seen;
        bool all = false;
        for (auto& spec : o.stats) {
            if (spec == "all") all = true;
            for (rpc::Stat* s : stats->select(spec))
                if (seen.insert(s).second) sel.push_back(s);
        }
        if (!sel.empty()) {
            if (!out.empty()) out += "\n";
            out +=
                all ? "# Kamailio whole internal statistics\n" : "# Kamailio internal statistics\n";
            for (rpc::Stat* s : sel) {
                std::string n = prom_metric_name(o.prefix + s->group() + "_" + s->name());
                // Each name once: a user metric of the same name wins.
                if (!names.insert(n).second) continue;
                out += n + tags + " " + std::to_string(s->get()) + ts + "\n";
            }
        }
    }
    return out;
}

}   // namespace siphon::modules
