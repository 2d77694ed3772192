// sipload: a small SIP OPTIONS load generator for the siphon benchmark suite.
//
// It keeps a window of W outstanding OPTIONS requests on each of N sockets (UDP or TCP) for a
// fixed duration, or paces the requests at a fixed total rate (--rate), and reports how many
// were sent, answered and lost, the replies per second and the p50/p99 latency. Every request
// has a unique Call-ID, branch and CSeq number; replies are matched by CSeq number (checked
// against the Call-ID) on the socket they arrive on. Loopback / benchmarking use only: it
// refuses destinations outside 127.0.0.0/8 and ::1.
//
// One thread, one epoll loop; UDP uses recvmmsg/sendmmsg so that the generator spends as
// little of the (shared) CPU as possible. Output: one JSON object on stdout.
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

int64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "sipload: %s: %s\n", what, std::strerror(errno));
    std::exit(2);
}

struct Options {
    bool tcp = false;
    std::string host = "127.0.0.1";
    int port = 5060;
    int sockets = 4;
    int window = 32;
    double duration = 5.0;     // seconds of measured load
    double rate = 0;           // requests/s in total; 0 = as fast as the window allows
    int timeout_ms = 1000;     // a request unanswered for this long counts as lost
    bool quiet = false;
};

void usage() {
    std::fprintf(stderr,
                 "usage: sipload [--udp|--tcp] [--host 127.0.0.1] --port P [--sockets N] [--window W]\n"
                 "               [--duration S] [--rate R] [--timeout-ms T]\n"
                 "  Sends SIP OPTIONS with W outstanding requests per socket (or R requests/s in\n"
                 "  total with --rate) for S seconds; prints one JSON object with sent, received,\n"
                 "  lost, bad (non-200 or unmatched), replies_per_s, p50_us, p99_us.\n");
}

bool parse_args(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "sipload: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--udp") o.tcp = false;
        else if (a == "--tcp") o.tcp = true;
        else if (a == "--host") o.host = next();
        else if (a == "--port") o.port = std::atoi(next());
        else if (a == "--sockets") o.sockets = std::atoi(next());
        else if (a == "--window") o.window = std::atoi(next());
        else if (a == "--duration") o.duration = std::atof(next());
        else if (a == "--rate") o.rate = std::atof(next());
        else if (a == "--timeout-ms") o.timeout_ms = std::atoi(next());
        else if (a == "--quiet") o.quiet = true;
        else if (a == "-h" || a == "--help") {
            usage();
            std::exit(0);
        } else {
            std::fprintf(stderr, "sipload: unknown option %s\n", a.c_str());
            usage();
            return false;
        }
    }
    if (o.port <= 0 || o.port > 65535 || o.sockets < 1 || o.sockets > 1024 || o.window < 1 ||
        o.window > 100000 || o.duration <= 0 || o.duration > 3600 || o.rate < 0 || o.timeout_ms < 1) {
        std::fprintf(stderr, "sipload: bad option value\n");
        return false;
    }
    return true;
}

struct Outstanding {
    int64_t sent_ns;
};

struct Sock {
    int fd = -1;
    int idx = 0;
    uint16_t local_port = 0;
    uint32_t next_seq = 1;
    std::unordered_map<uint32_t, Outstanding> out;  // CSeq number -> send time
    // TCP
    bool connected = false;
    std::string wbuf;   // bytes not yet written
    size_t woff = 0;
    std::string rbuf;   // bytes received, not yet parsed
    bool want_out = false;
    bool dead = false;
};

struct Stats {
    uint64_t sent = 0, received = 0, bad = 0, lost = 0, send_errors = 0;
    uint64_t received_in_window = 0;
    std::vector<uint32_t> lat_us;
};

class Gen {
public:
    explicit Gen(const Options& o) : o_(o) {
        run_id_ = static_cast<uint32_t>(now_ns() ^ (int64_t(getpid()) << 16));
        stats_.lat_us.reserve(1 << 22);
    }

