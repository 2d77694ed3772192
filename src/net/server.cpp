#include "net/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <unordered_set>

#include "core/log.h"

namespace siphon::net {

namespace {

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void addr_text(const sockaddr_storage& ss, char* ip, size_t iplen, uint16_t& port) {
    if (ss.ss_family == AF_INET6) {
        auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
        inet_ntop(AF_INET6, &a->sin6_addr, ip, static_cast<socklen_t>(iplen));
        port = ntohs(a->sin6_port);
    } else {
        auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
        // Hand-formatted: inet_ntop goes through sprintf, and this runs per datagram.
        const auto* b = reinterpret_cast<const unsigned char*>(&a->sin_addr);
        char* o = ip;
        for (int k = 0; k < 4; ++k) {
            unsigned v = b[k];
            if (v >= 100) *o++ = static_cast<char>('0' + v / 100);
            if (v >= 10) *o++ = static_cast<char>('0' + v / 10 % 10);
            *o++ = static_cast<char>('0' + v % 10);
            if (k < 3) *o++ = '.';
        }
        *o = 0;
        (void)iplen;
        port = ntohs(a->sin_port);
    }
}

// True when the bytes at the start of a stream look like a SIP message: a status line
// ("SIP/2.0 200 OK") or a request line ending in " SIP/2.0". Framing errors are answered
// with an HTTP status only for HTTP (and unrecognisable) input; a SIP peer gets no HTTP
// reply, the connection is just closed, as Kamailio does (RFC 3261 18.3 has no way to
// answer a message that cannot be framed).
bool looks_like_sip(const char* data, size_t len) {
    auto ieq = [](const char* a, const char* b, size_t n) {
        for (size_t i = 0; i < n; ++i)
            if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
        return true;
    };
    if (len >= 4 && ieq(data, "SIP/", 4)) return true;
    const size_t window = len < 8192 ? len : 8192;
    if (const char* nl = static_cast<const char*>(std::memchr(data, '\n', window))) {
        size_t e = static_cast<size_t>(nl - data);
        if (e > 0 && data[e - 1] == '\r') --e;
        return e >= 8 && ieq(data + e - 8, " SIP/2.0", 8);
    }
    // The end of the request line is not in sight (too long): SIP Request-URIs are sip:,
    // sips: or tel: URIs, HTTP request-targets never are (RFC 3261 25.1, RFC 9112 3.2).
    size_t i = 0;
    while (i < len && i < 32 && data[i] > ' ' && data[i] < 0x7f) ++i;
    if (i == 0 || i >= len || data[i] != ' ') return false;
    const char* u = data + i + 1;
    const size_t ul = len - i - 1;
    return (ul >= 4 && (ieq(u, "sip:", 4) || ieq(u, "tel:", 4))) || (ul >= 5 && ieq(u, "sips:", 5));
}

// At most one log line per second for a kind of event a peer can trigger at will; the lines
// left out are counted and the count is shown with the next one (STYLE.md: bad input is
// expected, rate-limit its logs). One per worker, so no locking.
struct LogLimit {
    int64_t last = 0;
    uint64_t skipped = 0;
    // True if a line may be written now; `skipped` then holds how many were left out.
    bool allow(int64_t now) {
        if (last != 0 && now - last < 1000) {
            ++skipped;
            return false;
        }
        last = now;
        return true;
    }
};

constexpr size_t kReadBuf = 64 * 1024;
constexpr int kUdpBatch = 16;
constexpr size_t kUdpBuf = 65536;

}  // namespace

std::string ListenAddr::display() const {
    std::string s(proto_name(proto));
    s += ':';
    if (host.find(':') != std::string::npos) s += '[' + host + ']';
    else s += host;
    s += ':' + std::to_string(port);
    if (!advertise_host.empty())
        s += " advertise " + advertise_host + (advertise_port ? ":" + std::to_string(advertise_port) : "");
    return s;
}

// One TCP connection, owned by one worker.
struct Conn {
    int fd = -1;
    pv::RecvInfo rcv;
    std::unique_ptr<char[]> in;   // partial message bytes; null when nothing is pending
    size_t in_len = 0;
    size_t in_cap = 0;
    std::string out;              // replies not yet written
    size_t out_off = 0;
    msg::FramerState fst;
    int64_t last_active = 0;
    int64_t head_start = 0;       // when the pending partial message began (0 = none)
    bool closing = false;         // close once `out` is flushed
    bool paused = false;          // not reading: too many replies are waiting to be sent
    uint32_t events = 0;          // the epoll interest set now registered
    bool dead = false;
};

class Server::Worker {
public:
    Worker(Server& srv, int id) : srv_(srv), id_(id) {
        ep_ = epoll_create1(EPOLL_CLOEXEC);
        ev_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        rbuf_.reset(new char[kReadBuf]);
        for (int i = 0; i < kUdpBatch; ++i) ubufs_.emplace_back(new char[kUdpBuf]);
    }
    ~Worker() {
        for (Conn* c : conns_) {
            ::close(c->fd);
            delete c;
        }
        if (ep_ >= 0) ::close(ep_);
        if (ev_ >= 0) ::close(ev_);
        if (spare_fd_ >= 0) ::close(spare_fd_);
    }
    void wake() {
        uint64_t one = 1;
        ssize_t w = ::write(ev_, &one, sizeof one);
        (void)w;
    }
    void run();
    std::atomic<bool> stop{false};

private:
    struct StreamSink final : pv::ReplySink {
        Conn* c = nullptr;
        bool send(std::string_view b) override {
            c->out.append(b);
            return true;
        }
        bool send_to(const sockaddr*, socklen_t, std::string_view b) override { return send(b); }
        bool is_stream() const override { return true; }
    };
    // Replies to the datagrams of one recvmmsg batch leave together, with one sendmmsg when
    // the batch is done (or the queue is full): one system call instead of one per reply.
    // A reply is copied into a slot of its own (the arena it was built in is reset after
    // each message); one larger than a slot is sent at once, after what is queued, so that
    // replies keep their order. A failed send is logged at debug level, as a failed sendto
    // was: UDP gives no delivery guarantee either way.
    struct UdpOut {
        static constexpr size_t kSlot = 4096;
        int fd = -1;
        int n = 0;
        mmsghdr msgs[kUdpBatch];
        iovec iov[kUdpBatch];
        sockaddr_storage to[kUdpBatch];
        std::unique_ptr<char[]> buf{new char[kUdpBatch * kSlot]};

