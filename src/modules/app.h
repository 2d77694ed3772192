// The dispatcher: turns each message the transport delivers into a script run. SIP
// requests go to request_route, SIP replies to reply_route, HTTP requests to xhttp.
#pragma once

#include <memory>
#include <vector>

#include "cfg/script.h"
#include "net/server.h"
#include "pv/context.h"

namespace siphon::modules {

struct XhttpData;

class App final : public net::Handler {
public:
    App(const cfg::Script& script, int workers);
    bool on_message(int worker, msg::Message& m, pv::RecvInfo& rcv, pv::ReplySink& sink) override;
    void on_worker_start(int worker) override;
    pv::SharedVars& shared() { return shv_; }

private:
    const cfg::Script& s_;
    std::vector<std::unique_ptr<pv::WorkerState>> ws_;
    pv::SharedVars shv_;
    XhttpData* xhttp_ = nullptr;
};

}  // namespace siphon::modules
