// jsonrpcs: Kamailio's JSON-RPC server. jsonrpc_dispatch() answers the HTTP request of
// event_route[xhttp:request]; jsonrpc_exec() runs a command from the script ($jsonrpl);
// the FIFO, datagram (UNIX or UDP) and stream (TCP or UNIX) transports run on a service
// thread of their own, enabled by the `transport` bit mask as in Kamailio.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "cfg/module.h"
#include "modules/rpc/runtime.h"

namespace siphon::modules {

enum JsonrpcTransport : int {
    kJsonrpcHttp = 1,
    kJsonrpcFifo = 2,
    kJsonrpcDgram = 4,
    kJsonrpcTcp = 8,
};

struct JsonrpcsData : cfg::ModuleData, rpc::RuntimeUser {
    // Parameters (Kamailio's defaults).
    bool pretty = true;
    int transport = kJsonrpcFifo | kJsonrpcDgram;
    std::string fifo_name = "kamailio_rpc.fifo";
    int fifo_mode = 0660;
    std::string fifo_user, fifo_group;
    std::string fifo_reply_dir = "/tmp/";
    std::string dgram_socket = "kamailio_rpc.sock";
    int dgram_workers = 1;
    int dgram_mode = 0660;
    std::string dgram_user, dgram_group;
    int dgram_timeout = 2000;   // ms to deliver a reply
    std::string tcp_socket;

    rpc::Runtime* rt = nullptr;
    cfg::ModuleData* xhttp = nullptr;   // the xhttp module's data, for replies

    ~JsonrpcsData() override;
    void bind(rpc::Runtime& r) override { rt = &r; }
    std::string open(rpc::Runtime& r) override;
    void start(rpc::Runtime& r) override;
    void stop() override;

    bool enabled(int bit) const { return transport == 0 || (transport & bit); }

    // Service thread state.
    struct Conn {
        int fd = -1;
        std::string buf;
        int64_t last = 0;   // monotonic ms of the last activity
    };
    int stop_fd = -1;
    int fifo_fd = -1;
    std::string fifo_path, fifo_buf;
    int dgram_fd = -1;
    std::string dgram_path;   // UNIX socket file to remove at stop
    int tcp_fd = -1;
    std::string tcp_path;
    std::vector<Conn> conns;
    std::thread thread;
    std::atomic<bool> running{false};

    void loop();
    void on_fifo();
    void on_dgram();
    void on_accept();
    bool on_conn(Conn& c);   // false: close it
    void close_all();
};

}   // namespace siphon::modules
