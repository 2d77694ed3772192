// The RPC runtime: the command table (core commands plus every loaded module's `rpcs`), the
// statistics, and what the commands report on (the script, the transport's counters and
// sockets, the threads). One per running server, owned by main and handed to the
// dispatcher (App) and to the modules that need it.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cfg/script.h"
#include "modules/rpc/counters.h"
#include "modules/rpc/rpc.h"
#include "modules/rpc/stats.h"

namespace siphon::net {
class Server;
}

namespace siphon::rpc {

class Runtime;

// Implemented by the data of modules that use the runtime: bind() is called once the
// runtime exists (before any worker starts). Modules with threads of their own (the RPC
// transports) open their files and sockets in open() — before the server goes into the
// background, so that errors reach the terminal — and start their threads in start().
class RuntimeUser {
public:
    virtual ~RuntimeUser() = default;
    virtual void bind(Runtime& rt) {}
    virtual std::string open(Runtime& rt) { return ""; }
    virtual void start(Runtime& rt) {}
    virtual void stop() {}
};

// A module that answers some HTTP requests itself, before xhttp's event route (Kamailio's
// non-SIP message hooks, e.g. xmlrpc on its URLs). Registered from bind().
class HttpHandler {
public:
    virtual ~HttpHandler() = default;
    // True when the request was taken (answered or deliberately left unanswered).
    virtual bool handle_http(pv::Ctx& ctx) = 0;
};

struct ProcInfo {
    int64_t pid = 0;   // thread id (siphon runs threads where Kamailio runs processes)
    std::string desc;
};

class Runtime {
public:
    Runtime(const cfg::Script& script, int workers);
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    const cfg::Script& script() const { return script_; }
    Stats& stats() { return stats_; }
    CoreCounters& counters() { return counters_; }
    int workers() const { return workers_; }
    int64_t start_time() const { return start_time_; }

    // Commands, sorted by name.
    const std::vector<Method>& methods() const { return methods_; }
    const Method* find(std::string_view name) const;
    // Runs the command named by the call; unknown names and exceptions become faults.
    void execute(Call& c);

    // The transport; its counters become the tcp: and core:bad_msg_hdr statistics.
    void attach_server(net::Server* server);
    net::Server* server() const { return server_; }
    // Directory for relative FIFO/socket names (Kamailio's runtime_dir, -Y).
    void set_run_dir(std::string dir) { run_dir_ = std::move(dir); }
    const std::string& run_dir() const { return run_dir_; }
    std::string resolve_path(std::string_view name) const;
    void set_argv(std::vector<std::string> argv) { argv_ = std::move(argv); }
    const std::vector<std::string>& argv() const { return argv_; }

    // Threads for core.ps/core.psx: the main thread, the workers and service threads.
    void on_worker_start(int worker);
    void register_thread(std::string desc);   // called on the thread itself
    std::vector<ProcInfo> processes() const;

    // HTTP requests: offered to the registered handlers in load order before xhttp.
    void add_http_handler(HttpHandler* h) { http_handlers_.push_back(h); }
    bool dispatch_http(pv::Ctx& ctx);

    // Services of RuntimeUser modules.
    std::string open_services();
    void start_services();
    void stop_services();

    // The runtime serving the calling thread: set for the workers (on_worker_start) and for
    // the service threads. For pseudo-variable getters, which get no module data.
    static Runtime* current();
    static void set_current(Runtime* rt);

private:
    void add_method(const cfg::RpcDef& d, cfg::ModuleData* mod);
    const Method* find_unsorted(std::string_view name) const;
    void register_core_stats();

    const cfg::Script& script_;
    int workers_;
    int64_t start_time_;
    Stats stats_;
    CoreCounters counters_;
    std::vector<Method> methods_;
    net::Server* server_ = nullptr;
    std::string run_dir_ = "/run/siphon";
    std::vector<std::string> argv_;
    std::vector<RuntimeUser*> users_;
    std::vector<HttpHandler*> http_handlers_;
    mutable std::mutex threads_mu_;
    std::vector<ProcInfo> main_threads_;     // main process
    std::vector<ProcInfo> worker_threads_;   // indexed by worker
    std::vector<ProcInfo> service_threads_;
};

// Commands of the core (core.*, system.*, stats.*, corex.debug, cfg.* for the log level).
std::span<const cfg::RpcDef> core_rpcs();

}   // namespace siphon::rpc