        void flush() {
            for (int off = 0; off < n;) {
                int r = sendmmsg(fd, msgs + off, static_cast<unsigned>(n - off), MSG_DONTWAIT);
                if (r <= 0) {
                    SLOG_DBG("net", "sendmmsg failed: %s", std::strerror(errno));
                    ++off;  // drop the datagram that failed, try the rest
                } else {
                    off += r;
                }
            }
            n = 0;
        }
        bool queue(int sock, const sockaddr* a, socklen_t l, std::string_view b) {
            if (n > 0 && sock != fd) flush();
            fd = sock;
            if (b.size() > kSlot || l > sizeof(sockaddr_storage)) {
                flush();
                if (::sendto(sock, b.data(), b.size(), MSG_DONTWAIT, a, l) < 0) {
                    SLOG_DBG("net", "sendto failed: %s", std::strerror(errno));
                    return false;
                }
                return true;
            }
            if (n == kUdpBatch) flush();
            char* slot = buf.get() + static_cast<size_t>(n) * kSlot;
            std::memcpy(slot, b.data(), b.size());
            std::memcpy(&to[n], a, l);
            iov[n] = {slot, b.size()};
            msgs[n] = {};
            msgs[n].msg_hdr.msg_name = &to[n];
            msgs[n].msg_hdr.msg_namelen = l;
            msgs[n].msg_hdr.msg_iov = &iov[n];
            msgs[n].msg_hdr.msg_iovlen = 1;
            ++n;
            return true;
        }
    };
    struct DgramSink final : pv::ReplySink {
        UdpOut* out = nullptr;
        int fd = -1;
        const sockaddr* to = nullptr;
        socklen_t to_len = 0;
        bool send(std::string_view b) override { return send_to(to, to_len, b); }
        bool send_to(const sockaddr* a, socklen_t l, std::string_view b) override {
            return out->queue(fd, a, l, b);
        }
        bool is_stream() const override { return false; }
    };

