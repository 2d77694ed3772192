// Helpers shared by textops and textopsx.
#pragma once

#include <cstddef>
#include <string_view>

#include "msg/message.h"

namespace siphon::modules::textops {

// True if the header has this name (token from msg::header_token(name); compact forms match).
bool header_matches(const msg::Header& h, msg::Hdr tok, std::string_view name);
// Offset in m.raw just after the last header line (where append_hf() adds).
size_t headers_end(const msg::Message& m);
// Offset in m.raw of the line after the start line.
size_t headers_begin(const msg::Message& m);

}  // namespace siphon::modules::textops
