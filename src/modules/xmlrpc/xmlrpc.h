// xmlrpc: XML-RPC access to the RPC commands (Kamailio's xmlrpc module).
#pragma once

#include <memory>
#include <string>

#include "cfg/module.h"
#include "cfg/script.h"
#include "modules/rpc/runtime.h"

namespace re2 {
class RE2;
}

namespace siphon::modules {

struct SlData;

struct XmlrpcData : cfg::ModuleData, rpc::RuntimeUser, rpc::HttpHandler {
    std::string route_name;   // "" = request_route
    std::shared_ptr<re2::RE2> url_skip, url_match;
    std::string event_callback;
    int mode = 0;   // 1: no automatic dispatch of HTTP requests
    bool escape_cr = true;
    bool double_lf_to_crlf = false;

    const cfg::Script* script = nullptr;
    const cfg::Route* route = nullptr;
    const SlData* sl = nullptr;
    rpc::Runtime* rt = nullptr;

    void bind(rpc::Runtime& r) override {
        rt = &r;
        r.add_http_handler(this);
    }
    bool handle_http(pv::Ctx& ctx) override;
};

}   // namespace siphon::modules