    void setup() {
        sockaddr_in6 a6{};
        sockaddr_in a4{};
        if (inet_pton(AF_INET, o_.host.c_str(), &a4.sin_addr) == 1) {
            if ((ntohl(a4.sin_addr.s_addr) >> 24) != 127) {
                std::fprintf(stderr, "sipload: refusing non-loopback destination %s\n", o_.host.c_str());
                std::exit(2);
            }
            a4.sin_family = AF_INET;
            a4.sin_port = htons(static_cast<uint16_t>(o_.port));
            std::memcpy(&dst_, &a4, sizeof a4);
            dst_len_ = sizeof a4;
            family_ = AF_INET;
        } else if (inet_pton(AF_INET6, o_.host.c_str(), &a6.sin6_addr) == 1 &&
                   IN6_IS_ADDR_LOOPBACK(&a6.sin6_addr)) {
            a6.sin6_family = AF_INET6;
            a6.sin6_port = htons(static_cast<uint16_t>(o_.port));
            std::memcpy(&dst_, &a6, sizeof a6);
            dst_len_ = sizeof a6;
            family_ = AF_INET6;
        } else {
            std::fprintf(stderr, "sipload: --host must be a numeric loopback address\n");
            std::exit(2);
        }
        ep_ = epoll_create1(0);
        if (ep_ < 0) die("epoll_create1");
        socks_.resize(static_cast<size_t>(o_.sockets));
        for (int i = 0; i < o_.sockets; ++i) {
            Sock& s = socks_[static_cast<size_t>(i)];
            s.idx = i;
            s.out.reserve(static_cast<size_t>(o_.window) * 2);
            s.fd = socket(family_, (o_.tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (s.fd < 0) die("socket");
            int sz = 4 << 20;
            setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
            setsockopt(s.fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
            if (o_.tcp) {
                int one = 1;
                setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            }
            int rc = connect(s.fd, reinterpret_cast<sockaddr*>(&dst_), dst_len_);
            if (rc < 0 && errno != EINPROGRESS) die("connect");
            s.connected = !o_.tcp || rc == 0;
            sockaddr_storage local{};
            socklen_t ll = sizeof local;
            getsockname(s.fd, reinterpret_cast<sockaddr*>(&local), &ll);
            s.local_port = ntohs(family_ == AF_INET ? reinterpret_cast<sockaddr_in*>(&local)->sin_port
                                                    : reinterpret_cast<sockaddr_in6*>(&local)->sin6_port);
            epoll_event ev{};
            ev.events = EPOLLIN | (s.connected ? 0u : uint32_t(EPOLLOUT));
            s.want_out = !s.connected;
            ev.data.u32 = static_cast<uint32_t>(i);
            if (epoll_ctl(ep_, EPOLL_CTL_ADD, s.fd, &ev) < 0) die("epoll_ctl");
        }
        // Wait (bounded) for the TCP connections.
        if (o_.tcp) {
            int64_t deadline = now_ns() + 3'000'000'000LL;
            size_t pending = 0;
            for (auto& s : socks_) pending += !s.connected;
            while (pending && now_ns() < deadline) {
                epoll_event evs[64];
                int n = epoll_wait(ep_, evs, 64, 100);
                for (int k = 0; k < n; ++k) {
                    Sock& s = socks_[evs[k].data.u32];
                    if (s.connected) continue;
                    int err = 0;
                    socklen_t el = sizeof err;
                    getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &el);
                    if (err) {
                        errno = err;
                        die("tcp connect");
                    }
                    s.connected = true;
                    --pending;
                    set_out(s, false);
                }
            }
            if (pending) {
                std::fprintf(stderr, "sipload: tcp connect timed out\n");
                std::exit(2);
            }
        }
        char ip[64];
        if (family_ == AF_INET) {
            std::snprintf(ip, sizeof ip, "%s", o_.host.c_str());
            host_hdr_ = ip;
        } else {
            host_hdr_ = "[" + o_.host + "]";
        }
    }

    // Appends one request for socket s to `out`; remembers its send time.
    void build_request(Sock& s, std::string& out, int64_t t) {
        uint32_t seq = s.next_seq++;
        char buf[768];
        int n = std::snprintf(
            buf, sizeof buf,
            "OPTIONS sip:bench@%s:%d SIP/2.0\r\n"
            "Via: SIP/2.0/%s %s:%u;branch=z9hG4bK-%08x-%d-%u;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:sipload@%s>;tag=%08x-%d\r\n"
            "To: <sip:bench@%s:%d>\r\n"
            "Call-ID: %u-%d-%08x@sipload\r\n"
            "CSeq: %u OPTIONS\r\n"
            "User-Agent: sipload\r\n"
            "Content-Length: 0\r\n\r\n",
            host_hdr_.c_str(), o_.port, o_.tcp ? "TCP" : "UDP", host_hdr_.c_str(), s.local_port, run_id_,
            s.idx, seq, host_hdr_.c_str(), run_id_, s.idx, host_hdr_.c_str(), o_.port, seq, s.idx, run_id_,
            seq);
        out.append(buf, static_cast<size_t>(n));
        s.out.emplace(seq, Outstanding{t});
        ++stats_.sent;
    }

    // How many new requests socket s may send now.
    size_t budget(Sock& s, int64_t t) {
        if (s.dead || !s.connected || stopping_) return 0;
        size_t room = s.out.size() >= size_t(o_.window) ? 0 : size_t(o_.window) - s.out.size();
        if (o_.rate > 0) {
            // Token bucket over the whole run: sent may not run ahead of rate * elapsed.
            double allowed = o_.rate * double(t - t0_) / 1e9 + 1;
            double left = allowed - double(stats_.sent);
            if (left < 1) return 0;
            room = std::min(room, size_t(left));
        }
        return room;
    }

    void send_udp(Sock& s, size_t count, int64_t t) {
        while (count) {
            constexpr size_t kBatch = 64;
            size_t k = std::min(count, kBatch);
            std::string* bufs = udp_bufs_;
            mmsghdr msgs[kBatch];
            iovec iov[kBatch];
            std::memset(msgs, 0, sizeof msgs);
            uint32_t first_seq = s.next_seq;
            for (size_t j = 0; j < k; ++j) {
                bufs[j].clear();
                build_request(s, bufs[j], t);
                iov[j].iov_base = bufs[j].data();
                iov[j].iov_len = bufs[j].size();
                msgs[j].msg_hdr.msg_iov = &iov[j];
                msgs[j].msg_hdr.msg_iovlen = 1;
            }
            int n = sendmmsg(s.fd, msgs, static_cast<unsigned>(k), 0);
            size_t ok = n < 0 ? 0 : size_t(n);
            if (ok < k) {
                // Not sent: forget them (they were counted as sent; undo).
                for (size_t j = ok; j < k; ++j) {
                    s.out.erase(first_seq + uint32_t(j));
                    --stats_.sent;
                }
                ++stats_.send_errors;
                return;
            }
            count -= k;
        }
    }

    void send_tcp(Sock& s, size_t count, int64_t t) {
        if (!count) return;
        if (s.woff == s.wbuf.size()) {
            s.wbuf.clear();
            s.woff = 0;
        }
        for (size_t j = 0; j < count; ++j) build_request(s, s.wbuf, t);
        flush_tcp(s);
    }

    void flush_tcp(Sock& s) {
        while (s.woff < s.wbuf.size()) {
            ssize_t n = ::send(s.fd, s.wbuf.data() + s.woff, s.wbuf.size() - s.woff, MSG_NOSIGNAL);
            if (n > 0) {
                s.woff += size_t(n);
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                set_out(s, true);
                return;
            }
            if (n < 0 && errno == EINTR) continue;
            kill_sock(s, "send");
            return;
        }
        s.wbuf.clear();
        s.woff = 0;
        set_out(s, false);
    }

    void set_out(Sock& s, bool on) {
        if (s.want_out == on) return;
        s.want_out = on;
        epoll_event ev{};
        ev.events = EPOLLIN | (on ? uint32_t(EPOLLOUT) : 0u);
        ev.data.u32 = static_cast<uint32_t>(s.idx);
        epoll_ctl(ep_, EPOLL_CTL_MOD, s.fd, &ev);
    }

    void kill_sock(Sock& s, const char* why) {
        if (s.dead) return;
        if (!stopping_ && !o_.quiet)
            std::fprintf(stderr, "sipload: socket %d closed (%s): %s\n", s.idx, why, std::strerror(errno));
        s.dead = true;
        ++stats_.send_errors;
        epoll_ctl(ep_, EPOLL_CTL_DEL, s.fd, nullptr);
    }

    // Case-insensitive search for a header at the start of a line; returns its value.
    static bool header_value(std::string_view head, std::string_view name, std::string_view compact,
                             std::string_view& value) {
        size_t pos = 0;
        while (pos < head.size()) {
            size_t eol = head.find('\n', pos);
            if (eol == std::string_view::npos) eol = head.size();
            std::string_view line = head.substr(pos, eol - pos);
            size_t colon = line.find(':');
            if (colon != std::string_view::npos) {
                std::string_view n = line.substr(0, colon);
                while (!n.empty() && (n.back() == ' ' || n.back() == '\t')) n.remove_suffix(1);
                auto eq = [](std::string_view x, std::string_view y) {
                    if (x.size() != y.size() || y.empty()) return false;
                    for (size_t i = 0; i < x.size(); ++i)
                        if ((x[i] | 0x20) != (y[i] | 0x20)) return false;
                    return true;
                };
                if (eq(n, name) || eq(n, compact)) {
                    std::string_view v = line.substr(colon + 1);
                    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
                    while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.remove_suffix(1);
                    value = v;
                    return true;
                }
            }
            pos = eol + 1;
        }
        return false;
    }

    // One complete reply (head [+ body]).
    void on_reply(Sock& s, std::string_view msg, int64_t t) {
        // "SIP/2.0 200 OK"
        bool ok = msg.size() > 12 && msg.substr(0, 8) == "SIP/2.0 " && msg.substr(8, 3) == "200";
        std::string_view cseq;
        if (!header_value(msg, "CSeq", "", cseq)) {
            ++stats_.bad;
            return;
        }
        uint32_t seq = static_cast<uint32_t>(std::strtoul(std::string(cseq.substr(0, 12)).c_str(), nullptr, 10));
        auto it = s.out.find(seq);
        if (it == s.out.end()) {
            ++stats_.bad;  // late (already counted lost) or unknown
            return;
        }
        std::string_view callid;
        char expect[64];
        int en = std::snprintf(expect, sizeof expect, "%u-%d-%08x@sipload", seq, s.idx, run_id_);
        if (!header_value(msg, "Call-ID", "i", callid) || callid != std::string_view(expect, size_t(en))) ok = false;
        int64_t lat = (t - it->second.sent_ns) / 1000;
        s.out.erase(it);
        if (!ok) {
            ++stats_.bad;
            return;
        }
        ++stats_.received;
        if (!stopping_) {
            ++stats_.received_in_window;
            stats_.lat_us.push_back(static_cast<uint32_t>(std::min<int64_t>(lat, UINT32_MAX)));
        }
    }

    void read_udp(Sock& s, int64_t t) {
        constexpr size_t kBatch = 64;
        static char bufs[kBatch][2048];
        mmsghdr msgs[kBatch];
        iovec iov[kBatch];
        for (;;) {
            std::memset(msgs, 0, sizeof msgs);
            for (size_t j = 0; j < kBatch; ++j) {
                iov[j].iov_base = bufs[j];
                iov[j].iov_len = sizeof bufs[j];
                msgs[j].msg_hdr.msg_iov = &iov[j];
                msgs[j].msg_hdr.msg_iovlen = 1;
            }
            int n = recvmmsg(s.fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
            if (n <= 0) {
                if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    // ECONNREFUSED: the server is not (yet) there; the requests will time out.
                    ++stats_.send_errors;
                }
                return;
            }
            for (int j = 0; j < n; ++j)
                on_reply(s, std::string_view(bufs[j], msgs[j].msg_len), t);
            if (n < int(kBatch)) return;
        }
    }

    void read_tcp(Sock& s, int64_t t) {
        char buf[65536];
        for (;;) {
            ssize_t n = recv(s.fd, buf, sizeof buf, 0);
            if (n > 0) {
                s.rbuf.append(buf, size_t(n));
                if (size_t(n) < sizeof buf) break;
                continue;
            }
            if (n == 0) {
                errno = ECONNRESET;
                kill_sock(s, "eof");
                return;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            kill_sock(s, "recv");
            return;
        }
        size_t pos = 0;
        while (pos < s.rbuf.size()) {
            std::string_view rest(s.rbuf.data() + pos, s.rbuf.size() - pos);
            // skip keep-alive CRLFs
            if (rest[0] == '\r' || rest[0] == '\n') {
                ++pos;
                continue;
            }
            size_t end = rest.find("\r\n\r\n");
            if (end == std::string_view::npos) break;
            std::string_view head = rest.substr(0, end + 4);
            std::string_view cl;
            size_t body = 0;
            if (header_value(head, "Content-Length", "l", cl)) body = std::strtoul(std::string(cl).c_str(), nullptr, 10);
            if (head.size() + body > rest.size()) break;
            on_reply(s, rest.substr(0, head.size() + body), t);
            pos += head.size() + body;
        }
        s.rbuf.erase(0, pos);
    }

    void expire(int64_t t) {
        int64_t limit = int64_t(o_.timeout_ms) * 1'000'000;
        for (auto& s : socks_) {
            for (auto it = s.out.begin(); it != s.out.end();) {
                if (t - it->second.sent_ns > limit) {
                    ++stats_.lost;
                    it = s.out.erase(it);
                } else {
                    ++it;
                }
            }
        }
    }

    void fill(Sock& s, int64_t t) {
        size_t b = budget(s, t);
        if (!b) return;
        if (o_.tcp) send_tcp(s, b, t);
        else send_udp(s, b, t);
    }

    int run() {
        t0_ = now_ns();
        const int64_t t_end = t0_ + int64_t(o_.duration * 1e9);
        int64_t next_expire = t0_ + 10'000'000;
        for (auto& s : socks_) fill(s, t0_);
        epoll_event evs[256];
        int64_t drain_end = 0;
        size_t rr = 0;
        for (;;) {
            int64_t t = now_ns();
            if (!stopping_ && t >= t_end) {
                stopping_ = true;
                t_stop_ = t;
                drain_end = t + std::min<int64_t>(int64_t(o_.timeout_ms) * 1'000'000, 2'000'000'000LL);
            }
            if (stopping_) {
                size_t pending = 0;
                for (auto& s : socks_) pending += s.dead ? 0 : s.out.size();
                if (!pending || t >= drain_end) break;
            }
            int timeout = 1;
            if (o_.rate == 0 && !stopping_) timeout = 5;
            int n = epoll_wait(ep_, evs, 256, timeout);
            t = now_ns();
            for (int k = 0; k < n; ++k) {
                Sock& s = socks_[evs[k].data.u32];
                if (s.dead) continue;
                if (evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                    if (o_.tcp) read_tcp(s, t);
                    else read_udp(s, t);
                }
                if (!s.dead && o_.tcp && (evs[k].events & EPOLLOUT)) flush_tcp(s);
                if (o_.rate == 0) fill(s, t);
            }
            if (t >= next_expire) {
                expire(t);
                next_expire = t + 10'000'000;
                if (o_.rate == 0)
                    for (auto& s : socks_) fill(s, t);
            }
            if (o_.rate > 0) {
                // Round-robin the paced requests over the sockets.
                for (size_t j = 0; j < socks_.size(); ++j) {
                    Sock& s = socks_[(rr + j) % socks_.size()];
                    size_t b = budget(s, t);
                    if (!b) continue;
                    b = std::min<size_t>(b, 1 + b / socks_.size());
                    if (o_.tcp) send_tcp(s, b, t);
                    else send_udp(s, b, t);
                }
                ++rr;
            }
            bool all_dead = true;
            for (auto& s : socks_) all_dead = all_dead && s.dead;
            if (all_dead) {
                if (!stopping_) t_stop_ = t;
                break;
            }
        }
        for (auto& s : socks_) {
            stats_.lost += s.out.size();
            s.out.clear();
        }
        return report();
    }

    int report() {
        double secs = double(t_stop_ - t0_) / 1e9;
        auto pct = [&](double p) -> double {
            auto& v = stats_.lat_us;
            if (v.empty()) return 0;
            size_t k = std::min(v.size() - 1, size_t(p * double(v.size())));
            std::nth_element(v.begin(), v.begin() + long(k), v.end());
            return v[k];
        };
        double p50 = pct(0.50), p99 = pct(0.99);
        rusage ru{};
        getrusage(RUSAGE_SELF, &ru);
        double cpu = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        std::printf(
            "{\"proto\":\"%s\",\"sockets\":%d,\"window\":%d,\"rate\":%.0f,\"duration_s\":%.3f,"
            "\"sent\":%llu,\"received\":%llu,\"received_in_window\":%llu,\"lost\":%llu,\"bad\":%llu,"
            "\"errors\":%llu,\"replies_per_s\":%.1f,\"p50_us\":%.0f,\"p99_us\":%.0f,\"cpu_s\":%.3f}\n",
            o_.tcp ? "tcp" : "udp", o_.sockets, o_.window, o_.rate, secs, (unsigned long long)stats_.sent,
            (unsigned long long)stats_.received, (unsigned long long)stats_.received_in_window,
            (unsigned long long)stats_.lost, (unsigned long long)stats_.bad,
            (unsigned long long)stats_.send_errors, secs > 0 ? double(stats_.received_in_window) / secs : 0.0, p50,
            p99, cpu);
        std::fflush(stdout);
        return stats_.received ? 0 : 1;
    }

private:
    Options o_;
    uint32_t run_id_ = 0;
    sockaddr_storage dst_{};
    socklen_t dst_len_ = 0;
    int family_ = AF_INET;
    std::string host_hdr_;
    int ep_ = -1;
    std::vector<Sock> socks_;
    std::string udp_bufs_[64];
    Stats stats_;
    int64_t t0_ = 0, t_stop_ = 0;
    bool stopping_ = false;
};

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse_args(argc, argv, o)) return 2;
    signal(SIGPIPE, SIG_IGN);
    // Hard bound on the run time whatever happens.
    alarm(static_cast<unsigned>(o.duration + 10 + o.timeout_ms / 1000));
    Gen g(o);
    g.setup();
    return g.run();
}