    void add_listener(Listener& l) {
        epoll_event e{};
        e.events = EPOLLIN | EPOLLEXCLUSIVE;
        e.data.ptr = &l;
        epoll_ctl(ep_, EPOLL_CTL_ADD, l.fd, &e);
    }
    bool is_listener(void* p) const {
        for (auto& l : srv_.listeners_)
            if (&l == p) return true;
        return false;
    }
    void on_udp(Listener& l);
    void on_accept(Listener& l);
    void on_conn(Conn* c, uint32_t events);
    void read_conn(Conn* c);
    size_t process(Conn* c, char* data, size_t len, bool eof);
    void flush(Conn* c);
    void update_events(Conn* c);
    bool shed_connection(Listener& l);
    void refuse(int fd);
    void close_conn(Conn* c);
    void abort_conn(Conn* c);
    bool queue_over_limit(Conn* c);
    void sweep(int64_t now);
    void send_error(Conn* c, int status);

    Server& srv_;
    int id_;
    int ep_ = -1;
    int ev_ = -1;
    // Kept open so that, when accept() fails for lack of descriptors, one can be freed to
    // take the pending connection off the backlog and reset it (see on_accept).
    int spare_fd_ = -1;
    LogLimit refused_log_;
    LogLimit nofile_log_;
    // TCP listeners this worker stopped polling because accept() ran out of descriptors and
    // none could be freed; polled again from accept_resume_ (ms, steady clock).
    std::vector<Listener*> paused_listeners_;
    int64_t accept_resume_ = 0;
    std::unique_ptr<char[]> rbuf_;
    std::vector<std::unique_ptr<char[]>> ubufs_;
    UdpOut udp_out_;
    // Steady clock (ms) read once after each epoll_wait: precise enough for idle and header
    // timeouts, and one clock read per loop instead of one per recv and per send.
    int64_t loop_now_ = now_ms();
    std::unordered_set<Conn*> conns_;
    msg::Message msg_;
};

void Server::Worker::run() {
    set_log_worker_id(id_ + 1);
    srv_.handler_.on_worker_start(id_);
    for (auto& l : srv_.listeners_) add_listener(l);
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.ptr = this;
    epoll_ctl(ep_, EPOLL_CTL_ADD, ev_, &e);
    epoll_event evs[64];
    int64_t last_sweep = now_ms();
    // Coalescing. A worker that sleeps in epoll_wait is woken by whoever makes one of its
    // sockets readable, and that wake-up (on a virtual machine an inter-processor interrupt
    // and a VM exit) is paid by the sender: the client's or the kernel's context. Under
    // steady load such a worker catches up, sleeps and is woken again thousands of times a
    // second. So a worker that has been finding work (two or more non-empty polls in a row)
    // and then finds none pauses for io_coalesce_us off the wait queue (a timed sleep nobody
    // has to wake) and polls once more before it blocks: events gather meanwhile and are
    // taken in one batch. A lone message never triggers the pause; under load the added
    // latency is at most the pause.
    const timespec pause{0, static_cast<long>(srv_.cfg_.io_coalesce_us) * 1000};
    if (srv_.cfg_.io_coalesce_us > 0) prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);  // ns
    int streak = 0;  // consecutive polls that returned events
    while (!stop.load(std::memory_order_relaxed)) {
        int timeout = 1000;
        if (!paused_listeners_.empty())
            timeout = static_cast<int>(std::clamp<int64_t>(accept_resume_ - now_ms(), 0, 1000));
        int n;
        if (streak >= 2 && pause.tv_nsec > 0) {
            n = epoll_wait(ep_, evs, 64, 0);
            if (n == 0) {
                nanosleep(&pause, nullptr);
                n = epoll_wait(ep_, evs, 64, 0);
            }
            if (n == 0) {
                streak = 0;
                n = epoll_wait(ep_, evs, 64, timeout);
            }
        } else {
            n = epoll_wait(ep_, evs, 64, timeout);
        }
        streak = n > 0 ? streak + 1 : 0;
        loop_now_ = now_ms();
        for (int i = 0; i < n; ++i) {
            void* p = evs[i].data.ptr;
            if (p == this) continue;  // stop request; the loop condition handles it
            if (is_listener(p)) {
                auto* l = static_cast<Listener*>(p);
                if (l->addr.proto == pv::Proto::Udp) on_udp(*l);
                else on_accept(*l);
            } else {
                on_conn(static_cast<Conn*>(p), evs[i].events);
            }
        }
        int64_t now = now_ms();
        if (!paused_listeners_.empty() && now >= accept_resume_) {
            for (Listener* l : paused_listeners_) add_listener(*l);
            paused_listeners_.clear();
        }
        if (now - last_sweep >= 1000) {
            sweep(now);
            last_sweep = now;
        }
    }
    // Graceful stop: what was answered is flushed (bounded wait), then connections close.
    int64_t deadline = now_ms() + 1000;
    for (Conn* c : conns_) {
        while (c->out.size() > c->out_off && now_ms() < deadline) {
            ssize_t w = ::send(c->fd, c->out.data() + c->out_off, c->out.size() - c->out_off, MSG_NOSIGNAL);
            if (w > 0) c->out_off += static_cast<size_t>(w);
            else if (w < 0 && errno == EAGAIN) usleep(1000);
            else break;
        }
    }
}

