// The dispatcher: turns each message the transport delivers into a script run. SIP
// requests go to request_route, SIP replies to reply_route, HTTP requests to xhttp.
#pragma once

#include <memory>
#include <vector>

#include "cfg/script.h"
#include "net/server.h"
#include "pv/context.h"

namespace siphon::rpc {
class Runtime;
}

namespace siphon::kemi {
class Engine;
}

namespace siphon::modules {

struct XhttpData;

class App final : public net::Handler {
public:
    App(const cfg::Script& script, int workers);
    bool on_message(int worker, msg::Message& m, pv::RecvInfo& rcv, pv::ReplySink& sink) override;
    void on_worker_start(int worker) override;
    pv::SharedVars& shared() { return shv_; }
    // Reloads the KEMI scripts (SIGHUP); false (and logged) if there is nothing to reload
    // or the new scripts do not load.
    bool reload_scripts();
    // The RPC runtime: its statistics count what arrives and what is answered.
    void set_runtime(rpc::Runtime* rt) { rt_ = rt; }

private:
    const cfg::Script& s_;
    std::vector<std::unique_ptr<pv::WorkerState>> ws_;
    pv::SharedVars shv_;
    XhttpData* xhttp_ = nullptr;
    rpc::Runtime* rt_ = nullptr;
    kemi::Engine* engine_ = nullptr;       // cfgengine "lua": routes SIP
    kemi::Engine* any_engine_ = nullptr;   // app_lua loaded (also for lua_run from native)
};

}  // namespace siphon::modules
