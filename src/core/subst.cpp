#include "core/subst.h"

#include <re2/re2.h>

namespace siphon {

std::string split_subst(std::string_view e, SubstSpec& out) {
    if (e.size() < 4) return "expression too short, expected /regex/replacement/flags";
    out.sep = e[0];
    size_t i = 1;
    for (; i < e.size() && e[i] != out.sep; ++i) {
        if (e[i] == '\\' && i + 1 < e.size() && e[i + 1] == out.sep) {
            out.re += out.sep;
            ++i;
        } else {
            out.re += e[i];
            if (e[i] == '\\' && i + 1 < e.size()) out.re += e[++i];
        }
    }
    if (i >= e.size()) return "missing separator after the regex";
    size_t r = ++i;
    for (; i < e.size() && e[i] != out.sep; ++i)
        if (e[i] == '\\' && i + 1 < e.size()) ++i;
    if (i >= e.size()) return "missing separator after the replacement";
    out.repl.assign(e.substr(r, i - r));
    for (++i; i < e.size(); ++i) {
        switch (e[i]) {
            case 'i': out.icase = true; break;
            case 'g': out.global = true; break;
            case 's': out.whole = true; break;
            default: return std::string("unknown flag '") + e[i] + "'";
        }
    }
    return "";
}

std::unique_ptr<re2::RE2> compile_subst(const SubstSpec& s, std::string& err) {
    re2::RE2::Options o;
    o.set_posix_syntax(true);
    o.set_longest_match(true);
    o.set_log_errors(false);
    o.set_case_sensitive(!s.icase);
    o.set_one_line(s.whole);
    o.set_dot_nl(s.whole);
    auto re = std::make_unique<re2::RE2>(s.re, o);
    if (!re->ok()) {
        err = "invalid regex: " + re->error();
        return nullptr;
    }
    return re;
}

}  // namespace siphon
