// Sed-like substitution expressions, "/regex/replacement/flags", as Kamailio's scripts write
// them for textops' subst(), subst_uri(), subst_body() and the {re.subst} transformation.
// This is the part they share: splitting the expression and compiling the regex. What the
// replacement may contain (back references, \u, pseudo-variables) is up to each user.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace siphon {

struct SubstSpec {
    char sep = '/';
    std::string re;      // the regex, an escaped separator turned into the separator
    std::string repl;    // the replacement as written (escapes kept, "\/" included)
    bool icase = false;  // flag i
    bool global = false; // flag g: every match, not the first only
    bool whole = false;  // flag s: '.' matches a newline, ^ and $ only the ends of the text
};

// Splits `e`: the first character is the separator; a backslash escapes the next character.
// Returns "" or what is wrong ("missing separator after the regex", "unknown flag 'x'", ...).
std::string split_subst(std::string_view e, SubstSpec& out);

// The regex of `s` for RE2, with Kamailio's semantics (measured on 5.6.3): POSIX syntax,
// leftmost-longest; without the s flag '.' stops at a newline and ^ and $ match at line
// boundaries, with it '.' matches a newline and ^ and $ match only at the ends. Null and
// `err` set when it does not compile.
std::unique_ptr<re2::RE2> compile_subst(const SubstSpec& s, std::string& err);

}  // namespace siphon