void Server::Worker::on_udp(Listener& l) {
    mmsghdr msgs[kUdpBatch];
    iovec iov[kUdpBatch];
    sockaddr_storage from[kUdpBatch];
    for (int round = 0; round < 4; ++round) {
        for (int i = 0; i < kUdpBatch; ++i) {
            iov[i] = {ubufs_[i].get(), kUdpBuf - 1};
            msgs[i] = {};
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &from[i];
            msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
        }
        int n = recvmmsg(l.fd, msgs, kUdpBatch, MSG_DONTWAIT, nullptr);
        if (n <= 0) return;
        srv_.stats_.udp_received.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
        for (int i = 0; i < n; ++i) {
            char* data = ubufs_[i].get();
            size_t len = msgs[i].msg_len;
            // Kamailio ignores tiny datagrams (keep-alives, NAT pings): no message fits in
            // fewer than 32 bytes anyway.
            if (len < 32) continue;
            pv::RecvInfo rcv;
            rcv.proto = pv::Proto::Udp;
            rcv.src = from[i];
            rcv.src_len = msgs[i].msg_hdr.msg_namelen;
            rcv.ipv6 = from[i].ss_family == AF_INET6;
            addr_text(from[i], rcv.src_ip, sizeof rcv.src_ip, rcv.src_port);
            std::memcpy(rcv.dst_ip, l.local_ip, sizeof rcv.dst_ip);
            rcv.dst_port = l.addr.port;
            rcv.advertised_ip = l.addr.advertise_host;
            rcv.advertised_port = l.addr.advertise_port;
            msg::FrameResult fr = msg::frame_datagram(data, len, srv_.cfg_.limits, msg_);
            if (fr.status != msg::FrameStatus::Done) {
                srv_.stats_.parse_errors.fetch_add(1, std::memory_order_relaxed);
                SLOG_INFO("net", "dropped a bad UDP message from %s:%u: %.*s", rcv.src_ip, rcv.src_port,
                         static_cast<int>(fr.error.size()), fr.error.data());
                continue;
            }
            DgramSink sink;
            sink.out = &udp_out_;
            sink.fd = l.fd;
            sink.to = reinterpret_cast<const sockaddr*>(&from[i]);
            sink.to_len = rcv.src_len;
            srv_.handler_.on_message(id_, msg_, rcv, sink);
        }
        udp_out_.flush();
        if (n < kUdpBatch) return;
    }
}

