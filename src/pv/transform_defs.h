// Transformation implementations ({s.len}, {url.path}, {param.value,name,&} ...). Each one is
// a plain function over a Value, described by a TrDef row; the pseudo-variable layer parses
// `$(pv{class.name,arg,...})` at config load, validates constant arguments against the row
// and evaluates PV arguments per message before calling the function.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/arena.h"
#include "core/value.h"

namespace siphon::pv {

enum class TrArg : uint8_t {
    Int,   // must convert to an int (constant checked at load time)
    Str,   // any text
};

// Transforms `v` in place. Returns false when the transformation fails (the result then
// prints as an empty string, as in Kamailio). `args` are already evaluated (Int args hold
// Type::Int). Result strings must live in the arena, in the input's own storage, or in
// static storage; they are read before the arena is reset.
using TrFn = bool (*)(Value& v, std::span<const Value> args, Arena& arena);

struct Ctx;
class Registry;

// For transformations that prepare something once at load time ({re.subst} compiles its
// expression and the pseudo-variables of its replacement): `prepare` gets the arguments as
// written (a PV argument is Null) and the registry, and may store what it built in `data`;
// it returns "" or an error for the config loader. `fn_data` is then called instead of `fn`,
// with the message context and that data (null when nothing was stored).
using TrPrepare = std::string (*)(std::span<const Value> args, Registry& reg,
                                  std::shared_ptr<const void>& data);
using TrFnData = bool (*)(Ctx& ctx, Value& v, std::span<const Value> args, Arena& arena,
                          const void* data);

struct TrDef {
    std::string_view cls;    // "s", "url", "param"
    std::string_view name;   // "substr", "encode.base64"
    uint8_t min_args = 0;
    uint8_t max_args = 0;
    std::array<TrArg, 4> kinds{TrArg::Str, TrArg::Str, TrArg::Str, TrArg::Str};
    TrFn fn = nullptr;
    TrPrepare prepare = nullptr;
    TrFnData fn_data = nullptr;
    // The whole text after the first ',' is one argument (commas are not separators): the
    // expression of {re.subst,/a,b/c/}.
    bool whole_arg = false;
};

// A transformation's string result: an empty one points at static storage (never at a null
// pointer, which a later memcpy would not accept). Always true, to end a TrFn.
inline bool set_str(Value& v, std::string_view s) {
    static constexpr char kNone[] = "";
    v = Value::of_str(s.empty() ? std::string_view(kNone, 0) : s);
    return true;
}

// Shared by the tables (tr_string.cpp): the text of a Str-kind argument (an integer in decimal,
// written into `buf`, 12 bytes), false for null.
bool arg_text(const Value& a, char* buf, std::string_view& out);

// Tables, one per family. Each lives in its own file (tr_string.cpp, tr_url.cpp, ...).
std::span<const TrDef> string_transformations();  // s.*
std::span<const TrDef> url_transformations();     // url.* (xhttp)
std::span<const TrDef> param_transformations();   // param.*
std::span<const TrDef> uri_transformations();     // uri.*
std::span<const TrDef> nameaddr_transformations();  // nameaddr.*, tobody.*
std::span<const TrDef> line_transformations();    // line.*
std::span<const TrDef> re_transformations();      // re.subst
std::span<const TrDef> val_transformations();     // val.*

}  // namespace siphon::pv
