// Lexer and preprocessor of the Kamailio config language.
//
// The input is scanned in one pass with the preprocessor state (defines, #!subst rules, the
// #!ifdef stack) evolving as text is read, like Kamailio's scanner does:
//  * Directives (#!define, #!ifdef, ... or !!define ...) are recognised wherever a token may
//    start; a '#' that starts no directive is a line comment.
//  * Inside a false #!ifdef branch the text is scanned byte by byte for #!ifdef, #!ifndef,
//    #!else and #!endif only, without regard to strings or comments (a "#!endif" inside a
//    comment of a skipped region does close it in Kamailio too).
//  * #!subst / #!substdef rules rewrite the text of string literals and pseudo-variables (and
//    include file names), which is where Kamailio applies them; identifiers are replaced by
//    the define that #!substdef also creates.
//  * A define use is replaced by the tokens of its value, lexed on the spot with the current
//    state; the tokens carry the use site's position.
//  * include_file / import_file lex the named file in place.
#include "cfg/lexer.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
// GCC 12 reports a false -Wmaybe-uninitialized inside libstdc++'s regex compiler (its
// std::function-holding NFA states) under optimisation and sanitizers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <regex>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace siphon::cfg {

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxIncludeDepth = 16;
// Nesting of define uses inside define values; also bounds the recursion of the lexer.
constexpr size_t kMaxDefineDepth = 64;
// Tokens produced by define expansion over the whole config; stops exponential blow-up.
constexpr size_t kMaxExpandedTokens = 1'000'000;
// #!subst regexes run on std::regex; these bounds keep compile and match cost reasonable.
constexpr size_t kMaxRegexLen = 1024;
constexpr uint64_t kMaxRegexRepeat = 10'000;
constexpr size_t kMaxSubstSubject = 64 * 1024;
constexpr uintmax_t kMaxFileSize = 64u << 20;

bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(int c) { return c >= '0' && c <= '9'; }
bool is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_ident_start(int c) { return is_alpha(c) || c == '_'; }
bool is_ident_char(int c) { return is_ident_start(c) || is_digit(c); }
// Blanks that separate tokens on a line (Kamailio also eats '\b').
bool is_blank(int c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\b' || c == '\f' || c == '\v';
}
int hex_val(int c) {
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
}

std::string describe_byte(int c) {
    if (c >= 0x21 && c < 0x7f) return std::string("unexpected character '") + char(c) + "'";
    static const char kHex[] = "0123456789ABCDEF";
    std::string s = "unexpected byte 0x";
    s += kHex[(c >> 4) & 0xf];
    s += kHex[c & 0xf];
    return s;
}

// Reads a whole regular file. On failure returns false and, if `why` is given, a short reason.
bool read_file_text(const std::string& path, std::string& out, std::string* why = nullptr) {
    auto fail = [&](std::string reason) {
        if (why != nullptr) *why = std::move(reason);
        return false;
    };
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec) return fail(ec.message());
    if (!fs::is_regular_file(st)) return fail("not a regular file");
    uintmax_t size = fs::file_size(path, ec);
    if (ec) return fail(ec.message());
    if (size > kMaxFileSize) return fail("file too large");
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot be read");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return fail("read error");
    out = std::move(ss).str();
    return true;
}

std::string dir_of(const std::string& path) { return fs::path(path).parent_path().string(); }

std::string canonical_of(const std::string& path) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(fs::path(path), ec);
    if (ec) return fs::path(path).lexically_normal().string();
    return p.string();
}

// Replaces every "$env(NAME)" in `s` by the value of environment variable NAME (empty when
// unset), the one pseudo-variable that is meaningful while the config is read.
std::string expand_env(std::string_view s) {
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
        if (s.compare(i, 5, "$env(") == 0) {
            size_t close = s.find(')', i + 5);
            if (close != std::string_view::npos) {
                std::string name(s.substr(i + 5, close - i - 5));
                if (const char* v = std::getenv(name.c_str())) out += v;
                i = close + 1;
                continue;
            }
        }
        out += s[i++];
    }
    return out;
}

// Rough cost estimate of a regex for std::regex, whose automaton grows with the product of
// bounded repetition counts. Rejects patterns that would take too long to compile or run.
bool regex_too_complex(std::string_view re) {
    if (re.size() > kMaxRegexLen) return true;
    uint64_t product = 1;
    for (size_t i = 0; i < re.size(); ++i) {
        if (re[i] == '\\') {
            ++i;
            continue;
        }
        if (re[i] != '{') continue;
        uint64_t n = 0;
        size_t j = i + 1;
        bool any = false;
        while (j < re.size() && (is_digit(re[j]) || re[j] == ',')) {
            if (re[j] == ',') {
                n = 0;
            } else {
                n = std::min<uint64_t>(n * 10 + uint64_t(re[j] - '0'), kMaxRegexRepeat + 1);
                any = true;
            }
            ++j;
        }
        if (!any) continue;
        product *= std::max<uint64_t>(n, 1);
        if (product > kMaxRegexRepeat) return true;
    }
    return false;
}

struct Define {
    std::string value;
};

// One piece of a #!subst replacement: literal text, or the text of a regex group.
struct ReplPart {
    std::string text;
    int group = -1;
};

struct SubstRule {
    std::regex re;
    std::vector<ReplPart> repl;
    bool global = false;
};