void Server::Worker::on_accept(Listener& l) {
    for (int k = 0; k < 64; ++k) {
        sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(l.fd, reinterpret_cast<sockaddr*>(&ss), &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            // Out of descriptors: the listener stays readable (level-triggered), so returning
            // would spin this loop while the peers wait in the backlog. Shed them instead.
            if (errno == EMFILE || errno == ENFILE) {
                if (shed_connection(l)) continue;
                // Nothing could be freed (another worker took the descriptor): stop polling
                // this listener for a moment rather than spin on it.
                epoll_ctl(ep_, EPOLL_CTL_DEL, l.fd, nullptr);
                paused_listeners_.push_back(&l);
                accept_resume_ = now_ms() + 100;
            }
            return;
        }
        if (srv_.stats_.tcp_current.load() >= static_cast<uint64_t>(srv_.cfg_.tcp_max_connections)) {
            // Over the limit: refuse at once (RST) rather than hold a connection we won't serve.
            refuse(fd);
            if (refused_log_.allow(now_ms())) {
                SLOG_WARN("net", "tcp_max_connections (%d) reached: connection refused (%llu more not logged)",
                          srv_.cfg_.tcp_max_connections,
                          static_cast<unsigned long long>(refused_log_.skipped));
                refused_log_.skipped = 0;
            }
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        auto* c = new Conn;
        c->fd = fd;
        c->rcv.proto = pv::Proto::Tcp;
        c->rcv.src = ss;
        c->rcv.src_len = sl;
        c->rcv.ipv6 = ss.ss_family == AF_INET6;
        addr_text(ss, c->rcv.src_ip, sizeof c->rcv.src_ip, c->rcv.src_port);
        uint16_t lp;
        addr_text(l.local, c->rcv.dst_ip, sizeof c->rcv.dst_ip, lp);
        c->rcv.dst_port = lp;
        c->rcv.advertised_ip = l.addr.advertise_host;
        c->rcv.advertised_port = l.addr.advertise_port;
        c->last_active = loop_now_;
        conns_.insert(c);
        srv_.stats_.tcp_current.fetch_add(1);
        srv_.stats_.tcp_total.fetch_add(1);
        epoll_event e{};
        e.events = EPOLLIN | EPOLLRDHUP;
        e.data.ptr = c;
        c->events = e.events;
        epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &e);
        // Data often arrives with the connection; read it now instead of another wakeup.
        read_conn(c);
        if (c->dead) {
            conns_.erase(c);
            delete c;
        }
    }
}

void Server::Worker::refuse(int fd) {
    srv_.stats_.tcp_refused.fetch_add(1);
    linger lg{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    ::close(fd);
}

// accept() failed with EMFILE/ENFILE: frees the spare descriptor, accepts the oldest pending
// connection with it and resets that connection at once, then takes the spare back (the
// classic libev remedy). Returns false when nothing could be shed.
bool Server::Worker::shed_connection(Listener& l) {
    if (nofile_log_.allow(now_ms())) {
        SLOG_ERR("net", "accept(): %s: connections are being refused (%llu more not logged)",
                 std::strerror(errno), static_cast<unsigned long long>(nofile_log_.skipped));
        nofile_log_.skipped = 0;
    }
    if (spare_fd_ < 0) spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);  // lost a race earlier
    if (spare_fd_ < 0) return false;
    ::close(spare_fd_);
    spare_fd_ = -1;
    int fd = accept4(l.fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) refuse(fd);
    spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd >= 0;
}

void Server::Worker::on_conn(Conn* c, uint32_t events) {
    if (events & EPOLLERR) {
        close_conn(c);
    } else if ((events & EPOLLHUP) && (c->paused || c->closing)) {
        // The peer is gone while we were not reading it: nothing more can be delivered, and
        // EPOLLHUP cannot be masked, so keeping the connection would spin the loop.
        close_conn(c);
    } else {
        if (events & EPOLLOUT) flush(c);
        if (!c->dead && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))) read_conn(c);
    }
    if (c->dead) {
        conns_.erase(c);
        delete c;
    }
}

