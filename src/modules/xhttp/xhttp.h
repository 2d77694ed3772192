// xhttp: HTTP requests that reach a SIP port are handled by event_route[xhttp:request].
// The C++ API (bind_xhttp in Kamailio) is xhttp_handle() for the dispatcher and
// xhttp_reply() for other modules.
#pragma once

#include <memory>
#include <string>

#include "cfg/module.h"
#include "cfg/script.h"
#include "modules/sl/sl.h"

namespace re2 {
class RE2;
}

namespace siphon::kemi {
class Engine;
}

namespace siphon::modules {

struct XhttpData : cfg::ModuleData {
    std::shared_ptr<re2::RE2> url_skip;
    std::shared_ptr<re2::RE2> url_match;
    std::string url_skip_text, url_match_text, event_callback;
    int no_reply_code = 500;     // answer when the route sends nothing; 0 = send nothing
    const cfg::Route* route = nullptr;
    kemi::Engine* engine = nullptr;   // runs event_callback (cfgengine "lua")
    const SlData* sl = nullptr;
};

// Handles one HTTP request: URL filters, the event route, the fallback replies. Returns
// false when the connection must be closed after the replies are flushed.
bool xhttp_handle(const cfg::Script& script, XhttpData& x, pv::Ctx& ctx);

// Sends the reply for the current request (what xhttp_reply() does).
int xhttp_reply(pv::Ctx& ctx, const XhttpData& x, int code, std::string_view reason,
                std::string_view ctype, std::string_view body);

}  // namespace siphon::modules
