// The transport layer: worker threads, each with its own epoll loop, sharing the UDP and TCP
// listening sockets. A TCP connection belongs to the worker that accepted it; datagrams of a
// single busy peer spread over all workers because every worker reads the same UDP socket
// (EPOLLEXCLUSIVE wakes one at a time), unlike a SO_REUSEPORT hash that would pin the peer.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "msg/framer.h"
#include "msg/message.h"
#include "pv/context.h"

namespace siphon::net {

struct ListenAddr {
    pv::Proto proto = pv::Proto::Udp;
    std::string host;        // numeric address (IPv6 without brackets)
    uint16_t port = 5060;
    std::string advertise_host;
    uint16_t advertise_port = 0;
    std::string display() const;  // "udp:127.0.0.1:5060"
};

struct NetConfig {
    std::vector<ListenAddr> listens;
    int workers = 2;
    msg::Limits limits;
    msg::StreamOptions stream;
    int tcp_max_connections = 4096;
    int tcp_connection_lifetime = 120;  // s idle
    int tcp_header_timeout = 10;        // s to complete a message head
    size_t tcp_send_queue_max = 1 << 20;
    // Microseconds a busy worker that finds nothing ready waits before blocking in epoll
    // (see Worker::run); 0 blocks at once.
    int io_coalesce_us = 10;
};

// What the transport hands each complete message to.
class Handler {
public:
    virtual ~Handler() = default;
    // Called on worker `worker` for one message. The message views and rcv are valid only
    // during the call. The handler answers through `sink`; it may ask for the connection to
    // be closed after the replies are flushed by returning false.
    virtual bool on_message(int worker, msg::Message& m, pv::RecvInfo& rcv, pv::ReplySink& sink) = 0;
    // Called once per worker thread before its loop starts.
    virtual void on_worker_start(int worker) {}
};

struct NetStats {
    std::atomic<uint64_t> tcp_current{0};
    std::atomic<uint64_t> tcp_total{0};
    std::atomic<uint64_t> tcp_refused{0};
    std::atomic<uint64_t> parse_errors{0};
    std::atomic<uint64_t> udp_received{0};
};

class Server {
public:
    Server(NetConfig cfg, Handler& handler);
    ~Server();
    // Opens every listening socket. Returns an error message or "".
    std::string bind_all();
    void start();
    // Asks every worker to finish what it is doing, flush replies and exit; joins them.
    void stop();
    const NetConfig& config() const { return cfg_; }
    NetStats& stats() { return stats_; }
    // "udp:127.0.0.1:5060" for each bound socket (with the actual port if 0 was asked).
    std::vector<std::string> bound() const;

    struct Listener {
        int fd = -1;
        ListenAddr addr;
        sockaddr_storage local{};
        char local_ip[48] = {};   // text of the bound address, formatted once
    };
    class Worker;

private:
    NetConfig cfg_;
    Handler& handler_;
    std::vector<Listener> listeners_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::thread> threads_;
    NetStats stats_;
};

}  // namespace siphon::net