void Server::Worker::read_conn(Conn* c) {
    const size_t max_msg = srv_.cfg_.limits.max_header_bytes + srv_.cfg_.limits.max_body + 4096;
    for (int round = 0; round < 16 && !c->dead && !c->closing; ++round) {
        // Backpressure: while replies are queued, read nothing more from this peer. Reading
        // stays off (EPOLLIN is removed in update_events) until flush() drains the queue;
        // level-triggered EPOLLIN would otherwise wake the loop over and over.
        if (c->out.size() - c->out_off > srv_.cfg_.tcp_send_queue_max / 2) {
            c->paused = true;
            break;
        }
        char* data;
        size_t base;
        size_t room;
        if (c->in_len == 0) {
            data = rbuf_.get();
            base = 0;
            room = kReadBuf;
        } else {
            if (c->in_cap - c->in_len < 16384) {
                size_t ncap = c->in_cap * 2;
                if (ncap < c->in_len + 65536) ncap = c->in_len + 65536;
                if (ncap > max_msg) ncap = max_msg;
                if (ncap <= c->in_len) {
                    // The message is larger than any limit allows.
                    send_error(c, 413);
                    break;
                }
                std::unique_ptr<char[]> nb(new char[ncap]);
                std::memcpy(nb.get(), c->in.get(), c->in_len);
                c->in = std::move(nb);
                c->in_cap = ncap;
            }
            data = c->in.get();
            base = c->in_len;
            room = c->in_cap - c->in_len;
        }
        ssize_t n = ::recv(c->fd, data + base, room, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            close_conn(c);
            return;
        }
        bool eof = n == 0;
        size_t len = base + static_cast<size_t>(n);
        c->last_active = loop_now_;
        size_t used = len ? process(c, data, len, eof) : 0;
        if (c->dead) return;  // dropped while processing (send queue over the limit)
        size_t left = len - used;
        // Chunk framing already decoded part of the pending body: drop the encoded bytes it
        // no longer needs, so chunk overhead does not count against the buffer limit.
        if (left && !c->closing) left = msg::compact_chunked(data + used, left, c->fst);
        if (left && !c->closing) {
            if (data == rbuf_.get()) {
                size_t cap = left + 65536;
                if (cap > max_msg) cap = left > max_msg ? left : max_msg;
                c->in.reset(new char[cap]);
                c->in_cap = cap;
                std::memcpy(c->in.get(), data + used, left);
            } else if (used) {
                std::memmove(c->in.get(), c->in.get() + used, left);
            }
            c->in_len = left;
            if (!c->head_start) c->head_start = c->last_active;
        } else {
            c->in_len = 0;
            c->head_start = 0;
            if (c->in_cap > 65536) {
                c->in.reset();
                c->in_cap = 0;
            }
        }
        if (eof) {
            // The peer half-closed: answer what it sent, then close.
            c->closing = true;
            break;
        }
        if (static_cast<size_t>(n) < room) break;
    }
    flush(c);
}

size_t Server::Worker::process(Conn* c, char* data, size_t len, bool eof) {
    size_t off = 0;
    StreamSink sink;
    sink.c = c;
    while (off < len && !c->closing) {
        msg::FrameResult r = msg::frame_stream(data + off, len - off, srv_.cfg_.limits,
                                               srv_.cfg_.stream, c->fst, msg_);
        switch (r.status) {
            case msg::FrameStatus::Done: {
                // Pipelined requests in one read are answered one by one; a peer that sends
                // many of them and reads nothing must not make the queue grow without bound.
                if (queue_over_limit(c)) return len;
                off += r.consumed;
                c->fst = {};
                c->head_start = 0;
                bool keep = srv_.handler_.on_message(id_, msg_, c->rcv, sink);
                if (!keep) c->closing = true;
                break;
            }
            case msg::FrameStatus::KeepAlive:
                off += r.consumed;
                if (r.consumed >= 4) c->out.append("\r\n");  // CRLF ping -> pong
                break;
            case msg::FrameStatus::NeedMore:
                if (r.send_continue) c->out.append("HTTP/1.1 100 Continue\r\n\r\n");
                return off;
            case msg::FrameStatus::Error:
                srv_.stats_.parse_errors.fetch_add(1, std::memory_order_relaxed);
                SLOG_INFO("net", "bad message from %s:%u: %.*s", c->rcv.src_ip, c->rcv.src_port,
                         static_cast<int>(r.error.size()), r.error.data());
                if (r.http_status && !looks_like_sip(data + off, len - off)) send_error(c, r.http_status);
                c->closing = true;
                return len;
        }
    }
    (void)eof;
    return c->closing ? len : off;
}

