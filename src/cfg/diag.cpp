// Source line lookup and diagnostic formatting of the config front end.
#include "cfg/diag.h"

#include <algorithm>
#include <cstring>

namespace siphon::cfg {

namespace {

// Source lines longer than this are shown as a window around the column so that a diagnostic
// about a huge (e.g. binary) line stays readable.
constexpr size_t kMaxShownLine = 240;
constexpr size_t kWindowBefore = 80;

// Byte offsets of the start of every line of `text` (line 1 at index 0).
std::vector<size_t> line_starts(const std::string& text) {
    std::vector<size_t> starts{0};
    const char* base = text.data();
    const char* p = base;
    const char* end = base + text.size();
    while (p < end) {
        const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
        if (nl == nullptr) break;
        p = static_cast<const char*>(nl) + 1;
        starts.push_back(static_cast<size_t>(p - base));
    }
    return starts;
}

std::string_view line_at(const std::string& text, const std::vector<size_t>& starts,
                         uint32_t line) {
    if (line == 0 || line > starts.size()) return {};
    size_t b = starts[line - 1];
    size_t e = line < starts.size() ? starts[line] - 1 : text.size();
    std::string_view v(text.data() + b, e - b);
    if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
    return v;
}

}  // namespace

std::string_view SourceSet::line_text(uint32_t id, uint32_t line) const {
    if (id >= files_.size() || line == 0) return {};
    const std::string& text = files_[id]->text;
    size_t pos = 0;
    for (uint32_t l = 1; l < line; ++l) {
        const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
        if (nl == nullptr) return {};
        pos = static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1;
    }
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view v(text.data() + pos, end - pos);
    if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
    return v;
}

std::string Diagnostics::format(const SourceSet& src, bool with_source_lines) const {
    std::string out;
    // Line tables are built once per file on demand: a config with many diagnostics must not
    // rescan its text for every one of them.
    std::vector<std::vector<size_t>> tables(src.size());
    for (const Diagnostic& d : list_) {
        bool known_file = d.pos.file < src.size();
        if (known_file) {
            out += src.name(d.pos.file);
            if (d.pos.line != 0) {
                out += ':';
                out += std::to_string(d.pos.line);
                if (d.pos.col != 0) {
                    out += ':';
                    out += std::to_string(d.pos.col);
                }
            }
            out += ": ";
        }
        out += d.severity == Diagnostic::Severity::Error ? "error: " : "warning: ";
        out += d.message;
        out += '\n';
        if (!with_source_lines || !known_file || d.pos.line == 0) continue;

        std::vector<size_t>& starts = tables[d.pos.file];
        if (starts.empty()) starts = line_starts(src.text(d.pos.file));
        std::string_view line = line_at(src.text(d.pos.file), starts, d.pos.line);
        if (line.empty() && d.pos.line > starts.size()) continue;

        size_t caret = d.pos.col != 0 ? d.pos.col - 1 : 0;
        std::string prefix;
        if (line.size() > kMaxShownLine) {
            size_t from = caret > kWindowBefore ? caret - kWindowBefore : 0;
            from = std::min(from, line.size());
            line = line.substr(from, kMaxShownLine);
            if (from > 0) prefix = "...";
            caret = caret - from + prefix.size();
        }
        out += prefix;
        out += line;
        out += '\n';
        if (d.pos.col == 0) continue;
        std::string shown = prefix + std::string(line);
        for (size_t k = 0; k < caret; ++k) out += k < shown.size() && shown[k] == '\t' ? '\t' : ' ';
        out += "^\n";
    }
    return out;
}

}  // namespace siphon::cfg