// An input being lexed: a file, or the value of a define being expanded (a "macro" frame).
struct Frame {
    uint32_t file = 0;     // SourceSet id; for macro frames the file of the use site
    std::string_view text;
    std::string owned;     // the define value a macro frame reads (text views it)
    size_t i = 0;
    uint32_t line = 1;
    uint32_t col = 1;
    const std::string* dir = nullptr;  // directory relative includes are resolved against
    size_t no_ipv4_until = 0;  // inside a dotted digit run that is not an IPv4 address
    // Macro frames: all tokens and diagnostics take the use site's position.
    bool macro = false;
    SourcePos use_pos;
    SourcePos use_end;
    bool use_space = false;
    bool use_line_start = false;
    bool emitted = false;
    // Separation state for Token::space_before / line_start.
    bool space = true;
    uint32_t last_line = 0;

    bool eof() const { return i >= text.size(); }
    int at(size_t k = 0) const {
        return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : -1;
    }
    SourcePos here() const { return macro ? use_pos : SourcePos{file, line, col}; }
    void bump() {
        if (i >= text.size()) return;
        if (text[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
        ++i;
    }
    void bump(size_t n) {
        while (n-- > 0 && i < text.size()) bump();
    }
    // Length of a line break at offset k ("\n" or "\r\n"), 0 if none.
    size_t newline_len(size_t k = 0) const {
        if (at(k) == '\n') return 1;
        if (at(k) == '\r' && at(k + 1) == '\n') return 2;
        return 0;
    }
};

enum class Dir {
    None,
    Define,
    TryDef,
    Redef,
    Ifdef,
    Ifndef,
    Else,
    Endif,
    Subst,
    SubstDef,
    SubstDefs,
    DefEnv,
    DefEnvs,
    TryDefEnv,
    TryDefEnvs,
    Include,
    Import,
};

Dir directive_of(std::string_view w) {
    static const std::unordered_map<std::string_view, Dir> kWords = {
        {"define", Dir::Define},         {"def", Dir::Define},
        {"trydefine", Dir::TryDef},      {"trydef", Dir::TryDef},
        {"redefine", Dir::Redef},        {"redef", Dir::Redef},
        {"ifdef", Dir::Ifdef},           {"ifndef", Dir::Ifndef},
        {"else", Dir::Else},             {"endif", Dir::Endif},
        {"subst", Dir::Subst},           {"substdef", Dir::SubstDef},
        {"substdefs", Dir::SubstDefs},   {"defenv", Dir::DefEnv},
        {"defenvs", Dir::DefEnvs},       {"trydefenv", Dir::TryDefEnv},
        {"trydefenvs", Dir::TryDefEnvs}, {"include_file", Dir::Include},
        {"import_file", Dir::Import},
    };
    auto it = kWords.find(w);
    return it == kWords.end() ? Dir::None : it->second;
}

class Lexer {
public:
    Lexer(const LexOptions& opt, SourceSet& src, Diagnostics& diag)
        : opt_(opt), src_(src), diag_(diag) {}

    std::vector<Token> run(const std::string& path, const std::string* text_override);

private:
    struct Cond {
        bool value = false;
        bool seen_else = false;
        SourcePos pos;
        std::string spelling;  // "#!ifdef", "!!ifndef", ... for messages
    };

    bool skipping() const { return false_conds_ > 0; }
    void error(SourcePos p, std::string msg) { diag_.error(p, std::move(msg)); }

    void lex_frame(Frame& f);
    void lex_token(Frame& f);
    void lex_word(Frame& f, SourcePos start);
    void lex_number(Frame& f, SourcePos start);
    void lex_pv(Frame& f, SourcePos start);
    void lex_punct(Frame& f, SourcePos start);
    bool read_string(Frame& f, std::string& out);
    void skip_line(Frame& f);
    void skip_block_comment(Frame& f);
    void skip_blanks(Frame& f);
    void emit(Frame& f, Token t, SourcePos start);
    void take_flags(Frame& f, SourcePos start, SourcePos end, bool& space, bool& line_start);

    bool try_directive(Frame& f, bool in_skipped_region);
    void do_define(Frame& f, Dir d, std::string_view word);
    void do_ifdef(Frame& f, Dir d, SourcePos pos, std::string spelling);
    void do_else(SourcePos pos);
    void do_endif(SourcePos pos);
    void do_subst(Frame& f, Dir d, std::string_view word, SourcePos pos);
    void do_defenv(Frame& f, Dir d, std::string_view word);
    void do_include(Frame& f, SourcePos pos, bool import);
    std::string read_define_value(Frame& f);

    void set_define(SourcePos pos, Dir mode, const std::string& name, std::string value);
    bool is_defined(const std::string& name) const { return defines_.count(name) != 0; }
    void expand(Frame& f, const std::string& name, SourcePos start);

    bool add_subst(const std::string& expr, SourcePos pos, Dir d);
    void apply_substs(std::string& s, SourcePos pos);

    const LexOptions& opt_;
    SourceSet& src_;
    Diagnostics& diag_;
    std::vector<Token> out_;
    std::unordered_map<std::string, Define> defines_;
    std::vector<SubstRule> substs_;
    std::vector<Cond> conds_;
    size_t false_conds_ = 0;
    std::vector<std::string> include_stack_;  // canonical paths of the files being lexed
    std::vector<std::string> define_stack_;   // names of the defines being expanded
    size_t expanded_ = 0;
    bool expansion_limit_reported_ = false;
    bool subst_limit_reported_ = false;
};

std::vector<Token> Lexer::run(const std::string& path, const std::string* text_override) {
    uint32_t id;
    if (text_override != nullptr) {
        id = src_.add(path, *text_override);
    } else {
        std::string text;
        std::string why;
        if (read_file_text(path, text, &why)) {
            id = src_.add(path, std::move(text));
        } else {
            id = src_.add(path, "");
            error(SourcePos{id, 0, 0}, "cannot open config file: " + why);
        }
    }

    for (const std::string& name : opt_.predefined) defines_.try_emplace(name);
    std::unordered_set<std::string> from_cmdline;
    for (const auto& [name, value] : opt_.defines) {
        if (!from_cmdline.insert(name).second) {
            error(SourcePos{id, 0, 0}, "already defined: " + name);
            continue;
        }
        defines_[name].value = value;
    }

    Frame f;
    f.file = id;
    f.text = src_.text(id);
    std::string dir = dir_of(path);
    f.dir = &dir;
    include_stack_.push_back(canonical_of(path));
    lex_frame(f);
    include_stack_.pop_back();

    for (const Cond& c : conds_) {
        error(c.pos, "unterminated " + c.spelling + " (missing #!endif)");
    }

    Token end;
    end.kind = Tok::End;
    end.pos = f.here();
    end.end = end.pos;
    end.space_before = true;
    end.line_start = true;
    out_.push_back(std::move(end));
    return std::move(out_);
}

void Lexer::lex_frame(Frame& f) {
    while (!f.eof()) {
        if (skipping()) {
            int c = f.at();
            if ((c == '#' || c == '!') && f.at(1) == '!' && try_directive(f, true)) continue;
            f.bump();
            continue;
        }
        int c = f.at();
        if (c == '\n' || is_blank(c)) {
            f.bump();
            f.space = true;
            continue;
        }
        if (c == '\\' && f.newline_len(1) != 0) {  // escaped line break outside strings
            f.bump(1 + f.newline_len(1));
            f.space = true;
            continue;
        }
        if ((c == '#' || c == '!') && f.at(1) == '!' && try_directive(f, false)) {
            f.space = true;
            continue;
        }
        if (c == '#' || (c == '/' && f.at(1) == '/')) {
            skip_line(f);
            continue;
        }
        if (c == '/' && f.at(1) == '*') {
            skip_block_comment(f);
            continue;
        }
        lex_token(f);
    }
}

void Lexer::skip_line(Frame& f) {
    while (!f.eof() && f.at() != '\n') f.bump();
    f.space = true;
}

void Lexer::skip_blanks(Frame& f) {
    while (is_blank(f.at())) f.bump();
}

void Lexer::skip_block_comment(Frame& f) {
    SourcePos start = f.here();
    f.bump(2);
    f.space = true;
    while (!f.eof()) {
        if (f.at() == '*' && f.at(1) == '/') {
            f.bump(2);
            return;
        }
        f.bump();
    }
    error(start, "unterminated comment");
}

void Lexer::take_flags(Frame& f, SourcePos start, SourcePos end, bool& space, bool& line_start) {
    if (f.macro) {
        space = f.emitted ? f.space : f.use_space;
        line_start = f.emitted ? false : f.use_line_start;
        f.emitted = true;
    } else {
        space = f.space;
        line_start = start.line != f.last_line;
        f.last_line = end.line;
    }
    f.space = false;
}

void Lexer::emit(Frame& f, Token t, SourcePos start) {
    SourcePos end = f.here();
    take_flags(f, start, end, t.space_before, t.line_start);
    t.pos = f.macro ? f.use_pos : start;
    t.end = f.macro ? f.use_end : end;
    if (f.macro) ++expanded_;

    // `loadmodule "path/name.so"` makes MOD_name defined for the rest of the config.
    if (t.kind == Tok::String && !out_.empty() && out_.back().kind == Tok::Ident &&
        out_.back().text == "loadmodule") {
        std::string_view name = t.text;
        size_t slash = name.rfind('/');
        if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
        if (name.size() > 3 && name.substr(name.size() - 3) == ".so") name.remove_suffix(3);
        if (!name.empty()) defines_.try_emplace("MOD_" + std::string(name));
    }
    out_.push_back(std::move(t));
}

void Lexer::lex_token(Frame& f) {
    SourcePos start = f.here();
    int c = f.at();
    if (is_ident_start(c)) return lex_word(f, start);
    if (is_digit(c)) return lex_number(f, start);
    if (c == '"' || c == '\'') {
        Token t;
        t.kind = Tok::String;
        read_string(f, t.text);
        apply_substs(t.text, start);
        return emit(f, std::move(t), start);
    }
    if (c == '$') return lex_pv(f, start);
    lex_punct(f, start);
}

void Lexer::lex_word(Frame& f, SourcePos start) {
    size_t b = f.i;
    while (is_ident_char(f.at())) f.bump();
    std::string word(f.text.substr(b, f.i - b));

    if (word == "include_file" || word == "import_file") {
        do_include(f, start, word == "import_file");
        f.space = true;
        return;
    }
    if (is_defined(word)) return expand(f, word, start);

    // Host-like names: "sip.example.com" is one identifier. A component that is a define
    // name ends the identifier so that the define is still replaced ("sip.DOMAIN").
    if (is_alpha(word[0])) {
        while (f.at() == '.' && is_ident_char(f.at(1))) {
            size_t k = 1;
            while (is_ident_char(f.at(k))) ++k;
            std::string_view comp = f.text.substr(f.i + 1, k - 1);
            if (is_ident_start(comp[0]) && is_defined(std::string(comp))) break;
            word += f.text.substr(f.i, k);
            f.bump(k);
        }
    }
    Token t;
    t.kind = Tok::Ident;
    t.text = std::move(word);
    emit(f, std::move(t), start);
}

void Lexer::lex_number(Frame& f, SourcePos start) {
    // An IPv4 address: exactly four dot-separated runs of digits.
    size_t k = 0;
    int parts = 0;
    for (;;) {
        size_t d = k;
        while (is_digit(f.at(k))) ++k;
        if (k == d) break;
        ++parts;
        if (f.at(k) == '.' && is_digit(f.at(k + 1))) {
            ++k;
            continue;
        }
        break;
    }
    if (parts > 1 && parts != 4) f.no_ipv4_until = f.i + k;
    if (parts == 4 && f.i >= f.no_ipv4_until && !is_ident_char(f.at(k))) {
        Token t;
        t.kind = Tok::Ipv4;
        t.text = std::string(f.text.substr(f.i, k));
        f.bump(k);
        return emit(f, std::move(t), start);
    }

    size_t n = 0;
    while (is_ident_char(f.at(n))) ++n;
    std::string_view w = f.text.substr(f.i, n);
    size_t len = 0;
    int base = 10;
    size_t digits_from = 0;
    bool bad_octal = false;
    if (w.size() > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X') && is_hex(w[2])) {
        len = 2;
        while (len < w.size() && is_hex(w[len])) ++len;
        base = 16;
        digits_from = 2;
    } else if (w.size() >= 2 && w.back() == 'b' &&
               w.find_first_not_of("01") == w.size() - 1) {
        len = w.size();
        base = 2;
    } else {
        while (len < w.size() && is_digit(w[len])) ++len;
        if (len > 1 && w[0] == '0') {
            base = 8;
            bad_octal = w.substr(0, len).find_first_of("89") != std::string_view::npos;
            if (bad_octal) base = 10;
        }
    }
    std::string_view digits = w.substr(digits_from, len - digits_from);
    if (base == 2) digits.remove_suffix(1);
    // Values beyond int64 saturate; the parser range-checks against the 32-bit script range.
    uint64_t v = 0;
    bool overflow = false;
    for (char ch : digits) {
        uint64_t dv = static_cast<uint64_t>(hex_val(static_cast<unsigned char>(ch)));
        if (v > (static_cast<uint64_t>(INT64_MAX) - dv) / static_cast<uint64_t>(base)) {
            overflow = true;
            break;
        }
        v = v * static_cast<uint64_t>(base) + dv;
    }
    Token t;
    t.kind = Tok::Int;
    t.text = std::string(w.substr(0, len));
    t.ival = overflow ? INT64_MAX : static_cast<int64_t>(v);
    if (bad_octal) error(start, "invalid octal number: " + t.text);
    f.bump(len);
    emit(f, std::move(t), start);
}

bool Lexer::read_string(Frame& f, std::string& out) {
    SourcePos start = f.here();
    int quote = f.at();
    f.bump();
    for (;;) {
        if (f.eof()) {
            error(start, "unterminated string");
            return false;
        }
        int c = f.at();
        if (c == quote) {
            f.bump();
            return true;
        }
        // Single-quoted strings are raw; double-quoted ones decode Kamailio's escapes and keep
        // the backslash of any other sequence ("\d" stays "\d", useful in regexes).
        if (quote == '"' && c == '\\') {
            int n = f.at(1);
            switch (n) {
                case 'n': out += '\n'; f.bump(2); continue;
                case 'r': out += '\r'; f.bump(2); continue;
                case 't': out += '\t'; f.bump(2); continue;
                case 'a': out += '\a'; f.bump(2); continue;
                case '"': out += '"'; f.bump(2); continue;
                case '\\': out += '\\'; f.bump(2); continue;
                case '\n': f.bump(2); continue;
                default: break;
            }
            if (n == '\r' && f.at(2) == '\n') {
                f.bump(3);
                continue;
            }
            if (n == 'x' && is_hex(f.at(2))) {
                int v = hex_val(f.at(2));
                size_t used = 3;
                if (is_hex(f.at(3))) {
                    v = v * 16 + hex_val(f.at(3));
                    used = 4;
                }
                out += static_cast<char>(v);
                f.bump(used);
                continue;
            }
            // Octal needs at least two digits: "\1" is left alone for regex back-references.
            auto is_oct = [](int ch) { return ch >= '0' && ch <= '7'; };
            if (is_oct(n) && is_oct(f.at(2))) {
                int v = (n - '0') * 8 + (f.at(2) - '0');
                size_t used = 3;
                if (is_oct(f.at(3))) {
                    v = v * 8 + (f.at(3) - '0');
                    used = 4;
                }
                out += static_cast<char>(v & 0xff);
                f.bump(used);
                continue;
            }
        }
        out += static_cast<char>(c);
        f.bump();
    }
}

void Lexer::lex_pv(Frame& f, SourcePos start) {
    int n = f.at(1);
    size_t len = 0;
    size_t paren = 0;  // offset of the '(' that opens a balanced part, 0 if none
    if (n == '$' || n == '?') {
        len = 2;
    } else if (n == '(') {
        paren = 1;
    } else if (is_ident_char(n)) {
        size_t k = 1;
        while (is_ident_char(f.at(k))) ++k;
        if (f.at(k) == '(') {
            paren = k;
        } else {
            len = k;
        }
    } else {
        error(start, "invalid pseudo-variable: '$' must be followed by a name or '('");
        Token t;
        t.kind = Tok::Unknown;
        t.text = "$";
        f.bump();
        return emit(f, std::move(t), start);
    }
    if (paren != 0) {
        // Like Kamailio, only parentheses are counted; the text inside (transformations,
        // indexes, quotes) is taken as is. A PV never spans lines.
        size_t depth = 0;
        size_t k = paren;
        for (;;) {
            int c = f.at(k);
            if (c == -1 || c == '\n') break;
            if (c == '(') ++depth;
            if (c == ')' && --depth == 0) {
                len = k + 1;
                break;
            }
            ++k;
        }
        if (len == 0) {
            error(start, "unbalanced parentheses in pseudo-variable");
            len = k;
            if (len > 0 && f.at(len - 1) == '\r') --len;
        }
    }
    Token t;
    t.kind = Tok::Pv;
    t.text = std::string(f.text.substr(f.i, len));
    f.bump(len);
    apply_substs(t.text, start);
    emit(f, std::move(t), start);
}

void Lexer::lex_punct(Frame& f, SourcePos start) {
    int c = f.at();
    int n = f.at(1);
    Tok kind = Tok::Unknown;
    size_t len = 1;
    auto two = [&](Tok k) {
        kind = k;
        len = 2;
    };
    switch (c) {
        case '(': kind = Tok::LParen; break;
        case ')': kind = Tok::RParen; break;
        case '{': kind = Tok::LBrace; break;
        case '}': kind = Tok::RBrace; break;
        case '[': kind = Tok::LBracket; break;
        case ']': kind = Tok::RBracket; break;
        case ';': kind = Tok::Semi; break;
        case ',': kind = Tok::Comma; break;
        case ':': kind = Tok::Colon; break;
        case '.': kind = Tok::Dot; break;
        case '+': kind = Tok::Plus; break;
        case '-': kind = Tok::Minus; break;
        case '*': kind = Tok::Star; break;
        case '/': kind = Tok::Slash; break;
        case '%': kind = Tok::Percent; break;
        case '^': kind = Tok::BitXor; break;
        case '~': kind = Tok::BitNot; break;
        case '=':
            if (n == '=') two(Tok::Eq);
            else if (n == '~') two(Tok::Match);
            else if (n == '>') two(Tok::Arrow);
            else kind = Tok::Assign;
            break;
        case '!':
            if (n == '=') two(Tok::Ne);
            else if (n == '~') two(Tok::NoMatch);
            else kind = Tok::Not;
            break;
        case '<':
            if (n == '<') two(Tok::Shl);
            else if (n == '=') two(Tok::Le);
            else kind = Tok::Lt;
            break;
        case '>':
            if (n == '>') two(Tok::Shr);
            else if (n == '=') two(Tok::Ge);
            else kind = Tok::Gt;
            break;
        case '|':
            if (n == '|') two(Tok::LogOr);
            else kind = Tok::BitOr;
            break;
        case '&':
            if (n == '&') two(Tok::LogAnd);
            else kind = Tok::BitAnd;
            break;
        default: break;
    }
    if (kind == Tok::Unknown) error(start, describe_byte(c));
    Token t;
    t.kind = kind;
    t.text = std::string(f.text.substr(f.i, len));
    f.bump(len);
    emit(f, std::move(t), start);
}

// ---- define expansion ----

void Lexer::expand(Frame& f, const std::string& name, SourcePos start) {
    auto as_ident = [&] {
        Token t;
        t.kind = Tok::Ident;
        t.text = name;
        emit(f, std::move(t), start);
    };
    SourcePos use = f.macro ? f.use_pos : start;
    if (std::find(define_stack_.begin(), define_stack_.end(), name) != define_stack_.end()) {
        error(use, "recursive define: " + name);
        return as_ident();
    }
    if (define_stack_.size() >= kMaxDefineDepth) {
        error(use, "defines nested too deeply: " + name);
        return as_ident();
    }
    if (expanded_ >= kMaxExpandedTokens) {
        if (!expansion_limit_reported_) error(use, "define expansion too large: " + name);
        expansion_limit_reported_ = true;
        return as_ident();
    }

    Frame m;
    m.macro = true;
    m.file = f.file;
    m.dir = f.dir;
    m.owned = defines_[name].value;  // copied: the table may change while the value is lexed
    m.text = m.owned;
    m.use_pos = use;
    m.use_end = f.macro ? f.use_end : f.here();
    bool saved_space = f.space;
    bool saved_emitted = f.emitted;
    uint32_t saved_last_line = f.last_line;
    take_flags(f, start, f.here(), m.use_space, m.use_line_start);
    define_stack_.push_back(name);
    lex_frame(m);
    define_stack_.pop_back();
    // A define that produced no token leaves the separation state as it was before its name.
    if (!m.emitted) {
        f.space = saved_space;
        f.emitted = saved_emitted;
        f.last_line = saved_last_line;
    }
}

void Lexer::set_define(SourcePos pos, Dir mode, const std::string& name, std::string value) {
    auto it = defines_.find(name);
    if (it != defines_.end()) {
        if (mode == Dir::TryDef) return;
        if (mode != Dir::Redef) {
            error(pos, "already defined: " + name);
            return;
        }
        it->second.value = std::move(value);
        return;
    }
    defines_[name].value = std::move(value);
}

// ---- directives ----

bool Lexer::try_directive(Frame& f, bool in_skipped_region) {
    SourcePos pos = f.here();
    size_t j = 2;
    while (is_ident_char(f.at(j))) ++j;
    std::string_view word = f.text.substr(f.i + 2, j - 2);
    Dir d = directive_of(word);
    if (d == Dir::None) return false;
    bool cond_dir = d == Dir::Ifdef || d == Dir::Ifndef || d == Dir::Else || d == Dir::Endif;
    if (in_skipped_region && !cond_dir) return false;

    // Kamailio's rules: names follow after at least one blank; #!else and #!endif stand alone
    // on their line (anything after them makes the line a comment). End of input counts as
    // end of line here.
    switch (d) {
        case Dir::Define:
        case Dir::TryDef:
        case Dir::Redef:
        case Dir::Ifdef:
        case Dir::Ifndef:
        case Dir::DefEnv:
        case Dir::DefEnvs:
        case Dir::TryDefEnv:
        case Dir::TryDefEnvs:
            if (!is_blank(f.at(j))) return false;
            break;
        case Dir::Else:
        case Dir::Endif: {
            size_t k = j;
            while (is_blank(f.at(k))) ++k;
            if (f.at(k) != '\n' && f.at(k) != -1) return false;
            break;
        }
        default: break;
    }

    std::string spelling(f.text.substr(f.i, j));
    f.bump(j);
    switch (d) {
        case Dir::Define:
        case Dir::TryDef:
        case Dir::Redef: do_define(f, d, word); break;
        case Dir::Ifdef:
        case Dir::Ifndef: do_ifdef(f, d, pos, std::move(spelling)); break;
        case Dir::Else: do_else(pos); skip_line(f); break;
        case Dir::Endif: do_endif(pos); skip_line(f); break;
        case Dir::Subst:
        case Dir::SubstDef:
        case Dir::SubstDefs: do_subst(f, d, word, pos); break;
        case Dir::DefEnv:
        case Dir::DefEnvs:
        case Dir::TryDefEnv:
        case Dir::TryDefEnvs: do_defenv(f, d, word); break;
        case Dir::Include:
        case Dir::Import: do_include(f, pos, d == Dir::Import); break;
        case Dir::None: break;
    }
    return true;
}

// The rest of a #!define line: up to the line break, a backslash right before a line break
// joining the next line (both are dropped).
std::string Lexer::read_define_value(Frame& f) {
    std::string v;
    while (!f.eof() && f.at() != '\n') {
        if (f.at() == '\\' && f.newline_len(1) != 0) {
            f.bump(1 + f.newline_len(1));
            continue;
        }
        v += static_cast<char>(f.at());
        f.bump();
    }
    while (!v.empty() && is_blank(static_cast<unsigned char>(v.back()))) v.pop_back();
    return v;
}

void Lexer::do_define(Frame& f, Dir d, std::string_view word) {
    skip_blanks(f);
    SourcePos npos = f.here();
    if (!is_ident_start(f.at())) {
        error(npos, "missing name after #!" + std::string(word));
        read_define_value(f);
        return;
    }
    size_t b = f.i;
    while (is_ident_char(f.at())) f.bump();
    std::string name(f.text.substr(b, f.i - b));
    if (f.at() == '-') {
        error(npos, "'-' not allowed in define name: " + name);
        read_define_value(f);
        return;
    }
    skip_blanks(f);
    set_define(npos, d, name, read_define_value(f));
}

void Lexer::do_ifdef(Frame& f, Dir d, SourcePos pos, std::string spelling) {
    Cond c;
    c.pos = pos;
    c.spelling = std::move(spelling);
    skip_blanks(f);
    if (!is_ident_start(f.at())) {
        error(f.here(), "missing name after " + c.spelling);
    } else {
        size_t b = f.i;
        while (is_ident_char(f.at())) f.bump();
        std::string name(f.text.substr(b, f.i - b));
        if (f.at() == '-') error(f.here(), "'-' not allowed in " + c.spelling + " name: " + name);
        c.value = is_defined(name) == (d == Dir::Ifdef);
    }
    // Anything after the name is ignored up to the end of the line.
    while (!f.eof() && f.at() != '\n') f.bump();
    if (!c.value) ++false_conds_;
    conds_.push_back(std::move(c));
}

void Lexer::do_else(SourcePos pos) {
    if (conds_.empty()) {
        diag_.warning(pos, "#!else without matching #!ifdef");
        return;
    }
    Cond& c = conds_.back();
    if (c.seen_else) diag_.warning(pos, "more than one #!else for the same " + c.spelling);
    c.seen_else = true;
    if (c.value) {
        ++false_conds_;
    } else {
        --false_conds_;
    }
    c.value = !c.value;
}

void Lexer::do_endif(SourcePos pos) {
    if (conds_.empty()) {
        error(pos, "#!endif without matching #!ifdef");
        return;
    }
    if (!conds_.back().value) --false_conds_;
    conds_.pop_back();
}

void Lexer::do_subst(Frame& f, Dir d, std::string_view word, SourcePos pos) {
    skip_blanks(f);
    int q = f.at();
    if (q != '"' && q != '\'') {
        error(pos, "#!" + std::string(word) + " expects a quoted \"/regex/replacement/flags\"");
        skip_line(f);
        return;
    }
    SourcePos spos = f.here();
    std::string expr;
    if (!read_string(f, expr)) return;
    add_subst(expr, spos, d);
}

void Lexer::do_defenv(Frame& f, Dir d, std::string_view word) {
    skip_blanks(f);
    SourcePos npos = f.here();
    // One word, ID=ENVVAR or ENVVAR; the rest of the line is ignored.
    std::string spec;
    while (!f.eof() && f.at() != '\n' && !is_blank(f.at())) {
        spec += static_cast<char>(f.at());
        f.bump();
    }
    skip_line(f);
    std::string name = spec;
    std::string env = spec;
    size_t eq = spec.find('=');
    if (eq != std::string::npos) {
        name = spec.substr(0, eq);
        env = spec.substr(eq + 1);
    }
    bool valid = !name.empty() && is_ident_start(static_cast<unsigned char>(name[0])) &&
                 std::all_of(name.begin(), name.end(),
                             [](char ch) { return is_ident_char(static_cast<unsigned char>(ch)); });
    if (!valid || env.empty()) {
        error(npos, "#!" + std::string(word) + " expects NAME or ID=NAME");
        return;
    }
    const char* value = std::getenv(env.c_str());
    if (value == nullptr) {
        if (d == Dir::DefEnv || d == Dir::DefEnvs) {
            error(npos, "environment variable not set: " + env);
        }
        return;
    }
    std::string v = value;
    if (d == Dir::DefEnvs || d == Dir::TryDefEnvs) v = "\"" + v + "\"";
    set_define(npos, Dir::Define, name, std::move(v));
}

void Lexer::do_include(Frame& f, SourcePos pos, bool import) {
    const char* what = import ? "import_file" : "include_file";
    while (f.at() == '\n' || is_blank(f.at())) f.bump();
    if (f.at() != '"') {
        error(pos, std::string(what) + " expects a quoted file name");
        return;
    }
    // The file name is a double-quoted string; \t \n \r are decoded, any other escaped
    // character stands for itself. It ends on its own line.
    SourcePos qpos = f.here();
    f.bump();
    std::string path;
    for (;;) {
        int c = f.at();
        if (c == -1 || c == '\n') {
            error(qpos, "unterminated file name");
            return;
        }
        f.bump();
        if (c == '"') break;
        if (c == '\\' && f.at() != -1 && f.at() != '\n') {
            int n = f.at();
            f.bump();
            c = n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n;
        }
        path += static_cast<char>(c);
    }
    apply_substs(path, qpos);
    if (path.empty()) {
        error(pos, std::string(what) + ": empty file name");
        return;
    }

    // Relative names are looked up next to the including file first, then in the current
    // directory.
    std::vector<std::string> candidates;
    if (path[0] == '/' || f.dir == nullptr || f.dir->empty()) {
        candidates.push_back(path);
    } else {
        candidates.push_back((fs::path(*f.dir) / path).lexically_normal().string());
        candidates.push_back(path);
    }
    std::string text;
    std::string found;
    for (const std::string& cand : candidates) {
        if (read_file_text(cand, text)) {
            found = cand;
            break;
        }
    }
    if (found.empty()) {
        if (!import) error(pos, "cannot open included file: " + path);
        return;
    }
    std::string canon = canonical_of(found);
    if (std::find(include_stack_.begin(), include_stack_.end(), canon) != include_stack_.end()) {
        error(pos, "recursive include: " + path);
        return;
    }
    if (include_stack_.size() > kMaxIncludeDepth) {
        error(pos, "includes nested too deeply (limit " + std::to_string(kMaxIncludeDepth) +
                       "): " + path);
        return;
    }

    uint32_t id = src_.add(found, std::move(text));
    Frame child;
    child.file = id;
    child.text = src_.text(id);
    std::string child_dir = dir_of(found);
    child.dir = &child_dir;
    include_stack_.push_back(std::move(canon));
    lex_frame(child);
    include_stack_.pop_back();
    f.space = true;
}

// ---- #!subst ----

bool Lexer::add_subst(const std::string& expr, SourcePos pos, Dir d) {
    auto fail = [&](const std::string& why) {
        error(pos, "invalid #!subst expression: " + why);
        return false;
    };
    if (expr.size() < 3) return fail("too short");
    char sep = expr[0];
    if (sep == '\\') return fail("'\\' cannot be the separator");

    size_t re_end = 1;
    while (re_end < expr.size() && !(expr[re_end] == sep && expr[re_end - 1] != '\\')) ++re_end;
    if (re_end >= expr.size()) return fail("missing separator after the regular expression");
    std::string re_raw = expr.substr(1, re_end - 1);

    // Replacement: \0-\9 are group references, \n \r \t \\ the usual characters, any other
    // escaped character stands for itself; $env(NAME) is the environment variable.
    SubstRule rule;
    std::string lit;
    size_t k = re_end + 1;
    bool closed = false;
    for (; k < expr.size(); ++k) {
        char c = expr[k];
        if (c == sep) {
            closed = true;
            break;
        }
        if (c == '\\' && k + 1 < expr.size()) {
            char n = expr[++k];
            if (is_digit(static_cast<unsigned char>(n))) {
                if (!lit.empty()) rule.repl.push_back({std::move(lit), -1});
                lit.clear();
                rule.repl.push_back({"", n - '0'});
                continue;
            }
            lit += n == 'n' ? '\n' : n == 'r' ? '\r' : n == 't' ? '\t' : n;
            continue;
        }
        if (c == '$' && expr.compare(k, 5, "$env(") == 0) {
            size_t close = expr.find(')', k);
            if (close != std::string::npos) {
                lit += expand_env(std::string_view(expr).substr(k, close - k + 1));
                k = close;
                continue;
            }
        }
        lit += c;
    }
    if (!closed) return fail("missing separator after the replacement");
    if (!lit.empty()) rule.repl.push_back({std::move(lit), -1});
    std::string repl_raw = expr.substr(re_end + 1, k - re_end - 1);

    auto flags = std::regex::extended;
    for (size_t i = k + 1; i < expr.size(); ++i) {
        switch (expr[i]) {
            case 'i': flags |= std::regex::icase; break;
            case 'g': rule.global = true; break;
            case 's': break;  // newline handling: strings rarely contain line breaks
            default: return fail(std::string("unknown flag '") + expr[i] + "'");
        }
    }

    // An escaped separator in the regex means the literal separator.
    std::string re;
    for (size_t i = 0; i < re_raw.size(); ++i) {
        if (re_raw[i] == '\\' && i + 1 < re_raw.size() && re_raw[i + 1] == sep &&
            std::string_view("^$.[]|()*+?{}\\").find(sep) == std::string_view::npos) {
            continue;
        }
        re += re_raw[i];
    }
    if (re.empty()) return fail("empty regular expression");
    if (regex_too_complex(re)) return fail("regular expression too complex");
    try {
#if defined(__GLIBCXX__)
        // Thompson-style matching: linear in the subject, no deep recursion.
        flags |= std::regex_constants::__polynomial;
#endif
        rule.re = std::regex(re, flags);
    } catch (const std::exception& e) {
        return fail("bad regular expression '" + re + "'");
    }
    substs_.push_back(std::move(rule));

    if (d == Dir::SubstDef || d == Dir::SubstDefs) {
        std::string value = expand_env(repl_raw);
        if (d == Dir::SubstDefs) value = "\"" + value + "\"";
        set_define(pos, Dir::Define, re_raw, std::move(value));
    }
    return true;
}

void Lexer::apply_substs(std::string& s, SourcePos pos) {
    if (substs_.empty() || s.empty()) return;
    if (s.size() > kMaxSubstSubject) {
        if (!subst_limit_reported_) {
            diag_.warning(pos, "text too long for #!subst rules; left unchanged");
        }
        subst_limit_reported_ = true;
        return;
    }
    for (const SubstRule& r : substs_) {
        std::string out;
        auto it = s.cbegin();
        auto flags = std::regex_constants::match_default;
        bool changed = false;
        bool empty_match = false;
        std::smatch m;
        try {
            while (std::regex_search(it, s.cend(), m, r.re, flags)) {
                // Kamailio rejects a rule that matches the empty string: nothing is replaced.
                if (m.length(0) == 0) {
                    empty_match = true;
                    break;
                }
                out.append(it, m[0].first);
                for (const ReplPart& p : r.repl) {
                    if (p.group < 0) {
                        out += p.text;
                    } else if (static_cast<size_t>(p.group) < m.size() && m[p.group].matched) {
                        out.append(m[p.group].first, m[p.group].second);
                    }
                }
                it = m[0].second;
                changed = true;
                if (!r.global || it == s.cend()) break;
                flags = std::regex_constants::match_prev_avail |
                        std::regex_constants::match_not_bol;
            }
        } catch (const std::exception&) {
            empty_match = true;  // e.g. regex_error(error_complexity): leave the text as is
        }
        if (!changed || empty_match) continue;
        out.append(it, s.cend());
        s = std::move(out);
    }
}

}  // namespace

std::string_view tok_name(Tok t) {
    switch (t) {
        case Tok::End: return "end of input";
        case Tok::Ident: return "identifier";
        case Tok::Int: return "integer";
        case Tok::String: return "string";
        case Tok::Pv: return "pseudo-variable";
        case Tok::Ipv4: return "IPv4 address";
        case Tok::LParen: return "'('";
        case Tok::RParen: return "')'";
        case Tok::LBrace: return "'{'";
        case Tok::RBrace: return "'}'";
        case Tok::LBracket: return "'['";
        case Tok::RBracket: return "']'";
        case Tok::Semi: return "';'";
        case Tok::Comma: return "','";
        case Tok::Colon: return "':'";
        case Tok::Dot: return "'.'";
        case Tok::Assign: return "'='";
        case Tok::Eq: return "'=='";
        case Tok::Ne: return "'!='";
        case Tok::Match: return "'=~'";
        case Tok::NoMatch: return "'!~'";
        case Tok::Lt: return "'<'";
        case Tok::Gt: return "'>'";
        case Tok::Le: return "'<='";
        case Tok::Ge: return "'>='";
        case Tok::Plus: return "'+'";
        case Tok::Minus: return "'-'";
        case Tok::Star: return "'*'";
        case Tok::Slash: return "'/'";
        case Tok::Percent: return "'%'";
        case Tok::BitOr: return "'|'";
        case Tok::BitAnd: return "'&'";
        case Tok::BitXor: return "'^'";
        case Tok::BitNot: return "'~'";
        case Tok::Shl: return "'<<'";
        case Tok::Shr: return "'>>'";
        case Tok::LogAnd: return "'&&'";
        case Tok::LogOr: return "'||'";
        case Tok::Not: return "'!'";
        case Tok::Arrow: return "'=>'";
        case Tok::Unknown: return "unexpected character";
    }
    return "token";
}

std::vector<Token> lex_config(const std::string& path, const std::string* text_override,
                              const LexOptions& opt, SourceSet& sources, Diagnostics& diag) {
    Lexer lx(opt, sources, diag);
    return lx.run(path, text_override);
}

}  // namespace siphon::cfg