void Server::Worker::send_error(Conn* c, int status) {
    const char* reason = "Bad Request";
    switch (status) {
        case 408: reason = "Request Timeout"; break;
        case 411: reason = "Length Required"; break;
        case 413: reason = "Content Too Large"; break;
        case 414: reason = "URI Too Long"; break;
        case 431: reason = "Request Header Fields Too Large"; break;
        case 501: reason = "Not Implemented"; break;
        case 505: reason = "HTTP Version Not Supported"; break;
    }
    char buf[160];
    int n = std::snprintf(buf, sizeof buf,
                          "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status, reason);
    c->out.append(buf, static_cast<size_t>(n));
    c->closing = true;
}

void Server::Worker::flush(Conn* c) {
    if (c->dead) return;
    while (c->out.size() > c->out_off) {
        ssize_t w = ::send(c->fd, c->out.data() + c->out_off, c->out.size() - c->out_off,
                           MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            close_conn(c);
            return;
        }
        c->out_off += static_cast<size_t>(w);
        // A peer that reads its replies is active even when it sends nothing.
        c->last_active = loop_now_;
    }
    if (c->paused && c->out.size() - c->out_off <= srv_.cfg_.tcp_send_queue_max / 2) {
        // Resume reading; a partial head waiting in `in` gets its header time afresh, since
        // it was us, not the peer, who stopped reading.
        c->paused = false;
        if (c->head_start) c->head_start = loop_now_;
    }
    if (c->out_off == c->out.size()) {
        c->out.clear();
        c->out_off = 0;
        if (c->out.capacity() > 65536) c->out.shrink_to_fit();
        if (c->closing) {
            close_conn(c);
            return;
        }
    }
    update_events(c);
}

// Before the next pipelined message is handled: if the replies already queued are over
// tcp_send_queue_max even after writing what the socket takes now, the peer is not reading
// and is dropped with a reset (Kamailio's tcp_conn_wq_max). The check is made before a reply
// is added, not after, so a single reply larger than the limit still goes to a slow reader;
// the queue is bounded by the limit plus one reply. Returns true when the connection was
// dropped.
bool Server::Worker::queue_over_limit(Conn* c) {
    if (c->out.size() - c->out_off <= srv_.cfg_.tcp_send_queue_max) return false;
    flush(c);
    if (c->dead) return true;
    if (c->out.size() - c->out_off <= srv_.cfg_.tcp_send_queue_max) return false;
    SLOG_INFO("net", "send queue of %s:%u over %zu bytes: connection dropped", c->rcv.src_ip,
              c->rcv.src_port, srv_.cfg_.tcp_send_queue_max);
    abort_conn(c);
    return true;
}

void Server::Worker::update_events(Conn* c) {
    const bool want = c->out.size() > c->out_off;
    uint32_t ev = want ? static_cast<uint32_t>(EPOLLOUT) : 0u;
    // Not reading while paused, nor once the connection is to close after its replies: an
    // EOF or unread bytes would keep level-triggered EPOLLIN firing for nothing.
    if (!c->paused && !c->closing) ev |= EPOLLIN | EPOLLRDHUP;
    if (ev == c->events) return;
    c->events = ev;
    epoll_event e{};
    e.events = ev;
    e.data.ptr = c;
    epoll_ctl(ep_, EPOLL_CTL_MOD, c->fd, &e);
}

void Server::Worker::close_conn(Conn* c) {
    if (c->dead) return;
    // (closing the descriptor removes it from the epoll set: it is never dup()ed)
    ::close(c->fd);
    c->fd = -1;
    c->dead = true;
    srv_.stats_.tcp_current.fetch_sub(1);
}

// Drops a connection with a reset: the replies it did not read are discarded at once instead
// of lingering in the kernel.
void Server::Worker::abort_conn(Conn* c) {
    if (c->dead) return;
    linger lg{1, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close_conn(c);
}

void Server::Worker::sweep(int64_t now) {
    std::vector<Conn*> dead;
    for (Conn* c : conns_) {
        if (c->head_start && c->fst.head_len == 0 && !c->paused &&
            now - c->head_start > static_cast<int64_t>(srv_.cfg_.tcp_header_timeout) * 1000) {
            // A client that trickles its request head (slowloris) is cut off.
            SLOG_INFO("net", "%s:%u: request head not complete in %d s: closing", c->rcv.src_ip,
                     c->rcv.src_port, srv_.cfg_.tcp_header_timeout);
            close_conn(c);
        } else if (now - c->last_active > static_cast<int64_t>(srv_.cfg_.tcp_connection_lifetime) * 1000) {
            close_conn(c);
        }
        if (c->dead) dead.push_back(c);
    }
    for (Conn* c : dead) {
        conns_.erase(c);
        delete c;
    }
}

Server::Server(NetConfig cfg, Handler& handler) : cfg_(std::move(cfg)), handler_(handler) {}

Server::~Server() {
    stop();
    for (auto& l : listeners_)
        if (l.fd >= 0) ::close(l.fd);
}

std::string Server::bind_all() {
    for (const ListenAddr& a : cfg_.listens) {
        Listener l;
        l.addr = a;
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = a.proto == pv::Proto::Udp ? SOCK_DGRAM : SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
        addrinfo* res = nullptr;
        std::string port = std::to_string(a.port);
        int rc = getaddrinfo(a.host.empty() ? nullptr : a.host.c_str(), port.c_str(), &hints, &res);
        if (rc != 0 || !res) return "cannot resolve listen address " + a.display() + ": " + gai_strerror(rc);
        int fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            freeaddrinfo(res);
            return "socket(): " + std::string(std::strerror(errno));
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (res->ai_family == AF_INET6) setsockopt(fd, static_cast<int>(IPPROTO_IPV6), IPV6_V6ONLY, &one, sizeof one);
        if (a.proto == pv::Proto::Udp) {
            int sz = 4 << 20;
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
        }
        if (::bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
            std::string err = "cannot bind " + a.display() + ": " + std::strerror(errno);
            freeaddrinfo(res);
            ::close(fd);
            return err;
        }
        freeaddrinfo(res);
        if (a.proto != pv::Proto::Udp && ::listen(fd, 4096) != 0) {
            ::close(fd);
            return "listen(): " + std::string(std::strerror(errno));
        }
        socklen_t sl = sizeof l.local;
        getsockname(fd, reinterpret_cast<sockaddr*>(&l.local), &sl);
        uint16_t p;
        addr_text(l.local, l.local_ip, sizeof l.local_ip, p);
        l.addr.port = p;
        l.fd = fd;
        listeners_.push_back(l);
    }
    return "";
}

std::vector<std::string> Server::bound() const {
    std::vector<std::string> v;
    for (auto& l : listeners_) v.push_back(l.addr.display());
    return v;
}

void Server::start() {
    int n = cfg_.workers < 1 ? 1 : cfg_.workers;
    for (int i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>(*this, i));
    for (int i = 0; i < n; ++i) threads_.emplace_back([w = workers_[i].get()] { w->run(); });
}

void Server::stop() {
    for (auto& w : workers_) {
        w->stop.store(true);
        w->wake();
    }
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
    workers_.clear();
}

}  // namespace siphon::net
