// Source positions and the diagnostics sink of the config front end. Every error is reported
// as "file:line:col: message"; the sink collects all of them so `siphon -c` can list them at
// once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace siphon::cfg {

struct SourcePos {
    uint32_t file = 0;  // index into SourceSet
    uint32_t line = 0;  // 1-based; 0 = unknown
    uint32_t col = 0;   // 1-based
};

// The files read while loading a config (the main file and everything it includes). Owns
// their text; token views into it stay valid as long as the SourceSet lives.
class SourceSet {
public:
    uint32_t add(std::string name, std::string text) {
        files_.push_back(std::make_unique<File>(File{std::move(name), std::move(text)}));
        return static_cast<uint32_t>(files_.size() - 1);
    }
    const std::string& name(uint32_t id) const { return files_.at(id)->name; }
    const std::string& text(uint32_t id) const { return files_.at(id)->text; }
    // The text of line `line` of file `id` (without newline), for caret display.
    std::string_view line_text(uint32_t id, uint32_t line) const;
    size_t size() const { return files_.size(); }

private:
    struct File {
        std::string name;
        std::string text;
    };
    std::vector<std::unique_ptr<File>> files_;
};

struct Diagnostic {
    enum class Severity : uint8_t { Error, Warning };
    Severity severity = Severity::Error;
    SourcePos pos;
    std::string message;
};

class Diagnostics {
public:
    void error(SourcePos pos, std::string msg) {
        list_.push_back({Diagnostic::Severity::Error, pos, std::move(msg)});
        ++errors_;
    }
    void warning(SourcePos pos, std::string msg) {
        list_.push_back({Diagnostic::Severity::Warning, pos, std::move(msg)});
    }
    size_t error_count() const { return errors_; }
    const std::vector<Diagnostic>& list() const { return list_; }
    // "file:line:col: error: message" lines (warnings say "warning:"), each followed by the
    // source line and a caret when the position is known. Text is printed verbatim.
    std::string format(const SourceSet& src, bool with_source_lines = true) const;

private:
    std::vector<Diagnostic> list_;
    size_t errors_ = 0;
};

}  // namespace siphon::cfg
