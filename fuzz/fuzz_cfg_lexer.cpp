// libFuzzer target: the config lexer/preprocessor must survive any input, always end the token
// stream with End, and keep every position inside the sources it reports.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cfg/lexer.h"

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace siphon::cfg;
    std::string text(reinterpret_cast<const char*>(data), size);
    LexOptions opt;
    opt.predefined = {"SIPHON", "KAMAILIO_5"};
    opt.defines = {{"WITH_FUZZ", "1"}};
    SourceSet sources;
    Diagnostics diag;
    // A directory that does not exist: relative includes fall back to the current directory
    // only, so run the fuzzer from an empty one.
    std::vector<Token> toks =
        lex_config("/nonexistent-siphon-fuzz/fuzz.cfg", &text, opt, sources, diag);

    check(!toks.empty() && toks.back().kind == Tok::End);
    for (size_t i = 0; i + 1 < toks.size(); ++i) {
        const Token& t = toks[i];
        check(t.kind != Tok::End);
        check(t.pos.file < sources.size() && t.end.file < sources.size());
        check(t.pos.line >= 1 && t.pos.col >= 1);
        check(t.end.line > t.pos.line || (t.end.line == t.pos.line && t.end.col >= t.pos.col));
    }
    for (const Diagnostic& d : diag.list()) check(d.pos.file < sources.size());
    std::string out = diag.format(sources, true);
    check(diag.list().empty() == out.empty());
    return 0;
}
