// Lexer and preprocessor of the Kamailio config language. Produces the whole token stream of a
// config (include files inlined, #!ifdef branches resolved, #!define names replaced by their
// value's tokens, #!subst/#!substdef applied to raw lines) and reports every problem to a
// Diagnostics sink instead of stopping at the first.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cfg/diag.h"

namespace siphon::cfg {

enum class Tok : uint8_t {
    End,
    Ident,      // [A-Za-z_][A-Za-z0-9_]* ; may contain inner dots when followed by an ident
                // char ("sip.example.com", "sl.so" is a String though). Keywords are Idents:
                // the parser decides by context.
    Int,        // 12, 0x1f, 010 (octal), 101b (binary); value in `ival`
    String,     // "..." or '...'; escapes \t \n \r \\ \" \' decoded into `text`
    Pv,         // a pseudo-variable, raw text in `text`: "$var(x)", "$(hdr(X){s.len}[1])",
                // "$si", "$$". Balanced () and {} are consumed.
    Ipv4,       // 127.0.0.1 (text)
    // punctuation
    LParen, RParen, LBrace, RBrace, LBracket, RBracket, Semi, Comma, Colon, Dot,
    Assign,     // =
    Eq, Ne,     // == !=
    Match, NoMatch,  // =~ !~
    Lt, Gt, Le, Ge,
    Plus, Minus, Star, Slash, Percent,
    BitOr, BitAnd, BitXor, BitNot, Shl, Shr,
    LogAnd, LogOr, Not,
    Arrow,      // =>
    Unknown     // a byte that starts no token; reported as an error too
};

std::string_view tok_name(Tok t);

struct Token {
    Tok kind = Tok::End;
    std::string text;       // identifier / decoded string / pv text / punctuation spelling
    int64_t ival = 0;       // Int
    SourcePos pos;          // where the token (or the define use it came from) starts
    SourcePos end;          // position just after the token's last character
    bool space_before = false;  // whitespace, a comment or a line break precedes it
    bool line_start = false;    // first token on its source line
};

struct LexOptions {
    // -A NAME[=VALUE] command-line defines, applied before the file is read.
    std::vector<std::pair<std::string, std::string>> defines;
    // Names predefined by the caller (MOD_<module>, SIPHON, KAMAILIO_5 ...).
    std::vector<std::string> predefined;
};

// Reads `path` (and its includes) into `sources`, returns the tokens with a final End token.
// Relative include paths resolve against the directory of the including file.
// `text_override` (if non-null) is used as the content of `path` instead of reading it
// (the embedded default config, tests).
std::vector<Token> lex_config(const std::string& path, const std::string* text_override,
                              const LexOptions& opt, SourceSet& sources, Diagnostics& diag);

}  // namespace siphon::cfg
