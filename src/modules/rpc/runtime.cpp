#include "modules/rpc/runtime.h"

#include <malloc.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <exception>

#include "core/log.h"
#include "modules/rpc/module_rpcs.h"
#include "net/server.h"

namespace siphon::rpc {

namespace {

thread_local Runtime* t_current = nullptr;

int64_t thread_id() {
    return static_cast<int64_t>(::syscall(SYS_gettid));
}

// Process heap figures stand in for Kamailio's shared memory pool: siphon has no
// preallocated pool, so "total" is what the allocator holds from the system.
struct HeapFigures {
    int64_t total, free, used, fragments;
};
HeapFigures heap_figures() {
    struct mallinfo2 mi = mallinfo2();
    HeapFigures h;
    h.total = static_cast<int64_t>(mi.arena + mi.hblkhd);
    h.free = static_cast<int64_t>(mi.fordblks);
    h.used = static_cast<int64_t>(mi.uordblks + mi.hblkhd);
    h.fragments = static_cast<int64_t>(mi.ordblks);
    return h;
}

}   // namespace

Runtime::Runtime(const cfg::Script& script, int workers)
    : script_(script),
      workers_(workers),
      start_time_(std::time(nullptr)),
      stats_(static_cast<size_t>(workers > 0 ? workers : 1)) {
    main_threads_.push_back({static_cast<int64_t>(getpid()), "main process - attendant"});
    for (int i = 0; i < workers; ++i)
        worker_threads_.push_back({0, "worker child=" + std::to_string(i)});
    register_core_stats();
    counters_.init(stats_, script.has_module("sl"));
    for (auto& m : script.modules)
        for (auto& d : m.def->rpcs)
            add_method(d, m.data.get());
    if (cfg::ModuleData* ht = htable_module(script))
        for (auto& d : htable_rpcs())
            if (!find_unsorted(d.name)) add_method(d, ht);
    if (cfg::ModuleData* lua = app_lua_module(script))
        for (auto& d : app_lua_rpcs())
            if (!find_unsorted(d.name)) add_method(d, lua);
    // Core commands fill in what no module exports (corex.debug belongs to corex in
    // Kamailio; siphon answers it whether or not a corex module is loaded).
    for (auto& d : core_rpcs())
        if (!find_unsorted(d.name)) add_method(d, nullptr);
    std::sort(methods_.begin(), methods_.end(),
              [](const Method& a, const Method& b) { return a.name < b.name; });
    for (auto& m : script.modules)
        if (auto* u = dynamic_cast<RuntimeUser*>(m.data.get())) users_.push_back(u);
    for (auto* u : users_)
        u->bind(*this);
}

Runtime::~Runtime() {
    stop_services();
    if (t_current == this) t_current = nullptr;
}

void Runtime::add_method(const cfg::RpcDef& d, cfg::ModuleData* mod) {
    for (auto& m : methods_)
        if (m.name == d.name) {
            SLOG_WARN("rpc", "RPC command %.*s exported twice; the first one is kept",
                      static_cast<int>(d.name.size()), d.name.data());
            return;
        }
    methods_.push_back({std::string(d.name), d.fn, std::string(d.help), d.flags, mod});
}

const Method* Runtime::find_unsorted(std::string_view name) const {
    for (auto& m : methods_)
        if (m.name == name) return &m;
    return nullptr;
}

const Method* Runtime::find(std::string_view name) const {
    auto it = std::lower_bound(methods_.begin(), methods_.end(), name,
                               [](const Method& m, std::string_view n) { return m.name < n; });
    return it != methods_.end() && it->name == name ? &*it : nullptr;
}

void Runtime::execute(Call& c) {
    const Method* m = find(c.method());
    if (!m || !m->fn) {
        // jsonrpcs_mod.c: jsonrpc_fault(ctx, 500, "Method Not Found").
        c.fault(500, "Method Not Found");
        return;
    }
    c.mod_ = m->mod;
    c.flags_ = m->flags;
    try {
        m->fn(c);
    } catch (const std::exception& e) {
        SLOG_ERR("rpc", "%s failed: %s", c.method().c_str(), e.what());
        c.fault(500, "Internal Server Error");
    } catch (...) {
        SLOG_ERR("rpc", "%s failed", c.method().c_str());
        c.fault(500, "Internal Server Error");
    }
}

void Runtime::register_core_stats() {
    // tcp: group (Kamailio's tcp_stats.h names) from the transport's counters.
    auto net = [this](auto field) {
        return [this, field]() -> int64_t {
            if (!server_) return 0;
            return static_cast<int64_t>((server_->stats().*field).load(std::memory_order_relaxed));
        };
    };
    stats_.add_fn("tcp", "current_opened_connections", net(&net::NetStats::tcp_current), false);
    stats_.add_fn("tcp", "established", net(&net::NetStats::tcp_total), true);
    stats_.add_fn("tcp", "passive_open", net(&net::NetStats::tcp_total), true);
    stats_.add_fn("tcp", "local_reject", net(&net::NetStats::tcp_refused), true);
    stats_.add_fn("core", "bad_msg_hdr", net(&net::NetStats::parse_errors), true);
    for (auto n : {"active_open", "con_reset", "con_timeout", "connect_failed", "connect_success",
                   "current_write_queue_size", "send_timeout", "sendq_full"})
        stats_.add("tcp", n);
    stats_.add_fn(
        "shmem", "total_size", [] { return heap_figures().total; }, false);
    stats_.add_fn(
        "shmem", "free_size", [] { return heap_figures().free; }, false);
    stats_.add_fn(
        "shmem", "used_size", [] { return heap_figures().used; }, false);
    stats_.add_fn(
        "shmem", "real_used_size", [] { return heap_figures().used; }, false);
    stats_.add_fn(
        "shmem", "fragments", [] { return heap_figures().fragments; }, false);
    static std::atomic<int64_t> max_used{0};
    stats_.add_fn(
        "shmem", "max_used_size",
        [] {
            int64_t u = heap_figures().used, m = max_used.load();
            while (u > m && !max_used.compare_exchange_weak(m, u)) {
            }
            return std::max(u, m);
        },
        false);
}

void Runtime::attach_server(net::Server* server) {
    server_ = server;
}

std::string Runtime::resolve_path(std::string_view name) const {
    if (name.empty() || name.front() == '/') return std::string(name);
    std::string d = run_dir_;
    if (!d.empty() && d.back() != '/') d += '/';
    return d + std::string(name);
}

void Runtime::on_worker_start(int worker) {
    set_current(this);
    std::lock_guard lk(threads_mu_);
    if (worker >= 0 && static_cast<size_t>(worker) < worker_threads_.size())
        worker_threads_[static_cast<size_t>(worker)] = {thread_id(),
                                                        "worker child=" + std::to_string(worker)};
}

void Runtime::register_thread(std::string desc) {
    set_current(this);
    std::lock_guard lk(threads_mu_);
    service_threads_.push_back({thread_id(), std::move(desc)});
}

std::vector<ProcInfo> Runtime::processes() const {
    std::lock_guard lk(threads_mu_);
    std::vector<ProcInfo> v = main_threads_;
    // A worker that has not started yet shows with PID 0.
    v.insert(v.end(), worker_threads_.begin(), worker_threads_.end());
    v.insert(v.end(), service_threads_.begin(), service_threads_.end());
    return v;
}

bool Runtime::dispatch_http(pv::Ctx& ctx) {
    for (auto* h : http_handlers_)
        if (h->handle_http(ctx)) return true;
    return false;
}

std::string Runtime::open_services() {
    for (auto* u : users_) {
        std::string err = u->open(*this);
        if (!err.empty()) return err;
    }
    return "";
}

void Runtime::start_services() {
    {
        // After daemonizing the main thread has a new process id.
        std::lock_guard lk(threads_mu_);
        main_threads_[0].pid = static_cast<int64_t>(getpid());
    }
    for (auto* u : users_)
        u->start(*this);
}

void Runtime::stop_services() {
    for (auto* u : users_)
        u->stop();
}

Runtime* Runtime::current() {
    return t_current;
}
void Runtime::set_current(Runtime* rt) {
    t_current = rt;
}

}   // namespace siphon::rpc
