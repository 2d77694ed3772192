// libFuzzer target: the whole config front end (preprocessor, lexer, parser, compile pass
// with pseudo-variable, format-string, transformation and regex parsing) on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cfg/script.h"
#include "modules/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    siphon::cfg::LoadOptions lo;
    lo.path = "/nonexistent/fuzz.cfg";
    lo.text = &text;
    lo.modules = siphon::modules::builtin();
    siphon::cfg::Diagnostics diag;
    auto script = siphon::cfg::load_script(lo, diag);
    (void)diag.format(script->sources);
    return 0;
}
